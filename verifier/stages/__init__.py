"""The verify stages, in order: static → import → schema → behavior → migrations.

``static`` runs in the verifier itself (it never imports the target). The others run inside the
sandboxed child (``verifier.sandbox.child``), one module each, each exposing
``run(ctx: StageContext) -> str`` that returns the stage status (``passed``, ``failed`` or
``skipped``) and reports findings through ``ctx.report``.
"""

STAGE_ORDER = ("static", "import", "schema", "behavior", "migrations")
DYNAMIC_STAGES = STAGE_ORDER[1:]

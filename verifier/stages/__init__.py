"""The verify stages, in order: static → import → schema → behavior → migrations.

``static`` runs in the verifier itself (it never imports the target). The others run inside the
sandboxed child (``verifier.sandbox.child``), one module each, each exposing
``run(ctx: StageContext) -> str`` that returns the stage status (``passed``, ``failed`` or
``skipped``) and reports findings through ``ctx.report``.
"""

STAGE_ORDER = ("static", "import", "schema", "behavior", "migrations")
DYNAMIC_STAGES = STAGE_ORDER[1:]
# The two parts of the behavior stage: the contract (taskapi, the user's pytest file or none)
# and the generic checks. One child runs both, or two children one each (the verify pipeline's
# lanes), and the report shows them as one stage.
BEHAVIOR_PARTS = ("contract", "generic")

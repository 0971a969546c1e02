"""Stage 2, import: the target's modules import and SQLAlchemy configures every mapper.

Mapper configuration is where ambiguous foreign keys, wrong ``back_populates`` and bad
relationship arguments surface; catching them here names the problem before any query runs.
A ``Column`` object shared by two tables fails already while the class is built; it is reported
under its own rule (RDA206) because the message SQLAlchemy gives is easy to misread.
"""

from __future__ import annotations

from verifier import skill_refs
from verifier.findings import Finding
from verifier.stages.codes import finding, refused_by_sandbox
from verifier.stages.context import StageContext, describe, import_module

SHARED_COLUMN_MARK = "already assigned to Table"


def missing_settings(exc: BaseException) -> list[str]:
    """The fields a settings object refused to start without (pydantic's "missing" errors)."""
    errors = getattr(exc, "errors", None)
    if type(exc).__name__ != "ValidationError" or not callable(errors):
        return []
    try:
        listed = errors()
    except Exception:  # not pydantic's after all
        return []
    return [
        ".".join(str(part) for part in e.get("loc", ())) or "?"
        for e in listed
        if isinstance(e, dict) and e.get("type") == "missing"
    ]


def missing_variable(exc: BaseException) -> str | None:
    """The name in ``os.environ["NAME"]`` when that lookup is what failed."""
    import traceback

    if not isinstance(exc, KeyError) or not exc.args:
        return None
    frames = traceback.extract_tb(exc.__traceback__)
    if frames and frames[-1].name == "__getitem__" and frames[-1].filename.endswith("os.py"):
        return str(exc.args[0])
    return None


def _import_failure(ctx: StageContext, module: str, exc: BaseException) -> Finding:
    file, line = ctx.location_of(exc)
    missing = missing_settings(exc)
    variable = missing_variable(exc)
    if variable is not None:
        missing = [variable]
    if isinstance(exc, SystemExit):
        message = f"importing {module} called sys.exit({exc.code!r})"
    elif missing:
        title = getattr(exc, "title", "the settings")
        message = (
            f"importing {module} failed: {title} needs {', '.join(missing)}, which the sandbox "
            'does not set: give them in [tool.rda.env] (NAME = "value") or in the target\'s .env'
        )
    else:
        message = f"importing {module} failed: {describe(exc)}"
    refused = refused_by_sandbox(exc)
    if refused is not None:
        return finding(
            "RDA717",
            f"importing {module} tried to reach beyond its sandbox, and {refused}",
            stage="import",
            file=file,
            line=line,
        )
    if SHARED_COLUMN_MARK in str(exc):
        return Finding(
            code="RDA206",
            message=f"{message} — one sa_column Column object is used by several fields or tables",
            file=file,
            line=line,
            stage="import",
            fix="Build a new Column inside each Field(sa_column=Column(...)); never share one.",
            skill_ref=skill_refs.MODELS_JSONB,
        )
    return finding("RDA701", message, stage="import", file=file, line=line)


# SQLAlchemy's words when a relationship's annotation did not resolve to a class: a string
# annotation (``from __future__ import annotations``, ``"Optional[Team]"``) or a name no module
# imported defines. The foreign_keys/back_populates advice of RDA702 does not fit those.
UNRESOLVED_ANNOTATION = (
    "failed to locate a name",
    "using a generic class as the argument to relationship()",
)
UNRESOLVED_ANNOTATION_FIX = (
    "Make every relationship annotation resolvable: no `from __future__ import annotations` in "
    'models modules, quote only the class name (`Optional["Team"]`, `list["Hero"]`), and import '
    "every module that defines a model named there (name them all in [tool.rda] models)"
)


def _unresolved_annotation(exc: BaseException) -> bool:
    text = str(exc)
    return any(words in text for words in UNRESOLVED_ANNOTATION)


def _refused_by_guard(exc: BaseException) -> bool:
    from verifier.sandbox.guard import SandboxRefusal

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, SandboxRefusal):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def run(ctx: StageContext) -> str:
    spec = ctx.target
    modules = [
        *spec.model_modules(),
        *([spec.database] if spec.database else []),
        *spec.crud_modules(),
    ]
    if not modules:
        ctx.report(
            finding(
                "RDA701",
                "no models module found: no module of the target defines a table=True class",
                stage="import",
                fix=(
                    "point rda verify at the folder that holds the layer, or name its models in "
                    '[tool.rda] models = "pkg.models" (a list for a models package)'
                ),
            )
        )
        return "failed"
    for module in dict.fromkeys(modules):
        ctx.check_started(f"import {module}")
        try:
            import_module(ctx, module)
        except BaseException as exc:
            if isinstance(exc, MemoryError):
                raise
            if not _refused_by_guard(exc):  # the guard already reported the refusal
                ctx.report(_import_failure(ctx, module, exc))
            return "failed"
    ctx.check_started("configure_mappers")
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import configure_mappers

    try:
        configure_mappers()
    except SQLAlchemyError as exc:
        file, line = ctx.location_of(exc)
        found = finding(
            "RDA702",
            f"mapper configuration failed: {describe(exc)}",
            stage="import",
            file=file,
            line=line,
        )
        if _unresolved_annotation(exc):
            found = found.replace(
                fix=UNRESOLVED_ANNOTATION_FIX,
                skill_ref=skill_refs.RELATIONSHIPS_ANNOTATIONS,
            )
        ctx.report(found)
        return "failed"
    ctx.built.add("imported")
    return "passed"

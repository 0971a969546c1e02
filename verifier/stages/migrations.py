"""Stage 5, migrations: the target's Alembic history builds the schema, matches it and unwinds.

A layer whose migrations do not run is not deployable, whatever its models say. The checks run
on their own empty database (``ctx.databases["migrations"]``), in this order, each a small
function whose docstring is the sentence the report prints when it fails:

1. ``single_head`` (RDA801), 2. ``upgrade_from_empty`` (RDA802), 3. ``models_match_migrations``
(RDA803), 4. ``downgrade_leaves_no_trace`` (RDA804), 5. ``stairway`` (RDA805),
6. ``offline_sql``: ``alembic upgrade head --sql`` sent to the verifier as an ``offline_sql``
event, where squawk lints it (the sandbox forbids spawning processes in here).

Alembic runs the way a developer runs it: from the folder of ``alembic.ini``, with the database
URL both in ``sqlalchemy.url`` and in the environment variable the target reads, and never inside
a running event loop (an async ``env.py`` calls ``asyncio.run`` itself). What the target does
not say (its version table's name, its schema before the first revision) is measured, not
assumed: the catalog is snapshotted before ``upgrade head`` and compared after each downgrade.
"""

from __future__ import annotations

import asyncio
import io
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verifier.findings import Severity
from verifier.stages import migration_diff, schema_objects
from verifier.stages.alembic_runner import alembic_config, alembic_environment, configure_spy
from verifier.stages.codes import finding
from verifier.stages.context import StageContext, describe, import_module
from verifier.stages.schema_objects import SchemaObject
from verifier.stages.targetmodels import mapped_classes

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

STAGE = "migrations"
OFFLINE_SQL_EVENT = "offline_sql"
NOTE_EVENT = "note"


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision file, located the way the report names it."""

    id: str
    file: str | None  # relative to the target's root
    upgrade_line: int | None
    downgrade_line: int | None

    @property
    def label(self) -> str:
        return f"{self.id} ({self.file})" if self.file else self.id


@dataclass
class MigrationRun:
    """What the checks share: the target's Alembic setup and our view of its database."""

    ctx: StageContext
    ini: Path
    url: str
    config: Config
    probe: DatabaseProbe
    revisions: list[Revision] = field(default_factory=list)  # base first
    heads: list[str] = field(default_factory=list)
    baseline: frozenset[SchemaObject] = frozenset()
    unwound: bool = False  # downgrade base left the database as upgrade head found it
    notes: list[str] = field(default_factory=list)
    # What env.py passed to context.configure (its target_metadata, filters): see configure_spy.
    configured: dict[str, Any] = field(default_factory=dict)

    def fail(
        self,
        check: Callable[..., Any],
        code: str,
        detail: str,
        *,
        file: str | None = None,
        line: int | None = None,
        details: dict[str, object] | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Report a failed check: its docstring's sentence, then what exactly went wrong."""
        message = f"{sentence_of(check)} {detail}"
        found = finding(code, message, stage=STAGE, file=file, line=line, details=details)
        if severity is not Severity.ERROR:
            found = found.replace(severity=severity)
        self.ctx.report(found)

    def revision_at(self, file: str | None) -> Revision | None:
        return next((r for r in self.revisions if file and r.file == file), None)

    def relative(self, path: str) -> str | None:
        """A path alembic reported, relative to the target's root.

        A relative ``script_location`` makes alembic name files relative to the ini's folder,
        and the root may be reached through a symlink: both are resolved first.
        """
        if path.startswith("<"):  # "<string>", "<frozen importlib._bootstrap>"
            return None
        absolute = Path(path) if Path(path).is_absolute() else self.ini.parent / path
        if not absolute.is_file():
            return None
        for candidate in (absolute, absolute.resolve()):
            for root in (self.ctx.root, self.ctx.root.resolve()):
                if candidate.is_relative_to(root):
                    return candidate.relative_to(root).as_posix()
        return None

    def locate(self, exc: BaseException) -> tuple[str | None, int | None]:
        """The innermost frame of a traceback that is in the target's files."""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            file = self.relative(frame.filename)
            if file is not None:
                return file, frame.lineno
        if isinstance(exc, SyntaxError) and exc.filename:
            return self.relative(exc.filename), exc.lineno
        return None, None

    def failure_site(self, exc: BaseException) -> tuple[str | None, int | None, str]:
        """Where an alembic command failed, and a phrase naming the revision or env.py."""
        file, line = self.locate(exc)
        revision = self.revision_at(file)
        if revision is not None:
            return file, line, f"revision {revision.label}"
        return file, line, (file or "alembic")


class DatabaseProbe:
    """Our own connection to the migrations database, beside alembic's: snapshots and diffs.

    A ``NullPool`` engine holds no connection between calls, so nothing of ours is open while
    the target's ``env.py`` migrates, and each call gets its own short event loop.
    """

    def __init__(self, url: str) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool

        self.engine: AsyncEngine = create_async_engine(url, poolclass=NullPool)

    def _call(self, work: Callable[[AsyncConnection], Any], *, commit: bool = False) -> Any:
        async def go() -> Any:
            if commit:
                async with self.engine.begin() as conn:
                    return await work(conn)
            async with self.engine.connect() as conn:
                return await work(conn)

        return asyncio.run(go())

    def snapshot(self) -> frozenset[SchemaObject]:
        return self._call(schema_objects.snapshot)  # type: ignore[no-any-return]

    def version_tables(self) -> list[str]:
        return self._call(schema_objects.version_tables)  # type: ignore[no-any-return]

    def reset(self, baseline: frozenset[SchemaObject]) -> None:
        """Drop whatever is not in ``baseline`` (and the version table): back to base."""

        async def work(conn: AsyncConnection) -> None:
            leftovers = await schema_objects.snapshot(conn) - baseline
            await schema_objects.drop_objects(conn, leftovers)

        self._call(work, commit=True)

    def compare(
        self, metadata: Any, skip_tables: set[str], configured: dict[str, Any] | None = None
    ) -> tuple[list[Any], str]:
        """Autogenerate's diff of ``metadata`` against the database, and the code it writes.

        ``configured`` holds the env.py's own filters (``include_name``, ``include_object``,
        ``include_schemas``): what it leaves out of autogenerate is left out here too. Types and
        server defaults are always compared.
        """
        given = dict(configured or {})
        their_include_name = given.get("include_name")

        def diff(sync_conn: Any) -> tuple[list[Any], str]:
            from alembic.autogenerate import produce_migrations, render_python_code
            from alembic.migration import MigrationContext

            def include_name(name: str | None, type_: str, parents: Any) -> bool:
                if type_ == "table" and name in skip_tables:
                    return False
                return their_include_name is None or bool(their_include_name(name, type_, parents))

            opts: dict[str, Any] = {
                "compare_type": True,
                "compare_server_default": True,
                "target_metadata": metadata,
                "include_name": include_name,
            }
            for option in ("include_object", "include_schemas"):
                if given.get(option) is not None:
                    opts[option] = given[option]
            context = MigrationContext.configure(sync_conn, opts=opts)
            script = produce_migrations(context, metadata)
            ops = script.upgrade_ops
            if ops is None or ops.is_empty():
                return [], ""
            return ops.as_diffs(), render_python_code(ops, migration_context=context)

        async def work(conn: AsyncConnection) -> tuple[list[Any], str]:
            return await conn.run_sync(diff)

        return self._call(work)  # type: ignore[no-any-return]

    def close(self) -> None:
        asyncio.run(self.engine.dispose())


def error_text(exc: BaseException) -> str:
    """One line naming a failure, PostgreSQL's own error when the database refused.

    SQLAlchemy wraps asyncpg's exception twice ("ProgrammingError: (sqlalchemy.dialects...
    ProgrammingError) <class 'asyncpg...UndefinedTableError'>: ..."); the innermost one is what
    a developer searches for.
    """
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        inner: BaseException = exc.orig.__cause__ or exc.orig
        return describe(inner)
    return describe(exc)


def sentence_of(check: Callable[..., Any]) -> str:
    """The first line of a check's docstring: what the report says when the check fails."""
    return (check.__doc__ or check.__name__).strip().splitlines()[0]


def check_name(check: Callable[..., Any]) -> str:
    return check.__name__.replace("_", " ")


# --- the checks ---------------------------------------------------------------------------


def single_head(run: MigrationRun) -> bool:
    """The migration history must end in exactly one head revision.

    With several heads ``alembic upgrade head`` refuses to run; this is what an unresolved merge
    of two branches that each added a migration looks like.
    """
    if len(run.heads) == 1:
        return True
    if not run.heads:
        run.fail(single_head, "RDA802", "It has no revision at all: upgrade head builds nothing.")
        return False
    by_id = {r.id: r for r in run.revisions}
    listed = ", ".join(by_id[h].label if h in by_id else h for h in run.heads)
    first = by_id.get(run.heads[0])
    run.fail(
        single_head,
        "RDA801",
        f"Found {len(run.heads)}: {listed}.",
        file=first.file if first else None,
        details={"heads": list(run.heads)},
    )
    return False


def upgrade_from_empty(run: MigrationRun) -> bool:
    """`alembic upgrade head` must build the schema on an empty database."""
    from alembic import command

    run.baseline = run.probe.snapshot()
    try:
        with configure_spy(run.configured):
            command.upgrade(run.config, "heads")
    except Exception as exc:  # any failure of the target's migrations is a finding
        file, line, where = run.failure_site(exc)
        run.fail(
            upgrade_from_empty,
            "RDA802",
            f"It failed in {where}: {error_text(exc)}",
            file=file,
            line=line,
            details={"error": str(exc)[:4000]},
        )
        return False
    if not run.probe.version_tables():
        run.fail(
            upgrade_from_empty,
            "RDA802",
            "It reported success but wrote nothing to the database it was given: env.py must "
            f"take its URL from sqlalchemy.url or ${run.ctx.target.database_url_env}, not from "
            "an engine or URL of its own.",
            file=_env_py(run),
        )
        return False
    return True


def models_match_migrations(run: MigrationRun) -> bool:
    """The migrated schema must match the models: autogenerate must find no difference.

    "The models" are what the target's ``env.py`` hands autogenerate (its ``target_metadata``,
    recorded while it ran): exactly what ``alembic revision --autogenerate`` would compare. An
    ``env.py`` that gives none is compared with the manifest's models module instead.
    """
    ctx = run.ctx
    metadata = run.configured.get("target_metadata")
    if metadata is None:
        if not ctx.target.model_modules():
            run.notes.append("model/DDL match not checked: env.py gives no target_metadata")
            return True
        for name in ctx.target.model_modules():
            import_module(ctx, name)
        from verifier.stages.targetmodels import target_metadata

        found = target_metadata()
        metadata = found[0] if len(found) == 1 else found
        run.notes.append(
            "env.py gives autogenerate no target_metadata: compared with "
            f"{', '.join(ctx.target.model_modules())} instead"
        )
    tables = [
        table
        for meta in (metadata if isinstance(metadata, list | tuple) else [metadata])
        for table in getattr(meta, "tables", {})
    ]
    if not tables:
        run.notes.append("model/DDL match not checked: the target's metadata holds no table")
        return True
    skip = {name.rsplit(".", 1)[-1].strip('"') for name in run.probe.version_tables()}
    try:
        diffs, code = run.probe.compare(metadata, skip | {"alembic_version"}, run.configured)
    except Exception as exc:  # autogenerate's own limits are not the target's fault
        run.notes.append(f"model/DDL match not checked: autogenerate failed ({error_text(exc)})")
        return True
    if not diffs:
        return True
    for table, sentences in migration_diff.by_table(diffs).items():
        file, line = _model_location(ctx, table)
        subject = f"Table {table}: " if table else ""
        run.fail(
            models_match_migrations,
            "RDA803",
            subject + "; ".join(sentences) + ".",
            file=file,
            line=line,
            details={"differences": sentences, "autogenerate": code},
        )
    return False


def downgrade_leaves_no_trace(run: MigrationRun) -> bool:
    """`alembic downgrade base` must succeed and leave nothing but alembic's version table."""
    from alembic import command

    try:
        command.downgrade(run.config, "base")
    except Exception as exc:  # any failure of the target's migrations is a finding
        file, line, where = run.failure_site(exc)
        run.fail(
            downgrade_leaves_no_trace,
            "RDA804",
            f"It failed in {where}: {error_text(exc)}",
            file=file,
            line=line,
            details={"error": str(exc)[:4000]},
        )
        return False
    after = run.probe.snapshot()
    left, removed = after - run.baseline, run.baseline - after
    if not left and not removed:
        run.unwound = True
        return True
    only = run.revisions[0] if len(run.revisions) == 1 else None
    run.fail(
        downgrade_leaves_no_trace,
        "RDA804",
        _trace_message(left, removed),
        file=only.file if only else None,
        line=only.downgrade_line if only else None,
        details={"left": sorted(map(str, left)), "removed": sorted(map(str, removed))},
    )
    return False


def stairway(run: MigrationRun) -> bool:
    """Each revision must survive upgrade, downgrade and upgrade again, one step at a time.

    After its downgrade the schema must be exactly what it was before its upgrade, so that a
    rollback in production can be followed by the same upgrade.

    A history of one revision had its step up and down in ``upgrade_from_empty`` and
    ``downgrade_leaves_no_trace``, the same two commands from the same empty database: when
    those left no trace, only its upgrade again is left to run (two commands fewer).
    """
    from alembic import command

    if len(run.heads) > 1:
        run.notes.append("stairway not run: the history has several heads")
        return True
    if run.unwound and len(run.revisions) == 1:
        return _upgrade_again(run, run.revisions[0], frozenset(), frozenset())
    if run.probe.snapshot() != run.baseline:
        run.probe.reset(run.baseline)  # what downgrade base left must not blame revision 1
        if run.probe.snapshot() != run.baseline:
            run.notes.append("stairway not run: the database could not be reset to empty")
            return True
    for revision in run.revisions:
        before = run.probe.snapshot()
        step = "upgrade"
        try:
            command.upgrade(run.config, revision.id)
            step = "downgrade"
            command.downgrade(run.config, "-1")
        except Exception as exc:  # any failure of the target's migrations
            file, line, _ = run.failure_site(exc)
            if file is None:
                file, line = revision.file, _line(revision, step)
            run.fail(
                stairway,
                "RDA805",
                f"Revision {revision.label}: its {step} failed: {error_text(exc)}",
                file=file,
                line=line,
                details={"revision": revision.id, "error": str(exc)[:4000]},
            )
            return False
        after = run.probe.snapshot()
        if not _upgrade_again(run, revision, after - before, before - after):
            return False
    return True


def _upgrade_again(
    run: MigrationRun,
    revision: Revision,
    left: frozenset[SchemaObject],
    removed: frozenset[SchemaObject],
) -> bool:
    """The stairway's last step for ``revision``, after its downgrade ``left`` and ``removed``
    what it did: upgrade it again, and fail on either."""
    from alembic import command

    again: Exception | None = None
    try:
        command.upgrade(run.config, revision.id)
    except Exception as exc:  # reported below with the leftovers
        again = exc
    if not left and not removed and again is None:
        return True
    problems = [_trace_message(left, removed, "its downgrade")] if left or removed else []
    if again is not None:
        problems.append(f"upgrading it again failed: {error_text(again)}")
    run.fail(
        stairway,
        "RDA805",
        f"Revision {revision.label}: " + "; ".join(problems),
        file=revision.file,
        line=revision.downgrade_line,
        details={
            "revision": revision.id,
            "left": sorted(map(str, left)),
            "removed": sorted(map(str, removed)),
        },
    )
    return False


def offline_sql(run: MigrationRun) -> bool:
    """`alembic upgrade head --sql` must print the migrations' SQL, for review and for squawk."""
    from alembic import command

    buffer = io.StringIO()
    config = alembic_config(run.ini, run.url, output_buffer=buffer)
    try:
        command.upgrade(config, "heads", sql=True)
    except Exception as exc:  # a target whose offline mode breaks gets a warning
        file, line, where = run.failure_site(exc)
        run.fail(
            offline_sql,
            "RDA802",
            f"Offline mode failed in {where}: {error_text(exc)}; squawk could not lint the SQL.",
            file=file,
            line=line,
            severity=Severity.WARNING,
        )
        return True
    sql = buffer.getvalue()
    if not sql.strip():
        run.fail(
            offline_sql,
            "RDA802",
            "It printed no SQL: when context.is_offline_mode() is true, env.py must configure "
            "the context with a URL and run the migrations.",
            file=_env_py(run),
            severity=Severity.WARNING,
        )
        return True
    run.ctx.writer.emit(
        OFFLINE_SQL_EVENT,
        sql=sql,
        revision_files={r.id: r.file for r in run.revisions if r.file},
    )
    return True


# --- running them -------------------------------------------------------------------------


def run(ctx: StageContext) -> str:
    """Run the checks on ``ctx.databases["migrations"]``; "skipped" when there is no Alembic."""
    if ctx.target.alembic_ini is None:
        _note(ctx, "no alembic.ini: the target has no migrations to check")
        return "skipped"
    url = ctx.databases.get("migrations")
    if not url:
        _note(ctx, "no database was provided for the migrations stage")
        return "skipped"
    ini = Path(ctx.target.alembic_ini)
    ini = ini if ini.is_absolute() else ctx.root / ini
    if not ini.is_file():
        ctx.report(
            finding(
                "RDA802",
                f"alembic_ini names {ctx.target.alembic_ini!r}, which does not exist",
                stage=STAGE,
            )
        )
        return "failed"
    if url == ctx.databases.get("main"):
        ctx.built.add("migrated main")  # the schema stage starts it afresh
    with alembic_environment(ctx, ini, url):
        probe = DatabaseProbe(url)
        try:
            migration_run = MigrationRun(ctx, ini, url, alembic_config(ini, url), probe)
            passed = _run_checks(migration_run)
        finally:
            probe.close()
    if migration_run.notes:
        _note(ctx, "; ".join(migration_run.notes))
    return "passed" if passed else "failed"


def _run_checks(run: MigrationRun) -> bool:
    """The checks in order; a check whose ground an earlier one did not lay is skipped."""
    run.ctx.check_started("load history")
    if not _load_history(run):
        return False
    run.ctx.check_started(check_name(single_head))
    passed = single_head(run)  # several heads are reported; each head is still checked
    if not run.heads:
        return False
    run.ctx.check_started(check_name(upgrade_from_empty))
    if not upgrade_from_empty(run):
        run.notes.append(f"the checks after {check_name(upgrade_from_empty)} did not run")
        return False
    for check in (models_match_migrations, downgrade_leaves_no_trace, stairway, offline_sql):
        run.ctx.check_started(check_name(check))
        passed = check(run) and passed
    return passed


def _load_history(run: MigrationRun) -> bool:
    """Read the revision files once; a history that does not load stops the stage."""
    from alembic.script import ScriptDirectory

    try:
        script = ScriptDirectory.from_config(run.config)
        run.heads = list(script.get_heads())
        run.revisions = revisions_of(run, script)
    except Exception as exc:  # a broken revision file is a finding
        file, line = run.locate(exc)
        run.ctx.report(
            finding(
                "RDA802",
                f"The migration history could not be loaded: {error_text(exc)}",
                stage=STAGE,
                file=file,
                line=line,
                details={"error": str(exc)[:4000]},
            )
        )
        return False
    return True


def revisions_of(run: MigrationRun, script: ScriptDirectory) -> list[Revision]:
    """Every revision, base first, with the lines of its upgrade() and downgrade()."""
    ordered: list[Script] = list(script.walk_revisions("base", "heads"))
    ordered.reverse()
    return [
        Revision(
            id=s.revision,
            file=run.relative(s.path),
            upgrade_line=_function_line(s.module, "upgrade"),
            downgrade_line=_function_line(s.module, "downgrade"),
        )
        for s in ordered
    ]


def _trace_message(
    left: frozenset[SchemaObject], removed: frozenset[SchemaObject], subject: str = "It"
) -> str:
    parts = []
    if left:
        parts.append(f"{subject} left behind {schema_objects.describe(left)}")
    if removed:
        parts.append(f"{subject} removed what existed before: {schema_objects.describe(removed)}")
    return "; ".join(parts) + ("." if subject == "It" else "")


def _model_location(ctx: StageContext, table: str | None) -> tuple[str | None, int | None]:
    """File and line of the model class mapped to ``table``, when the models define it."""
    if table is None:
        return None, None
    for cls in mapped_classes():
        if getattr(cls.__table__, "name", None) == table:
            return ctx.location_of_object(cls)
    return None, None


def _function_line(module: Any, name: str) -> int | None:
    code = getattr(getattr(module, name, None), "__code__", None)
    return getattr(code, "co_firstlineno", None)


def _line(revision: Revision, step: str) -> int | None:
    return revision.upgrade_line if step == "upgrade" else revision.downgrade_line


def _env_py(run: MigrationRun) -> str | None:
    """The target's env.py, relative to its root (where a wrong URL is chosen)."""
    location = run.config.get_main_option("script_location") or ""
    location = location.replace("%(here)s", str(run.ini.parent))
    path = Path(location) if Path(location).is_absolute() else run.ini.parent / location
    return run.relative(str(path / "env.py"))


def _note(ctx: StageContext, note: str) -> None:
    """Why a check or the stage did not run (the stage event itself carries no note)."""
    ctx.writer.emit(NOTE_EVENT, stage=STAGE, text=f"{STAGE}: {note}")

"""The dynamic stages' finding codes (RDA7xx runtime, RDA8xx migrations runtime).

Each entry is documented in the same shape as the static rules so ``rda rule RDA707`` prints it:
what it checks, why a failure is bad, and what to do instead. Codes are stable once released.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier import skill_refs
from verifier.findings import Finding, Severity


@dataclass(frozen=True, slots=True)
class RuntimeCode:
    code: str
    name: str
    summary: str
    why: str
    fix: str
    skill_ref: str

    def render_doc(self) -> str:
        """The same sections as a static rule's documentation (``rda rule RDA707``)."""
        return (
            f"# {self.name} ({self.code})\n\n{self.summary}\n\n"
            "Found by `rda verify` when it runs the code (a dynamic check).\n\n"
            f"## Why is this bad?\n{self.why}\n\n## Use instead\n{self.fix}\n\n"
            f"## Skill reference\n{self.skill_ref}\n"
        )

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "name": self.name,
            "summary": self.summary,
            "why": self.why,
            "fix": self.fix,
            "skill_ref": self.skill_ref,
        }


def _c(code: str, name: str, summary: str, why: str, fix: str, ref: str) -> RuntimeCode:
    return RuntimeCode(code, name, summary, why, fix, ref)


CODES: dict[str, RuntimeCode] = {
    c.code: c
    for c in (
        _c(
            "RDA701",
            "import-failed",
            "A module of the target could not be imported.",
            "Nothing else can be checked until the layer imports; an app importing it crashes at "
            "start.",
            "Fix the error at the reported line; importing a module must not exit, connect or "
            "block.",
            skill_refs.CAPSTONE_CONTRACT,
        ),
        _c(
            "RDA702",
            "mapper-configuration-error",
            "SQLAlchemy could not configure the mappers.",
            "Ambiguous foreign keys, a wrong back_populates or a bad relationship make every "
            "query fail at first use.",
            "Name foreign_keys= for several FKs to one table, remote_side= for self-references, "
            "and matching back_populates.",
            skill_refs.RELATIONSHIPS_FOREIGN_KEYS,
        ),
        _c(
            "RDA703",
            "schema-build-failed",
            "The schema could not be built (migrations or create_all).",
            "A layer whose schema does not build on PostgreSQL cannot be deployed.",
            "Run the reported DDL by hand to see PostgreSQL's error; fix the model or migration.",
            skill_refs.MODELS_JSONB,
        ),
        _c(
            "RDA704",
            "round-trip-mismatch",
            "A row written through the model does not read back equal, or cannot be written.",
            "Silent data changes (lost time zones, truncated values) corrupt data without an "
            "error.",
            "Use types that keep the value: DateTime(timezone=True), JSONB, lengths that fit.",
            skill_refs.MODELS_TIMESTAMPS,
        ),
        _c(
            "RDA705",
            "expired-after-return",
            "Attributes of a returned object are expired: reading them needs I/O "
            "(MissingGreenlet).",
            "In async code a lazy refresh raises MissingGreenlet; the API layer crashes when it "
            "serializes the result.",
            "Create sessions with expire_on_commit=False (async_sessionmaker(..., "
            "expire_on_commit=False)), or refresh before returning.",
            skill_refs.SESSIONS_EXPIRE,
        ),
        _c(
            "RDA706",
            "lazy-load-after-return",
            "A relationship the contract promises is not loaded on the returned object.",
            "Touching it afterwards lazy-loads: MissingGreenlet in async code, or one query per "
            "row.",
            "Load it in the query with selectinload(Model.relationship).",
            skill_refs.RELATIONSHIPS_EAGER,
        ),
        _c(
            "RDA707",
            "statement-budget-exceeded",
            "The number of statements grows with the number of rows (N+1). What is measured: "
            "list_tasks runs for a project of 2 tasks and again of 8 (parents with an assignee, "
            "each with a subtask) and must not take more statements the second time (nor more "
            "than 8); "
            "get_subtask_tree runs on a chain of 7 tasks (one per level, 6 levels deep) and on "
            "a tree of 13 tasks of the same depth (two branches), and the wide tree must not "
            "take more statements than the chain, nor the chain more than one per level plus "
            "4. A count that grows with the depth, one statement per level (what "
            "selectinload(..., recursion_depth=N) does), is bounded and passes.",
            "One query per row turns a page of 50 into 51 round trips, and a tree of 500 tasks "
            "into 500.",
            "Eager-load with selectinload (one extra statement per relationship, whatever the row "
            "count); for trees, recursion_depth=N, a recursive CTE, or one query per level.",
            skill_refs.RELATIONSHIPS_N_PLUS_ONE,
        ),
        _c(
            "RDA708",
            "partial-write-after-fault",
            "A failure in the middle of an operation left part of its writes behind.",
            "The task without its audit row (or the reverse) is a lie in the data that nothing "
            "repairs.",
            "Add every row of one operation to the session, flush if you need ids, and commit "
            "once at the end.",
            skill_refs.TRANSACTIONS_ATOMIC,
        ),
        _c(
            "RDA709",
            "integrity-error-leaked",
            "A constraint violation escaped as IntegrityError, or left the session unusable.",
            "Callers cannot tell a duplicate from a bug, and the session raises "
            "PendingRollbackError on its next use.",
            "Catch IntegrityError, await session.rollback(), and raise the contract's domain "
            "error (a ValueError/LookupError subclass).",
            skill_refs.TRANSACTIONS_INTEGRITY,
        ),
        _c(
            "RDA710",
            "concurrency-failure",
            "Concurrent calls through separate sessions failed or lost writes.",
            "An API serves many requests at once; shared sessions or global state break under "
            "load.",
            "One session per request or task; never share a session between coroutines.",
            skill_refs.SESSIONS_CONCURRENCY,
        ),
        _c(
            "RDA711",
            "connection-leak",
            "Connections stayed checked out or idle in transaction after the calls returned.",
            "Leaked connections exhaust the pool and hold locks until the server kills them.",
            "Use `async with` for sessions (get_session yields inside one) and commit or roll "
            "back every transaction.",
            skill_refs.SESSIONS_LIFECYCLE,
        ),
        _c(
            "RDA712",
            "contract-result-wrong",
            "A contract function returned the wrong result or is missing.",
            "The layer does not do what its API promises.",
            "Compare with the contract in the message; the capstone reference shows each function.",
            skill_refs.CAPSTONE_CONTRACT,
        ),
        _c(
            "RDA713",
            "timeout",
            "The target did not finish within the time limit (hang, deadlock or pool exhaustion).",
            "A request that never returns holds its connection and its caller forever.",
            "Look for a loop that never ends, a session waiting on a connection another holds, or "
            "pool_size too small for nested sessions.",
            skill_refs.ENGINE_POOLING,
        ),
        _c(
            "RDA714",
            "crashed",
            "The target's process died (signal, memory limit or a hard exit).",
            "A crash in the database layer takes the whole service down.",
            "Run the reported module under Python directly to see the crash; avoid os._exit and "
            "unbounded allocations.",
            skill_refs.CAPSTONE_CONTRACT,
        ),
        _c(
            "RDA715",
            "network-connection",
            "The target connected to something other than its database.",
            "A database layer that phones elsewhere leaks data or hangs on an unreachable host.",
            "Take every address from configuration (DATABASE_URL); connect to nothing at import.",
            skill_refs.ENGINE_SECURITY,
        ),
        _c(
            "RDA716",
            "process-spawn",
            "The target started a process.",
            "A database layer has no reason to run programs; it is a security and portability "
            "risk.",
            "Do the work in Python; run migrations from the deployment, not from the layer.",
            skill_refs.ENGINE_SECURITY,
        ),
        _c(
            "RDA717",
            "outside-its-sandbox",
            "The target tried to reach beyond its own database and its copy: a command only a "
            "superuser may run (COPY ... TO PROGRAM, pg_read_file), another database, or a file "
            "outside its copy (the home directory, the repository, another user's files).",
            "A database layer needs its own database and nothing else; code that reaches further "
            "takes over the server or the machine when it runs with more rights than a test "
            "gives it.",
            "Use only the database in the URL you are given, and only the files of the project "
            "(relative to it); never shell out through the database.",
            skill_refs.ENGINE_SECURITY,
        ),
        _c(
            "RDA801",
            "several-heads",
            "The migration history has several heads.",
            "`alembic upgrade head` refuses to run; deployments stop.",
            "Merge the heads (`alembic merge heads`) or fix down_revision.",
            skill_refs.MIGRATIONS_ENV,
        ),
        _c(
            "RDA802",
            "upgrade-failed",
            "`alembic upgrade head` failed on an empty database.",
            "A fresh environment (a new developer, CI, a restore) cannot be built.",
            "Run the migrations on an empty database and fix the failing revision.",
            skill_refs.MIGRATIONS_ENV,
        ),
        _c(
            "RDA803",
            "model-ddl-drift",
            "The models and the migrated schema differ (autogenerate is not empty).",
            "The code expects columns, types or indexes the database does not have.",
            "Generate a migration for the difference (alembic revision --autogenerate) and review "
            "it.",
            skill_refs.MIGRATIONS_AUTOGENERATE,
        ),
        _c(
            "RDA804",
            "downgrade-failed",
            "`alembic downgrade base` failed or left tables, types or sequences behind.",
            "A rollback in production that fails or leaves debris blocks the next upgrade.",
            "Write downgrade() as the exact reverse of upgrade(), including enum types and "
            "indexes.",
            skill_refs.MIGRATIONS_DOWNGRADE,
        ),
        _c(
            "RDA805",
            "stairway-inconsistent",
            "A revision does not survive upgrade → downgrade → upgrade one step at a time.",
            "A revision whose downgrade is incomplete breaks the next upgrade after a rollback.",
            "Make each downgrade() undo exactly its upgrade().",
            skill_refs.MIGRATIONS_DOWNGRADE,
        ),
    )
}


def refused_by_sandbox(exc: BaseException) -> str | None:
    """A one-line reason when ``exc`` (or what it was raised from) is the sandbox saying no.

    PostgreSQL refusing a privilege (SQLSTATE 42501: the role is not a superuser, may not
    connect there, does not own that), or the kernel refusing a file (a read-only system, a
    folder or file of another user): what the target met is the wall, and RDA717 says so.
    """
    import errno

    seen: BaseException | None = exc
    while seen is not None:
        sqlstate = getattr(seen, "sqlstate", None) or getattr(
            getattr(seen, "orig", None), "sqlstate", None
        )
        if sqlstate == "42501":
            text = str(getattr(seen, "orig", None) or seen).strip().splitlines()
            return f"the database refused it: {text[0] if text else 'insufficient privilege'}"
        if isinstance(seen, OSError) and seen.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            where = f" ({seen.filename})" if seen.filename else ""
            return f"the system refused it: {seen.strerror}{where}"
        seen = seen.__cause__ or seen.__context__
    return None


def runtime_code(code: str) -> RuntimeCode:
    return CODES[code]


def finding(
    code: str,
    message: str,
    *,
    stage: str,
    file: str | None = None,
    line: int | None = None,
    details: dict[str, object] | None = None,
    fix: str | None = None,
) -> Finding:
    """A dynamic finding with the fix and skill_ref its code documents (``fix`` replaces the
    code's fix text where the case at hand needs other advice).

    A static rule's code (a defect the source shows too) is welcome: the verifier gives the
    finding that rule's severity and skill_ref (``verifier.verify.merge``).
    """
    entry = CODES.get(code)
    return Finding(
        code=code,
        message=message,
        severity=Severity.ERROR,
        file=file,
        line=line,
        stage=stage,
        fix=fix or (entry.fix if entry else None),
        skill_ref=entry.skill_ref if entry else None,
        details=dict(details or {}),
    )

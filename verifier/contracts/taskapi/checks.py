"""The Task API contract as small named checks (one behaviour each).

Each check's docstring is the sentence a failure report starts with; it raises ``Violation``
with the code and the detail of what went wrong. Checks start from empty tables and use only
the target's own functions and sessions (plus the probe to look at what was written).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.orm.exc import DetachedInstanceError

from verifier.contracts.probing import fault_on
from verifier.contracts.taskapi.adapter import TaskApi, Violation, value_of

Check = Callable[[TaskApi], Awaitable[None]]
CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


# --- helpers -------------------------------------------------------------------------------


def readable(obj: Any, function: str, relationships: tuple[str, ...] = ()) -> None:
    """Column attributes (and the named relationships) are loaded: reading them needs no I/O."""
    from sqlalchemy import inspect as sa_inspect

    state = sa_inspect(obj, raiseerr=False)
    if state is None:
        return
    columns = {attr.key for attr in state.mapper.column_attrs}
    expired = sorted(columns & (set(state.expired_attributes) | set(state.unloaded)))
    if expired:
        raise Violation(
            "RDA705",
            f"{function}() returned a {type(obj).__name__} whose attributes "
            f"{', '.join(expired)} are expired: reading them after return raises MissingGreenlet "
            "(the session was created with expire_on_commit=True, the default of AsyncSession)",
            function,
        )
    for rel in relationships:
        if rel in state.unloaded:
            raise Violation(
                "RDA706",
                f"{function}() returned a {type(obj).__name__} whose relationship '{rel}' is not "
                "loaded: reading it after return is a lazy load (MissingGreenlet in async code)",
                function,
            )


def key(obj: Any) -> Any:
    """An object's primary key without I/O (from its identity, even when it is expired)."""
    from sqlalchemy import inspect as sa_inspect

    state = sa_inspect(obj, raiseerr=False)
    if state is not None and state.identity:
        return state.identity[0]
    return obj.id


async def seed(api: TaskApi) -> tuple[Any, Any, Any]:
    """A project and two workers, created through the target's own functions."""
    project = await api.call("create_project", "Contract project", description="made by rda")
    alice = await api.call("create_worker", "alice", "Alice", kind="human")
    bot = await api.call("create_worker", "bot-1", "Bot One", kind="agent")
    return project, alice, bot


async def new_task(api: TaskApi, project: Any, creator: Any, **fields: Any) -> Any:
    data = api.schema(
        "TaskCreate", title=fields.pop("title", "A task"), project_id=key(project), **fields
    )
    return await api.call("create_task", data, key(creator))


def expect(condition: bool, message: str, function: str, code: str = "RDA712") -> None:
    if not condition:
        raise Violation(code, message, function)


async def expect_error(
    api: TaskApi, base: type[BaseException], function: str, call: Awaitable[Any], what: str
) -> BaseException:
    """The call must raise a ``base`` subclass; an IntegrityError or success is a violation."""
    from sqlalchemy.exc import DBAPIError

    try:
        result = await call
    except base as exc:
        return exc
    except DBAPIError as exc:
        raise Violation(
            "RDA709",
            f"{function}() with {what} let {type(exc).__name__} escape instead of raising a "
            f"{base.__name__} subclass (roll back and raise the contract's domain error)",
            function,
        ) from exc
    except Exception as exc:
        raise Violation(
            "RDA712",
            f"{function}() with {what} raised {type(exc).__name__}, which is not a "
            f"{base.__name__} subclass",
            function,
        ) from exc
    raise Violation(
        "RDA712",
        f"{function}() with {what} returned {result!r} instead of raising "
        f"a {base.__name__} subclass",
        function,
    )


# --- checks ----------------------------------------------------------------------------------


@check
async def create_project_and_worker(api: TaskApi) -> None:
    """create_project and create_worker return saved rows readable after return."""
    project, alice, bot = await seed(api)
    readable(project, "create_project")
    readable(alice, "create_worker")
    expect(
        key(project) is not None and project.name == "Contract project",
        f"create_project() returned {project!r}",
        "create_project",
    )
    expect(
        project.created_at is not None and project.created_at.tzinfo is not None,
        "create_project() returned a naive created_at",
        "create_project",
    )
    expect(
        alice.handle == "alice" and value_of(alice.kind) == "human",
        f"create_worker() returned {alice!r}",
        "create_worker",
    )
    expect(
        value_of(bot.kind) == "agent",
        "create_worker(kind='agent') did not keep the kind",
        "create_worker",
    )
    expect(
        await api.count("Worker") == 2,
        "create_worker() did not persist the worker",
        "create_worker",
    )


@check
async def duplicate_handle(api: TaskApi) -> None:
    """A duplicate worker handle raises a ValueError subclass and the session stays usable."""
    await api.call("create_worker", "dup", "First")
    async with api.session() as session:
        create = api.functions["create_worker"]
        await expect_error(
            api, ValueError, "create_worker", create(session, "dup", "Second"), "a duplicate handle"
        )
        try:
            await create(session, "dup-2", "Third")
        except Exception as exc:
            raise Violation(
                "RDA709",
                "after a duplicate handle the same session is unusable: the next create_worker() "
                f"raised {type(exc).__name__} (roll back before raising the domain error)",
                "create_worker",
            ) from exc
    expect(await api.count("Worker") == 2, "duplicate handle: expected 2 workers", "create_worker")


@check
async def create_task_writes_audit(api: TaskApi) -> None:
    """create_task saves the task with its defaults and an AuditLog(action='created')."""
    project, alice, bot = await seed(api)
    task = await new_task(
        api, project, alice, title="Write the layer", tags=["db", "async"], assignee_id=key(bot)
    )
    readable(task, "create_task")
    expect(key(task) is not None, "create_task() returned a task without id", "create_task")
    expect(
        value_of(task.status) == "pending" and value_of(task.priority) == "medium",
        f"create_task() defaults: status={task.status!r} priority={task.priority!r}, "
        "expected pending/medium",
        "create_task",
    )
    expect(list(task.tags) == ["db", "async"], f"create_task() tags={task.tags!r}", "create_task")
    expect(
        task.created_by_id == key(alice) and task.assignee_id == key(bot),
        "create_task() did not keep created_by_id/assignee_id",
        "create_task",
    )
    expect(
        isinstance(task.created_at, dt.datetime) and task.created_at.tzinfo is not None,
        "create_task() created_at is not timezone-aware",
        "create_task",
    )
    audits = await api.count("AuditLog", "action = 'created' AND entity_id = :id", id=key(task))
    expect(
        audits == 1,
        f"create_task() wrote {audits} AuditLog(action='created') rows, expected 1",
        "create_task",
    )


@check
async def create_task_unknown_references(api: TaskApi) -> None:
    """An unknown project, assignee or parent raises a LookupError subclass and writes nothing."""
    project, alice, _ = await seed(api)
    create = api.functions["create_task"]
    cases = {
        "an unknown project_id": {"project_id": 999_999},
        "an unknown assignee_id": {"project_id": key(project), "assignee_id": 999_999},
        "an unknown parent_task_id": {"project_id": key(project), "parent_task_id": 999_999},
    }
    for what, fields in cases.items():
        data = api.schema("TaskCreate", title="ghost", **fields)
        async with api.session() as session:
            await expect_error(
                api, LookupError, "create_task", create(session, data, key(alice)), what
            )
        tasks, audits = await api.count("Task"), await api.count("AuditLog")
        expect(
            tasks == 0 and audits == 0,
            f"create_task() with {what} left {tasks} task and {audits} audit rows behind",
            "create_task",
            "RDA708",
        )


@check
async def get_task_hides_missing_and_deleted(api: TaskApi) -> None:
    """get_task returns the task, and None when it is missing or soft-deleted."""
    project, alice, _ = await seed(api)
    task = await new_task(api, project, alice)
    got = await api.call("get_task", key(task))
    expect(
        got is not None and got.id == key(task), "get_task() did not find a live task", "get_task"
    )
    readable(got, "get_task")
    expect(
        await api.call("get_task", 999_999) is None,
        "get_task() of a missing id is not None",
        "get_task",
    )
    expect(
        await api.call("delete_task", key(task), key(alice)) is True,
        "delete_task() of a live task did not return True",
        "delete_task",
    )
    expect(
        await api.call("get_task", key(task)) is None,
        "get_task() returned a soft-deleted task",
        "get_task",
    )


@check
async def list_tasks_order_filter_page(api: TaskApi) -> None:
    """list_tasks returns live tasks newest first, filtered by status, paginated, eager-loaded."""
    project, alice, bot = await seed(api)
    other = await api.call("create_project", "Other")
    made = [
        await new_task(api, project, alice, title=f"t{i}", assignee_id=key(bot)) for i in range(5)
    ]
    await new_task(api, other, alice, title="elsewhere")
    await api.call(
        "update_task", key(made[1]), api.schema("TaskUpdate", status="completed"), key(alice)
    )
    await api.call("delete_task", key(made[2]), key(alice))
    listed = await api.call("list_tasks", key(project))
    ids = [t.id for t in listed]
    live = {key(made[i]) for i in (0, 1, 3, 4)}
    expect(
        set(ids) == live,
        f"list_tasks() returned ids {ids}, expected the live tasks "
        f"{sorted(live)} of the project (soft-deleted and other projects' excluded)",
        "list_tasks",
    )
    keys = [(t.created_at, t.id) for t in listed]
    expect(
        keys == sorted(keys, reverse=True),
        "list_tasks() is not ordered newest first (created_at desc, id desc)",
        "list_tasks",
    )
    for task in listed:
        readable(task, "list_tasks", ("assignee", "subtasks"))
    done = await api.call("list_tasks", key(project), status="completed")
    expect(
        [t.id for t in done] == [key(made[1])],
        f"list_tasks(status='completed') returned {[t.id for t in done]}",
        "list_tasks",
    )
    page = await api.call("list_tasks", key(project), limit=2, offset=1)
    expect(
        [t.id for t in page] == ids[1:3],
        f"list_tasks(limit=2, offset=1) returned {[t.id for t in page]}, expected {ids[1:3]}",
        "list_tasks",
    )


async def _statements(api: TaskApi, name: str, *args: Any) -> list[str]:
    async with api.counting() as log:
        await api.call(name, *args)
    return log.statements


@check
async def list_tasks_statement_budget(api: TaskApi) -> None:
    """list_tasks runs the same number of statements for 2 tasks as for 8 (no N+1)."""
    project, alice, bot = await seed(api)

    async def pairs(count: int) -> None:
        for i in range(count):
            parent = await new_task(api, project, alice, title=f"p{i}", assignee_id=key(bot))
            await new_task(api, project, alice, title=f"c{i}", parent_task_id=key(parent))

    await pairs(1)
    small = await _statements(api, "list_tasks", key(project))
    await pairs(3)
    large = await _statements(api, "list_tasks", key(project))
    if len(large) > len(small) or len(large) > 8:
        raise Violation(
            "RDA707",
            f"list_tasks() ran {len(small)} statements for 2 tasks and {len(large)} for 8: the "
            "count grows with the rows (N+1); load assignee and subtasks with selectinload",
            "list_tasks",
            statements=large,
        )


@check
async def update_task_partial(api: TaskApi) -> None:
    """update_task changes only the fields set, bumps updated_at and audits the change."""
    project, alice, _ = await seed(api)
    task = await new_task(api, project, alice, title="before", description="keep me", tags=["a"])
    before_updated = task.updated_at
    await asyncio.sleep(0.002)
    updated = await api.call(
        "update_task",
        key(task),
        api.schema("TaskUpdate", title="after", priority="high"),
        key(alice),
    )
    expect(updated is not None, "update_task() of a live task returned None", "update_task")
    readable(updated, "update_task")
    expect(
        updated.title == "after" and value_of(updated.priority) == "high",
        "update_task() did not apply the fields set",
        "update_task",
    )
    expect(
        updated.description == "keep me" and list(updated.tags) == ["a"],
        "update_task() changed fields that were not set",
        "update_task",
    )
    expect(
        updated.updated_at > before_updated, "update_task() did not bump updated_at", "update_task"
    )
    details = await api.scalar(
        f'SELECT details::text FROM "{api.table("AuditLog")}" '
        "WHERE action = 'updated' AND entity_id = :id",
        id=key(task),
    )
    expect(details is not None, "update_task() wrote no AuditLog(action='updated')", "update_task")
    expect(
        "title" in details and "priority" in details and "description" not in details,
        f"update_task() audit details {details} should name exactly the changed fields",
        "update_task",
    )
    missing = await api.call(
        "update_task", 999_999, api.schema("TaskUpdate", title="x"), key(alice)
    )
    expect(missing is None, "update_task() of a missing task did not return None", "update_task")


@check
async def assign_task(api: TaskApi) -> None:
    """assign_task sets the assignee; a missing task or worker raises a LookupError subclass."""
    project, alice, bot = await seed(api)
    task = await new_task(api, project, alice)
    assigned = await api.call("assign_task", key(task), key(bot), key(alice))
    readable(assigned, "assign_task")
    expect(assigned.assignee_id == key(bot), "assign_task() did not set assignee_id", "assign_task")
    fn = api.functions["assign_task"]
    async with api.session() as s:
        await expect_error(
            api,
            LookupError,
            "assign_task",
            fn(s, key(task), 999_999, key(alice)),
            "an unknown worker",
        )
    async with api.session() as s:
        await expect_error(
            api, LookupError, "assign_task", fn(s, 999_999, key(bot), key(alice)), "an unknown task"
        )


@check
async def delete_task_soft(api: TaskApi) -> None:
    """delete_task soft-deletes once with an audit row; again or missing returns False."""
    project, alice, _ = await seed(api)
    task = await new_task(api, project, alice)
    expect(
        await api.call("delete_task", key(task), key(alice)) is True,
        "delete_task() of a live task did not return True",
        "delete_task",
    )
    rows = await api.count("Task", "id = :id AND deleted_at IS NOT NULL", id=key(task))
    expect(
        rows == 1,
        "delete_task() removed the row or did not set deleted_at (soft delete)",
        "delete_task",
    )
    audits = await api.count("AuditLog", "action = 'deleted' AND entity_id = :id", id=key(task))
    expect(
        audits == 1, f"delete_task() wrote {audits} AuditLog(action='deleted') rows", "delete_task"
    )
    expect(
        await api.call("delete_task", key(task), key(alice)) is False,
        "delete_task() of an already deleted task did not return False",
        "delete_task",
    )
    expect(
        await api.call("delete_task", 999_999, key(alice)) is False,
        "delete_task() of a missing task did not return False",
        "delete_task",
    )


TREE_DEPTH = 6  # the contract asks for at least 5 levels
TREE_WIDTH = 2  # branches of the wide tree, each a chain down to TREE_DEPTH


async def _branch(api: TaskApi, project: Any, creator: Any, root: Any, name: str) -> None:
    """A chain of TREE_DEPTH tasks below ``root``."""
    parent = root
    for level in range(1, TREE_DEPTH + 1):
        parent = await new_task(
            api, project, creator, title=f"{name}.{level}", parent_task_id=key(parent)
        )


def _walk(node: Any, level: int = 0) -> tuple[int, int]:
    """(nodes, depth) of a returned tree, every level checked readable without I/O."""
    readable(node, "get_subtask_tree", ("subtasks",))
    nodes, depth = 1, level
    for child in node.subtasks:
        n, d = _walk(child, level + 1)
        nodes, depth = nodes + n, max(depth, d)
    return nodes, depth


@check
async def subtask_tree(api: TaskApi) -> None:
    """get_subtask_tree loads every level; its statement count does not grow with the tasks.

    One root is loaded twice: as the top of a chain (one task per level), then grown to two
    branches of the same depth. The wide tree must take no more statements than the chain: one
    statement per level (what ``selectinload(..., recursion_depth=N)`` does) is bounded, one per
    task is N+1.
    """
    project, alice, _ = await seed(api)
    root = await new_task(api, project, alice, title="root")
    await _branch(api, project, alice, root, "branch 0")
    counts = {}
    for name, size in (("chain", 1 + TREE_DEPTH), ("wide tree", 1 + TREE_WIDTH * TREE_DEPTH)):
        if name == "wide tree":  # the same root, grown to three branches of the same depth
            for branch in range(1, TREE_WIDTH):
                await _branch(api, project, alice, root, f"branch {branch}")
        statements = await _statements(api, "get_subtask_tree", key(root))
        tree = await api.call("get_subtask_tree", key(root))
        expect(
            tree is not None,
            "get_subtask_tree() of an existing task returned None",
            "get_subtask_tree",
        )
        nodes, depth = _walk(tree)
        expect(
            depth == TREE_DEPTH and nodes == size,
            f"get_subtask_tree() of a {name} of {size} tasks, {TREE_DEPTH} levels deep, returned "
            f"{nodes} tasks over {depth} levels",
            "get_subtask_tree",
        )
        counts[name] = statements
    chain, tree_statements = counts["chain"], counts["wide tree"]
    if len(tree_statements) > len(chain):
        raise Violation(
            "RDA707",
            f"get_subtask_tree() ran {len(chain)} statements for a chain of {1 + TREE_DEPTH} "
            f"tasks and {len(tree_statements)} for a tree of {1 + TREE_WIDTH * TREE_DEPTH} tasks "
            f"of the same depth ({TREE_DEPTH}): the count grows with the number of tasks, not "
            "only with the depth (a query per task)",
            "get_subtask_tree",
            statements=tree_statements,
        )
    if len(chain) > TREE_DEPTH + 4:
        raise Violation(
            "RDA707",
            f"get_subtask_tree() ran {len(chain)} statements for a tree {TREE_DEPTH} levels "
            "deep: more than one statement per level",
            "get_subtask_tree",
            statements=chain,
        )
    expect(
        await api.call("get_subtask_tree", 999_999) is None,
        "get_subtask_tree() of a missing task did not return None",
        "get_subtask_tree",
    )


@check
async def create_task_atomic(api: TaskApi) -> None:
    """When the audit insert fails, create_task leaves no task behind (one transaction)."""
    project, alice, _ = await seed(api)
    async with fault_on(api.probe, api.table("AuditLog")):
        try:
            await new_task(api, project, alice, title="must not persist")
        except Exception:
            pass
        left = await api.count("Task", "title = 'must not persist'")
    expect(
        left == 0,
        "create_task() committed the task before its audit row: with the "
        "audit insert failing, the task persisted",
        "create_task",
        "RDA708",
    )


@check
async def concurrent_creates(api: TaskApi) -> None:
    """Concurrent create_task calls through separate sessions all succeed."""
    project, alice, _ = await seed(api)
    results = await asyncio.gather(
        *(new_task(api, project, alice, title=f"parallel {i}") for i in range(8)),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    for error in errors:
        if isinstance(error, (MissingGreenlet, DetachedInstanceError)):
            raise error  # the expire_on_commit bug, reported as such
    if errors:
        raise Violation(
            "RDA710",
            f"{len(errors)} of 8 concurrent create_task() calls failed: "
            f"{type(errors[0]).__name__}: {errors[0]}",
            "create_task",
        )
    ids = {key(r) for r in results}
    tasks = await api.count("Task", "title LIKE 'parallel %'")
    expect(
        len(ids) == 8 and tasks == 8,
        f"8 concurrent create_task() calls gave {len(ids)} ids and {tasks} rows",
        "create_task",
        "RDA710",
    )


def _url_forms(url: str) -> dict[str, str]:
    """The throwaway database's URL in the forms hosting platforms hand out."""
    rest = url.split("://", 1)[1]
    joiner = "&" if "?" in rest else "?"
    return {
        "postgresql://": f"postgresql://{rest}",
        "postgres://": f"postgres://{rest}",
        "postgresql://...?sslmode=disable": f"postgresql://{rest}{joiner}sslmode=disable",
    }


def _defines_tables(module: Any) -> bool:
    return any(
        isinstance(value, type)
        and getattr(value, "__module__", None) == module.__name__
        and hasattr(value, "__table__")
        for value in vars(module).values()
    )


def _load_database_module(api: TaskApi, url: str) -> Any:
    """The target's database module imported afresh, with ``url`` in its variable.

    Every target module it may read the URL through (a settings module, a config package) is
    imported afresh with it; modules that define tables are kept, since defining a table twice
    is an error. ``sys.modules`` is put back as it was afterwards.
    """
    import importlib
    import os
    import sys

    root = str(api.ctx.root)
    saved = {
        name: module
        for name, module in list(sys.modules.items())
        if (getattr(module, "__file__", None) or "").startswith(root)
        and not _defines_tables(module)
    }
    variable = api.ctx.target.database_url_env
    saved_url = os.environ.get(variable)
    for name in saved:
        del sys.modules[name]
    os.environ[variable] = url
    try:
        return importlib.import_module(api.database.__name__)
    finally:
        for name in [n for n, m in sys.modules.items() if n in saved and m is not saved[n]]:
            del sys.modules[name]
        sys.modules.update(saved)
        if saved_url is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = saved_url


async def _reloads(api: TaskApi) -> bool:
    """Whether the database module loads a second time at all, with the URL it has today.

    The contract does not ask a module to be importable twice; when it is not (it defines its
    tables itself, say), the conversion cannot be checked this way and a note says so.
    """
    try:
        control = _load_database_module(api, api.ctx.databases["main"])
        await _engine_works(control.engine)
    except Exception as exc:  # reloading is not something the contract asks of a module
        api.ctx.writer.emit(
            "note",
            stage="behavior",
            text=f"URL conversion not checked: {api.database.__name__} cannot be executed a "
            f"second time ({type(exc).__name__}: {exc})",
        )
        return False
    return True


async def _engine_works(engine: Any) -> None:
    from sqlalchemy import text

    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


@check
async def database_url_conversion(api: TaskApi) -> None:
    """The database module turns postgres:// and postgresql:// URLs into asyncpg ones.

    Hosting platforms hand out ``postgres://`` and ``postgresql://...?sslmode=require``; the
    module is executed again with each form in its variable, and its engine must use asyncpg
    and connect (asyncpg takes ``ssl=``, and fails at connect on ``sslmode``).
    """
    where = (api.ctx.relative(getattr(api.database, "__file__", None)), None)
    variable = api.ctx.target.database_url_env
    for form, url in _url_forms(api.ctx.databases["main"]).items():
        try:
            module = _load_database_module(api, url)
        except Exception as exc:  # the target's import with that URL
            if not await _reloads(api):
                return
            raise Violation(
                "RDA605",
                f"with {variable}={form} the database module fails to import: "
                f"{type(exc).__name__}: {exc}",
                where,
            ) from exc
        engine = getattr(module, "engine", None)
        driver = getattr(getattr(engine, "dialect", None), "driver", None)
        if driver != "asyncpg":
            if hasattr(engine, "dispose"):
                await engine.dispose()
            raise Violation(
                "RDA605",
                f"with {variable}={form} the database module's engine uses the "
                f"{driver!r} driver, not asyncpg: convert the URL to postgresql+asyncpg://",
                where,
            )
        try:
            await _engine_works(engine)
        except Exception as exc:  # the target's engine, configured from its conversion
            if isinstance(exc, TypeError) and "sslmode" in str(exc):
                raise Violation(
                    "RDA606",
                    f"with {variable}={form} the engine fails at connect ({exc}): asyncpg "
                    "takes ssl=, rename sslmode when converting the URL",
                    where,
                ) from exc
            raise Violation(
                "RDA712",
                f"with {variable}={form} the engine fails at connect: {type(exc).__name__}: {exc}",
                where,
            ) from exc

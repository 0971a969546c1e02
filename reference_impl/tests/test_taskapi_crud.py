"""The Task API contract, function by function, against a real PostgreSQL.

"Readable after return" is tested the strict way: the session is closed before the result is
read, so any attribute or relationship that was not loaded raises instead of quietly querying.
"""

import asyncio
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import event, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from taskapi import crud
from taskapi.errors import (
    DuplicateHandleError,
    NotFoundError,
    ProjectNotFoundError,
    TaskApiError,
    TaskNotFoundError,
    WorkerNotFoundError,
)
from taskapi.models import AuditLog, Task, TaskCreate, TaskPriority, TaskStatus, TaskUpdate
from taskapi_testing import FaultInjector, People, RowCounter

from verifier.pytest_plugin import StatementCounter

Sessions = async_sessionmaker[AsyncSession]


def assert_loaded(task: Task, *relationships: str) -> None:
    """Every column and the named relationships are in memory: reading them needs no I/O."""
    state = sa_inspect(task)
    assert not state.expired_attributes
    columns = {attr.key for attr in state.mapper.column_attrs}
    assert not columns & state.unloaded, f"unloaded columns: {columns & state.unloaded}"
    for name in relationships:
        assert name not in state.unloaded, f"relationship {name!r} is not loaded"


async def make_task(sessions: Sessions, people: People, **fields: object) -> Task:
    """Create a task in the people's project, by alice unless ``creator_id`` says otherwise."""
    creator_id = fields.pop("creator_id", people.alice_id)
    fields.setdefault("title", "a task")
    fields.setdefault("project_id", people.project_id)
    async with sessions() as session:
        return await crud.create_task(session, TaskCreate.model_validate(fields), creator_id)


async def audit_rows(sessions: Sessions, task_id: int) -> list[AuditLog]:
    """The committed audit rows of a task, oldest first (read in a session of their own)."""
    async with sessions() as session:
        result = await session.exec(
            select(AuditLog).where(AuditLog.entity_id == task_id).order_by(col(AuditLog.id))
        )
        return list(result.all())


# --- create_project / create_worker -----------------------------------------------------------


async def test_create_project_returns_a_saved_readable_project(
    session_maker: Sessions, count_rows: RowCounter
) -> None:
    async with session_maker() as session:
        project = await crud.create_project(session, "Apollo", "to the moon")

    assert project.id is not None
    assert (project.name, project.description) == ("Apollo", "to the moon")
    assert project.created_at.tzinfo is not None
    assert await count_rows("project", "id = :id AND name = 'Apollo'", id=project.id) == 1


async def test_create_worker_keeps_kind_and_defaults_to_human(
    session_maker: Sessions, count_rows: RowCounter
) -> None:
    async with session_maker() as session:
        human = await crud.create_worker(session, "ada", "Ada")
        agent = await crud.create_worker(session, "claude", "Claude", kind="agent")

    assert (human.handle, human.kind) == ("ada", "human")
    assert agent.kind == "agent"
    assert human.created_at.tzinfo is not None
    assert await count_rows("worker", "kind = 'agent'") == 1


@pytest.mark.parametrize(
    ("handle", "kind", "invalid"),
    [("r2", "robot", "kind"), ("h" * 101, "human", "handle")],
)
async def test_create_worker_rejects_invalid_values_before_writing(
    session_maker: Sessions, count_rows: RowCounter, handle: str, kind: str, invalid: str
) -> None:
    async with session_maker() as session:
        with pytest.raises(ValueError, match=invalid):
            await crud.create_worker(session, handle, "Name", kind=kind)
    assert await count_rows("worker") == 0


async def test_create_project_rejects_a_name_over_200_characters(
    session_maker: Sessions, count_rows: RowCounter
) -> None:
    async with session_maker() as session:
        with pytest.raises(ValueError, match="name"):
            await crud.create_project(session, "n" * 201)
    assert await count_rows("project") == 0


async def test_duplicate_handle_raises_a_value_error_and_the_session_stays_usable(
    session_maker: Sessions, count_rows: RowCounter
) -> None:
    async with session_maker() as session:
        await crud.create_worker(session, "dup", "First")
        with pytest.raises(DuplicateHandleError) as raised:
            await crud.create_worker(session, "dup", "Second")
        again = await crud.create_worker(session, "dup-2", "Third")

    assert isinstance(raised.value, ValueError) and isinstance(raised.value, TaskApiError)
    assert raised.value.handle == "dup"
    assert again.id is not None and again.handle == "dup-2"
    assert await count_rows("worker") == 2


# --- create_task ------------------------------------------------------------------------------


async def test_create_task_saves_defaults_audit_and_loaded_relationships(
    session_maker: Sessions, people: People, count_rows: RowCounter
) -> None:
    task = await make_task(
        session_maker,
        people,
        title="Write the layer",
        assignee_id=people.bot_id,
        tags=["db", "async"],
    )

    assert_loaded(task, "assignee", "subtasks")
    assert task.id is not None
    assert (task.status, task.priority) == (TaskStatus.pending, TaskPriority.medium)
    assert task.tags == ["db", "async"]
    assert (task.created_by_id, task.assignee_id) == (people.alice_id, people.bot_id)
    assert task.assignee is not None and task.assignee.handle == "bot-1"
    assert task.subtasks == []
    assert task.created_at.tzinfo is not None and task.deleted_at is None

    [audit] = await audit_rows(session_maker, task.id)
    assert (audit.entity_type, audit.action, audit.actor_id) == ("task", "created", people.alice_id)
    assert audit.details["title"] == "Write the layer"
    assert await count_rows("task") == 1


async def test_create_task_with_a_parent_shows_up_in_the_parents_subtasks(
    session_maker: Sessions, people: People
) -> None:
    async with session_maker() as session:
        parent = await crud.create_task(
            session, TaskCreate(title="parent", project_id=people.project_id), people.alice_id
        )
        assert parent.subtasks == []
        child = await crud.create_task(
            session,
            TaskCreate(title="child", project_id=people.project_id, parent_task_id=parent.id),
            people.alice_id,
        )
        reread = await crud.get_task(session, parent.id)  # same session: no stale collection

    assert child.parent_task_id == parent.id
    assert reread is not None and [t.id for t in reread.subtasks] == [child.id]


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ("project_id", ProjectNotFoundError),
        ("assignee_id", WorkerNotFoundError),
        ("parent_task_id", TaskNotFoundError),
        ("creator_id", WorkerNotFoundError),
    ],
)
async def test_create_task_with_an_unknown_reference_raises_and_writes_nothing(
    session_maker: Sessions,
    people: People,
    count_rows: RowCounter,
    reference: str,
    error: type[NotFoundError],
) -> None:
    fields: dict[str, object] = {"title": "ghost", "project_id": people.project_id}
    creator_id = people.alice_id
    if reference == "creator_id":
        creator_id = 999_999
    else:
        fields[reference] = 999_999

    async with session_maker() as session:
        with pytest.raises(error) as raised:
            await crud.create_task(session, TaskCreate.model_validate(fields), creator_id)
        assert isinstance(raised.value, LookupError) and raised.value.entity_id == 999_999
        assert await crud.get_task(session, 999_999) is None  # the session is still usable

    assert await count_rows("task") == 0
    assert await count_rows("audit_log") == 0


async def test_create_task_under_a_soft_deleted_parent_is_refused(
    session_maker: Sessions, people: People, count_rows: RowCounter
) -> None:
    parent = await make_task(session_maker, people)
    async with session_maker() as session:
        assert await crud.delete_task(session, parent.id, people.alice_id)
        with pytest.raises(TaskNotFoundError):
            await crud.create_task(
                session,
                TaskCreate(title="orphan", project_id=people.project_id, parent_task_id=parent.id),
                people.alice_id,
            )
    assert await count_rows("task") == 1


async def test_create_task_is_atomic_with_its_audit_row(
    session_maker: Sessions,
    people: People,
    count_rows: RowCounter,
    failing_audit_inserts: FaultInjector,
) -> None:
    data = TaskCreate(title="must not persist", project_id=people.project_id)
    async with session_maker() as session:
        async with failing_audit_inserts():
            with pytest.raises(DBAPIError, match="injected fault"):
                await crud.create_task(session, data, people.alice_id)
        assert await count_rows("task") == 0
        # the failed operation was rolled back, so the same session carries on
        task = await crud.create_task(session, data, people.alice_id)

    assert task.title == "must not persist"
    assert await count_rows("task") == 1
    assert await count_rows("audit_log") == 1


async def test_concurrent_creates_in_separate_sessions_all_land(
    session_maker: Sessions, people: People, count_rows: RowCounter, rda_engine: AsyncEngine
) -> None:
    made = await asyncio.gather(
        *(make_task(session_maker, people, title=f"p{i}") for i in range(8))
    )

    assert len({task.id for task in made}) == 8
    assert await count_rows("task") == 8
    assert await count_rows("audit_log", "action = 'created'") == 8
    assert rda_engine.pool.checkedout() == 0  # every session gave its connection back


# --- get_task ---------------------------------------------------------------------------------


async def test_get_task_returns_a_loaded_task_and_none_when_missing_or_deleted(
    session_maker: Sessions, people: People
) -> None:
    task = await make_task(session_maker, people, assignee_id=people.bot_id)
    async with session_maker() as session:
        found = await crud.get_task(session, task.id)
        missing = await crud.get_task(session, 999_999)
    assert found is not None and found.id == task.id
    assert_loaded(found, "assignee", "subtasks")
    assert found.assignee is not None and found.assignee.handle == "bot-1"
    assert missing is None

    async with session_maker() as session:
        assert await crud.delete_task(session, task.id, people.alice_id)
        assert await crud.get_task(session, task.id) is None


async def test_soft_deleted_subtasks_are_not_in_subtasks(
    session_maker: Sessions, people: People
) -> None:
    parent = await make_task(session_maker, people)
    kept = await make_task(session_maker, people, parent_task_id=parent.id)
    gone = await make_task(session_maker, people, parent_task_id=parent.id)
    async with session_maker() as session:
        before = await crud.get_task(session, parent.id)
        assert before is not None and {t.id for t in before.subtasks} == {kept.id, gone.id}
        assert await crud.delete_task(session, gone.id, people.alice_id)
        after = await crud.get_task(session, parent.id)  # same session, same identity

    assert after is not None and [t.id for t in after.subtasks] == [kept.id]


# --- list_tasks -------------------------------------------------------------------------------


async def test_list_tasks_is_newest_first_live_only_and_of_one_project(
    session_maker: Sessions, people: People, rda_engine: AsyncEngine
) -> None:
    made = [await make_task(session_maker, people, title=f"t{i}") for i in range(4)]
    async with session_maker() as session:
        other = await crud.create_project(session, "Other")
        await crud.create_task(
            session, TaskCreate(title="elsewhere", project_id=other.id), people.alice_id
        )
        assert await crud.delete_task(session, made[1].id, people.alice_id)
    # t2 and t3 share a timestamp: the id breaks the tie
    async with rda_engine.begin() as conn:
        await conn.execute(
            text("UPDATE task SET created_at = :at WHERE id IN (:a, :b)"),
            {"at": datetime(2030, 1, 1, tzinfo=UTC), "a": made[2].id, "b": made[3].id},
        )

    async with session_maker() as session:
        listed = await crud.list_tasks(session, people.project_id)

    assert [t.title for t in listed] == ["t3", "t2", "t0"]
    for task in listed:
        assert_loaded(task, "assignee", "subtasks")


async def test_list_tasks_filters_by_status(session_maker: Sessions, people: People) -> None:
    tasks = [await make_task(session_maker, people, title=f"t{i}") for i in range(3)]
    async with session_maker() as session:
        await crud.update_task(
            session, tasks[1].id, TaskUpdate(status=TaskStatus.completed), people.alice_id
        )
        by_member = await crud.list_tasks(session, people.project_id, status=TaskStatus.completed)
        by_string = await crud.list_tasks(session, people.project_id, status="completed")
        pending = await crud.list_tasks(session, people.project_id, status="pending")

    assert [t.id for t in by_member] == [t.id for t in by_string] == [tasks[1].id]
    assert {t.id for t in pending} == {tasks[0].id, tasks[2].id}


async def test_list_tasks_pages_do_not_overlap(session_maker: Sessions, people: People) -> None:
    for i in range(5):
        await make_task(session_maker, people, title=f"t{i}")
    async with session_maker() as session:
        everything = await crud.list_tasks(session, people.project_id)
        pages = [
            await crud.list_tasks(session, people.project_id, limit=2, offset=offset)
            for offset in (0, 2, 4, 6)
        ]

    assert [len(page) for page in pages] == [2, 2, 1, 0]
    assert [t.id for page in pages for t in page] == [t.id for t in everything]


async def test_list_tasks_refuses_a_negative_limit_or_offset(session_maker: Sessions) -> None:
    async with session_maker() as session:
        with pytest.raises(ValueError, match="negative"):
            await crud.list_tasks(session, 1, limit=-1)
        with pytest.raises(ValueError, match="negative"):
            await crud.list_tasks(session, 1, offset=-5)


async def test_list_tasks_runs_as_many_statements_for_30_tasks_as_for_1(
    session_maker: Sessions, people: People, rda_statement_counter: StatementCounter
) -> None:
    async def make_family(index: int) -> None:
        parent = await make_task(
            session_maker,
            people,
            title=f"p{index}",
            assignee_id=people.bot_id if index % 2 else people.alice_id,
        )
        await make_task(
            session_maker,
            people,
            title=f"c{index}",
            parent_task_id=parent.id,
        )

    async def statements_to_list() -> int:
        async with session_maker() as session:
            rda_statement_counter.reset()
            listed = await crud.list_tasks(session, people.project_id, limit=100)
            counted = rda_statement_counter.count
        for task in listed:  # and everything is readable with the session closed
            _ = (task.assignee, [sub.title for sub in task.subtasks])
        return counted

    await make_family(0)
    one = await statements_to_list()
    for index in range(1, 15):
        await make_family(index)
    many = await statements_to_list()

    assert one == many == 3  # tasks, their assignees, their subtasks


# --- update_task ------------------------------------------------------------------------------


async def test_update_task_changes_only_the_fields_set_and_audits_them(
    session_maker: Sessions, people: People
) -> None:
    task = await make_task(
        session_maker,
        people,
        title="before",
        description="keep me",
        tags=["a"],
    )
    await asyncio.sleep(0.001)  # updated_at must move past created_at
    async with session_maker() as session:
        updated = await crud.update_task(
            session,
            task.id,
            TaskUpdate(title="after", status="in_progress", tags=["a", "b"]),
            people.bot_id,
        )

    assert updated is not None
    assert_loaded(updated, "assignee", "subtasks")
    assert (updated.title, updated.status, updated.tags) == ("after", "in_progress", ["a", "b"])
    assert (updated.description, updated.priority) == ("keep me", "medium")
    assert updated.created_at == task.created_at
    assert updated.updated_at > task.updated_at

    created, changed = await audit_rows(session_maker, task.id)
    assert (created.action, changed.action) == ("created", "updated")
    assert changed.actor_id == people.bot_id
    assert changed.details == {"title": "after", "status": "in_progress", "tags": ["a", "b"]}


async def test_update_task_can_clear_optional_fields(
    session_maker: Sessions, people: People
) -> None:
    task = await make_task(
        session_maker,
        people,
        description="soon gone",
        assignee_id=people.bot_id,
    )
    async with session_maker() as session:
        updated = await crud.update_task(
            session, task.id, TaskUpdate(description=None, assignee_id=None), people.alice_id
        )
    assert updated is not None
    assert (updated.description, updated.assignee_id, updated.assignee) == (None, None, None)


async def test_update_task_reassigns_with_the_new_assignee_loaded(
    session_maker: Sessions, people: People
) -> None:
    task = await make_task(session_maker, people, assignee_id=people.alice_id)
    async with session_maker() as session:
        updated = await crud.update_task(
            session, task.id, TaskUpdate(assignee_id=people.bot_id), people.alice_id
        )
    assert updated is not None and updated.assignee is not None
    assert updated.assignee.handle == "bot-1"


async def test_an_update_that_sets_nothing_writes_nothing(
    session_maker: Sessions, people: People, count_rows: RowCounter
) -> None:
    task = await make_task(session_maker, people)
    async with session_maker() as session:
        same = await crud.update_task(session, task.id, TaskUpdate(), people.alice_id)

    assert same is not None
    assert_loaded(same, "assignee", "subtasks")
    assert same.updated_at == task.updated_at
    assert await count_rows("audit_log", "action = 'updated'") == 0


def test_task_update_refuses_to_clear_required_fields() -> None:
    with pytest.raises(ValidationError, match="status, title"):
        TaskUpdate(title=None, status=None)
    assert TaskUpdate(description=None).model_dump(exclude_unset=True) == {"description": None}


async def test_update_task_returns_none_for_missing_or_deleted_tasks(
    session_maker: Sessions, people: People, count_rows: RowCounter
) -> None:
    task = await make_task(session_maker, people)
    async with session_maker() as session:
        assert (
            await crud.update_task(session, 999_999, TaskUpdate(title="x"), people.alice_id) is None
        )
        assert await crud.delete_task(session, task.id, people.alice_id)
        assert (
            await crud.update_task(session, task.id, TaskUpdate(title="x"), people.alice_id) is None
        )
    assert await count_rows("audit_log", "action = 'updated'") == 0


async def test_update_task_with_an_unknown_assignee_changes_nothing(
    session_maker: Sessions, people: People, count_rows: RowCounter
) -> None:
    task = await make_task(session_maker, people, title="same")
    async with session_maker() as session:
        with pytest.raises(WorkerNotFoundError):
            await crud.update_task(
                session, task.id, TaskUpdate(title="other", assignee_id=999_999), people.alice_id
            )
    assert await count_rows("task", "title = 'same'") == 1
    assert await count_rows("audit_log", "action = 'updated'") == 0


async def test_update_task_is_atomic_with_its_audit_row(
    session_maker: Sessions,
    people: People,
    count_rows: RowCounter,
    failing_audit_inserts: FaultInjector,
) -> None:
    task = await make_task(session_maker, people, title="same")
    async with session_maker() as session, failing_audit_inserts():
        with pytest.raises(DBAPIError, match="injected fault"):
            await crud.update_task(session, task.id, TaskUpdate(title="other"), people.alice_id)
    assert await count_rows("task", "title = 'same'") == 1


# --- assign_task ------------------------------------------------------------------------------


async def test_assign_task_sets_and_loads_the_assignee_and_audits(
    session_maker: Sessions, people: People
) -> None:
    task = await make_task(session_maker, people)
    async with session_maker() as session:
        assigned = await crud.assign_task(session, task.id, people.bot_id, people.alice_id)

    assert_loaded(assigned, "assignee", "subtasks")
    assert assigned.assignee_id == people.bot_id
    assert assigned.assignee is not None and assigned.assignee.kind == "agent"
    assert assigned.updated_at > task.updated_at
    _, audit = await audit_rows(session_maker, task.id)
    assert (audit.action, audit.actor_id, audit.details) == (
        "assigned",
        people.alice_id,
        {"assignee_id": people.bot_id},
    )


@pytest.mark.parametrize("missing", ["task", "deleted task", "worker", "actor"])
async def test_assign_task_raises_lookup_errors_and_writes_nothing(
    session_maker: Sessions, people: People, count_rows: RowCounter, missing: str
) -> None:
    task = await make_task(session_maker, people)
    task_id, worker_id, actor_id = task.id, people.bot_id, people.alice_id
    expected: type[NotFoundError] = WorkerNotFoundError
    if missing == "task":
        task_id, expected = 999_999, TaskNotFoundError
    elif missing == "deleted task":
        async with session_maker() as session:
            assert await crud.delete_task(session, task.id, people.alice_id)
        expected = TaskNotFoundError
    elif missing == "worker":
        worker_id = 999_999
    else:
        actor_id = 999_999

    async with session_maker() as session:
        with pytest.raises(expected):
            await crud.assign_task(session, task_id, worker_id, actor_id)

    assert await count_rows("task", "assignee_id IS NOT NULL") == 0
    assert await count_rows("audit_log", "action = 'assigned'") == 0


# --- delete_task ------------------------------------------------------------------------------


async def test_delete_task_soft_deletes_once_with_an_audit_row(
    session_maker: Sessions, people: People, count_rows: RowCounter
) -> None:
    task = await make_task(session_maker, people)
    async with session_maker() as session:
        assert await crud.delete_task(session, task.id, people.bot_id) is True
        assert await crud.delete_task(session, task.id, people.bot_id) is False
        assert await crud.delete_task(session, 999_999, people.bot_id) is False

    assert await count_rows("task", "id = :id AND deleted_at IS NOT NULL", id=task.id) == 1
    deleted = [row for row in await audit_rows(session_maker, task.id) if row.action == "deleted"]
    assert [(row.actor_id, row.details) for row in deleted] == [(people.bot_id, {})]


async def test_delete_task_leaves_its_subtasks_visible(
    session_maker: Sessions, people: People
) -> None:
    parent = await make_task(session_maker, people)
    child = await make_task(session_maker, people, parent_task_id=parent.id)
    async with session_maker() as session:
        assert await crud.delete_task(session, parent.id, people.alice_id)
        found = await crud.get_task(session, child.id)
        listed = await crud.list_tasks(session, people.project_id)
    assert found is not None
    assert [t.id for t in listed] == [child.id]


# --- get_subtask_tree -------------------------------------------------------------------------


async def make_chain(sessions: Sessions, people: People, depth: int) -> Task:
    """A root task with one subtask per level below it, ``depth`` levels deep."""
    root = parent = await make_task(sessions, people, title="level 0", assignee_id=people.bot_id)
    for level in range(1, depth + 1):
        parent = await make_task(
            sessions,
            people,
            title=f"level {level}",
            parent_task_id=parent.id,
            assignee_id=people.bot_id,
        )
    return root


def depth_of(task: Task) -> int:
    """Walk a loaded tree (with the session closed, an unloaded level would raise)."""
    assert_loaded(task, "assignee", "subtasks")
    return 1 + max((depth_of(sub) for sub in task.subtasks), default=-1)


async def test_get_subtask_tree_loads_every_level_in_the_same_statements_at_any_depth(
    session_maker: Sessions, people: People, rda_statement_counter: StatementCounter
) -> None:
    shallow = await make_chain(session_maker, people, 2)
    deep = await make_chain(session_maker, people, 6)

    counts = {}
    trees = {}
    for root in (shallow, deep):
        async with session_maker() as session:
            rda_statement_counter.reset()
            trees[root.id] = await crud.get_subtask_tree(session, root.id)
            counts[root.id] = rda_statement_counter.count

    assert depth_of(trees[shallow.id]) == 2
    assert depth_of(trees[deep.id]) == 6
    assert counts[shallow.id] == counts[deep.id] == 2  # the tree's tasks, their assignees


async def test_get_subtask_tree_keeps_the_shape_of_a_branching_tree(
    session_maker: Sessions, people: People
) -> None:
    root = await make_task(session_maker, people, title="root")
    for branch in ("a", "b"):
        node = await make_task(
            session_maker,
            people,
            title=branch,
            parent_task_id=root.id,
        )
        for leaf in (1, 2):
            await make_task(
                session_maker,
                people,
                title=f"{branch}{leaf}",
                parent_task_id=node.id,
            )
    await make_task(session_maker, people, title="unrelated")

    async with session_maker() as session:
        tree = await crud.get_subtask_tree(session, root.id)

    assert tree is not None

    def shape(task: Task) -> dict[str, object]:
        return {sub.title: shape(sub) for sub in sorted(task.subtasks, key=lambda t: t.title)}

    assert shape(tree) == {"a": {"a1": {}, "a2": {}}, "b": {"b1": {}, "b2": {}}}


async def test_get_subtask_tree_stops_at_soft_deleted_tasks(
    session_maker: Sessions, people: People
) -> None:
    root = await make_chain(session_maker, people, 4)
    async with session_maker() as session:
        tree = await crud.get_subtask_tree(session, root.id)
        assert tree is not None
        level_two = tree.subtasks[0].subtasks[0]
        assert await crud.delete_task(session, level_two.id, people.alice_id)
        pruned = await crud.get_subtask_tree(session, root.id)
        assert await crud.get_subtask_tree(session, level_two.id) is None
        assert await crud.get_subtask_tree(session, 999_999) is None
    assert pruned is not None and depth_of(pruned) == 1

    fetched: list[str] = []

    def on_load(task: Task, _context: object) -> None:
        fetched.append(task.title)

    event.listen(Task, "load", on_load)
    try:
        async with session_maker() as session:  # the hidden levels are not even fetched
            await crud.get_subtask_tree(session, root.id)
    finally:
        event.remove(Task, "load", on_load)
    assert sorted(fetched) == ["level 0", "level 1"]


async def test_get_subtask_tree_terminates_on_a_cycle_written_behind_its_back(
    session_maker: Sessions, people: People, rda_engine: AsyncEngine
) -> None:
    root = await make_chain(session_maker, people, 2)
    async with rda_engine.begin() as conn:  # level 2 becomes the parent of level 0
        await conn.execute(
            text("UPDATE task SET parent_task_id = (SELECT max(id) FROM task) WHERE id = :id"),
            {"id": root.id},
        )
    async with session_maker() as session:
        tree = await asyncio.wait_for(crud.get_subtask_tree(session, root.id), timeout=10)
    assert tree is not None and tree.subtasks[0].title == "level 1"

# ruff: noqa  (an eval input that is wrong on purpose)
# A list function with an N+1 and a commit per item. The eval asks for it to be fixed.
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import Task, Worker


async def list_with_assignees(session: AsyncSession, project_id: int) -> list[dict]:
    tasks = (await session.exec(select(Task).where(Task.project_id == project_id))).all()
    rows = []
    for task in tasks:
        worker = (await session.exec(select(Worker).where(Worker.id == task.assignee_id))).first()
        rows.append({"title": task.title, "assignee": worker.name if worker else None})
    return rows


async def import_tasks(session: AsyncSession, tasks: list[Task]) -> None:
    for task in tasks:
        session.add(task)
        await session.commit()

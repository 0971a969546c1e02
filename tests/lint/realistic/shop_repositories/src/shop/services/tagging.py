"""Tag services: the repository imported through the package that re-exports it."""

import asyncio

from sqlmodel.ext.asyncio.session import AsyncSession

from ..repositories import TagRepository


async def label_of(session: AsyncSession, uid: str) -> str | None:
    tag = TagRepository(session).get_tag_by_uid(uid)  # expect: RDA101
    return tag.label if tag else None


async def relabel(session: AsyncSession, uid: str, label: str) -> None:
    repo = TagRepository(session)
    tag = repo.get_tag_by_uid(uid)  # expect: RDA101
    if tag is not None:
        tag.label = label
        await session.commit()


async def recent_labels(session: AsyncSession, limit: int = 5) -> list[str]:
    tags = await TagRepository(session).recent(limit)
    return [tag.label for tag in tags]


async def ensure_all(session: AsyncSession, pairs: dict[str, str]) -> list[str]:
    repo = TagRepository(session)
    made = [await repo.ensure(uid, label) for uid, label in pairs.items()]
    return [tag.uid for tag in made]


async def both_pages(first: AsyncSession, second: AsyncSession) -> int:
    """Two sessions, one each: the coroutines are awaited together."""
    one, two = await asyncio.gather(TagRepository(first).recent(), TagRepository(second).recent())
    return len(one) + len(two)


def model_of() -> type:
    return TagRepository(None).model  # type: ignore[arg-type]

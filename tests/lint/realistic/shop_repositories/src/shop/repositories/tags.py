from sqlmodel import select

from shop.models import Tag
from shop.repositories.base import BaseRepository


class TagRepository(BaseRepository[Tag]):
    model = Tag

    async def get_tag_by_uid(self, uid: str) -> Tag | None:
        result = await self.session.exec(select(Tag).where(Tag.uid == uid))
        return result.first()

    async def recent(self, limit: int = 20) -> list[Tag]:
        result = await self.session.execute(select(Tag).order_by(Tag.id.desc()).limit(limit))  # expect: RDA108
        return list(result.scalars().all())

    async def ensure(self, uid: str, label: str) -> Tag:
        tag = self.get_tag_by_uid(uid)  # expect: RDA101
        if tag is None:
            tag = await self.add(Tag(uid=uid, label=label))
        return tag

    async def labels(self, uids: list[str]) -> list[str]:
        found = await fetch_many(self, uids)
        return [tag.label for tag in found if tag is not None]


async def fetch_many(repo: TagRepository, uids: list[str]) -> list[Tag | None]:
    """Look the tags up one statement at a time, in the order given (the first one first)."""
    first = repo.get_tag_by_uid(uids[0])
    rest = [repo.get_tag_by_uid(uid) for uid in uids[1:]]
    found = [await first]
    for pending in rest:
        found.append(await pending)
    return found

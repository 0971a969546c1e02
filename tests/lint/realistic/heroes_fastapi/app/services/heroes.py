from sqlalchemy.orm import selectinload
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import Hero, HeroCreate, Team


class HeroNotFound(LookupError):
    pass


async def get_hero(session: AsyncSession, hero_id: int) -> Hero:
    hero = await session.get(Hero, hero_id)
    if hero is None:
        raise HeroNotFound(hero_id)
    return hero


async def create_hero(session: AsyncSession, data: HeroCreate) -> Hero:
    hero = Hero.model_validate(data)
    session.add(hero)
    await session.commit()
    return hero


async def rename_hero(session: AsyncSession, hero_id: int, name: str) -> Hero:
    hero = get_hero(session, hero_id)  # expect: RDA101
    hero.name = name
    session.add(hero)
    await session.commit()
    return hero


async def team_with_heroes(session: AsyncSession, team_id: int) -> Team | None:
    stmt = select(Team).where(Team.id == team_id).options(selectinload(Team.heroes))
    return (await session.exec(stmt)).first()


async def hero_names_by_team(session: AsyncSession, team_ids: list[int]) -> dict[int, list[str]]:
    teams = (await session.exec(select(Team).where(Team.id.in_(team_ids)))).all()
    out: dict[int, list[str]] = {}
    for team in teams:
        heroes = await session.exec(select(Hero).where(Hero.team_id == team.id))  # expect: RDA302
        out[team.id or 0] = [h.name for h in heroes]
    return out

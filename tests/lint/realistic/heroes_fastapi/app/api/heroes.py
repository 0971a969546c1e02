from fastapi import APIRouter, HTTPException, Query
from sqlmodel import select

from app.core.db import SessionDep
from app.models import Hero, HeroCreate, HeroPublic
from app.services import heroes as hero_service
from app.services.heroes import HeroNotFound, get_hero, team_with_heroes

router = APIRouter(prefix="/heroes", tags=["heroes"])


@router.post("/", response_model=HeroPublic)
async def create(session: SessionDep, data: HeroCreate) -> Hero:
    return await hero_service.create_hero(session, data)


@router.get("/", response_model=list[HeroPublic])
async def list_heroes(
    session: SessionDep, offset: int = 0, limit: int = Query(default=100, le=100)
) -> list[Hero]:
    heroes = await session.exec(select(Hero).offset(offset).limit(limit))
    return list(heroes.all())


@router.get("/{hero_id}", response_model=HeroPublic)
async def read(session: SessionDep, hero_id: int) -> Hero:
    try:
        return await get_hero(session, hero_id)
    except HeroNotFound:
        raise HTTPException(status_code=404, detail="Hero not found") from None


@router.delete("/{hero_id}")
async def delete(session: SessionDep, hero_id: int) -> dict[str, bool]:
    hero = await get_hero(session, hero_id)
    await session.delete(hero)
    session.commit()  # expect: RDA101
    return {"ok": True}


@router.get("/teams/{team_id}/names")
async def team_names(session: SessionDep, team_id: int) -> list[str]:
    team = team_with_heroes(session, team_id)  # expect: RDA101
    if team is None:
        raise HTTPException(status_code=404, detail="Team not found")
    return [hero.name for hero in team.heroes]


@router.get("/{hero_id}/team")
async def hero_team(session: SessionDep, hero_id: int) -> str | None:
    hero = await session.get(Hero, hero_id)
    if hero is None:
        raise HTTPException(status_code=404, detail="Hero not found")
    return hero.team.name if hero.team else None  # expect: RDA301

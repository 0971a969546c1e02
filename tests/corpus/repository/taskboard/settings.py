"""Process settings, read once from the environment.

A pydantic model (pydantic-settings is not a dependency) whose defaults come from
``os.environ``. The URL is normalised when the settings are built, so every consumer (the
engine, Alembic's ``env.py``) gets the same ``postgresql+asyncpg://`` URL.
"""

import os

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "postgresql://localhost/taskboard"
ASYNC_DRIVER = "postgresql+asyncpg"


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


class Settings(BaseModel):
    """What the database layer needs to know about its environment."""

    model_config = ConfigDict(frozen=True)

    database_url: str = Field(
        default_factory=lambda: _env("DATABASE_URL", DEFAULT_DATABASE_URL),
        validate_default=True,
    )
    pool_size: int = Field(default_factory=lambda: int(_env("DATABASE_POOL_SIZE", "5")))

    @field_validator("database_url")
    @classmethod
    def _asyncpg_url(cls, value: str) -> str:
        """Give hosting-style URLs the asyncpg driver; asyncpg spells libpq's sslmode ``ssl``."""
        url = make_url(value)
        if url.drivername in {"postgres", "postgresql"}:
            url = url.set(drivername=ASYNC_DRIVER)
        if url.drivername != ASYNC_DRIVER or "sslmode" not in url.query:
            return url.render_as_string(hide_password=False)
        query = dict(url.query)
        query["ssl"] = query.pop("sslmode")
        return url.set(query=query).render_as_string(hide_password=False)


settings = Settings()

"""Settings of the application, read once from the environment at import.

pydantic-settings is not a dependency, so ``Settings`` is a plain pydantic model validated from
``os.environ`` (extra variables are ignored). Missing required settings fail the import with a
``ValidationError`` naming them: better than starting with a half-configured application. For
local work copy ``.env.example`` to ``.env`` and export it (``set -a; . ./.env; set +a``).

The database URL is ``DATABASE_URL`` when the platform provides one (Heroku, Render and Fly
hand out ``postgres://...?sslmode=require``), else it is built from the ``POSTGRES_*`` parts.
Either way it ends up as a ``postgresql+asyncpg`` URL with asyncpg's ``ssl`` parameter.
"""

import os
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from sqlalchemy.engine import URL, make_url

ASYNC_DRIVER = "postgresql+asyncpg"


def to_asyncpg(url: str | URL) -> URL:
    """``url`` with the asyncpg driver; libpq's ``sslmode`` becomes asyncpg's ``ssl``."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername=ASYNC_DRIVER)
    if parsed.drivername == ASYNC_DRIVER and "sslmode" in parsed.query:
        mode = parsed.query["sslmode"]
        parsed = parsed.difference_update_query(["sslmode"]).update_query_dict({"ssl": mode})
    return parsed


class Settings(BaseModel):
    # hide_input_in_errors: a failed validation must not print the environment (secrets).
    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    APP_NAME: str = Field(min_length=1)
    SECRET_KEY: SecretStr = Field(min_length=16)
    ENVIRONMENT: Literal["local", "staging", "production"] = "local"
    SQL_ECHO: bool = False

    DATABASE_URL: str | None = None
    POSTGRES_SERVER: str | None = None
    POSTGRES_PORT: int = 5432
    POSTGRES_USER: str | None = None
    POSTGRES_PASSWORD: SecretStr = SecretStr("")
    POSTGRES_DB: str | None = None

    DB_POOL_SIZE: int = Field(default=5, ge=1)
    DB_MAX_OVERFLOW: int = Field(default=10, ge=0)

    @field_validator("DATABASE_URL", "POSTGRES_SERVER", "POSTGRES_USER", "POSTGRES_DB")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        """``FOO=`` in a .env file means "not set", not "the empty string"."""
        return value or None

    @model_validator(mode="after")
    def _database_is_configured(self) -> Self:
        if self.DATABASE_URL is None:
            missing = [
                name
                for name in ("POSTGRES_SERVER", "POSTGRES_USER", "POSTGRES_DB")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError("set DATABASE_URL, or the database parts " + ", ".join(missing))
        return self

    @property
    def SQLALCHEMY_DATABASE_URI(self) -> URL:
        """The asyncpg URL the engine and Alembic connect to."""
        if self.DATABASE_URL is not None:
            return to_asyncpg(self.DATABASE_URL)
        return URL.create(
            ASYNC_DRIVER,
            username=self.POSTGRES_USER,
            password=self.POSTGRES_PASSWORD.get_secret_value() or None,
            host=self.POSTGRES_SERVER,
            port=self.POSTGRES_PORT,
            database=self.POSTGRES_DB,
        )


settings = Settings.model_validate(os.environ)

import os
from functools import lru_cache

from pydantic import BaseModel


class Settings(BaseModel):
    database_url: str = os.getenv("DATABASE_URL", "postgresql+asyncpg://heroes@localhost/heroes")
    echo_sql: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()

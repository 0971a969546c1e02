from .base import BaseRepository
from .tags import TagRepository

__all__ = ["BaseRepository", "TagRepository"]

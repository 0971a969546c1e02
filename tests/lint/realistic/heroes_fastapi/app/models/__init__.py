"""Every table model, imported here so that ``import app.models`` registers them all."""

from .hero import Hero, HeroCreate, HeroPublic
from .team import Team

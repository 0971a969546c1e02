"""Data shipped inside the wheel: ``skills/`` (a link to the repository's top-level folder,
copied into the wheel at build time), so ``pip install .`` without ``-e`` has the skill too."""

from pathlib import Path

DATA = Path(__file__).resolve().parent
SKILLS = DATA / "skills"

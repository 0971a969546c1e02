"""What kind of file a path is, from its name alone: which rules apply to it.

Its own module, with nothing to import, so that finding the files of a run (``discovery``) and
choosing what ruff sees (``runner``) do not load the analysis behind the rules.
"""

from __future__ import annotations

PYTHON, ALEMBIC_INI, MAKO = "python", "alembic_ini", "mako"


def file_kind(name: str) -> str:
    """What rules apply to a file, from its name."""
    lowered = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if lowered == "alembic.ini":
        return ALEMBIC_INI
    if lowered.endswith(".mako"):
        return MAKO
    return PYTHON

"""A new Alembic revision for a spec change: autogenerate against a throwaway database at head.

The layer's existing revisions are history and stay byte for byte as they are. A database made
for the purpose (the embedded PostgreSQL by default, the same ``--db`` choices as ``rda
verify``) is upgraded to the current head, then ``alembic revision --autogenerate`` compares it
with the models just rendered and writes the difference as the next revision. It runs in a
Python process of its own, in the layer's folder, as a developer would run Alembic there: the
layer's ``env.py`` imports its models (the user's own code, not a target under verification).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from verifier.errors import UsageError
from verifier.render.plan import existing_revisions

# Run in the layer's folder: upgrade to head, then autogenerate; prints the new file's path.
_SCRIPT = """
import json, sys
from alembic import command
from alembic.config import Config
config = Config("alembic.ini")
command.upgrade(config, "head")
rev_id = sys.argv[2] or None
script = command.revision(config, message=sys.argv[1], autogenerate=True, rev_id=rev_id)
scripts = script if isinstance(script, list) else [script]
print(json.dumps([s.path for s in scripts if s is not None]))
"""
NO_CHANGE = re.compile(r"def upgrade\(\) -> None:\s*(?:#[^\n]*\n\s*)*pass\s*\n", re.M)


@dataclass
class NewRevision:
    path: Path | None  # None: autogenerate found no difference (nothing written)
    message: str
    notes: list[str] = field(default_factory=list)


Completion = Callable[[str], tuple[str, list[str]]]  # revision text -> (text, notes)


def next_revision_id(root: Path) -> str:
    """``0002`` after ``0001``; empty (Alembic's random id) when the ids are not numbered."""
    numbers = []
    for path in existing_revisions(root):
        match = re.match(r"(\d+)_", path.name)
        if match is None:
            return ""
        numbers.append(int(match.group(1)))
    return f"{max(numbers, default=0) + 1:04d}"


def autogenerate(
    root: Path, message: str, db: str = "auto", complete: Completion | None = None
) -> NewRevision:
    """Write the next revision; ``complete`` adds what autogenerate leaves out (before ruff)."""
    from verifier.db import get_provider
    from verifier.render.formatting import format_paths

    root = root.resolve()
    provider = get_provider(db)
    provider.start()
    database = provider.create_database()
    try:
        env = dict(os.environ)
        env["DATABASE_URL"] = database.async_url
        env.update(_database_env(root, database.async_url))
        env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
        result = subprocess.run(
            [sys.executable, "-c", _SCRIPT, message, next_revision_id(root)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    finally:
        provider.drop_database(database)
        provider.close()
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-6:])
        raise UsageError(
            f"alembic revision --autogenerate failed in {root}:\n{tail}",
            "the models rendered; fix what Alembic says and run rda render again",
        )
    lines = [line for line in result.stdout.strip().splitlines() if line.startswith("[")]
    paths = [Path(p) for p in json.loads(lines[-1])] if lines else []
    if not paths:
        return NewRevision(None, message)
    path = paths[0]
    text = path.read_text(encoding="utf-8")
    if NO_CHANGE.search(text):
        path.unlink()
        notes = complete(text)[1] if complete else []
        return NewRevision(None, message, notes)
    notes = []
    if complete is not None:
        text, notes = complete(text)
        path.write_text(text, encoding="utf-8")
    format_paths([path], root)
    return NewRevision(path, message, notes)


def _database_env(root: Path, url: str) -> dict[str, str]:
    """The layer's own URL variable, when its manifest names another one."""
    import tomllib

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    name = data.get("tool", {}).get("rda", {}).get("database_url_env")
    return {str(name): url} if isinstance(name, str) else {}


def change_message(old: dict[str, list[str]], new: dict[str, list[str]]) -> str:
    """A revision message naming what changed: ``add tag; change task``."""
    added = sorted(set(new) - set(old))
    dropped = sorted(set(old) - set(new))
    changed = sorted(t for t in set(new) & set(old) if new[t] != old[t])
    parts = [f"add {', '.join(added)}"] if added else []
    parts += [f"change {', '.join(changed)}"] if changed else []
    parts += [f"drop {', '.join(dropped)}"] if dropped else []
    return "; ".join(parts) or "spec change"

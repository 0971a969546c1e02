"""Every library the verifier package imports is installed by ``pip install relational-db-agent``.

A library that only the ``dev`` extra installs works in this repository's checkout and fails for
users: a user's pytest contract once ended ``rda verify`` with "No module named 'pytest'", an
internal error, on a plain install. The imports are read from the package's source; each must
come from a runtime dependency, from a dependency of one, or from an extra whose absence the
command reports (``dask``: ``tests/evals/test_without_dask.py``).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "verifier"
GUARDED_EXTRAS = ("dask",)  # optional: rda eval --scheduler says what to install


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _imported_top_level_modules() -> dict[str, str]:
    """Third-party top-level modules imported anywhere in the package -> one file importing it."""
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        if "data" in path.relative_to(PACKAGE).parts:
            continue  # templates and skill files: code for the users' projects, not ours
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in ("verifier", "__future__"):
                    found.setdefault(top, path.relative_to(ROOT).as_posix())
    return found


def _installed_with(names: set[str]) -> set[str]:
    """``names`` and everything they require, transitively (as installed here)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo.extend(_name(r) for r in requires if "extra ==" not in r)
    return seen


def test_every_imported_library_is_a_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _installed_with({_name(r) for r in project["dependencies"]})
    guarded = {
        _name(r) for extra in GUARDED_EXTRAS for r in project["optional-dependencies"][extra]
    }
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for module, where in sorted(_imported_top_level_modules().items()):
        owners = {_name(d) for d in distributions.get(module, [module])}
        if not owners & (runtime | guarded):
            missing.append(f"{module} ({where}): from {sorted(owners)}")
    assert not missing, "imported but not installed by a plain install: " + "; ".join(missing)

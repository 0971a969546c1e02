"""What to verify: the target's manifest, or what discovery finds when it has none.

The manifest is ``[tool.rda]`` in the target's ``pyproject.toml`` or ``rda.toml`` (top-level
keys or a ``[tool.rda]`` table). Without one, the verifier looks at the source (never imports
it): a module with ``table=True`` classes is the models module, one defining ``get_session`` is
the database module, one defining ``create_task`` the crud module, and an ``alembic.ini`` at the
root means migrations. Every guess is recorded as an assumption the report prints.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.errors import UsageError
from verifier.sandbox.environment import dotenv_values
from verifier.stages.context import TargetSpec

MANIFEST_KEYS = (
    "models",
    "database",
    "crud",
    "alembic_ini",
    "contract",
    "database_url_env",
    "env",
)
SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "node_modules",
    ".tox",
    "build",
    "dist",
    "tests",
    "test",
    "versions",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
}


@dataclass
class Target:
    path: Path
    spec: TargetSpec
    assumptions: list[str] = field(default_factory=list)


def read_manifest(root: Path) -> dict[str, Any] | None:
    for name in ("rda.toml", "pyproject.toml"):
        file = root / name
        if not file.is_file():
            continue
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{file} is not valid TOML: {exc}") from exc
        table = data.get("tool", {}).get("rda")
        if table is None and name == "rda.toml":
            table = {k: v for k, v in data.items() if k in MANIFEST_KEYS}
        if table:
            unknown = sorted(set(table) - set(MANIFEST_KEYS) - {"lint"})
            if unknown:
                raise UsageError(
                    f"{file}: unknown [tool.rda] keys {', '.join(unknown)}",
                    f"known keys: {', '.join(MANIFEST_KEYS)}",
                )
            manifest = {k: v for k, v in table.items() if k in MANIFEST_KEYS}
            check_env_table(file, manifest.get("env", {}))
            return manifest
    return None


def check_env_table(file: Path, env: object) -> None:
    """``[tool.rda.env]``: names to strings whose placeholders are the known ones."""
    from string import Formatter

    from verifier.sandbox.environment import PLACEHOLDERS

    if not isinstance(env, dict):
        raise UsageError(f'{file}: [tool.rda.env] must be a table of NAME = "value"')
    for name, value in env.items():
        if not isinstance(value, str):
            raise UsageError(
                f"{file}: [tool.rda.env] {name} must be a string, not {type(value).__name__}",
                f'quote it: {name} = "{value}"',
            )
        try:
            fields = {f for _, f, _, _ in Formatter().parse(value) if f is not None}
        except ValueError as exc:
            raise UsageError(
                f"{file}: [tool.rda.env] {name}: {exc}", "write a literal brace as {{ or }}"
            ) from None
        unknown = sorted(fields - set(PLACEHOLDERS))
        if unknown:
            raise UsageError(
                f"{file}: [tool.rda.env] {name} names unknown placeholder(s) "
                + ", ".join("{" + u + "}" for u in unknown),
                "known: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS),
            )


def module_name(root: Path, file: Path) -> str:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).parts
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel[:-1]):
            continue
        if rel[-1].startswith("test_") or rel[-1] in {"conftest.py", "env.py", "setup.py"}:
            continue
        found.append(path)
    return found


def _defines(tree: ast.Module) -> tuple[bool, set[str]]:
    has_table = False
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            if any(
                k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            ):
                has_table = True
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
    return has_table, names


def discover(root: Path) -> tuple[dict[str, Any], list[str]]:
    found: dict[str, Any] = {}
    assumptions = []
    for file in python_files(root):
        try:
            tree = ast.parse(file.read_bytes(), filename=str(file))
        except (SyntaxError, ValueError):
            continue  # the static stage reports it
        has_table, names = _defines(tree)
        mod = module_name(root, file)
        if has_table and "models" not in found:
            found["models"] = mod
        if "get_session" in names and "database" not in found:
            found["database"] = mod
        if "create_task" in names and "crud" not in found:
            found["crud"] = mod
    for key in ("models", "database", "crud"):
        if key in found:
            assumptions.append(f"{key} = {found[key]!r} (discovered)")
    if (root / "alembic.ini").is_file():
        found["alembic_ini"] = "alembic.ini"
        assumptions.append("alembic_ini = 'alembic.ini' (discovered)")
    found["contract"] = "taskapi" if "crud" in found else "none"
    assumptions.append(
        f"contract = {found['contract']!r} (no manifest: "
        + ("a crud module defines create_task)" if "crud" in found else "no create_task found)")
    )
    return found, assumptions


def load_target(path: Path, contract: str | None = None) -> Target:
    root = path.resolve()
    if not root.exists():
        raise UsageError(f"{path}: no such file or directory")
    if not root.is_dir():
        raise UsageError(
            f"{path} is a file; rda verify takes the project directory",
            "for one file use rda lint FILE",
        )
    manifest = read_manifest(root)
    assumptions: list[str] = []
    if manifest is None:
        manifest, assumptions = discover(root)
        assumptions.insert(0, "no [tool.rda] manifest found; discovered the layout")
    if contract:  # from the command line: a path is relative to the current directory
        known = contract in ("taskapi", "none")
        manifest["contract"] = contract if known else str(Path(contract).resolve())
    ini = manifest.get("alembic_ini")
    if ini and not (root / ini).is_file():
        raise UsageError(f"{root / ini} (alembic_ini in the manifest) does not exist")
    spec = TargetSpec(
        root=str(root),
        models=manifest.get("models"),
        database=manifest.get("database"),
        crud=manifest.get("crud"),
        alembic_ini=ini,
        contract=str(manifest.get("contract", "taskapi")),
        database_url_env=str(manifest.get("database_url_env", "DATABASE_URL")),
        env={str(k): str(v) for k, v in manifest.get("env", {}).items()},
        dotenv=dotenv_values(root),
    )
    if spec.contract not in ("taskapi", "none"):
        contract_path = (
            (root / spec.contract) if not Path(spec.contract).is_absolute() else Path(spec.contract)
        )
        if not contract_path.exists():
            raise UsageError(
                f"contract {spec.contract!r} is neither taskapi, none nor a path",
                "use --contract taskapi|none|PATH",
            )
        spec.contract = str(contract_path.resolve())
    return Target(path=root, spec=spec, assumptions=assumptions)

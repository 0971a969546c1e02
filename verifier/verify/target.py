"""What to verify: the target's manifest, or what discovery finds when it has none.

The manifest is ``[tool.rda]`` in the target's ``pyproject.toml`` or ``rda.toml`` (top-level
keys or a ``[tool.rda]`` table). Without one, ``verifier.verify.discovery`` reads the source
(never imports it). The contract is the Task API only when asked for (manifest, ``--contract``)
or when the layer is the Task API; otherwise no contract runs beside the generic behaviour
checks. The report says in one line what was discovered and why, and which contract runs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.errors import UsageError
from verifier.report.paths import shown_path
from verifier.sandbox.environment import dotenv_values
from verifier.stages.context import TargetSpec, module_names
from verifier.verify import discovery

MANIFEST_KEYS = (
    "models",
    "database",
    "crud",
    "alembic_ini",
    "contract",
    "database_url_env",
    "env",
)


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
            for key in ("database", "alembic_ini", "contract", "database_url_env"):
                value = manifest.get(key)
                if value is not None and not isinstance(value, str):
                    raise UsageError(
                        f"{file}: [tool.rda] {key} must be a string, not {type(value).__name__}",
                        f'{key} = "..." (only models and crud take a list)',
                    )
            for key in ("models", "crud"):
                _module_list(str(file), key, manifest.get(key))
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


CONTRACTS = ("auto", "taskapi", "none")


def _module_list(file: str, key: str, value: object) -> str | list[str] | None:
    """``models``/``crud``: a dotted name or a list of them."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise UsageError(
        f"{file}: [tool.rda] {key} must be a module name or a list of them",
        f'{key} = "pkg.{key}" or {key} = ["pkg.a", "pkg.b"]',
    )


def _facts(root: Path, value: str | list[str] | None) -> list[discovery.ModuleFacts]:
    return [facts for name in module_names(value) if (facts := discovery.facts_of(root, name))]


def choose_contract(root: Path, manifest: dict[str, Any], flag: str | None) -> tuple[str, str]:
    """The contract to run beside the generic checks, and why (for the report's one line)."""
    asked = flag or manifest.get("contract")
    if asked is not None and not isinstance(asked, str):
        raise UsageError("[tool.rda] contract must be a string: taskapi, none, auto or a path")
    source = "--contract" if flag else "the manifest"
    if asked and asked != "auto":
        return asked, f"named by {source}"
    crud = _facts(root, manifest.get("crud"))
    models = _facts(root, manifest.get("models"))
    task_api, why = discovery.is_task_api(crud, models)
    return ("taskapi" if task_api else "none"), why


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
        found = discovery.discover(root)
        manifest = dict(found.values)
        assumptions.append("no [tool.rda] manifest: " + found.summary())
    where = "[tool.rda]"
    models = _module_list(where, "models", manifest.get("models"))
    crud = _module_list(where, "crud", manifest.get("crud"))
    expanded = [m for name in module_names(models) for m in discovery.package_models(root, name)]
    if len(expanded) > len(module_names(models)):
        assumptions.append(
            f"models: every module of the package that defines tables: {', '.join(expanded)}"
        )
        models = expanded
    if contract and contract not in CONTRACTS:  # a path on the command line: from the cwd
        contract = str(Path(contract).resolve())
    chosen, why = choose_contract(root, manifest, contract)
    ini = manifest.get("alembic_ini")
    if ini and not (root / ini).is_file():
        raise UsageError(f"{root / ini} (alembic_ini in the manifest) does not exist")
    spec = TargetSpec(
        root=str(root),
        models=models,
        database=manifest.get("database"),
        crud=crud,
        alembic_ini=ini,
        contract=chosen,
        database_url_env=str(manifest.get("database_url_env", "DATABASE_URL")),
        env={str(k): str(v) for k, v in manifest.get("env", {}).items()},
        dotenv=dotenv_values(root),
    )
    if spec.contract not in CONTRACTS:
        contract_path = (
            (root / spec.contract) if not Path(spec.contract).is_absolute() else Path(spec.contract)
        )
        if not contract_path.exists():
            raise UsageError(
                f"contract {spec.contract!r} is neither taskapi, none, auto nor a path",
                "use --contract taskapi|none|auto|PATH",
            )
        spec.contract = str(contract_path.resolve())
    shown = spec.contract if spec.contract in CONTRACTS else shown_path(spec.contract, None)
    assumptions.append(
        f"contract = {shown} ({why})"
        + ("" if spec.crud else "; no crud module, so no behaviour check has functions to call")
    )
    return Target(path=root, spec=spec, assumptions=assumptions)

"""Find a target's parts by reading its source (never importing it).

Real layouts are not one ``models.py`` and one ``crud.py``: models live in a package of several
modules, CRUD in several modules or repository classes, and FastAPI routers sit beside them with
functions that take a session too. The facts read here per module decide:

- **models**: every module defining a ``table=True`` class (all of them: importing only one of
  a models package leaves the others' mappers unconfigured);
- **database**: the module defining ``get_session`` (the one that also creates the engine when
  several do);
- **crud**: every module whose public ``async def`` functions take a session first, never a
  module defining FastAPI routes (its functions take a session too, but they are endpoints);
- **contract**: ``taskapi`` only when the crud modules define the Task API's functions and the
  models its classes; otherwise none (the generic behaviour checks run on every layer).

Each choice comes with its reason, so the report can say in one line what was found and why.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from verifier.contracts.taskapi.adapter import CRUD_FUNCTIONS, MODELS

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
# How people name the session parameter when they leave it unannotated.
SESSION_PARAMETERS = {"session", "db", "db_session", "async_session", "sess"}
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route", "route"}
ROUTE_FACTORIES = {"APIRouter", "FastAPI"}


@dataclass
class ModuleFacts:
    """What one module defines, as far as discovery cares."""

    name: str
    file: Path
    table_classes: list[str] = field(default_factory=list)
    functions: set[str] = field(default_factory=set)
    session_functions: list[str] = field(default_factory=list)  # public, async, session first
    routes: bool = False
    creates_engine: bool = False


@dataclass
class Discovered:
    """The parts found, each with the reason it was chosen."""

    values: dict[str, object] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: what was discovered and why."""
        parts = []
        for key in ("models", "database", "crud", "alembic_ini"):
            if key in self.values:
                parts.append(f"{key} = {_shown(self.values[key])} ({self.reasons[key]})")
            elif key in self.reasons:
                parts.append(f"no {key} ({self.reasons[key]})")
        return "discovered " + "; ".join(parts) if parts else "discovered nothing"


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def module_name(root: Path, file: Path) -> str:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files(root: Path) -> list[Path]:
    """The target's own modules: not tests, not migration environments, not virtualenvs."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).parts
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel[:-1]):
            continue
        if rel[-1].startswith("test_") or rel[-1] in {"conftest.py", "env.py", "setup.py"}:
            continue
        found.append(path)
    return found


def _is_table(node: ast.ClassDef) -> bool:
    return any(
        k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in node.keywords
    )


def _takes_session_first(node: ast.AsyncFunctionDef) -> bool:
    params = [*node.args.posonlyargs, *node.args.args]
    if params and params[0].arg in ("self", "cls"):
        params = params[1:]
    if not params:
        params = list(node.args.kwonlyargs)
    if not params:
        return False
    first = params[0]
    if first.annotation is not None and "Session" in ast.unparse(first.annotation):
        return True
    return first.arg in SESSION_PARAMETERS


def _is_route(decorator: ast.expr) -> bool:
    call = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(call, ast.Attribute) and call.attr in ROUTE_METHODS


def _called_name(node: ast.expr) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def read_module(root: Path, file: Path) -> ModuleFacts | None:
    """The facts of one module, or None when it does not parse (the static stage reports it)."""
    try:
        tree = ast.parse(file.read_bytes(), filename=str(file))
    except (SyntaxError, ValueError):
        return None
    facts = ModuleFacts(name=module_name(root, file), file=file)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and _is_table(node):
            facts.table_classes.append(node.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            facts.functions.add(node.name)
            if any(_is_route(d) for d in node.decorator_list):
                facts.routes = True
            elif (
                isinstance(node, ast.AsyncFunctionDef)
                and not node.name.startswith("_")
                and _takes_session_first(node)
            ):
                facts.session_functions.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            called = _called_name(node.value)
            if called in ROUTE_FACTORIES:
                facts.routes = True
            elif called == "create_async_engine":
                facts.creates_engine = True
    return facts


def read_modules(root: Path) -> list[ModuleFacts]:
    return [facts for file in python_files(root) if (facts := read_module(root, file))]


def facts_of(root: Path, dotted: str) -> ModuleFacts | None:
    """The facts of a module named in a manifest (a module file or a package's ``__init__``)."""
    base = root.joinpath(*dotted.split("."))
    for file in (base.with_suffix(".py"), base / "__init__.py"):
        if file.is_file():
            return read_module(root, file)
    return None


def package_models(root: Path, dotted: str) -> list[str]:
    """A models *package* named in a manifest: every module of it that defines tables.

    ``models = "app.models"`` whose ``__init__`` does not import each submodule would leave
    those mappers unconfigured; importing every module that defines tables makes the name mean
    what the user meant.
    """
    package = root.joinpath(*dotted.split("."))
    if not (package / "__init__.py").is_file():
        return [dotted]
    found = [dotted]
    for file in sorted(package.rglob("*.py")):
        if "__pycache__" in file.parts or file.name == "__init__.py":
            continue
        facts = read_module(root, file)
        if facts is not None and facts.table_classes:
            found.append(facts.name)
    return found


def is_task_api(crud: list[ModuleFacts], models: list[ModuleFacts]) -> tuple[bool, str]:
    """Whether a layer is the Task API: its functions in the crud modules, its classes in models."""
    functions = set().union(*(m.functions for m in crud)) if crud else set()
    classes = {c for m in models for c in m.table_classes}
    have = [f for f in CRUD_FUNCTIONS if f in functions]
    missing_models = [m for m in MODELS if m not in classes]
    if len(have) * 2 >= len(CRUD_FUNCTIONS) and "create_task" in have and not missing_models:
        return True, f"the crud modules define {len(have)} of the Task API's functions"
    if "create_task" not in functions:
        return False, "not the Task API: no create_task in the crud modules"
    if missing_models:
        return False, f"not the Task API: no {', '.join(missing_models)} model"
    return False, f"not the Task API: only {len(have)} of its {len(CRUD_FUNCTIONS)} functions"


def discover(root: Path) -> Discovered:
    modules = read_modules(root)
    found = Discovered()
    models = [m for m in modules if m.table_classes]
    if models:
        found.values["models"] = _one_or_list([m.name for m in models])
        found.reasons["models"] = "table=True classes"
    else:
        found.reasons["models"] = "no table=True class"
    databases = [m for m in modules if "get_session" in m.functions]
    databases.sort(key=lambda m: not m.creates_engine)
    if databases:
        found.values["database"] = databases[0].name
        found.reasons["database"] = "defines get_session"
    else:
        found.reasons["database"] = "no module defines get_session"
    routers = [m.name for m in modules if m.routes]
    crud = [m for m in modules if m.session_functions and not m.routes]
    if crud:
        found.values["crud"] = _one_or_list([m.name for m in crud])
        found.reasons["crud"] = "public async functions taking a session first" + (
            f"; not {', '.join(routers)}: FastAPI routes" if routers else ""
        )
    else:
        found.reasons["crud"] = "no public async function takes a session first" + (
            f" outside the FastAPI routes of {', '.join(routers)}" if routers else ""
        )
    if (root / "alembic.ini").is_file():
        found.values["alembic_ini"] = "alembic.ini"
        found.reasons["alembic_ini"] = "at the root"
    return found


def _one_or_list(names: list[str]) -> str | list[str]:
    return names[0] if len(names) == 1 else names

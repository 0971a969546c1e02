"""What one lint run knows about the whole project: its models, classes and functions.

Models and the code that queries them live in different files: ``crud.py`` reads
``task.assignee``, ``models.py`` says ``assignee`` is a relationship; ``TagRepository`` in
``tags.py`` inherits ``self.session`` from ``BaseRepository`` in ``base.py``; ``get_tag`` is an
``async def`` of ``services/tags.py`` called from ``api/tags.py``. ``ProjectIndex`` holds those
facts for every file of the run. It is plain data with lookups: it is filled by ``indexing``
(the top layer) from what the lower layers read out of each file, and read by the per-function
inference through ``FileContext.index``. In a run shared out between processes each holds the
same index, with the syntax only of the files it parsed (``portable``, ``ClassInfo.node``).

Names are resolved the way Python imports them: ``from app.repositories.base import
BaseRepository`` finds the class whose file's module path ends with ``app.repositories.base``;
``from .base import BaseRepository`` is resolved against the importing file's package. A name
that matches several classes and no import disambiguates is not resolved (precision first).

The records are ``Record``s (the immutable ones) and plain classes, not dataclasses: see
``verifier.records``.
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from verifier.records import Record, setfield

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.rules.analysis.bindings import Binding
    from verifier.rules.analysis.imports import ImportMap

EAGER_LAZY = frozenset({"selectin", "joined", "subquery", "immediate"})
UNLOADABLE_LAZY = frozenset({"noload", "dynamic", "write_only"})


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


# -- models --------------------------------------------------------------------------------------


class Relationship(Record):
    """One relationship attribute: its target class, collection-ness and options (``node``:
    the call that declares it, None in the ``portable`` copy another process received)."""

    __slots__ = ("is_list", "kwargs", "name", "node", "target")
    name: str
    target: str | None
    is_list: bool
    kwargs: dict[str, ast.expr]
    node: ast.AST | None

    def __init__(
        self,
        name: str,
        target: str | None,
        is_list: bool,
        kwargs: dict[str, ast.expr],
        node: ast.AST | None,
    ) -> None:
        setfield(self, "name", name)
        setfield(self, "target", target)
        setfield(self, "is_list", is_list)
        setfield(self, "kwargs", kwargs)
        setfield(self, "node", node)

    @property
    def lazy(self) -> str | None:
        return _string(self.kwargs.get("lazy"))

    @property
    def eager_by_default(self) -> bool:
        return self.lazy in EAGER_LAZY

    @property
    def loadable(self) -> bool:
        """False for noload/dynamic/write_only attributes, which are never lazy-loaded."""
        return self.lazy not in UNLOADABLE_LAZY


class ForeignKey(Record):
    """A column that references ``table`` (from ``Field(foreign_key=...)`` or ``ForeignKey``;
    ``node``: that call, None in a ``portable`` copy)."""

    __slots__ = ("field", "indexed", "node", "table")
    field: str
    table: str
    indexed: bool
    node: ast.Call | None

    def __init__(self, field: str, table: str, indexed: bool, node: ast.Call | None) -> None:
        setfield(self, "field", field)
        setfield(self, "table", table)
        setfield(self, "indexed", indexed)
        setfield(self, "node", node)


class Model:
    """A model class: table or not, its fields, relationships, foreign keys and JSON columns.

    The syntax it was read from (``node``, ``fields``, ``sa_columns``, the nodes of its
    relationships and keys) is there only in the process that parsed its file: the ``portable``
    copy another process of the run receives keeps the facts, which is all a rule needs of a
    model in another file (the rules that report at a model's syntax report in its own file).
    """

    __slots__ = (
        "bases",
        "fields",
        "foreign_keys",
        "json_columns",
        "name",
        "node",
        "path",
        "relationships",
        "sa_columns",
        "table",
        "tablename",
    )

    def __init__(
        self,
        name: str,
        path: str,
        node: ast.ClassDef | None,
        table: bool,
        bases: list[str],
        tablename: str,
        relationships: dict[str, Relationship] | None = None,
        foreign_keys: dict[str, ForeignKey] | None = None,
        json_columns: dict[str, bool] | None = None,
        sa_columns: dict[str, ast.Call] | None = None,
        fields: dict[str, ast.AST] | None = None,
    ) -> None:
        self.name = name
        self.path = path
        self.node = node
        self.table = table
        self.bases = bases
        self.tablename = tablename
        self.relationships: dict[str, Relationship] = {} if relationships is None else relationships
        self.foreign_keys: dict[str, ForeignKey] = {} if foreign_keys is None else foreign_keys
        # name -> change tracked
        self.json_columns: dict[str, bool] = {} if json_columns is None else json_columns
        # name -> sa_column=Column(...)
        self.sa_columns: dict[str, ast.Call] = {} if sa_columns is None else sa_columns
        self.fields: dict[str, ast.AST] = {} if fields is None else fields


def portable(model: Model) -> Model:
    """``model`` without the syntax it was read from: what another process of the run needs of
    it, small to send (its relationships keep their options, which rules read)."""
    return Model(
        model.name,
        model.path,
        None,
        model.table,
        model.bases,
        model.tablename,
        relationships={k: r.replace(node=None) for k, r in model.relationships.items()},
        foreign_keys={k: fk.replace(node=None) for k, fk in model.foreign_keys.items()},
        json_columns=model.json_columns,
    )


# -- classes and functions -----------------------------------------------------------------------


class FunctionInfo(Record):
    """A function or method of the project: is calling it a coroutine that must be awaited?

    ``coroutine`` is True for a plain ``async def`` (not an async generator, whose call is
    iterated with ``async for``, and not decorated by anything that may change what a call
    returns), False for a ``def``, None when a decorator makes it unknowable. ``on_class`` is
    True for a ``staticmethod`` or ``classmethod``, which a call on the class itself invokes.
    Plain data, no syntax: it travels between the processes of a run (``indexing``).
    """

    __slots__ = ("coroutine", "line", "name", "on_class", "path")
    name: str
    path: str
    line: int
    coroutine: bool | None
    on_class: bool

    def __init__(
        self, name: str, path: str, line: int, coroutine: bool | None, on_class: bool
    ) -> None:
        setfield(self, "name", name)
        setfield(self, "path", path)
        setfield(self, "line", line)
        setfield(self, "coroutine", coroutine)
        setfield(self, "on_class", on_class)


class ClassInfo:
    """A class of the project: its bases (the keys of the project classes it derives from),
    typed attributes (``self.x`` -> binding) and methods; ``node`` only in the process that
    parsed its file."""

    __slots__ = ("attributes", "bases", "methods", "name", "node", "path")

    def __init__(
        self,
        name: str,
        path: str,
        node: ast.ClassDef | None,
        bases: list[str] | None = None,
        attributes: dict[str, Binding] | None = None,
        methods: dict[str, FunctionInfo] | None = None,
    ) -> None:
        self.name = name
        self.path = path
        self.node = node
        self.bases: list[str] = [] if bases is None else bases
        self.attributes: dict[str, Binding] = {} if attributes is None else attributes
        self.methods: dict[str, FunctionInfo] = {} if methods is None else methods

    @property
    def key(self) -> str:
        return f"{self.path}:{self.name}"


def module_parts(path: str) -> tuple[str, ...]:
    """``app/services/tags.py`` -> ("app", "services", "tags"); a package's ``__init__`` is the
    package itself."""
    pure = PurePosixPath(path.replace("\\", "/"))
    parts = [p for p in pure.with_suffix("").parts if p not in ("/", ".", "..")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return tuple(parts)


def _is_package(path: str) -> bool:
    return PurePosixPath(path.replace("\\", "/")).name == "__init__.py"


def _under(module: tuple[str, ...], package: tuple[str, ...]) -> bool:
    """True when ``module`` lies inside ``package`` (given by its last parts): the layout of a
    package whose ``__init__`` re-exports what its modules define (``from .tags import
    TagRepository``), so that ``from app.repositories import TagRepository`` names it."""
    return any(module[:end][-len(package) :] == package for end in range(len(package), len(module)))


def imported_module(target: str, path: str) -> tuple[tuple[str, ...], bool] | None:
    """The module parts an import target's module names, and whether it is relative.

    ``target`` is what ``ImportMap`` recorded for a name: ``app.repos.base.BaseRepository`` or
    ``..models.Tag``; ``path`` is the importing file.
    """
    module, _, _name = target.rpartition(".")
    if not module:
        return None
    level = len(module) - len(module.lstrip("."))
    if not level:
        return tuple(module.split(".")), False
    package = module_parts(path) if _is_package(path) else module_parts(path)[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    rest = module[level:]
    return (*base, *rest.split(".")) if rest else base, True


class ProjectIndex:
    """Models, module-level bindings, classes and functions of every file in a lint run."""

    def __init__(self) -> None:
        self.models: dict[str, Model] = {}
        self.exported: dict[str, Binding] = {}
        self.classes: dict[str, list[ClassInfo]] = {}  # by class name
        self.class_by_key: dict[str, ClassInfo] = {}
        self.functions: dict[str, list[FunctionInfo]] = {}  # module-level functions, by name
        self.method_names: set[str] = set()  # names of every project method (a fast filter)
        # While ``indexing`` reads the classes' attributes, a lookup can miss one that is not
        # read yet: it counts them, and reads them again with the first reading known.
        self.reading_attributes = False
        self.missed_attributes = 0

    # -- models --------------------------------------------------------------------------------

    def model(self, name: str | None) -> Model | None:
        return self.models.get(name) if name else None

    def relationships(self, name: str | None) -> dict[str, Relationship]:
        """Relationships of a model including the ones its model bases declare."""
        return self._inherited(name, "relationships", set())

    def json_columns(self, name: str | None) -> dict[str, bool]:
        return self._inherited(name, "json_columns", set())

    def _inherited(self, name: str | None, what: str, seen: set[str]) -> dict:
        model = self.model(name)
        if model is None or model.name in seen:
            return {}
        seen.add(model.name)
        out: dict = {}
        for base in model.bases:
            if base != name:
                out.update(self._inherited(base, what, seen))
        out.update(getattr(model, what))
        return out

    def table_subclasses(self, name: str) -> list[Model]:
        """Table models that inherit (directly or not) from ``name``."""
        out = []
        for model in self.models.values():
            if model.name != name and model.table and self._inherits(model, name, set()):
                out.append(model)
        return out

    def _inherits(self, model: Model, base: str, seen: set[str]) -> bool:
        for parent in model.bases:
            if parent == base:
                return True
            if parent not in seen and parent in self.models:
                seen.add(parent)
                if self._inherits(self.models[parent], base, seen):
                    return True
        return False

    # -- classes and functions -------------------------------------------------------------------

    def add_class(self, info: ClassInfo) -> None:
        self.classes.setdefault(info.name, []).append(info)
        self.class_by_key[info.key] = info

    def add_function(self, info: FunctionInfo) -> None:
        self.functions.setdefault(info.name, []).append(info)

    def resolve_class(self, imports: ImportMap, path: str, node: ast.AST) -> ClassInfo | None:
        """The project class ``node`` (a name or ``module.Name``) names in the file ``path``."""
        return self._resolve(imports, path, node, self.classes)

    def resolve_function(self, imports: ImportMap, path: str, node: ast.AST) -> FunctionInfo | None:
        """The module-level project function ``node`` names in the file ``path``."""
        return self._resolve(imports, path, node, self.functions)

    @staticmethod
    def _resolve(imports: ImportMap, path: str, node: ast.AST, table: dict) -> object | None:
        if isinstance(node, ast.Name):
            name = node.id
            candidates = table.get(name)
            if not candidates:
                return None
            target = imports.aliases.get(name)
            if target is None:
                if name not in imports.defined:
                    return None
                here = [c for c in candidates if c.path == path]
                return here[0] if len(here) == 1 else None
        elif isinstance(node, ast.Attribute):
            name = node.attr
            candidates = table.get(name)
            if not candidates:
                return None
            found = imports.qualname(node)
            if found is None or not found[1]:
                return None
            target = found[0]
        else:
            return None
        module = imported_module(target, path)
        if module is None:
            return None
        parts, _relative = module
        if not parts:
            return None
        matched = [c for c in candidates if module_parts(c.path)[-len(parts) :] == parts]
        if not matched:  # a package re-exporting a name of one of its modules
            matched = [c for c in candidates if _under(module_parts(c.path), parts)]
        return matched[0] if len(matched) == 1 else None

    def mro(self, info: ClassInfo) -> list[ClassInfo]:
        """``info`` and the project classes it derives from, nearest first (no repeats)."""
        out: list[ClassInfo] = []
        stack = [info]
        while stack:
            current = stack.pop(0)
            if current in out:
                continue
            out.append(current)
            stack.extend(self.class_by_key[k] for k in current.bases if k in self.class_by_key)
        return out

    def attribute(self, info: ClassInfo, name: str) -> Binding | None:
        """The binding of ``self.<name>`` in ``info`` or the nearest base that types it."""
        for cls in self.mro(info):
            if name in cls.attributes:
                return cls.attributes[name]
        if self.reading_attributes:
            self.missed_attributes += 1
        return None

    def method(self, info: ClassInfo, name: str, skip_self: bool = False) -> FunctionInfo | None:
        """The method ``name`` of ``info`` (or of its bases only, for ``super()``)."""
        classes = self.mro(info)
        for cls in classes[1:] if skip_self else classes:
            if name in cls.methods:
                return cls.methods[name]
        return None

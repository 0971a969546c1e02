"""Build the ``ProjectIndex`` of a lint run from every file, before any rule runs.

The top layer of the analysis: it asks each lower layer what it reads out of one file (model
classes from ``models``, module-level engines/factories/providers and typed ``self``
attributes from ``sessions``) and files it in the index.

The index is built from facts, never from another file's syntax tree, so that the processes of
a large run can each parse a share of the files and still hold the same index (``share``
hands every process the facts of all files, in file order; alone, it returns what it is
given). Each file's facts are read by the process that parsed it, in three readings, each
with what the ones before established across all files:

1. each file alone: its module-level bindings (``from app.db import SessionLocal`` then finds a
   factory), its classes and functions with their methods (``FunctionInfo``), and for every
   class whether it is a model by itself and the names of its bases. In file order the models
   are then the classes that are one by themselves or derive from one (by name, repeated until
   nothing changes), the first class of a name winning;
2. with every class, function and model name known: each model's fields, relationships and keys
   (``read_model``), each class's bases resolved to project classes, and the ``self.x``
   attributes its annotations and ``__init__`` type;
3. only where (2) looked up an attribute of another class (``self.session = uow.session``):
   the attributes again, with those of (2) known, so that the result does not depend on which
   file came first.
"""

from __future__ import annotations

import ast

from verifier.records import Record, setfield
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.models import model_base_names, model_by_itself, read_model
from verifier.rules.analysis.project import (
    ClassInfo,
    FunctionInfo,
    Model,
    ProjectIndex,
    portable,
)
from verifier.rules.analysis.sessions import class_attributes, module_bindings, scope_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from verifier.rules.analysis.bindings import Binding

    #: Every process's ``(file position, facts)`` pairs, in file order, from this one's.
    Share = Callable[[list[tuple[int, Any]]], list[tuple[int, Any]]]

# Decorators that leave a method's call returning what the function itself returns.
_TRANSPARENT = frozenset({"staticmethod", "classmethod", "abstractmethod", "override"})


class ClassFacts(Record):
    """A module-level class: its name and methods."""

    __slots__ = ("methods", "name")
    name: str
    methods: dict[str, FunctionInfo]

    def __init__(self, name: str, methods: dict[str, FunctionInfo]) -> None:
        setfield(self, "name", name)
        setfield(self, "methods", methods)


class FileFacts(Record):
    """What one file tells alone (reading 1). ``candidates``: every class of the file, nested
    ones too, as (name, a model by itself, names of its bases)."""

    __slots__ = ("candidates", "classes", "exported", "functions", "path")
    path: str
    exported: dict[str, Binding]
    functions: list[FunctionInfo]
    classes: list[ClassFacts]
    candidates: list[tuple[str, bool, tuple[str, ...]]]

    def __init__(
        self,
        path: str,
        exported: dict[str, Binding],
        functions: list[FunctionInfo],
        classes: list[ClassFacts],
        candidates: list[tuple[str, bool, tuple[str, ...]]],
    ) -> None:
        setfield(self, "path", path)
        setfield(self, "exported", exported)
        setfield(self, "functions", functions)
        setfield(self, "classes", classes)
        setfield(self, "candidates", candidates)


class TypedFacts(Record):
    """What one file tells with the names of the project known (reading 2): its models, and per
    module-level class its bases (class keys) and attributes (None for a model's name)."""

    __slots__ = ("attributes", "bases", "missed", "models")
    models: dict[str, Model]
    bases: list[list[str]]
    attributes: list[dict[str, Binding] | None]
    missed: int

    def __init__(
        self,
        models: dict[str, Model],
        bases: list[list[str]],
        attributes: list[dict[str, Binding] | None],
        missed: int,
    ) -> None:
        setfield(self, "models", models)
        setfield(self, "bases", bases)
        setfield(self, "attributes", attributes)
        setfield(self, "missed", missed)


def alone(mine: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """The ``share`` of a run in one process: its facts are all there are."""
    return mine


def build_index(contexts: Iterable[FileContext]) -> ProjectIndex:
    """Index the Python files of a run (one process) and attach the index to each of them."""
    return index_files(list(enumerate(contexts)), alone)


def index_files(files: list[tuple[int, FileContext]], share: Share) -> ProjectIndex:
    """The index of every file of the run, from ``files`` (this process's, by position in the
    run) and the facts ``share`` brings of the others; attached to each of ``files``."""
    files = [(pos, ctx) for pos, ctx in files if ctx.tree is not None]
    mine = dict(files)
    blank = ProjectIndex()
    for _, ctx in files:
        ctx.index = blank  # reading 1 is of each file alone
    facts: list[tuple[int, FileFacts]] = share([(pos, file_facts(ctx)) for pos, ctx in files])
    index = ProjectIndex()
    for _, ctx in files:
        ctx.index = index
    infos = _file_names(index, facts, mine)
    winners = _models(facts)
    paths = {pos: found.path for pos, found in facts}
    for name, (pos, ordinal) in winners.items():
        ctx = mine.get(pos)
        if ctx is not None:
            index.models[name] = read_model(ctx, ctx.nodes(ast.ClassDef)[ordinal])
        else:  # a stand-in until reading 2 brings it: meanwhile only its name is asked for
            index.models[name] = Model(name, paths[pos], None, False, [], name.lower())
    index.reading_attributes = True
    sent = {name: pos for name, (pos, _) in winners.items()} if share is not alone else {}
    typed: list[tuple[int, TypedFacts]] = share(
        [(pos, _typed_facts(index, ctx, infos[pos], sent, pos)) for pos, ctx in files]
    )
    for pos, found in typed:
        for name, model in found.models.items():
            if pos not in mine:
                index.models[name] = model  # keeps the model's place in the order
        for info, bases, attributes in zip(infos[pos], found.bases, found.attributes, strict=True):
            info.bases = bases
            if attributes is not None:
                info.attributes = attributes
    if any(found.missed for _, found in typed):
        again: list[tuple[int, list[dict[str, Binding] | None]]] = share(
            [(pos, _attributes(index, ctx, infos[pos])) for pos, ctx in files]
        )
        for pos, attributes_of in again:
            for info, attributes in zip(infos[pos], attributes_of, strict=True):
                if attributes is not None:
                    info.attributes = attributes
    index.reading_attributes = False
    return index


def file_facts(ctx: FileContext) -> FileFacts:
    """Reading 1 of one file (its ``index`` blank)."""
    assert ctx.tree is not None
    functions: list[FunctionInfo] = []
    classes: list[ClassFacts] = []
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(function_info(ctx, stmt))
        elif isinstance(stmt, ast.ClassDef):
            methods = {
                item.name: function_info(ctx, item)
                for item in stmt.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            classes.append(ClassFacts(stmt.name, methods))
    candidates = [
        (node.name, model_by_itself(ctx, node), model_base_names(node))
        for node in ctx.nodes(ast.ClassDef)
    ]
    return FileFacts(ctx.path, module_bindings(ctx), functions, classes, candidates)


def _file_names(
    index: ProjectIndex, facts: list[tuple[int, FileFacts]], mine: dict[int, FileContext]
) -> dict[int, list[ClassInfo]]:
    """Exported bindings, classes and functions of every file, in file order (first wins)."""
    infos: dict[int, list[ClassInfo]] = {}
    for pos, found in facts:
        for name, binding in found.exported.items():
            index.exported.setdefault(name, binding)
        for function in found.functions:
            index.add_function(function)
        ctx = mine.get(pos)
        nodes: list[ast.ClassDef | None] = [None] * len(found.classes)
        if ctx is not None:
            assert ctx.tree is not None
            nodes = [s for s in ctx.tree.body if isinstance(s, ast.ClassDef)]
        infos[pos] = []
        for cls, node in zip(found.classes, nodes, strict=True):
            info = ClassInfo(cls.name, found.path, node, methods=dict(cls.methods))
            index.method_names.update(cls.methods)
            index.add_class(info)
            infos[pos].append(info)
    return infos


def _models(facts: list[tuple[int, FileFacts]]) -> dict[str, tuple[int, int]]:
    """Model name -> (file position, class ordinal in its file) of the class that is it."""
    pending = [
        (pos, ordinal, name, by_itself, bases)
        for pos, found in facts
        for ordinal, (name, by_itself, bases) in enumerate(found.candidates)
    ]
    winners: dict[str, tuple[int, int]] = {}
    changed = True
    while changed:
        changed = False
        for pos, ordinal, name, by_itself, bases in pending:
            if name in winners:
                continue
            if by_itself or any(base in winners for base in bases):
                winners[name] = (pos, ordinal)
                changed = True
    return winners


def _typed_facts(
    index: ProjectIndex,
    ctx: FileContext,
    infos: list[ClassInfo],
    sent: dict[str, int],
    pos: int,
) -> TypedFacts:
    """Reading 2 of one file of this process (``sent``: the models to send other processes,
    by the position of their file; none when there are no others)."""
    models = {name: portable(index.models[name]) for name, p in sent.items() if p == pos}
    bases: list[list[str]] = []
    for info in infos:
        assert info.node is not None
        found: list[str] = []
        for base in info.node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            cls = index.resolve_class(ctx.imports, ctx.path, target)
            if cls is not None and cls is not info:
                found.append(cls.key)
        bases.append(found)
    missed = index.missed_attributes
    attributes = _attributes(index, ctx, infos)
    return TypedFacts(models, bases, attributes, index.missed_attributes - missed)


def _attributes(
    index: ProjectIndex, ctx: FileContext, infos: list[ClassInfo]
) -> list[dict[str, Binding] | None]:
    """The ``self.x`` attributes of each class (None for a class named like a model)."""
    out: list[dict[str, Binding] | None] = []
    for info in infos:
        if info.name in index.models or info.node is None:
            out.append(None)
            continue
        attributes = class_attributes(ctx, info.node, scope_of(ctx, None))
        out.append({key.removeprefix("self."): b for key, b in attributes.items()})
    return out


def function_info(ctx: FileContext, func: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionInfo:
    """Whether calling ``func`` gives a coroutine to await (see ``FunctionInfo``)."""
    coroutine: bool | None = False
    if isinstance(func, ast.AsyncFunctionDef):
        coroutine = func not in ctx.generator_functions
        for deco in func.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name not in _TRANSPARENT:
                coroutine = None
    elif func.decorator_list:
        coroutine = None
    on_class = any(
        isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
        for d in func.decorator_list
    )
    return FunctionInfo(func.name, ctx.path, func.lineno, coroutine, on_class)

"""The operations of a layer: what in its crud modules takes a session first.

Module-level ``async def`` functions whose first parameter is a session, and repository
classes (``SomethingRepository(session)``) with public async methods. Only code defined in the
target's own files counts: a function imported from a library is not the layer's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from verifier.stages.context import StageContext

SESSION_NAMES = frozenset({"session", "db", "s", "sess", "db_session", "async_session"})


@dataclass(frozen=True)
class Operation:
    """One callable of the layer, and how to call it with a session."""

    name: str  # as the report shows it: module.function or module.Class.method
    function: Callable[..., Any]  # the function or the (unbound) method
    owner: type | None = None  # the repository class a method belongs to

    @property
    def parameters(self) -> list[inspect.Parameter]:
        """The parameters the caller gives, after the session (or ``self``)."""
        params = list(inspect.signature(self.function).parameters.values())
        return params[1:]

    async def call(self, session: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if self.owner is None:
            return await self.function(session, *args, **kwargs)
        instance = self.owner(session)
        return await getattr(instance, self.function.__name__)(*args, **kwargs)


def _annotation_names_a_session(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.rsplit(".", 1)[-1].strip("'\" ").endswith("Session")
    if isinstance(annotation, type):
        return any(base.__name__ == "AsyncSession" for base in inspect.getmro(annotation))
    return False


def takes_session(param: inspect.Parameter) -> bool:
    """Whether a parameter is the session: by its annotation, else by its name."""
    if param.kind not in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
        return False
    if param.annotation is not inspect.Parameter.empty:
        return _annotation_names_a_session(param.annotation)
    return param.name in SESSION_NAMES


def _first(fn: Callable[..., Any], skip: int) -> inspect.Parameter | None:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    return params[skip] if len(params) > skip else None


def _in_target(ctx: StageContext, obj: Any) -> bool:
    try:
        return ctx.relative(inspect.getsourcefile(obj)) is not None
    except TypeError:
        return False


def _repository_methods(ctx: StageContext, module: ModuleType, cls: type) -> list[Operation]:
    init = cls.__dict__.get("__init__")
    first = _first(init, 1) if init is not None else None
    if first is None or not takes_session(first):
        return []
    required = [
        p
        for p in list(inspect.signature(init).parameters.values())[2:]
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if required:  # built from more than a session: not ours to construct
        return []
    found = []
    for name, member in vars(cls).items():
        if name.startswith("_") or not inspect.iscoroutinefunction(member):
            continue
        found.append(Operation(f"{module.__name__}.{cls.__name__}.{name}", member, cls))
    return found


def operations(ctx: StageContext, modules: list[ModuleType]) -> list[Operation]:
    """Every operation of the crud modules, in the order the modules define them."""
    found: list[Operation] = []
    seen: set[int] = set()
    for module in modules:
        for name, value in vars(module).items():
            if name.startswith("_") or id(value) in seen or not _in_target(ctx, value):
                continue
            seen.add(id(value))
            if inspect.isclass(value) and value.__module__ == module.__name__:
                found.extend(_repository_methods(ctx, module, value))
            elif inspect.iscoroutinefunction(value):
                first = _first(value, 0)
                if first is not None and takes_session(first):
                    found.append(Operation(f"{module.__name__}.{name}", value))
    return found

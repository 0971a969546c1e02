"""One file, one module: a target module imported under a second name is the module it is.

An ``env.py`` that puts a folder on ``sys.path`` and imports ``models`` where the manifest says
``app.models`` would run the same file twice in one interpreter, and SQLModel then refuses the
second definition of every table ("Table 'project' is already defined"). A developer never sees
that, because their ``alembic`` runs in a process of its own. Installed first on
``sys.meta_path`` in the sandboxed child, this finder hands back the module already loaded from
the same file; it only looks at names that the target's own folders can provide, so the
standard library and installed packages are found exactly as before.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any


class _Existing(importlib.abc.Loader):
    """Loads a module that is already loaded: the same object under one more name."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        return None


class OneModulePerFile(importlib.abc.MetaPathFinder):
    """The meta path finder; ``root`` is the target's copy."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)
        self._seen: dict[str, bool] = {}  # path -> inside the target (realpath is not free)
        # What was loaded before the target's code could run (the fork server's libraries and
        # the verifier): none of it comes from the target's folder, so it is never looked at.
        # (By identity, kept alive so that no id is reused: a module need not be hashable.)
        self._kept = list(sys.modules.values())
        self._before = {id(module) for module in self._kept}
        self._real: dict[str, str] = {}  # a module's __file__ -> its realpath

    def _ours(self, entry: str) -> bool:
        known = self._seen.get(entry)
        if known is None:
            real = os.path.realpath(entry or ".")
            known = self._seen[entry] = real == self.root or real.startswith(self.root + os.sep)
        return known

    def _candidate(self, name: str, path: Sequence[str] | None) -> bool:
        if path is not None:  # a submodule: its package lives in the target or not
            return any(self._ours(p) for p in path)
        head = name.partition(".")[0]
        for entry in sys.path:
            if isinstance(entry, str) and self._ours(entry):
                base = os.path.join(entry or ".", head)
                if os.path.isdir(base) or os.path.isfile(base + ".py"):
                    return True
        return False

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not self._candidate(fullname, path):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        origin = getattr(spec, "origin", None)
        if spec is None or not origin or not self._ours(origin):
            return spec
        loaded = self._loaded_from(os.path.realpath(origin), fullname)
        if loaded is None:
            return spec
        return importlib.util.spec_from_loader(
            fullname,
            _Existing(loaded),
            origin=origin,
            is_package=spec.submodule_search_locations is not None,
        )

    def _loaded_from(self, origin: str, other_than: str) -> ModuleType | None:
        """The module already loaded from the file ``origin`` (a realpath), if any.

        Every import of a target module asks, so each module's realpath is resolved once
        (``lstat`` of every component of a path: a scan of ``sys.modules`` that resolved them
        all made each import of the target cost a tenth of a second).
        """
        module: Any
        for name, module in list(sys.modules.items()):
            if id(module) in self._before or name == other_than:
                continue
            file = getattr(module, "__file__", None)
            if not file:
                continue
            real = self._real.get(file)
            if real is None:
                real = self._real[file] = os.path.realpath(file)
            if real == origin:
                return module  # type: ignore[no-any-return]
        return None


def install(root: Path) -> None:
    sys.meta_path.insert(0, OneModulePerFile(root))

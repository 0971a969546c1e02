"""Helpers for the plugin checks: where the plugin is, copies of it to break, the tools/ scripts."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
# What the plugin is made of: the manifests and icon, the command and the expertise skill, the
# skill, the hook, the README the plugin directory reads, and the eval cases.
PLUGIN_PARTS = (".claude-plugin", ".claude", "skills", "hooks", "README.md", "tests/plugin/evals")
NOT_COPIED = shutil.ignore_patterns("__pycache__", "results", "*.pyc")


def copy_plugin(destination: Path) -> Path:
    """A copy of the plugin's files (symlinks kept as links, as in the checkout)."""
    for part in PLUGIN_PARTS:
        source = ROOT / part
        target = destination / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True, ignore=NOT_COPIED)
        else:
            shutil.copy2(source, target)
    return destination


@cache
def load_tool(name: str) -> ModuleType:
    """A script of tools/ as a module (tools/ is not a package)."""
    path = ROOT / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"rda_tools_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module

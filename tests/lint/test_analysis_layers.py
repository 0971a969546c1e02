"""The shared analysis is layered: no module imports one of its own layer or above, so no cycle.

Imports are read from the source (module level, inside functions and under ``TYPE_CHECKING``
alike): a cycle hidden behind a function-level or type-only import is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

from verifier.rules import analysis

PACKAGE = Path(analysis.__file__).parent
PREFIX = "verifier.rules.analysis"


def imported_siblings(path: Path) -> set[str]:
    """The modules of the analysis package that ``path`` imports, in any way."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:
                module = f"{PREFIX}.{module}" if module else PREFIX
            if module == PREFIX:
                found.update(alias.name for alias in node.names)
            elif module.startswith(PREFIX + "."):
                found.add(module[len(PREFIX) + 1 :].split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PREFIX + "."):
                    found.add(alias.name[len(PREFIX) + 1 :].split(".")[0])
    return found - {path.stem}


def graph() -> dict[str, set[str]]:
    return {p.stem: imported_siblings(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def test_every_module_has_a_documented_layer() -> None:
    layered = [m for layer in analysis.LAYERS for m in layer]
    assert sorted(layered) == sorted(graph()), "add the module to LAYERS (and the docstring)"
    assert len(layered) == len(set(layered))
    for name in layered:
        assert f"``{name}``" in (analysis.__doc__ or ""), f"{name} is not described"


def test_modules_import_only_lower_layers() -> None:
    level = {m: i for i, layer in enumerate(analysis.LAYERS) for m in layer}
    wrong = [
        f"{module} (layer {level[module]}) imports {target} (layer {level[target]})"
        for module, targets in graph().items()
        for target in targets
        if level[target] >= level[module]
    ]
    assert not wrong, wrong


def test_there_is_no_import_cycle() -> None:
    edges = graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path, node, target]
            if target not in state:
                cycle = visit(target, [*path, node])
                if cycle:
                    return cycle
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            cycle = visit(start, [])
            assert cycle is None, " -> ".join(cycle or [])


def test_the_check_sees_function_level_and_type_only_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from verifier.rules.analysis.queries import QueryFlow\n"
        "def f():\n    from verifier.rules.analysis import sessions\n"
        "import verifier.rules.analysis.models\n",
        encoding="utf-8",
    )
    assert imported_siblings(sample) == {"queries", "sessions", "models"}

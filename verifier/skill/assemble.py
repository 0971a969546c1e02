"""``rda skill assemble``: write a reference's ``# file:`` examples out as a project.

The capstone teaches a complete layer as one example per file, each starting with
``# file: <path>``. Assembling writes those files (marker lines removed) under a new folder, so
the code the skill teaches can be imported, tested and verified like any project, and the
``[tool.rda]`` manifest among them tells ``rda verify`` where its parts are. Examples marked
``# expect:`` show mistakes and are never written.
"""

from __future__ import annotations

from pathlib import Path

from verifier.errors import UsageError
from verifier.skill.examples import Example, collect_examples
from verifier.skill.layers import collect_layers, has_manifest, strip_markers
from verifier.skill.package_files import Skill, load_skill

CAPSTONE = "references/capstone-task-api.md"


def project_files(examples: list[Example]) -> dict[str, str]:
    """``{path: content}`` of the examples that name a file, their marker lines removed."""
    files: dict[str, str] = {}
    for example in examples:
        if example.file is None or example.expect:
            continue
        if example.file in files:
            raise UsageError(
                f"{example.doc}:{example.line}: a second example for {example.file}",
                hint="write each file of the project as one example",
            )
        files[example.file] = strip_markers(example.block.code)
    return files


def assemble_project(
    skill_path: Path, out: Path, doc: str = CAPSTONE, layer: str | None = None
) -> list[Path]:
    """Write the project taught by ``doc`` of the skill at ``skill_path`` into ``out``.

    With ``layer``, the blocks marked ``# layer: LAYER`` in ``doc``, with the files the check
    adds around them (``verifier.skill.layers``): the project ``rda skill check`` verifies.
    """
    skill = load_skill(skill_path)
    if doc not in skill.docs:
        raise UsageError(f"{skill_path} has no {doc}", hint="give the skill that holds it")
    if layer is not None:
        return _write(out, _layer_files(skill_path, skill, doc, layer))
    files = project_files([e for e in collect_examples(skill) if e.doc == doc])
    if not files:
        raise UsageError(f"{doc} has no '# file:' examples to assemble")
    if not has_manifest(files):
        raise UsageError(
            f"{doc} teaches no [tool.rda] manifest",
            hint="add a '# file: pyproject.toml' example with a [tool.rda] table",
        )
    return _write(out, files)


def _layer_files(skill_path: Path, skill: Skill, doc: str, name: str) -> dict[str, str]:
    examples = [e for e in collect_examples(skill) if e.doc == doc]
    layers, _ = collect_layers(examples)
    for layer in layers:
        if layer.name == name:
            return layer.files()
    known = ", ".join(sorted(layer.name for layer in layers)) or "none"
    raise UsageError(f"{doc} of {skill_path} has no layer {name!r}", hint=f"its layers: {known}")


def _write(out: Path, files: dict[str, str]) -> list[Path]:
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} exists and is not empty", hint="choose a new folder")
    written: list[Path] = []
    for relative, content in sorted(files.items()):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        written.append(target)
    return written

"""``rda skill assemble``: write a reference's ``# file:`` examples out as a project.

The capstone teaches a complete layer as one example per file, each starting with
``# file: <path>``. Assembling writes those files (marker lines removed) under a new folder, so
the code the skill teaches can be imported, tested and verified like any project, and the
``[tool.rda]`` manifest among them tells ``rda verify`` where its parts are. Examples marked
``# expect:`` show mistakes and are never written.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from verifier.errors import UsageError
from verifier.skill.examples import Example, collect_examples, is_marker_line
from verifier.skill.package_files import load_skill

CAPSTONE = "references/capstone-task-api.md"
MANIFEST_FILES = ("pyproject.toml", "rda.toml")


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


def strip_markers(code: str) -> str:
    """The code without the marker lines at its top (other comments stay)."""
    lines = code.splitlines(keepends=True)
    index = 0
    while index < len(lines) and (not lines[index].strip() or is_marker_line(lines[index])):
        index += 1
    return "".join(lines[index:])


def has_manifest(files: dict[str, str]) -> bool:
    for name in MANIFEST_FILES:
        text = files.get(name)
        if text is None:
            continue
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return False
        if name == "rda.toml" or "rda" in data.get("tool", {}):
            return True
    return False


def assemble_project(skill_path: Path, out: Path, doc: str = CAPSTONE) -> list[Path]:
    """Write the project taught by ``doc`` of the skill at ``skill_path`` into ``out``."""
    skill = load_skill(skill_path)
    if doc not in skill.docs:
        raise UsageError(f"{skill_path} has no {doc}", hint="give the skill that holds it")
    files = project_files([e for e in collect_examples(skill) if e.doc == doc])
    if not files:
        raise UsageError(f"{doc} has no '# file:' examples to assemble")
    if not has_manifest(files):
        raise UsageError(
            f"{doc} teaches no [tool.rda] manifest",
            hint="add a '# file: pyproject.toml' example with a [tool.rda] table",
        )
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} exists and is not empty", hint="choose a new folder")
    written: list[Path] = []
    for relative, content in sorted(files.items()):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        written.append(target)
    return written

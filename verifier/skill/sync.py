"""``rda skill sync``: refresh a reference's ``# file:`` examples from a project's files.

The capstone teaches the reference implementation's code. When that code changes, the examples
are brought up to date from it (the inverse of ``assemble``): each ``# file: <path>`` example
whose path exists in the project gets the file's current content, its marker lines kept; the
prose around the examples is left alone. Examples whose file the project does not have (the
capstone's own tests, its manifest) are left as they are, and so is every example outside the
``include`` patterns (by default the layer's code: ``taskapi/``, ``alembic/``, ``alembic.ini``).
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import Path

from verifier.errors import UsageError
from verifier.skill.assemble import CAPSTONE
from verifier.skill.examples import collect_examples, is_marker_line
from verifier.skill.package_files import load_skill

# The capstone's layer code; its own tests and manifest differ from the reference's on purpose.
DEFAULT_INCLUDE = ("taskapi/*", "alembic/*", "alembic.ini")


def sync_examples(
    skill_path: Path,
    project: Path,
    doc: str = CAPSTONE,
    include: Sequence[str] = DEFAULT_INCLUDE,
) -> list[str]:
    """Rewrite ``doc``'s ``# file:`` examples from ``project``; return the paths changed.

    Only examples whose path matches one of the ``include`` patterns are touched.
    """
    skill = load_skill(skill_path)
    if doc not in skill.docs:
        raise UsageError(f"{skill_path} has no {doc}")
    if not project.is_dir():
        raise UsageError(f"{project} is not a folder", hint="give the project to copy from")
    markdown = skill.root / doc
    lines = markdown.read_text(encoding="utf-8").splitlines(keepends=True)
    changed: list[str] = []
    examples = [
        e
        for e in collect_examples(skill)
        if e.doc == doc
        and e.file
        and not e.expect
        and any(fnmatch(e.file, pattern) for pattern in include)
    ]
    # bottom-up, so the line numbers of the examples not yet handled stay valid
    for example in sorted(examples, key=lambda e: e.line, reverse=True):
        assert example.file is not None
        source = project / example.file
        if not source.is_file():
            continue
        code_lines = example.block.code.splitlines(keepends=True)
        markers = 0
        while markers < len(code_lines) and is_marker_line(code_lines[markers]):
            markers += 1
        content = source.read_text(encoding="utf-8")
        if not content.endswith("\n"):
            content += "\n"
        new_block = [*code_lines[:markers], *content.splitlines(keepends=True)]
        if new_block == code_lines:
            continue
        start = example.line - 1  # index of the block's first code line in the file
        lines[start : start + len(code_lines)] = new_block
        changed.append(example.file)
    if changed:
        markdown.write_text("".join(lines), encoding="utf-8")
    return sorted(changed)

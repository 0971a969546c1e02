"""A ``skill_ref`` opened: the section of the skill it names, as text with its line numbers.

A ref is ``<file>.md#<anchor>`` relative to the skill folder, the anchor the GitHub slug of a
heading (``verifier.skill.markdown`` computes them the way ``rda skill check`` does). The
section runs from its heading to the next heading of the same or a higher level.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from verifier.skill.markdown import MarkdownFile, parse_markdown


@dataclass(frozen=True)
class Section:
    ref: str
    path: str  # relative to the skill
    heading: str
    line: int  # the heading's line (1-based)
    end_line: int  # the section's last line
    text: str  # the section's lines, heading included


@dataclass(frozen=True)
class Unresolved:
    ref: str
    reason: str


class SkillSections:
    """Sections of one skill, each file parsed once."""

    def __init__(self, skill_dir: Path) -> None:
        self.root = skill_dir
        self._docs: dict[str, MarkdownFile | None] = {}

    def open(self, ref: str) -> Section | Unresolved:
        path, _, anchor = ref.partition("#")
        doc = self._doc(path)
        if doc is None:
            return Unresolved(ref, f"{path} is not a Markdown file of the skill at {self.root}")
        lines = doc.text.splitlines()
        headings = doc.headings
        for index, heading in enumerate(headings):
            if heading.anchor != anchor:
                continue
            end = len(lines)
            for later in headings[index + 1 :]:
                if later.level <= heading.level:
                    end = later.line - 1
                    break
            text = "\n".join(lines[heading.line - 1 : end]).rstrip()
            return Section(ref, path, heading.text, heading.line, end, text)
        if not anchor:
            return Unresolved(ref, "the ref names no #section")
        return Unresolved(ref, f"no heading of {path} has the anchor #{anchor}")

    def _doc(self, path: str) -> MarkdownFile | None:
        if path not in self._docs:
            file = self.root / path
            try:
                self._docs[path] = parse_markdown(file) if file.is_file() else None
            except (OSError, UnicodeDecodeError):
                self._docs[path] = None
        return self._docs[path]

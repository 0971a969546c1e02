"""Read one Markdown file of a skill into what the checks need: frontmatter, headings, links, code.

Parsing is markdown-it-py's (CommonMark plus GitHub tables), so a ``#`` inside a code block is
never mistaken for a heading and a link inside a table cell is still found. Line numbers are
1-based and count from the top of the file, frontmatter included, so a finding points at the
line an editor shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable("table")
_FRONTMATTER_FENCE = "---"
# What GitHub drops from a heading when it makes the anchor: everything but letters, digits,
# underscores, hyphens and spaces.
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading (before de-duplication): ``"The N+1 problem"`` ->
    ``"the-n1-problem"``."""
    return _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    anchor: str  # unique within the file, as GitHub numbers repeated slugs
    line: int


@dataclass(frozen=True, slots=True)
class Link:
    target: str
    line: int


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced block: ``line`` is the line of its first code line (the one after the fence)."""

    language: str
    code: str
    line: int


@dataclass
class MarkdownFile:
    path: Path
    text: str
    frontmatter: dict[str, Any] | None = None
    frontmatter_error: str | None = None
    body_start: int = 1  # first line after the frontmatter
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)

    @property
    def line_count(self) -> int:
        return len(self.text.splitlines())

    @property
    def body_line_count(self) -> int:
        return self.line_count - self.body_start + 1

    @property
    def anchors(self) -> set[str]:
        return {heading.anchor for heading in self.headings}


def split_frontmatter(text: str) -> tuple[str | None, int]:
    """Return the YAML between the opening and closing ``---`` and the first body line.

    ``(None, 1)`` when the file does not start with a frontmatter fence (or never closes it).
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != _FRONTMATTER_FENCE:
        return None, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == _FRONTMATTER_FENCE:
            return "\n".join(lines[1:index]), index + 2
    return None, 1


def parse_markdown(path: Path, text: str | None = None) -> MarkdownFile:
    """Parse ``path`` (or ``text`` given for it)."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    doc = MarkdownFile(path=path, text=text)
    raw, doc.body_start = split_frontmatter(text)
    if raw is not None:
        try:
            loaded = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            doc.frontmatter_error = f"the frontmatter is not valid YAML: {exc}"
        else:
            if isinstance(loaded, dict):
                doc.frontmatter = loaded
            else:
                doc.frontmatter_error = "the frontmatter is not a YAML mapping"
    offset = doc.body_start - 1  # lines before the body
    body = "\n".join(text.splitlines()[offset:])
    _collect(_PARSER.parse(body), doc, offset)
    return doc


def _collect(tokens: list[Token], doc: MarkdownFile, offset: int) -> None:
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        start = (token.map[0] if token.map else 0) + offset + 1
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = _plain_text(inline.children or [])
            slug = github_slug(text)
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchor = slug if count == 0 else f"{slug}-{count}"
            doc.headings.append(Heading(int(token.tag[1]), text, anchor, start))
        elif token.type == "fence":
            language = (token.info.split() or [""])[0].lower()
            doc.code_blocks.append(CodeBlock(language, token.content, start + 1))
        elif token.type == "inline":
            doc.links.extend(_links(token.children or [], start))


def _plain_text(children: list[Token]) -> str:
    """A heading's text as GitHub reads it: markup dropped, code spans and link text kept."""
    return "".join(c.content for c in children if c.type in ("text", "code_inline"))


def _links(children: list[Token], first_line: int) -> list[Link]:
    links: list[Link] = []
    line = first_line
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            links.append(Link(str(child.attrGet("href") or ""), line))
        elif child.type == "image":
            links.append(Link(str(child.attrGet("src") or ""), line))
    return links

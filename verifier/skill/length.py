"""Length: a short SKILL.md body, and a table of contents on top of every long file.

SKILL.md's body is loaded whole whenever the skill triggers, so it stays under 500 lines and
routes to references for detail. A reference over 300 lines is often only previewed: a table of
contents at its top (links to its own sections before the first section) shows everything it
holds even then.
"""

from __future__ import annotations

from collections.abc import Iterator

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.markdown import MarkdownFile
from verifier.skill.package_files import SKILL_FILE, Skill

BODY_MAX_LINES = 500  # SKILL.md body: fewer than this
TOC_THRESHOLD = 300  # files with more lines need a table of contents
TOC_MIN_LINKS = 3
TOC_HEADINGS = ("contents", "table of contents")


def has_table_of_contents(doc: MarkdownFile) -> bool:
    """At least three links to the file's own sections before its first real section.

    A "Contents" heading of its own counts as part of the table, not as the first section.
    """
    sections = [h for h in doc.headings if h.level == 2]
    if sections and sections[0].text.strip().lower() in TOC_HEADINGS:
        sections = sections[1:]
    end = sections[0].line if sections else doc.body_start + 40
    anchors = doc.anchors
    in_page = [
        link
        for link in doc.links
        if link.line < end and link.target.startswith("#") and link.target[1:] in anchors
    ]
    return len(in_page) >= TOC_MIN_LINKS


def check_length(skill: Skill) -> Iterator[Finding]:
    skill_md = skill.skill_md
    if skill_md is not None and skill_md.body_line_count >= BODY_MAX_LINES:
        yield Finding(
            codes.BODY_TOO_LONG,
            f"the SKILL.md body is {skill_md.body_line_count} lines (fewer than "
            f"{BODY_MAX_LINES} allowed)",
            fix="move detail into a reference file and link it from SKILL.md",
            file=SKILL_FILE,
            line=skill_md.body_start,
        )
    for rel, doc in skill.docs.items():
        if doc.line_count > TOC_THRESHOLD and not has_table_of_contents(doc):
            yield Finding(
                codes.TOC_MISSING,
                f"{rel} has {doc.line_count} lines but no table of contents at the top",
                fix="add a line of links to its ## sections right under the title",
                file=rel,
                line=doc.body_start,
            )

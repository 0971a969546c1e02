"""Links: every relative link resolves, inside the skill, and references stay one level deep.

A skill is read on demand: Claude opens SKILL.md, then follows a link to the reference it needs.
A broken link or a missing ``#section`` sends it nowhere; a link out of the skill folder (or
into ``evals/``, which the package leaves out) breaks once the skill is packaged; a reference
reachable only through another reference is read partially (agents preview nested files instead
of reading them), so every reference is linked from SKILL.md itself and sits directly in its
folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.markdown import MarkdownFile
from verifier.skill.package_files import NOT_CONTENT, SKILL_FILE, Skill

MAX_REFERENCE_PARTS = 2  # "references/sessions.md": a folder, then the file


def _is_external(target: str) -> bool:
    parts = urlsplit(target)
    return bool(parts.scheme) or target.startswith("//")


def resolve(skill: Skill, doc: MarkdownFile, target: str) -> tuple[Path | None, str]:
    """The file a relative link points at (None for an in-page link) and its anchor."""
    parts = urlsplit(target)
    anchor = unquote(parts.fragment)
    if not parts.path:
        return None, anchor
    return (doc.path.parent / unquote(parts.path)).resolve(), anchor


def check_links(skill: Skill) -> Iterator[Finding]:
    linked_from_skill: set[Path] = set()
    skill_md = skill.skill_md
    for rel, doc in skill.docs.items():
        for link in doc.links:
            if not link.target or _is_external(link.target):
                continue
            where = {"file": rel, "line": link.line}
            target, anchor = resolve(skill, doc, link.target)
            if target is None:
                if anchor and anchor not in doc.anchors:
                    yield Finding(
                        codes.ANCHOR_MISSING,
                        f"link {link.target!r}: no heading in {rel} makes that anchor",
                        fix="link to an existing heading's GitHub anchor, or add the heading",
                        **where,
                    )
                continue
            if not target.is_relative_to(skill.root):
                yield Finding(
                    codes.LINK_OUTSIDE_SKILL,
                    f"link {link.target!r} leaves the skill folder; it breaks when packaged",
                    fix="copy what it points at into the skill, or link an absolute URL",
                    **where,
                )
                continue
            if skill.relative(target).split("/", 1)[0] in NOT_CONTENT:
                yield Finding(
                    codes.LINK_OUTSIDE_SKILL,
                    f"link {link.target!r} points into {skill.relative(target).split('/')[0]}/, "
                    "which the package leaves out: it breaks once installed",
                    fix="name the file in text instead of linking it",
                    **where,
                )
                continue
            if not target.exists():
                yield Finding(
                    codes.LINK_BROKEN,
                    f"link {link.target!r}: {skill.relative(target)} does not exist",
                    fix="fix the path (relative to the file holding the link)",
                    **where,
                )
                continue
            if doc is skill_md:
                linked_from_skill.add(target)
            if anchor and target.suffix == ".md":
                target_doc = skill.docs.get(skill.relative(target))
                if target_doc is not None and anchor not in target_doc.anchors:
                    yield Finding(
                        codes.ANCHOR_MISSING,
                        f"link {link.target!r}: no heading in {skill.relative(target)} "
                        f"makes the anchor #{anchor}",
                        fix="link to an existing heading's GitHub anchor, or add the heading",
                        **where,
                    )
    yield from _check_depth(skill, linked_from_skill)


def _check_depth(skill: Skill, linked_from_skill: set[Path]) -> Iterator[Finding]:
    for target in sorted(linked_from_skill):
        rel = skill.relative(target)
        if target.suffix == ".md" and len(Path(rel).parts) > MAX_REFERENCE_PARTS:
            yield Finding(
                codes.REFERENCE_TOO_DEEP,
                f"{rel} is nested more than one folder deep",
                fix="move it directly into references/",
                file=SKILL_FILE,
            )
    root_md = skill.root / SKILL_FILE
    reported: set[Path] = set()
    for rel, doc in skill.docs.items():
        if rel == SKILL_FILE:
            continue
        for link in doc.links:
            if not link.target or _is_external(link.target):
                continue
            target, _ = resolve(skill, doc, link.target)
            if (
                target is None
                or target.suffix != ".md"
                or target in (doc.path, root_md)
                or target in linked_from_skill
                or target in reported
                or not target.is_relative_to(skill.root)
                or not target.exists()
            ):
                continue
            reported.add(target)
            yield Finding(
                codes.REFERENCE_TOO_DEEP,
                f"{rel} links to {skill.relative(target)}, which SKILL.md does not link: "
                "references must be one level deep from SKILL.md",
                fix=f"link {skill.relative(target)} from SKILL.md",
                file=rel,
                line=link.line,
            )

"""Skill refs: every ``skill_ref`` a finding can carry must open a section of the skill.

``verifier.skill_refs`` names, for each rule and runtime check, the section that teaches the
right form (``references/<file>.md#<anchor>``). ``rda reflect`` and the agent reading a report
follow them, so a ref whose file or heading is missing sends the fix to nowhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.package_files import Skill


def check_skill_refs(skill: Skill, refs: Mapping[str, str]) -> Iterator[Finding]:
    """One finding per ref (``{constant name: "file.md#anchor"}``) that does not resolve."""
    for name, ref in sorted(refs.items()):
        path, _, anchor = ref.partition("#")
        doc = skill.docs.get(path)
        if doc is None:
            problem = f"{path} is not a Markdown file of the skill"
        elif not anchor:
            problem = "it names no #section"
        elif anchor not in doc.anchors:
            problem = f"no heading in {path} has the anchor #{anchor}"
        else:
            continue
        yield Finding(
            codes.SKILL_REF_UNRESOLVED,
            f"skill_refs.{name} = {ref!r} does not resolve: {problem}",
            file=path if doc is not None else None,
            fix="add a heading whose GitHub anchor is the ref's, or correct verifier/skill_refs.py",
            details={"constant": name, "ref": ref},
        )

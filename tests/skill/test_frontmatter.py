"""The Agent Skills frontmatter rules, on broken copies of the real skill."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.frontmatter import check_frontmatter
from verifier.skill.package_files import load_skill

from .helpers import EXPERTISE, SKILL, copy_skill, replace_in


def frontmatter_findings(skill_dir: Path) -> list[Finding]:
    skill = load_skill(skill_dir)
    assert skill.skill_md is not None
    return list(check_frontmatter(skill.skill_md, skill.root.name))


@pytest.mark.parametrize("skill_dir", [SKILL, EXPERTISE], ids=["relational-db-agent", "expertise"])
def test_real_frontmatter_is_valid(skill_dir: Path) -> None:
    assert frontmatter_findings(skill_dir) == []


@pytest.mark.parametrize(
    ("bad_name", "reason"),
    [
        ("Relational-DB-Agent", "lowercase letters, digits and single hyphens"),
        ("relational--db-agent", "single hyphens"),
        ("-relational-db-agent", "not starting or ending with a hyphen"),
        ("relational-db-agent-", "not starting or ending with a hyphen"),
        ("relational_db_agent", "lowercase letters, digits and single hyphens"),
        ("a" * 65, "at most 64"),
        ("claude-db-agent", "reserved word 'claude'"),
        ("anthropic-db", "reserved word 'anthropic'"),
        ("another-skill", "does not match the skill's folder name 'relational-db-agent'"),
    ],
)
def test_bad_name_is_reported_with_the_reason(skill_copy: Path, bad_name: str, reason: str) -> None:
    replace_in(skill_copy / "SKILL.md", "name: relational-db-agent", f"name: {bad_name}")
    [finding] = frontmatter_findings(skill_copy)
    assert finding.code == codes.NAME_INVALID
    assert reason in finding.message
    assert (finding.file, finding.line) == ("SKILL.md", 1)


def test_missing_name(skill_copy: Path) -> None:
    replace_in(skill_copy / "SKILL.md", "name: relational-db-agent\n", "")
    [finding] = frontmatter_findings(skill_copy)
    assert finding.code == codes.NAME_INVALID and "no name" in finding.message


def test_description_rules(skill_copy: Path) -> None:
    skill_md = skill_copy / "SKILL.md"
    text = skill_md.read_text()
    start = text.index("description: ") + len("description: ")
    end = text.index("\n", start)
    skill_md.write_text(text[:start] + "Use for <sql> work. " + "x" * 1100 + text[end:])
    messages = sorted(f.message for f in frontmatter_findings(skill_copy))
    assert all(f.code == codes.DESCRIPTION_INVALID for f in frontmatter_findings(skill_copy))
    assert any("at most 1024" in m for m in messages)
    assert any("contains < or >" in m for m in messages)


def test_unknown_key_and_bad_optional_fields(skill_copy: Path) -> None:
    replace_in(
        skill_copy / "SKILL.md",
        "license: MIT\n",
        "license: MIT\nversion: 2\ncompatibility: " + "y" * 501 + "\n",
    )
    replace_in(skill_copy / "SKILL.md", 'version: "1.0.0"', "version: 1.0")
    replace_in(
        skill_copy / "SKILL.md",
        "compatibility: Python 3.11+",
        "compatibility-old: Python 3.11+",
    )
    found = {(f.code, f.message.split(" (")[0]) for f in frontmatter_findings(skill_copy)}
    not_in_spec = "is not in the Agent Skills spec"
    assert (codes.FRONTMATTER_KEY, f"frontmatter key 'version' {not_in_spec}") in found
    assert (codes.FRONTMATTER_KEY, f"frontmatter key 'compatibility-old' {not_in_spec}") in found
    assert (codes.FIELD_INVALID, "compatibility is 501 characters long") in found
    assert (codes.FIELD_INVALID, "metadata must map strings to strings") in found


def test_no_frontmatter(skill_copy: Path) -> None:
    skill_md = skill_copy / "SKILL.md"
    text = skill_md.read_text()
    skill_md.write_text(text[text.index("\n---\n") + 5 :])
    [finding] = frontmatter_findings(skill_copy)
    assert finding.code == codes.FRONTMATTER_MISSING
    assert "does not start with a --- frontmatter block" in finding.message


def test_expertise_skill_folder_must_match_its_name(tmp_path: Path) -> None:
    renamed = copy_skill(EXPERTISE, tmp_path, name="sqlmodel-async")
    [finding] = frontmatter_findings(renamed)
    assert finding.code == codes.NAME_INVALID
    assert "does not match the skill's folder name 'sqlmodel-async'" in finding.message

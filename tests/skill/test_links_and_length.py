"""Links resolve inside the skill and stay one level deep; long files carry a table of contents."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.length import check_length
from verifier.skill.links import check_links
from verifier.skill.package_files import load_skill

from .helpers import EXPERTISE, SKILL, replace_in


def link_findings(skill_dir: Path) -> list[Finding]:
    return list(check_links(load_skill(skill_dir)))


def length_findings(skill_dir: Path) -> list[Finding]:
    return list(check_length(load_skill(skill_dir)))


@pytest.mark.parametrize("skill_dir", [SKILL, EXPERTISE], ids=["relational-db-agent", "expertise"])
def test_real_skills_links_and_lengths_pass(skill_dir: Path) -> None:
    assert link_findings(skill_dir) == []
    assert length_findings(skill_dir) == []


def test_dangling_link(skill_copy: Path) -> None:
    replace_in(
        skill_copy / "SKILL.md",
        "(references/sessions.md)",
        "(references/session.md)",
    )
    [finding] = link_findings(skill_copy)
    assert finding.code == codes.LINK_BROKEN
    assert "references/session.md does not exist" in finding.message
    assert finding.file == "SKILL.md"
    line = (skill_copy / "SKILL.md").read_text().splitlines()[finding.line - 1]
    assert "references/session.md" in line


def test_link_to_a_missing_section(skill_copy: Path) -> None:
    replace_in(
        skill_copy / "references" / "quiz.md",
        "(sessions.md#expire-on-commit)",
        "(sessions.md#expire-after-commit)",
    )
    [finding] = link_findings(skill_copy)
    assert finding.code == codes.ANCHOR_MISSING
    assert finding.file == "references/quiz.md"
    assert "#expire-after-commit" in finding.message


def test_in_page_link_to_a_missing_section(skill_copy: Path) -> None:
    replace_in(skill_copy / "references" / "sessions.md", "(#exec-not-execute)", "(#exec)")
    [finding] = link_findings(skill_copy)
    assert finding.code == codes.ANCHOR_MISSING and "'#exec'" in finding.message


def test_link_leaving_the_skill(skill_copy: Path) -> None:
    replace_in(
        skill_copy / "SKILL.md",
        "(references/quiz.md)",
        "(../../reference_impl/taskapi/crud.py)",
    )
    found = link_findings(skill_copy)
    assert [f.code for f in found] == [codes.LINK_OUTSIDE_SKILL]
    assert "breaks when packaged" in found[0].message


def test_link_into_evals_breaks_once_packaged(skill_copy: Path) -> None:
    replace_in(
        skill_copy / "SKILL.md",
        "is its improvement log.",
        "is its improvement log. Evals: [evals](evals/evals.json).",
    )
    [finding] = link_findings(skill_copy)
    assert finding.code == codes.LINK_OUTSIDE_SKILL
    assert "points into evals/, which the package leaves out" in finding.message


def test_reference_reachable_only_through_another_reference(skill_copy: Path) -> None:
    (skill_copy / "references" / "extra.md").write_text("# Extra\n\nNested detail.\n")
    replace_in(
        skill_copy / "references" / "sessions.md",
        "## The session factory\n",
        "## The session factory\n\nMore in [extra](extra.md).\n",
    )
    [finding] = link_findings(skill_copy)
    assert finding.code == codes.REFERENCE_TOO_DEEP
    assert "references/extra.md, which SKILL.md does not link" in finding.message


def test_reference_nested_in_a_folder(skill_copy: Path) -> None:
    nested = skill_copy / "references" / "deep"
    nested.mkdir()
    (nested / "more.md").write_text("# More\n")
    replace_in(
        skill_copy / "SKILL.md",
        "is its improvement log.",
        "is its improvement log. See also [more](references/deep/more.md).",
    )
    [finding] = link_findings(skill_copy)
    assert finding.code == codes.REFERENCE_TOO_DEEP
    assert "nested more than one folder deep" in finding.message


def test_long_file_without_table_of_contents(skill_copy: Path) -> None:
    sessions = skill_copy / "references" / "sessions.md"
    text = sessions.read_text()
    start = text.index("Contents:")
    end = text.index("\n\n", start)
    sessions.write_text(text[:start] + text[end + 2 :])
    assert len(sessions.read_text().splitlines()) > 300
    [finding] = length_findings(skill_copy)
    assert finding.code == codes.TOC_MISSING
    assert finding.file == "references/sessions.md"
    assert "no table of contents" in finding.message


def test_a_long_file_with_a_contents_heading_passes(skill_copy: Path) -> None:
    body = "\n".join(f"line {n}" for n in range(320))
    (skill_copy / "references" / "long.md").write_text(
        "# Long\n\n## Contents\n\n- [One](#one)\n- [Two](#two)\n- [Three](#three)\n\n"
        f"## One\n\n{body}\n\n## Two\n\nx\n\n## Three\n\ny\n"
    )
    assert length_findings(skill_copy) == []


def test_skill_md_body_of_500_lines(skill_copy: Path) -> None:
    skill_md = skill_copy / "SKILL.md"
    body_lines = load_skill(skill_copy).skill_md.body_line_count  # type: ignore[union-attr]
    padding = "\n".join("filler" for _ in range(500 - body_lines))
    skill_md.write_text(skill_md.read_text() + padding + "\n")
    found = {f.code: f for f in length_findings(skill_copy)}
    assert "the SKILL.md body is 500 lines" in found[codes.BODY_TOO_LONG].message
    # over 300 lines, SKILL.md needs a table of contents as well
    assert set(found) == {codes.BODY_TOO_LONG, codes.TOC_MISSING}

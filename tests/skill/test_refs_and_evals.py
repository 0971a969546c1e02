"""Every finding's skill_ref opens a section; evals are in skill-creator's format and checkable."""

from __future__ import annotations

import json
import re
from pathlib import Path

from verifier import skill_refs
from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.evals import EVALS_FILE, check_evals
from verifier.skill.package_files import load_skill
from verifier.skill.refs import check_skill_refs

from .helpers import SKILL, replace_in

KNOWN = {"RDA104", "RDA105", "RDA201", "RDA705"}


def ref_findings(skill_dir: Path) -> list[Finding]:
    return list(check_skill_refs(load_skill(skill_dir), skill_refs.ALL))


def test_every_skill_ref_resolves_in_the_real_skill() -> None:
    assert skill_refs.ALL, "verifier.skill_refs defines no refs"
    assert ref_findings(SKILL) == []


def test_renamed_heading_breaks_its_skill_ref(skill_copy: Path) -> None:
    replace_in(skill_copy / "references" / "sessions.md", "## Expire on commit", "## Expiry")
    [finding] = ref_findings(skill_copy)
    assert finding.code == codes.SKILL_REF_UNRESOLVED
    assert finding.details["constant"] == "SESSIONS_EXPIRE"
    assert "no heading in references/sessions.md has the anchor #expire-on-commit" in (
        finding.message
    )


def test_missing_reference_file_breaks_its_skill_refs(skill_copy: Path) -> None:
    (skill_copy / "references" / "testing.md").unlink()
    [finding] = ref_findings(skill_copy)
    assert finding.details["constant"] == "TESTING"
    assert "references/testing.md is not a Markdown file of the skill" in finding.message


def test_refs_added_later_are_covered(skill_copy: Path) -> None:
    refs = {**skill_refs.ALL, "NEW_REF": "references/sessions.md#not-written-yet"}
    [finding] = check_skill_refs(load_skill(skill_copy), refs)
    assert finding.details == {
        "constant": "NEW_REF",
        "ref": "references/sessions.md#not-written-yet",
    }


def eval_findings(skill_dir: Path, known: set[str] = KNOWN) -> list[Finding]:
    return list(check_evals(load_skill(skill_dir), known))


def write_evals(skill_dir: Path, data: object) -> None:
    (skill_dir / EVALS_FILE).write_text(json.dumps(data))


def good_case(**changes: object) -> dict[str, object]:
    case: dict[str, object] = {
        "id": 1,
        "prompt": "Write get_session.",
        "expected_output": "L05 sessions",
        "files": [],
        "expectations": ["rda lint reports no RDA104"],
    }
    case.update(changes)
    return case


def test_a_well_formed_evals_file_passes(skill_copy: Path) -> None:
    write_evals(skill_copy, {"skill_name": "relational-db-agent", "evals": [good_case()]})
    assert eval_findings(skill_copy) == []


def test_evals_structure_errors(skill_copy: Path) -> None:
    write_evals(
        skill_copy,
        {
            "skill_name": "other",
            "evals": [good_case(), good_case(prompt=""), good_case(id="2", expectations=[])],
        },
    )
    messages = [f.message for f in eval_findings(skill_copy)]
    assert "skill_name is 'other', the skill is named 'relational-db-agent'" in messages
    assert "evals[1]: id 1 is used twice" in messages
    assert "evals[1]: prompt must be a non-empty string" in messages
    assert "evals[2]: id must be an integer" in messages
    assert "evals[2]: expectations must be a non-empty list of statements" in messages


def test_evals_not_json(skill_copy: Path) -> None:
    (skill_copy / EVALS_FILE).write_text("{not json")
    [finding] = eval_findings(skill_copy)
    assert finding.code == codes.EVALS_INVALID and "not readable JSON" in finding.message


def test_missing_eval_input_file(skill_copy: Path) -> None:
    case = good_case(files=["evals/files/nope.py"])
    write_evals(skill_copy, {"skill_name": "relational-db-agent", "evals": [case]})
    [finding] = eval_findings(skill_copy)
    assert finding.code == codes.EVAL_FILE_MISSING and "evals/files/nope.py" in finding.message


def test_expectations_must_name_codes_rda_reports(skill_copy: Path) -> None:
    case = good_case(expectations=["the code looks clean", "no RDA999 is reported"])
    write_evals(skill_copy, {"skill_name": "relational-db-agent", "evals": [case]})
    found = eval_findings(skill_copy)
    assert [f.code for f in found] == [codes.EVAL_UNCHECKABLE] * 2
    assert "names no finding code" in found[0].message
    assert "names RDA999, which rda does not report" in found[1].message


def test_real_evals_cover_every_lesson_l02_to_l11() -> None:
    data = json.loads((SKILL / EVALS_FILE).read_text())
    lessons = {
        match.group(0)
        for case in data["evals"]
        for match in [re.match(r"L\d\d", case["expected_output"])]
        if match
    }
    assert {f"L{n:02d}" for n in range(2, 12)} <= lessons
    assert len(data["evals"]) >= 10


def test_real_evals_are_well_formed_and_name_real_codes() -> None:
    from verifier.skill.check import known_finding_codes

    assert eval_findings(SKILL, known_finding_codes()) == []

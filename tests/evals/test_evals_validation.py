"""``rda skill check`` validates the ``checks`` and ``verify`` keys of ``evals.json``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.evals.conftest import SKILL
from verifier.skill import codes
from verifier.skill.check import known_finding_codes
from verifier.skill.evals import EVALS_FILE, check_evals
from verifier.skill.package_files import load_skill


def messages(skill: Path) -> list[tuple[str, str]]:
    found = check_evals(load_skill(skill), known_finding_codes())
    return [(f.code, f.message) for f in found]


def with_case(tmp_path: Path, **case: object) -> Path:
    skill = tmp_path / "skill"
    shutil.copytree(SKILL, skill, ignore=shutil.ignore_patterns("__pycache__"))
    base = {
        "id": 1,
        "prompt": "Write get_session.",
        "expected_output": "L05 sessions",
        "files": [],
        "expectations": ["rda lint reports no RDA104", "the module reads well"],
    }
    (skill / EVALS_FILE).write_text(
        json.dumps({"skill_name": "relational-db-agent", "evals": [base | case]})
    )
    return skill


def test_the_skill_evals_are_valid() -> None:
    assert messages(SKILL) == []


def test_a_null_check_is_a_human_grader_s(tmp_path: Path) -> None:
    skill = with_case(tmp_path, checks=[{"absent": ["RDA104"]}, None])
    assert messages(skill) == []
    without = with_case(tmp_path / "b")
    assert [c for c, _ in messages(without)] == [codes.EVAL_UNCHECKABLE]


def test_misaligned_unknown_and_mismatched_checks(tmp_path: Path) -> None:
    skill = with_case(
        tmp_path,
        checks=[{"absent": ["RDA105"], "exitcode": 0}],
        verify={"contract": "evals/files/missing.py"},
    )
    found = messages(skill)
    assert (
        codes.EVALS_INVALID,
        "eval 1: checks has 1 entries for 2 expectations (entry i grades expectation i; null "
        "where a person must judge)",
    ) in found
    assert (
        codes.EVALS_INVALID,
        "eval 1: checks[0]: unknown key 'exitcode' (known: absent, present, exit, files, stage)",
    ) in found
    assert any(
        c == codes.EVAL_FILE_MISSING and "verify contract evals/files/missing.py" in m
        for c, m in found
    )


def test_a_check_must_grade_its_sentence_and_real_codes(tmp_path: Path) -> None:
    skill = with_case(tmp_path, checks=[{"absent": ["RDA105"]}, {"present": ["RDA99*"]}])
    found = messages(skill)
    assert (
        codes.EVAL_UNCHECKABLE,
        "eval 1: checks[0] (RDA105) grades none of the codes its expectation names (RDA104)",
    ) in found
    assert (
        codes.EVAL_UNCHECKABLE,
        "eval 1: checks[1] names RDA99*, which matches no code rda reports",
    ) in found

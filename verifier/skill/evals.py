"""``evals/evals.json``: skill-creator's format, and expectations ``rda`` can check.

The format (skill-creator's ``references/schemas.md``): ``{"skill_name": str, "evals": [{"id":
int, "prompt": str, "expected_output": str, "files": [str], "expectations": [str]}]}``, file
paths relative to the skill folder. This project adds one rule: every expectation names at least
one finding code (``RDA104``), and every code it names is one ``rda`` reports, so grading an
eval is reading a ``rda verify`` report, not a judgement call.

``rda eval`` grades through two more keys (``verifier.evals.expectations``): ``checks``, aligned
by index with ``expectations`` (an object per expectation, or null for one a person grades:
such an expectation need not name a code), and ``verify`` (contract and stages). Each check
must use known keys, name codes ``rda`` reports, and grade what its sentence says (one of the
codes the sentence names); a contract path must exist in the skill.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.package_files import Skill

EVALS_FILE = "evals/evals.json"
FINDING_CODE = re.compile(r"\bRDA\d{3}\b")


def load_evals(skill: Skill) -> tuple[dict[str, Any] | None, str | None]:
    """The parsed evals file (None if absent) and why it could not be read."""
    path = skill.root / EVALS_FILE
    if not path.exists():
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{EVALS_FILE} is not readable JSON: {exc}"
    if not isinstance(data, dict):
        return None, f"{EVALS_FILE} must hold a JSON object"
    return data, None


def check_evals(skill: Skill, known_codes: Collection[str]) -> Iterator[Finding]:
    data, error = load_evals(skill)
    if error is not None:
        yield Finding(codes.EVALS_INVALID, error, file=EVALS_FILE)
        return
    if data is None:
        return

    def invalid(message: str) -> Finding:
        return Finding(codes.EVALS_INVALID, message, file=EVALS_FILE)

    if data.get("skill_name") != skill.name:
        given = data.get("skill_name")
        yield invalid(f"skill_name is {given!r}, the skill is named {skill.name!r}")
    evals = data.get("evals")
    if not isinstance(evals, list) or not evals:
        yield invalid("'evals' must be a non-empty list")
        return
    seen: set[int] = set()
    for position, case in enumerate(evals):
        label = f"evals[{position}]"
        if not isinstance(case, dict):
            yield invalid(f"{label} is not an object")
            continue
        case_id = case.get("id")
        if not isinstance(case_id, int) or isinstance(case_id, bool):
            yield invalid(f"{label}: id must be an integer")
        elif case_id in seen:
            yield invalid(f"{label}: id {case_id} is used twice")
        else:
            seen.add(case_id)
            label = f"eval {case_id}"
        for key in ("prompt", "expected_output"):
            if not isinstance(case.get(key), str) or not case[key].strip():
                yield invalid(f"{label}: {key} must be a non-empty string")
        yield from _check_files(skill.root, label, case.get("files", []))
        checks = case.get("checks")
        graded_by_person = (
            {i for i, c in enumerate(checks) if c is None} if isinstance(checks, list) else set()
        )
        yield from _check_expectations(
            label, case.get("expectations"), known_codes, graded_by_person
        )
        yield from _check_machine_checks(skill.root, label, case, known_codes)


def _check_files(root: Path, label: str, files: object) -> Iterator[Finding]:
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        message = f"{label}: files must be a list of paths"
        yield Finding(codes.EVALS_INVALID, message, file=EVALS_FILE)
        return
    for name in files:
        if not (root / name).is_file():
            yield Finding(
                codes.EVAL_FILE_MISSING,
                f"{label}: input file {name} does not exist (paths are relative to the skill)",
                file=EVALS_FILE,
            )


def _check_machine_checks(
    root: Path, label: str, case: dict[str, Any], known_codes: Collection[str]
) -> Iterator[Finding]:
    """The ``checks`` and ``verify`` keys, in the format of ``verifier.evals.expectations``."""
    from fnmatch import fnmatchcase

    from verifier.evals.expectations import check_codes, check_problems, verify_problems

    expectations, checks = case.get("expectations"), case.get("checks")
    problems = check_problems(expectations, checks) + verify_problems(case.get("verify"))
    for problem in problems:
        yield Finding(codes.EVALS_INVALID, f"{label}: {problem}", file=EVALS_FILE)
    verify = case.get("verify")
    contract = verify.get("contract") if isinstance(verify, dict) else None
    if isinstance(contract, str) and contract not in ("taskapi", "none", "auto"):
        if not (root / contract).exists():
            yield Finding(
                codes.EVAL_FILE_MISSING,
                f"{label}: verify contract {contract} does not exist (paths are relative to "
                "the skill)",
                file=EVALS_FILE,
            )
    if problems or not isinstance(checks, list) or not isinstance(expectations, list):
        return
    for index, (text, check) in enumerate(zip(expectations, checks, strict=True)):
        patterns = check_codes(check)
        if known_codes:
            for pattern in patterns:
                if not any(fnmatchcase(code, pattern) for code in known_codes):
                    yield Finding(
                        codes.EVAL_UNCHECKABLE,
                        f"{label}: checks[{index}] names {pattern}, which matches no code rda "
                        "reports",
                        file=EVALS_FILE,
                    )
        cited = FINDING_CODE.findall(text) if isinstance(text, str) else []
        if cited and patterns and not any(fnmatchcase(c, p) for c in cited for p in patterns):
            yield Finding(
                codes.EVAL_UNCHECKABLE,
                f"{label}: checks[{index}] ({', '.join(patterns)}) grades none of the codes its "
                f"expectation names ({', '.join(cited)})",
                file=EVALS_FILE,
                fix="entry i of checks must grade expectation i",
            )


def _check_expectations(
    label: str,
    expectations: object,
    known_codes: Collection[str],
    graded_by_person: Collection[int] = (),
) -> Iterator[Finding]:
    if (
        not isinstance(expectations, list)
        or not expectations
        or not all(isinstance(e, str) and e.strip() for e in expectations)
    ):
        yield Finding(
            codes.EVALS_INVALID,
            f"{label}: expectations must be a non-empty list of statements",
            file=EVALS_FILE,
        )
        return
    for index, text in enumerate(expectations):
        if index in graded_by_person:
            continue  # its check is null: a person grades it, it need not name a code
        cited = FINDING_CODE.findall(text)
        unknown = sorted({code for code in cited if code not in known_codes})
        if not cited:
            problem = "names no finding code"
        elif unknown and known_codes:
            problem = f"names {', '.join(unknown)}, which rda does not report"
        else:
            continue
        yield Finding(
            codes.EVAL_UNCHECKABLE,
            f"{label}: expectation {text!r} {problem}",
            file=EVALS_FILE,
            fix="state it as codes rda verify reports (or must not report), e.g. 'no RDA104'",
        )

"""A skill's ``evals/evals.json`` read for grading: each eval with its checks and settings.

``rda skill check`` validates the file in depth (``verifier.skill.evals``); here it is read
strictly enough that grading cannot go wrong: a malformed ``checks`` or ``verify`` stops
``rda eval`` with a one-line message before anything runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.errors import UsageError
from verifier.evals.expectations import (
    VerifySettings,
    check_problems,
    verify_problems,
    verify_settings,
)

EVALS_FILE = Path("evals") / "evals.json"
NAME_LENGTH = 60


@dataclass(frozen=True)
class EvalCase:
    id: int
    prompt: str
    expected_output: str
    files: tuple[str, ...]
    expectations: tuple[str, ...]
    checks: tuple[dict[str, Any] | None, ...]
    settings: VerifySettings

    @property
    def name(self) -> str:
        """A human name for the viewer: the expected output's lead ("L05 sessions"), else
        ``eval <id>``."""
        lead = self.expected_output.split(":", 1)[0].strip()
        if lead and lead != self.expected_output.strip() and len(lead) <= NAME_LENGTH:
            return lead
        return f"eval {self.id}"


@dataclass(frozen=True)
class EvalSet:
    skill_name: str
    skill_dir: Path
    cases: dict[int, EvalCase]


def load_eval_set(skill_dir: Path) -> EvalSet:
    """The evals of the skill at ``skill_dir``; ``UsageError`` when they cannot be graded."""
    path = skill_dir / EVALS_FILE
    if not skill_dir.is_dir():
        raise UsageError(f"{skill_dir} is not a folder", "give the skill folder (holding SKILL.md)")
    if not path.is_file():
        raise UsageError(f"{path} does not exist", "the skill needs evals/evals.json to be graded")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path} is not readable JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("evals"), list):
        raise UsageError(f"{path} must be an object with an 'evals' list")
    cases: dict[int, EvalCase] = {}
    for position, raw in enumerate(data["evals"]):
        case = _case(path, position, raw, skill_dir)
        if case.id in cases:
            raise UsageError(f"{path}: eval id {case.id} is used twice")
        cases[case.id] = case
    return EvalSet(str(data.get("skill_name") or skill_dir.name), skill_dir.resolve(), cases)


def _case(path: Path, position: int, raw: object, skill_dir: Path) -> EvalCase:
    if not isinstance(raw, dict) or type(raw.get("id")) is not int:
        raise UsageError(f"{path}: evals[{position}] must be an object with an integer id")
    label = f"{path}: eval {raw['id']}"
    expectations = raw.get("expectations")
    if not isinstance(expectations, list) or not all(isinstance(e, str) for e in expectations):
        raise UsageError(f"{label}: expectations must be a list of strings")
    problems = check_problems(expectations, raw.get("checks")) + verify_problems(raw.get("verify"))
    if problems:
        raise UsageError(f"{label}: {problems[0]}", "rda skill check lists every problem")
    checks = raw.get("checks") or [None] * len(expectations)
    return EvalCase(
        id=raw["id"],
        prompt=str(raw.get("prompt", "")),
        expected_output=str(raw.get("expected_output", "")),
        files=tuple(str(f) for f in raw.get("files") or []),
        expectations=tuple(expectations),
        checks=tuple(checks),
        settings=verify_settings(raw.get("verify"), skill_dir.resolve()),
    )

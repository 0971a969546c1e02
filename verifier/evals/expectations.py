"""The machine-checkable form of ``evals.json`` expectations, and how one is graded.

Beside skill-creator's ``expectations`` (human sentences) an eval may carry ``checks``, a list
aligned by index with them: entry *i* grades expectation *i*, as an object whose keys must all
hold, or ``null`` when a person has to judge it. The keys read an ``rda verify`` JSON report of
the run's outputs:

- ``"absent": ["RDA702", "RDA2*"]``: no finding with any of these codes (fnmatch globs);
- ``"present": ["RDA104"]``: at least one finding of each;
- ``"exit": 0``: ``rda verify``'s exit code;
- ``"files": ["app/models.py"]``: these paths exist under the run's ``outputs/``;
- ``"stage": {"behavior": "passed"}``: the report's stage statuses.

An absence proves something only where a stage looked: "no RDA705" in a report whose behaviour
stage never ran (the target did not import, no contract) is not evidence that returned objects
are readable. So ``absent`` also requires that every stage which reports a matched code ran to
its end; otherwise the expectation fails and the evidence says which stage did not run.

``verify`` says how to verify the eval's outputs: ``{"contract": "taskapi"|"none"|"auto"|PATH,
"stages": [...]}``, a PATH relative to the skill folder. skill-creator ignores both keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

CHECK_KEYS = ("absent", "present", "exit", "files", "stage")
VERIFY_KEYS = ("contract", "stages")
STAGES = ("static", "import", "schema", "behavior", "migrations")
STAGE_STATUSES = ("passed", "failed", "skipped", "not run")
NEEDS_HUMAN = "needs a human grader"
SHOWN_FINDINGS = 3  # findings quoted in one piece of evidence

# The stage whose run proves a dynamic code absent. RDA713-RDA717 (timeouts, crashes, sandbox
# refusals) can come from any stage: their absence needs no stage of its own.
_DYNAMIC_STAGE = {
    "RDA701": "import",
    "RDA702": "import",
    "RDA703": "schema",
    "RDA704": "schema",
    **{f"RDA7{n:02d}": "behavior" for n in range(5, 13)},
    **{f"RDA80{n}": "migrations" for n in range(1, 6)},
}
_ANY_STAGE = tuple(f"RDA71{n}" for n in range(3, 8))
# A stage with one of these findings of its own stopped before its end.
_INTERRUPTED = ("RDA701", "RDA713", "RDA714")


@dataclass(frozen=True)
class VerifySettings:
    """How to verify one eval's outputs: ``contract`` None means rda verify's own default."""

    contract: str | None = None
    stages: tuple[str, ...] = STAGES


@dataclass
class Graded:
    """One expectation graded: skill-creator's ``passed``/``evidence``, plus the findings that
    made it fail (``rda reflect`` follows their ``skill_ref``)."""

    passed: bool
    evidence: str
    findings: list[dict[str, Any]] = field(default_factory=list)


# -- validation (rda skill check) ------------------------------------------------------------


def check_problems(expectations: object, checks: object) -> list[str]:
    """What is wrong with an eval's ``checks`` (an empty list when it is well-formed)."""
    if checks is None:
        return []
    if not isinstance(checks, list):
        return ["checks must be a list aligned with expectations"]
    problems = []
    if isinstance(expectations, list) and len(checks) != len(expectations):
        problems.append(
            f"checks has {len(checks)} entries for {len(expectations)} expectations "
            "(entry i grades expectation i; null where a person must judge)"
        )
    for index, check in enumerate(checks):
        problems += [f"checks[{index}]: {p}" for p in _entry_problems(check)]
    return problems


def _entry_problems(check: object) -> list[str]:
    if check is None:
        return []
    if not isinstance(check, dict) or not check:
        return ["must be an object with at least one of " + ", ".join(CHECK_KEYS) + ", or null"]
    problems = [
        f"unknown key {key!r} (known: {', '.join(CHECK_KEYS)})"
        for key in check
        if key not in CHECK_KEYS
    ]
    for key in ("absent", "present", "files"):
        if key in check and not _strings(check[key]):
            problems.append(f"{key} must be a non-empty list of strings")
    if "exit" in check and (type(check["exit"]) is not int or check["exit"] not in (0, 1, 2)):
        problems.append("exit must be 0, 1 or 2")
    if "stage" in check:
        stage = check["stage"]
        if not isinstance(stage, dict) or not stage:
            problems.append('stage must be an object like {"behavior": "passed"}')
        else:
            for name, status in stage.items():
                if name not in STAGES:
                    problems.append(f"stage {name!r} is not one of {', '.join(STAGES)}")
                if status not in STAGE_STATUSES:
                    problems.append(
                        f"stage {name}: status {status!r} is not one of {', '.join(STAGE_STATUSES)}"
                    )
    return problems


def verify_problems(verify: object) -> list[str]:
    """What is wrong with an eval's ``verify`` object."""
    if verify is None:
        return []
    if not isinstance(verify, dict):
        return ['verify must be an object like {"contract": "taskapi", "stages": [...]}']
    problems = [
        f"verify: unknown key {key!r} (known: {', '.join(VERIFY_KEYS)})"
        for key in verify
        if key not in VERIFY_KEYS
    ]
    contract = verify.get("contract")
    if "contract" in verify and (not isinstance(contract, str) or not contract.strip()):
        problems.append('verify: contract must be "taskapi", "none", "auto" or a path')
    if "stages" in verify:
        stages = verify["stages"]
        if not _strings(stages):
            problems.append("verify: stages must be a non-empty list")
        else:
            problems += [
                f"verify: unknown stage {s!r} (known: {', '.join(STAGES)})"
                for s in stages
                if s not in STAGES
            ]
    return problems


def _strings(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)


def check_codes(check: object) -> list[str]:
    """The code patterns a check names (for ``rda skill check``: each must match a real code)."""
    if not isinstance(check, dict):
        return []
    return [p for key in ("absent", "present") for p in check.get(key) or [] if isinstance(p, str)]


def verify_settings(verify: dict[str, Any] | None, skill_dir: Path) -> VerifySettings:
    """The ``verify`` object as settings; a contract path is relative to the skill folder."""
    verify = verify or {}
    contract = verify.get("contract")
    if contract in (None, "auto"):
        contract = None
    elif contract not in ("taskapi", "none"):
        contract = str((skill_dir / contract).resolve())
    stages = tuple(s for s in STAGES if s in verify.get("stages", STAGES))
    return VerifySettings(contract, stages)


# -- grading ---------------------------------------------------------------------------------


def grade(check: dict[str, Any] | None, report: dict[str, Any], outputs: Path) -> Graded:
    """Grade one expectation from the run's ``rda verify`` report (``Report.to_dict()``)."""
    if check is None:
        return Graded(False, NEEDS_HUMAN)
    parts = [
        _GRADERS[key](value, report, outputs) for key, value in check.items() if key in _GRADERS
    ]
    failed = [p for p in parts if not p.passed]
    if failed:
        return Graded(
            False, "; ".join(p.evidence for p in failed), [f for p in failed for f in p.findings]
        )
    return Graded(True, "; ".join(p.evidence for p in parts))


def _absent(patterns: list[str], report: dict[str, Any], outputs: Path) -> Graded:
    found = [f for f in report.get("findings", []) if _matches(f["code"], patterns)]
    if found:
        return Graded(False, _describe(found), [_brief(f) for f in found])
    unproven = sorted({s for p in patterns for s in reporting_stages(p)} - ran_stages(report))
    if unproven:
        statuses = _statuses(report)
        why = ", ".join(f"{s}: {statuses.get(s, 'not run')}{_note(report, s)}" for s in unproven)
        return Graded(
            False,
            f"not shown: no {_names(patterns)}, but the stage that reports it did not run "
            f"to its end ({why})",
        )
    return Graded(True, f"no {_names(patterns)} in the report")


def _present(patterns: list[str], report: dict[str, Any], outputs: Path) -> Graded:
    findings = report.get("findings", [])
    missing = [p for p in patterns if not any(fnmatchcase(f["code"], p) for f in findings)]
    if missing:
        return Graded(False, f"expected {_names(missing)}, the report has none")
    found = [f for f in findings if _matches(f["code"], patterns)]
    return Graded(True, _describe(found))


def _exit(expected: int, report: dict[str, Any], outputs: Path) -> Graded:
    actual = report.get("exit_code")
    errors = sorted({f["code"] for f in report.get("findings", []) if f["severity"] == "error"})
    detail = f" (error-level: {', '.join(errors)})" if errors else ""
    text = f"rda verify exited {actual}{detail}"
    if actual == expected:
        return Graded(True, text)
    blamed = [_brief(f) for f in report.get("findings", []) if f["severity"] == "error"]
    return Graded(False, f"{text}, expected {expected}", blamed)


def _files(paths: list[str], report: dict[str, Any], outputs: Path) -> Graded:
    missing = [p for p in paths if not (outputs / p).exists()]
    if missing:
        return Graded(False, f"missing from outputs/: {', '.join(missing)}")
    return Graded(True, f"outputs/ has {', '.join(paths)}")


def _stage(expected: dict[str, str], report: dict[str, Any], outputs: Path) -> Graded:
    statuses = _statuses(report)
    wrong = {name: statuses.get(name, "not run") for name, want in expected.items()}
    wrong = {name: got for name, got in wrong.items() if got != expected[name]}
    if wrong:
        text = ", ".join(
            f"{name} {got}{_note(report, name)} (expected {expected[name]})"
            for name, got in wrong.items()
        )
        blamed = [
            _brief(f)
            for f in report.get("findings", [])
            if f["severity"] == "error" and f.get("stage") in wrong
        ]
        return Graded(False, f"stage {text}", blamed)
    return Graded(True, ", ".join(f"{n} {s}" for n, s in expected.items()))


_GRADERS = {
    "absent": _absent,
    "present": _present,
    "exit": _exit,
    "files": _files,
    "stage": _stage,
}


def reporting_stages(pattern: str) -> set[str]:
    """The stages that must run to their end before "no finding matches ``pattern``" means
    anything: the stage of each dynamic code it matches, and ``static`` for the rest."""
    stages = {stage for code, stage in _DYNAMIC_STAGE.items() if fnmatchcase(code, pattern)}
    dynamic = set(_DYNAMIC_STAGE) | set(_ANY_STAGE)
    if any(fnmatchcase(code, pattern) for code in static_codes()) or not any(
        fnmatchcase(code, pattern) for code in dynamic
    ):
        stages.add("static")
    return stages


@cache
def static_codes() -> frozenset[str]:
    from verifier.rules import all_rules

    return frozenset(all_rules())


def ran_stages(report: dict[str, Any]) -> set[str]:
    """The stages that ran to their end: passed, or failed without stopping (an import error,
    a timeout or a crash pinned to the stage stops it)."""
    stopped = {f.get("stage") for f in report.get("findings", []) if f["code"] in _INTERRUPTED}
    return {
        s["name"]
        for s in report.get("stages", [])
        if s["status"] == "passed" or (s["status"] == "failed" and s["name"] not in stopped)
    }


def _statuses(report: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["status"] for s in report.get("stages", [])}


def _note(report: dict[str, Any], stage: str) -> str:
    for s in report.get("stages", []):
        if s["name"] == stage and s.get("note"):
            return f", {s['note']}"
    return ""


def _matches(code: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(code, p) for p in patterns)


def _names(patterns: list[str]) -> str:
    return patterns[0] if len(patterns) == 1 else ", ".join(patterns[:-1]) + " or " + patterns[-1]


def _describe(found: list[dict[str, Any]]) -> str:
    shown = [_where(f) for f in found[:SHOWN_FINDINGS]]
    more = len(found) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _where(found: dict[str, Any]) -> str:
    place = found.get("file") or "the target"
    if found.get("line"):
        place += f":{found['line']}"
    message = " ".join(str(found.get("message", "")).split())
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{found['code']} at {place} ({found.get('stage', 'static')}): {message}"


def _brief(found: dict[str, Any]) -> dict[str, Any]:
    """What grading keeps of a finding: enough to say what failed, where, and the skill_ref."""
    keys = ("code", "severity", "message", "file", "line", "stage", "fix", "skill_ref")
    return {k: found.get(k) for k in keys}

"""One run's ``grading.json``, in skill-creator's schema, from its ``rda verify`` outcome.

skill-creator's keys: ``expectations[]`` (``text``, ``passed``, ``evidence``), ``summary``
(``passed``, ``failed``, ``total``, ``pass_rate``), ``timing`` (executor, grader and total
seconds) and ``user_notes_summary`` (its aggregator copies those notes into the benchmark).
Ours besides, which its viewer ignores: a failed expectation's ``findings`` (code, place,
``skill_ref``: what ``rda reflect`` follows) and ``verify`` (exit code, stage statuses, codes).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from verifier.evals.evalset import EvalCase
from verifier.evals.expectations import NEEDS_HUMAN, Graded, grade
from verifier.evals.outcome import RunOutcome
from verifier.evals.timing import AgentTiming

GRADING_FILE = "grading.json"
REPORT_FILE = "verify.json"  # the run's full rda verify report, beside grading.json


def grade_run(
    case: EvalCase, outcome: RunOutcome, outputs: Path, timing: AgentTiming
) -> dict[str, Any]:
    """The grading of one run: every expectation of ``case`` against the outcome."""
    if outcome.report is None:
        why = outcome.error or "the run was not verified"
        graded = [Graded(False, f"not verified: {why}") for _ in case.expectations]
    else:
        graded = [grade(check, outcome.report, outputs) for check in case.checks]
    expectations = []
    for text, result in zip(case.expectations, graded, strict=True):
        entry: dict[str, Any] = {
            "text": text,
            "passed": result.passed,
            "evidence": result.evidence,
        }
        if result.findings:
            entry["findings"] = result.findings
        expectations.append(entry)
    passed = sum(1 for e in expectations if e["passed"])
    total = len(expectations)
    grader = round(outcome.seconds, 3)
    executor = round(timing.seconds, 3)
    return {
        "expectations": expectations,
        "summary": {
            "passed": passed,
            "failed": total - passed,
            "total": total,
            "pass_rate": round(passed / total, 4) if total else 0.0,
        },
        "timing": {
            "executor_duration_seconds": executor,
            "grader_duration_seconds": grader,
            "total_duration_seconds": round(executor + grader, 3),
        },
        "user_notes_summary": {
            "uncertainties": [f"not verified: {outcome.error}"] if outcome.error else [],
            "needs_review": [e["text"] for e in expectations if e["evidence"] == NEEDS_HUMAN],
            "workarounds": [],
        },
        "verify": verify_summary(outcome),
    }


def verify_summary(outcome: RunOutcome) -> dict[str, Any]:
    """What the benchmark keeps of the report: exit code, stage statuses, codes by count."""
    report = outcome.report
    if report is None:
        return {"exit_code": None, "stages": {}, "codes": {}, "error": outcome.error}
    counts = Counter(f["code"] for f in report.get("findings", []) if f["severity"] == "error")
    return {
        "exit_code": report.get("exit_code"),
        "stages": {s["name"]: s["status"] for s in report.get("stages", [])},
        "codes": dict(sorted(counts.items())),
        "error": None,
    }

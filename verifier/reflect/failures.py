"""What failed, read from a ``rda verify`` JSON report or an ``rda eval`` benchmark.

A report's error-level findings are grouped by code and skill_ref (one defect in five files is
one lesson, five places). A benchmark's failed expectations are grouped by eval and expectation
over every run, with how often each failed per configuration, and the findings that made them
fail (``grading.json`` keeps them with their ``skill_ref``). Both are ranked by how often they
failed. Expectations left to a human grader are not failures of the skill and are left out.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.errors import UsageError

NEEDS_HUMAN = "needs a human grader"
PLACES_SHOWN = 8


@dataclass
class Failure:
    title: str  # what failed
    count: int  # how often: findings (report) or failed runs (benchmark)
    out_of: int | None = None  # runs it was graded in (benchmark)
    places: list[str] = field(default_factory=list)  # "app/database.py:12 (static)"
    findings: list[dict[str, Any]] = field(default_factory=list)  # one per code, representative
    by_configuration: dict[str, int] = field(default_factory=dict)
    evidence: str = ""  # for REFLECTION.md: "RDA104 at app/db.py:3 (static)" or "eval 4"

    @property
    def skill_refs(self) -> list[str]:
        return list(dict.fromkeys(f["skill_ref"] for f in self.findings if f.get("skill_ref")))


def load_failures(path: Path, include_warnings: bool = False) -> tuple[str, list[Failure]]:
    """(``"report"`` or ``"benchmark"``, the failures ranked by how often they failed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{path} is not readable JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("runs"), list) and "run_summary" in data:
        return "benchmark", benchmark_failures(data)
    if isinstance(data, dict) and isinstance(data.get("reports"), list):
        reports = data["reports"]
    elif isinstance(data, dict) and isinstance(data.get("findings"), list):
        reports = [data]
    else:
        raise UsageError(
            f"{path} is neither an rda verify JSON report nor a benchmark.json",
            "rda verify --format json -o report.json, or rda eval's benchmark.json",
        )
    return "report", report_failures(reports, include_warnings)


def report_failures(reports: list[dict[str, Any]], include_warnings: bool) -> list[Failure]:
    wanted = ("error", "warning") if include_warnings else ("error",)
    groups: dict[tuple[str, str | None], Failure] = {}
    for report in reports:
        prefix = f"{Path(report['target']).name}/" if len(reports) > 1 else ""
        for found in report.get("findings", []):
            if found.get("severity") not in wanted:
                continue
            key = (found["code"], found.get("skill_ref"))
            failure = groups.get(key)
            place = _place(found, prefix)
            if failure is None:
                failure = groups[key] = Failure(
                    title=f"{found['code']}: {_first_sentence(found.get('message', ''))}",
                    count=0,
                    findings=[found],
                    evidence=f"{found['code']} at {place}",
                )
            failure.count += 1
            failure.places.append(place)
    return _ranked(groups.values())


def benchmark_failures(benchmark: dict[str, Any]) -> list[Failure]:
    groups: dict[tuple[int, str], Failure] = {}
    graded: Counter[tuple[int, str]] = Counter()
    for run in benchmark["runs"]:
        label = f"{run['configuration']}/run-{run['run_number']}"
        for expectation in run.get("expectations", []):
            key = (run["eval_id"], expectation["text"])
            graded[key] += 1
            if expectation.get("passed") or expectation.get("evidence") == NEEDS_HUMAN:
                continue
            failure = groups.get(key)
            if failure is None:
                failure = groups[key] = Failure(
                    title=f"eval {run['eval_id']}: {expectation['text']}",
                    count=0,
                    evidence=f"eval {run['eval_id']}",
                )
            failure.count += 1
            config = run["configuration"]
            failure.by_configuration[config] = failure.by_configuration.get(config, 0) + 1
            codes = {f["code"] for f in failure.findings}
            for found in expectation.get("findings", []):
                failure.places.append(f"{label}: {_place(found)}")
                if found["code"] not in codes:
                    codes.add(found["code"])
                    failure.findings.append(found)
            if not expectation.get("findings"):
                failure.places.append(f"{label}: {expectation.get('evidence', '')}")
    for key, failure in groups.items():
        failure.out_of = graded[key]
    return _ranked(groups.values())


def _ranked(failures: Any) -> list[Failure]:
    return sorted(failures, key=lambda f: (-f.count, f.title))


def _place(found: dict[str, Any], prefix: str = "") -> str:
    where = prefix + (found.get("file") or "the target")
    if found.get("line"):
        where += f":{found['line']}"
    return f"{where} ({found.get('stage', 'static')})"


def _first_sentence(message: str) -> str:
    text = " ".join(str(message).split())
    for end in (". ", ": "):
        if end in text[:200]:
            return text[: text.index(end)]
    return text[:200]

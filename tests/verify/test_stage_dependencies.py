"""A stage runs when what it needs was built, not when the stage before it found nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from verifier.report.model import Report

from .test_mutants import MUTANTS


def statuses(report: Report) -> dict[str, str]:
    return {s.name: s.status for s in report.stages}


def test_a_schema_finding_does_not_skip_behaviour(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    MUTANTS["foreign key without index"].apply(reference_copy)
    report = verify(reference_copy, stages=("import", "schema", "behavior"))
    assert {f.code for f in report.findings} == {"RDA202"}
    assert statuses(report) == {"import": "passed", "schema": "failed", "behavior": "passed"}


def test_behaviour_without_the_schema_stage_gets_a_schema_built(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    report = verify(reference_copy, stages=("import", "behavior"))
    assert report.findings == []
    assert statuses(report) == {"import": "passed", "behavior": "passed"}


def test_behaviour_alone_gets_import_and_schema_built(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    report = verify(reference_copy, stages=("behavior",))
    assert report.findings == [] and statuses(report) == {"behavior": "passed"}


def test_a_target_that_does_not_import_skips_the_rest_with_the_reason(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    MUTANTS["import of a missing module"].apply(reference_copy)
    report = verify(reference_copy)
    assert {f.code for f in report.findings} == {"RDA701"}  # said once, not again by alembic
    stages = {s.name: s for s in report.stages}
    assert stages["import"].status == "failed"
    for name in ("schema", "behavior", "migrations"):
        assert stages[name].status == "skipped"
        assert stages[name].note == "the target did not import"

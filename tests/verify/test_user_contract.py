"""``--contract PATH`` runs the user's own pytest contract with the sandbox fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from verifier.report.model import Report

from .conftest import codes

CONTRACTS = Path(__file__).parent / "contracts"
STAGES = ("import", "schema", "behavior")


def test_passing_user_contract_is_silent(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    report = verify(reference_copy, STAGES, contract=str(CONTRACTS / "passing_contract.py"))
    assert report.findings == []
    assert [s.status for s in report.stages] == ["passed", "passed", "passed"]


def test_failing_user_contract_names_the_test(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    report = verify(reference_copy, STAGES, contract=str(CONTRACTS / "failing_contract.py"))
    assert codes(report) == {"RDA712"}
    (failure,) = report.findings
    assert "test_project_name_is_kept" in failure.message
    assert "'Mine' == 'Yours'" in failure.message
    assert failure.file == str(CONTRACTS / "failing_contract.py")


def test_contract_none_skips_behavior(reference_copy: Path, verify: Callable[..., Report]) -> None:
    report = verify(reference_copy, STAGES, contract="none")
    assert report.findings == []
    assert [s.status for s in report.stages] == ["passed", "passed", "skipped"]

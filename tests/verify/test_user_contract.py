"""``--contract PATH`` runs the user's own pytest contract with the sandbox fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.reference_copies import patch
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


def test_contract_none_still_runs_the_generic_checks(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    report = verify(reference_copy, STAGES, contract="none")
    assert report.findings == []
    assert [s.status for s in report.stages] == ["passed", "passed", "passed"]
    assert any(note.startswith("generic checks:") for note in report.assumptions)


def test_a_contract_inside_the_target_runs_from_its_copy(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    """The target lives under /tmp, which the sandbox replaces: the copy's file is the one run."""
    inside = reference_copy / "contract" / "test_layer.py"
    inside.parent.mkdir()
    inside.write_text((CONTRACTS / "failing_contract.py").read_text())
    report = verify(reference_copy, STAGES, contract=str(inside))
    (failure,) = report.findings
    assert failure.code == "RDA712" and "test_project_name_is_kept" in failure.message
    assert failure.file == "contract/test_layer.py"  # as the user knows it: in their project
    assert failure.skill_ref == "references/testing.md#test-against-postgresql"


def test_a_contract_outside_the_target_under_tmp_runs_too(
    reference_copy: Path, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    outside = tmp_path / "elsewhere" / "test_layer.py"
    outside.parent.mkdir()
    outside.write_text((CONTRACTS / "passing_contract.py").read_text())
    report = verify(reference_copy, STAGES, contract=str(outside))
    assert report.findings == [], [f.message for f in report.findings]


def test_a_statement_budget_failure_says_how_many_ran(
    reference_copy: Path, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    contract = tmp_path / "test_budget.py"
    contract.write_text(
        "async def test_budget(rda_target_modules, rda_session, rda_statement_counter):\n"
        "    crud = rda_target_modules.crud\n"
        "    with rda_statement_counter.at_most(1):\n"
        "        await crud.create_project(rda_session, 'a')\n"
        "        await crud.create_project(rda_session, 'b')\n"
    )
    (failure,) = verify(reference_copy, STAGES, contract=str(contract)).findings
    assert "SQL statements ran where at most 1 were allowed" in failure.message


def test_a_context_manager_get_session_is_opened_as_such(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    patch(
        reference_copy,
        "taskapi/database.py",
        "async def get_session() -> AsyncIterator[AsyncSession]:",
        "@asynccontextmanager\nasync def get_session() -> AsyncIterator[AsyncSession]:",
    )
    patch(
        reference_copy,
        "taskapi/database.py",
        "import os\n",
        "import os\nfrom contextlib import asynccontextmanager\n",
    )
    report = verify(reference_copy, STAGES, contract=str(CONTRACTS / "passing_contract.py"))
    assert report.findings == [], [f.message for f in report.findings]
    taskapi = verify(reference_copy, STAGES)  # the built-in contract opens it the same way
    assert taskapi.findings == [], [f.message for f in taskapi.findings]


def test_a_failure_raised_in_the_target_is_located_there(
    reference_copy: Path, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    contract = tmp_path / "test_handles.py"
    contract.write_text(
        "async def test_a_handle_twice(rda_target_modules, rda_target_session):\n"
        "    crud = rda_target_modules.crud\n"
        "    await crud.create_worker(rda_target_session, 'ada', 'Ada')\n"
        "    await crud.create_worker(rda_target_session, 'ada', 'Ada again')\n"
    )
    (failure,) = verify(reference_copy, STAGES, contract=str(contract)).findings
    source = (reference_copy / "taskapi/crud.py").read_text().splitlines()
    assert failure.file == "taskapi/crud.py"
    assert "raise DuplicateHandleError(handle)" in source[failure.line - 1]
    assert failure.details["test"] == f"{contract}:1"
    assert "DuplicateHandleError" in failure.message
    assert "Task API" not in (failure.fix or "") and "capstone" not in (failure.fix or "")


def test_the_plugin_fixture_names_mean_the_same_inside_verify(
    reference_copy: Path, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    contract = tmp_path / "test_fixtures.py"
    contract.write_text(
        "from sqlmodel.ext.asyncio.session import AsyncSession\n"
        "from sqlalchemy import text\n\n"
        "async def test_rda_session_is_ours_on_the_test_database(\n"
        "    rda_session, rda_engine, rda_database_url, rda_target_session\n"
        "):\n"
        "    assert type(rda_session) is AsyncSession\n"
        "    assert not rda_session.sync_session.expire_on_commit\n"
        "    assert rda_session.bind is rda_engine\n"
        "    assert rda_engine.url.database == rda_target_session.bind.url.database\n"
        "    assert (await rda_session.exec(text('SELECT count(*) FROM task'))).one()[0] == 0\n"
    )
    report = verify(reference_copy, STAGES, contract=str(contract))
    assert report.findings == [], [f.message for f in report.findings]

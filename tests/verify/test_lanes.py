"""How ``rda verify`` spreads a target's dynamic stages over children that run at once.

The migrations run in a child of their own, a contract in another (on a database of its own),
the rest in a third; under ``--jobs`` everything runs in one child per target. A stage whose
parts ran in two children is still one stage in the report and on the progress lines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.reference_copies import patch
from verifier.db.base import DatabaseProvider
from verifier.sandbox.runner import Limits, Sandbox
from verifier.verify.pipeline import Lane, Options, plan_lanes, verify_target
from verifier.verify.target import load_target

ROOT = Path(__file__).resolve().parents[2]
CHAT = ROOT / "examples" / "chat"
DYNAMIC = ["import", "schema", "behavior", "migrations"]


def chat_copy(tmp_path: Path) -> Path:
    root = tmp_path / "chat"
    shutil.copytree(CHAT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_a_contract_gets_a_child_of_its_own(tmp_path: Path) -> None:
    target = load_target(chat_copy(tmp_path), None)  # its manifest names its pytest contract
    assert plan_lanes(target, DYNAMIC) == [
        Lane(["import", "schema", "behavior"], [], ("generic",)),
        Lane(["behavior"], ["import", "build"], ("contract",)),
        Lane(["migrations"]),
    ]


def test_without_a_contract_the_behaviour_stays_with_the_schema(tmp_path: Path) -> None:
    target = load_target(chat_copy(tmp_path), "none")
    assert plan_lanes(target, DYNAMIC) == [
        Lane(["import", "schema", "behavior"], [], None),
        Lane(["migrations"]),
    ]


def test_one_child_per_target_under_jobs(tmp_path: Path) -> None:
    target = load_target(chat_copy(tmp_path), None)
    assert plan_lanes(target, DYNAMIC, split=False) == [Lane(DYNAMIC, [], None)]
    assert plan_lanes(target, ["behavior"], split=False) == [
        Lane(["behavior"], ["import", "build"], None)
    ]


def test_both_parts_report_into_one_behaviour_stage(
    tmp_path: Path, rda_provider: DatabaseProvider, rda_sandbox: Sandbox
) -> None:
    """A contract failure (its child) and a generic finding (the other child): both reported,
    one behaviour stage that failed, its progress said once at the start and once at the end."""
    root = chat_copy(tmp_path)
    patch(  # a refresh per row: the generic checks' N+1 (RDA707), no contract test sees it
        root,
        "chat/crud.py",
        "    return list(result.all())",
        "    conversations = list(result.all())\n"
        "    for conversation in conversations:\n"
        '        await session.refresh(conversation, ["user"])\n'
        "    return conversations",
    )
    contract = tmp_path / "test_own.py"
    contract.write_text(
        "async def test_the_contracts_own_failure(rda_target_modules):\n"
        "    assert rda_target_modules.crud is None, 'fails in the contract child'\n"
    )
    lines: list[tuple[str, str]] = []
    options = Options(
        ("import", "schema", "behavior"), Limits(timeout=60, check_timeout=10), sandbox=rda_sandbox
    )
    report = verify_target(
        load_target(root, str(contract)),
        rda_provider,
        options,
        progress=lambda _target, stage, status: lines.append((stage, status)),
    )
    found = {(f.code, f.file) for f in report.findings}
    assert ("RDA707", "chat/crud.py") in found, report.findings
    assert ("RDA712", str(contract)) in found, report.findings
    assert [(s.name, s.status) for s in report.stages] == [
        ("import", "passed"),
        ("schema", "passed"),
        ("behavior", "failed"),
    ]
    assert [line for line in lines if line[0] == "behavior"] == [
        ("behavior", "running"),
        ("behavior", "failed"),
    ]

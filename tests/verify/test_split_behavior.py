"""The behavior stage split over a target's two children, and shown as one stage.

With migrations and a contract, ``plan_lanes`` keeps the contract in the first child and gives
the generic checks to the migrations child, after its migrations. The report and the progress
lines must still show one behavior stage, failed when either part failed; a defect only the
generic checks see must be found there as it is in one child.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from verifier.report.model import Report, StageResult
from verifier.verify.pipeline import Lane, plan_lanes
from verifier.verify.split_stages import SharedProgress, merge_split_stages
from verifier.verify.target import load_target

from .test_generic_checks import CHAT, MUTANTS, assert_caught_once, copy_of

DYNAMIC = ("import", "schema", "behavior", "migrations")


def shapes(lanes: list[Lane]) -> list[tuple[list[str], list[str], tuple[str, ...]]]:
    return [(lane.order, lane.silent, lane.behavior) for lane in lanes]


def test_with_migrations_the_generic_checks_go_to_the_migrations_child() -> None:
    target = load_target(CHAT)
    assert shapes(plan_lanes(target, list(DYNAMIC))) == [
        (["import", "schema", "behavior"], [], ("contract",)),
        (["migrations", "import", "build", "behavior"], ["import", "build"], ("generic",)),
    ]


def test_one_child_no_behavior_or_no_contract_keeps_the_stage_whole() -> None:
    target = load_target(CHAT)
    both = ("contract", "generic")
    assert shapes(plan_lanes(load_target(CHAT, "none"), list(DYNAMIC))) == [
        (["import", "schema", "behavior"], [], both),
        (["migrations"], [], both),
    ]
    assert shapes(plan_lanes(target, list(DYNAMIC), split=False)) == [
        (["migrations", "import", "schema", "behavior"], [], both)
    ]
    assert shapes(plan_lanes(target, ["import", "schema", "behavior"])) == [
        (["import", "schema", "behavior"], [], both)
    ]
    assert shapes(plan_lanes(target, ["import", "migrations"])) == [
        (["import"], [], both),
        (["migrations"], [], both),
    ]


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [
        ("passed", "failed", "failed"),
        ("failed", "skipped", "failed"),
        ("skipped", "passed", "passed"),
        ("skipped", "skipped", "skipped"),
    ],
)
def test_a_split_stage_is_one_result_failed_when_a_part_failed(
    first: str, second: str, status: str
) -> None:
    merged = merge_split_stages(
        [
            StageResult("import", "passed", 0.1),
            StageResult("behavior", first, 0.8, "the first part's note"),
            StageResult("migrations", "passed", 0.7),
            StageResult("behavior", second, 0.5, "the second part's note"),
        ]
    )
    assert [(r.name, r.status) for r in merged] == [
        ("import", "passed"),
        ("behavior", status),
        ("migrations", "passed"),
    ]
    behavior = merged[1]
    assert behavior.seconds == 0.8  # the parts ran side by side: the longer one
    notes = [n for s, n in ((first, "the first"), (second, "the second")) if s == status]
    assert behavior.note == "; ".join(f"{n} part's note" for n in notes)


def test_a_split_stage_is_one_progress_line_each_way() -> None:
    lines: list[tuple[str, str]] = []
    progress = SharedProgress(
        lambda _t, stage, status: lines.append((stage, status)),
        [
            "import",
            "behavior",
            "migrations",
            "behavior",
        ],
    )
    for stage, status in [
        ("behavior", "running"),
        ("migrations", "running"),
        ("behavior", "running"),
        ("behavior", "passed"),
        ("migrations", "passed"),
        ("behavior", "failed"),
    ]:
        progress("t", stage, status)
    assert lines == [
        ("behavior", "running"),
        ("migrations", "running"),
        ("migrations", "passed"),
        ("behavior", "failed"),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "message committed before the conversation is bumped",
        "a connection opened and never returned",
    ],
)
def test_a_defect_of_the_generic_checks_is_found_in_the_migrations_child(
    name: str, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    """With the chat example's own contract, which passes on these defects."""
    mutant = MUTANTS[name]
    root = copy_of(CHAT, tmp_path)
    mutant.apply(root)
    report = verify(root, stages=DYNAMIC, check_timeout=10)
    assert_caught_once(report, mutant, root)
    assert [(s.name, s.status) for s in report.stages] == [
        ("import", "passed"),
        ("schema", "passed"),
        ("behavior", "failed"),
        ("migrations", "passed"),
    ]

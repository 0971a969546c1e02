"""The dynamic checks' codes are documented and reachable through ``rda rule``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verifier import skill_refs
from verifier.cli import main
from verifier.stages.codes import CODES

VERIFIER = Path(__file__).resolve().parents[2] / "verifier"


def test_every_dynamic_code_in_use_is_documented() -> None:
    used = set()
    for path in VERIFIER.rglob("*.py"):
        used |= set(re.findall(r'"(RDA[78]\d\d)"', path.read_text(encoding="utf-8")))
    assert used, "no dynamic code found: the search itself is broken"
    assert used <= set(CODES), sorted(used - set(CODES))


def test_every_dynamic_code_points_at_the_skill() -> None:
    assert {c.skill_ref for c in CODES.values()} <= set(skill_refs.ALL.values())


@pytest.mark.parametrize("code", ["RDA705", "rda707", "RDA803"])
def test_rda_rule_prints_a_dynamic_check(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", code]) == 0
    out = capsys.readouterr().out
    assert f"({code.upper()})" in out and "## Use instead" in out


def test_unknown_code_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "RDA799"]) == 2
    assert "unknown rule RDA799" in capsys.readouterr().err

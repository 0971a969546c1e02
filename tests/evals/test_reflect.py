"""``rda reflect`` on the report of a mutant of the reference implementation, and on a
benchmark: the right skill section named and quoted, the edit proposed, REFLECTION.md entry."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.evals.conftest import SKILL
from tests.reference_copies import copy_reference, patch
from verifier.cli import main
from verifier.evals.evaluate import EvalResult


@pytest.fixture
def mutant_report(tmp_path: Path, capsys: Any) -> Path:
    """The reference implementation with expire_on_commit on and pool_pre_ping off."""
    target = copy_reference(tmp_path)
    database = "taskapi/database.py"
    patch(target, database, "expire_on_commit=False", "expire_on_commit=True")
    patch(target, database, "pool_pre_ping=True", "pool_size=5")
    report = tmp_path / "report.json"
    code = main(
        ["verify", str(target), "--stages", "static", "--format", "json", "-q", "-o", str(report)]
    )
    assert code == 1
    capsys.readouterr()
    return report


def test_reflect_names_and_quotes_the_section(mutant_report: Path, capsys: Any) -> None:
    assert main(["reflect", str(mutant_report), "--skill", str(SKILL), "--warnings"]) == 0
    out = capsys.readouterr().out
    assert "### RDA104: references/sessions.md#expire-on-commit" in out
    assert '- skill section: references/sessions.md "Expire on commit"' in out
    # the section explains the crash, but its prose never says to turn the setting off
    section = out[out.index("### RDA104") : out.index("## 2.")]
    assert "- teaches the fix: no; the section says:" in section
    assert "> By default a session *expires* every object when it commits" in section
    assert 'end of section "Expire on commit"' in section
    assert "Pass `expire_on_commit=False`: otherwise" in section
    # pool_pre_ping is taught in its section: the sentence is quoted, the edit goes after it
    pre_ping = out[out.index("### RDA604") :]
    assert "references/engine-pooling.md#pool-sizing-and-pre-ping" in pre_ping
    assert re.search(r"- teaches the fix: yes, line \d+:\n\n  > `pool_pre_ping=True` ", pre_ping)
    assert "**Checked by rda verify (RDA604):** add `pool_pre_ping=True`" in pre_ping


def test_reflect_without_warnings_sees_errors_only(mutant_report: Path, capsys: Any) -> None:
    assert main(["reflect", str(mutant_report), "--skill", str(SKILL)]) == 0
    out = capsys.readouterr().out
    assert "RDA104" in out and "RDA604" not in out


def test_append_writes_a_dated_entry(mutant_report: Path, tmp_path: Path, capsys: Any) -> None:
    skill = tmp_path / "skill"
    shutil.copytree(SKILL, skill)
    before = (skill / "REFLECTION.md").read_text()
    assert main(["reflect", str(mutant_report), "--skill", str(skill), "--append"]) == 0
    after = (skill / "REFLECTION.md").read_text()
    assert after.startswith(before)
    entry = after[len(before) :].strip()
    today = datetime.now().astimezone().date().isoformat()
    lines = entry.splitlines()
    assert lines[0] == f"## {today}: rda reflect on report.json: RDA104"
    assert [line.split(":")[0] for line in lines[2:]] == [
        "- evidence",
        "- skill_ref",
        "- gap",
        "- change",
        "- check",
    ]
    assert lines[3] == "- skill_ref: references/sessions.md#expire-on-commit"
    assert "appended an entry" in capsys.readouterr().err


def test_reflect_on_a_benchmark_ranks_failed_expectations(graded: EvalResult, capsys: Any) -> None:
    benchmark = graded.written[0]
    assert main(["reflect", str(benchmark), "--skill", str(SKILL)]) == 0
    out = capsys.readouterr().out
    titles = re.findall(r"^## \d+\. (.*)$", out, flags=re.M)
    # eval 3's timestamp expectation failed in three runs of four (one not verified): the top
    assert titles[0] == (
        "eval 3: rda lint reports no RDA201 and no RDA211: timestamps default through "
        "datetime.now(UTC)"
    )
    assert "- how often: 3 failed run(s) of 4 graded (with_skill: 1, without_skill: 2)" in out
    top = out[: out.index("## 2.")]
    assert "### RDA201: references/models-indexing.md#timezone-aware-timestamps" in top
    assert "without_skill/run-2: not verified: outputs/ holds no Python file" in top
    assert "RDA202: references/models-indexing.md#index-every-foreign-key" in out
    unindexed = out[out.index("eval 1: rda verify reports no RDA202") :]
    assert unindexed.split("\n")[2] == "- how often: 1 failed run(s) of 4 graded (with_skill: 1)"


def test_reflect_refuses_what_it_cannot_read(tmp_path: Path, capsys: Any) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    assert main(["reflect", str(other), "--skill", str(SKILL)]) == 2
    assert "neither an rda verify JSON report nor a benchmark.json" in capsys.readouterr().err
    assert main(["reflect", str(tmp_path / "missing.json"), "--skill", str(SKILL)]) == 2
    assert "does not exist" in capsys.readouterr().err

"""``# runnable`` examples run on a real throwaway PostgreSQL; a failure is a finding."""

from __future__ import annotations

import time

from verifier.db.base import DatabaseProvider
from verifier.skill import codes
from verifier.skill.examples import Example, collect_examples, parse_example
from verifier.skill.markdown import CodeBlock
from verifier.skill.package_files import load_skill
from verifier.skill.runnable import run_examples

from .conftest import BrokenCheck
from .helpers import JSONB_DOC, RUNNABLE_DOC, SKILL, TREE_DOC

QUERY_THE_DATABASE = """\
# runnable
import asyncio
import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


async def main() -> None:
    engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    async with engine.connect() as conn:
        name = (await conn.execute(text("SELECT current_database()"))).scalar_one()
        await conn.execute(text("CREATE TABLE probe (id int)"))
    await engine.dispose()
    assert name.startswith("rda_"), name
    print(sorted(os.environ))


asyncio.run(main())
"""


def example(code: str, line: int = 10) -> Example:
    return parse_example("references/demo.md", CodeBlock("python", code, line))


def test_a_runnable_example_gets_its_own_database(rda_provider: DatabaseProvider) -> None:
    # twice: the second run would fail on CREATE TABLE if the database were shared
    blocks = [example(QUERY_THE_DATABASE), example(QUERY_THE_DATABASE)]
    assert list(run_examples(blocks, rda_provider)) == []


def test_a_failing_example_is_a_finding_at_its_line(rda_provider: DatabaseProvider) -> None:
    failing = QUERY_THE_DATABASE.replace('"SELECT current_database()"', '"SELECT nope"')
    [finding] = run_examples([example(failing, line=42)], rda_provider)
    assert finding.code == codes.RUNNABLE_FAILED
    assert (finding.file, finding.line) == ("references/demo.md", 42)
    assert "exited with status 1" in finding.message
    assert 'column "nope" does not exist' in finding.message


def test_a_hanging_example_is_killed_at_the_timeout(rda_provider: DatabaseProvider) -> None:
    hanging = "# runnable\nimport time\n\ntime.sleep(60)\n"
    started = time.monotonic()
    [finding] = run_examples([example(hanging)], rda_provider, timeout=2)
    assert time.monotonic() - started < 20
    assert "did not finish within 2 s" in finding.message


def test_the_real_skills_runnable_examples_pass(rda_provider: DatabaseProvider) -> None:
    runnable = [e for e in collect_examples(load_skill(SKILL)) if e.runnable]
    assert len(runnable) >= 3
    assert list(run_examples(runnable, rda_provider)) == []


def test_check_reports_a_broken_runnable_example(broken_check: BrokenCheck) -> None:
    # the example still lints the same, but no longer runs: the row it reads is not there
    report = broken_check.report
    [finding] = [f for f in report["findings"] if f["stage"] == "runnable"]
    assert finding["code"] == codes.RUNNABLE_FAILED
    assert finding["file"] == RUNNABLE_DOC
    assert "AssertionError" in finding["message"]
    assert {s["name"]: s["status"] for s in report["stages"]}["runnable"] == "failed"
    # and it is all the check found but the two layers broken in the same copy (test_layers)
    others = sorted((f["code"], f["file"]) for f in report["findings"] if f is not finding)
    assert others == [(codes.LAYER_REJECTED, JSONB_DOC), (codes.LAYER_REJECTED, TREE_DOC)]

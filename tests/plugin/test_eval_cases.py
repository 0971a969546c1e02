"""The skill's evals as Claude Code eval cases: `tests/plugin/evals/`, from plugin_eval_cases.py.

- The committed cases are exactly what the generator writes from evals.json (they cannot drift).
- Claude Code loads every case: `claude plugin eval . --max-cost-usd 0` loads and validates the
  whole suite (schema, grader types, tools the graders need, scaffold scripts) and prints the
  plan, then stops before the first run because the cost ceiling is hit: no model call, no
  account needed. Claude Code 2.1.328 has no list or dry-run option; this is its dry run.
- Each case's report regex passes exactly when `rda eval` passes the expectation: the regexes
  are run by node (Claude Code's regex engine) over reports rendered by rda's own JSON renderer,
  synthetic ones covering every code and stage outcome, and a real `rda verify` report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from verifier.evals.evalset import load_eval_set
from verifier.evals.expectations import STAGES, grade, reporting_stages, static_codes
from verifier.findings import Finding, Severity
from verifier.report.json_report import render_json
from verifier.report.model import Report, StageResult
from verifier.stages.codes import CODES

from .claude_code import ClaudeCode
from .helpers import ROOT, load_tool

SKILL = ROOT / "skills" / "relational-db-agent"
GENERATOR = ROOT / "tools" / "plugin_eval_cases.py"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Claude Code's regex engine (node) is missing")


@pytest.fixture(scope="module")
def cases() -> Any:
    return load_tool("plugin_eval_cases")


def committed_cases() -> dict[str, dict[str, Any]]:
    eval_dir = ROOT / "tests" / "plugin" / "evals"
    return {
        path.parent.name: yaml.safe_load(path.read_text())
        for path in sorted(eval_dir.glob("*/case.yaml"))
    }


# -- one source of truth -----------------------------------------------------------------------


def test_committed_cases_are_what_the_generator_writes(cases: Any) -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert cases.eval_dir() == ROOT / "tests" / "plugin" / "evals"  # named in plugin.json
    assert cases.differences(cases.generate(), cases.on_disk(cases.eval_dir())) == []


def test_check_fails_when_a_case_is_edited_by_hand(cases: Any, tmp_path: Path) -> None:
    copy = tmp_path / "evals"
    cases.write(copy, cases.generate())
    first = sorted(copy.glob("*/case.yaml"))[0]
    first.write_text(first.read_text().replace("max_turns: 100", "max_turns: 5"))
    (copy / "eval-99-extra").mkdir()
    (copy / "eval-99-extra" / "case.yaml").write_text("name: extra\n")
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check", "--output", str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"differs: {first.parent.name}/case.yaml" in result.stderr
    assert "not generated: eval-99-extra/case.yaml" in result.stderr


def test_write_removes_stale_cases_and_keeps_run_results(cases: Any, tmp_path: Path) -> None:
    copy = tmp_path / "evals"
    (copy / "eval-99-gone").mkdir(parents=True)
    (copy / "eval-99-gone" / "case.yaml").write_text("name: gone\n")
    (copy / "results" / "2026").mkdir(parents=True)
    (copy / "results" / "2026" / "aggregate-result.json").write_text("{}")
    wanted = cases.generate()
    cases.write(copy, wanted)
    assert not (copy / "eval-99-gone").exists()
    assert (copy / "results" / "2026" / "aggregate-result.json").is_file()
    assert cases.differences(wanted, cases.on_disk(copy)) == []


def test_each_case_carries_its_eval(cases: Any) -> None:
    evalset = load_eval_set(SKILL)
    committed = committed_cases()
    assert len(committed) == len(evalset.cases)
    for case in evalset.cases.values():
        data = committed[cases.slug(case)]
        assert data["name"] == cases.slug(case)
        assert data["description"] == case.expected_output
        prompt = data["execution"]["prompt"]
        assert prompt.startswith(case.prompt.strip())
        assert cases.verify_command(case.settings) in prompt
        names = {g["name"] for g in data["graders"]}
        for number, check in enumerate(case.checks, 1):
            assert f"expectation-{number}" in names or check == {"files": check.get("files")}
            for path in (check or {}).get("files", []):
                assert f"expectation-{number}-has-{path}" in names
        llm = [g for g in data["graders"] if g["type"] == "llm"]
        assert len(llm) == sum(check is None for check in case.checks)
        assert ("context" in data) == bool(case.files)


def test_verify_command_follows_the_evals_verify_settings(cases: Any) -> None:
    evalset = load_eval_set(SKILL)
    commands = {case.id: cases.verify_command(case.settings) for case in evalset.cases.values()}
    assert commands[1] == (
        "rda verify . --contract none --stages static,import,schema "
        "--format json --output rda-report.json"
    )
    assert commands[12] == "rda verify . --contract taskapi --format json --output rda-report.json"
    # no "verify" in evals.json: rda verify's defaults
    assert commands[4] == "rda verify . --format json --output rda-report.json"


def test_scaffold_puts_the_input_files_where_the_prompt_names_them(tmp_path: Path) -> None:
    evalset = load_eval_set(SKILL)
    with_files = [case for case in evalset.cases.values() if case.files]
    assert with_files
    eval_dir = ROOT / "tests" / "plugin" / "evals"
    tool = load_tool("plugin_eval_cases")
    for case in with_files:
        work = tmp_path / f"work-{case.id}"
        work.mkdir()
        script = eval_dir / tool.slug(case) / "scaffold.sh"
        # as Claude Code runs it: bash SCRIPT, in the run's working folder
        result = subprocess.run(["bash", str(script)], cwd=work, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        for name in case.files:
            assert name in case.prompt
            assert (work / name).read_bytes() == (SKILL / name).read_bytes()


# -- Claude Code loads every case --------------------------------------------------------------


GRANTS = ("--allow-tools", "Write", "Edit", "Bash")  # what the README's eval line grants


def dry_run(
    claude: ClaudeCode, plugin: Path, home: Path, out: Path, grants: tuple[str, ...] = GRANTS
) -> tuple[int, str]:
    result = claude.run(
        "plugin",
        "eval",
        str(plugin),
        "--trust-plugin",
        "--max-cost-usd",
        "0",
        "--scaffold",
        *grants,
        "--no-publish",
        "--output-dir",
        str(out),
        home=home,
    )
    return result.returncode, result.stdout + result.stderr


def test_claude_code_loads_every_case(
    claude: ClaudeCode, home: Path, plugin_copy: Path, tmp_path: Path
) -> None:
    count = len(load_eval_set(SKILL).cases)
    code, output = dry_run(claude, plugin_copy, home, tmp_path / "out")
    assert code == 2 and "cost ceiling $0 hit" in output, output  # stopped before any run
    assert "Using eval directory tests/plugin/evals/" in output, output
    assert f"2 arms \N{MULTIPLICATION SIGN} {count} cases" in output, output  # with/without plugin
    assert "Couldn't load" not in output and "✗" not in output, output
    warnings = [line for line in output.splitlines() if line.startswith("⚠")]
    assert warnings == ["⚠ cost ceiling $0 hit; skipping remaining cases"], output
    assert not (plugin_copy / "tests" / "plugin" / "evals" / "results").exists()


def test_a_case_claude_code_cannot_load_is_reported(
    claude: ClaudeCode, home: Path, plugin_copy: Path, tmp_path: Path
) -> None:
    case = sorted((plugin_copy / "tests" / "plugin" / "evals").glob("*/case.yaml"))[0]
    case.write_text(case.read_text().replace("type: regex", "type: command", 1))
    _, output = dry_run(claude, plugin_copy, home, tmp_path / "out")
    assert "Couldn't load 1 case file" in output, output
    assert f"{case}: invalid case.yaml" in output and "graders." in output


def test_without_the_grants_claude_code_says_the_graders_cannot_pass(
    claude: ClaudeCode, home: Path, plugin_copy: Path, tmp_path: Path
) -> None:
    """The clean load above is not for want of checking: without `--allow-tools` every case's
    report grader is flagged, as no granted tool could write the report (but in the cases with
    a scaffold script, which Claude Code counts as a writer)."""
    _, output = dry_run(claude, plugin_copy, home, tmp_path / "out", grants=())
    unscaffolded = [slug for slug, data in committed_cases().items() if "context" not in data]
    assert unscaffolded
    for slug in unscaffolded:
        assert f'⚠ case "{slug}": grader "expectation-1" cannot pass' in output, output


# -- the report regexes agree with rda eval's grading ----------------------------------------


MESSAGE = 'a `x["k"]` {braces} "quotes" and a \\ backslash, é'


def code_pool() -> list[str]:
    return sorted(set(static_codes()) | set(CODES))


def stage_of(code: str) -> str:
    stages = reporting_stages(code)
    return min(stages, key=STAGES.index) if stages else "behavior"


def report(
    findings: list[tuple[str, str]], statuses: dict[str, str], severity: Severity = Severity.ERROR
) -> Report:
    return Report(
        tool="verify",
        target="/tmp/outputs",
        findings=[
            Finding(
                code,
                MESSAGE,
                severity=severity,
                file=None if index % 2 else "app/models.py",
                line=None if index % 2 else 7 + index,
                col=None if index % 2 else 4,
                stage=stage,
                fix="do it right",
                skill_ref="references/sessions.md#expire-on-commit",
                details={"sql": 'SELECT "a" FROM {t}', "statements": 3},
            )
            for index, (code, stage) in enumerate(findings)
        ],
        stages=[StageResult(name, status, 0.1, None) for name, status in statuses.items()],
        assumptions=['no [tool.rda] manifest: "discovered"'],
        tool_versions={"relational-db-agent": "0.1.0"},
        sandbox={"isolation": "bubblewrap"},
    )


def scenarios() -> list[Report]:
    passed = dict.fromkeys(STAGES, "passed")
    out = [
        report([], passed),
        report([], {"static": "passed"}),
        report([], {**passed, "behavior": "skipped"}),
        report([], {"static": "passed", "import": "passed", "schema": "passed"}),
        report(
            [("RDA701", "import")],
            {"static": "passed", "import": "failed", "schema": "skipped", "behavior": "skipped"},
        ),
        report([("RDA713", "behavior")], {**passed, "behavior": "failed"}),
        report([("RDA714", "migrations")], {**passed, "migrations": "failed"}),
    ]
    for code in code_pool():
        stage = stage_of(code)
        out.append(report([(code, stage)], {**passed, stage: "failed"}))
        out.append(report([(code, stage)], {**passed, stage: "failed"}, Severity.WARNING))
    both = [("RDA104", "static"), ("RDA705", "behavior")]
    out.append(report(both, {**passed, "static": "failed", "behavior": "failed"}))
    return out


def run_regexes(patterns: list[str], texts: list[str]) -> list[list[bool]]:
    """Each pattern tested on each text the way Claude Code's regex grader does it."""
    script = (
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(input.patterns.map("
        "p => { const r = new RegExp(p, ''); return input.texts.map(t => r.test(t)); })));"
    )
    assert NODE is not None
    result = subprocess.run(
        [NODE, "-e", script],
        input=json.dumps({"patterns": patterns, "texts": texts}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def report_graders() -> list[tuple[str, str, dict[str, Any]]]:
    """(case, pattern, check without files) for every report regex of the committed cases."""
    evalset = load_eval_set(SKILL)
    tool = load_tool("plugin_eval_cases")
    committed = committed_cases()
    out = []
    for case in evalset.cases.values():
        graders = {g["name"]: g for g in committed[tool.slug(case)]["graders"]}
        for number, check in enumerate(case.checks, 1):
            report_keys = {k: v for k, v in (check or {}).items() if k != "files"}
            if not report_keys:
                continue
            grader = graders[f"expectation-{number}"]
            assert grader["target"] == {"source": "file", "path": "rda-report.json"}
            out.append((f"eval {case.id} #{number}", grader["pattern"], report_keys))
    return out


def assert_agreement(reports: list[dict[str, Any]], texts: list[str], tmp_path: Path) -> int:
    graders = report_graders()
    verdicts = run_regexes([pattern for _, pattern, _ in graders], texts)
    disagreements = []
    for (label, _, check), row in zip(graders, verdicts, strict=True):
        for index, (data, by_regex) in enumerate(zip(reports, row, strict=True)):
            by_rda = grade(check, data, tmp_path).passed
            if by_regex != by_rda:
                disagreements.append(f"{label} on report {index}: regex {by_regex}, rda {by_rda}")
    assert disagreements == [], "\n".join(disagreements[:20])
    return sum(sum(row) for row in verdicts)


@needs_node
def test_report_regexes_agree_with_rda_eval_on_every_outcome(tmp_path: Path) -> None:
    rendered = [render_json(r) for r in scenarios()]
    passes = assert_agreement([json.loads(t) for t in rendered], rendered, tmp_path)
    total = len(report_graders()) * len(rendered)
    assert 0 < passes < total  # the reports both pass and fail the checks


@needs_node
def test_the_files_check_passes_only_on_a_file_that_is_there(cases: Any) -> None:
    evalset = load_eval_set(SKILL)
    [case] = [c for c in evalset.cases.values() if c.id == 1]
    graders = [grader for _, grader in cases.graders(case, evalset.skill_name)]
    [has] = [g for g in graders if g["name"] == "expectation-1-has-app/models.py"]
    assert has["target"] == {"source": "file", "path": "app/models.py"}
    assert has["weight"] == 0.5  # the expectation's weight, shared with its report regex
    # Claude Code fails a regex grader whose file cannot be read; any text, even empty, matches
    assert run_regexes([has["pattern"]], ["", "class Task: ...\n"]) == [[True, True]]


DEFECTIVE_LAYER = """\
import os

from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    title: str


async def get_session():
    async with AsyncSession(engine) as session:
        yield session
"""


@needs_node
def test_report_regexes_agree_with_rda_eval_on_a_real_report(tmp_path: Path) -> None:
    """`rda verify` as the case's last step runs it, on a layer with real defects."""
    target = tmp_path / "outputs"
    (target / "app").mkdir(parents=True)
    (target / "app" / "__init__.py").write_text("")
    (target / "app" / "database.py").write_text(DEFECTIVE_LAYER)
    rda = Path(sys.executable).with_name("rda")
    command = [str(rda), "verify", ".", "--contract", "none", "--stages", "static,import,schema"]
    result = subprocess.run(
        [*command, "--format", "json", "--output", "rda-report.json"],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stderr
    text = (target / "rda-report.json").read_text()
    data = json.loads(text)
    assert {"RDA104", "RDA605"} <= {f["code"] for f in data["findings"]}, data["findings"]
    assert assert_agreement([data], [text], target) > 0

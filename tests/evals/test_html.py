"""The HTML pages: ``benchmark.html`` and ``rda verify --format html``, self-contained, and
rendered by a real (headless) Chromium when the machine has one."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.evals.conftest import SAMPLE
from verifier.cli import main
from verifier.evals.evaluate import EvalResult
from verifier.findings import Finding
from verifier.report.html import render_html
from verifier.report.model import Report, StageResult

CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-headless-shell", "chromium-browser")
     if shutil.which(n)),
    None,
)  # fmt: skip
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium (Debian: apt-get install chromium)"
)


def browse(page: Path, screenshot: Path) -> str:
    """The DOM Chromium rendered for ``page``, after taking its screenshot."""
    assert CHROMIUM is not None
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,1600"]
    url = page.resolve().as_uri()
    subprocess.run([*flags, f"--screenshot={screenshot}", url], check=True, capture_output=True,
                   timeout=120)  # fmt: skip
    dom = subprocess.run([*flags, "--dump-dom", url], check=True, capture_output=True,
                         timeout=120, text=True)  # fmt: skip
    return dom.stdout


def self_contained(html: str) -> bool:
    """No URL the page would fetch: no src/href to the network, no @import."""
    return not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//|@import|url\(", html)


def test_benchmark_html_holds_the_figures(graded: EvalResult) -> None:
    html = (graded.written[0].parent / "benchmark.html").read_text()
    assert self_contained(html)
    assert "92% ± 13% (min 75%, max 100%)" in html  # with_skill pass rate with its spread
    assert "29% ± 19% (min 0%, max 50%)" in html
    assert "+0.62" in html
    assert "1: L02 design and normalization · with_skill" in html
    assert "RDA202 · without_skill" in html and "1 of 6 runs" in html
    assert "eval-2 without_skill run-2" in html  # time per run


@needs_chromium
def test_benchmark_html_renders_in_chromium(graded: EvalResult, tmp_path: Path) -> None:
    page = graded.written[0].parent / "benchmark.html"
    shot = tmp_path / "benchmark.png"
    dom = browse(page, shot)
    assert shot.stat().st_size > 20_000  # a picture, not a blank page
    assert "Skill benchmark: relational-db-agent" in dom
    assert "92% ± 13%" in dom and "<svg" in dom
    assert dom.count("<rect") >= 12  # bars: pass rates, failures per code, times


def test_verify_html_groups_findings_with_their_code(tmp_path: Path, capsys: Any) -> None:
    target = tmp_path / "target"
    shutil.copytree(SAMPLE / "eval-3" / "without_skill" / "run-1" / "outputs", target)
    page = tmp_path / "report.html"
    code = main(["verify", str(target), "--stages", "static", "--format", "html", "-q",
                 "-o", str(page)])  # fmt: skip
    assert code == 1
    html = page.read_text()
    assert self_contained(html)
    assert re.search(r"<h3>[^<]*app/models.py \(3\)</h3>", html)
    # the line of the finding, highlighted, with the lines around it
    assert re.search(
        r'<span class="hit"><span class="lineno">\s+13 </span>\s+conversation_id', html
    )
    assert "default_factory=datetime.now" in html
    assert "references/models-indexing.md#index-every-foreign-key" in html
    assert "<h2>Schema</h2>" in html
    if shutil.which("dot"):  # the ERD drawn inline: both tables, the relation between them
        erd = html[html.index("<h2>Schema</h2>") :]
        assert "<svg" in erd and "conversation" in erd and "message" in erd
    if CHROMIUM is not None:
        dom = browse(page, tmp_path / "report.png")
        assert "RDA202" in dom and "fix:" in dom


def test_verify_html_lists_the_statements_an_n_plus_one_check_saw(tmp_path: Path) -> None:
    (tmp_path / "crud.py").write_text("async def list_tasks(session):\n    return []\n")
    statements = [f"SELECT task.id FROM task WHERE task.id = ${i}" for i in range(1, 4)]
    report = Report(
        tool="verify",
        target=str(tmp_path),
        stages=[StageResult("behavior", "failed", 1.5)],
        findings=[
            Finding(
                "RDA707",
                "list_tasks() ran 3 statements for 2 tasks and 9 for 8",
                file="crud.py",
                line=1,
                stage="behavior",
                details={"statements": statements},
            )
        ],
    )
    html = render_html(report)
    assert "3 SQL statements the check counted" in html
    assert "3. SELECT task.id FROM task WHERE task.id = $3" in html
    assert '<span class="hit"><span class="lineno">   1 </span>async def list_tasks' in html

"""``--contract PATH``: the user's own pytest contract, run inside the sandboxed child.

The user's tests get the fixtures the built-in contract works with (``rda_target_modules``,
``rda_session`` from the target's own ``get_session``, ``rda_engine`` = the target's engine,
``rda_database_url`` and ``rda_statement_counter``) from ``verifier.contracts.sandbox_fixtures``;
the project's regular pytest plugin is disabled there because it would start a server. Each
failing test becomes an RDA712 finding named after the test, with pytest's own failure text.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from verifier.stages.codes import finding
from verifier.stages.context import StageContext

STAGE = "behavior"


class _Collector:
    """A pytest plugin object that turns failed tests into findings."""

    def __init__(self, ctx: StageContext, rootdir: Path) -> None:
        self.ctx = ctx
        self.rootdir = rootdir
        self.ran = 0

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or report.failed:
            self.ran += report.when == "call"
        if not report.failed:
            return
        path, line, _ = report.location
        text = str(report.longreprtext).strip().splitlines()
        errors = [line[1:].strip() for line in text if line.startswith("E ")]
        last = errors[0] if errors else (text[-1] if text else "failed")
        self.ctx.report(
            finding(
                "RDA712",
                f"contract test {report.nodeid} failed ({report.when}): {last}",
                stage=STAGE,
                file=str(self.rootdir / path),
                line=(line or 0) + 1,
                details={"longrepr": "\n".join(text[-30:])},
            )
        )


def run(ctx: StageContext, contract: str) -> None:
    import pytest

    from verifier.contracts import sandbox_fixtures

    sandbox_fixtures.CONTEXT = ctx
    path = Path(contract)
    rootdir = path if path.is_dir() else path.parent
    collector = _Collector(ctx, rootdir)
    # Only the plugins a contract needs: others (benchmarks, coverage) may spawn processes.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    args = [
        str(path),
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "pytest_asyncio.plugin",
        "--rootdir",
        str(rootdir),
        "-o",
        "asyncio_mode=auto",
    ]
    output = io.StringIO()
    with redirect_stdout(output):
        code = pytest.main(args, plugins=[sandbox_fixtures, collector])
    if code in (
        pytest.ExitCode.NO_TESTS_COLLECTED,
        pytest.ExitCode.USAGE_ERROR,
        pytest.ExitCode.INTERNAL_ERROR,
    ) or (code != 0 and collector.ran == 0 and not ctx.failed_checks):
        tail = output.getvalue().strip().splitlines()[-5:]
        ctx.report(
            finding(
                "RDA712",
                f"the contract {contract} ran no test (pytest exit {int(code)}): "
                + " | ".join(tail),
                stage=STAGE,
            )
        )

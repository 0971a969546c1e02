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
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from verifier import skill_refs
from verifier.stages.codes import finding
from verifier.stages.context import StageContext

STAGE = "behavior"
# A returned object whose attributes or relationships need I/O: expire_on_commit / lazy load.
EXPIRED = ("MissingGreenlet", "DetachedInstanceError")


class _Collector:
    """A pytest plugin object that turns failed tests into findings."""

    def __init__(self, ctx: StageContext, rootdir: Path, contract: Path) -> None:
        self.ctx = ctx
        self.rootdir = rootdir
        self.contract = contract.resolve()
        self.ran = 0
        origin = ctx.target.contract_origin  # a contract copied in: name its files as the user
        self.shown_root = (
            None
            if origin is None
            else (Path(origin) if Path(origin).is_dir() else Path(origin).parent)
        )

    def place(self, path: str) -> str:
        """A test file as the user knows it: in the target, or where their contract lives."""
        if self.shown_root is not None:
            return str(self.shown_root / path)
        return self.ctx.relative(str(self.rootdir / path)) or path

    def target_frame(self, report: Any) -> tuple[str, int] | None:
        """The innermost traceback frame in the target's own files: where the fix goes.

        A failure raised inside the target (an exception in its crud function) is located
        there; an assertion in the test itself, with no target frame below it, stays at the
        test.
        """
        entries = getattr(getattr(report.longrepr, "reprtraceback", None), "reprentries", [])
        for entry in reversed(entries):
            where = getattr(entry, "reprfileloc", None)
            if where is None:
                continue
            path = Path(where.path)
            if not path.is_absolute():  # pytest shows paths relative to where it was invoked
                path = Path.cwd() / path
            if not path.is_file():  # a generated frame ("<string>", SQLAlchemy's _go wrapper)
                continue
            rel = self.ctx.relative(str(path.resolve()))
            if rel is not None and not self.is_contract_file(path):
                return rel, int(where.lineno)
        return None

    def is_contract_file(self, path: Path) -> bool:
        resolved = path.resolve()
        return resolved == self.contract or resolved.is_relative_to(self.contract)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or report.failed:
            self.ran += report.when == "call"
        if not report.failed:
            return
        path, line, _ = report.location
        full = str(report.longreprtext)
        text = full.strip().splitlines()
        errors = [line[1:].strip() for line in text if line.startswith("E ")]
        # pytest.fail(..., pytrace=False) (rda_statement_counter.at_most) has no "E" lines: its
        # first line is the sentence that matters.
        first = errors[0] if errors else next((t.strip() for t in text if t.strip()), "failed")
        # A chained exception: the headline is the one raised last (the crash), not its cause.
        crash = getattr(getattr(report.longrepr, "reprcrash", None), "message", "") or ""
        if crash.strip() and errors:
            first = crash.strip().splitlines()[0]
        code = "RDA705" if any(w in full for w in EXPIRED) else "RDA712"
        target_place = self.target_frame(report)
        file, shown_line = target_place or (self.place(path), (line or 0) + 1)
        details: dict[str, Any] = {"longrepr": "\n".join(text[-30:])}
        if target_place is not None:  # the test that failed, when the place is the target's
            details["test"] = f"{self.place(path)}:{(line or 0) + 1}"
        found = finding(
            code,
            f"contract test {report.nodeid} failed ({report.when}): {first}",
            stage=STAGE,
            file=file,
            line=shown_line,
            details=details,
        )
        if code == "RDA712":  # the Task API's advice does not fit a contract of the user's
            found = found.replace(
                fix="Read the test's failure in details.longrepr and fix the layer (or the test)",
                skill_ref=skill_refs.TESTING,
            )
        self.ctx.report(found)


def run(ctx: StageContext, contract: str) -> None:
    import pytest

    from verifier.contracts import sandbox_fixtures

    sandbox_fixtures.CONTEXT = ctx
    path = Path(contract)
    rootdir = path if path.is_dir() else path.parent
    collector = _Collector(ctx, rootdir, path)
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
    with redirect_stdout(output), redirect_stderr(output):
        code = pytest.main(args, plugins=[sandbox_fixtures, collector])
    if code in (
        pytest.ExitCode.NO_TESTS_COLLECTED,
        pytest.ExitCode.USAGE_ERROR,
        pytest.ExitCode.INTERNAL_ERROR,
    ) or (code != 0 and collector.ran == 0 and not ctx.failed_checks):
        tail = [t for t in output.getvalue().strip().splitlines() if t.strip()][-5:]
        shown = ctx.target.contract_origin or ctx.relative(contract) or Path(contract).name
        ctx.report(
            finding(
                "RDA712",
                f"the contract {shown} ran no test (pytest exit {int(code)}): "
                + (" | ".join(tail) or "pytest printed nothing"),
                stage=STAGE,
            )
        )

"""Run the ``# runnable`` examples: each in a child process, on a throwaway database of its own.

An example that claims to run must run on today's libraries against a real PostgreSQL, or it is
a finding with the example's line. The child gets a scrubbed environment whose only credential is
``DATABASE_URL`` (the async URL of a database created for it and dropped afterwards), its own
process group (a timeout kills everything it started), and a temporary working directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from verifier.db.base import DatabaseProvider
from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.examples import Example

DEFAULT_TIMEOUT = 60.0
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
OUTPUT_TAIL = 1500  # characters of stderr kept in a finding


@dataclass(frozen=True, slots=True)
class RunResult:
    returncode: int | None  # None: timed out
    stdout: str
    stderr: str
    seconds: float


def run_program(code: str, database_url: str, timeout: float = DEFAULT_TIMEOUT) -> RunResult:
    """Run ``code`` as a script with ``DATABASE_URL`` set; kill its process group on timeout."""
    env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
    env.update(DATABASE_URL=database_url, PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rda-example-") as workdir:
        script = Path(workdir) / "example.py"
        script.write_text(code, encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, str(script)],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
            returncode: int | None = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            returncode = None
    return RunResult(returncode, stdout, stderr, time.monotonic() - started)


def run_examples(
    examples: Sequence[Example], provider: DatabaseProvider, timeout: float = DEFAULT_TIMEOUT
) -> Iterator[Finding]:
    """Run every runnable example on a fresh database from ``provider`` (already started)."""
    for example in examples:
        if not example.runnable:
            continue
        database = provider.create_database()
        try:
            result = run_program(example.block.code, database.async_url, timeout)
        finally:
            provider.drop_database(database)
        if result.returncode == 0:
            continue
        if result.returncode is None:
            reason = f"did not finish within {timeout:g} s"
        else:
            reason = f"exited with status {result.returncode}"
        tail = result.stderr.strip()[-OUTPUT_TAIL:]
        yield Finding(
            codes.RUNNABLE_FAILED,
            f"runnable example {reason} on PostgreSQL" + (f":\n{tail}" if tail else ""),
            file=example.doc,
            line=example.line,
            fix="run the block yourself with DATABASE_URL set and fix it, or drop '# runnable'",
            details={"returncode": result.returncode, "seconds": round(result.seconds, 3)},
        )

"""``distributed`` is an extra (``relational-db-agent[dask]``): without it, ``--scheduler`` is a
usage error that says what to install, and everything else works."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.evals.conftest import SKILL, copy_sample

WITHOUT_DASK = (
    "import sys\n"
    "sys.modules['distributed'] = None  # as if it were not installed\n"
    "from verifier.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_scheduler_without_distributed_says_what_to_install(tmp_path: Path) -> None:
    workspace = copy_sample(tmp_path)
    args = ["eval", str(workspace), "--skill", str(SKILL), "--scheduler", "tcp://127.0.0.1:9"]
    proc = subprocess.run(
        [sys.executable, "-c", WITHOUT_DASK, *args, "--quiet"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2, proc.stderr
    assert "needs Dask's distributed" in proc.stderr
    assert 'pip install "relational-db-agent[dask]"' in proc.stderr
    assert "Traceback" not in proc.stderr

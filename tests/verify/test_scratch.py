"""The sweep removes the scratch folders of dead runs, and nothing it cannot prove dead.

A run's folder is alive while some process holds the ``flock`` on its ``owner.lock``; a child
process stands for a live run, and its exit (here: its kill) for the death of a run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from verifier.sandbox.scratch import LOCK, PREFIX, Scratch, sweep

HOLD = textwrap.dedent(
    """
    import sys, time
    from verifier.sandbox.scratch import Scratch
    scratch = Scratch()
    (scratch.path / "copy.py").write_text("x = 1\\n")
    print(scratch.path, flush=True)
    time.sleep(600)
    """
)


def _run_holding_a_scratch(root: Path) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(root)},
        cwd=Path(__file__).parents[2],
    )
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def test_a_killed_run_s_folder_is_swept_and_a_live_one_kept(tmp_path: Path) -> None:
    live, live_folder = _run_holding_a_scratch(tmp_path)
    dead, dead_folder = _run_holding_a_scratch(tmp_path)
    try:
        dead.kill()  # kill -9: no cleanup of its own
        dead.wait()
        assert (dead_folder / "copy.py").exists()
        assert sweep(str(tmp_path)) == [dead_folder]
        assert not dead_folder.exists()
        assert (live_folder / "copy.py").exists()  # its run still holds the lock
    finally:
        live.kill()
        live.wait()
    assert sweep(str(tmp_path)) == [live_folder]


def test_what_the_sweep_cannot_prove_dead_is_left(tmp_path: Path) -> None:
    no_lock = tmp_path / f"{PREFIX}older"
    no_lock.mkdir()  # a folder of a version without the lock, or not ours at all
    (no_lock / "copy.py").write_text("x = 1\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / LOCK).write_text("", encoding="utf-8")
    (tmp_path / f"{PREFIX}link").symlink_to(elsewhere, target_is_directory=True)
    (tmp_path / f"{PREFIX}file").write_text("", encoding="utf-8")
    other = tmp_path / "other-prefix"
    other.mkdir()
    (other / LOCK).write_text("", encoding="utf-8")
    assert sweep(str(tmp_path)) == []
    assert (no_lock / "copy.py").exists() and (elsewhere / LOCK).exists() and other.exists()


def test_a_scratch_is_locked_from_the_moment_its_lock_has_a_name(tmp_path: Path) -> None:
    scratch = _scratch_in(tmp_path)
    try:
        assert (scratch.path / LOCK).exists() and not (scratch.path / f"{LOCK}.new").exists()
        assert sweep(str(tmp_path)) == []  # this process holds it
    finally:
        scratch.remove()
    assert not scratch.path.exists()


def _scratch_in(root: Path) -> Scratch:
    import tempfile

    before = tempfile.tempdir
    tempfile.tempdir = str(root)
    try:
        return Scratch()
    finally:
        tempfile.tempdir = before

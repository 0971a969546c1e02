"""Which sandbox runs the target's code, and that the report says so.

bubblewrap where it works (CI installs it); the audit hook alone where ``bwrap`` is missing or
refused, said in the report and in ``rda verify --help``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference_copies import append, copy_reference
from verifier.sandbox import bubblewrap


def verify_json(target: Path, env: dict[str, str]) -> dict[str, object]:
    command = [sys.executable, "-m", "verifier", "verify", str(target), "--stages", "import"]
    proc = subprocess.run(
        [*command, "-q", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_without_bwrap_the_audit_hook_guards_alone_and_the_report_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    env = dict(os.environ, PATH=str(empty))  # no bwrap to be found
    report = verify_json(copy_reference(tmp_path), env)
    sandbox = report["sandbox"]
    assert isinstance(sandbox, dict)
    assert sandbox["isolation"].startswith("audit-hook only (bwrap is not installed")
    assert "a role of its own" in sandbox["database_role"]


def test_with_bwrap_the_report_says_bubblewrap(tmp_path: Path) -> None:
    available = bubblewrap.availability()
    if not available.usable:
        pytest.skip(available.reason)
    report = verify_json(copy_reference(tmp_path), dict(os.environ))
    isolation = report["sandbox"]["isolation"]  # type: ignore[index]
    assert isolation.startswith("bubblewrap (") and "no network" in isolation


def test_the_wall_cuts_the_network_only_for_a_socket_database(tmp_path: Path) -> None:
    socket_db = bubblewrap.Wall(tmp_path, ["/run/pg"]).command(["true"])
    tcp_db = bubblewrap.Wall(tmp_path, [], share_network=True).command(["true"])
    assert "--unshare-net" in socket_db and "--unshare-net" not in tcp_db
    assert ["--ro-bind", "/run/pg", "/run/pg"] == socket_db[
        socket_db.index("/run/pg") - 1 : socket_db.index("/run/pg") + 2
    ]
    assert ["--bind", str(tmp_path), str(tmp_path)] == socket_db[
        socket_db.index("--bind") : socket_db.index("--bind") + 3
    ]


def test_the_wall_hides_the_home_but_keeps_python_reachable(tmp_path: Path) -> None:
    wall = bubblewrap.Wall(tmp_path)
    command = wall.command(["true"])
    home = str(Path.home())
    assert command[command.index(home) - 1] == "--tmpfs"
    for path in wall.readable_again():
        assert ["--ro-bind", path, path] == command[
            command.index(path) - 1 : command.index(path) + 2
        ]
    # The interpreter and its prefix stay visible even when they live in a hidden folder.
    for needed in (os.path.realpath(sys.executable), sys.base_prefix):
        hidden = any(needed.startswith(m + os.sep) for m in wall.masked())
        shown = any(needed == p or needed.startswith(p + os.sep) for p in wall.readable_again())
        assert shown or not hidden, needed


def test_python_in_a_closed_folder_keeps_the_sandbox_from_dropping_to_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout or virtualenv in a 0700 folder (mktemp -d): uid 65534 could import nothing."""
    closed = tmp_path / "closed"  # on sys.path itself: bound into the sandbox with its mode
    (closed / "pkg").mkdir(parents=True)
    closed.chmod(0o700)
    monkeypatch.setattr(sys, "path", [*sys.path, str(closed)])
    wall = bubblewrap.Wall(tmp_path / "scratch")
    assert bubblewrap.unreachable_for_nobody(wall, {str(closed)}) == str(closed)
    # The folders above it are made traversable by the wall: they never count.
    closed.chmod(0o755)
    tmp_path.chmod(0o700)
    try:
        assert bubblewrap.unreachable_for_nobody(wall, {str(closed)}) is None
    finally:
        tmp_path.chmod(0o755)


def test_the_target_runs_with_the_garbage_collector_on(tmp_path: Path) -> None:
    """The fork server switches the collector off while it imports the libraries (it is faster);
    the children it forks, where the target runs, get it back on, as in a plain interpreter."""
    target = copy_reference(tmp_path)
    append(target, "taskapi/models.py", "import gc\nassert gc.isenabled(), 'gc is off'")
    report = verify_json(target, dict(os.environ))
    assert [s["status"] for s in report["stages"]] == ["passed"]  # type: ignore[index]


def test_the_preload_leaves_out_pygments_but_a_target_may_import_it(tmp_path: Path) -> None:
    """Mako's optional highlighting is kept out of the fork server's imports (forty lexer
    modules no stage uses); the target still imports it when it wants it."""
    target = copy_reference(tmp_path)
    append(
        target,
        "taskapi/models.py",
        "import sys\n"
        "assert 'pygments' not in sys.modules, 'the fork server imported pygments'\n"
        "import mako.ext.pygmentplugin  # noqa: E402, F401",
    )
    report = verify_json(target, dict(os.environ))
    assert [s["status"] for s in report["stages"]] == ["passed"]  # type: ignore[index]

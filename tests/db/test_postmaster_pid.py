"""``postmaster.pid`` read as PostgreSQL writes it, and as the embedded wheel reads it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from verifier.db import binaries
from verifier.db.embedded import EmbeddedProvider
from verifier.db.postmaster_pid import read_postmaster_pid

WRITTEN = "4242\n/data/pg18\n1796144144\n5433\n/run/pg\n\n  1458542   1015855\nready   \n"


@pytest.fixture(scope="module")
def running() -> Iterator[EmbeddedProvider]:
    provider = EmbeddedProvider()
    provider.start()
    yield provider
    provider.close()


def test_the_running_servers_file_reads_as_the_wheel_reads_it(running: EmbeddedProvider) -> None:
    pgdata = running.cluster.pgdata
    ours = read_postmaster_pid(pgdata)
    wheel = binaries.wheel_utils().PostmasterInfo.read_from_pgdata(pgdata)
    assert ours is not None
    assert (ours.pid, ours.port, ours.socket_dir, ours.status) == (
        wheel.pid,
        wheel.port,
        wheel.socket_dir,
        wheel.status,
    )
    assert running.cluster.state().running


def test_every_line_is_taken_from_its_place(tmp_path: Path) -> None:
    (tmp_path / "postmaster.pid").write_text(WRITTEN, encoding="utf-8")
    found = read_postmaster_pid(tmp_path)
    assert found is not None
    assert (found.pid, found.port, found.socket_dir, found.status) == (
        4242,
        5433,
        Path("/run/pg"),
        "ready",
    )


def test_a_server_without_unix_socket_has_no_socket_dir(tmp_path: Path) -> None:
    (tmp_path / "postmaster.pid").write_text(WRITTEN.replace("/run/pg", ""), encoding="utf-8")
    found = read_postmaster_pid(tmp_path)
    assert found is not None and found.socket_dir is None


@pytest.mark.parametrize(
    "text",
    [
        None,  # no server
        WRITTEN.split("ready")[0].rsplit("\n", 2)[0],  # still being written: no status yet
        WRITTEN.replace("4242", "pid?"),  # damaged
        "",
    ],
)
def test_a_missing_unfinished_or_damaged_file_says_no_server(
    tmp_path: Path, text: str | None
) -> None:
    if text is not None:
        (tmp_path / "postmaster.pid").write_text(text, encoding="utf-8")
    assert read_postmaster_pid(tmp_path) is None

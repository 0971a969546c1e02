"""The embedded PostgreSQL cluster on disk: make it, start it, find it running, stop it.

One cluster lives in one directory (``verifier.db.locations``)::

    <root>/cluster.lock    a file lock: one process at a time initialises, starts or stops
    <root>/pg<major>/      the data directory (a new major version gets a new one)
    <root>/run/            the unix socket and the server log
    /dev/shm/rda-<hash>/   the in-memory tablespace of the throwaway databases, if any
                           (``verifier.db.ramdisk``; a reboot empties it: the cluster is remade)

The server listens on a unix socket only, with durability off (fsync, synchronous_commit,
full_page_writes): every database on it is throwaway, and a crash loses nothing of value.

A server outlives the process that started it (a SIGKILL does not stop it either), so every
start first reads ``postmaster.pid`` and reuses a server that is really ours and ready. A pid
file whose process is gone, or belongs to something else, is removed before starting afresh.
The wheel's ``PostgresServer`` is not used: it cannot pass server settings, stops the server
when the last handle in a process exits, locks in the runtime directory and reports failures as
bare ``CalledProcessError``/``AssertionError``; its ``PostmasterInfo`` and command layout are.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from verifier.db import auth, binaries, ramdisk
from verifier.db.postmaster_pid import PostmasterPid, read_postmaster_pid
from verifier.errors import InfrastructureError

if TYPE_CHECKING:
    from verifier.db.admin import AdminConnection

SUPERUSER = "postgres"
DEFAULT_LOCK_TIMEOUT = 120.0
START_TIMEOUT = 30  # seconds pg_ctl waits for the server to accept connections
# Settings the server always starts with: no durability (throwaway data), room for parallel runs.
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
_SOCKET_NAME = ".s.PGSQL.5432"
# sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included.
_MAX_SOCKET_PATH = 103 if sys.platform == "darwin" else 107
_LOG_TAIL_LINES = 25
_MAX_LOG_BYTES = 5_000_000


@dataclass(frozen=True, slots=True)
class ServerState:
    """What ``postmaster.pid`` says about a server of this cluster (``running`` False: none)."""

    running: bool
    pid: int | None = None
    socket_dir: Path | None = None
    port: int | None = None
    status: str | None = None

    def admin_url(self, password: str | None = None) -> str:
        """A ``postgresql://`` URL for the superuser's maintenance database over the socket."""
        if self.socket_dir is None:
            raise InfrastructureError("the embedded PostgreSQL is not running")
        query = urlencode({"host": str(self.socket_dir), "port": self.port or 5432}, safe="/")
        login = f"{SUPERUSER}:{password}" if password else SUPERUSER
        return f"postgresql://{login}@/postgres?{query}"


class EmbeddedCluster:
    """The cluster under ``root``; every method that changes it holds the cluster lock."""

    def __init__(self, root: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.root = root.expanduser().absolute()
        self.lock_timeout = lock_timeout
        self.pgdata = self.root / f"pg{binaries.major_version()}"
        self.run_dir = self.root / "run"
        self.log_file = self.run_dir / "postgresql.log"
        self.lock_file = self.root / "cluster.lock"
        self.ram_dir = ramdisk.ram_directory(self.pgdata)

    # -- reading ----------------------------------------------------------------------------

    def state(self) -> ServerState:
        """The running server of this cluster, if any (no lock: a read-only look)."""
        info = self._postmaster_info()
        if info is None or not self._is_our_postmaster(info.pid):
            return ServerState(running=False)
        return ServerState(
            running=True,
            pid=info.pid,
            socket_dir=info.socket_dir,
            port=info.port or 5432,
            status=info.status,
        )

    def is_initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").is_file()

    def admin_url(self, state: ServerState | None = None) -> str:
        """The superuser's URL, password included (see ``verifier.db.auth``)."""
        return (state or self.state()).admin_url(auth.read_password(self.root))

    # -- changing ---------------------------------------------------------------------------

    def ensure_running(self) -> tuple[ServerState, bool]:
        """Start the server unless it already runs; return its state and whether we started it."""
        with self.locked():
            return self.ensure_running_locked()

    def ensure_running_locked(self) -> tuple[ServerState, bool]:
        """``ensure_running`` for a caller that holds ``locked()``."""
        state = self._wait_until_ready(self.state())
        lost = ramdisk.missing_tablespace_targets(self.pgdata)
        if state.running and self._socket_exists(state) and not lost:
            self._require_passwords(state)
            return state, False
        if state.running:  # its socket or its in-memory databases are gone: start over
            self._stop_locked(state, mode="immediate" if lost else "fast")
        if lost:
            self._wipe_data()  # a reboot emptied the tmpfs; every database was throwaway
        account = binaries.server_account()
        bin_dir = binaries.bin_dir(account)
        self._prepare_directories(account)
        if not self.is_initialised():
            self._initdb(bin_dir, account)
        self._clear_stale_files()
        self._start(bin_dir, account)
        state = self._wait_until_ready(self.state(), require=True)
        self._require_passwords(state)
        return state, True

    def _require_passwords(self, state: ServerState) -> None:
        """Switch a cluster that still trusts local logins to passwords (call under the lock).

        Clusters made by earlier versions of rda used ``--auth=trust``: the superuser gets its
        password while trust still lets us in, then pg_hba.conf is rewritten and reloaded.
        """
        if not auth.trusts_anyone(self.pgdata):
            return
        import asyncio

        import asyncpg

        password = auth.read_password(self.root)
        literal = "'" + password.replace("'", "''") + "'"

        async def set_password() -> None:
            conn = await asyncpg.connect(state.admin_url(), timeout=10)
            try:
                await conn.execute(f"ALTER ROLE {SUPERUSER} PASSWORD {literal}")
                auth.write_hba(self.pgdata)
                await conn.execute("SELECT pg_reload_conf()")
            finally:
                await conn.close()

        try:
            asyncio.run(set_password())
        except (OSError, asyncpg.PostgresError) as exc:
            raise InfrastructureError(
                f"cannot give the embedded PostgreSQL's superuser a password: {exc}",
                hint=f"delete {self.pgdata} (a fresh cluster is made on the next run)",
            ) from None

    def prepare_ram_tablespace(self, admin: AdminConnection) -> str | None:
        """Make sure the in-memory tablespace exists (call under ``locked()``); its name or None.

        See ``verifier.db.ramdisk``. ``admin`` is a superuser connection to the running server.
        """
        if self.ram_dir is None:
            return None  # none on this machine, or turned off (RDA_RAM_DIR=)
        ramdisk.sweep_orphans(self.ram_dir.parent)
        location = admin.fetch_value(
            "SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = $1",
            ramdisk.TABLESPACE,
        )
        if location:
            if Path(location) == self.ram_dir and self.ram_dir.is_dir():
                ramdisk.record_owner(self.ram_dir, self.pgdata)
            return ramdisk.TABLESPACE if Path(location).is_dir() else None
        account = binaries.server_account()
        try:
            if account.user is not None and binaries.first_unsearchable(self.ram_dir.parent):
                return None  # the server account could not reach it: stay on disk
            if self.ram_dir.exists():  # left by an earlier cluster at this path: not in use
                shutil.rmtree(self.ram_dir)
            self.ram_dir.mkdir(mode=0o700, parents=False)
            os.chmod(self.ram_dir, 0o700)
            account.chown(self.ram_dir)
        except OSError:
            return None  # no usable memory directory: databases stay on disk
        literal = "'" + str(self.ram_dir).replace("'", "''") + "'"
        admin.execute(f"CREATE TABLESPACE {ramdisk.TABLESPACE} LOCATION {literal}")
        ramdisk.record_owner(self.ram_dir, self.pgdata)
        return ramdisk.TABLESPACE

    def destroy(self) -> None:
        """Stop the server at once and delete the cluster with its in-memory databases."""
        with self.locked():
            state = self.state()
            if state.running:
                self._stop_locked(state, mode="immediate")
            self._wipe_data()
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def stop(self, mode: str = "fast") -> bool:
        """Stop the server; False if none ran.

        ``fast`` ends open sessions and writes a checkpoint; ``immediate`` skips the checkpoint
        (the next start replays the WAL), which is what a cluster about to be deleted wants.
        """
        if not self.pgdata.exists():
            return False  # never made here: nothing to stop, and nothing to create either
        with self.locked():
            state = self.state()
            if not state.running:
                return False
            self._stop_locked(state, mode)
            return True

    # -- internals --------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cluster's file lock (released by the kernel if this process dies)."""
        import filelock

        try:
            _make_directories(self.root)
        except OSError as exc:
            raise InfrastructureError(
                f"cannot create {self.root}: {exc}",
                hint="set RDA_DATA_DIR to a writable local directory",
            ) from None
        lock = filelock.FileLock(str(self.lock_file), timeout=self.lock_timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise InfrastructureError(
                f"another process has held the lock on the embedded PostgreSQL in {self.root} "
                f"for more than {self.lock_timeout:g} s",
                hint="another rda run is starting or stopping the server: try again; if none "
                f"is running, the lock is stale and {self.lock_file} can be deleted",
            ) from None
        except OSError as exc:
            raise InfrastructureError(
                f"cannot lock {self.lock_file}: {exc}",
                hint="set RDA_DATA_DIR to a writable local directory",
            ) from None
        try:
            yield
        finally:
            lock.release()

    def _postmaster_info(self) -> PostmasterPid | None:
        return read_postmaster_pid(self.pgdata)  # None: missing, being written, or damaged

    def _is_our_postmaster(self, pid: int) -> bool:
        """Whether ``pid`` is a postgres process serving this very data directory."""
        import psutil

        try:
            process = psutil.Process(pid)
            if not process.name().startswith("postgres"):
                return False
            return str(self.pgdata) in " ".join(process.cmdline())
        except psutil.NoSuchProcess:
            return False
        except psutil.AccessDenied:
            return True  # a postgres we may not inspect: do not start a second one over it

    def _socket_exists(self, state: ServerState) -> bool:
        return (
            state.socket_dir is not None and (state.socket_dir / f".s.PGSQL.{state.port}").exists()
        )

    def _wait_until_ready(self, state: ServerState, *, require: bool = False) -> ServerState:
        """Give a server that is still starting (another process's) up to START_TIMEOUT."""
        deadline = time.monotonic() + START_TIMEOUT
        while state.running and state.status != "ready" and time.monotonic() < deadline:
            time.sleep(0.05)
            state = self.state()
        if state.running and state.status == "ready":
            return state
        if require or state.running:
            raise InfrastructureError(
                f"the embedded PostgreSQL in {self.pgdata} is not ready "
                f"(status {state.status or 'unknown'})" + self._log_tail(0),
                hint=f"see {self.log_file}; 'rda db stop' then retry",
            )
        return state

    def _wipe_data(self) -> None:
        """Delete the data directory and the in-memory tablespace (a new cluster is made)."""
        shutil.rmtree(self.pgdata, ignore_errors=True)
        if self.ram_dir is not None:
            shutil.rmtree(self.ram_dir, ignore_errors=True)
            self.ram_dir.with_name(self.ram_dir.name + ".owner").unlink(missing_ok=True)

    def _prepare_directories(self, account: binaries.ServerAccount) -> None:
        """Create the cluster's directories; as root, check the server account can reach them."""
        if account.user is not None:
            blocked = binaries.first_unsearchable(self.root)
            if blocked is not None:
                raise InfrastructureError(
                    f"the server runs as the system user {account.user!r}, which cannot enter "
                    f"{blocked} on the way to {self.root}",
                    hint="set RDA_DATA_DIR to a directory under /var/tmp or /var/cache "
                    "(rda does not loosen the permissions of existing directories)",
                )
        try:
            for directory, mode in ((self.pgdata, 0o700), (self.run_dir, 0o755)):
                if not directory.exists():
                    directory.mkdir(mode=mode)
                    os.chmod(directory, mode)  # mkdir's mode is filtered by the umask
                    account.chown(directory)
        except OSError as exc:
            raise InfrastructureError(
                f"cannot create the embedded PostgreSQL's directories in {self.root}: {exc}",
                hint="set RDA_DATA_DIR to a writable local directory",
            ) from None

    def _initdb(self, bin_dir: Path, account: binaries.ServerAccount) -> None:
        if any(self.pgdata.iterdir()):
            raise InfrastructureError(
                f"{self.pgdata} is neither empty nor a PostgreSQL {binaries.major_version()} "
                "data directory",
                hint=f"delete {self.pgdata} (a fresh cluster is made on the next run) "
                "or set RDA_DATA_DIR elsewhere",
            )
        password = auth.read_password(self.root)
        with tempfile.NamedTemporaryFile("w", dir=self.root, prefix=".pw-", delete=False) as file:
            file.write(password + "\n")
        pwfile = Path(file.name)
        try:
            account.chown(pwfile)  # initdb runs as the server account and must read it
            args = [
                str(bin_dir / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ]
            self._run_tool(args, account, timeout=300, what="initdb (creating the cluster)")
        finally:
            pwfile.unlink(missing_ok=True)
        auth.write_hba(self.pgdata)

    def _clear_stale_files(self) -> None:
        """Remove what a dead server left behind, and stop a server whose pid file is gone.

        Called under the lock once ``state()`` found no server of ours: a ``postmaster.pid``
        now belongs to a dead or unrelated process. PostgreSQL itself refuses to start while
        that pid is alive, whatever the process is.
        """

        for process in self._orphan_postmasters():
            process.send_signal(signal.SIGINT)  # fast shutdown, as pg_ctl stop -m fast sends
            if not _exited(process, timeout=10):
                process.kill()
                _exited(process, timeout=5)
        info = self._postmaster_info()
        for stale in (
            self.pgdata / "postmaster.pid",
            *(d / f"{_SOCKET_NAME}.lock" for d in self._socket_dir_candidates()),
            *([info.socket_dir / f".s.PGSQL.{info.port}.lock"] if info and info.socket_dir else []),
        ):
            stale.unlink(missing_ok=True)

    def _orphan_postmasters(self) -> list[Any]:  # psutil.Process
        """Postmasters serving this data directory that no pid file points at any more."""
        import psutil

        found = []
        # Only the postmaster keeps "-D <pgdata>" in its command line; backends rewrite theirs.
        for process in psutil.process_iter(["name", "cmdline"]):
            name = process.info["name"] or ""
            if name.startswith("postgres") and str(self.pgdata) in (process.info["cmdline"] or []):
                found.append(process)
        return found

    def _socket_dir_candidates(self) -> list[Path]:
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:10]
        return [self.run_dir, Path(tempfile.gettempdir()) / f"rda-{digest}"]

    def _socket_dir(self, account: binaries.ServerAccount) -> Path:
        """The run directory, or a short one under the temp directory when its path is too long."""
        for candidate in self._socket_dir_candidates():
            if len(os.fsencode(candidate / _SOCKET_NAME)) <= _MAX_SOCKET_PATH:
                if not candidate.exists():
                    candidate.mkdir(mode=0o755)
                    os.chmod(candidate, 0o755)
                    account.chown(candidate)
                return candidate
        raise InfrastructureError(
            f"no socket directory short enough: {self.run_dir / _SOCKET_NAME} is longer than "
            f"the {_MAX_SOCKET_PATH} bytes a unix socket path may have, and so is the fallback "
            "in the temp directory",
            hint="set RDA_DATA_DIR (or TMPDIR) to a shorter path",
        )

    def _start(self, bin_dir: Path, account: binaries.ServerAccount) -> None:
        socket_dir = self._socket_dir(account)
        if self.log_file.exists() and self.log_file.stat().st_size > _MAX_LOG_BYTES:
            self.log_file.write_text("")
        options = ["-h", "", "-k", str(socket_dir)]
        for name, value in SERVER_SETTINGS.items():
            options += ["-c", f"{name}={value}"]
        args = [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(self.pgdata),
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            str(START_TIMEOUT),
            "-s",
            # pg_ctl hands -o to /bin/sh, so each word is shell-quoted.
            "-o",
            " ".join(shlex.quote(option) for option in options),
            "start",
        ]
        self._run_tool(args, account, timeout=START_TIMEOUT + 15, what="starting the server")

    def _stop_locked(self, state: ServerState, mode: str = "fast") -> None:
        """``pg_ctl stop -m fast``, then wait for the postmaster to exit (signals if it will not).

        ``pg_ctl -w`` returns once the pid file is gone, a moment before the process is.
        """
        import psutil

        try:
            process = psutil.Process(state.pid) if state.pid is not None else None
        except psutil.NoSuchProcess:
            process = None
        account = binaries.server_account()
        args = [str(binaries.bin_dir(account) / "pg_ctl"), "-D", str(self.pgdata)]
        args += ["-w", "-t", "30", "-s", "-m", mode, "stop"]
        try:
            self._run_tool(args, account, timeout=45, what="stopping the server")
        except InfrastructureError:
            if process is not None and process.is_running():
                process.terminate()
        if process is not None and not _exited(process, timeout=10):
            process.kill()
            _exited(process, timeout=5)

    def _run_tool(
        self, args: list[str], account: binaries.ServerAccount, *, timeout: float, what: str
    ) -> None:
        """Run a PostgreSQL tool as the server account; failures carry its output and the log.

        Output goes to temporary files, not pipes: ``pg_ctl start`` leaves the server holding
        inherited descriptors, and reading a pipe would wait for the server to exit.
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        with tempfile.TemporaryFile("w+") as output:
            try:
                subprocess.run(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    check=True,
                    timeout=timeout,
                    user=account.user,
                    cwd=self.root,
                    env=env,
                )
                return
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                failure = (
                    f"exit code {exc.returncode}"
                    if isinstance(exc, subprocess.CalledProcessError)
                    else f"no answer after {timeout:g} s"
                )
            except OSError as exc:
                failure = str(exc)
            output.seek(0)
            text = output.read().strip()
        tail = self._log_tail(log_offset)
        detail = ("\n" + _indent(text) if text else "") + tail
        combined = text + tail
        if "No space left on device" in combined:
            hint = f"the disk holding {self.root} is full: free some space and retry"
        elif "could not create lock file" in combined or "Permission denied" in combined:
            hint = f"set RDA_DATA_DIR to a directory you own (now {self.root})"
        else:
            hint = (
                f"see {self.log_file}; if the data directory is damaged, delete {self.pgdata} "
                "(a fresh cluster is made on the next run) or set RDA_DATA_DIR elsewhere"
            )
        raise InfrastructureError(
            f"the embedded PostgreSQL failed while {what} ({failure}){detail}", hint=hint
        )

    def _log_tail(self, offset: int) -> str:
        """The server log written since ``offset``, last lines only, ready to append."""
        try:
            with open(self.log_file, errors="replace") as log:
                log.seek(offset)
                lines = log.read().strip().splitlines()[-_LOG_TAIL_LINES:]
        except OSError:
            return ""
        return f"\n  server log ({self.log_file}):\n" + _indent("\n".join(lines)) if lines else ""


def _exited(process: Any, timeout: float) -> bool:
    """Wait until ``process`` (a psutil.Process) has exited; a zombie counts as exited.

    The server is not our child, so its exit status is collected by whatever adopted it, which
    may take a while (``psutil.Process.wait`` would wait for that too).
    """
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.02)
    return False


def _make_directories(path: Path) -> None:
    """Create ``path`` and its missing parents as 0755 whatever the umask (only those we make:
    existing directories keep their permissions)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(exist_ok=True)
        os.chmod(directory, 0o755)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())

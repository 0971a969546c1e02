"""Suppression (``# noqa``) and configuration (``[tool.rda.lint]``, ``rda.toml``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.helpers import codes
from verifier.errors import UsageError
from verifier.lint.config import find_config, load_config_file
from verifier.lint.runner import Options, lint_paths
from verifier.lint.selection import Selection

BAD = """
from datetime import datetime
from sqlmodel import Field, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=datetime.utcnow){comment}
    project_id: int = Field(foreign_key="project.id")
"""


def test_noqa_with_the_code_silences_only_that_code() -> None:
    assert codes(BAD.format(comment="  # noqa: RDA201")) == ["RDA202"]
    assert codes(BAD.format(comment="  # noqa: RDA104")) == ["RDA201", "RDA202"]
    assert codes(BAD.format(comment="  # noqa:RDA104,RDA201")) == ["RDA202"]


def test_blanket_noqa_and_file_level_noqa() -> None:
    assert codes(BAD.format(comment="  # noqa")) == ["RDA202"]
    assert codes("# rda: noqa\n" + BAD.format(comment="")) == []
    assert codes("# rda: noqa: RDA202\n" + BAD.format(comment="")) == ["RDA201"]


def test_noqa_inside_a_string_does_not_count() -> None:
    source = BAD.format(comment="") + 'NOTE = "# noqa: RDA202"\n'
    assert codes(source) == ["RDA201", "RDA202"]


def _project(tmp_path: Path, lint_table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.rda.lint]\n{lint_table}\n", encoding="utf-8")
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "models.py").write_text(BAD.format(comment=""), encoding="utf-8")
    (pkg / "legacy.py").write_text(BAD.format(comment=""), encoding="utf-8")
    return pkg


def _found(report) -> list[tuple[str, str]]:
    return sorted((Path(f.file).name, f.code) for f in report.findings)


def test_select_ignore_and_per_file_ignores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = _project(
        tmp_path,
        'select = ["RDA2"]\nignore = ["RDA202"]\n'
        '[tool.rda.lint.per-file-ignores]\n"app/legacy.py" = ["RDA201"]',
    )
    monkeypatch.chdir(tmp_path)
    report = lint_paths([pkg], options=Options(ruff=False))
    assert _found(report) == [("models.py", "RDA201")]


def test_more_specific_select_beats_a_broad_ignore() -> None:
    selection = Selection.build(select=["RDA202"], ignore=["RDA2"])
    assert selection.enabled("RDA202") and not selection.enabled("RDA201")
    selection = Selection.build(select=["RDA"], ignore=["RDA2"])
    assert selection.enabled("RDA101") and not selection.enabled("RDA201")


def test_exclude_skips_files_when_walking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = _project(tmp_path, 'exclude = ["app/legacy.py"]')
    monkeypatch.chdir(tmp_path)
    report = lint_paths([pkg], options=Options(ruff=False))
    assert {name for name, _ in _found(report)} == {"models.py"}


def test_rda_toml_wins_over_pyproject(tmp_path: Path) -> None:
    _project(tmp_path, 'select = ["RDA1"]')
    (tmp_path / "rda.toml").write_text('[lint]\nselect = ["RDA2"]\n', encoding="utf-8")
    config = find_config(tmp_path / "app" / "models.py")
    assert config.select == ["RDA2"] and config.source == tmp_path / "rda.toml"


def test_pyproject_without_tool_rda_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    config = find_config(tmp_path)
    assert config.source is None or config.source.parent != tmp_path


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('selectt = ["RDA"]', "unknown key"),
        ('select = "RDA"', "must be a list of strings"),
        ("max-file-size = -1", "positive integer"),
        ('per-file-ignores = ["x"]', "must be a table"),
        ('target-version = "3.11"', "py311"),
    ],
)
def test_bad_configuration_is_a_usage_error(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.rda.lint]\n{table}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        load_config_file(path)


def test_invalid_toml_and_unknown_selectors_are_usage_errors(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.rda.lint\n", encoding="utf-8")
    with pytest.raises(UsageError, match="invalid TOML"):
        load_config_file(path)
    with pytest.raises(UsageError, match="no RDA rule matches"):
        Selection.build(select=["RDA999"], known_rda=["RDA101"])
    with pytest.raises(UsageError, match="invalid rule selector"):
        Selection.build(select=["rda-101"])

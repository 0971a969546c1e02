"""Which files a run lints, once each, and the names it shows them under.

A file reached twice (named on the command line inside a folder also given, or a symlink
beside its target) is linted once, under the first name met; a symlinked folder is not followed.
Names are relative to the working directory as the user reaches the file (symlinks kept), and
absolute outside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.lint.config import LintConfig
from verifier.lint.discovery import discover
from verifier.lint.ruff_runner import PendingRuff
from verifier.lint.runner import _display, lint_paths


def _tree(root: Path) -> Path:
    pkg = root / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n", encoding="utf-8")
    (pkg / "sub" / "b.py").write_text("y = 2\n", encoding="utf-8")
    return pkg


def _names(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_each_file_is_found_once_under_the_first_name_met(tmp_path: Path) -> None:
    pkg = _tree(tmp_path)
    (pkg / "z_link.py").symlink_to(pkg / "a.py")  # the same file, met after a.py
    (pkg / "linked_dir").symlink_to(pkg / "sub", target_is_directory=True)  # not followed
    found = discover([pkg, pkg / "a.py", pkg / "sub" / "b.py"], LintConfig(root=tmp_path))
    assert _names(found.files, tmp_path) == ["pkg/a.py", "pkg/sub/b.py"]
    assert _names(found.explicit, tmp_path) == ["pkg/a.py", "pkg/sub/b.py"]


def test_a_symlink_to_a_file_outside_is_linted_under_its_own_name(tmp_path: Path) -> None:
    pkg = _tree(tmp_path / "inside")
    outside = tmp_path / "outside.py"
    outside.write_text("z = 3\n", encoding="utf-8")
    (pkg / "m_link.py").symlink_to(outside)
    found = discover([pkg], LintConfig(root=tmp_path))
    assert _names(found.files, tmp_path) == [
        "inside/pkg/a.py",
        "inside/pkg/m_link.py",
        "inside/pkg/sub/b.py",
    ]


def test_a_folder_reached_through_a_symlinked_argument_is_walked_once(tmp_path: Path) -> None:
    pkg = _tree(tmp_path)
    alias = tmp_path / "alias"
    alias.symlink_to(pkg, target_is_directory=True)
    found = discover([alias, pkg], LintConfig(root=tmp_path))
    assert _names(found.files, tmp_path) == ["alias/a.py", "alias/sub/b.py"]


def test_names_are_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = _tree(tmp_path / "work")
    link = tmp_path / "work" / "via"
    link.symlink_to(pkg, target_is_directory=True)
    monkeypatch.chdir(tmp_path / "work")
    assert _display(pkg / "a.py") == "pkg/a.py"
    assert _display(Path("pkg/sub/../a.py")) == "pkg/a.py"
    assert _display(link / "a.py") == "via/a.py"  # the symlink kept, as the user typed it
    assert _display(Path.cwd()) == "."
    assert _display(tmp_path / "elsewhere.py") == (tmp_path / "elsewhere.py").as_posix()
    # a sibling whose name starts like the working directory's is outside it
    assert _display(tmp_path / "workshop" / "c.py") == (tmp_path / "workshop" / "c.py").as_posix()
    monkeypatch.chdir("/")
    assert _display(pkg / "a.py") == pkg.relative_to("/").as_posix() + "/a.py"


def test_ruff_s_findings_carry_the_name_the_file_was_linted_under(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ruff names files by absolute path; each of its findings gets the run's display name
    back, through a symlinked folder too."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.py").write_text("import os\n", encoding="utf-8")  # F401
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    report = lint_paths([Path("link")])
    assert [(f.code, f.file) for f in report.findings] == [("F401", "link/a.py")]


def test_a_name_ruff_resolved_itself_still_finds_its_display_name(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    pending = PendingRuff([(tmp_path / "link" / "a.py", "link/a.py")], None)
    assert pending.display_of(str(tmp_path / "link" / "a.py")) == "link/a.py"
    assert pending.display_of(str(real / "a.py")) == "link/a.py"  # its real path
    assert pending.display_of(str(tmp_path / "other.py")) == str(tmp_path / "other.py")

"""``rda skill package``: the .skill zip holds the skill and nothing else."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from verifier.errors import UsageError
from verifier.skill.package import package_skill

from .helpers import EXPERTISE, copy_skill, replace_in


def names(archive: Path) -> list[str]:
    with zipfile.ZipFile(archive) as zf:
        return zf.namelist()


def test_package_holds_the_skill_without_evals_caches_or_bytecode(
    skill_copy: Path, tmp_path: Path
) -> None:
    # litter a developer's tree would have
    (skill_copy / "references" / "__pycache__").mkdir()
    (skill_copy / "references" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (skill_copy / "stray.pyc").write_bytes(b"\0")
    (skill_copy / ".DS_Store").write_bytes(b"\0")
    (skill_copy / ".ruff_cache").mkdir()
    (skill_copy / ".ruff_cache" / "CACHEDIR.TAG").write_text("x")

    archive = package_skill(skill_copy, tmp_path / "out")
    assert archive == tmp_path / "out" / "relational-db-agent.skill"
    listed = names(archive)

    assert "relational-db-agent/SKILL.md" in listed
    assert "relational-db-agent/references/sessions.md" in listed
    assert "relational-db-agent/references/capstone-task-api.md" in listed
    assert "relational-db-agent/LEARNING-SPEC.md" in listed
    assert all(name.startswith("relational-db-agent/") for name in listed)
    assert not [n for n in listed if "/evals/" in n or n.endswith("/evals")]
    assert not [n for n in listed if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    assert not [n for n in listed if "/." in n]

    expected = sorted(
        p.relative_to(skill_copy).as_posix()
        for p in skill_copy.rglob("*")
        if p.is_file()
        and "evals" not in p.relative_to(skill_copy).parts[:1]
        and "__pycache__" not in p.parts
        and not any(part.startswith(".") for part in p.relative_to(skill_copy).parts)
        and p.suffix != ".pyc"
    )
    assert sorted(n.removeprefix("relational-db-agent/") for n in listed) == expected

    with zipfile.ZipFile(archive) as zf:
        assert zf.read("relational-db-agent/SKILL.md") == (skill_copy / "SKILL.md").read_bytes()


def test_packaging_is_reproducible(skill_copy: Path, tmp_path: Path) -> None:
    first = package_skill(skill_copy, tmp_path / "a.skill").read_bytes()
    second = package_skill(skill_copy, tmp_path / "b.skill").read_bytes()
    assert first == second


def test_expertise_skill_packages_under_its_own_name(tmp_path: Path) -> None:
    archive = package_skill(copy_skill(EXPERTISE, tmp_path), tmp_path)
    assert names(archive) == ["building-with-sqlmodel-async/SKILL.md"]


def test_invalid_frontmatter_is_not_packaged(skill_copy: Path, tmp_path: Path) -> None:
    replace_in(skill_copy / "SKILL.md", "name: relational-db-agent", "name: Relational")
    with pytest.raises(UsageError, match="SKL103"):
        package_skill(skill_copy, tmp_path)
    assert not list(tmp_path.glob("*.skill"))


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        package_skill(tmp_path / "nope", tmp_path)

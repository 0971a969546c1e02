"""Where the in-memory tablespace goes, and how RAM left by deleted clusters is reclaimed.

The server side (databases really created there, a vanished tablespace remaking the cluster)
is in test_embedded.py; these cover the file-system decisions around it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.db import ramdisk


def test_rda_ram_dir_chooses_the_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RDA_RAM_DIR", str(tmp_path))
    assert ramdisk.ram_parent() == tmp_path
    directory = ramdisk.ram_directory(Path("/some/cluster/pg18"))
    assert directory is not None and directory.parent == tmp_path
    assert directory.name.startswith("rda-")
    assert directory != ramdisk.ram_directory(Path("/other/cluster/pg18"))


def test_empty_rda_ram_dir_keeps_databases_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RDA_RAM_DIR", "")
    assert ramdisk.ram_parent() is None
    assert ramdisk.ram_directory(Path("/some/cluster/pg18")) is None


def test_default_is_dev_shm_only_when_it_is_a_roomy_tmpfs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RDA_RAM_DIR", raising=False)
    chosen = ramdisk.ram_parent()
    if chosen is not None:
        assert chosen == Path("/dev/shm") and ramdisk._is_tmpfs(chosen)
    monkeypatch.setattr(ramdisk, "MIN_FREE_BYTES", 1 << 62)  # no machine has that much
    assert ramdisk.ram_parent() is None


def make_cluster_with_tablespace(root: Path, memory: Path) -> tuple[Path, Path]:
    """A data directory whose pg_tblspc links to a tablespace directory, as PostgreSQL makes."""
    pgdata = root / "pg18"
    (pgdata / "pg_tblspc").mkdir(parents=True)
    directory = memory / "rda-0123456789"
    directory.mkdir()
    (pgdata / "pg_tblspc" / "16384").symlink_to(directory)
    ramdisk.record_owner(directory, pgdata)
    return pgdata, directory


def test_sweep_removes_only_directories_of_deleted_clusters(tmp_path: Path) -> None:
    memory = tmp_path / "shm"
    memory.mkdir()
    _, kept = make_cluster_with_tablespace(tmp_path / "alive", memory)
    orphan = memory / "rda-9876543210"
    (orphan / "PG_18_202506291").mkdir(parents=True)
    ramdisk.record_owner(orphan, tmp_path / "deleted" / "pg18")
    stranger = memory / "rda-unrelated"  # no owner file: not ours to judge
    stranger.mkdir()

    assert ramdisk.sweep_orphans(memory) == [orphan]
    assert not orphan.exists() and not orphan.with_name(orphan.name + ".owner").exists()
    assert kept.is_dir() and stranger.is_dir()


def test_missing_tablespace_targets_are_found(tmp_path: Path) -> None:
    memory = tmp_path / "shm"
    memory.mkdir()
    pgdata, directory = make_cluster_with_tablespace(tmp_path / "cluster", memory)
    assert ramdisk.missing_tablespace_targets(pgdata) == []
    directory.rmdir()  # what a reboot does to a tmpfs
    assert ramdisk.missing_tablespace_targets(pgdata) == [pgdata / "pg_tblspc" / "16384"]

"""Turn the paths on the command line into the files to lint.

Directories are walked without following symlinked directories (as ruff does, so a symlink
loop cannot trap the walk and no file is linted twice under two names), skipping the
directories ruff skips by default and the configured ``exclude`` globs. A path given on the
command line is followed even when it is a symlink; a looping one is a clear usage error.
Files given explicitly are linted if they are Python (``.py``/``.pyi``), ``alembic.ini`` or a
``.mako`` template. Problems with the paths themselves are usage errors; problems met while
walking become notes in the report.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from verifier.errors import UsageError
from verifier.lint.config import LintConfig
from verifier.lint.kinds import ALEMBIC_INI, MAKO, file_kind

# ruff's default `exclude` list: tool caches, VCS and virtualenv directories.
SKIPPED_DIRS = frozenset(
    {
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".git-rewrite",
        ".hg",
        ".ipynb_checkpoints",
        ".mypy_cache",
        ".nox",
        ".pants.d",
        ".pyenv",
        ".pytest_cache",
        ".pytype",
        ".ruff_cache",
        ".svn",
        ".tox",
        ".venv",
        ".vscode",
        "__pypackages__",
        "__pycache__",
        "_build",
        "buck-out",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    }
)


def lintable(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith((".py", ".pyi")) or file_kind(name) in (ALEMBIC_INI, MAKO)


class Discovery:
    """The files to lint, those of them named on the command line, notes on the walk (a plain
    class, not a dataclass: see ``verifier.findings``)."""

    __slots__ = ("explicit", "files", "notes")

    def __init__(
        self,
        files: list[Path] | None = None,
        explicit: list[Path] | None = None,
        notes: list[str] | None = None,
    ) -> None:
        self.files: list[Path] = [] if files is None else files
        self.explicit: list[Path] = [] if explicit is None else explicit
        self.notes: list[str] = [] if notes is None else notes


def discover(paths: list[Path], config: LintConfig) -> Discovery:
    found = Discovery()
    seen: set[str] = set()

    def add(path: Path, real: str | None = None) -> None:
        """Add ``path`` unless its real path (``real``, when the caller knows it) was added."""
        key = os.path.realpath(path) if real is None else real
        if key not in seen:
            seen.add(key)
            found.files.append(path)

    for path in paths:
        try:
            path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                raise UsageError(f"{path}: broken symbolic link") from None
            raise UsageError(f"{path}: no such file or directory") from None
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                raise UsageError(f"{path}: symbolic link loop (too many levels of links)") from None
            raise UsageError(f"{path}: {exc.strerror or exc}") from None
        if path.is_dir():
            _walk(path, config, found, add)
        elif path.is_file():
            if not lintable(path.name):
                raise UsageError(
                    f"{path}: not a Python file",
                    hint="rda lint checks .py files, alembic.ini and script.py.mako",
                )
            found.explicit.append(path)
            add(path)
        else:
            raise UsageError(f"{path}: not a regular file or directory")
    return found


def _walk(
    root: Path, config: LintConfig, found: Discovery, add: Callable[[Path, str | None], None]
) -> None:
    """Walk ``root`` without following symlinked directories (as ruff does): no loops, no
    file reached twice under two names. Symlinked files are linted.

    A file that is no symlink has its directory's real path and its own name as its real
    path: one ``realpath`` per directory, not one per file (a ``lstat`` of every component).
    """

    def onerror(exc: OSError) -> None:
        found.notes.append(f"skipped {exc.filename}: {exc.strerror or exc}")

    for directory, dirnames, filenames in os.walk(root, onerror=onerror):
        here = Path(directory)
        real_here = os.path.realpath(directory)
        keep = []
        for name in sorted(dirnames):
            sub = here / name
            if name in SKIPPED_DIRS or name.endswith(".egg-info") or config.excluded(sub):
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not lintable(name):
                continue
            path = here / name
            if config.excluded(path):
                continue
            link = os.path.islink(path)
            if link and not os.path.exists(path):
                found.notes.append(f"skipped {path}: broken or looping symbolic link")
                continue
            add(path, None if link else os.path.join(real_here, name))

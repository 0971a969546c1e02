"""``[tool.rda.lint]`` (in ``pyproject.toml``) or ``[lint]`` (in ``rda.toml``): the lint settings.

Keys, all optional::

    select = ["RDA", "F", "B"]          # replaces the default selection
    extend-select = ["S"]               # adds to it
    ignore = ["RDA304"]
    per-file-ignores = {"tests/*" = ["RDA6"], "scripts/*.py" = ["RDA107"]}
    exclude = ["migrations/versions/*"] # paths (globs) not linted when walking directories
    ruff = true                         # run ruff's curated rules too
    max-file-size = 2097152             # bytes; larger files are reported, not linted
    target-version = "py311"            # the Python version ruff parses for

The file is found by walking up from the first path linted (``rda.toml`` wins over
``pyproject.toml`` in the same directory; a ``pyproject.toml`` without ``[tool.rda]`` is
skipped). Globs are relative to the directory holding the file. A bad value is a usage error
(exit 2) that names the key. ``LintConfig`` is a plain class, not a dataclass (see
``verifier.findings``).
"""

from __future__ import annotations

import sys
from fnmatch import fnmatch
from pathlib import Path

from verifier.errors import UsageError
from verifier.lint.reading import DEFAULT_MAX_FILE_SIZE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_KEYS = {
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "exclude",
    "ruff",
    "max-file-size",
    "target-version",
}


def default_target_version() -> str:
    return f"py3{min(sys.version_info.minor, 14)}"


class LintConfig:
    """Settings of one run (defaults when no configuration file is found)."""

    __slots__ = (
        "exclude",
        "extend_select",
        "ignore",
        "max_file_size",
        "per_file_ignores",
        "root",
        "ruff",
        "select",
        "source",
        "target_version",
    )

    def __init__(
        self,
        select: list[str] | None = None,
        extend_select: list[str] | None = None,
        ignore: list[str] | None = None,
        per_file_ignores: dict[str, list[str]] | None = None,
        exclude: list[str] | None = None,
        ruff: bool = True,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        target_version: str | None = None,
        root: Path | None = None,
        source: Path | None = None,
    ) -> None:
        self.select = select
        self.extend_select: list[str] = [] if extend_select is None else extend_select
        self.ignore: list[str] = [] if ignore is None else ignore
        self.per_file_ignores: dict[str, list[str]] = (
            {} if per_file_ignores is None else per_file_ignores
        )
        self.exclude: list[str] = [] if exclude is None else exclude
        self.ruff = ruff
        self.max_file_size = max_file_size
        self.target_version = default_target_version() if target_version is None else target_version
        self.root = Path.cwd() if root is None else root
        self.source = source

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def _glob_match(self, pattern: str, path: Path) -> bool:
        rel = self.relative(path)
        return (
            fnmatch(rel, pattern)
            or fnmatch(path.name, pattern)
            or fnmatch(rel, pattern.rstrip("/") + "/*")
        )

    def excluded(self, path: Path) -> bool:
        return any(self._glob_match(p, path) for p in self.exclude)

    def ignored_for(self, path: Path) -> list[str]:
        """Codes ``per-file-ignores`` silences for ``path``."""
        out: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if self._glob_match(pattern, path):
                out.extend(codes)
        return out


def _string_list(value: Any, key: str, where: Path) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: [tool.rda.lint] {key} must be a list of strings")
    return [v.strip().upper() if key != "exclude" else v for v in value]


def parse_config(data: dict[str, Any], root: Path, source: Path | None) -> LintConfig:
    """Validate a ``[tool.rda.lint]`` table."""
    where = source or root
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise UsageError(
            f"{where}: unknown key(s) in [tool.rda.lint]: {', '.join(unknown)}",
            hint=f"valid keys: {', '.join(sorted(_KEYS))}",
        )
    config = LintConfig(root=root, source=source)
    if "select" in data:
        config.select = _string_list(data["select"], "select", where)
    if "extend-select" in data:
        config.extend_select = _string_list(data["extend-select"], "extend-select", where)
    if "ignore" in data:
        config.ignore = _string_list(data["ignore"], "ignore", where)
    if "exclude" in data:
        config.exclude = _string_list(data["exclude"], "exclude", where)
    if "per-file-ignores" in data:
        table = data["per-file-ignores"]
        if not isinstance(table, dict):
            raise UsageError(
                f"{where}: [tool.rda.lint] per-file-ignores must be a table of glob = [codes]"
            )
        config.per_file_ignores = {
            str(k): _string_list(v, f"per-file-ignores.{k}", where) for k, v in table.items()
        }
    if "ruff" in data:
        if not isinstance(data["ruff"], bool):
            raise UsageError(f"{where}: [tool.rda.lint] ruff must be true or false")
        config.ruff = data["ruff"]
    if "max-file-size" in data:
        size = data["max-file-size"]
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise UsageError(
                f"{where}: [tool.rda.lint] max-file-size must be a positive integer (bytes)"
            )
        config.max_file_size = size
    if "target-version" in data:
        version = data["target-version"]
        if (
            not isinstance(version, str)
            or not version.startswith("py3")
            or not version[3:].isdigit()
        ):
            raise UsageError(f"{where}: [tool.rda.lint] target-version must look like 'py311'")
        config.target_version = version
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a file to read: it costs startup time

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def load_config_file(path: Path) -> LintConfig:
    """Read an explicit configuration file (``--config``)."""
    if not path.is_file():
        raise UsageError(f"configuration file not found: {path}")
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("rda", {}).get("lint", {})
    else:
        table = data.get("lint", data.get("tool", {}).get("rda", {}).get("lint", {}))
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.rda.lint] must be a table")
    return parse_config(table, path.parent, path)


def find_config(start: Path) -> LintConfig:
    """The configuration that applies to ``start``: nearest rda.toml/pyproject.toml upward."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for candidate in [directory, *directory.parents]:
        rda_toml = candidate / "rda.toml"
        if rda_toml.is_file():
            return load_config_file(rda_toml)
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "tool.rda" not in pyproject.read_text(encoding="utf-8", errors="replace"):
                    continue  # no [tool.rda...] table: skip parsing (and importing tomllib)
            except OSError:
                continue
            data = _read_toml(pyproject)
            tool = data.get("tool", {}).get("rda")
            if isinstance(tool, dict):
                table = tool.get("lint", {})
                if not isinstance(table, dict):
                    raise UsageError(f"{pyproject}: [tool.rda.lint] must be a table")
                return parse_config(table, candidate, pyproject)
    return LintConfig(root=Path.cwd())

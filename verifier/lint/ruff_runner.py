"""Run ruff once per lint run and turn its JSON into findings.

ruff is invoked as the binary its Python package ships (a virtualenv's ``bin/ruff``, else where
``ruff.__main__.find_ruff_bin`` finds it), on one thread (``ruff_environment``), with
``--isolated`` so the user's own ruff configuration cannot change the curated selection,
``--no-cache`` so linting never writes a ``.ruff_cache`` into the user's tree (measured: no
slower on the inputs of ``bench/lint_speed.py``), and ``--exit-zero`` so its exit status only
reports ruff's own failures. ``RDA`` codes are declared external so ``# noqa: RDA101`` is
left to us.

ruff never writes files here: ``rda lint --fix`` takes the edits of ruff's *safe* fixes from
its JSON (``results()``) and applies them itself, after ``ruff_filters`` has dropped the
findings and withheld the fixes that would change behaviour.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from verifier import skill_refs
from verifier.errors import InfrastructureError, UsageError
from verifier.findings import Finding, Severity
from verifier.lint.selection import Selection

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# FastAPI's dependency markers are meant to be called in argument defaults (bugbear B008).
_IMMUTABLE_CALLS = (
    "fastapi.Depends",
    "fastapi.Security",
    "fastapi.Query",
    "fastapi.Path",
    "fastapi.Body",
    "fastapi.Header",
    "fastapi.Cookie",
    "fastapi.Form",
    "fastapi.File",
)
# Where the skill teaches the fix for ruff's codes, when it does.
_SKILL_REFS = {
    "DTZ": skill_refs.MODELS_TIMESTAMPS,
    "S608": skill_refs.CRUD_BOUND_PARAMETERS,
    "E722": skill_refs.TRANSACTIONS_EXCEPT,
    "RUF006": skill_refs.SESSIONS_CONCURRENCY,
}
SYNTAX_CODES = frozenset({"invalid-syntax", "E902", "E999"})


_FIND_LOCK = threading.Lock()


@cache
def ruff_binary() -> str:
    # find_ruff_bin reads sysconfig, whose first use fills its variables without a lock: two
    # --jobs threads asking at once saw EXE as None ("can only concatenate str ... NoneType").
    with _FIND_LOCK:
        return _find_ruff_binary()


def _find_ruff_binary() -> str:
    in_venv = os.path.join(sys.prefix, "bin", "ruff")
    if os.name == "posix" and sys.prefix != sys.base_prefix and os.path.isfile(in_venv):
        # The first place find_ruff_bin looks, sysconfig's scripts folder, is the virtualenv's
        # bin/: found here without importing sysconfig, 3-5 ms of a one-file ``rda lint``.
        return in_venv
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError as exc:  # pragma: no cover - ruff is a dependency
        raise InfrastructureError(
            "the ruff package is not installed", hint="pip install ruff"
        ) from exc
    try:
        return os.fsdecode(find_ruff_bin())
    except FileNotFoundError as exc:
        raise InfrastructureError(f"ruff binary not found: {exc}", hint="reinstall ruff") from exc


@cache
def ruff_version() -> str:
    """ruff's version, from its dist-info (``verifier.distributions``). The package is found,
    not imported: its import reads ``sysconfig``."""
    try:
        from importlib.util import find_spec

        from verifier.distributions import version_beside

        spec = find_spec("ruff")
        if spec is None or spec.origin is None:
            return "unknown"
        return version_beside(Path(spec.origin).resolve().parent, "ruff") or "unknown"
    except Exception:  # pragma: no cover - version is informative only
        return "unknown"


def _command(selection: Selection, target_version: str, fix: bool) -> list[str]:
    cmd = [
        ruff_binary(),
        "check",
        "--isolated",
        "--no-cache",
        "--exit-zero",
        "--output-format",
        "json",
        "--target-version",
        target_version,
        "--select",
        ",".join(selection.ruff_select()),
        "--config",
        "lint.external = ['RDA']",
        "--config",
        f"lint.flake8-bugbear.extend-immutable-calls = {list(_IMMUTABLE_CALLS)!r}",
    ]
    ignore = selection.ruff_ignore()
    if ignore:
        cmd += ["--ignore", ",".join(ignore)]
    if fix:
        cmd.append("--fix")
    return cmd


def ruff_environment() -> dict[str, str]:
    """ruff's environment: this one, with ruff's thread pool at one thread unless the user
    sized it (``RAYON_NUM_THREADS``, rayon's variable, which ruff's pool reads).

    ruff runs beside the RDA rules, which already use the cores (forked processes for large
    runs): its own threads only competed with them. Interleaved on the tree of
    ``bench/lint_speed.py`` (2 CPUs): 924 -> 866 ms, CPU 1248 -> 1185 ms. Where ruff runs
    alone (the rounds of ``--fix``) one thread is slower: 88 ms over those 200 files instead of
    58 ms, per round.
    """
    return {"RAYON_NUM_THREADS": "1", **os.environ}


class RuffJob:
    """One ruff process, started now and read later: it runs while the RDA rules do."""

    def __init__(self, cmd: list[str], stdin: str | None = None) -> None:
        self.cmd = cmd
        self.stdin = stdin
        try:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=ruff_environment(),
            )
        except OSError as exc:
            raise InfrastructureError(f"cannot run ruff: {exc}") from exc

    def items(self) -> list[dict[str, Any]]:
        stdout, stderr = self.proc.communicate(self.stdin)
        if self.proc.returncode != 0:
            message = " ".join(line.strip() for line in stderr.strip().splitlines()[:3])
            if "Unknown rule selector" in message or "invalid value" in message:
                raise UsageError(f"ruff rejected the selection: {message}")
            raise InfrastructureError(f"ruff failed (exit {self.proc.returncode}): {message}")
        if stdout.strip() in ("", "[]"):
            return []  # nothing found: a clean file does not pay for importing json
        import json

        try:
            data = json.loads(stdout)
        except json.JSONDecodeError as exc:
            raise InfrastructureError(f"ruff printed invalid JSON: {exc}") from exc
        if not isinstance(data, list):
            raise InfrastructureError("ruff printed unexpected JSON (not a list)")
        return data


def _run(cmd: list[str], stdin: str | None = None) -> list[dict[str, Any]]:
    return RuffJob(cmd, stdin).items()


def _skill_ref(code: str) -> str | None:
    for prefix, ref in _SKILL_REFS.items():
        if code.startswith(prefix):
            return ref
    return None


def to_finding(item: dict[str, Any], display: str) -> Finding:
    code = item.get("code") or "invalid-syntax"
    location = item.get("location") or {}
    fix = item.get("fix") or None
    details: dict[str, Any] = {"source": "ruff"}
    if item.get("name"):
        details["rule_name"] = item["name"]
    if item.get("url"):
        details["url"] = item["url"]
    if fix and fix.get("applicability") == "safe":
        details["fixable"] = True
    return Finding(
        code=code,
        message=str(item.get("message", "")),
        severity=Severity.ERROR,
        file=display,
        line=location.get("row"),
        col=location.get("column"),
        stage="static",
        fix=(fix or {}).get("message"),
        skill_ref=_skill_ref(code),
        details=details,
    )


if TYPE_CHECKING:
    RuffEdit = dict[str, Any]  # {"content", "location": {"row", "column"}, "end_location": ...}


def safe_edits(item: dict[str, Any]) -> list[RuffEdit]:
    """The edits of a ruff finding's fix when ruff calls it safe, else none."""
    fix = item.get("fix") or {}
    if fix.get("applicability") != "safe":
        return []
    edits = fix.get("edits") or []
    return [e for e in edits if isinstance(e, dict)]


class PendingRuff:
    """Findings of a ruff run over files, collected when ``findings()`` is called."""

    def __init__(self, files: Sequence[tuple[Path, str]], cmd: list[str] | None) -> None:
        # ruff names a file by its absolute path, ``..`` folded and symlinks kept: what
        # ``abspath`` gives without a system call. Real paths (a ``lstat`` per component) are
        # only computed if ruff names a file some other way.
        self.files = files
        self.by_path = {os.path.abspath(p): d for p, d in files}
        self.by_real: dict[str, str] | None = None
        self.job = RuffJob(cmd) if cmd is not None else None

    def display_of(self, filename: str) -> str:
        """The display name of the file ruff calls ``filename``."""
        shown = self.by_path.get(filename)
        if shown is None:
            if self.by_real is None:
                self.by_real = {os.path.realpath(p): d for p, d in self.files}
            shown = self.by_real.get(os.path.realpath(filename), filename)
        return shown

    def cancel(self) -> None:
        """Stop the ruff process (the run failed before its findings were needed)."""
        if self.job is not None and self.job.proc.poll() is None:
            self.job.proc.kill()
            self.job.proc.communicate()

    def findings(self) -> list[Finding]:
        return [finding for finding, _ in self.results()]

    def results(self) -> list[tuple[Finding, list[RuffEdit]]]:
        """Each finding with the edits of its safe fix (empty when it has none)."""
        if self.job is None:
            return []
        out = []
        for item in self.job.items():
            display = self.display_of(str(item.get("filename", "")))
            out.append((to_finding(item, display), safe_edits(item)))
        return out


def start_ruff(
    files: Sequence[tuple[Path, str]],
    selection: Selection,
    target_version: str,
    fix: bool = False,
) -> PendingRuff:
    """Start one ruff process over ``files`` (path, display name); read it with findings()."""
    python = [(p, d) for p, d in files if p.suffix in (".py", ".pyi")]
    if not python or not selection.ruff_select():
        return PendingRuff(python, None)
    cmd = [*_command(selection, target_version, fix), "--", *(str(p) for p, _ in python)]
    return PendingRuff(python, cmd)


def run_ruff(
    files: Sequence[tuple[Path, str]],
    selection: Selection,
    target_version: str,
    fix: bool = False,
) -> list[Finding]:
    """Lint ``files`` (path, display name) in one ruff process and wait for it."""
    return start_ruff(files, selection, target_version, fix).findings()


class PendingSource:
    """Findings of ruff on a snippet fed through its stdin, collected by ``findings()``: the
    process starts (its slowest part) while the RDA rules run."""

    def __init__(self, filename: str, cmd: list[str] | None, source: str) -> None:
        self.filename = filename
        self.job = RuffJob(cmd, stdin=source) if cmd is not None else None

    def findings(self) -> list[Finding]:
        if self.job is None:
            return []
        return [to_finding(item, self.filename) for item in self.job.items()]


def start_ruff_source(
    source: str, filename: str, selection: Selection, target_version: str
) -> PendingSource:
    """Start ruff on an in-memory snippet (through its stdin); read it with findings()."""
    if not selection.ruff_select():
        return PendingSource(filename, None, source)
    cmd = [*_command(selection, target_version, False), "--stdin-filename", filename, "-"]
    return PendingSource(filename, cmd, source)


def run_ruff_source(
    source: str, filename: str, selection: Selection, target_version: str
) -> list[Finding]:
    """Lint an in-memory snippet through ruff's stdin."""
    return start_ruff_source(source, filename, selection, target_version).findings()

"""Read one file for linting: size limit, PEP 263 encoding, syntax, as findings not crashes.

Everything that can go wrong with a file's bytes becomes one ``RDA000`` finding with a message
that says what to do, so a bad file never stops the run.
"""

from __future__ import annotations

import ast
import codecs
import io
import warnings
from pathlib import Path

from verifier.findings import Finding, Severity
from verifier.records import Record, setfield

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024


class SourceFile(Record):
    """A file's display path and decoded text, or the finding that explains why there is none.

    A ``Record``, not a dataclass: see ``verifier.records``.
    """

    __slots__ = ("path", "problem", "text")
    path: str
    text: str | None
    problem: Finding | None

    def __init__(self, path: str, text: str | None, problem: Finding | None = None) -> None:
        setfield(self, "path", path)
        setfield(self, "text", text)
        setfield(self, "problem", problem)


def _problem(
    path: str,
    message: str,
    line: int = 1,
    col: int = 1,
    *,
    severity: Severity = Severity.ERROR,
    fix: str | None = None,
) -> Finding:
    return Finding(
        code="RDA000",
        message=message,
        severity=severity,
        file=path,
        line=line,
        col=col,
        fix=fix,
        details={"rule_name": "unlintable-file"},
    )


def read_source(path: Path, display: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> SourceFile:
    """Read and decode ``path``; problems become an RDA000 finding."""
    try:
        size = path.stat().st_size
        if size > max_size:
            return SourceFile(
                display,
                None,
                _problem(
                    display,
                    f"file is {size / 1048576:.1f} MiB, over the "
                    f"{max_size / 1048576:.1f} MiB limit: "
                    "not linted",
                    severity=Severity.WARNING,
                    fix="split the module, or raise `max-file-size` under [tool.rda.lint]",
                ),
            )
        data = path.read_bytes()
    except OSError as exc:
        return SourceFile(
            display, None, _problem(display, f"cannot read file: {exc.strerror or exc}")
        )
    return decode_source(data, display)


def decode_source(data: bytes, display: str) -> SourceFile:
    """Decode bytes the way Python does (BOM, coding line, else UTF-8).

    Most files have neither: they are UTF-8 without asking ``tokenize`` (whose import, with its
    regular expressions, is ~5 % of a one-file ``rda lint``).
    """
    if not data.startswith(codecs.BOM_UTF8) and b"coding" not in b"\n".join(
        data.split(b"\n", 2)[:2]
    ):
        return _decoded(data, display, "utf-8")
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if b"coding" in b"\n".join(data.splitlines()[:2]):
            return SourceFile(display, None, _problem(display, f"bad encoding declaration: {exc}"))
        encoding = "utf-8"  # undecodable first lines: report where, below
    return _decoded(data, display, encoding)


def _decoded(data: bytes, display: str, encoding: str) -> SourceFile:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"file is not valid {encoding.upper()}: {exc.reason} at byte {exc.start}"
        fix = "save the file as UTF-8 (or declare its encoding with a PEP 263 coding line)"
        return SourceFile(display, None, _problem(display, message, line=line, fix=fix))
    except LookupError as exc:
        return SourceFile(display, None, _problem(display, f"unknown encoding: {exc}"))
    if text.startswith("\ufeff"):
        text = text[1:]
    return SourceFile(display, text)


def parse_python(text: str, display: str) -> ast.Module | Finding:
    """The module's tree, or the RDA000 finding that locates its syntax error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not our finding
            return ast.parse(text, filename=display, type_comments=False)
    except SyntaxError as exc:
        return _problem(
            display,
            f"syntax error: {exc.msg}",
            line=exc.lineno or 1,
            col=exc.offset or 1,
            fix="fix the syntax error; nothing else in this file can be checked until it parses",
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        return _problem(display, f"cannot parse file: {exc}")

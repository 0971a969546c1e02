"""``# noqa`` suppression for RDA findings (ruff applies its own to its codes).

Same forms as ruff: ``# noqa`` silences every finding on its line, ``# noqa: RDA101, RDA104``
only those codes. ``# rda: noqa`` anywhere in a file (on its own line) silences the whole file,
``# rda: noqa: RDA304`` one code in the whole file. Comments are found with ``tokenize``, so a
``# noqa`` inside a string literal does not count.
"""

from __future__ import annotations

import io
import re

# Compiled by ``re`` on first use (and cached there): most files never mention ``noqa``, and
# these case-insensitive patterns are among the slowest of a run to compile.
_CODES = r"(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)"
_LINE = r"#\s*noqa(?::\s*" + _CODES + r")?"
_FILE = r"^#\s*rda\s*:\s*noqa(?::\s*" + _CODES + r")?"

ALL = None  # marker: every code


class Suppressions:
    """Codes silenced per line (None = all) and for the whole file (not a dataclass: see
    ``verifier.findings``)."""

    __slots__ = ("file_all", "file_codes", "lines")

    def __init__(
        self,
        lines: dict[int, set[str] | None] | None = None,
        file_all: bool = False,
        file_codes: set[str] | None = None,
    ) -> None:
        self.lines: dict[int, set[str] | None] = {} if lines is None else lines
        self.file_all = file_all
        self.file_codes: set[str] = set() if file_codes is None else file_codes

    def suppressed(self, code: str, line: int | None) -> bool:
        if self.file_all or code in self.file_codes:
            return True
        if line is None or line not in self.lines:
            return False
        codes = self.lines[line]
        return codes is None or code in codes


def _codes(match: re.Match[str]) -> set[str] | None:
    raw = match.group("codes")
    if not raw:
        return None
    return {c.upper() for c in re.split(r"[\s,]+", raw.strip()) if c}


def _comments(source: str) -> list[tuple[int, str, bool]]:
    """(line, comment text, alone on its line) for each comment."""
    import tokenize  # only for files that mention noqa: most never do

    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                alone = not tok.line[: tok.start[1]].strip()
                out.append((tok.start[0], tok.string, alone))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        for number, line in enumerate(source.splitlines(), start=1):
            index = line.find("#")
            if index >= 0:
                out.append((number, line[index:], not line[:index].strip()))
    return out


def parse_suppressions(source: str) -> Suppressions:
    found = Suppressions()
    if "noqa" not in source.lower():
        return found
    for line, text, alone in _comments(source):
        file_match = re.match(_FILE, text, re.IGNORECASE) if alone else None
        if file_match:
            codes = _codes(file_match)
            if codes is None:
                found.file_all = True
            else:
                found.file_codes |= codes
            continue
        match = re.search(_LINE, text, re.IGNORECASE)
        if match:
            codes = _codes(match)
            previous = found.lines.get(line, set())
            if codes is None or previous is None:
                found.lines[line] = None
            else:
                found.lines[line] = previous | codes
    return found

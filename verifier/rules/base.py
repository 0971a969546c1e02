"""What every RDA rule is: a code, a documented reason, and a check over one file.

A rule is one module holding one ``Rule`` subclass. Its module docstring is its documentation,
in ruff's shape (``## What it does``, ``## Why is this bad?``, ``## Example``,
``## Use instead``): ``rda rule CODE`` prints it, and the two examples are the rule's own
tests (the first must fire, the second must not), so documentation and behaviour cannot drift.
An example may start with ``# file: NAME`` to be linted under that file name (``env.py``,
``alembic.ini``...). The records here are ``Record``s and a plain class, not dataclasses: see
``verifier.records``.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from functools import cached_property

from verifier.findings import Finding, Severity
from verifier.records import Record, setfield

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

    from verifier.rules.analysis.context import FileContext

# Only the documentation commands read these: compiled (and cached) by ``re`` on first use.
_SECTION = r"^## (.+?)\s*$"
_FENCE = r"```[a-z]*\n(.*?)```"
_FILE_MARKER = r"^[#;] file: (\S+)\n"


class Edit(Record):
    """Replace ``source[start:end]`` (character offsets) with ``text``."""

    __slots__ = ("end", "start", "text")
    start: int
    end: int
    text: str

    def __init__(self, start: int, end: int, text: str) -> None:
        setfield(self, "start", start)
        setfield(self, "end", end)
        setfield(self, "text", text)


class Violation(Record):
    """A finding plus the edits that fix it, when the fix is unambiguous."""

    __slots__ = ("edits", "finding")
    finding: Finding
    edits: tuple[Edit, ...]

    def __init__(self, finding: Finding, edits: tuple[Edit, ...] = ()) -> None:
        setfield(self, "finding", finding)
        setfield(self, "edits", edits)


class Example(Record):
    """The code of a rule's documented example, and the file name it is linted as."""

    __slots__ = ("filename", "source")
    source: str
    filename: str

    def __init__(self, source: str, filename: str) -> None:
        setfield(self, "source", source)
        setfield(self, "filename", filename)


class RuleDoc:
    """The sections of a rule's docstring."""

    __slots__ = ("sections", "summary")

    def __init__(self, summary: str, sections: dict[str, str] | None = None) -> None:
        self.summary = summary
        self.sections: dict[str, str] = {} if sections is None else sections

    @classmethod
    def parse(cls, text: str) -> RuleDoc:
        text = text.strip("\n")
        parts = re.split(_SECTION, text, flags=re.MULTILINE)
        summary = parts[0].strip()
        sections = {parts[i].strip(): parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}
        return cls(summary, sections)

    def example(self, section: str) -> Example | None:
        body = self.sections.get(section)
        if body is None:
            return None
        match = re.search(_FENCE, body, re.DOTALL)
        if match is None:
            return None
        code = match.group(1)
        marker = re.match(_FILE_MARKER, code)
        filename = marker.group(1) if marker else "example.py"
        return Example(code, filename)


class Rule:
    """Base class of the RDA rules; subclasses set the class attributes and ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    skill_ref: ClassVar[str | None] = None
    kinds: ClassVar[frozenset[str]] = frozenset({"python"})
    applies_to_tests: ClassVar[bool] = True
    # Ruff codes this rule replaces when both fire on the same line (its message is sharper).
    supersedes: ClassVar[tuple[str, ...]] = ()
    fixable: ClassVar[bool] = False

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        raise NotImplementedError

    # -- documentation -------------------------------------------------------------------------

    @cached_property
    def doc(self) -> RuleDoc:
        module = sys.modules[type(self).__module__]
        return RuleDoc.parse(module.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.summary.splitlines()[0] if self.doc.summary else ""

    def render_doc(self) -> str:
        """The text ``rda rule CODE`` prints."""
        lines = [f"# {self.name} ({self.code})", "", self.doc.summary, ""]
        lines.append(f"Severity: {self.severity}.")
        if self.fixable:
            lines.append("Fix is available (`rda lint --fix`).")
        lines.append("")
        for title, body in self.doc.sections.items():
            lines += [f"## {title}", body, ""]
        lines += ["## Skill reference", self.skill_ref or "(none)", ""]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "summary": self.summary,
            "severity": str(self.severity),
            "skill_ref": self.skill_ref,
            "fixable": self.fixable,
            "applies_to_tests": self.applies_to_tests,
        }

    # -- helpers for subclasses ----------------------------------------------------------------

    def violation(
        self,
        ctx: FileContext,
        node: ast.AST | int,
        message: str,
        *,
        fix: str | None = None,
        edits: tuple[Edit, ...] | list[Edit] = (),
        severity: Severity | None = None,
        details: dict[str, Any] | None = None,
    ) -> Violation:
        """A finding at ``node`` (or at a 1-based line number) with this rule's code."""
        if isinstance(node, int):
            line, col = node, 1
        else:
            line = getattr(node, "lineno", 1)
            col = ctx.char_col(line, getattr(node, "col_offset", 0)) + 1
        info = dict(details or {})
        if edits:
            info["fixable"] = True
        finding = Finding(
            code=self.code,
            message=message,
            severity=severity or self.severity,
            file=ctx.path,
            line=line,
            col=col,
            stage="static",
            fix=fix,
            skill_ref=self.skill_ref,
            details=info,
        )
        return Violation(finding, tuple(edits))

"""Code examples: every one the linter can read is linted, and must say what it shows.

An example is a fenced block in any Markdown file of the skill. Comment lines at its top are
markers:

- ``# expect: RDA104`` (several codes: ``# expect: RDA104, RDA106``): the block shows the wrong
  way, and linting it must report exactly those codes, no more, no fewer.
- ``# file: app/database.py``: the file the block is (or belongs to). The block is linted under
  that name, so rules that depend on it (``env.py``, ``alembic.ini``, ``script.py.mako``, test
  files) apply; the capstone is assembled from these blocks.
- ``# runnable``: the block is a complete program; it runs against a throwaway PostgreSQL.
- ``# layer: tree`` (with ``# file:``): the block is one file of a layer, a small project made
  of every block of its document that names the same layer (``verifier.skill.layers``); the
  check writes it out, adds what it leaves out, and runs ``rda verify`` on it.
- ``# fragment``: the block is a piece of a larger file (a function that needs models defined
  elsewhere, a few lines of a module), shown for what it teaches and linted, never run.

A Python block that shows the right way must be verified (``# runnable``, ``# layer:``, or one
of the capstone's ``# file:`` blocks, which ``rda verify`` checks as the Task API) or say that it
cannot be (``# fragment``): what the skill teaches is what the verifier accepts.

Python blocks (``python``/``py``) are always linted; any other block is linted when its
``# file:`` names a file the linter reads (``alembic.ini``, ``*.mako``). Every linted block
without ``# expect:`` must be clean: the skill's examples are what Claude copies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.markdown import CodeBlock
from verifier.skill.package_files import Skill

PYTHON_LANGUAGES = ("python", "py", "python3")
SNIPPET_NAME = "<snippet>.py"
_MARKER = re.compile(r"^\s*[#;]+\s*(?:(expect|file|layer)\s*:\s*(.*?)|(runnable|fragment))\s*$")
_LAYER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CODE = re.compile(r"^[A-Z]+[0-9]+$")

Linter = Callable[[str, str], Sequence[Finding]]


@dataclass(frozen=True, slots=True)
class Example:
    """A code block with its markers, located in its Markdown file."""

    doc: str  # "references/sessions.md"
    block: CodeBlock
    expect: tuple[str, ...] = ()
    file: str | None = None
    runnable: bool = False
    problems: tuple[str, ...] = ()  # malformed markers
    layer: str | None = None
    fragment: bool = False

    @property
    def line(self) -> int:
        return self.block.line

    @property
    def lint_name(self) -> str:
        return self.file or SNIPPET_NAME

    @property
    def is_python(self) -> bool:
        return self.block.language in PYTHON_LANGUAGES

    @property
    def is_linted(self) -> bool:
        if self.is_python:
            return True
        name = (self.file or "").rsplit("/", 1)[-1]
        return name == "alembic.ini" or name.endswith(".mako")


def is_marker_line(line: str) -> bool:
    """Whether ``line`` is an ``expect``/``file``/``layer``/``runnable``/``fragment`` marker."""
    return _MARKER.match(line) is not None


def parse_example(doc: str, block: CodeBlock) -> Example:
    """Read the markers from the comment lines at the top of ``block``."""
    expect: list[str] = []
    file: str | None = None
    runnable = False
    layer: str | None = None
    fragment = False
    problems: list[str] = []
    for line in block.code.splitlines():
        if not line.strip():
            continue
        match = _MARKER.match(line)
        if match is None:
            if line.lstrip().startswith(("#", ";")):
                continue  # an ordinary comment among the markers
            break
        kind, value, flag = match.groups()
        if flag == "runnable":
            runnable = True
        elif flag == "fragment":
            fragment = True
        elif kind == "layer":
            if _LAYER_NAME.match(value):
                layer = value
            else:
                problems.append(
                    f"'# layer:' needs a name of lowercase letters, digits and '-', got {value!r}"
                )
        elif kind == "expect":
            found = [code.strip() for code in value.split(",") if code.strip()]
            bad = [code for code in found if not _CODE.match(code)]
            if not found or bad:
                problems.append(f"'# expect:' needs finding codes such as RDA104, got {value!r}")
            expect.extend(code for code in found if _CODE.match(code))
        elif kind == "file":
            path = PurePosixPath(value)
            if not value or path.is_absolute() or ".." in path.parts:
                problems.append(f"'# file:' needs a relative path in the project, got {value!r}")
            else:
                file = value
    return Example(
        doc, block, tuple(expect), file, runnable, tuple(problems), layer=layer, fragment=fragment
    )


def collect_examples(skill: Skill) -> list[Example]:
    return [
        parse_example(rel, block) for rel, doc in skill.docs.items() for block in doc.code_blocks
    ]


def check_markers(examples: Sequence[Example]) -> Iterator[Finding]:
    for example in examples:
        problems = list(example.problems)
        if example.expect and not example.is_linted:
            problems.append(
                f"'# expect:' on a {example.block.language or 'plain'} block that is never linted"
            )
        if example.runnable and not example.is_python:
            problems.append("'# runnable' on a block that is not Python")
        if example.layer is not None and example.file is None:
            problems.append(f"'# layer: {example.layer}' needs '# file:' to say which file it is")
        if example.layer is not None and example.expect:
            problems.append("'# layer:' on a '# expect:' block: a layer holds the right way")
        if example.fragment and (example.runnable or example.layer or example.expect):
            problems.append(
                "'# fragment' with '# runnable', '# layer:' or '# expect:': a block is one or "
                "the other"
            )
        for problem in problems:
            yield Finding(codes.MARKER_INVALID, problem, file=example.doc, line=example.line)


def check_examples(examples: Sequence[Example], lint: Linter) -> Iterator[Finding]:
    """Lint every lintable example; compare with its ``# expect:`` codes (none: clean)."""
    for example in examples:
        if not example.is_linted:
            continue
        found = list(lint(example.block.code, example.lint_name))
        if example.expect:
            yield from _compare(example, found)
            continue
        for finding in found:
            line = example.line + (finding.line or 1) - 1
            yield Finding(
                codes.EXAMPLE_NOT_CLEAN,
                f"example reports {finding.code}: {finding.message} (mark it '# expect: "
                f"{finding.code}' if it shows the wrong way on purpose)",
                file=example.doc,
                line=line,
                fix=finding.fix,
                details={"rule": finding.code, "example_line": example.line},
            )


def _compare(example: Example, found: Sequence[Finding]) -> Iterator[Finding]:
    expected = set(example.expect)
    reported = {finding.code for finding in found}
    if reported == expected:
        return
    missing = sorted(expected - reported)
    extra = sorted(reported - expected)
    parts = []
    if missing:
        parts.append(f"expected {', '.join(missing)} but the linter did not report it")
    if extra:
        details = "; ".join(
            f"{f.code} line {f.line}: {f.message}" for f in found if f.code in extra
        )
        parts.append(f"the linter also reported {', '.join(extra)} ({details})")
    yield Finding(
        codes.EXPECTATION_UNMET,
        f"example marked '# expect: {', '.join(example.expect)}': " + "; ".join(parts),
        file=example.doc,
        line=example.line,
        fix="make the example show exactly the marked mistake, or correct the marker",
        details={"expected": sorted(expected), "reported": sorted(reported)},
    )

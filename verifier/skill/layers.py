"""Layers: the skill's complete examples, grouped into projects that ``rda verify`` can check.

A reference shows a pattern in the files that carry it. Blocks marked ``# layer: NAME`` (each
with ``# file: PATH``) in one document are the files of one small project; the capstone's
``# file:`` blocks, which carry their own ``[tool.rda]`` manifest, are one more. Writing a layer
out adds what its blocks leave out (``verifier.skill.layer_scaffold``: the package marker, the
engine module, the manifest, the Alembic setup when there is a migration), so the skill can be
held to what it claims: the right way, run through the verifier, passes.

Every Python block that shows the right way must be verified this way, run (``# runnable``), or
marked ``# fragment``: an unmarked block is a finding, so no pattern escapes by omission.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.examples import Example, is_marker_line
from verifier.skill.layer_scaffold import scaffold

PROJECT = "project"  # the name of a document's layer made of its unlabelled '# file:' blocks
_MODELS = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)/models\.py$")
_TEST_FILE = re.compile(r"^tests/(?:.*/)?test_[^/]*\.py$")
MANIFEST_FILES = ("pyproject.toml", "rda.toml")


def strip_markers(code: str) -> str:
    """The code without the marker lines at its top (other comments stay)."""
    lines = code.splitlines(keepends=True)
    index = 0
    while index < len(lines) and (not lines[index].strip() or is_marker_line(lines[index])):
        index += 1
    return "".join(lines[index:])


def has_manifest(files: dict[str, str]) -> bool:
    for name in MANIFEST_FILES:
        text = files.get(name)
        if text is None:
            continue
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return False
        if name == "rda.toml" or "rda" in data.get("tool", {}):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Member:
    """One block of a layer: the file it is and how many marker lines its top loses."""

    example: Example
    path: str
    content: str
    offset: int  # lines removed from the block's top when it is written out


@dataclass(frozen=True, slots=True)
class Layer:
    doc: str
    name: str
    members: tuple[Member, ...]
    complete: bool = False  # carries its own manifest: written as it is, nothing added

    @property
    def label(self) -> str:
        return f"{self.doc}#{self.name}" if self.name != PROJECT else self.doc

    @property
    def dirname(self) -> str:
        stem = PurePosixPath(self.doc).stem
        return f"{stem}--{self.name}"

    @property
    def line(self) -> int:
        return self.members[0].example.line

    @property
    def package(self) -> str | None:
        for member in self.members:
            match = _MODELS.match(member.path)
            if match:
                return match.group(1)
        return None

    @property
    def contract(self) -> str | None:
        """``tests`` when the layer has test files (``rda verify`` runs them), else the default."""
        return "tests" if any(_TEST_FILE.match(m.path) for m in self.members) else None

    def files(self) -> dict[str, str]:
        """Every file of the project: the layer's own, then what the scaffold adds."""
        own = {member.path: member.content for member in self.members}
        if self.complete or self.package is None:
            return own
        return {**own, **scaffold(own, self.name, self.package, self.contract)}

    def member(self, path: str | None) -> Member | None:
        return next((m for m in self.members if m.path == path), None)

    def write(self, out: Path) -> Path:
        root = out / self.dirname
        for relative, content in sorted(self.files().items()):
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        return root


def _member(example: Example) -> Member:
    assert example.file is not None
    content = strip_markers(example.block.code)
    offset = len(example.block.code.splitlines()) - len(content.splitlines())
    return Member(example, example.file, content, offset)


def collect_layers(examples: Sequence[Example]) -> tuple[list[Layer], list[Finding]]:
    """The layers the examples make, and what is wrong with how they are marked."""
    grouped: dict[tuple[str, str], list[Example]] = {}
    for example in examples:
        if example.expect or example.file is None or example.fragment or example.runnable:
            continue
        if example.layer is not None:
            grouped.setdefault((example.doc, example.layer), []).append(example)
        elif example.is_linted or example.block.language in ("toml", "ini", "mako"):
            grouped.setdefault((example.doc, PROJECT), []).append(example)
    layers: list[Layer] = []
    problems: list[Finding] = []
    for (doc, name), members in grouped.items():
        seen: dict[str, Example] = {}
        kept: list[Member] = []
        for example in members:
            assert example.file is not None
            if example.file in seen:
                problems.append(
                    Finding(
                        codes.MARKER_INVALID,
                        f"a second block for {example.file} in layer '{name}' (the first is at "
                        f"line {seen[example.file].line})",
                        file=doc,
                        line=example.line,
                        fix="write each file of a layer as one block, or name another layer",
                    )
                )
                continue
            seen[example.file] = example
            kept.append(_member(example))
        if name == PROJECT:
            files = {m.path: m.content for m in kept}
            if not has_manifest(files):
                continue  # '# file:' blocks that name where code goes, not a project
            layers.append(Layer(doc, name, tuple(kept), complete=True))
            continue
        layer = Layer(doc, name, tuple(kept))
        if layer.package is None:
            problems.append(
                Finding(
                    codes.MARKER_INVALID,
                    f"layer '{name}' has no models module ('# file: app/models.py')",
                    file=doc,
                    line=layer.line,
                    fix="give the layer its models, or mark its blocks '# fragment'",
                )
            )
            continue
        layers.append(layer)
    return layers, problems


def check_verified(examples: Sequence[Example], layers: Sequence[Layer]) -> Iterator[Finding]:
    """Python blocks showing the right way that nothing runs and nothing marks as a fragment."""
    in_layers = {id(m.example) for layer in layers for m in layer.members}
    for example in examples:
        if not example.is_python or example.expect or example.runnable or example.fragment:
            continue
        if id(example) in in_layers:
            continue
        yield Finding(
            codes.EXAMPLE_UNVERIFIED,
            "example shows the right way but is neither run nor verified",
            file=example.doc,
            line=example.line,
            fix="add '# layer: NAME' and '# file: app/...' so rda verify checks it with the other "
            "files of that layer, '# runnable' if it is a whole program, or '# fragment' if it "
            "is a piece of a larger file",
        )

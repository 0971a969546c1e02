"""The SKILL.md frontmatter rules of the Agent Skills specification.

Keys: ``name`` and ``description`` are required; ``license``, ``compatibility``, ``metadata`` and
``allowed-tools`` are optional; nothing else is allowed. ``name`` is 1-64 characters of
``a-z``, ``0-9`` and ``-``, without a leading, trailing or doubled hyphen, equal to the skill's
folder name, and (Claude's reserved words) without "anthropic" or "claude". ``description`` is
1-1024 characters without ``<`` or ``>``. ``compatibility`` is at most 500 characters,
``metadata`` maps strings to strings, ``allowed-tools`` is a space-delimited string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.markdown import MarkdownFile

ALLOWED_KEYS = ("name", "description", "license", "compatibility", "metadata", "allowed-tools")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NAME_MAX = 64
DESCRIPTION_MAX = 1024
COMPATIBILITY_MAX = 500
RESERVED_WORDS = ("anthropic", "claude")


def check_frontmatter(doc: MarkdownFile, folder_name: str) -> Iterator[Finding]:
    """Findings for the frontmatter of ``doc`` (a SKILL.md in a folder named ``folder_name``)."""
    where = {"file": doc.path.name, "line": 1}
    if doc.frontmatter is None:
        reason = doc.frontmatter_error or "SKILL.md does not start with a --- frontmatter block"
        yield Finding(
            codes.FRONTMATTER_MISSING,
            reason,
            fix="start SKILL.md with ---, the name and description keys, and ---",
            **where,
        )
        return
    data = doc.frontmatter
    for key in data:
        if key not in ALLOWED_KEYS:
            yield Finding(
                codes.FRONTMATTER_KEY,
                f"frontmatter key {key!r} is not in the Agent Skills spec",
                fix=f"use only {', '.join(ALLOWED_KEYS)}; put extra data under metadata",
                **where,
            )
    yield from _check_name(data.get("name"), folder_name, where)
    yield from _check_description(data.get("description"), where)
    yield from _check_optional(data, where)


def name_problem(name: object, folder_name: str) -> str | None:
    """Why ``name`` is not a valid skill name for that folder, or None."""
    if not isinstance(name, str) or not name:
        return "the frontmatter has no name"
    if len(name) > NAME_MAX:
        return f"name {name!r} is {len(name)} characters long (at most {NAME_MAX})"
    if not NAME_PATTERN.match(name):
        return (
            f"name {name!r} must be lowercase letters, digits and single hyphens, "
            "not starting or ending with a hyphen"
        )
    for word in RESERVED_WORDS:
        if word in name:
            return f"name {name!r} contains the reserved word {word!r}"
    if name != folder_name:
        return f"name {name!r} does not match the skill's folder name {folder_name!r}"
    return None


def _check_name(name: object, folder_name: str, where: dict[str, Any]) -> Iterator[Finding]:
    problem = name_problem(name, folder_name)
    if problem is not None:
        yield Finding(
            codes.NAME_INVALID,
            problem,
            fix=f"name the skill like its folder, e.g. name: {folder_name}",
            **where,
        )


def _check_description(description: object, where: dict[str, Any]) -> Iterator[Finding]:
    fix = "say what the skill does and when to use it, in 1-1024 characters without < or >"
    if not isinstance(description, str) or not description.strip():
        message = "the frontmatter has no description"
        yield Finding(codes.DESCRIPTION_INVALID, message, fix=fix, **where)
        return
    if len(description) > DESCRIPTION_MAX:
        yield Finding(
            codes.DESCRIPTION_INVALID,
            f"description is {len(description)} characters long (at most {DESCRIPTION_MAX})",
            fix=fix,
            **where,
        )
    if "<" in description or ">" in description:
        yield Finding(
            codes.DESCRIPTION_INVALID,
            "description contains < or > (XML-like text is not allowed)",
            fix=fix,
            **where,
        )


def _check_optional(data: dict[str, Any], where: dict[str, Any]) -> Iterator[Finding]:
    def invalid(message: str) -> Finding:
        return Finding(codes.FIELD_INVALID, message, **where)

    if "license" in data and not isinstance(data["license"], str):
        yield invalid("license must be a string (a license name or a bundled file)")
    if "compatibility" in data:
        value = data["compatibility"]
        if not isinstance(value, str) or not value.strip():
            yield invalid("compatibility must be a non-empty string")
        elif len(value) > COMPATIBILITY_MAX:
            yield invalid(
                f"compatibility is {len(value)} characters long (at most {COMPATIBILITY_MAX})"
            )
    if "metadata" in data:
        value = data["metadata"]
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            yield invalid('metadata must map strings to strings (quote numbers: version: "1.0")')
    if "allowed-tools" in data and not isinstance(data["allowed-tools"], str):
        yield invalid("allowed-tools must be one space-delimited string of tool names")

"""Every rule's documented bad example fires it and its fixed example does not.

The examples live in each rule's docstring (``## Example`` / ``## Use instead``), so the
documentation ``rda rule CODE`` prints is tested by construction.
"""

from __future__ import annotations

import pytest

from verifier import skill_refs
from verifier.lint.engine import build_contexts, run_rules
from verifier.lint.reading import SourceFile
from verifier.rules import all_rules

RULES = all_rules()
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


def _lint(source: str, filename: str, code: str) -> tuple[list[str], list[str]]:
    contexts, problems, _ = build_contexts([SourceFile(filename, source)])
    result = run_rules(contexts, list(RULES.values()))
    found = [v.finding.code for v in result.violations] + [p.code for p in problems]
    return found, result.notes


def test_catalogue_has_at_least_thirty_rules() -> None:
    assert len([c for c in RULES if c != "RDA000"]) >= 30


@pytest.mark.parametrize("code", sorted(RULES))
def test_bad_example_fires(code: str) -> None:
    rule = RULES[code]
    example = rule.doc.example("Example")
    assert example is not None, f"{code} has no ```python example"
    found, notes = _lint(example.source, example.filename, code)
    assert code in found, f"{code} did not fire on its own example; got {found}"
    assert notes == []


@pytest.mark.parametrize("code", sorted(RULES))
def test_fixed_example_is_silent(code: str) -> None:
    rule = RULES[code]
    example = rule.doc.example("Use instead")
    assert example is not None, f"{code} has no 'Use instead' example"
    found, notes = _lint(example.source, example.filename, code)
    assert code not in found, f"{code} fired on its fixed example"
    assert notes == []


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_documented_in_ruffs_shape(code: str) -> None:
    rule = RULES[code]
    assert rule.code == code and rule.name and rule.summary
    for section in SECTIONS:
        assert rule.doc.sections.get(section), f"{code} lacks '## {section}'"
    text = rule.render_doc()
    assert text.startswith(f"# {rule.name} ({code})")
    assert "## Why is this bad?" in text and "## Skill reference" in text


@pytest.mark.parametrize("code", sorted(RULES))
def test_skill_ref_is_a_shared_constant(code: str) -> None:
    ref = RULES[code].skill_ref
    if code == "RDA000":
        assert ref is None  # an unparsable file is not a lesson of the skill
        return
    assert ref in skill_refs.ALL.values(), f"{code}: {ref!r} is not in verifier/skill_refs.py"
    assert ref.startswith("references/") and ".md#" in ref


def test_names_are_unique_and_kebab_case() -> None:
    names = [rule.name for rule in RULES.values()]
    assert len(names) == len(set(names))
    assert all(name == name.lower() and " " not in name and "_" not in name for name in names)

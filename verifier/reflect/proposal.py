"""One lesson per failure and skill section: what the section says, and the edit to propose.

When the section teaches the fix and the output still missed it, the teaching was not enough
where it stands: the proposal puts the fix as a checked rule right after the quoted sentence,
naming the code ``rda verify`` reports. When it does not teach it, the fix is added at the end
of the section. A failure whose finding names no section (a ruff rule, a run not verified)
says so: the gap is in the mapping, not only in the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.reflect.failures import Failure
from verifier.reflect.sections import Section, SkillSections, Unresolved
from verifier.reflect.teaching import Teaching, find_teaching


@dataclass
class Lesson:
    failure: Failure
    finding: dict[str, Any] | None
    section: Section | Unresolved | None
    teaching: Teaching | None
    where: str  # where the edit goes
    text: str  # the text to add

    @property
    def gap(self) -> str:
        if isinstance(self.section, Section):
            if self.teaching is not None:
                return (
                    f'the section teaches it ("{self.teaching.sentence}") but the output missed '
                    "it: the rule is stated, not checked"
                )
            return "the section does not say how to fix it"
        if isinstance(self.section, Unresolved):
            return f"the skill_ref does not resolve: {self.section.reason}"
        return "no skill section is named for it"


def lessons_for(failure: Failure, sections: SkillSections) -> list[Lesson]:
    if not failure.findings:
        return [
            Lesson(
                failure,
                None,
                None,
                None,
                "the eval's checks or the skill's SKILL.md",
                "No finding explains this failure; read the run's verify.json and grading.json "
                "and state what the skill should have taught.",
            )
        ]
    return [_lesson(failure, found, sections) for found in failure.findings]


def _lesson(failure: Failure, found: dict[str, Any], sections: SkillSections) -> Lesson:
    code = found["code"]
    fix = (found.get("fix") or "").strip().rstrip(".")
    what = _short(found.get("message") or "")
    ref = found.get("skill_ref")
    if not ref:
        return Lesson(
            failure,
            found,
            None,
            None,
            f"the reference closest to {code}, and verifier/skill_refs.py to map it",
            f"- {fix or 'State the right form'} (otherwise rda verify reports {code}: {what}).",
        )
    section = sections.open(ref)
    if isinstance(section, Unresolved):
        return Lesson(
            failure,
            found,
            section,
            None,
            f"the heading {ref} names (add it), or the ref in verifier/skill_refs.py",
            f"- {fix or 'State the right form'} (rda verify: {code}).",
        )
    teaching = find_teaching(section.text, section.line, found)
    if teaching is not None:
        where = f'{section.path}, section "{section.heading}", after line {teaching.line}'
        text = (
            f"> **Checked by rda verify ({code}):** {fix or teaching.sentence}. Missing it: {what}."
        )
    else:
        where = f'{section.path}, end of section "{section.heading}" (line {section.end_line})'
        text = f"{fix or 'State the right form'}: otherwise {what} (rda verify reports {code})."
    return Lesson(failure, found, section, teaching, where, text[:1].upper() + text[1:])


def _short(message: str) -> str:
    text = " ".join(str(message).split()).rstrip(".")
    return text if len(text) <= 220 else text[:217] + "..."

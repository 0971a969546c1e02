"""``rda reflect``'s Markdown: for each failure, what failed and where, the section its
``skill_ref`` opens, whether it teaches the fix (quoted), and the edit to make."""

from __future__ import annotations

from verifier.reflect.failures import Failure
from verifier.reflect.proposal import Lesson
from verifier.reflect.sections import Section

QUOTED_SECTION_LINES = 12  # of a section quoted when it teaches nothing


def render_reflection(source: str, kind: str, lessons: list[list[Lesson]]) -> str:
    lines = [f"# Reflect on your skill: {source}", ""]
    if not lessons:
        lines.append(
            "Nothing failed: no error-level finding."
            if kind == "report"
            else "Nothing failed: every machine-checked expectation passed."
        )
        return "\n".join(lines) + "\n"
    unit = "finding(s)" if kind == "report" else "failed run(s)"
    lines += [f"{len(lessons)} failure(s), most frequent first.", ""]
    for rank, group in enumerate(lessons, 1):
        failure = group[0].failure
        lines += [f"## {rank}. {failure.title}", "", f"- how often: {_how_often(failure, unit)}"]
        if failure.places:
            shown = failure.places[:8]
            more = len(failure.places) - len(shown)
            lines.append("- where: " + "; ".join(shown) + (f"; and {more} more" if more else ""))
        lines.append("")
        for lesson in group:
            lines += _lesson_lines(lesson)
    return "\n".join(lines).rstrip() + "\n"


def _how_often(failure: Failure, unit: str) -> str:
    text = f"{failure.count} {unit}"
    if failure.out_of:
        text += f" of {failure.out_of} graded"
    if failure.by_configuration:
        text += " (" + ", ".join(f"{c}: {n}" for c, n in sorted(failure.by_configuration.items()))
        text += ")"
    return text


def _lesson_lines(lesson: Lesson) -> list[str]:
    found = lesson.finding
    lines = []
    if found is not None:
        lines.append(f"### {found['code']}: {found.get('skill_ref') or 'no skill_ref'}")
        lines.append("")
        lines.append(f"- what failed: {' '.join(str(found.get('message', '')).split())}")
        if found.get("fix"):
            lines.append(f"- the fix: {found['fix']}")
    section = lesson.section
    if isinstance(section, Section):
        lines.append(
            f'- skill section: {section.path} "{section.heading}" '
            f"(lines {section.line}-{section.end_line})"
        )
        if lesson.teaching is not None:
            lines += [
                f"- teaches the fix: yes, line {lesson.teaching.line}:",
                "",
                f"  > {lesson.teaching.sentence}",
                "",
            ]
        else:
            excerpt = _prose_lead(section.text)
            lines += ["- teaches the fix: no; the section says:", ""]
            lines += [f"  > {line}" for line in excerpt]
            lines.append("")
    else:
        lines.append(f"- skill section: none ({lesson.gap})")
    lines += [f"- proposed edit, in {lesson.where}:", "", "  ```markdown"]
    lines += [f"  {line}" for line in lesson.text.splitlines()]
    lines += ["  ```", ""]
    return lines


def _prose_lead(text: str) -> list[str]:
    """The section's opening prose (up to its first code block), to quote."""
    lines = []
    for line in text.splitlines()[1:]:
        if line.lstrip().startswith(("```", "~~~")):
            break
        if line.strip():
            lines.append(line)
    return lines[:QUOTED_SECTION_LINES]

"""``rda reflect --append``: a dated entry in the skill's ``REFLECTION.md``, in its format.

The file documents the entry (``## YYYY-MM-DD: <short title>`` then ``evidence``,
``skill_ref``, ``gap``, ``change``, ``check``). Reflect proposes, a person or Claude edits: the
entry records the proposed change and says the check is still to do.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from verifier.errors import UsageError
from verifier.reflect.proposal import Lesson

REFLECTION_FILE = "REFLECTION.md"
ENTRIES_MAX = 5  # failures recorded in one entry, the most frequent


def reflection_entry(source: str, lessons: list[list[Lesson]], today: date) -> str:
    top = lessons[:ENTRIES_MAX]
    codes = list(
        dict.fromkeys(lesson.finding["code"] for group in top for lesson in group if lesson.finding)
    )
    title = f"rda reflect on {Path(source).name}" + (f": {', '.join(codes)}" if codes else "")
    evidence = [group[0].failure.evidence + f" ({group[0].failure.count}x)" for group in top]
    refs = list(
        dict.fromkeys(
            lesson.finding["skill_ref"]
            for group in top
            for lesson in group
            if lesson.finding and lesson.finding.get("skill_ref")
        )
    )
    gaps = [f"{_name(lesson)}: {lesson.gap}" for group in top for lesson in group]
    changes = [
        f"{_name(lesson)}: in {lesson.where}, add {lesson.text!r}" for g in top for lesson in g
    ]
    lines = [
        f"## {today.isoformat()}: {title}",
        "",
        "- evidence: " + "; ".join(evidence),
        "- skill_ref: " + (", ".join(refs) if refs else "none named"),
        "- gap: " + "; ".join(gaps),
        "- change: proposed: " + "; ".join(changes),
        "- check: pending: rda skill check, then rerun "
        + ("rda eval" if source.endswith("benchmark.json") else "rda verify")
        + f" on {source}",
    ]
    return "\n".join(lines) + "\n"


def _name(lesson: Lesson) -> str:
    return lesson.finding["code"] if lesson.finding else lesson.failure.evidence


def append_entry(skill_dir: Path, entry: str) -> Path:
    path = skill_dir / REFLECTION_FILE
    if not path.is_file():
        raise UsageError(
            f"{path} does not exist", "the skill keeps its reflection log in REFLECTION.md"
        )
    text = path.read_text(encoding="utf-8")
    separator = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    path.write_text(text + separator + entry, encoding="utf-8")
    return path

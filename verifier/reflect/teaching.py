"""Does a skill section teach the fix for a finding? The sentence that does, if one does.

The finding's own ``fix`` names what the right form is (``expire_on_commit=False``,
``selectinload``, ``pool_pre_ping=True``). A sentence of the section's prose (code blocks are
examples, not teaching) teaches it when it names one of those code terms, or shares enough of
the fix's words. The best such sentence is quoted; none means the section does not say it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CODE_SPAN = re.compile(r"`([^`]+)`")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(?:=[A-Za-z0-9_.]+)?")
WORD = re.compile(r"[a-z][a-z0-9_+-]{3,}")
FENCE = re.compile(r"^(```|~~~)")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*(\[])")
STOPWORDS = frozenset(
    "this that with from into have been than then them they their there these those when "
    "where which while what will would should could every each only also more most must "
    "never always first other your does done make made uses used using instead".split()
)
MIN_SHARED_WORDS = 3


@dataclass(frozen=True)
class Teaching:
    sentence: str
    line: int  # where the sentence starts in the file
    terms: tuple[str, ...]  # the code terms of the fix it names


def code_terms(finding: dict[str, Any]) -> set[str]:
    """The code the fix is written in: identifiers inside backticks of the fix (the message
    names the wrong form, which a section may mention without teaching the right one)."""
    terms: set[str] = set()
    for text in (finding.get("fix") or "",):
        for span in CODE_SPAN.findall(text):
            for token in IDENTIFIER.findall(span):
                if len(token) > 3 and token.lower() not in STOPWORDS:
                    terms.add(token)
    return terms


def fix_words(finding: dict[str, Any]) -> set[str]:
    text = CODE_SPAN.sub(" ", str(finding.get("fix") or "")).lower()
    return {w for w in WORD.findall(text) if w not in STOPWORDS}


def prose_sentences(text: str, first_line: int) -> list[tuple[str, int]]:
    """The sentences of the section outside code blocks, each with the line it starts on."""
    sentences: list[tuple[str, int]] = []
    paragraph: list[tuple[str, int]] = []
    in_code = False

    def flush() -> None:
        if not paragraph:
            return
        start = paragraph[0][1]
        joined = " ".join(line.strip() for line, _ in paragraph)
        for sentence in SENTENCE_END.split(joined):
            if sentence.strip():
                sentences.append((sentence.strip(), start))
        paragraph.clear()

    for offset, line in enumerate(text.splitlines()):
        if FENCE.match(line.strip()):
            flush()
            in_code = not in_code
            continue
        if in_code:
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            flush()
            continue
        if line.lstrip().startswith(("- ", "* ", "| ")) or re.match(r"\s*\d+\. ", line):
            flush()  # a list item or a table row starts a sentence of its own
        paragraph.append((line, first_line + offset))
    flush()
    return sentences


def find_teaching(section_text: str, first_line: int, finding: dict[str, Any]) -> Teaching | None:
    terms = code_terms(finding)
    words = fix_words(finding)
    best: tuple[int, Teaching] | None = None
    for sentence, line in prose_sentences(section_text, first_line):
        if sentence.endswith(":"):
            continue  # a lead-in to a list or an example says what follows, not what to do
        named = tuple(sorted(t for t in terms if t in sentence))
        shared = {w for w in WORD.findall(sentence.lower()) if w in words}
        if not named and len(shared) < MIN_SHARED_WORDS:
            continue
        score = 3 * len(named) + len(shared)
        if best is None or score > best[0]:
            best = (score, Teaching(sentence, line, named))
    return best[1] if best else None

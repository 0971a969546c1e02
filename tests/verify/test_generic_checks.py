"""The generic behaviour checks: silent on correct layers in several styles, each defect caught.

The chat example (``examples/chat``) is verified without its contract (``--contract none``):
only the generic checks judge its behaviour. Each mutant is one patch to a fresh copy, and
must give exactly its code at the line that causes it; those marked ``static_silent`` are
defects no static rule sees (the static stage is asserted silent on them). The layers under
``tests/verify/generic/`` are correct code in styles the chat example does not use
(keyword-only arguments and UUID keys, a repository class over a unit-of-work session, results
returned as dicts, tuples and pydantic models of ORM objects): the checks must call their
operations and find nothing.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reference_copies import patch
from verifier.findings import Severity
from verifier.report.model import Report

ROOT = Path(__file__).resolve().parents[2]
CHAT = ROOT / "examples" / "chat"
STYLES = Path(__file__).parent / "generic"
BEHAVIOR = ("import", "schema", "behavior")


def copy_of(source: Path, dest: Path) -> Path:
    target = dest / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def line_of(file: Path, text: str) -> int:
    """The 1-based line of the first line of ``file`` containing ``text``."""
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {file}")


def shown(report: Report) -> str:
    return "\n".join(
        f"{f.code} {f.severity} {f.file}:{f.line} {f.message}" for f in report.findings
    )


def generic_notes(report: Report) -> list[str]:
    return [a for a in report.assumptions if a.startswith("generic checks:")]


@dataclass(frozen=True)
class Mutant:
    code: str
    file: str  # where the finding must point, relative to the copy
    line_text: str  # the text of the line it must point at, after the patch
    patches: tuple[tuple[str, str], ...]
    severity: Severity = Severity.ERROR
    static_silent: str | None = None  # a static rule that must not see the defect

    def apply(self, root: Path) -> None:
        for old, new in self.patches:
            patch(root, self.file, old, new)


MUTANTS = {
    "expire_on_commit computed at run time": Mutant(
        "RDA705",
        "chat/database.py",
        "expire_on_commit=",
        (
            (
                "expire_on_commit=False)",
                'expire_on_commit=os.environ.get("CHAT_KEEP_LOADED", "") == "")',
            ),
        ),
        static_silent="RDA104",
    ),
    "a refresh per row in list_conversations": Mutant(
        "RDA707",
        "chat/crud.py",
        "async def list_conversations(",
        (
            ("        .options(selectinload(Conversation.user))\n", ""),
            (
                "    return list(result.all())",
                "    conversations = list(result.all())\n"
                "    for conversation in conversations:\n"
                '        await session.refresh(conversation, ["user"])\n'
                "    return conversations",
            ),
        ),
    ),
    "a relationship read inside list_conversations without being loaded": Mutant(
        "RDA705",
        "chat/crud.py",
        "if c.messages]",
        (
            (
                "    return list(result.all())",
                "    conversations = list(result.all())\n"
                "    return [c for c in conversations if c.messages]",
            ),
        ),
    ),
    "a helper's coroutine returned without await": Mutant(
        "RDA101",
        "chat/crud.py",
        "async def get_conversation_with_messages(",
        (
            (
                "    result = await session.exec(statement)\n    return result.one_or_none()",
                "    return _one(session, statement)",
            ),
            (
                "async def create_user(",
                "async def _one(session, statement):\n"
                "    return (await session.exec(statement)).one_or_none()\n\n\n"
                "async def create_user(",
            ),
        ),
    ),
    "no rollback on the foreign-key path of add_message": Mutant(
        "RDA709",
        "chat/crud.py",
        "raise ConversationNotFoundError(conversation_id) from exc",
        (
            (
                "    except IntegrityError as exc:\n"
                "        await session.rollback()\n"
                "        if _violated(exc, FOREIGN_KEY_VIOLATION):\n"
                "            raise ConversationNotFoundError(conversation_id) from exc\n",
                "    except IntegrityError as exc:\n"
                "        if _violated(exc, FOREIGN_KEY_VIOLATION):\n"
                "            raise ConversationNotFoundError(conversation_id) from exc\n"
                "        await session.rollback()\n",
            ),
        ),
        static_silent="RDA401",
    ),
    "message committed before the conversation is bumped": Mutant(
        "RDA708",
        "chat/crud.py",
        "async def add_message(",
        (("        await session.flush()\n", "        await session.commit()\n"),),
    ),
    "messages deleted in a transaction of their own": Mutant(
        "RDA708",
        "chat/crud.py",
        "async def delete_conversation(",
        (
            (
                "        await session.delete(conversation)\n",
                "        await session.commit()\n        await session.delete(conversation)\n",
            ),
        ),
    ),
    "a connection opened and never returned": Mutant(
        "RDA711",
        "chat/crud.py",
        "async def get_conversation_with_messages(",
        (
            (
                '    Three statements whatever the number of messages.\n    """\n',
                '    Three statements whatever the number of messages.\n    """\n'
                "    _kept.append(await session.bind.connect())\n",
            ),
            ("UNIQUE_VIOLATION = ", "_kept: list = []\nUNIQUE_VIOLATION = "),
        ),
    ),
    "a duplicate e-mail escapes as IntegrityError": Mutant(
        "RDA709",
        "chat/crud.py",
        "await session.commit()",
        (
            (
                "        if _violated(exc, UNIQUE_VIOLATION):\n"
                "            raise DuplicateEmailError(email) from exc\n",
                "",
            ),
        ),
        severity=Severity.WARNING,
    ),
}


@pytest.mark.parametrize("contract", ["none", None])
def test_the_chat_example_is_clean(
    contract: str | None, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    """With --contract none (generic checks alone) and with its own contract."""
    report = verify(copy_of(CHAT, tmp_path), contract=contract)
    assert report.findings == [], shown(report)
    assert all(s.status == "passed" for s in report.stages), report.stages
    assert any("6 operation(s) of chat.crud called, 0 skipped" in n for n in generic_notes(report))


@pytest.mark.parametrize("name", list(MUTANTS))
def test_a_chat_mutant_is_caught_by_the_generic_checks(
    name: str, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    mutant = MUTANTS[name]
    root = copy_of(CHAT, tmp_path)
    mutant.apply(root)
    assert_caught_once(
        verify(root, stages=BEHAVIOR, contract="none", check_timeout=10), mutant, root
    )


def test_a_lazy_load_inside_an_operation_gets_loading_advice(
    tmp_path: Path, verify: Callable[..., Report]
) -> None:
    root = copy_of(CHAT, tmp_path)
    MUTANTS["a relationship read inside list_conversations without being loaded"].apply(root)
    (found,) = verify(root, stages=BEHAVIOR, contract="none", check_timeout=10).findings
    assert "MissingGreenlet" in found.message and "list_conversations()" in found.message
    assert found.fix is not None and "selectinload" in found.fix
    assert "expire_on_commit" not in found.fix  # the advice of a stale returned object


def assert_caught_once(report: Report, mutant: Mutant, root: Path) -> None:
    """One defect, one finding: the mutant's code and severity, at its line, in behavior."""
    assert [f.code for f in report.findings] == [mutant.code], shown(report)
    (found,) = report.findings
    expected_line = line_of(root / mutant.file, mutant.line_text)
    assert (found.file, found.line) == (mutant.file, expected_line), shown(report)
    assert found.severity is mutant.severity
    assert found.stage == "behavior"
    assert report.exit_code == (1 if mutant.severity is Severity.ERROR else 0)


@pytest.mark.parametrize("name", [n for n, m in MUTANTS.items() if m.static_silent])
def test_the_static_rules_do_not_see_these_defects(name: str, tmp_path: Path) -> None:
    from verifier.lint import lint_paths

    mutant = MUTANTS[name]
    root = copy_of(CHAT, tmp_path)
    mutant.apply(root)
    codes = {f.code for f in lint_paths([root / mutant.file]).findings}
    assert mutant.static_silent not in codes


def test_the_n_plus_one_finding_shows_the_statements(
    tmp_path: Path, verify: Callable[..., Report]
) -> None:
    root = copy_of(CHAT, tmp_path)
    MUTANTS["a refresh per row in list_conversations"].apply(root)
    (found,) = verify(root, stages=BEHAVIOR, contract="none").findings
    large, small = Counter(found.details["statements"]), Counter(found.details["statements_small"])
    grown = large - small  # the statements run more often on more rows: one per row
    assert grown and all("conversation" in statement for statement in grown), (large, small)
    assert f"ran {small.total()} statements" in found.message
    assert f"and {large.total()} with" in found.message


STYLE_LAYERS = sorted(p.name for p in STYLES.iterdir() if (p / "rda.toml").is_file())


def test_there_are_three_styles() -> None:
    assert STYLE_LAYERS == ["dict_results", "kwonly", "repository"]


@pytest.mark.parametrize("layer", STYLE_LAYERS)
def test_a_correct_layer_in_another_style_is_silent(
    layer: str, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    report = verify(copy_of(STYLES / layer, tmp_path), stages=BEHAVIOR)
    assert report.findings == [], shown(report)
    summary = [n for n in generic_notes(report) if "operation(s)" in n]
    assert summary and " 0 operation(s)" not in summary[0], generic_notes(report)
    assert {s.name: s.status for s in report.stages}["behavior"] == "passed"


def test_an_operation_that_cannot_be_called_is_noted_not_reported(
    tmp_path: Path, verify: Callable[..., Report]
) -> None:
    report = verify(copy_of(STYLES / "dict_results", tmp_path), stages=BEHAVIOR)
    assert report.findings == []
    skipped = [n for n in generic_notes(report) if "apply_to_board skipped" in n]
    assert skipped and "callback" in skipped[0], generic_notes(report)

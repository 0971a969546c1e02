"""Which codes a run reports: ruff's curated selection plus the RDA rules, narrowed by config.

Selectors are codes or prefixes (``RDA1``, ``B``, ``DTZ005``), as in ruff. When a ``select``
and an ``ignore`` selector both match a code, the more specific (longer) one wins; on a tie,
``ignore`` wins. ``select`` replaces the default set, ``extend-select`` adds to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from verifier.errors import UsageError
from verifier.records import Record, setfield

# What ruff contributes by default, and why each earns its place:
#   F        pyflakes: undefined names, unused imports/variables (a broken import is a broken layer)
#   E9       syntax and IO errors
#   E722     bare `except:` (swallows database errors and cancellation)
#   B        bugbear: mutable defaults, `raise ... from`, loop-variable closures
#   ASYNC    blocking calls (sleep, open, HTTP) inside async functions
#   DTZ      naive datetimes (calls; RDA201 covers the `default_factory=` references)
#   S608     SQL assembled from strings (RDA602 adds DDL and `text()`)
#   RUF006   `create_task()` result dropped: the task can be garbage-collected mid-flight
#   PLE1142  `await` outside an async function
RUFF_DEFAULT: tuple[str, ...] = (
    "F",
    "E9",
    "E722",
    "B",
    "ASYNC",
    "DTZ",
    "S608",
    "RUF006",
    "PLE1142",
)
DEFAULT_SELECT: tuple[str, ...] = ("RDA", *RUFF_DEFAULT)

_SELECTOR = r"^(ALL|[A-Z]{1,8}[0-9]{0,4})$"


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _specificity(selector: str) -> int:
    return -1 if selector == "ALL" else len(selector)


class Selection(Record):
    """The resolved selectors of a run (a ``Record``, not a dataclass: see
    ``verifier.records``)."""

    __slots__ = ("ignore", "select")
    select: tuple[str, ...]
    ignore: tuple[str, ...]

    def __init__(
        self, select: tuple[str, ...] = DEFAULT_SELECT, ignore: tuple[str, ...] = ()
    ) -> None:
        setfield(self, "select", select)
        setfield(self, "ignore", ignore)

    @classmethod
    def build(
        cls,
        select: Sequence[str] | None = None,
        extend_select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        known_rda: Iterable[str] = (),
    ) -> Selection:
        chosen = tuple(select) if select is not None else DEFAULT_SELECT
        chosen = (*chosen, *extend_select)
        ignored = tuple(ignore)
        known = list(known_rda)
        for selector in (*chosen, *ignored):
            if not re.match(_SELECTOR, selector):
                raise UsageError(
                    f"invalid rule selector {selector!r}",
                    hint="selectors are codes or prefixes such as RDA104, RDA1, B or DTZ005",
                )
            if (
                selector.startswith("RDA")
                and known
                and not any(c.startswith(selector) for c in known)
            ):
                raise UsageError(
                    f"unknown rule selector {selector!r}: no RDA rule matches it",
                    hint="run 'rda rules' to list the codes",
                )
        return cls(chosen, ignored)

    def enabled(self, code: str) -> bool:
        best_select = max((_specificity(s) for s in self.select if _matches(s, code)), default=None)
        if best_select is None:
            return False
        best_ignore = max((_specificity(s) for s in self.ignore if _matches(s, code)), default=None)
        return best_ignore is None or best_select > best_ignore

    def ruff_select(self) -> list[str]:
        """Selectors to hand to ruff (RDA ones are ours; ``RDA`` is passed as external)."""
        return [s for s in self.select if not s.startswith("RDA")]

    def ruff_ignore(self) -> list[str]:
        return [s for s in self.ignore if not s.startswith("RDA") and s != "ALL"]

"""Pause Python's cyclic garbage collector for the length of a lint run.

A lint run builds one large graph of objects that all live until it ends: every file's syntax
tree, the indexes ``FileContext`` walks out of it, the project index, the per-function
analyses. The cyclic collector, triggered every few hundred allocations, traverses that growing
graph again and again while it is built and finds nothing to free: measured on the tree of
``bench/lint_speed.py``, parsing took about twice as long with it running. Reference counting
still frees every acyclic object at once; the few cycles a run leaves (a function's scope and
its file hold each other) are freed by a later collection.

When the pause ends, what was allocated during it is handed to the oldest generation instead of
the youngest. Left young, the first allocation after the pause would start a collection that
walks the whole graph of the run, still alive while its report is made (140 ms of a 1.2 s run
over the tree, measured); in the oldest generation it waits for the next full collection, which
a process that exits soon, like ``rda lint``, never reaches. The hand-off goes through
``gc.freeze()``/``gc.unfreeze()``, so it is skipped when something else froze objects on purpose
(a forking server sharing its pages): unfreezing would undo that.

The pause nests and is safe across threads: the first run to start disables the collector,
the last to finish restores the state it found. ``lint_paths`` pauses it; ``lint_source`` (one
snippet, called from the skill checker's threads) does not, so that overlapping calls cannot
keep it off for as long as a checker runs.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body with automatic cyclic collection off (restored afterwards)."""
    global _depth, _was_enabled
    with _LOCK:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                _age_everything()
                gc.enable()


def _age_everything() -> None:
    """Move every tracked object to the oldest generation, without a collection."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()

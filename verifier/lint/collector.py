"""Pause Python's cyclic garbage collector for the length of a lint run.

A lint run builds one large graph of objects that all live until it ends: every file's syntax
tree, the indexes ``FileContext`` walks out of it, the project index, the per-function
analyses. The cyclic collector, triggered every few hundred allocations, traverses that growing
graph again and again while it is built and finds nothing to free: measured on the tree of
``bench/lint_speed.py``, parsing took about twice as long with it running. Reference counting
still frees every acyclic object at once; the few cycles a run leaves (a function's scope and
its file hold each other) are freed by the first collection after the run.

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
                gc.enable()

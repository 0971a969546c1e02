"""Keep the C heap's free memory between the parses of a many-file run (glibc only).

CPython builds each parsed tree in an arena it ``malloc``s on top of the C heap and frees once
the tree is made. glibc's ``free`` then gives the top of the heap back to the kernel as soon as
more than 128 KiB of it is free (its trim threshold), so the next file's parse grows the heap
again, and every page it touches is a fresh, zero-filled page fault. On the 200 files of
``bench/lint_speed.py`` that was 150 to 450 ``brk`` calls and up to 2,500 more page faults,
depending only on where other objects happened to sit in the heap. With the threshold raised the
run makes about 30 ``brk`` calls whatever the layout; 30 interleaved runs of that tree against
the same code without it: wall 0.970, CPU 0.980.

``heap_kept`` raises glibc's trim threshold for the duration of a run of many files, then sets
it back to glibc's default (glibc cannot report the value it had: nobody had set one, as where
the user tuned malloc through the environment nothing is changed). Where the C library is not
glibc it does nothing either. ``ctypes``, which it needs, costs a few milliseconds to import: a
run of a few files goes without.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Fewer files than this parse too little for the heap's regrowth to outweigh importing ctypes.
MIN_FILES = 16
KEPT = 64 * 1024 * 1024  # bytes of free heap kept during the run
GLIBC_DEFAULT = 128 * 1024  # glibc's M_TRIM_THRESHOLD when nobody set it
_M_TRIM_THRESHOLD = -1  # <malloc.h>
# The user's own malloc tuning: a run leaves the threshold alone when one of these is set.
_USER_TUNING = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES")


def _glibc_mallopt() -> Callable[[int, int], int] | None:
    """glibc's ``mallopt``, or None where there is none to call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return None  # musl, for one, has a mallopt that does nothing
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (ValueError, OSError, AttributeError, ImportError):
        return None
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt  # type: ignore[no-any-return]


@contextmanager
def heap_kept(files: int) -> Iterator[bool]:
    """Keep up to ``KEPT`` bytes of free heap while a run of ``files`` files parses and checks
    them; yields whether the threshold was raised."""
    if files < MIN_FILES or any(name in os.environ for name in _USER_TUNING):
        yield False
        return
    mallopt = _glibc_mallopt()
    if mallopt is None or mallopt(_M_TRIM_THRESHOLD, KEPT) != 1:
        yield False
        return
    try:
        yield True
    finally:
        mallopt(_M_TRIM_THRESHOLD, GLIBC_DEFAULT)

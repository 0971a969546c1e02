"""Run parts of one job in forked copies of this process, this process taking the first part.

``run_claimed`` shares out items instead of fixed parts: each process takes the next item when
done with its last one (see there).

The rule pass of a large run splits its files between processes. A forked child already holds
everything the rules read (the parsed trees, the walked contexts, the project index), so only
the work's result travels, pickled through a pipe. This process does part 0 itself instead of
waiting, so two cores need one child, not two; and there is no worker pool to import and
start (``multiprocessing`` cost more than it saved on the inputs of ``bench/lint_speed.py``).

Children end with ``os._exit``: they never flush this process's buffers, run its ``atexit``
handlers or reap its subprocesses (the ruff process of the run). Only fork from a
single-threaded process (``engine.default_jobs`` checks).
"""

from __future__ import annotations

import math
import os
import pickle
import signal
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")


class ChildFailed(RuntimeError):
    """A forked part raised, or died before sending its result."""


def run_parts(work: Callable[[int], T], parts: int) -> list[T]:
    """``[work(0), ..., work(parts - 1)]``: part 0 here, each other part in a forked child."""
    pending: list[tuple[int, int]] = []  # (pid, read end of its pipe), not yet collected
    try:
        for part in range(1, parts):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child (coverage cannot follow os._exit)
                os.close(read)
                _child(work, part, write)
            os.close(write)
            pending.append((pid, read))
        results = [work(0)]
        while pending:
            pid, read = pending.pop(0)
            results.append(_collect(pid, read))
        return results
    finally:
        for pid, read in pending:  # this process failed first: leave no child behind
            _stop(pid)
            os.close(read)


# Items are claimed through a pipe holding their indices, four bytes each. Written in full
# before any process reads, they must fit in the pipe's buffer (64 KiB on Linux, 16 KiB at
# least on macOS): above this many items, each index stands for a run of consecutive items.
_MAX_TOKENS = 2048


def run_claimed(work: Callable[[int], T], items: int, parts: int) -> list[T]:
    """``[work(0), ..., work(items - 1)]``, computed by ``parts`` processes that claim items.

    A fixed split (every ``parts``-th item to each process) leaves processes idle at the end
    when items differ in size, as files do, and when one process is slower: a forked child pays
    a copy-on-write fault for every page of the parent's heap it touches (measured on the lint
    bench's tree: the child's half took 0.28-0.31 s, the parent's 0.20-0.27 s). Here each
    process takes the next index from a shared pipe when done with its last item; a read of
    four bytes from a pipe is atomic, so no item is taken twice or lost.
    """
    size = max(1, math.ceil(items / _MAX_TOKENS))  # items per index
    tokens = b"".join(n.to_bytes(4, "little") for n in range(math.ceil(items / size)))
    queue, fill = os.pipe()
    try:
        written = os.write(fill, tokens)
    finally:
        os.close(fill)  # the queue ends (reads give b"") once every index is taken
    if written != len(tokens):  # pragma: no cover - the buffer holds more than _MAX_TOKENS
        os.close(queue)
        raise ChildFailed(f"the work queue took {written} of {len(tokens)} bytes")

    def claim(_part: int) -> list[tuple[int, T]]:
        done: list[tuple[int, T]] = []
        while len(token := os.read(queue, 4)) == 4:
            first = int.from_bytes(token, "little") * size
            done.extend((item, work(item)) for item in range(first, min(items, first + size)))
        return done

    try:
        chunks = run_parts(claim, parts)
    finally:
        os.close(queue)
    ordered = sorted((pair for chunk in chunks for pair in chunk), key=lambda pair: pair[0])
    if [item for item, _ in ordered] != list(range(items)):
        raise ChildFailed("the forked processes did not do every item exactly once")
    return [value for _, value in ordered]


def _child(work: Callable[[int], T], part: int, write: int) -> None:  # pragma: no cover
    try:
        try:
            payload = pickle.dumps((True, work(part)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # reported to the parent, which raises
            payload = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(0)


def _collect(pid: int, read: int) -> T:  # type: ignore[type-var]
    """The child's result; the child is reaped and its pipe closed whatever happens."""
    try:
        with os.fdopen(read, "rb") as pipe:
            payload = pipe.read()
    except BaseException:
        _stop(pid)
        raise
    _, status = os.waitpid(pid, 0)
    if not payload:
        raise ChildFailed(f"a forked rule process died (wait status {status}) before its result")
    ok, value = pickle.loads(payload)
    if not ok:
        raise ChildFailed(f"a forked rule process failed: {value}")
    return value


def _stop(pid: int) -> None:
    """Kill a child that has not been reaped yet, and reap it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)

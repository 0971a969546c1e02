"""Run one job in this process and forked copies of it, which share results as they go.

The AST pass of a large run splits its files between processes: each parses, reads and checks
its own share, so that the parse and the walk of every file (half of the pass on the tree of
``bench/lint_speed.py``) run on every core, not only the rules. The files are not split in fixed
parts but taken one at a time (``Claims``), each by the process that is free first, so that a
process slowed by other work on its core takes fewer. The project index still needs what every
file tells, so the parts of the job meet on the way (``gather``): each hands over a payload and
gets every part's back, through this process, which takes part 0 itself instead of waiting (two
cores need one child, not two). Only facts travel, pickled through pipes: sending syntax trees
would cost as much as parsing them again (measured: pickling and unpickling the bench tree's
200 trees took as long as parsing them twice). There is no worker pool to import and start
(``multiprocessing`` cost more than it saved on the inputs of ``bench/lint_speed.py``).

Children end with ``os._exit``: they never flush this process's buffers, run its ``atexit``
handlers or reap its subprocesses (the ruff process of the run). Only fork from a
single-threaded process (``engine.default_jobs`` checks).
"""

from __future__ import annotations

import math
import os
import pickle
import signal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any, BinaryIO, TypeVar

    T = TypeVar("T")
    #: A part's payload in, every part's payload (in part order) out.
    Gather = Callable[[Any], list[Any]]

_HEADER = 8  # bytes of the length before each message


class ChildFailed(RuntimeError):
    """A forked part raised, died, or did not meet the others the way this process did."""


# Items are claimed through a pipe holding their indices, four bytes each. Written in full
# before any process reads, they must fit in the pipe's buffer (64 KiB on Linux, 16 KiB at
# least on macOS): above this many items, each index stands for a run of consecutive items.
_MAX_TOKENS = 2048


class Claims:
    """Items for the parts of a job to take, each the next one when it is free.

    Made before the job forks, so that every part reads the same pipe: it holds the items'
    indices, in ``order``, and a read of four bytes from a pipe is atomic, so no item is taken
    twice or lost. A fixed split would leave a part idle at the end when items differ in size,
    as files do, or when the other part is slowed by other work on its core.
    """

    def __init__(self, order: Sequence[int]) -> None:
        self._order = list(order)
        self._size = max(1, math.ceil(len(self._order) / _MAX_TOKENS))  # items per index
        count = math.ceil(len(self._order) / self._size)
        tokens = b"".join(n.to_bytes(4, "little") for n in range(count))
        self._queue, fill = os.pipe()
        try:
            written = os.write(fill, tokens) if tokens else 0
        finally:
            os.close(fill)  # the queue ends (reads give b"") once every index is taken
        if written != len(tokens):  # pragma: no cover - the buffer holds more than _MAX_TOKENS
            self.close()
            raise ChildFailed(f"the work queue took {written} of {len(tokens)} bytes")

    def take(self) -> Iterator[int]:
        """The items this process takes, one by one, until none is left."""
        while len(token := os.read(self._queue, 4)) == 4:
            first = int.from_bytes(token, "little") * self._size
            yield from self._order[first : first + self._size]

    def close(self) -> None:
        os.close(self._queue)

    def __enter__(self) -> Claims:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_together(work: Callable[[int, Gather], T], parts: int) -> list[T]:
    """``[work(0, gather), ..., work(parts - 1, gather)]``: part 0 here, each other part in a
    forked child. Every part must call ``gather`` as many times as the others: each call
    returns when all parts have made it, with their payloads."""
    children: list[_Child] = []
    try:
        for part in range(1, parts):
            up_read, up_write = os.pipe()
            down_read, down_write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child (coverage cannot follow os._exit)
                for child in children:  # the pipes of the earlier children are not its own
                    child.close()
                os.close(up_read)
                os.close(down_write)
                _child(work, part, os.fdopen(down_read, "rb"), os.fdopen(up_write, "wb"))
            os.close(up_write)
            os.close(down_read)
            children.append(_Child(pid, os.fdopen(up_read, "rb"), os.fdopen(down_write, "wb")))

        def gather(payload: Any) -> list[Any]:
            payloads = [payload]
            for child in children:
                payloads.append(child.receive("gather"))
            message = pickle.dumps(payloads, protocol=pickle.HIGHEST_PROTOCOL)
            for child in children:
                child.send(message)
            return payloads

        results = [work(0, gather)]
        for child in children:
            results.append(child.receive("done"))
            child.reap()
        return results
    finally:
        for child in children:  # this process failed first, or a child did: none left behind
            child.stop()


class _Child:
    """A forked part as this process sees it: its pid and the two ends of its pipes."""

    __slots__ = ("down", "pid", "reaped", "up")

    def __init__(self, pid: int, up: BinaryIO, down: BinaryIO) -> None:
        self.pid = pid
        self.up = up
        self.down = down
        self.reaped = False

    def receive(self, expected: str) -> Any:
        """The child's next message, which must be ``expected`` ("gather" or "done")."""
        message = _read(self.up)
        if message is None:
            status = self.reap()
            raise ChildFailed(f"a forked lint process died (wait status {status})")
        kind, value = message
        if kind == "failed":
            raise ChildFailed(f"a forked lint process failed: {value}")
        if kind != expected:
            raise ChildFailed(f"a forked lint process sent {kind!r} where {expected!r} was due")
        return value

    def send(self, message: bytes) -> None:
        try:
            _write(self.down, message)
        except OSError as exc:  # it died: its own message, if any, says why
            raise ChildFailed(f"a forked lint process stopped listening: {exc}") from exc

    def reap(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        return status

    def close(self) -> None:
        for pipe in (self.up, self.down):
            try:
                pipe.close()
            except OSError:
                pass

    def stop(self) -> None:
        """Close its pipes; kill and reap it unless it was reaped."""
        self.close()
        if not self.reaped:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.reap()


def _child(  # pragma: no cover - runs in the forked child
    work: Callable[[int, Gather], T], part: int, down: BinaryIO, up: BinaryIO
) -> None:
    """Run one part in the forked child and report; never returns."""
    try:

        def gather(payload: Any) -> list[Any]:
            _write(up, pickle.dumps(("gather", payload), protocol=pickle.HIGHEST_PROTOCOL))
            message = _read(down)
            if message is None:
                raise ChildFailed("the parent lint process went away")
            return message  # type: ignore[no-any-return]

        try:
            result = ("done", work(part, gather))
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # reported to the parent, which raises
            payload = pickle.dumps(("failed", f"{type(exc).__name__}: {exc}"))
        _write(up, payload)
    finally:
        os._exit(0)


def _write(pipe: BinaryIO, message: bytes) -> None:
    pipe.write(len(message).to_bytes(_HEADER, "little"))
    pipe.write(message)
    pipe.flush()


def _read(pipe: BinaryIO) -> Any:
    """The next message unpickled, or None at the end of the pipe."""
    header = pipe.read(_HEADER)
    if len(header) < _HEADER:
        return None
    size = int.from_bytes(header, "little")
    data = pipe.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)

"""The progress bar of a long eval (tqdm, on stderr): runs done, and the last one's figure."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO


class RunProgress:
    def __init__(
        self, total: int, enabled: bool = True, stream: TextIO | None = None, desc: str = "rda eval"
    ) -> None:
        self._bar = None
        if enabled and total:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, desc=desc, unit="run", file=stream or sys.stderr, leave=True
            )

    def advance(self, label: str, figure: str) -> None:
        """One more run done: ``label`` (eval-1/with_skill/run-2) and its figure (67%)."""
        if self._bar is None:
            return
        self._bar.set_postfix_str(f"{label} {figure}", refresh=False)
        self._bar.update(1)

    def __enter__(self) -> RunProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.close()

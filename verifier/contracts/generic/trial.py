"""The calls the checks of one operation share: seeded tables, arguments, outcomes.

The first call (on a seed of ``SMALL`` rows per table) is made once and kept: several checks
read it. Every other call is asked for by the check that needs it. A call whose arguments
cannot be built raises ``Skip``; a seed the database refuses raises ``SeedFailed``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from verifier.contracts.generic.arguments import Plan, Unbuildable
from verifier.contracts.generic.calls import Layer, Outcome, invoke
from verifier.contracts.generic.discovery import Operation
from verifier.contracts.generic.seeding import Seed, SeedFailed, seed
from verifier.stages.blame import caused_by_target
from verifier.stages.context import describe

SMALL = 2  # rows per table of a first call on fresh tables
LARGE = 3 * SMALL  # an intact seed of up to this many rows serves a first call as it is
GROWTH = 3  # the statement count is compared on GROWTH times the first call's rows
LOCK_TIMEOUT = "55P03"  # lock_not_available: a connection of the target holds the tables


class Skip(Exception):
    """The operation cannot be called (its arguments): noted, never a finding."""


class TablesLocked(Exception):
    """The tables could not be emptied: a connection of the target holds locks on them."""


@dataclass
class Trial:
    layer: Layer
    op: Operation
    plan: Plan
    seed: Seed | None = None
    _first: Outcome | None = None
    _serials: Any = field(default_factory=lambda: itertools.count(1))
    first_serial: int = 0
    _rows: int = SMALL
    # Connections checked out and backends idle in transaction before the first call.
    baseline: tuple[int, int] = (0, 0)

    @property
    def name(self) -> str:
        return self.op.function.__name__

    def where(self) -> tuple[str | None, int | None]:
        """The operation's definition in the target's source."""
        return self.layer.ctx.location_of_object(self.op.function)

    async def reseed(self, rows: int) -> Seed:
        """``rows`` generated rows per table in otherwise empty tables.

        An intact seed is reused as it is when it has ``rows`` rows and grown when it has
        fewer: seeding is most of the checks' cost.
        """
        layer = self.layer
        last = layer.seeded if layer.intact else None
        if last is not None and last.rows == rows:
            self.seed = last
            return last
        grow = last if last is not None and last.rows < rows else None
        layer.intact = False
        try:
            self.seed = await seed(layer.probe, rows, grow=grow)
        except SeedFailed as exc:
            if getattr(getattr(exc.__cause__, "orig", None), "sqlstate", None) == LOCK_TIMEOUT:
                raise TablesLocked(str(exc)) from exc
            raise
        layer.seeded, layer.intact = self.seed, True
        return self.seed

    def arguments(self, serial: int, missing: bool = False) -> tuple[list[Any], dict[str, Any]]:
        assert self.seed is not None
        try:
            return self.plan.build(self.seed, serial, missing)
        except Unbuildable as exc:
            raise Skip(str(exc)) from exc
        except Exception as exc:  # a model of the target's refused the generated values
            if not caused_by_target(exc, self.layer.ctx.root):
                raise
            refused = f"the target's models refused the generated arguments: {describe(exc)}"
            raise Skip(refused) from exc

    async def call(
        self, serial: int | None = None, *, missing: bool = False, rethrow: bool = False
    ) -> Outcome:
        """Call the operation on the current seed (arguments of ``serial``, else new ones)."""
        args, kwargs = self.arguments(next(self._serials) if serial is None else serial, missing)
        return await invoke(self.layer, self.op, args, kwargs, rethrow=rethrow)

    @property
    def first_outcome(self) -> Outcome | None:
        """The first call's outcome, when it was made."""
        return self._first

    @property
    def rows(self) -> int:
        """Rows per table of the first call."""
        return self._rows

    async def first(self) -> Outcome:
        """The first call (made once): on the intact seed the last operation left when it has
        at most ``LARGE`` rows per table, else on a fresh one of ``SMALL``."""
        if self._first is None:
            last = self.layer.seeded if self.layer.intact else None
            self._rows = last.rows if last is not None and last.rows <= LARGE else SMALL
            await self.reseed(self._rows)
            self.first_serial = next(self._serials)
            self._first = await self.call(self.first_serial)
        return self._first

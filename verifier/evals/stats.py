"""Summary statistics as skill-creator's benchmark reports them.

``mean``, ``stddev``, ``min`` and ``max``, each rounded to 4 places; the standard deviation is
the sample one (n - 1), 0.0 for a single value, and an empty list gives zeros.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

PLACES = 4


def summary_stats(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "stddev": 0.0, "min": 0.0, "max": 0.0}
    mean = sum(values) / len(values)
    stddev = statistics.stdev(values) if len(values) > 1 else 0.0
    return {
        "mean": round(mean, PLACES),
        "stddev": round(stddev, PLACES),
        "min": round(min(values), PLACES),
        "max": round(max(values), PLACES),
    }


def signed(value: float, places: int) -> str:
    """A delta as skill-creator writes it: ``"+0.50"``, ``"-13.0"``, ``"+1700"``."""
    return f"{value:+.{places}f}"

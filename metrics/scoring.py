"""Scores from counts: NPS, CSAT and CES with 95 % margins of error. Pure arithmetic.

Every function here takes numbers the database has already aggregated (counts, sums, sums of
squares), so scoring a million responses never loads them into Python.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

Z95 = 1.96
SMALL_SAMPLE = 30  # fewer responses than this are flagged wherever a score is shown


def nps_margin(*, promoters: int, detractors: int, n: int) -> float:
    """95 % margin of error of an NPS (in points), as for the difference of two proportions of
    one multinomial sample: 1.96 · 100 · sqrt((p + d − (p − d)²) / n)."""
    if n <= 0:
        raise ValueError("no responses")
    p, d = promoters / n, detractors / n
    return Z95 * 100 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n)


def proportion_margin(*, hits: int, n: int) -> float:
    """95 % margin of error of a share, in percentage points (normal approximation)."""
    if n <= 0:
        raise ValueError("no responses")
    p = hits / n
    return Z95 * 100 * math.sqrt(p * (1 - p) / n)


def mean_margin(*, total: float, squares: float, n: int) -> float:
    """95 % margin of error of a mean from n, Σx and Σx² (sample standard deviation)."""
    if n <= 1:
        return math.inf if n == 1 else math.nan
    variance = max(0.0, (squares - total * total / n) / (n - 1))
    return Z95 * math.sqrt(variance / n)


@dataclass(frozen=True)
class Score:
    """One cell's score: ``value`` with ``margin`` (95 %), from ``n`` responses."""

    kind: str  # "nps", "csat" or "ces"
    n: int
    value: float
    margin: float
    parts: dict[str, Any]

    @property
    def small_sample(self) -> bool:
        return self.n < SMALL_SAMPLE

    @property
    def low(self) -> float:
        return self.value - self.margin

    @property
    def high(self) -> float:
        return self.value + self.margin

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "small_sample": self.small_sample}


def nps_from_counts(*, n: int, promoters: int, passives: int, detractors: int) -> Score | None:
    if not n:
        return None
    return Score(
        kind="nps",
        n=n,
        value=round(100 * (promoters - detractors) / n, 1),
        margin=round(nps_margin(promoters=promoters, detractors=detractors, n=n), 1),
        parts={
            "promoters": promoters,
            "passives": passives,
            "detractors": detractors,
            "promoters_share": round(100 * promoters / n, 1),
            "passives_share": round(100 * passives / n, 1),
            "detractors_share": round(100 * detractors / n, 1),
        },
    )


def csat_from_counts(*, n: int, satisfied: int, total: float, squares: float) -> Score | None:
    """CSAT on 1–5: the share of 4–5 answers (top-2-box), with the mean beside it."""
    if not n:
        return None
    return Score(
        kind="csat",
        n=n,
        value=round(100 * satisfied / n, 1),
        margin=round(proportion_margin(hits=satisfied, n=n), 1),
        parts={
            "satisfied": satisfied,
            "mean": round(total / n, 2),
            "mean_margin": _rounded(mean_margin(total=total, squares=squares, n=n)),
        },
    )


def ces_from_counts(*, n: int, agreeing: int, total: float, squares: float) -> Score | None:
    """CES on 1–7: the mean, with the share agreeing (5–7) beside it."""
    if not n:
        return None
    return Score(
        kind="ces",
        n=n,
        value=round(total / n, 2),
        margin=_rounded(mean_margin(total=total, squares=squares, n=n)),
        parts={
            "agreeing": agreeing,
            "agreeing_share": round(100 * agreeing / n, 1),
            "agreeing_margin": round(proportion_margin(hits=agreeing, n=n), 1),
        },
    )


def _rounded(value: float) -> float:
    return round(value, 2) if math.isfinite(value) else value


def change_is_significant(before: Score, after: Score) -> bool:
    """Whether the change exceeds the combined margin of error, sqrt(m1² + m2²)."""
    if not (math.isfinite(before.margin) and math.isfinite(after.margin)):
        return False
    return abs(after.value - before.value) > math.hypot(before.margin, after.margin)

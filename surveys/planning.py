"""Wave planning: a representative sample of every segment, spread over staggered waves.

Pure functions, no database: the campaign code gives the eligible contacts grouped by stratum
(the segment values they belong to) and gets back which contact goes in which wave.

1. The sample is allocated to strata in proportion to their population, with largest-remainder
   rounding, so the strata add up exactly to the sample.
2. Inside each stratum the contacts are drawn at random with the stored seed (the same seed
   gives the same plan).
3. Each stratum's sample is spread over the waves with cumulative floors: wave ``w`` of ``W``
   gets ``floor(n·w/W) − floor(n·(w−1)/W)`` of the stratum's ``n``, which differs from the exact
   share ``n/W`` by less than 1, so every wave mirrors the population. Strata with fewer
   contacts than waves cannot appear in every wave; they are reported, not dropped.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

Stratum = tuple[str, ...]


@dataclass(frozen=True)
class SampleSize:
    """Everyone (``count`` and ``fraction`` None), a fixed number, or a fraction (0–1]."""

    count: int | None = None
    fraction: Fraction | None = None

    def of(self, population: int) -> int:
        if self.count is not None:
            return min(self.count, population)
        if self.fraction is not None:
            return min(population, round(self.fraction * population))
        return population


@dataclass
class WavePlan:
    waves: int
    seed: int
    population: dict[Stratum, int]
    allocation: dict[Stratum, int]
    # assignments[w][stratum] = contact ids in wave w (0-based)
    assignments: list[dict[Stratum, list[int]]] = field(default_factory=list)
    small_strata: dict[Stratum, int] = field(default_factory=dict)  # stratum -> waves it is in

    @property
    def sample_size(self) -> int:
        return sum(self.allocation.values())

    def wave_sizes(self) -> list[int]:
        return [sum(len(ids) for ids in wave.values()) for wave in self.assignments]

    def table(self) -> list[dict[str, object]]:
        """One row per stratum: population share and the count in every wave."""
        total = sum(self.population.values()) or 1
        return [
            {
                "stratum": list(stratum),
                "population": self.population[stratum],
                "population_share": self.population[stratum] / total,
                "sample": self.allocation[stratum],
                "waves": [len(wave.get(stratum, ())) for wave in self.assignments],
            }
            for stratum in sorted(self.population)
        ]


def allocate(population: Mapping[Stratum, int], sample: int) -> dict[Stratum, int]:
    """Split ``sample`` over strata in proportion to ``population``, largest remainder first.

    The result adds up to exactly ``sample`` (at most the whole population) and no stratum
    gets more than it has. Ties between equal remainders go to the larger stratum, then to
    the stratum that sorts first, so the split is deterministic.
    """
    total = sum(population.values())
    sample = min(sample, total)
    if total == 0:
        return dict.fromkeys(population, 0)
    quotas = {s: Fraction(n * sample, total) for s, n in population.items()}
    result = {s: int(q) for s, q in quotas.items()}
    leftover = sample - sum(result.values())
    order = sorted(population, key=lambda s: (-(quotas[s] - result[s]), -population[s], s))
    for stratum in order[:leftover]:
        result[stratum] += 1
    return result


def spread(count: int, waves: int) -> list[int]:
    """How many of ``count`` go in each of ``waves``: cumulative floors, each within 1 of
    ``count/waves``, adding up to ``count``."""
    return [count * (w + 1) // waves - count * w // waves for w in range(waves)]


def plan_waves(
    eligible: Mapping[Stratum, Sequence[int]], *, sample: SampleSize, waves: int, seed: int
) -> WavePlan:
    """Which eligible contact goes in which wave. The same arguments give the same plan."""
    if waves < 1:
        raise ValueError("A campaign needs at least one wave.")
    population = {stratum: len(ids) for stratum, ids in eligible.items()}
    allocation = allocate(population, sample.of(sum(population.values())))
    plan = WavePlan(
        waves=waves,
        seed=seed,
        population=population,
        allocation=allocation,
        assignments=[{} for _ in range(waves)],
    )
    for stratum in sorted(eligible):
        rng = random.Random(f"{seed}:{'|'.join(stratum)}")  # stable per stratum
        chosen = rng.sample(list(eligible[stratum]), allocation[stratum])
        start = 0
        for wave, size in enumerate(spread(len(chosen), waves)):
            if size:
                plan.assignments[wave][stratum] = chosen[start : start + size]
            start += size
        present = sum(1 for size in spread(len(chosen), waves) if size)
        if 0 < len(chosen) < waves or (population[stratum] and present < waves):
            plan.small_strata[stratum] = present
    return plan

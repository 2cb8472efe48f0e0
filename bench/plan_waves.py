"""Benchmark: plan 1,000,000 eligible contacts across 50 strata into 4 waves.

Prints the time and the peak memory of the process against the targets (< 5 s, < 1 GB).
The plan is the pure part of a campaign (surveys/planning.py); no database is involved.
"""

import os
import platform
import resource
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from surveys.planning import SampleSize, plan_waves

CONTACTS, STRATA, WAVES = 1_000_000, 50, 4


def main() -> None:
    weights = [1 + (s * 37 % 23) for s in range(STRATA)]  # uneven strata, deterministic
    total_weight = sum(weights)
    eligible, next_id = {}, 0
    for s, weight in enumerate(weights):
        size = CONTACTS * weight // total_weight if s < STRATA - 1 else CONTACTS - next_id
        eligible[(f"industry-{s % 10}", f"region-{s // 10}")] = range(next_id, next_id + size)
        next_id += size
    for label, sample in (
        ("everyone", SampleSize()),
        ("a 10% sample", SampleSize(fraction=Fraction(1, 10))),
    ):
        started = time.perf_counter()
        plan = plan_waves(eligible, sample=sample, waves=WAVES, seed=2026)
        elapsed = time.perf_counter() - started
        assert sum(plan.wave_sizes()) == plan.sample_size
        print(
            f"plan_waves ({label}): {CONTACTS:,} eligible, {STRATA} strata, {WAVES} waves, "
            f"{plan.sample_size:,} planned in {elapsed:.2f} s (target < 5 s) "
            f"{'PASS' if elapsed < 5 else 'FAIL'}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"plan_waves peak memory: {peak_mb:.0f} MB (target < 1024 MB) "
        f"{'PASS' if peak_mb < 1024 else 'FAIL'}"
    )
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()

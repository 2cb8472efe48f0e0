"""Wave planning: proportional strata, waves that mirror the population, reproducible draws."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.planning import SampleSize, allocate, plan_waves, spread


@st.composite
def populations(draw):
    sizes = draw(st.lists(st.integers(0, 60), min_size=1, max_size=8))
    eligible, next_id = {}, 1
    for index, size in enumerate(sizes):
        eligible[(f"industry-{index}",)] = list(range(next_id, next_id + size))
        next_id += size
    excluded = set(range(next_id, next_id + draw(st.integers(0, 20))))
    return eligible, excluded


samples = st.one_of(
    st.just(SampleSize()),
    st.integers(0, 400).map(lambda n: SampleSize(count=n)),
    st.fractions(min_value=Fraction(1, 100), max_value=1).map(lambda f: SampleSize(fraction=f)),
)


@settings(max_examples=300, deadline=None)
@given(populations(), samples, st.integers(1, 6), st.integers(0, 2**32))
def test_plan_properties(population_and_excluded, sample, waves, seed):
    eligible, excluded = population_and_excluded
    plan = plan_waves(eligible, sample=sample, waves=waves, seed=seed)
    total = sum(len(ids) for ids in eligible.values())
    expected = sample.of(total)

    # totals exact: strata add up to the sample, waves add up to the sample
    assert sum(plan.allocation.values()) == expected
    assert sum(plan.wave_sizes()) == expected
    for stratum, ids in eligible.items():
        share = Fraction(expected * len(ids), total) if total else 0
        assert abs(plan.allocation[stratum] - share) < 1  # proportional to the population
        in_waves = [len(wave.get(stratum, [])) for wave in plan.assignments]
        assert sum(in_waves) == plan.allocation[stratum]
        for count in in_waves:  # every wave mirrors the population
            assert abs(count - Fraction(plan.allocation[stratum], waves)) < 1
        if 0 < plan.allocation[stratum] < waves:
            assert stratum in plan.small_strata

    chosen = [c for wave in plan.assignments for ids in wave.values() for c in ids]
    assert len(chosen) == len(set(chosen))  # nobody twice
    assert not set(chosen) & excluded  # only eligible contacts
    for wave in plan.assignments:
        for stratum, ids in wave.items():
            assert set(ids) <= set(eligible[stratum])

    again = plan_waves(eligible, sample=sample, waves=waves, seed=seed)
    assert again.assignments == plan.assignments  # the stored seed reproduces the plan


def test_largest_remainder_is_exact_and_deterministic():
    population = {("a",): 5, ("b",): 3, ("c",): 2}
    assert allocate(population, 7) == {("a",): 4, ("b",): 2, ("c",): 1}
    assert sum(allocate(population, 9).values()) == 9
    assert allocate(population, 100) == population  # never more than a stratum has


def test_spread_is_within_one_of_the_even_share():
    assert spread(10, 4) == [2, 3, 2, 3]
    assert spread(3, 4) == [0, 1, 1, 1]
    assert sum(spread(1001, 7)) == 1001


def test_small_strata_are_reported_not_dropped():
    eligible = {("Retail",): list(range(100)), ("Mining",): [1000, 1001]}
    plan = plan_waves(eligible, sample=SampleSize(), waves=3, seed=7)
    assert plan.small_strata == {("Mining",): 2}
    assert plan.allocation[("Mining",)] == 2


def test_different_seeds_draw_different_contacts():
    eligible = {("Retail",): list(range(1000))}
    first = plan_waves(eligible, sample=SampleSize(count=10), waves=2, seed=1)
    second = plan_waves(eligible, sample=SampleSize(count=10), waves=2, seed=2)
    assert first.assignments != second.assignments


def test_table_shows_population_share_beside_each_wave():
    eligible = {("Retail", "EU"): list(range(30)), ("Software", "US"): list(range(30, 40))}
    rows = plan_waves(eligible, sample=SampleSize(fraction=Fraction(1, 2)), waves=2, seed=3).table()
    assert rows == [
        {
            "stratum": ["Retail", "EU"],
            "population": 30,
            "population_share": 0.75,
            "sample": 15,
            "waves": [7, 8],
        },
        {
            "stratum": ["Software", "US"],
            "population": 10,
            "population_share": 0.25,
            "sample": 5,
            "waves": [2, 3],
        },
    ]


def test_a_plan_needs_a_wave():
    with pytest.raises(ValueError, match="at least one wave"):
        plan_waves({}, sample=SampleSize(), waves=0, seed=1)

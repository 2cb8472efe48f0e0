"""When messages may go: send windows on top of quiet hours, and the shared rate limit."""

import datetime as dt
import itertools
import time
from zoneinfo import ZoneInfo

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st

from surveys import ratelimit
from surveys.timing import quiet_until, send_not_before

SEOUL = ZoneInfo("Asia/Seoul")
WEEKDAYS = frozenset(range(5))
OFFICE = (dt.time(9), dt.time(17))
NIGHT = (dt.time(20), dt.time(9))


def at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SEOUL)  # 2026-11-23 is a Monday


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(26, 10), None),  # Thursday 10:00: inside the window
        (at(26, 8), at(26, 9)),  # before the window opens
        (at(26, 17), at(27, 9)),  # the window has closed: next morning
        (at(27, 18), at(30, 9)),  # Friday evening: Monday morning
        (at(28, 12), at(30, 9)),  # Saturday noon: Monday morning
    ],
)
def test_office_hours_on_weekdays(now, expected):
    assert send_not_before(now, zone="Asia/Seoul", days=WEEKDAYS, window=OFFICE) == expected


def test_quiet_hours_and_window_together_take_the_later_end():
    # Quiet until 09:00, window opens 10:00: 10:00 it is.
    assert send_not_before(
        at(26, 6), zone="Asia/Seoul", quiet=NIGHT, window=(dt.time(10), dt.time(18))
    ) == at(26, 10)
    # Window over midnight (22:00–02:00) and no quiet hours.
    late = (dt.time(22), dt.time(2))
    assert send_not_before(at(26, 23), zone="Asia/Seoul", window=late) is None
    assert send_not_before(at(26, 12), zone="Asia/Seoul", window=late) == at(26, 22)


def test_a_window_inside_quiet_hours_gives_a_late_time_not_a_hang():
    impossible = send_not_before(
        at(26, 12),
        zone="Asia/Seoul",
        quiet=(dt.time(0), dt.time(23, 59)),
        window=(dt.time(1), dt.time(2)),
    )
    assert impossible is not None and impossible > at(26, 12)


@given(
    st.datetimes(
        min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis adds the zone
        max_value=dt.datetime(2035, 1, 1),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    st.sets(st.integers(0, 6), min_size=1),
    st.sampled_from(["Asia/Seoul", "America/New_York", "Europe/London", "Pacific/Chatham"]),
)
def test_the_time_found_is_allowed_and_no_allowed_hour_is_skipped(now, days, zone):
    found = send_not_before(now, zone=zone, quiet=NIGHT, days=frozenset(days), window=OFFICE)
    moment = (found or now).astimezone(ZoneInfo(zone))
    assert moment >= now
    assert moment.weekday() in days
    assert OFFICE[0] <= moment.time() < OFFICE[1]
    assert quiet_until(moment, zone=zone, start=NIGHT[0], end=NIGHT[1]) is None
    # Nothing allowed was skipped: every earlier whole hour from now was not allowed.
    probe = now
    while found is not None and probe + dt.timedelta(hours=1) < found:
        probe += dt.timedelta(hours=1)
        local = probe.astimezone(ZoneInfo(zone))
        allowed = local.weekday() in days and OFFICE[0] <= local.time() < OFFICE[1]
        assert not allowed, f"{local} was allowed but {found} was chosen"


# --- The rate limit --------------------------------------------------------------------------


@pytest.fixture
def shared_limit(settings, redis_url):
    settings.REDIS_URL = redis_url
    settings.PULSE_SEND_RATE = {"sms": 10.0, "email": 0}
    ratelimit._script.cache_clear()
    redis.Redis.from_url(redis_url).delete("pulse:rate:991:sms")
    yield
    ratelimit._script.cache_clear()


def test_slots_are_spaced_one_interval_apart_in_redis(shared_limit):
    waits = [ratelimit.reserve(workspace_id=991, channel="sms") for _ in range(5)]
    assert waits[0] == pytest.approx(0, abs=0.02)
    for before, after in itertools.pairwise(waits):
        assert after - before == pytest.approx(0.1, abs=0.02)  # 10 per second


def test_a_slot_too_far_away_is_refused_and_not_reserved(shared_limit):
    for _ in range(4):
        ratelimit.reserve(workspace_id=991, channel="sms", max_wait=1)
    with pytest.raises(ratelimit.Throttled) as throttled:
        ratelimit.reserve(workspace_id=991, channel="sms", max_wait=0.25)
    assert 0.25 < throttled.value.seconds <= 0.4
    # The refusal reserved nothing: the next caller willing to wait gets the very next slot.
    assert ratelimit.reserve(workspace_id=991, channel="sms") == pytest.approx(0.4, abs=0.05)


def test_workspaces_and_channels_have_their_own_limits(shared_limit):
    ratelimit.reserve(workspace_id=991, channel="sms")
    assert ratelimit.reserve(workspace_id=991, channel="email") == 0  # 0 = unlimited
    redis.Redis.from_url(ratelimit.settings.REDIS_URL).delete("pulse:rate:992:sms")
    assert ratelimit.reserve(workspace_id=992, channel="sms") == pytest.approx(0, abs=0.02)


def test_without_redis_the_limit_holds_in_the_process(settings):
    settings.REDIS_URL = ""
    settings.PULSE_SEND_RATE = {"sms": 20.0, "email": 20.0}
    key_workspace = int(time.time() * 1000)  # a fresh schedule
    waits = [ratelimit.reserve(workspace_id=key_workspace, channel="sms") for _ in range(3)]
    assert waits[2] - waits[0] == pytest.approx(0.1, abs=0.02)

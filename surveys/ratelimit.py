"""A send rate limit per workspace and channel that holds across every worker together.

Celery's own ``rate_limit`` counts per worker process, so N workers would send N times too
fast. Instead each send reserves a slot in a shared schedule kept in Redis (the generic cell
rate algorithm: one key holds the "theoretical arrival time" of the next slot, advanced by
``1 / rate`` per message, with Redis's own clock so workers on different machines agree).
A caller gets back how long to wait for its slot. Slots further away than ``max_wait`` are
not reserved: the caller should put the message back and try again later instead of holding
a worker thread.

Without Redis (the embedded development setup) the same schedule lives in the process, which
is exact for the single worker ``make run`` starts.
"""

from __future__ import annotations

import threading
import time
from functools import cache

import redis
from django.conf import settings

RESERVE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + tonumber(now_parts[2]) / 1000
local interval = tonumber(ARGV[1])
local max_wait = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now
if wait > max_wait then return {0, tostring(wait)} end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil(wait + interval + 1000))
return {1, tostring(wait)}
"""


class Throttled(Exception):
    """No slot soon enough: try again in ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate limited for {seconds:.1f} s")
        self.seconds = seconds


def rate_for(channel: str) -> float:
    return float(settings.PULSE_SEND_RATE[channel])


def reserve(*, workspace_id: int, channel: str, max_wait: float = 10.0) -> float:
    """Reserve the next send slot; returns the seconds to wait before sending (0 = now).

    Raises ``Throttled`` without reserving when the slot is more than ``max_wait`` away.
    """
    rate = rate_for(channel)
    if rate <= 0:
        return 0.0  # unlimited
    key = f"pulse:rate:{workspace_id}:{channel}"
    interval_ms = 1000.0 / rate
    if settings.REDIS_URL:
        reserved, wait = _script()(keys=[key], args=[interval_ms, max_wait * 1000])
    else:
        reserved, wait = _local.reserve(key, interval_ms, max_wait * 1000)
    if not int(reserved):
        raise Throttled(float(wait) / 1000)
    return float(wait) / 1000


def wait_for_slot(*, workspace_id: int, channel: str, max_wait: float = 10.0) -> None:
    """Reserve a slot and sleep until it comes (``Throttled`` if it is too far away)."""
    delay = reserve(workspace_id=workspace_id, channel=channel, max_wait=max_wait)
    if delay > 0:
        time.sleep(delay)


@cache
def _script() -> redis.commands.core.Script:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    return client.register_script(RESERVE)


class _LocalSchedule:
    """The same algorithm in one process, for running without Redis."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, key: str, interval_ms: float, max_wait_ms: float) -> tuple[int, float]:
        with self._lock:
            now = time.monotonic() * 1000
            tat = max(self._next.get(key, now), now)
            wait = tat - now
            if wait > max_wait_ms:
                return 0, wait
            self._next[key] = tat + interval_ms
            return 1, wait


_local = _LocalSchedule()

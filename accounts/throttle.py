"""Rate limits for the doors anyone can knock on: sign-in, API tokens, the answer page.

Fixed-window counters in Django's cache (Redis when REDIS_URL is set, so the limits hold
across web processes). A limit fails open: with the cache down, nobody is locked out.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


LOGIN_PER_IP = Limit("login-ip", 30, 300)
LOGIN_PER_ACCOUNT = Limit("login-account", 10, 900)
BAD_TOKEN_PER_IP = Limit("bad-token-ip", 30, 60)
UNKNOWN_LINK_PER_IP = Limit("unknown-link-ip", 60, 600)
ANSWER_POSTS_PER_LINK = Limit("answer-link", 20, 600)


def client_ip(request: HttpRequest) -> str:
    """The client's address (REMOTE_ADDR; behind a proxy, run it with the proxy's real-IP
    module so REMOTE_ADDR is the client's)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(limit: Limit, subject: str) -> str:
    window = int(time.time()) // limit.seconds
    return f"throttle:{limit.name}:{subject}:{window}"


def exceeded(limit: Limit, subject: str) -> bool:
    """Whether ``subject`` has used up ``limit`` in the current window (does not count)."""
    try:
        return int(cache.get(_key(limit, subject), 0)) >= limit.count
    except Exception:  # fail open: a cache outage must not lock people out
        logger.warning("rate limit %s not checked: cache unavailable", limit.name)
        return False


def hit(limit: Limit, subject: str) -> bool:
    """Count one attempt; True when this attempt is over the limit."""
    key = _key(limit, subject)
    try:
        cache.add(key, 0, timeout=limit.seconds + 1)
        return int(cache.incr(key)) > limit.count
    except Exception:  # fail open, as above
        logger.warning("rate limit %s not counted: cache unavailable", limit.name)
        return False

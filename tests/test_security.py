"""Security headers and rate limits on the doors anyone can knock on."""

import re

import pytest
from django.test import Client

from accounts.models import Role
from accounts.throttle import (
    ANSWER_POSTS_PER_LINK,
    BAD_TOKEN_PER_IP,
    LOGIN_PER_ACCOUNT,
    UNKNOWN_LINK_PER_IP,
)
from tests.factories import MembershipFactory

PASSWORD = "correct-horse-battery"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize(
    "url", ["/dashboard/", "/surveys/", "/campaigns/", "/cases/", "/api/docs/", "/outbox/"]
)
def test_pages_send_a_strict_csp_and_have_no_inline_script(url, member, browser_as):
    response = browser_as(member(Role.MANAGER)).get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not INLINE_SCRIPT.search(response.content.decode())


def test_the_answer_and_sign_in_pages_have_the_same_policy(invitation):
    for url in (f"/r/{invitation.token}", "/login/"):
        response = Client().get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert not INLINE_SCRIPT.search(response.content.decode())


def test_failed_sign_ins_are_limited_per_account(manager):
    client = Client()
    email = manager.user.email
    for _ in range(LOGIN_PER_ACCOUNT.count):
        assert client.post("/login/", {"username": email, "password": "wrong"}).status_code == 200
    blocked = client.post("/login/", {"username": email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.content.decode()
    other = MembershipFactory(workspace=manager.workspace).user
    assert (
        client.post("/login/", {"username": other.email, "password": PASSWORD}).status_code == 302
    )


def test_a_good_sign_in_is_not_counted(manager):
    client = Client()
    for _ in range(LOGIN_PER_ACCOUNT.count + 2):
        response = client.post("/login/", {"username": manager.user.email, "password": PASSWORD})
        assert response.status_code == 302
        client.logout()


def test_invalid_api_tokens_are_limited_per_address(manager, api_as):
    stranger = Client()
    for _ in range(BAD_TOKEN_PER_IP.count):
        response = stranger.get("/api/v1/customers/", HTTP_AUTHORIZATION="Token nope")
        assert response.status_code == 401
    response = stranger.get("/api/v1/customers/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 429
    # A valid token from the same address is refused too until the window passes: the
    # limit is on the address, which is what guessing comes from.
    assert api_as(manager).get("/api/v1/customers/").status_code == 429


def test_probing_for_links_is_limited_but_real_links_still_open(invitation):
    client = Client()
    for number in range(UNKNOWN_LINK_PER_IP.count):
        assert client.get(f"/r/not-a-real-token-{number}").status_code == 404
    assert client.get("/r/not-a-real-token-x").status_code == 429
    assert client.get(f"/r/{invitation.token}").status_code == 200


def test_posting_to_one_link_over_and_over_is_limited(invitation):
    client = Client()
    for _ in range(ANSWER_POSTS_PER_LINK.count):
        assert client.post(f"/r/{invitation.token}", {}).status_code in {302, 400}
    assert client.post(f"/r/{invitation.token}", {}).status_code == 429


def test_limits_fail_open_when_the_cache_is_down(settings, manager):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    client = Client()
    response = client.post("/login/", {"username": manager.user.email, "password": PASSWORD})
    assert response.status_code == 302

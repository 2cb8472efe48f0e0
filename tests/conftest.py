"""Shared fixtures: people with roles, signed-in clients, and the real services.

Tests that need PostgreSQL, Redis or a Celery worker ask for the fixture of that service.
Outside CI an unreachable service skips the test with the reason; with CI=true it fails.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.selectors import SESSION_WORKSPACE_KEY
from accounts.services import api_token_create
from config.celery import app as celery_app
from surveys.services import invitation_create_test, survey_create_from_template, survey_publish
from tests.factories import ContactFactory, CustomerFactory, MembershipFactory, WorkspaceFactory

# Threads that tests start (live server, concurrency tests) must not keep connections open,
# or the test database cannot be dropped at the end.
connections.settings["default"]["CONN_MAX_AGE"] = 0

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def service_unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} — under CI=true a missing service is a failure, not a skip")
    pytest.skip(reason)


def use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = {}
    celery_app._after_fork()  # drop pooled connections to the previous broker


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Each test starts with empty rate-limit counters in a cache of its own process (not the
    machine's Redis, where earlier runs' counters may linger)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _in_memory_broker():
    """Tasks queued by tests that have no worker go nowhere (not to var/ or a real Redis)."""
    use_broker("memory://")


# --- People and clients ------------------------------------------------------------------


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Alpha Corp", default_region="US")


@pytest.fixture
def member(workspace):
    """member(role) -> a membership of ``workspace`` with that role."""

    def make(role: str = Role.MANAGER, **kwargs):
        return MembershipFactory(workspace=workspace, role=role, **kwargs)

    return make


@pytest.fixture
def manager(member):
    return member(Role.MANAGER)


def signed_in(client, membership):
    client.force_login(membership.user)
    session = client.session
    session[SESSION_WORKSPACE_KEY] = membership.workspace_id
    session.save()
    return client


@pytest.fixture
def browser_as(client):
    """browser_as(membership) -> Django test client signed in, in that membership's workspace."""
    return lambda membership: signed_in(client, membership)


@pytest.fixture
def api_as():
    """api_as(membership) -> DRF client authenticating with a token of that membership."""

    def make(membership):
        _, key = api_token_create(membership=membership, name="test")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    return make


@pytest.fixture
def customer(workspace):
    return CustomerFactory(workspace=workspace)


@pytest.fixture
def contact(customer):
    return ContactFactory(customer=customer)


# --- Real services -------------------------------------------------------------------------


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        service_unavailable(
            "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"
        )


def _test_redis_url() -> str:
    """TEST_REDIS_URL, else REDIS_URL (or the local server) on database 15, kept for tests."""
    if os.environ.get("TEST_REDIS_URL"):
        return os.environ["TEST_REDIS_URL"]
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit((parts.scheme, parts.netloc, "/15", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def redis_url():
    url = _test_redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_unavailable(f"needs Redis at {url}: {exc}")
    return url


def worker_database_url() -> str:
    """The test database as a URL, for worker processes to use."""
    db = connection.settings_dict
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
        USER=db["USER"] or "postgres",
        HOST=db["HOST"] or "127.0.0.1",
        PORT=db["PORT"] or 5432,
        NAME=db["NAME"],
    )
    if db.get("PASSWORD"):
        url = url.replace("@", f":{db['PASSWORD']}@", 1)
    return url


def worker_command(name: str, *, concurrency: int, loglevel: str = "INFO") -> list[str]:
    """The command line of a threads-pool `celery worker` named ``name`` (tests, benchmarks)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=threads",
        f"--concurrency={concurrency}",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--hostname={name}@%h",
    ]


def start_worker(*, broker_url: str, env: dict[str, str] | None = None, concurrency: int = 4):
    """Start a real `celery worker` process on the test database and ``broker_url``; returns
    it once it answers a ping (the caller stops it with ``stop_worker``)."""
    if connection.vendor != "postgresql":
        service_unavailable("the Celery worker tests need PostgreSQL (set DATABASE_URL)")
    name = f"pulse-test-{uuid.uuid4().hex[:6]}"
    full_env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": broker_url,
        "DB_CONN_MAX_AGE": "0",
        "PULSE_VAR_DIR": str(ROOT / "var" / f"test-{uuid.uuid4().hex[:8]}"),
        **(env or {}),
    }
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / f"{name}.log", "w")  # noqa: SIM115 - closed by stop_worker
    process = subprocess.Popen(
        worker_command(name, concurrency=concurrency),
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    use_broker(broker_url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stop_worker(process)
            pytest.fail(f"the Celery worker exited at start; see var/{name}.log")
        replies = celery_app.control.ping(
            destination=[f"{name}@{socket.gethostname()}"], timeout=0.5
        )
        if replies:
            return process
    stop_worker(process)
    pytest.fail("the Celery worker did not answer a ping within 30 s")


def stop_worker(process: subprocess.Popen, *, kill: bool = False) -> None:
    if kill:
        process.kill()
    else:
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, redis_url):
    """A real `celery worker` process on the test database and a test Redis database."""
    redis.Redis.from_url(redis_url).flushdb()
    with django_db_blocker.unblock():
        process = start_worker(broker_url=redis_url)
    try:
        yield process
    finally:
        use_broker("memory://")
        stop_worker(process)
        with django_db_blocker.unblock():
            wait_for_other_sessions_to_end()


def wait_for_other_sessions_to_end(timeout: float = 10) -> None:
    """PostgreSQL ends a backend shortly after its client exits; the test database can only
    be dropped once the worker's sessions are gone."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db):
    """Use in tests whose tasks a real worker runs: data is committed so it can see it."""
    use_broker(_test_redis_url())
    yield celery_worker_process
    wait_until_idle(_test_redis_url())  # the database is flushed next; a busy worker would
    use_broker("memory://")  # deadlock with the flush


def wait_until_idle(broker_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    broker = redis.Redis.from_url(broker_url)
    while time.monotonic() < deadline:
        inspect = celery_app.control.inspect(timeout=1)
        busy = [t for tasks in (inspect.active() or {}).values() for t in tasks]
        busy += [t for tasks in (inspect.reserved() or {}).values() for t in tasks]
        if not busy and broker.llen("celery") == 0:
            return
        time.sleep(0.2)


# --- Surveys ---------------------------------------------------------------------------------


@pytest.fixture
def published(workspace, manager):
    """publish(kind, locale) -> a published template survey of the workspace."""

    def make(kind: str = "nps", locale: str = "en"):
        survey = survey_create_from_template(
            workspace=workspace, user=manager.user, kind=kind, locale=locale
        )
        return survey_publish(survey=survey, user=manager.user)

    return make


@pytest.fixture
def invitation(published, contact):
    return invitation_create_test(survey=published("nps"), contact=contact)


@pytest.fixture
def campaign(workspace, manager, published):
    """campaign(**fields) -> a draft SMS campaign of a published NPS survey, two waves by
    industry, quiet hours off unless given."""
    from surveys.services import campaign_create
    from tests.surveys.helpers import NO_QUIET_HOURS

    def make(**data):
        values = {
            "name": "Q4",
            "survey": published("nps"),
            "channel": "sms",
            "strata": ["industry"],
            "waves": 2,
            **NO_QUIET_HOURS,
            **data,
        }
        return campaign_create(workspace=workspace, user=manager.user, data=values)

    return make

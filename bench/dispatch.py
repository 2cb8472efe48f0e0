"""Benchmark: send 20,000 SMS invitations through Redis and real Celery workers to a fake
Twilio on loopback (the real `twilio` SDK, the real claim/send/record path), and, in the
same run on the same broker and workers, 20,000 bare tasks that only count themselves.

Prints messages/s for both and their ratio, and checks every invitation reached the
provider exactly once. Needs PostgreSQL and Redis:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/dispatch.py
"""

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import redis
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

from config.celery import app as celery_app
from tests.conftest import worker_command

TARGET_RATIO = 0.10  # sending a real message costs at most 10x a bare task


def start_workers(count: int, concurrency: int, env: dict[str, str]) -> list[subprocess.Popen]:
    workers = []
    for _ in range(count):
        name = f"bench-{uuid.uuid4().hex[:6]}"
        workers.append(
            subprocess.Popen(
                worker_command(name, concurrency=concurrency, loglevel="WARNING"),
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    deadline = time.monotonic() + 60
    while len(celery_app.control.ping(timeout=0.5)) < count:
        if time.monotonic() > deadline:
            raise SystemExit("workers did not start")
    return workers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("needs PostgreSQL: set DATABASE_URL")
    broker = (os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/13"
    client = redis.Redis.from_url(broker)
    client.flushdb()

    from accounts.models import Contact, Customer, Workspace
    from surveys.delivery import campaign_launch, waves_dispatch_due
    from surveys.models import Campaign, Invitation
    from surveys.services import survey_create_from_template, survey_publish
    from surveys.tasks import noop_task
    from tests.conftest import use_broker, worker_database_url
    from tests.fake_twilio import FakeTwilio

    old = setup_databases(verbosity=0, interactive=False)
    connection.close()
    workers = []
    try:
        with FakeTwilio() as twilio:
            env = {
                "DATABASE_URL": worker_database_url(),
                "CELERY_BROKER_URL": broker,
                "REDIS_URL": broker,
                "PULSE_DELIVERY": "live",
                "TWILIO_ACCOUNT_SID": "ACbench",
                "TWILIO_AUTH_TOKEN": "bench",
                "TWILIO_FROM_NUMBER": "+15005550006",
                "TWILIO_API_BASE_URL": twilio.url,
                "PULSE_SMS_PER_SECOND": "0",  # measure the pipeline, not the configured limit
                "DB_CONN_MAX_AGE": "60",
            }
            use_broker(broker)
            workers = start_workers(args.workers, args.concurrency, env)

            # Baseline: bare tasks through the same broker and workers.
            started = time.perf_counter()
            for _ in range(args.messages):
                noop_task.delay("bench:noop")
            while int(client.get("bench:noop") or 0) < args.messages:
                time.sleep(0.02)
            bare = args.messages / (time.perf_counter() - started)

            workspace = Workspace.objects.create(name="Bench", slug="bench", default_region="US")
            customer = Customer.objects.create(workspace=workspace, name="Co", industry="Retail")
            Contact.objects.bulk_create(
                Contact(
                    workspace=workspace,
                    customer=customer,
                    phone=f"+1202{5550000 + i:07d}",
                    time_zone="UTC",
                )
                for i in range(args.messages)
            )
            survey = survey_publish(
                survey=survey_create_from_template(workspace=workspace, user=None, kind="nps"),
                user=None,
            )
            campaign = Campaign.objects.create(
                workspace=workspace,
                survey=survey,
                name="Bench",
                channel="sms",
                waves=1,
                quiet_start=dt.time(0),  # start == end: no quiet hours, so it runs any time
                quiet_end=dt.time(0),
            )
            campaign_launch(campaign=campaign)
            started = time.perf_counter()
            waves_dispatch_due()
            waiting = Invitation.objects.filter(
                campaign=campaign, delivery__in=["queued", "sending", "deferred"]
            )
            while waiting.exists():
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
            sent = args.messages / elapsed
            received = twilio.received()
            exactly_once = len(received) == args.messages and set(received.values()) == {1}
            print(
                f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}, PostgreSQL + Redis on loopback; "
                f"{args.workers} workers x {args.concurrency} threads"
            )
            print(f"bare task (counts itself): {bare:,.0f} tasks/s")
            print(
                f"invitations: {args.messages:,} in {elapsed:.1f} s = {sent:,.0f} messages/s; "
                f"provider received each exactly once: {exactly_once}"
            )
            ratio = sent / bare
            verdict = "PASS" if exactly_once and ratio >= TARGET_RATIO else "FAIL"
            print(
                f"dispatch: {sent:,.0f} msg/s = {ratio:.2f} x bare task "
                f"(target >= {TARGET_RATIO:.2f} and exactly once) {verdict}"
            )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        use_broker("memory://")
        client.flushdb()
        connection.close()
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()

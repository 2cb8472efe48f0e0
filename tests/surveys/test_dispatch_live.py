"""Sending for real: Redis broker, real `celery worker` processes, the real `twilio` SDK against
a fake Twilio on loopback, and a real SMTP server (aiosmtpd) for email.

Each test counts what the provider received: every planned contact exactly once.
"""

import datetime as dt
import socket
import time
from contextlib import ExitStack
from zoneinfo import ZoneInfo

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from accounts.models import Contact
from surveys import channels
from surveys.delivery import campaign_launch, invitations_sweep, waves_dispatch_due
from surveys.models import Invitation
from surveys.tasks import invitations_send_task
from tests.conftest import start_worker, stop_worker, use_broker, wait_for_other_sessions_to_end
from tests.fake_twilio import FakeTwilio
from tests.surveys.helpers import make_contacts

SITE = "https://pulse.example"
TOKEN = "live-test-token"
WAITING = ["queued", "deferred", "sending"]


@pytest.fixture
def live(settings, transactional_db, redis_url):
    """live(workers=1, failure_rate=0, rate=0, smtp_port=None) -> the fake Twilio, with that
    many worker processes sending for real through it (on Redis database 14)."""
    broker = redis_url.rsplit("/", 1)[0] + "/14"
    redis.Redis.from_url(broker).flushdb()
    stack = ExitStack()
    workers = []

    def make(workers_count=1, failure_rate=0.0, rate=0.0, smtp_port=None):
        fake = stack.enter_context(FakeTwilio(failure_rate=failure_rate))
        env = {
            "PULSE_DELIVERY": "live",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_API_BASE_URL": fake.url,
            "SITE_URL": SITE,
            "PULSE_RETRY_BASE_SECONDS": "0.2",
            "PULSE_SMS_PER_SECOND": str(rate),
            "PULSE_EMAIL_PER_SECOND": str(rate),
            "CELERY_VISIBILITY_TIMEOUT": "30",
        }
        if smtp_port:
            env |= {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp_port),
            }
        for number in range(workers_count):
            # Each worker its own account SID, so the fake can tell who sent what.
            workers.append(
                start_worker(broker_url=broker, env={**env, "TWILIO_ACCOUNT_SID": f"AC{number}"})
            )
        settings.PULSE_DELIVERY = "live"
        settings.TWILIO_ACCOUNT_SID = "AC0"
        settings.TWILIO_AUTH_TOKEN = TOKEN
        settings.TWILIO_API_BASE_URL = fake.url
        settings.SITE_URL = SITE
        settings.REDIS_URL = broker
        channels.twilio_client.cache_clear()
        fake.start_worker = lambda: workers.append(
            start_worker(broker_url=broker, env={**env, "TWILIO_ACCOUNT_SID": "AC9"})
        )
        fake.workers = workers
        return fake

    yield make
    for process in workers:
        if process.poll() is None:
            stop_worker(process)
        else:
            process.log.close()
    use_broker("memory://")
    stack.close()
    channels.twilio_client.cache_clear()
    wait_for_other_sessions_to_end()


def launch(campaign, count, **fields):
    return campaign_launch(campaign=campaign(waves=1, strata=[], **fields))


def wait_until_sent(campaign, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Invitation.objects.filter(campaign=campaign, delivery__in=WAITING).exists():
            return
        time.sleep(0.3)
    left = Invitation.objects.filter(campaign=campaign, delivery__in=WAITING).count()
    pytest.fail(f"{left} invitations still waiting after {timeout} s")


def phones(campaign, **filters):
    return set(
        Invitation.objects.filter(campaign=campaign, **filters).values_list(
            "contact__phone", flat=True
        )
    )


def test_a_wave_of_2000_sms_is_sent_exactly_once_even_when_a_fifth_of_calls_fail(
    live, workspace, campaign
):
    twilio = live(failure_rate=0.2)
    make_contacts(workspace, 2000)
    launched = launch(campaign, 2000)
    assert waves_dispatch_due() == 2000
    wait_until_sent(launched)
    received = twilio.received()
    assert twilio.failures > 200  # the provider really did fail a fifth of the calls
    assert len(received) == 2000 and set(received.values()) == {1}
    assert set(received) == phones(launched)
    assert Invitation.objects.filter(campaign=launched, delivery="sent").count() == 2000
    sids = set(Invitation.objects.filter(campaign=launched).values_list("provider_message_id"))
    assert len(sids) == 2000


def test_a_duplicated_send_task_sends_once(live, workspace, campaign):
    twilio = live()
    make_contacts(workspace, 120)
    launched = launch(campaign, 120)
    ids = list(Invitation.objects.filter(campaign=launched).values_list("pk", flat=True))
    for _ in range(3):  # the same chunks three times over, as a redelivering broker might
        invitations_send_task.delay(ids[:60])
        invitations_send_task.delay(ids[60:])
    wait_until_sent(launched)
    time.sleep(1)  # let the duplicates finish too
    received = twilio.received()
    assert len(received) == 120 and set(received.values()) == {1}


def test_killing_the_worker_mid_wave_neither_loses_nor_doubles_a_message(
    live, workspace, campaign, settings
):
    twilio = live(rate=100)  # 1,000 messages take ten seconds: time to pull the plug
    make_contacts(workspace, 1000)
    launched = launch(campaign, 1000)
    waves_dispatch_due()
    deadline = time.monotonic() + 60
    while len(twilio.sent) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    [first] = twilio.workers
    stop_worker(first, kill=True)  # SIGKILL: no warm shutdown, tasks unacknowledged
    sent_before = len(twilio.sent)
    assert 150 <= sent_before < 1000
    time.sleep(0.5)
    # With no worker alive, anything still "sending" is orphaned: the sweep (beat, every
    # minute, after a lease) asks the provider and requeues what did not go out.
    settings.PULSE_SEND_LEASE_SECONDS = 0
    settings.PULSE_SWEEP_GRACE_SECONDS = 0
    invitations_sweep()
    twilio.start_worker()
    wait_until_sent(launched)
    received = twilio.received()
    assert len(received) == 1000 and set(received.values()) == {1}
    assert Invitation.objects.filter(campaign=launched, delivery="sent").count() == 1000
    assert {m["account"] for m in twilio.sent} == {"AC0", "AC9"}  # both workers sent some


def test_stop_while_the_wave_is_queued_stops_that_number(live, workspace, campaign):
    twilio = live(rate=20)  # 60 messages over three seconds
    make_contacts(workspace, 60)
    launched = launch(campaign, 60)
    last = Invitation.objects.filter(campaign=launched).order_by("pk").first()
    waves_dispatch_due()  # the chunks go out newest first, so this one is among the last
    params = {
        "From": last.contact.phone,
        "To": "+15005550006",
        "Body": "Stop ",
        "MessageSid": "SM1",
    }
    signature = RequestValidator(TOKEN).compute_signature(f"{SITE}/hooks/twilio/inbound", params)
    reply = Client().post("/hooks/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert reply.status_code == 200
    wait_until_sent(launched)
    received = twilio.received()
    assert last.contact.phone not in received
    assert len(received) == 59 and set(received.values()) == {1}
    last.refresh_from_db()
    assert (last.delivery, last.failure_reason) == ("failed", "opted out of SMS")


def test_quiet_hours_defer_the_send_until_they_end(live, workspace, campaign, settings):
    twilio = live()
    make_contacts(workspace, 4)
    night_owl = Contact.objects.get(email="p0@example.com")
    night_owl.time_zone = "Asia/Seoul"
    night_owl.save()
    local = timezone.now().astimezone(ZoneInfo("Asia/Seoul"))
    ends = (local + dt.timedelta(seconds=4)).replace(microsecond=0)
    # Quiet from an hour ago to four seconds from now, in Seoul; the others live in UTC,
    # where the workspace's quiet hours are the same clock times but far from now.
    launched = launch(
        campaign,
        4,
        quiet_start=(local - dt.timedelta(hours=1)).time().replace(microsecond=0),
        quiet_end=ends.time(),
    )
    Contact.objects.exclude(pk=night_owl.pk).update(time_zone="Pacific/Kiritimati")
    waves_dispatch_due()
    deadline = time.monotonic() + 30
    while Invitation.objects.filter(campaign=launched, delivery="queued").exists():
        assert time.monotonic() < deadline
        time.sleep(0.2)
    deferred = Invitation.objects.get(campaign=launched, contact=night_owl)
    assert deferred.delivery == "deferred"
    assert deferred.next_attempt_at == ends
    assert night_owl.phone not in twilio.received()
    time.sleep(max(0.0, (ends - timezone.now()).total_seconds()) + 0.5)
    assert invitations_sweep()["resent"] == 1  # beat's sweep, once the quiet hours are over
    wait_until_sent(launched)
    assert twilio.received()[night_owl.phone] == 1


def test_the_rate_limit_holds_across_two_workers(live, workspace, campaign):
    twilio = live(workers_count=2, rate=25)
    make_contacts(workspace, 150)
    launched = launch(campaign, 150)
    waves_dispatch_due()
    wait_until_sent(launched)
    times = sorted(m["at"] for m in twilio.sent)
    assert len(times) == 150
    assert {m["account"] for m in twilio.sent} == {"AC0", "AC1"}  # both workers took part
    # Slots are 40 ms apart wherever they were reserved; network jitter can bunch two
    # arrivals, so allow one extra message in any one-second window, never more.
    most = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert most <= 25 + 2, f"{most} messages in one second with a limit of 25/s"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self, refuse=()):
        self.messages = []
        self.refuse = set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted"


def test_email_goes_out_once_each_through_a_real_smtp_server(live, workspace, campaign):
    inbox = Inbox(refuse={"p3@example.com"})
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        live(smtp_port=smtp.port)
        make_contacts(workspace, 40)
        launched = launch(campaign, 40, channel="email")
        waves_dispatch_due()
        wait_until_sent(launched)
    finally:
        smtp.stop()
    recipients = [to for tos, _ in inbox.messages for to in tos]
    assert len(recipients) == 39 and len(set(recipients)) == 39
    assert "p3@example.com" not in recipients
    refused = Invitation.objects.get(campaign=launched, contact__email="p3@example.com")
    assert refused.delivery == "failed" and "refused" in refused.failure_reason
    token = Invitation.objects.get(campaign=launched, contact__email="p0@example.com").token
    assert any(f"{SITE}/r/{token}" in body for _, body in inbox.messages)


def test_a_dropped_database_connection_mid_wave_neither_loses_nor_doubles(
    live, workspace, campaign, settings
):
    """Fault drill: PostgreSQL drops every worker connection in the middle of a wave."""
    twilio = live(rate=100)
    make_contacts(workspace, 600)
    launched = launch(campaign, 600)
    waves_dispatch_due()
    deadline = time.monotonic() + 60
    while len(twilio.sent) < 100 and time.monotonic() < deadline:
        time.sleep(0.05)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        dropped = len(cursor.fetchall())
    assert dropped >= 1 and len(twilio.sent) < 600  # the worker was connected, mid-wave
    # The worker reconnects for its next task; what the drop interrupted (a chunk's remaining
    # invitations, a send whose result was not recorded) is repaired by beat's sweep, here
    # with a short lease and grace so the drill does not wait ten minutes.
    settings.PULSE_SEND_LEASE_SECONDS = 5
    settings.PULSE_SWEEP_GRACE_SECONDS = 5
    deadline = time.monotonic() + 180
    while Invitation.objects.filter(campaign=launched, delivery__in=WAITING).exists():
        assert time.monotonic() < deadline, "the wave did not complete after the reconnect"
        invitations_sweep()
        time.sleep(1)
    received = twilio.received()
    assert len(received) == 600 and set(received.values()) == {1}
    assert Invitation.objects.filter(campaign=launched, delivery="sent").count() == 600

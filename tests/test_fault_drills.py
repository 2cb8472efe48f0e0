"""Fault drill: Redis stops while customers answer and a wave falls due.

A private redis-server on its own port is the broker of a real worker, so the machine's Redis
is left alone. Answers must still be recorded (they need only PostgreSQL), and when Redis is
back the wave goes out and every alert is sent, nothing lost and nothing twice. (The other
drill, PostgreSQL dropping connections mid-wave, is in tests/surveys/test_dispatch_live.py.)
"""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from metrics.models import FollowUpCase
from metrics.services import cases_alert_pending
from surveys.delivery import campaign_launch, invitations_sweep, waves_dispatch_due
from surveys.models import Invitation, OutboxMessage, Response
from tests.conftest import service_unavailable, start_worker, stop_worker, use_broker
from tests.surveys.helpers import make_contacts


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            service_unavailable("the Redis drill needs redis-server (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def wait_for(condition, timeout=90, message="timed out"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True)
def test_answers_survive_a_redis_outage_and_dispatch_resumes_after_it(
    postgres, workspace, member, campaign, settings
):
    member(Role.AGENT)  # cases get an assignee, so every alert is an email to send
    settings.PULSE_SWEEP_GRACE_SECONDS = 0
    redis_server = PrivateRedis()
    redis_server.start()
    worker = start_worker(broker_url=redis_server.url)
    try:
        make_contacts(workspace, 40)
        launched = campaign_launch(
            campaign=campaign(waves=2, strata=[]),
            first_wave_at=timezone.now(),
            interval=timedelta(seconds=1),
        )
        first = list(Invitation.objects.filter(campaign=launched, wave__number=1))
        waves_dispatch_due(now=timezone.now())  # wave 1 only: wave 2 is due a second later
        wait_for(lambda: OutboxMessage.objects.count() == len(first), message="wave 1 not sent")

        redis_server.stop()  # --- the outage ---
        client = Client()
        for index, invitation in enumerate(first):
            survey = invitation.survey
            primary = survey.questions.get(primary=True)
            answers = {f"q{q.pk}": "fine" for q in survey.questions.filter(type="text")}
            answers[f"q{primary.pk}"] = str(index % 11)
            response = client.post(f"/r/{invitation.token}", answers)
            assert response.status_code == 302, response.content[:500]
        assert Response.objects.count() == len(first)  # every answer recorded
        detractors = FollowUpCase.objects.count()
        assert detractors > 0
        assert FollowUpCase.objects.filter(alerted_at=None).count() == detractors  # not sent yet
        time.sleep(1)
        assert waves_dispatch_due() == 40 - len(first)  # wave 2 falls due: claimed, not lost
        assert Invitation.objects.filter(campaign=launched, delivery="queued").count() == 40 - len(
            first
        )

        redis_server.start()  # --- Redis is back (same port, empty) ---
        invitations_sweep()  # beat's sweep queues wave 2 again
        cases_alert_pending(now=timezone.now() + timedelta(minutes=3))
        wait_for(lambda: OutboxMessage.objects.count() == 40, message="wave 2 not sent")
        wait_for(
            lambda: not FollowUpCase.objects.filter(alerted_at=None).exists(),
            message="alerts not sent",
        )
        assert OutboxMessage.objects.filter(invitation__campaign=launched).count() == 40
        assert Invitation.objects.filter(campaign=launched, delivery="sent").count() == 40
        assert Response.objects.count() == len(first)
    finally:
        stop_worker(worker)
        use_broker("memory://")
        if redis_server.process.poll() is None:
            redis_server.stop()

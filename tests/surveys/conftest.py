"""Fixtures of the delivery tests: a fake Twilio the real SDK talks to, and queued SMS."""

import pytest

from surveys import channels
from surveys.delivery import campaign_launch
from surveys.models import Invitation
from surveys.services import campaign_create
from tests.fake_twilio import FakeTwilio
from tests.surveys.helpers import NO_QUIET_HOURS, make_contacts

TOKEN = "test-auth-token"
SITE = "https://pulse.example"


@pytest.fixture
def twilio(settings):
    with FakeTwilio() as fake:
        settings.PULSE_DELIVERY = "live"
        settings.TWILIO_ACCOUNT_SID = "AC123"
        settings.TWILIO_AUTH_TOKEN = TOKEN
        settings.TWILIO_FROM_NUMBER = "+15005550006"
        settings.TWILIO_API_BASE_URL = fake.url
        settings.SITE_URL = SITE
        channels.twilio_client.cache_clear()
        yield fake
        channels.twilio_client.cache_clear()


@pytest.fixture
def queued(workspace, manager, published):
    def make(count=1):
        make_contacts(workspace, count)
        campaign = campaign_create(
            workspace=workspace,
            user=manager.user,
            data={
                "name": "SMS",
                "survey": published("nps"),
                "channel": "sms",
                "waves": 1,
                **NO_QUIET_HOURS,
            },
        )
        campaign_launch(campaign=campaign)
        return list(Invitation.objects.filter(campaign=campaign))

    return make

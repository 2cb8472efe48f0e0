"""Quiet hours in the contact's own time zone, and SMS segment counting."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Contact
from surveys.delivery import Deferred, campaign_launch, invitation_send
from surveys.models import Invitation
from surveys.services import campaign_create
from surveys.timing import quiet_until, sms_length
from tests.surveys.helpers import make_contacts

SEOUL = ZoneInfo("Asia/Seoul")
NIGHT, MORNING = dt.time(20, 0), dt.time(9, 0)


def at(hour, minute=0, zone=SEOUL):
    return dt.datetime(2026, 11, 26, hour, minute, tzinfo=zone)


@pytest.mark.parametrize(
    ("when", "until"),
    [
        (at(21), at(9).replace(day=27)),
        (at(3), at(9)),
        (at(8, 59), at(9)),
        (at(9), None),
        (at(19, 59), None),
        (at(20), at(9).replace(day=27)),
    ],
)
def test_quiet_hours_over_midnight(when, until):
    assert quiet_until(when, zone="Asia/Seoul", start=NIGHT, end=MORNING) == until


def test_quiet_hours_within_a_day_and_switched_off():
    lunch = (dt.time(12), dt.time(13))
    assert quiet_until(at(12, 30), zone="Asia/Seoul", start=lunch[0], end=lunch[1]) == at(13)
    assert quiet_until(at(14), zone="Asia/Seoul", start=lunch[0], end=lunch[1]) is None
    assert quiet_until(at(3), zone="Asia/Seoul", start=dt.time(0), end=dt.time(0)) is None


@given(st.datetimes(timezones=st.just(dt.UTC)))
def test_quiet_hours_end_in_the_future_and_outside_quiet_time(now):
    until = quiet_until(now, zone="America/New_York", start=NIGHT, end=MORNING)
    if until is not None:
        assert until > now
        assert until - now <= dt.timedelta(hours=13, minutes=1)
        assert quiet_until(until, zone="America/New_York", start=NIGHT, end=MORNING) is None


def test_a_contact_in_quiet_hours_is_deferred_not_sent(workspace, manager, published):
    make_contacts(workspace, 1)
    Contact.objects.update(time_zone="Asia/Seoul")
    campaign = campaign_create(
        workspace=workspace,
        user=manager.user,
        data={"name": "Night", "survey": published("nps"), "channel": "sms", "waves": 1},
    )
    campaign_launch(campaign=campaign)
    invitation = Invitation.objects.get(campaign=campaign)
    with pytest.raises(Deferred) as deferred:
        invitation_send(invitation_id=invitation.pk, now=at(23))
    assert deferred.value.until == at(9).replace(day=27)
    invitation.refresh_from_db()
    assert invitation.delivery == "queued"
    assert invitation_send(invitation_id=invitation.pk, now=at(10)) is True


def test_sms_segments():
    assert sms_length("a" * 160) == sms_length("a" * 160)
    assert (sms_length("a" * 160).segments, sms_length("a" * 161).segments) == (1, 2)
    assert sms_length("a" * 306).segments == 2
    assert sms_length("[]" * 80).characters == 320  # extension characters count twice
    korean = sms_length("설문에 답해 주세요")
    assert (korean.encoding, korean.segments) == ("UCS-2", 1)
    assert sms_length("가" * 71).segments == 2
    assert sms_length("가" * 134).segments == 2
    assert sms_length("😀" * 35).characters == 70

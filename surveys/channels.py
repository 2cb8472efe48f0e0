"""The live channels behind one small interface: ``send(invitation, address, body) -> id``.

SMS goes through the official ``twilio`` SDK; email through Django's email API, so any
django-anymail ESP works by settings alone. Provider errors are sorted into two kinds:
``ProviderBusy`` (worth retrying: HTTP 429, 5xx, timeouts) and ``ProviderRefused`` (final:
invalid number, unsubscribed recipient, hard bounce).
"""

from __future__ import annotations

import smtplib
from functools import cache

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMessage
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

# Twilio error codes that mean "never send to this number again" or "this number is wrong".
OPTED_OUT_CODES = {21610}  # the recipient replied STOP
INVALID_CODES = {21211, 21214, 21217, 21401, 21407, 21408, 21612, 21614, 21635}


class ProviderBusy(Exception):
    """A temporary failure: try again later."""


class ProviderRefused(Exception):
    """A final failure for this recipient; ``opted_out`` when they unsubscribed."""

    def __init__(self, reason: str, *, opted_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.opted_out = opted_out


@cache
def twilio_client() -> Client:
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        raise ProviderRefused("Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)")
    client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    if settings.TWILIO_API_BASE_URL:  # a stand-in provider in tests
        client.api.base_url = settings.TWILIO_API_BASE_URL
    return client


def send_sms(*, to: str, body: str, sender: str = "") -> str:
    """Send one SMS; returns Twilio's message SID."""
    options: dict[str, str] = {"to": to, "body": body}
    if settings.TWILIO_MESSAGING_SERVICE_SID:
        options["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
    else:
        options["from_"] = sender or settings.TWILIO_FROM_NUMBER
    options["status_callback"] = f"{settings.SITE_URL}/hooks/twilio/status"
    try:
        message = twilio_client().messages.create(**options)
    except TwilioRestException as error:
        if error.status == 429 or error.status >= 500:
            raise ProviderBusy(f"Twilio {error.status}") from error
        if error.code in OPTED_OUT_CODES:
            raise ProviderRefused(
                f"Twilio {error.code}: recipient unsubscribed", opted_out=True
            ) from error
        raise ProviderRefused(f"Twilio {error.code or error.status}: {error.msg}"[:300]) from error
    except TwilioException as error:  # network trouble, timeouts
        raise ProviderBusy(str(error)[:300]) from error
    return message.sid


def find_sms(*, to: str, containing: str) -> str:
    """The SID of a recent message to ``to`` whose body contains ``containing``, or "".

    Used after a worker died mid-send: the link in an invitation is unique, so finding it in
    the provider's log proves the message went out.
    """
    try:
        for message in twilio_client().messages.list(to=to, limit=50):
            if containing in (message.body or ""):
                return message.sid
    except TwilioRestException as error:
        raise ProviderBusy(f"Twilio {error.status} while looking up messages") from error
    except TwilioException as error:
        raise ProviderBusy(str(error)[:300]) from error
    return ""


def send_email(*, to: str, subject: str, body: str, invitation_id: int) -> str:
    message = EmailMessage(subject=subject, body=body, to=[to])
    message.metadata = {"invitation": str(invitation_id)}  # anymail tracking webhooks
    message.tags = ["pulse-invitation"]
    try:
        message.send()
    except AnymailRecipientsRefused as error:
        raise ProviderRefused(
            "the email address was refused (bounced or unsubscribed)", opted_out=True
        ) from error
    except smtplib.SMTPRecipientsRefused as error:  # plain SMTP: the server said 5xx to RCPT
        refusals = "; ".join(
            f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values()
        )
        raise ProviderRefused(f"the mail server refused the address: {refusals}"[:300]) from error
    except (OSError, AnymailAPIError) as error:  # server away, throttled, 5xx
        raise ProviderBusy(str(error)[:300]) from error
    status = getattr(message, "anymail_status", None)
    return (status.message_id or "") if status else ""

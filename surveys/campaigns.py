"""Campaign audiences: who is eligible, who is excluded and why, and the wave plan.

The database part (which contacts, which exclusions) is here; the arithmetic of the plan is
the pure ``surveys.planning``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Contact
from accounts.selectors import EMAIL_REACHABLE, HAS_EMAIL, HAS_PHONE, SMS_REACHABLE
from surveys.models import Campaign, Invitation
from surveys.planning import SampleSize, Stratum, WavePlan, plan_waves
from surveys.timing import sms_length

CUSTOMER_SEGMENTS = ("industry", "region", "plan")
EXCLUSION_REASONS = {
    "erased": "erased",
    "opted_out": "opted out of this channel",
    "no_address": "no address for this channel",
    "fatigue": "surveyed within the fatigue window",
}


def segment_lookup(name: str) -> str:
    """The ORM path of a segment attribute: a customer field or a contact attribute."""
    if name in CUSTOMER_SEGMENTS:
        return f"customer__{name}"
    if name.startswith("attributes.") and name.removeprefix("attributes.").isidentifier():
        return f"attributes__{name.removeprefix('attributes.')}"
    raise ValidationError(
        {"strata": [f"“{name}” is not a segment (industry, region, plan or attributes.<name>)."]}
    )


def validate_campaign_fields(*, audience: Any, strata: Any) -> None:
    if not isinstance(audience, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in audience.values()
    ):
        raise ValidationError(
            {"audience": ['Give segment names and lists of values, e.g. {"industry": ["Retail"]}.']}
        )
    if not isinstance(strata, list) or not all(isinstance(s, str) for s in strata):
        raise ValidationError({"strata": ['Give a list of segment names, e.g. ["industry"].']})
    for name in [*audience, *strata]:
        segment_lookup(name)


def _reachable(channel: str) -> tuple[Q, Q]:
    """(has an address for the channel, has opted out of every usable channel)."""
    sms, email = HAS_PHONE, HAS_EMAIL
    sms_ok, email_ok = SMS_REACHABLE, EMAIL_REACHABLE
    if channel == Campaign.Channel.SMS:
        return sms, sms & ~sms_ok
    if channel == Campaign.Channel.EMAIL:
        return email, email & ~email_ok
    return sms | email, (sms | email) & ~sms_ok & ~email_ok


@dataclass
class Audience:
    eligible: dict[Stratum, list[int]] = field(default_factory=dict)
    excluded: Counter[str] = field(default_factory=Counter)
    matched: int = 0


def campaign_audience(campaign: Campaign) -> Audience:
    """Contacts matching the campaign's filter, grouped by stratum, with each exclusion counted
    under its first reason (erased, opted out, no address, fatigue)."""
    contacts: QuerySet[Contact] = Contact.objects.filter(workspace=campaign.workspace)
    for name, values in campaign.audience.items():
        if values:
            contacts = contacts.filter(**{f"{segment_lookup(name)}__in": values})
    has_address, opted_out = _reachable(campaign.channel)
    now = timezone.now()
    # The fatigue window may differ by one segment's value (e.g. 30 days for one plan, 120 for
    # another): fetch each contact's last invitation and that value, and compare per contact.
    last = (
        Invitation.objects.filter(
            workspace=campaign.workspace, contact=OuterRef("pk"), is_test=False
        )
        .order_by()
        .values("contact")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    fatigue_path = segment_lookup(campaign.fatigue_segment) if campaign.fatigue_segment else "pk"
    windows = {
        value: timedelta(days=days) for value, days in (campaign.fatigue_overrides or {}).items()
    }
    default_window = timedelta(days=campaign.fatigue_days)
    lookups = [segment_lookup(name) for name in campaign.strata]
    rows = (
        contacts.annotate(
            _erased=Q(erased_at__isnull=False),
            _address=has_address,
            _opted_out=opted_out,
            _last=Subquery(last[:1]),
        )
        .values_list("pk", "_erased", "_address", "_opted_out", "_last", fatigue_path, *lookups)
        .order_by("pk")
    )
    # Ordered by id, so the seeded draw does not change when a contact is renamed.
    audience = Audience()
    grouped: defaultdict[Stratum, list[int]] = defaultdict(list)
    for pk, erased, address, opted, last_invited, group, *segment in rows.iterator(
        chunk_size=10_000
    ):
        audience.matched += 1
        recent_invite = last_invited is not None and now - last_invited < windows.get(
            str(group), default_window
        )
        if erased:
            audience.excluded["erased"] += 1
        elif opted:
            audience.excluded["opted_out"] += 1
        elif not address:
            audience.excluded["no_address"] += 1
        elif recent_invite:
            audience.excluded["fatigue"] += 1
        else:
            grouped[tuple(str(v) if v not in (None, "") else "(none)" for v in segment)].append(pk)
    audience.eligible = dict(grouped)
    return audience


def campaign_sample_size(campaign: Campaign) -> SampleSize:
    if campaign.sample_count is not None:
        return SampleSize(count=campaign.sample_count)
    if campaign.sample_percent is not None:
        return SampleSize(fraction=Fraction(Decimal(campaign.sample_percent)) / 100)
    return SampleSize()


def campaign_plan(campaign: Campaign) -> tuple[Audience, WavePlan]:
    audience = campaign_audience(campaign)
    plan = plan_waves(
        audience.eligible,
        sample=campaign_sample_size(campaign),
        waves=campaign.waves,
        seed=campaign.seed,
    )
    return audience, plan


def _sms_preview(campaign: Campaign) -> dict[str, Any]:
    """The message as a contact gets it (with a full-length link), and its SMS segments."""
    link = f"{settings.SITE_URL}/r/{'x' * 22}"
    text = campaign.message.replace("{company}", campaign.workspace.public_name).replace(
        "{link}", link
    )
    length = sms_length(text)
    return {
        "text": text,
        "encoding": length.encoding,
        "characters": length.characters,
        "segments": length.segments,
    }


def plan_json(campaign: Campaign) -> dict[str, Any]:
    """The plan as the campaign page and ``GET /api/v1/campaigns/{id}/plan`` show it."""
    audience, plan = campaign_plan(campaign)
    return {
        "campaign": campaign.pk,
        "strata": campaign.strata,
        "waves": plan.waves,
        "seed": plan.seed,
        "matched": audience.matched,
        "eligible": sum(plan.population.values()),
        "excluded": [
            {"reason": key, "label": label, "count": audience.excluded[key]}
            for key, label in EXCLUSION_REASONS.items()
        ],
        "sample": plan.sample_size,
        "wave_sizes": plan.wave_sizes(),
        "rows": plan.table(),
        "sms": _sms_preview(campaign),
        "small_strata": [
            {"stratum": list(s), "waves": n} for s, n in sorted(plan.small_strata.items())
        ],
    }

"""When a message may go out: quiet hours in the contact's own time zone, and SMS length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# GSM 03.38 basic set; the extension characters count twice.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")


def quiet_until(now: datetime, *, zone: str, start: time, end: time) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (in ``zone``), or None when sending is fine.

    Quiet hours may span midnight (20:00–09:00) or not (12:00–13:00).
    """
    local = now.astimezone(ZoneInfo(zone))
    clock = local.timetz().replace(tzinfo=None)
    if start == end:
        return None
    spans_midnight = start > end
    inside = (clock >= start or clock < end) if spans_midnight else (start <= clock < end)
    if not inside:
        return None
    day = local.date() if (not spans_midnight or clock < end) else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=ZoneInfo(zone))


def send_not_before(
    now: datetime,
    *,
    zone: str,
    quiet: tuple[time, time] | None = None,
    days: frozenset[int] = frozenset(),
    window: tuple[time, time] | None = None,
) -> datetime | None:
    """The first moment from ``now`` that is outside quiet hours, on an allowed weekday
    (0 = Monday) and inside the daily send window, all in ``zone``; None when ``now`` is fine.

    With no allowed moment at all (e.g. a window entirely inside quiet hours) it gives up after
    two weeks of search and returns that time, so a message is late rather than lost.
    """
    tz = ZoneInfo(zone)
    start = moment = now.astimezone(tz)
    for _ in range(64):
        moved = moment
        if quiet is not None:
            moment = quiet_until(moment, zone=zone, start=quiet[0], end=quiet[1]) or moment
        if days and moment.weekday() not in days:
            moment = datetime.combine(moment.date() + timedelta(days=1), time(0), tzinfo=tz)
        elif window is not None and window[0] != window[1]:
            opens, closes = window
            clock = moment.timetz().replace(tzinfo=None)
            if opens < closes and clock >= closes:
                moment = datetime.combine(moment.date() + timedelta(days=1), opens, tzinfo=tz)
            elif (opens < closes and clock < opens) or (closes <= clock < opens):
                moment = datetime.combine(moment.date(), opens, tzinfo=tz)
        if moment == moved:
            break
        if moment - start > timedelta(days=14):
            break
    return None if moment == start else moment


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # in the encoding's units
    segments: int


def sms_length(text: str) -> SmsLength:
    """How many SMS segments ``text`` takes (160/153 GSM-7, 70/67 UCS-2)."""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        units = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2  # emoji take two UTF-16 units
        single, part, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else -(-units // part)
    return SmsLength(encoding=encoding, characters=units, segments=segments)

"""Signs that a response may be unreliable. Heuristics, shown as flags, never deletions."""

from __future__ import annotations

import contextlib
import re
from statistics import mean, median, pstdev

from django.core.cache import cache
from django.db.models import Q

from surveys.models import Response

MIN_RESPONSES_FOR_SPEED = 100
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
EMPTY_BY_DESIGN = {
    "",
    ".",
    "-",
    "--",
    "x",
    "n/a",
    "na",
    "none",
    "nothing",
    "nope",
    "no comment",
    "no comments",
    "nil",
    "idk",
    "?",
}
REPEATED = re.compile(r"(.)\1{4,}")  # the same character five times or more


def comment_is_gibberish(comment: str) -> bool:
    """Keyboard mashing ("asdfgh", "jkjkjkjk"), repeated characters ("aaaaaa") or a comment
    that says nothing ("n/a", "-"). Only judged for text in the Latin alphabet."""
    text = comment.strip().lower()
    if not text or text in EMPTY_BY_DESIGN:
        return bool(comment)  # an empty comment is just no comment
    if REPEATED.search(text):
        return True
    letters = re.sub(r"[^a-z]", "", text)
    if len(letters) < 5 or len(letters) < len(text.replace(" ", "")) * 0.6:
        return False  # too short to judge, or not mostly Latin letters (Korean, Chinese, …)
    if any(letters[i : i + 4] in row for row in KEYBOARD_ROWS for i in range(len(letters) - 3)):
        words = text.split()
        if len(words) <= 2:
            return True
    if len(set(letters)) <= 2:
        return True  # "jkjkjkjk"
    vowels = sum(c in "aeiouy" for c in letters)
    return " " not in text and len(letters) >= 8 and vowels / len(letters) < 0.12


def response_flags(response: Response) -> list[str]:
    """The quality flags of a just-recorded response (see ``docs``: speeding, gibberish,
    duplicate respondent)."""
    flags = []
    if response.comment and comment_is_gibberish(response.comment):
        flags.append("gibberish comment")
    if response.opened_at and _too_fast(response):
        flags.append("answered implausibly fast")
    if _duplicate_respondent(response):
        flags.append("the same mailbox answered this campaign already")
    return flags


def _too_fast(response: Response) -> bool:
    """More than two standard deviations faster than the survey's median, once the survey has
    at least 100 timed responses (the latest 1,000 are the reference)."""
    reference = _speed_reference(response.survey_id)
    if reference is None:
        return False
    middle, spread = reference
    took = (response.submitted_at - response.opened_at).total_seconds()
    return took < middle - 2 * spread


def _speed_reference(survey_id: int) -> tuple[float, float] | None:
    """(median, standard deviation) of the survey's answering times; kept in the cache for a
    few minutes once there are enough, so a busy survey does not recompute it per answer."""
    key = f"speed-reference:{survey_id}"
    try:
        cached = cache.get(key)
    except Exception:  # the cache is an optimisation: work without it
        cached = None
    if cached is not None:
        return tuple(cached)
    durations = [
        (submitted - opened).total_seconds()
        for submitted, opened in Response.objects.filter(
            survey_id=survey_id, opened_at__isnull=False
        )
        .order_by("-submitted_at")
        .values_list("submitted_at", "opened_at")[:1000]
    ]
    if len(durations) < MIN_RESPONSES_FOR_SPEED:
        return None
    reference = (median(durations), pstdev(durations, mean(durations)))
    with contextlib.suppress(Exception):  # as above
        cache.set(key, reference, timeout=300)
    return reference


DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}


def mailbox_key(email: str) -> str:
    """The mailbox an address delivers to: without a +tag, and without dots for Gmail."""
    local, _, domain = email.lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _duplicate_respondent(response: Response) -> bool:
    """Another response to the same campaign from the same mailbox under another address
    (``mina.park+nps@gmail.com`` and ``minapark@gmail.com``). The exact same email or phone
    cannot occur: both are unique per workspace, and a contact gets one invitation per
    campaign."""
    campaign_id = response.invitation.campaign_id
    email = response.contact.email
    if campaign_id is None or not email:
        return False
    key = mailbox_key(email)
    domain = key.partition("@")[2]
    domains = DOTLESS_DOMAINS if domain == "gmail.com" else {domain}
    others = (
        Response.objects.filter(invitation__campaign_id=campaign_id)
        .exclude(pk=response.pk)
        .filter(  # only earlier answers: the first one stands unflagged
            Q(submitted_at__lt=response.submitted_at)
            | Q(submitted_at=response.submitted_at, pk__lt=response.pk)
        )
        .filter(contact__email__istartswith=key[0])
    )
    matches = Q()
    for name in domains:
        matches |= Q(contact__email__iendswith=f"@{name}")
    return any(
        mailbox_key(other) == key
        for other in others.filter(matches).values_list("contact__email", flat=True)[:500]
    )

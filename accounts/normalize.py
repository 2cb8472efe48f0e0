"""Turn what people type into the stored form of a contact's fields, or say why not.

Shared by the browser forms, the API and the CSV import so that a phone number, an email, a
time zone or a locale is accepted (and stored) the same way wherever it comes from.
"""

import re
import zoneinfo
from decimal import Decimal, InvalidOperation
from functools import cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def normalize_email(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(f"“{value}” is not a valid email address.") from None
    return value.lower()


def normalize_phone(value: str, *, region: str) -> str:
    """E.164 form of a phone number; national numbers are read in the workspace's region."""
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(f"“{value}” is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"“{value}” is not a valid phone number for region {region}.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_time_zone(value: str) -> str:
    value = value.strip()
    if value and value not in time_zones():
        raise ValidationError(f"“{value}” is not a known time zone (e.g. Asia/Seoul).")
    return value


def normalize_locale(value: str) -> str:
    value = value.strip().replace("_", "-")
    if not value:
        return ""
    if not _LOCALE.match(value):
        raise ValidationError(f"“{value}” is not a language code (e.g. en, ko, zh-Hant).")
    language, *rest = value.split("-")
    return "-".join([language.lower(), *rest])


def normalize_arr(value: str) -> Decimal | None:
    value = value.strip().replace(",", "").lstrip("$€£¥₩")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"“{value}” is not an amount.") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ValidationError(f"“{value}” is not an amount between 0 and 999,999,999,999.")
    return amount.quantize(Decimal("0.01"))

"""Vietnamese phone numbers as people type them: `0912 345 678`, `+84 912 345 678`, `84912345678`."""

from __future__ import annotations

import re

import phonenumbers

_ALLOWED = re.compile(r"^[\d\s().+\-]{8,20}$")


def parse_phone(raw: str) -> str | None:
    """Return the number in E.164 (`+84912345678`), or None when it is not a valid Vietnamese number."""
    text = raw.strip()
    if not _ALLOWED.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    # `84912345678` typed without the plus is common; phonenumbers would read it as a national number.
    if not text.startswith("+") and digits.startswith("84") and len(digits) in (11, 12):
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """Show a stored number the way Vietnamese people write it: `0912 345 678`."""
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return str(national)

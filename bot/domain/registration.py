"""Rules of an officer's registration: what a valid name, position and phone number are."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.phone import parse_phone
from bot.domain.text import N_, Text, clean_text

NAME_MAX = 80
POSITION_MAX = 100


@dataclass(frozen=True)
class Valid:
    value: str


@dataclass(frozen=True)
class Invalid:
    reason: Text


Answer = Valid | Invalid


def _clean(raw: str) -> str:
    # Invisible bidirectional and zero-width characters go first: staff read this name.
    return " ".join(clean_text(raw).split())


def parse_full_name(raw: str) -> Answer:
    name = _clean(raw)
    if not name:
        return Invalid(Text(N_("Please type your full name, for example: Nguyễn Văn An.")))
    if len(name) > NAME_MAX:
        return Invalid(
            Text(N_("That is too long for a name (at most {max} characters)."), {"max": NAME_MAX})
        )
    if any(ch.isdigit() for ch in name) or not all(ch.isalpha() or ch in " .'-" for ch in name):
        return Invalid(
            Text(
                N_(
                    "A name has only letters and spaces. Please type your full name, for example: Nguyễn Văn An."
                )
            )
        )
    if len(name.split()) < 2:
        return Invalid(
            Text(N_("Please type your full name with family name, for example: Nguyễn Văn An."))
        )
    # People type names in lower case on phones; store them the way they are written on papers.
    return Valid(" ".join(word[:1].upper() + word[1:] for word in name.split()))


def parse_position(raw: str) -> Answer:
    position = _clean(raw)
    if len(position) < 2:
        return Invalid(
            Text(N_("Please type your position, for example: Công chức Văn hóa - Xã hội."))
        )
    if len(position) > POSITION_MAX:
        return Invalid(
            Text(
                N_("That is too long (at most {max} characters). Please shorten it."),
                {"max": POSITION_MAX},
            )
        )
    return Valid(position)


def parse_typed_phone(raw: str) -> Answer:
    phone = parse_phone(raw)
    if phone is None:
        return Invalid(
            Text(
                N_(
                    "That is not a Vietnamese phone number. Press the button below to share your "
                    "number, or type it like 0912 345 678."
                )
            )
        )
    return Valid(phone)

"""How a person is shown on cards and lists: their name, and a phone that may be unverified."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from aiogram.utils.i18n import gettext

from bot.domain.phone import format_phone
from storage.models import User

Gettext = Callable[[str], str]


def phone_label(phone: str, verified: bool, _: Gettext = gettext) -> str:
    """`0912 345 678`, or `0912 345 678 (unverified)` for a number that was typed, not shared."""
    shown = format_phone(phone)
    if verified:
        return shown
    return shown + " " + _("(unverified)")


def person_phone(person: User, _: Gettext = gettext) -> str:
    """The person's phone as shown on a card; empty when they gave none."""
    return phone_label(person.phone, person.phone_verified, _) if person.phone else ""


def person_name(person: User) -> str:
    """The person's name for HTML: registered name, Telegram name, or id."""
    return escape(person.full_name or person.telegram_name or str(person.id))

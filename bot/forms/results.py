"""The outcome of checking one answer: a JSON value, or a message saying what is expected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.forms.localized import Message


@dataclass(frozen=True)
class Valid:
    """An accepted answer; `value` is JSON-serialisable (dates as ISO strings, money as int dong)."""

    value: Any


@dataclass(frozen=True)
class Invalid:
    """A refused answer and the message to show (a gettext `Text` or a YAML `Localized`).

    `suggestions` are values the field would accept that the input probably meant (a month
    typed without its year): a front end offers them as buttons.
    """

    message: Message
    suggestions: tuple[str, ...] = ()


Checked = Valid | Invalid

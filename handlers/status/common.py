"""What the status handlers share: reading the period typed after a command."""

from __future__ import annotations

from html import escape

from aiogram.filters import CommandObject
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.domain.periods import Period, parse_period
from bot.domain.text import Text


def explain(text: Text) -> str:
    """A domain message, translated, with what the user typed made safe for HTML."""
    safe = Text(text.msgid, {k: escape(str(v)) for k, v in text.params.items()})
    return safe.render(_)


def period_argument(
    command: CommandObject, clock: Clock, *, allow_future: bool = False
) -> Period | str:
    """The period after the command (the current month when none), or the message to send."""
    today = clock.today()
    if not command.args or not command.args.strip():
        return Period.of_day(today)
    parsed = parse_period(command.args, today, allow_future=allow_future)
    if isinstance(parsed, Text):
        return explain(parsed)
    return parsed

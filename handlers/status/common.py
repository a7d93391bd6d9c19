"""What the status handlers share: reading the period typed after a command, or choosing it."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiogram.filters import CommandObject
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.deadlines import DefaultPeriod
from bot.domain.periods import Period, parse_period
from bot.domain.text import Text
from bot.status import figures, render


def explain(text: Text) -> str:
    """A domain message, translated, with what the user typed made safe for HTML."""
    safe = Text(text.msgid, {k: escape(str(v)) for k, v in text.params.items()})
    return safe.render(_)


@dataclass(frozen=True)
class ChosenPeriod:
    """The period to show; `default` is set when none was typed and the bot chose it."""

    period: Period
    default: DefaultPeriod | None = None

    def note(self, command: str, lang: str) -> str:
        """The line saying which period was chosen, and how to ask for another ("" if typed)."""
        if self.default is None:
            return ""
        return render.default_period_line(self.default, command, lang, _)


async def period_argument(
    command: CommandObject, clock: Clock, session: AsyncSession, *, allow_future: bool = False
) -> ChosenPeriod | str:
    """The period after the command, or the message to send. None typed: the month whose
    report deadline is nearest, to come or just passed (November on 01/12)."""
    today = clock.today()
    if not command.args or not command.args.strip():
        chosen = await figures.current_period(session, today)
        return ChosenPeriod(chosen.period, chosen)
    parsed = parse_period(command.args, today, allow_future=allow_future)
    if isinstance(parsed, Text):
        return explain(parsed)
    return ChosenPeriod(parsed)

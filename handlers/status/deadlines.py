"""/hanbaocao [month] — staff set the deadline of a month's report and when to remind.

```mermaid
stateDiagram-v2
    [*] --> due_date: /hanbaocao [month], or ⏰ under /chuabaocao
    due_date --> due_date: not a date, or a past one → what is expected
    due_date --> days_before: dd/mm/yyyy
    days_before --> [*]: 1 · 2 · 3 · 5 · 7 days before → stored, committed, confirmed
```
"""

from __future__ import annotations

from datetime import date, timedelta

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.periods import Period, PeriodKind
from bot.domain.status import REMIND_DAYS_CHOICES, REPORT_FORM
from bot.domain.text import Text
from bot.forms.dates import parse_date
from bot.forms.results import Invalid
from bot.roles import STAFF_LEVELS, HasAccess
from bot.status import notices
from handlers.editing import edit_markup
from handlers.filters import NOT_A_COMMAND
from handlers.status.common import explain, period_argument
from handlers.status.staff import DeadlineCb
from storage.repositories import audit, deadlines

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


class DeadlineDialog(StatesGroup):
    due_date = State()
    days_before = State()


class DaysCb(CallbackData, prefix="ddays"):
    days: int


async def _ask_date(
    message: Message, state: FSMContext, session: AsyncSession, period: Period, lang: str
) -> None:
    current = await deadlines.get(session, REPORT_FORM, period.months[0])
    await state.set_state(DeadlineDialog.due_date)
    await state.update_data(deadline_month=period.key)
    text = _(
        "⏰ Deadline of the activity report for {period}: type the date as dd/mm/yyyy."
    ).format(period=period.label(lang))
    if current is not None:
        text += "\n" + _("Now: {date}, reminder {days} days before.").format(
            date=current.due_on.strftime("%d/%m/%Y"), days=current.remind_days_before
        )
    await message.answer(text + "\n" + _("/huy to cancel."))


@router.message(Command("hanbaocao"))
async def deadline_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    i18n: I18n,
) -> None:
    """Start setting the deadline of a month's report (this month when none is typed)."""
    period = period_argument(command, clock, allow_future=True)
    if isinstance(period, str):
        await message.answer(period)
        return
    if period.kind is not PeriodKind.MONTH:
        await message.answer(
            _(
                "A deadline is set for one month's report; type a month, for example /hanbaocao 11/2026."
            )
        )
        return
    await _ask_date(message, state, session, period, i18n.current_locale)


@router.callback_query(DeadlineCb.filter())
async def deadline_button(
    query: CallbackQuery,
    callback_data: DeadlineCb,
    state: FSMContext,
    session: AsyncSession,
    i18n: I18n,
) -> None:
    """⏰ under /chuabaocao."""
    await query.answer()
    try:
        period = Period.from_key(callback_data.period)
    except ValueError:
        return
    if isinstance(query.message, Message) and period.kind is PeriodKind.MONTH:
        await _ask_date(query.message, state, session, period, i18n.current_locale)


def _days_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=str(days), callback_data=DaysCb(days=days).pack())
                for days in REMIND_DAYS_CHOICES
            ]
        ]
    )


@router.message(DeadlineDialog.due_date, F.text, NOT_A_COMMAND)
async def got_date(message: Message, state: FSMContext, clock: Clock) -> None:
    """The deadline typed: a real date, today or later."""
    today = clock.today()
    checked = parse_date(message.text or "", today)
    if isinstance(checked, Invalid):
        assert isinstance(checked.message, Text)
        await message.answer(explain(checked.message))
        return
    due = date.fromisoformat(str(checked.value))
    if due < today:
        await message.answer(
            _("The deadline can't be in the past; please type today or a later date.")
        )
        return
    await state.set_state(DeadlineDialog.days_before)
    await state.update_data(deadline_due=due.isoformat())
    await message.answer(
        _(
            "How many days before {date} should the bot remind the units that have not reported?"
        ).format(date=due.strftime("%d/%m/%Y")),
        reply_markup=_days_markup(),
    )


@router.message(DeadlineDialog.due_date, NOT_A_COMMAND)
async def date_not_text(message: Message) -> None:
    await message.answer(_("Please type the date as dd/mm/yyyy, or /huy to cancel."))


@router.callback_query(DeadlineDialog.days_before, DaysCb.filter())
async def got_days(
    query: CallbackQuery,
    callback_data: DaysCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    i18n: I18n,
) -> None:
    """Store the deadline, commit, then confirm with the reminder day."""
    data = await state.get_data()
    if callback_data.days not in REMIND_DAYS_CHOICES or "deadline_due" not in data:
        await query.answer(_("This button is no longer active."))
        return
    period = Period.from_key(str(data["deadline_month"]))
    due = date.fromisoformat(str(data["deadline_due"]))
    await deadlines.set_deadline(
        session,
        form_id=REPORT_FORM,
        period=period.months[0],
        due_on=due,
        remind_days_before=callback_data.days,
        set_by=query.from_user.id,
    )
    audit.record(
        session,
        query.from_user.id,
        "deadline.set",
        target=period.key,
        due_on=due.isoformat(),
        days_before=callback_data.days,
    )
    await session.commit()
    await state.clear()
    await query.answer()
    if not isinstance(query.message, Message):
        return
    assert query.bot is not None
    await edit_markup(query.bot, query.message.chat.id, query.message.message_id, None)
    remind_on = max(due - timedelta(days=callback_data.days), clock.today())
    text = _(
        "✅ Deadline of the report for {period}: {date}. Units that have not reported by "
        "{remind} will be reminded once."
    ).format(
        period=period.label(i18n.current_locale),
        date=due.strftime("%d/%m/%Y"),
        remind=remind_on.strftime("%d/%m/%Y"),
    )
    if not notices.available():
        text += "\n" + _(
            "Note: reminders go out once the notice service (broadcasts) is installed."
        )
    await query.message.answer(text)


@router.callback_query(DaysCb.filter())
async def stale_days(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active."))

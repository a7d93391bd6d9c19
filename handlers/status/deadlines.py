"""/hanbaocao — staff set when activity reports are due: a rule that repeats every month
("ngày 5 hằng tháng"), and a date of its own for a given month (an exception to the rule).

```mermaid
stateDiagram-v2
    [*] --> overview: /hanbaocao
    overview --> rule_day: 📅 Every month, or /hanbaocao ngày 5 hằng tháng
    [*] --> due_date: /hanbaocao 11/2026, or ⏰ under /chuabaocao
    rule_day --> rule_day: not a day 1-31 → what is expected
    rule_day --> days_before: 5 (the 5th of the following month)
    due_date --> due_date: not a date, or a past one → what is expected
    due_date --> days_before: dd/mm/yyyy
    due_date --> [*]: ↩️ Use the monthly deadline → the month's own date removed
    days_before --> [*]: 1 · 2 · 3 · 5 · 7 days before → stored, committed, confirmed
```
"""

from __future__ import annotations

import re
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

from bot.callback_ids import SmallInt
from bot.clock import Clock
from bot.domain.deadlines import MAX_DUE_DAY, DeadlineRule
from bot.domain.folding import fold
from bot.domain.periods import Period, PeriodKind, parse_period
from bot.domain.status import REMIND_DAYS_CHOICES, REPORT_FORM
from bot.domain.text import Text
from bot.forms.dates import parse_date
from bot.forms.results import Invalid
from bot.roles import STAFF_LEVELS, HasAccess
from bot.status import figures, notices
from handlers.editing import edit_markup
from handlers.filters import NOT_A_COMMAND
from handlers.status.common import explain
from handlers.status.staff import DeadlineCb
from storage.repositories import audit, deadlines

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))

# `5`, `ngày 5`, `ngay 5 hang thang`, `5 hằng tháng`, `hằng tháng ngày 5` (folded).
_RULE_DAY = re.compile(r"^(?:hang thang\s*)?(?:ngay\s*)?(\d{1,2})(?:\s*hang thang)?$")
_EVERY_MONTH = re.compile(r"\bhang thang\b")


class DeadlineDialog(StatesGroup):
    due_date = State()
    rule_day = State()
    days_before = State()


class DaysCb(CallbackData, prefix="ddays"):
    days: SmallInt


class RuleCb(CallbackData, prefix="drule"):
    """📅 under /hanbaocao: set the monthly deadline."""


class UseRuleCb(CallbackData, prefix="druse"):
    """↩️ under a month's own deadline: the month follows the rule again."""

    period: str


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def rule_text(rule: DeadlineRule) -> str:
    """`ngày 5 hằng tháng`: the day of the month following the report's month."""
    return _("day {day} of every month").format(day=rule.due_day)


def parse_rule_day(text: str) -> int | None:
    match = _RULE_DAY.match(fold(text))
    if match is None:
        return None
    day = int(match.group(1))
    return day if 1 <= day <= MAX_DUE_DAY else None


async def _overview(session: AsyncSession, clock: Clock, lang: str) -> str:
    today = clock.today()
    rule = await deadlines.get_rule(session, REPORT_FORM)
    lines = [_("⏰ <b>Deadlines of the activity report</b>")]
    if rule is None:
        lines.append(_("Every month: not set."))
    else:
        lines.append(
            _("Every month: {rule}; a reminder {days} days before.").format(
                rule=rule_text(rule), days=rule.remind_days_before
            )
        )
    own = await deadlines.exceptions_from(session, REPORT_FORM, today)
    if own:
        lines.append(_("Months with a date of their own:"))
        lines += [
            f"• {Period.from_key(d.month).label(lang, start=True)}: {_fmt(d.due_on)}" for d in own
        ]
    chosen = await figures.current_period(session, today)
    if chosen.deadline is not None:
        lines.append(
            _("Current period: {period}, due {date}.").format(
                period=chosen.period.label(lang), date=_fmt(chosen.deadline.due_on)
            )
        )
    lines += [
        "",
        _(
            "📅 sets the monthly deadline; for one month's own date type the month, "
            "e.g. /hanbaocao {example}."
        ).format(example=f"{chosen.period.number}/{chosen.period.year}"),
    ]
    return "\n".join(lines)


@router.message(Command("hanbaocao"))
async def deadline_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    i18n: I18n,
) -> None:
    """The deadlines at a glance; `/hanbaocao 11/2026` sets a month's own date,
    `/hanbaocao ngày 5 hằng tháng` the monthly one."""
    lang = i18n.current_locale
    args = (command.args or "").strip()
    if not args:
        await state.clear()
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=_("📅 Every month"), callback_data=RuleCb().pack())]
            ]
        )
        await message.answer(await _overview(session, clock, lang), reply_markup=markup)
        return
    if _EVERY_MONTH.search(fold(args)) or fold(args).startswith("ngay"):
        day = parse_rule_day(args)
        if day is None:
            await _ask_rule_day(message, state, session)
            return
        await _ask_days(message, state, rule_day=day)
        return
    period = parse_period(args, clock.today(), allow_future=True)
    if isinstance(period, Text):
        await message.answer(explain(period))
        return
    if period.kind is not PeriodKind.MONTH:
        await message.answer(
            _(
                "A deadline is set for one month's report; type a month, for example /hanbaocao 11/2026."
            )
        )
        return
    await _ask_date(message, state, session, period, lang)


async def _ask_rule_day(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await state.set_state(DeadlineDialog.rule_day)
    current = await deadlines.get_rule(session, REPORT_FORM)
    text = _(
        "📅 Each month's report is due on which day of the following month? Type a day "
        "from 1 to 31 (5: the November report is due on 5 December)."
    )
    if current is not None:
        text += "\n" + _("Now: day {day}.").format(day=current.due_day)
    await message.answer(text + "\n" + _("/huy to cancel."))


@router.callback_query(RuleCb.filter())
async def rule_button(query: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    """📅 under /hanbaocao."""
    await query.answer()
    if isinstance(query.message, Message):
        await _ask_rule_day(query.message, state, session)


@router.message(DeadlineDialog.rule_day, F.text, NOT_A_COMMAND)
async def got_rule_day(message: Message, state: FSMContext) -> None:
    day = parse_rule_day(message.text or "")
    if day is None:
        await message.answer(
            _("Please type a day of the month from 1 to 31, for example 5, or /huy to cancel.")
        )
        return
    await _ask_days(message, state, rule_day=day)


@router.message(DeadlineDialog.rule_day, NOT_A_COMMAND)
async def rule_day_not_text(message: Message) -> None:
    await message.answer(
        _("Please type a day of the month from 1 to 31, for example 5, or /huy to cancel.")
    )


async def _ask_date(
    message: Message, state: FSMContext, session: AsyncSession, period: Period, lang: str
) -> None:
    month = period.months[0]
    own = await deadlines.get(session, REPORT_FORM, month)
    rule = await deadlines.get_rule(session, REPORT_FORM)
    await state.set_state(DeadlineDialog.due_date)
    await state.update_data(deadline_month=period.key)
    text = _(
        "⏰ Deadline of the activity report for {period}: type the date as dd/mm/yyyy."
    ).format(period=period.label(lang))
    if own is not None:
        text += "\n" + _("Now: {date}, reminder {days} days before.").format(
            date=_fmt(own.due_on), days=own.remind_days_before
        )
    elif rule is not None:
        text += "\n" + _("Now: {date}, the monthly deadline ({rule}).").format(
            date=_fmt(rule.due_on(month)), rule=rule_text(rule)
        )
    markup = None
    if own is not None and rule is not None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=_("↩️ Use the monthly deadline ({date})").format(
                            date=_fmt(rule.due_on(month))
                        ),
                        callback_data=UseRuleCb(period=period.key).pack(),
                    )
                ]
            ]
        )
    await message.answer(text + "\n" + _("/huy to cancel."), reply_markup=markup)


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


@router.callback_query(DeadlineDialog.due_date, UseRuleCb.filter())
async def use_rule(
    query: CallbackQuery,
    callback_data: UseRuleCb,
    state: FSMContext,
    session: AsyncSession,
    i18n: I18n,
) -> None:
    """The month loses its own date and follows the monthly deadline again."""
    try:
        period = Period.from_key(callback_data.period)
    except ValueError:
        await query.answer(_("This button is no longer active."))
        return
    month = period.months[0]
    rule = await deadlines.get_rule(session, REPORT_FORM)
    if rule is None or not await deadlines.remove_exception(session, REPORT_FORM, month):
        await query.answer(_("This button is no longer active."))
        return
    audit.record(session, query.from_user.id, "deadline.unset", target=period.key)
    await session.commit()
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        assert query.bot is not None
        await edit_markup(query.bot, query.message.chat.id, query.message.message_id, None)
        await query.message.answer(
            _("✅ The report for {period} is due on the monthly deadline: {date}.").format(
                period=period.label(i18n.current_locale), date=_fmt(rule.due_on(month))
            )
        )


def _days_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=str(days), callback_data=DaysCb(days=days).pack())
                for days in REMIND_DAYS_CHOICES
            ]
        ]
    )


async def _ask_days(
    message: Message, state: FSMContext, *, due: date | None = None, rule_day: int | None = None
) -> None:
    await state.set_state(DeadlineDialog.days_before)
    if rule_day is not None:
        await state.update_data(deadline_rule_day=rule_day, deadline_due=None)
        question = _(
            "How many days before each deadline should the bot remind the units that have "
            "not reported?"
        )
    else:
        assert due is not None
        await state.update_data(deadline_due=due.isoformat(), deadline_rule_day=None)
        question = _(
            "How many days before {date} should the bot remind the units that have not reported?"
        ).format(date=_fmt(due))
    await message.answer(question, reply_markup=_days_markup())


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
    await _ask_days(message, state, due=due)


@router.message(DeadlineDialog.due_date, NOT_A_COMMAND)
async def date_not_text(message: Message) -> None:
    await message.answer(_("Please type the date as dd/mm/yyyy, or /huy to cancel."))


def _reminders_note() -> str:
    if notices.available():
        return ""
    return "\n" + _("Note: reminders go out once the notice service (broadcasts) is installed.")


@router.callback_query(DeadlineDialog.days_before, DaysCb.filter())
async def got_days(
    query: CallbackQuery,
    callback_data: DaysCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    i18n: I18n,
) -> None:
    """Store the deadline (the monthly rule, or a month's own date), commit, then confirm."""
    data = await state.get_data()
    rule_day = data.get("deadline_rule_day")
    if callback_data.days not in REMIND_DAYS_CHOICES or not (data.get("deadline_due") or rule_day):
        await query.answer(_("This button is no longer active."))
        return
    lang = i18n.current_locale
    if rule_day:
        text = await _store_rule(
            session, query.from_user.id, int(rule_day), callback_data.days, clock, lang
        )
    else:
        text = await _store_month(
            session, query.from_user.id, data, callback_data.days, clock, lang
        )
    await state.clear()
    await query.answer()
    if not isinstance(query.message, Message):
        return
    assert query.bot is not None
    await edit_markup(query.bot, query.message.chat.id, query.message.message_id, None)
    await query.message.answer(text + _reminders_note())


async def _store_rule(
    session: AsyncSession, user_id: int, day: int, days_before: int, clock: Clock, lang: str
) -> str:
    await deadlines.set_rule(
        session,
        form_id=REPORT_FORM,
        due_day=day,
        remind_days_before=days_before,
        set_by=user_id,
    )
    audit.record(
        session, user_id, "deadline.rule", target=REPORT_FORM, day=day, days_before=days_before
    )
    await session.commit()
    rule = DeadlineRule(day, days_before)
    chosen = await figures.current_period(session, clock.today())
    month = chosen.period.months[0]
    lines = [
        _(
            "✅ Activity reports are due on {rule}: the report for {period} on {date}. Units "
            "that have not reported are reminded {days} days before."
        ).format(
            rule=rule_text(rule),
            period=chosen.period.label(lang),
            date=_fmt(chosen.deadline.due_on if chosen.deadline else rule.due_on(month)),
            days=days_before,
        )
    ]
    own = await deadlines.exceptions_from(session, REPORT_FORM, clock.today())
    if own:
        lines.append(
            _("Months with a date of their own keep it: {months}.").format(
                months=", ".join(
                    f"{Period.from_key(d.month).label(lang)} ({_fmt(d.due_on)})" for d in own
                )
            )
        )
    return "\n".join(lines)


async def _store_month(
    session: AsyncSession,
    user_id: int,
    data: dict[str, object],
    days_before: int,
    clock: Clock,
    lang: str,
) -> str:
    period = Period.from_key(str(data["deadline_month"]))
    due = date.fromisoformat(str(data["deadline_due"]))
    await deadlines.set_deadline(
        session,
        form_id=REPORT_FORM,
        period=period.months[0],
        due_on=due,
        remind_days_before=days_before,
        set_by=user_id,
    )
    audit.record(
        session,
        user_id,
        "deadline.set",
        target=period.key,
        due_on=due.isoformat(),
        days_before=days_before,
    )
    await session.commit()
    remind_on = max(due - timedelta(days=days_before), clock.today())
    return _(
        "✅ Deadline of the report for {period}: {date}. Units that have not reported by "
        "{remind} will be reminded once."
    ).format(period=period.label(lang), date=_fmt(due), remind=_fmt(remind_on))


@router.callback_query(DaysCb.filter())
async def stale_days(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active."))


@router.callback_query(UseRuleCb.filter())
async def stale_use_rule(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active."))

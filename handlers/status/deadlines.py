"""/hanbaocao — staff set when activity reports are due: a rule that repeats every month
("ngày 5 hằng tháng"), and a date of its own for a given month (an exception to the rule).

The questions are `bot.status.deadline_dialog` (data, with its diagram), run by
`handlers.dialogs`; this module shows the overview, starts a dialog, looks up what is set now,
and stores the answers (committed before the staff member is told).
"""

from __future__ import annotations

import enum
from datetime import date, timedelta
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.dialogs import engine
from bot.dialogs.engine import DialogState
from bot.dialogs.model import Dialog
from bot.domain.deadlines import DeadlineRule
from bot.domain.folding import fold
from bot.domain.periods import Period, PeriodKind, parse_period
from bot.domain.status import REPORT_FORM
from bot.domain.text import Text
from bot.roles import STAFF_LEVELS, HasAccess
from bot.status import figures, notices
from bot.status.deadline_dialog import MONTH, RULE, USE_RULE, fmt, parse_rule_day, rule_text
from handlers.dialogs import DialogSpec, Finished, begin, context_for, register
from handlers.keyboards import button, inline
from handlers.status.common import explain
from handlers.status.staff import DeadlineCb
from storage.repositories import audit, deadlines

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


class DeadlinesAction(enum.StrEnum):
    SET_RULE = "set_rule"  # 📅 under /hanbaocao


class DeadlinesCb(CallbackData, prefix="deadlines"):
    action: DeadlinesAction


async def _overview(session: AsyncSession, clock: Clock, lang: str) -> str:
    today = clock.today()
    rule = await deadlines.get_rule(session, REPORT_FORM)
    lines = [_("⏰ <b>Deadlines of the activity report</b>")]
    if rule is None:
        lines.append(_("Every month: not set."))
    else:
        lines.append(
            _("Every month: {rule}; a reminder {days} days before.").format(
                rule=rule_text(rule.due_day).render(_), days=rule.remind_days_before
            )
        )
    own = await deadlines.exceptions_from(session, REPORT_FORM, today)
    if own:
        lines.append(_("Months with a date of their own:"))
        lines += [
            f"• {Period.from_key(d.month).label(lang, start=True)}: {fmt(d.due_on)}" for d in own
        ]
    chosen = await figures.current_period(session, today)
    if chosen.deadline is not None:
        lines.append(
            _("Current period: {period}, due {date}.").format(
                period=chosen.period.label(lang), date=fmt(chosen.deadline.due_on)
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


async def _start(
    dialog: Dialog,
    chat_id: int,
    state: FSMContext,
    deps: dict[str, Any],
    data: dict[str, Any] | None = None,
    answers: dict[str, Any] | None = None,
) -> None:
    spec = RULE_SPEC if dialog is RULE else MONTH_SPEC
    ctx = await context_for(spec, DialogState(dialog.id, "", data=data or {}), deps)
    await begin(deps["bot"], chat_id, state, engine.start(dialog, ctx, data, answers))


@router.message(Command("hanbaocao"))
async def deadline_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    i18n: I18n,
    **deps: Any,
) -> None:
    """The deadlines at a glance; `/hanbaocao 11/2026` sets a month's own date,
    `/hanbaocao ngày 5 hằng tháng` the monthly one."""
    deps.update(session=session, clock=clock, i18n=i18n)
    args = (command.args or "").strip()
    if not args:
        markup = inline([button(_("📅 Every month"), DeadlinesCb(action=DeadlinesAction.SET_RULE))])
        text = await _overview(session, clock, i18n.current_locale)
        await message.answer(text, reply_markup=markup)
        return
    if "hang thang" in fold(args) or fold(args).startswith("ngay"):
        day = parse_rule_day(args)
        await _start(RULE, message.chat.id, state, deps, answers={"day": day} if day else None)
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
    await _start(MONTH, message.chat.id, state, deps, data={"period": period.key})


@router.callback_query(DeadlinesCb.filter())
async def rule_button(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock, **deps: Any
) -> None:
    """📅 under /hanbaocao."""
    deps.update(session=session, clock=clock)
    await _start(RULE, query.from_user.id, state, deps)


@router.callback_query(DeadlineCb.filter())
async def deadline_button(
    query: CallbackQuery,
    callback_data: DeadlineCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    **deps: Any,
) -> None:
    """⏰ under /chuabaocao."""
    try:
        period = Period.from_key(callback_data.period)
    except ValueError:
        period = None
    if period is None or period.kind is not PeriodKind.MONTH:
        callback_answer.text = _("This button is no longer active.")  # forged
        return
    deps.update(session=session, clock=clock)
    await _start(MONTH, query.from_user.id, state, deps, data={"period": period.key})


async def _now(state: DialogState, deps: dict[str, Any]) -> dict[str, Any]:
    """What is set now, for the questions: the rule's day, the month's own date."""
    session: AsyncSession = deps["session"]
    rule = await deadlines.get_rule(session, REPORT_FORM)
    extra: dict[str, Any] = {"lang": deps["i18n"].current_locale if "i18n" in deps else "vi"}
    extra["rule_day"] = rule.due_day if rule is not None else None
    if "period" in state.data:
        extra["period"] = state.data["period"]
        month = Period.from_key(state.data["period"]).months[0]
        own = await deadlines.get(session, REPORT_FORM, month)
        if own is not None:
            extra.update(own_due=own.due_on.isoformat(), own_days=own.remind_days_before)
    return extra


def _reminders_note() -> str:
    if notices.available():
        return ""
    return "\n" + _("Note: reminders go out once the notice service (broadcasts) is installed.")


async def set_rule(done: Finished) -> None:
    """The monthly deadline: stored, committed, then confirmed with what it means now."""
    session: AsyncSession = done.deps["session"]
    clock: Clock = done.deps["clock"]
    lang = done.deps["i18n"].current_locale
    day, days_before = int(done.answers["day"]), int(done.answers["days"])
    await done.state.clear()
    await deadlines.set_rule(
        session,
        form_id=REPORT_FORM,
        due_day=day,
        remind_days_before=days_before,
        set_by=done.user_id,
    )
    audit.record(
        session, done.user_id, "deadline.rule", target=REPORT_FORM, day=day, days_before=days_before
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
            rule=rule_text(day).render(_),
            period=chosen.period.label(lang),
            date=fmt(chosen.deadline.due_on if chosen.deadline else rule.due_on(month)),
            days=days_before,
        )
    ]
    own = await deadlines.exceptions_from(session, REPORT_FORM, clock.today())
    if own:
        lines.append(
            _("Months with a date of their own keep it: {months}.").format(
                months=", ".join(
                    f"{Period.from_key(d.month).label(lang)} ({fmt(d.due_on)})" for d in own
                )
            )
        )
    await done.bot.send_message(done.chat_id, "\n".join(lines) + _reminders_note())


async def set_month(done: Finished) -> None:
    """A month's own date (or back to the rule): stored, committed, then confirmed."""
    session: AsyncSession = done.deps["session"]
    clock: Clock = done.deps["clock"]
    period = Period.from_key(str(done.data["period"]))
    label = period.label(done.deps["i18n"].current_locale)
    month = period.months[0]
    await done.state.clear()
    if done.answers["due"] == USE_RULE:
        rule = await deadlines.get_rule(session, REPORT_FORM)
        if rule is None or not await deadlines.remove_exception(session, REPORT_FORM, month):
            await session.commit()
            await done.bot.send_message(done.chat_id, _("Nothing changed."))
            return
        audit.record(session, done.user_id, "deadline.unset", target=period.key)
        await session.commit()
        text = _("✅ The report for {period} is due on the monthly deadline: {date}.").format(
            period=label, date=fmt(rule.due_on(month))
        )
        await done.bot.send_message(done.chat_id, text)
        return
    due = date.fromisoformat(str(done.answers["due"]))
    days_before = int(done.answers["days"])
    await deadlines.set_deadline(
        session,
        form_id=REPORT_FORM,
        period=month,
        due_on=due,
        remind_days_before=days_before,
        set_by=done.user_id,
    )
    audit.record(
        session,
        done.user_id,
        "deadline.set",
        target=period.key,
        due_on=due.isoformat(),
        days_before=days_before,
    )
    await session.commit()
    remind_on = max(due - timedelta(days=days_before), clock.today())
    text = _(
        "✅ Deadline of the report for {period}: {date}. Units that have not reported by "
        "{remind} will be reminded once."
    ).format(period=label, date=fmt(due), remind=fmt(remind_on))
    await done.bot.send_message(done.chat_id, text + _reminders_note())


RULE_SPEC = DialogSpec(RULE, frozenset(STAFF_LEVELS), set_rule, prepare=_now)
MONTH_SPEC = DialogSpec(MONTH, frozenset(STAFF_LEVELS), set_month, prepare=_now)
register(RULE_SPEC)
register(MONTH_SPEC)

"""/thongke and /chuabaocao for department staff, and the Nhắc nhở button."""

from __future__ import annotations

from functools import partial
from html import escape
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.periods import Period, PeriodKind
from bot.domain.status import REPORT_FORM, format_percent, percent
from bot.domain.units import UnitDirectory
from bot.forms import FormDefinition
from bot.forms.numbers import group_thousands
from bot.middlewares.callback_answers import alert
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from bot.status import chart, figures, notices, render
from bot.status.reminders import ReminderPlan, plan_reminder, remind_missing, reminder_texts
from handlers.editing import edit_markup
from handlers.status.common import period_argument
from storage.repositories import audit
from storage.repositories.status import as_utc

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))

# A photo caption holds at most 1024 characters.
CAPTION_LIMIT = 1024


class RemindCb(CallbackData, prefix="remind"):
    """Nhắc nhở under /chuabaocao: shows what would be sent."""

    period: str


class RemindGoCb(CallbackData, prefix="remindgo"):
    period: str


class RemindCancelCb(CallbackData, prefix="remindno"):
    period: str


class DeadlineCb(CallbackData, prefix="deadline"):
    period: str


def chart_png(stats: figures.Statistics, lang: str) -> bytes | None:
    """Units reported by week for a month; reports by area for a quarter or a year."""
    label = stats.period.label(lang)
    if stats.period.kind is PeriodKind.MONTH and stats.weekly:
        share = format_percent(percent(stats.complete_units, stats.unit_total), lang)
        return chart.column_chart(
            _("Units reported by week — {period}").format(period=label),
            [(day.strftime("%d/%m"), count) for day, count in stats.weekly],
            subtitle=_("{done}/{total} units ({share}); weeks start on the date shown").format(
                done=stats.complete_units, total=stats.unit_total, share=share
            ),
            target=stats.unit_total,
        )
    if stats.by_area:
        return chart.bar_chart(
            _("Reports by area — {period}").format(period=label),
            [(area.get(lang), count) for area, count in stats.by_area],
            subtitle=_("{count} reports; one report may name several areas").format(
                count=group_thousands(stats.reports_received, "," if lang == "en" else ".")
            ),
        )
    return None


@router.message(Command("thongke"))
async def statistics(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    units: UnitDirectory,
    forms: dict[str, FormDefinition],
    clock: Clock,
    settings: Settings,
    i18n: I18n,
) -> None:
    """Units reported (count and %), reports by area, inspections; with a chart."""
    chosen = await period_argument(command, clock, session)
    if isinstance(chosen, str):
        await message.answer(chosen)
        return
    period = chosen.period
    lang = i18n.current_locale
    stats = await figures.statistics(
        session, period, list(units), forms.get(REPORT_FORM), clock.today(), settings.tz
    )
    text = render.statistics_text(stats, lang, _)
    if note := chosen.note("thongke", lang):
        text = f"{text}\n\n{note}"
    png = chart_png(stats, lang)
    if png is None:
        await message.answer(text)
        return
    photo = BufferedInputFile(png, filename=f"thongke-{period.key}.png")
    if len(text) <= CAPTION_LIMIT:
        await message.answer_photo(photo, caption=text)
    else:
        await message.answer(text)
        await message.answer_photo(photo)


def _missing_buttons(period: Period, can_remind: bool) -> InlineKeyboardMarkup:
    rows = []
    if can_remind:
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("🔔 Remind them"), callback_data=RemindCb(period=period.key).pack()
                )
            ]
        )
    if period.kind is PeriodKind.MONTH:
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("⏰ Report deadline"), callback_data=DeadlineCb(period=period.key).pack()
                )
            ]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


@router.message(Command("chuabaocao"))
async def not_reported(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    units: UnitDirectory,
    clock: Clock,
    i18n: I18n,
) -> None:
    """Units with no report for the period, with their officers; Nhắc nhở sends a reminder."""
    chosen = await period_argument(command, clock, session)
    if isinstance(chosen, str):
        await message.answer(chosen)
        return
    period = chosen.period
    lang = i18n.current_locale
    missing = await figures.missing_reports(session, period, list(units), clock.today())
    texts = render.missing_texts(
        missing,
        len(units),
        period.label(lang),
        period.kind is not PeriodKind.MONTH,
        lang,
        _,
        render.typed_period(period),
    )
    if note := chosen.note("chuabaocao", lang):
        texts[0] = f"{note}\n{texts[0]}"
    markup = _missing_buttons(period, any(m.officers for m in missing))
    for number, text in enumerate(texts, start=1):
        last = number == len(texts)
        await message.answer(text, reply_markup=markup if last and markup.inline_keyboard else None)


def _confirm_markup(period: Period) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("✅ Send the reminder"),
                    callback_data=RemindGoCb(period=period.key).pack(),
                ),
                InlineKeyboardButton(
                    text=_("✖️ Cancel"), callback_data=RemindCancelCb(period=period.key).pack()
                ),
            ]
        ]
    )


def _already_sent(plan: ReminderPlan, period: Period, tz: ZoneInfo, lang: str) -> str:
    """Nothing left to remind: say when, and by whom, the last reminder went out."""
    last = plan.already[0] if plan.already else None
    if last is None:
        return _("No unit with a registered officer is missing the report for {period}.").format(
            period=period.label(lang)
        )
    return _(
        "🔔 The reminder for {period} was already sent on {when} by {who}. Each unit is "
        "reminded once per month; the units still missing it were all reminded then."
    ).format(
        period=period.label(lang),
        when=as_utc(last.reminded_at).astimezone(tz).strftime("%d/%m/%Y %H:%M"),
        who=escape(last.reminded_by_name),
    )


def _reminder_period(data: str) -> Period | None:
    try:
        return Period.from_key(data)
    except ValueError:
        return None


@router.callback_query(RemindCb.filter())
async def remind(
    query: CallbackQuery,
    callback_data: RemindCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
) -> None:
    """Nhắc nhở: show how many units and officers would be reminded, and the message; ask."""
    period = _reminder_period(callback_data.period)
    if period is None or not isinstance(query.message, Message):
        callback_answer.text = _("This button is no longer active.")
        return
    if not notices.available():
        alert(
            callback_answer,
            _("Reminders can't be sent yet: this version has no notice service (broadcasts)."),
        )
        return
    lang = i18n.current_locale
    plan = await plan_reminder(session, period=period, units=list(units), today=clock.today())
    if not plan.groups:
        await query.message.answer(_already_sent(plan, period, settings.tz, lang))
        return
    locale = settings.default_locale
    gettext = partial(i18n.gettext, locale=locale)
    texts = await reminder_texts(
        session, plan, lambda months, due: render.reminder_text(months, due, locale, gettext)
    )
    lines = [
        _(
            "🔔 Remind <b>{units}</b> units (<b>{people}</b> officers) that have not sent the "
            "report for {period}?"
        ).format(units=plan.units, people=plan.recipients, period=period.label(lang))
    ]
    if plan.skipped:
        lines.append(
            _("{count} units reminded before are not reminded again.").format(count=plan.skipped)
        )
    lines += ["", _("The message:")]
    for text in texts.values():
        lines.append(f"<blockquote>{text}</blockquote>")
    await query.message.answer("\n".join(lines), reply_markup=_confirm_markup(period))


@router.callback_query(RemindGoCb.filter())
async def remind_confirmed(
    query: CallbackQuery,
    callback_data: RemindGoCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Send the reminder: each unit and month claimed once (two staff at once: one reminder)."""
    period = _reminder_period(callback_data.period)
    if period is None or not isinstance(query.message, Message):
        callback_answer.text = _("This button is no longer active.")
        return
    # One text for everyone reminded: in the department's language.
    locale = settings.default_locale
    gettext = partial(i18n.gettext, locale=locale)
    try:
        done = await remind_missing(
            session,
            period=period,
            units=list(units),
            now=clock.now(),
            created_by=query.from_user.id,
            created_by_name=query.from_user.full_name,
            text=lambda months, due: render.reminder_text(months, due, locale, gettext),
        )
    except notices.NoticeServiceMissing:
        alert(
            callback_answer,
            _("Reminders can't be sent yet: this version has no notice service (broadcasts)."),
        )
        return
    if done.units:
        audit.record(
            session,
            query.from_user.id,
            "status.remind",
            target=period.key,
            units=done.units,
            recipients=done.recipients,
        )
    await session.commit()
    await edit_markup(bot, query.message.chat.id, query.message.message_id, None)
    if not done.units:
        plan = await plan_reminder(session, period=period, units=list(units), today=clock.today())
        text = _already_sent(plan, period, settings.tz, i18n.current_locale)
        await query.message.answer(text)
        return
    await query.message.answer(
        _("🔔 Reminder sent to {people} officers of {units} units.").format(
            people=done.recipients, units=done.units
        )
    )


@router.callback_query(RemindCancelCb.filter())
async def remind_cancelled(query: CallbackQuery, bot: Bot) -> None:
    """✖️ under the reminder's preview: nothing is sent."""
    if isinstance(query.message, Message):
        await edit_markup(bot, query.message.chat.id, query.message.message_id, None)
        await query.message.answer(_("No reminder was sent."))

"""/thongke and /chuabaocao for department staff, and the Nhắc nhở button."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

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
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.periods import Period, PeriodKind
from bot.domain.status import REPORT_FORM, format_percent, percent
from bot.domain.units import UnitDirectory
from bot.forms import FormDefinition
from bot.forms.numbers import group_thousands
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from bot.status import chart, figures, notices, render
from bot.status.reminders import remind_missing
from handlers.editing import edit_markup
from handlers.status.common import period_argument
from storage.models import AuditEntry, utcnow
from storage.repositories import audit

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))

# A photo caption holds at most 1024 characters.
CAPTION_LIMIT = 1024
# Two taps on Nhắc nhở (or two staff members) within this time send one reminder.
REMIND_AGAIN_AFTER = timedelta(minutes=10)


class RemindCb(CallbackData, prefix="remind"):
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
    period = period_argument(command, clock)
    if isinstance(period, str):
        await message.answer(period)
        return
    lang = i18n.current_locale
    stats = await figures.statistics(
        session, period, list(units), forms.get(REPORT_FORM), clock.today(), settings.tz
    )
    text = render.statistics_text(stats, lang, _)
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
    period = period_argument(command, clock)
    if isinstance(period, str):
        await message.answer(period)
        return
    lang = i18n.current_locale
    missing = await figures.missing_reports(session, period, list(units), clock.today())
    texts = render.missing_texts(
        missing, len(units), period.label(lang), period.kind is not PeriodKind.MONTH, lang, _
    )
    markup = _missing_buttons(period, any(m.officers for m in missing))
    for number, text in enumerate(texts, start=1):
        last = number == len(texts)
        await message.answer(text, reply_markup=markup if last and markup.inline_keyboard else None)


async def _recent_reminder(session: AsyncSession, period: Period) -> AuditEntry | None:
    since = utcnow() - REMIND_AGAIN_AFTER
    return await session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action == "status.remind",
            AuditEntry.target == period.key,
            AuditEntry.at >= since,
        )
        .order_by(AuditEntry.at.desc())
        .limit(1)
    )


@router.callback_query(RemindCb.filter())
async def remind(
    query: CallbackQuery,
    callback_data: RemindCb,
    session: AsyncSession,
    units: UnitDirectory,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Nhắc nhở: queue a reminder to the officers of the units still missing a report."""
    try:
        period = Period.from_key(callback_data.period)
    except ValueError:
        await query.answer(_("This button is no longer active."))
        return
    if await _recent_reminder(session, period) is not None:
        await query.answer(
            _("A reminder for {period} was sent in the last few minutes.").format(
                period=period.label(i18n.current_locale)
            ),
            show_alert=True,
        )
        return
    # One text for everyone reminded: in the department's language.
    locale = settings.default_locale
    gettext = partial(i18n.gettext, locale=locale)
    try:
        done = await remind_missing(
            session,
            period=period,
            units=list(units),
            today=clock.today(),
            created_by=query.from_user.id,
            text=lambda months, due: render.reminder_text(months, due, locale, gettext),
        )
    except notices.NoticeServiceMissing:
        await query.answer(
            _("Reminders can't be sent yet: this version has no notice service (broadcasts)."),
            show_alert=True,
        )
        return
    audit.record(
        session,
        query.from_user.id,
        "status.remind",
        target=period.key,
        units=done.units,
        recipients=done.recipients,
    )
    await session.commit()
    await query.answer()
    if isinstance(query.message, Message):
        await edit_markup(
            bot,
            query.message.chat.id,
            query.message.message_id,
            _missing_buttons(period, can_remind=False) if period.kind is PeriodKind.MONTH else None,
        )
        await query.message.answer(
            _("🔔 Reminder queued for {people} officers of {units} units.").format(
                people=done.recipients, units=done.units
            )
        )

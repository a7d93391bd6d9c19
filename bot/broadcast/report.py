"""What staff read about a notice: the progress bar, the final report, the Chi tiết list.

Rendered in the staff member's language by the caller (an i18n context must be active);
numbers the Vietnamese way (`1.000`), times as `27/11/2026 10:05` in the bot's zone.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.callback_ids import RowId
from bot.domain.text import shorten
from bot.domain.units import UnitDirectory
from bot.forms.numbers import group_thousands
from bot.timefmt import local_datetime
from storage.models import DeliveryState, Notice, NoticeStatus
from storage.repositories.broadcasts import UNFINISHED, DeliveryLine

BAR_WIDTH = 10
PAGE_MAX = 3800  # characters per Chi tiết message (Telegram's limit is 4096)
_TAG = re.compile(r"<[^>]+>")


class NoticeButton(enum.StrEnum):
    """What a press under a notice (or its report) does."""

    OPEN = "open"  # its report
    DETAILS = "details"  # the recipients by unit
    STOP = "stop"  # stop sending (or cancel it before its time)


class NoticeAction(CallbackData, prefix="ntc"):
    action: NoticeButton
    id: RowId


def number(value: int) -> str:
    """`1000` → `1.000` (Vietnamese), `1,000` (English)."""
    return group_thousands(value, "," if get_i18n().current_locale == "en" else ".")


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """`▓▓▓▓░░░░░░ 412/1.000`."""
    filled = width if total <= 0 else min(width, done * width // total)
    return "▓" * filled + "░" * (width - filled) + f" {number(done)}/{number(total)}"


def aware(moment: datetime) -> datetime:
    """A stored time as aware UTC (SQLite returns it without its zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def state_label(state: DeliveryState) -> str:
    labels = {
        DeliveryState.SENT: _("delivered"),
        DeliveryState.UNREACHABLE: _("unreachable (blocked the bot or left the messenger)"),
        DeliveryState.FAILED: _("failed"),
        DeliveryState.UNKNOWN: _("unknown (the bot stopped while sending it)"),
        DeliveryState.CANCELLED: _("not sent (stopped)"),
    }
    return labels.get(state, _("waiting"))


def done_count(counts: Mapping[DeliveryState, int]) -> int:
    return sum(n for state, n in counts.items() if state not in UNFINISHED)


def first_line(notice: Notice, limit: int = 60) -> str:
    """The notice's first line as plain text (its HTML tags dropped), shortened."""
    plain = unescape(_TAG.sub("", notice.text)).strip()
    line = plain.split("\n", 1)[0] if plain else ""
    if not line:
        return _("(a photo)") if notice.media_kind == "photo" else _("(a file)")
    return shorten(line, limit)


def stop_button(notice_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("⛔ Stop sending"),
                    callback_data=NoticeAction(action=NoticeButton.STOP, id=notice_id).pack(),
                )
            ]
        ]
    )


def details_button(notice_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("📋 Details"),
                    callback_data=NoticeAction(action=NoticeButton.DETAILS, id=notice_id).pack(),
                )
            ]
        ]
    )


def progress_text(notice: Notice, counts: Mapping[DeliveryState, int]) -> str:
    total = notice.total
    lines = [
        _("⏳ <b>Sending notice #{id}</b>").format(id=notice.id),
        bar(done_count(counts), total),
        _("Delivered: {sent} · unreachable: {unreachable} · failed: {failed}").format(
            sent=number(counts.get(DeliveryState.SENT, 0)),
            unreachable=number(counts.get(DeliveryState.UNREACHABLE, 0)),
            failed=number(counts.get(DeliveryState.FAILED, 0)),
        ),
    ]
    return "\n".join(lines)


def report_text(notice: Notice, counts: Mapping[DeliveryState, int], tz: ZoneInfo) -> str:
    """The final report (also what /thongbao's history shows for a notice)."""
    if notice.status is NoticeStatus.CANCELLED:
        title = _("⛔ <b>Notice #{id} stopped</b>")
    elif notice.finished_at is None and notice.status is NoticeStatus.SCHEDULED:
        title = _("⏰ <b>Notice #{id} is scheduled</b>")
    elif notice.finished_at is None:
        title = _("⏳ <b>Notice #{id} is being sent</b>")
    else:
        title = _("✅ <b>Notice #{id} sent</b>")
    lines = [title.format(id=notice.id), html.quote(first_line(notice))]
    if notice.send_at is not None and notice.status is NoticeStatus.SCHEDULED:
        lines.append(_("Sends at: {when}").format(when=local_datetime(aware(notice.send_at), tz)))
    elif notice.started_at is not None:
        lines.append(_("Started: {when}").format(when=local_datetime(aware(notice.started_at), tz)))
    lines.append(_("Recipients: {n}").format(n=number(notice.total)))
    shown = (
        DeliveryState.SENT,
        DeliveryState.UNREACHABLE,
        DeliveryState.FAILED,
        DeliveryState.UNKNOWN,
        DeliveryState.CANCELLED,
    )
    icons = {
        DeliveryState.SENT: "✅",
        DeliveryState.UNREACHABLE: "⛔",
        DeliveryState.FAILED: "❌",
        DeliveryState.UNKNOWN: "❓",
        DeliveryState.CANCELLED: "🚫",
    }
    for state in shown:
        if counts.get(state) or state in (DeliveryState.SENT, DeliveryState.UNREACHABLE):
            lines.append(f"{icons[state]} {state_label(state)}: {number(counts.get(state, 0))}")
    waiting = sum(counts.get(state, 0) for state in UNFINISHED)
    if waiting and notice.status is not NoticeStatus.SCHEDULED:
        lines.append(_("⏳ still to send: {n}").format(n=number(waiting)))
    return "\n".join(lines)


def history_line(notice: Notice, counts: Mapping[DeliveryState, int], tz: ZoneInfo) -> str:
    """`#12 · 27/11/2026 10:05 · ✅ 980/1.000`: a button label in the history list."""
    when = notice.send_at if notice.status is NoticeStatus.SCHEDULED else notice.created_at
    moment = local_datetime(aware(when), tz) if when is not None else ""
    if notice.status is NoticeStatus.SCHEDULED:
        state = "⏰"
    elif notice.status is NoticeStatus.CANCELLED:
        state = "⛔"
    else:
        state = "✅" if notice.finished_at is not None else "⏳"
    sent = counts.get(DeliveryState.SENT, 0)
    return f"#{notice.id} · {moment} · {state} {number(sent)}/{number(notice.total)}"


def details_pages(notice_id: int, lines: Iterable[DeliveryLine], units: UnitDirectory) -> list[str]:
    """The recipients by unit: per unit, how many got it, and who did not, and why."""
    by_unit: dict[str, list[DeliveryLine]] = {}
    for line in lines:
        by_unit.setdefault(line.unit_code or "", []).append(line)

    def unit_name(code: str) -> str:
        unit = units.get(code) if code else None
        return unit.name if unit else (code or _("Department staff and others"))

    blocks = [_("<b>Notice #{id}: recipients by unit</b>").format(id=notice_id)]
    for code in sorted(by_unit, key=lambda c: (c == "", unit_name(c))):
        people = by_unit[code]
        sent = sum(1 for p in people if p.state is DeliveryState.SENT)
        block = [f"<b>{html.quote(unit_name(code))}</b>: {number(sent)}/{number(len(people))} ✅"]
        for person in people:
            if person.state is not DeliveryState.SENT:
                who = html.quote(person.name or str(person.chat_id))
                block.append(f"  • {who} — {state_label(person.state)}")
        blocks.append("\n".join(block))
    return _pages(blocks)


def _pages(blocks: Sequence[str]) -> list[str]:
    pages: list[str] = []
    current = ""
    for block in blocks:
        if current and len(current) + len(block) + 2 > PAGE_MAX:
            pages.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block[:PAGE_MAX]
    if current:
        pages.append(current)
    return pages

"""/hoso — the staff inbox: every submission, waiting ones first, filtered and paged; one opened
whole with its photos and files, reviewed (the same decision as the cards), its versions and
what a revision changed.

Page buttons carry the whole filter and a keyset cursor (see storage/repositories/inbox.py),
so an old list's Trước/Sau still pages that list, after a restart too.
"""

from __future__ import annotations

import enum
import logging
from datetime import UTC, datetime, time

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callback_ids import RowId, SmallInt
from bot.clock import Clock
from bot.domain.periods import Period
from bot.domain.text import Text
from bot.domain.units import UnitDirectory
from bot.forms import FormDefinition
from bot.inbox import render
from bot.inbox.diff import changes
from bot.inbox.filters import FILTER_HELP, InboxFilter, InboxState, parse_filter, unit_codes
from bot.middlewares.callback_answers import alert
from bot.review import decide
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from handlers.editing import edit_text
from handlers.forms.dialog import FORM_COMMANDS
from handlers.reviews import ReviewAction, ReviewCb, attachment_caption
from handlers.status.common import explain
from storage.models import Submission, SubmissionStatus
from storage.repositories import inbox as inbox_rows
from storage.repositories import submissions, users

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))

PAGE_SIZE = 8
FORM_ID_KEPT = 16
_STATE_CODES = {
    InboxState.WAITING: "w",
    InboxState.ACCEPTED: "a",
    InboxState.NEEDS_REVISION: "r",
    InboxState.REPLACED: "x",
}


class Turn(enum.StrEnum):
    """Which way a page button turns (one letter: the button carries the filter too)."""

    PREVIOUS = "p"
    NEXT = "n"


class InboxPage(CallbackData, prefix="ibx"):
    """Trước / Sau from the row (`group`, `row_id`) of the list whose newest id is `max_id`,
    with the list's filter (`state` as a code of `_STATE_CODES`, a period key, the start of
    a form id, the typed part of a unit's name)."""

    turn: Turn
    group: SmallInt
    row_id: RowId
    max_id: RowId
    state: str = ""
    period: str = ""
    form: str = ""
    unit_query: str = ""


class InboxOpen(CallbackData, prefix="ibo"):
    id: RowId


class InboxAccept(CallbackData, prefix="iba"):
    id: RowId


class InboxHistory(CallbackData, prefix="ibh"):
    id: RowId


class InboxDiff(CallbackData, prefix="ibd"):
    id: RowId


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _criteria(
    wanted: InboxFilter, units: UnitDirectory, settings: Settings, max_id: int
) -> inbox_rows.Criteria:
    period = wanted.period
    months: tuple[str, ...] | None = None
    start: datetime | None = None
    end: datetime | None = None
    if period is not None:
        months = period.months
        start = datetime.combine(period.start, time(), settings.tz).astimezone(UTC)
        end = datetime.combine(period.end, time(), settings.tz).astimezone(UTC)
    return inbox_rows.Criteria(
        states=[SubmissionStatus(wanted.state.value)] if wanted.state else None,
        form_id=wanted.form_id,
        unit_codes=unit_codes(units, wanted.unit_query),
        months=months,
        sent_from=start,
        sent_before=end,
        first_day=period.start if period is not None else None,
        end_day=period.end if period is not None else None,
        max_id=max_id,
    )


def _page_button(
    text: str, turn: Turn, row: Submission, max_id: int, wanted: InboxFilter
) -> InlineKeyboardButton:
    group = 0 if row.status is SubmissionStatus.SUBMITTED else 1
    data = InboxPage(
        turn=turn,
        group=group,
        row_id=row.id,
        max_id=max_id,
        state=_STATE_CODES[wanted.state] if wanted.state else "",
        period=wanted.period.key if wanted.period else "",
        # A form id is cut to its first characters; `_filter_of` finds it again.
        form=(wanted.form_id or "")[:FORM_ID_KEPT],
        unit_query=wanted.unit_query,
    )
    # A very long unit query is cut to fit: a shorter part of a name finds the same units
    # and perhaps a few more, never fewer.
    while True:
        try:
            return _button(text, data)
        except ValueError:  # longer than Telegram allows
            if not data.unit_query:
                raise
            data = data.model_copy(update={"unit_query": data.unit_query[:-1].rstrip()})


def _filter_of(data: InboxPage, forms: dict[str, FormDefinition]) -> InboxFilter:
    """The filter a page button carries; ValueError if it no longer makes sense."""
    codes = {code: state for state, code in _STATE_CODES.items()}
    form_id = None
    if data.form:
        known = [f for f in sorted(forms) if f == data.form or f[:FORM_ID_KEPT] == data.form]
        if not known:
            raise ValueError(f"no form {data.form!r} any more")
        form_id = known[0]
    return InboxFilter(
        state=codes.get(data.state),
        period=Period.from_key(data.period) if data.period else None,
        form_id=form_id,
        unit_query=data.unit_query,
    )


async def _list(
    session: AsyncSession,
    wanted: InboxFilter,
    max_id: int,
    units: UnitDirectory,
    forms: dict[str, FormDefinition],
    settings: Settings,
    lang: str,
    *,
    after: inbox_rows.Cursor | None = None,
    before: inbox_rows.Cursor | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    criteria = _criteria(wanted, units, settings, max_id)
    page = await inbox_rows.page(session, criteria, after=after, before=before, size=PAGE_SIZE)
    if not page.rows and (after or before):
        # Nothing left beyond the cursor (the rows shown changed since): the first page.
        page = await inbox_rows.page(session, criteria, size=PAGE_SIZE)
    rows = [render.Row(item, _unit_name(units, item.unit_code)) for item in page.rows]
    names = [_unit_name(units, code) for code in criteria.unit_codes or ()]
    text = render.list_text(page, rows, wanted, forms, settings.tz, lang, _, PAGE_SIZE, names)
    keyboard = [[_button(render.row_button(row), InboxOpen(id=row.submission.id))] for row in rows]
    nav = []
    if page.has_before:
        nav.append(_page_button(_("⬅️ Previous"), Turn.PREVIOUS, page.rows[0], max_id, wanted))
    if page.has_after:
        nav.append(_page_button(_("Next ➡️"), Turn.NEXT, page.rows[-1], max_id, wanted))
    if nav:
        keyboard.append(nav)
    return text, InlineKeyboardMarkup(inline_keyboard=keyboard) if keyboard else None


def _unit_name(units: UnitDirectory, code: str) -> str:
    unit = units.get(code)
    return unit.name if unit is not None else code


@router.message(Command("hoso"))
async def inbox(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    units: UnitDirectory,
    forms: dict[str, FormDefinition],
    clock: Clock,
    settings: Settings,
    i18n: I18n,
) -> None:
    """The submissions, waiting ones first; filtered by what follows the command."""
    lang = i18n.current_locale
    titles = {form_id: form.title.get(lang) for form_id, form in forms.items()}
    wanted = parse_filter(command.args or "", titles, units, clock.today(), FORM_COMMANDS)
    if isinstance(wanted, Text):
        await message.answer(explain(wanted) + "\n" + _(FILTER_HELP))
        return
    max_id = await inbox_rows.newest_id(session)
    text, markup = await _list(session, wanted, max_id, units, forms, settings, lang)
    await message.answer(text, reply_markup=markup)


@router.callback_query(InboxPage.filter())
async def turn_page(
    query: CallbackQuery,
    callback_data: InboxPage,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    forms: dict[str, FormDefinition],
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Trước / Sau: the same list, the page before or after the rows shown."""
    try:
        wanted = _filter_of(callback_data, forms)
    except ValueError:
        callback_answer.text = _("This button is no longer active.")
        return
    cursor = inbox_rows.Cursor(callback_data.group, callback_data.row_id)
    text, markup = await _list(
        session,
        wanted,
        callback_data.max_id,
        units,
        forms,
        settings,
        i18n.current_locale,
        after=cursor if callback_data.turn is Turn.NEXT else None,
        before=cursor if callback_data.turn is not Turn.NEXT else None,
    )
    if isinstance(query.message, Message):
        await edit_text(bot, query.message.chat.id, query.message.message_id, text, markup)


async def _detail(
    session: AsyncSession,
    item: Submission,
    units: UnitDirectory,
    forms: dict[str, FormDefinition],
    settings: Settings,
    lang: str,
) -> tuple[list[str], InlineKeyboardMarkup, list[tuple[str, str, str]]]:
    versions = await inbox_rows.versions(session, item)
    officer = await users.get_user(session, item.officer_id)
    reviewer = await users.get_user(session, item.reviewed_by) if item.reviewed_by else None
    files = await submissions.attachments(session, item.id)
    detail = render.Detail(
        submission=item,
        form=forms.get(item.form_id),
        unit_name=_unit_name(units, item.unit_code),
        officer_name=(officer and (officer.full_name or officer.telegram_name))
        or str(item.officer_id),
        # Staff made by /phanquyen may never have registered: their Telegram name, then.
        reviewer_name=(reviewer.full_name or reviewer.telegram_name) if reviewer else None,
        versions=versions,
        file_count=len(files),
    )
    rows: list[list[InlineKeyboardButton]] = []
    if item.status is SubmissionStatus.SUBMITTED:
        rows.append(
            [
                _button(_("✅ Accepted"), InboxAccept(id=item.id)),
                # The card's own button: the same comment dialog and decision.
                _button(
                    _("📝 Ask for a revision"),
                    ReviewCb(action=ReviewAction.REVISE, submission=item.id),
                ),
            ]
        )
    if item.replaces_id is not None:
        rows.append(
            [
                _button(
                    _("🔍 Changes from {ref}").format(ref=f"#{item.replaces_id}"),
                    InboxDiff(id=item.id),
                )
            ]
        )
    if len(versions) > 1:
        rows.append(
            [
                _button(
                    _("🕘 Versions ({count})").format(count=len(versions)), InboxHistory(id=item.id)
                )
            ]
        )
        newest = versions[-1]
        if newest.id != item.id:
            rows.append(
                [
                    _button(
                        _("Open the newest, {ref}").format(ref=newest.reference),
                        InboxOpen(id=newest.id),
                    )
                ]
            )
    # The same caption as on the card: the field's name, the file's, and the officer's caption.
    form = forms.get(item.form_id)
    media = [
        (file.kind, file.file_id, attachment_caption(item, file, n, len(files), form, lang))
        for n, file in enumerate(files, start=1)
    ]
    return (
        render.split_message(render.detail_text(detail, settings.tz, lang, _)),
        InlineKeyboardMarkup(inline_keyboard=rows),
        media,
    )


@router.callback_query(InboxOpen.filter())
async def open_submission(
    query: CallbackQuery,
    callback_data: InboxOpen,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    forms: dict[str, FormDefinition],
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """One submission whole, with its photos and files, and what can be done with it."""
    item = await submissions.get(session, callback_data.id)
    if item is None or not isinstance(query.message, Message):
        alert(callback_answer, _("This submission was not found."))
        return
    parts, markup, media = await _detail(session, item, units, forms, settings, i18n.current_locale)
    chat_id = query.message.chat.id
    for part in parts[:-1]:
        await bot.send_message(chat_id, part)
    await bot.send_message(chat_id, parts[-1], reply_markup=markup)
    for kind, file_id, caption in media:
        try:
            if kind == "photo":
                await bot.send_photo(chat_id, file_id, caption=caption)
            else:
                await bot.send_document(chat_id, file_id, caption=caption)
        except TelegramAPIError as error:
            log.warning("could not send file of submission %s: %s", item.id, error)


@router.callback_query(InboxAccept.filter())
async def accept(
    query: CallbackQuery,
    callback_data: InboxAccept,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    forms: dict[str, FormDefinition],
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Đã tiếp nhận from the inbox: the cards' decision, then the view shows the new state."""
    reviewed = await decide(
        bot,
        session,
        i18n,
        settings,
        submission_id=callback_data.id,
        accept=True,
        reviewer_id=query.from_user.id,
    )
    if reviewed is None:
        alert(callback_answer, _("This submission was already reviewed."))
    else:
        callback_answer.text = _("Marked as accepted.")
    item = await submissions.get(session, callback_data.id)
    if item is None or not isinstance(query.message, Message):
        return
    await session.refresh(item)
    parts, markup, _media = await _detail(
        session, item, units, forms, settings, i18n.current_locale
    )
    # The buttons are on the last part, which holds the state.
    await edit_text(bot, query.message.chat.id, query.message.message_id, parts[-1], markup)


@router.callback_query(InboxHistory.filter())
async def history(
    query: CallbackQuery,
    callback_data: InboxHistory,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    forms: dict[str, FormDefinition],
    settings: Settings,
    i18n: I18n,
) -> None:
    """Every version of a submission, oldest first, each to open; a revision's changes."""
    item = await submissions.get(session, callback_data.id)
    if item is None or not isinstance(query.message, Message):
        alert(callback_answer, _("This submission was not found."))
        return
    lang = i18n.current_locale
    versions = await inbox_rows.versions(session, item)
    title = render.form_title(forms, item.form_id, lang)
    text = render.history_text(versions, title, _unit_name(units, item.unit_code), settings.tz, _)
    rows = []
    for number, version in enumerate(versions, start=1):
        row = [_button(f"{number}. {version.reference}", InboxOpen(id=version.id))]
        if version.replaces_id is not None:
            row.append(
                _button(
                    _("🔍 Changes from {ref}").format(ref=f"#{version.replaces_id}"),
                    InboxDiff(id=version.id),
                )
            )
        rows.append(row)
    await query.message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


@router.callback_query(InboxDiff.filter())
async def diff(
    query: CallbackQuery,
    callback_data: InboxDiff,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    forms: dict[str, FormDefinition],
    i18n: I18n,
) -> None:
    """What a revision changed from the version before it, field by field."""
    newer = await submissions.get(session, callback_data.id)
    older = (
        await submissions.get(session, newer.replaces_id)
        if newer is not None and newer.replaces_id is not None
        else None
    )
    if newer is None or older is None or not isinstance(query.message, Message):
        alert(callback_answer, _("This submission was not found."))
        return
    found, same = changes(
        forms.get(newer.form_id), older.answers, newer.answers, i18n.current_locale
    )
    await query.message.answer(render.diff_text(newer, older, found, same, _))

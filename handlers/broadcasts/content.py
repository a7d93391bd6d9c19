"""/thongbao, first steps: the notice itself — text with its formatting, and one photo or
document if wanted. Also Hủy, from any step of the composer."""

from __future__ import annotations

from uuid import uuid4

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast.content import CAPTION_MAX
from bot.broadcast.report import number
from bot.clock import Clock
from bot.domain.units import UnitDirectory
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from handlers.broadcasts.dialog import Bc, Compose, context, nav
from handlers.broadcasts.recipients import ask_audience
from handlers.broadcasts.review import show_review
from handlers.filters import NOT_A_COMMAND
from handlers.forms.dialog import Forms
from handlers.keyboards import button, inline

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


def _media(message: Message) -> tuple[str, str] | None:
    if message.photo:
        return "photo", message.photo[-1].file_id
    if message.document:
        return "document", message.document.file_id
    return None


async def ask_content(message: Message, state: FSMContext) -> None:
    await state.set_state(Compose.content)
    await message.answer(
        _(
            "Send the notice: type its text (bold, italics and links are kept), or send one "
            "photo or document with the text as its caption."
        ),
        reply_markup=inline(nav()),
    )


@router.message(Command("thongbao"))
async def begin(message: Message, state: FSMContext) -> None:
    """Start a new notice (whatever was being composed is dropped)."""
    await state.clear()
    await state.update_data(token=uuid4().hex)
    await state.set_state(Compose.content)
    await message.answer(
        _(
            "<b>New notice</b>\nSend the notice: type its text (bold, italics and links are "
            "kept), or send one photo or document with the text as its caption."
        ),
        reply_markup=inline(
            [button(_("📜 Sent notices"), Bc(action="history"))],
            nav(),
        ),
    )


async def _after_content(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    data = await state.get_data()
    if data.get("audience") and data.get("editing"):
        assert message.bot is not None
        await show_review(
            message.bot, message.chat.id, state, session, units, settings, context(clock, forms)
        )
        return
    await ask_audience(message, state, session, context(clock, forms))


@router.message(Compose.content, F.photo | F.document)
@router.message(Compose.attach, F.photo | F.document)
async def got_media(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    """A photo or document: with its caption as the text, or with the text typed before."""
    media = _media(message)
    assert media is not None
    kind, file_id = media
    current = await state.get_state()
    if current == Compose.attach.state:
        await state.update_data(media_kind=kind, media_file_id=file_id)
        await _after_content(message, state, session, units, settings, clock, forms)
        return
    text = message.html_text if message.caption else ""
    await state.update_data(media_kind=kind, media_file_id=file_id, text=text)
    if text:
        await _after_content(message, state, session, units, settings, clock, forms)
        return
    await state.set_state(Compose.caption)
    await message.answer(
        _("Now type the text to go with it, or press Skip to send it without text."),
        reply_markup=inline([button(_("⏭ Skip"), Bc(action="skip"))], nav()),
    )


@router.message(Compose.content, F.text, NOT_A_COMMAND)
async def got_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    """The text of the notice, formatting kept (as HTML)."""
    await state.update_data(text=message.html_text, media_kind=None, media_file_id=None)
    if len(message.text or "") > CAPTION_MAX:
        # Too long to go under a photo: it goes as a text message.
        await _after_content(message, state, session, units, settings, clock, forms)
        return
    await state.set_state(Compose.attach)
    await message.answer(
        _("Add a photo or a document to go with it? Send it now, or press Skip."),
        reply_markup=inline([button(_("⏭ Skip"), Bc(action="skip"))], nav()),
    )


@router.message(Compose.caption, F.text, NOT_A_COMMAND)
async def got_caption(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    """The text under the photo or document."""
    length = len(message.text or "")
    if length > CAPTION_MAX:
        await message.answer(
            _(
                "Under a photo or document the text can have at most {max} characters; this "
                "one has {n}. Please shorten it."
            ).format(max=number(CAPTION_MAX), n=number(length))
        )
        return
    await state.update_data(text=message.html_text)
    await _after_content(message, state, session, units, settings, clock, forms)


@router.callback_query(Compose.caption, Bc.filter(F.action == "skip"))
@router.callback_query(Compose.attach, Bc.filter(F.action == "skip"))
async def skip(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    """Bỏ qua: no photo, or no text under the photo."""
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await _after_content(query.message, state, session, units, settings, clock, forms)


@router.callback_query(Bc.filter((F.action == "back") & (F.value == "content")))
async def back_to_content(query: CallbackQuery, state: FSMContext) -> None:
    if await state.get_state() not in {s.state for s in Compose.__all_states__}:
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await ask_content(query.message, state)


@router.callback_query(Bc.filter(F.action == "cancel"))
async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    """Hủy, on any step: nothing is stored, nothing is sent."""
    if await state.get_state() not in {s.state for s in Compose.__all_states__}:
        await query.answer(_("This button is no longer active."))
        return
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_("Cancelled. Nothing was sent."))


@router.message(Compose.content, NOT_A_COMMAND)
@router.message(Compose.caption, NOT_A_COMMAND)
@router.message(Compose.attach, NOT_A_COMMAND)
async def wrong_kind(message: Message, state: FSMContext) -> None:
    """A sticker, a voice message... where text, a photo or a document was asked."""
    current = await state.get_state()
    if current == Compose.caption.state:
        text = _("Please type the text to go with it, or press Skip.")
    elif current == Compose.attach.state:
        text = _("Please send one photo or one document, or press Skip.")
    else:
        text = _("Please send the notice as text, or a photo or a document.")
    await message.answer(text)

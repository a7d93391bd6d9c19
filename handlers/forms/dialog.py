"""The form dialog: one question at a time, a review screen, and sending.

```mermaid
stateDiagram-v2
    [*] --> asking: /baocao, /kiemtra, /bieumau → form
    [*] --> resume: same, while a draft exists
    resume --> asking: Tiếp tục / Làm lại
    asking --> asking: valid answer → next field; wrong input → the field's message
    asking --> replace: period already reported
    replace --> asking: Thay thế, or Kỳ khác (the period asked again, answers kept)
    asking --> review: no field left
    review --> asking: Sửa → field N (then back to review)
    review --> [*]: Gửi (stored, committed, then confirmed)
    asking --> confirm_cancel: Hủy with answers
    review --> confirm_cancel: Hủy
    confirm_cancel --> [*]: Hủy báo cáo
```
The engine (bot.forms) decides what is asked and what is valid; this module only turns
updates into engine inputs and engine answers into messages and buttons.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.clock import Clock
from bot.domain.text import MESSAGE_MAX, shorten, split_message, visible_length
from bot.domain.units import UnitDirectory
from bot.forms import (
    Accepted,
    ChoiceInput,
    ChoicesInput,
    ContactInput,
    FileInput,
    FilesInput,
    FormDefinition,
    Invalid,
    LocationInput,
    RawInput,
    TextInput,
    UnsupportedInput,
    add_file,
    answer,
    can_skip,
    next_field,
    previous_field,
    render_message,
    render_value,
    skip,
    toggle_choice,
)
from bot.roles import OFFICER_LEVELS, HasAccess
from bot.settings import Settings
from handlers.editing import edit_markup, edit_text
from handlers.filters import NOT_A_COMMAND
from handlers.forms import view
from handlers.forms.view import FormCb
from handlers.reviews import notify_staff
from storage.models import User
from storage.repositories import submissions

router = Router(name=__name__)
router.message.filter(HasAccess(*OFFICER_LEVELS))
router.callback_query.filter(HasAccess(*OFFICER_LEVELS))

FORM_COMMANDS = {"baocao": "activity_report", "kiemtra": "inspection"}


class FormDialog(StatesGroup):
    asking = State()
    review = State()
    confirm_cancel = State()
    resume = State()
    replace = State()


Forms = dict[str, FormDefinition]


def _lang(i18n: I18n) -> str:
    return i18n.current_locale


def _btn(text: str, action: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=FormCb(a=action, v=value).pack())


# --- starting -------------------------------------------------------------------------------


@router.message(Command(*FORM_COMMANDS, "bieumau"))
async def open_form(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    forms: Forms,
    i18n: I18n,
    clock: Clock,
    units: UnitDirectory,
    user: User,
) -> None:
    """Start a form, or offer to continue the draft under way."""
    name = command.command.lower()
    if name == "bieumau":
        rows = [[_btn(form.title.get(_lang(i18n)), "open", form.id)] for form in forms.values()]
        await message.answer(
            _("Which form?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
        )
        return
    form = forms.get(FORM_COMMANDS[name])
    if form is None:
        await message.answer(_("This form is not available."))
        return
    await _open(message, state, form, i18n, clock, units, user.unit_code or "")


async def _open(
    message: Message,
    state: FSMContext,
    form: FormDefinition,
    i18n: I18n,
    clock: Clock,
    units: UnitDirectory,
    unit_code: str,
    period: str | None = None,
) -> None:
    data = await state.get_data()
    current = await state.get_state()
    if current in {s.state for s in FormDialog.__all_states__} and data.get("answers"):
        draft = data.get("form")
        await state.set_state(FormDialog.resume)
        await state.update_data(back_to=current, wanted=form.id, wanted_period=period)
        await message.answer(
            _(
                "You have an unfinished {form} ({count} answers). Continue it, or start again?"
            ).format(form=html.quote(_form_title(draft, data, i18n)), count=len(data["answers"])),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[
                    [_btn(_("▶️ Continue"), "continue"), _btn(_("🔄 Start again"), "restart")]
                ]
            ),
        )
        return
    assert message.bot is not None
    await start_form(
        message.bot, message.chat.id, state, form, i18n, clock, units, unit_code, period=period
    )


def _form_title(form_id: Any, data: dict[str, Any], i18n: I18n) -> str:
    return str(data.get("title") or form_id)


async def start_form(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    form: FormDefinition,
    i18n: I18n,
    clock: Clock,
    units: UnitDirectory,
    unit_code: str,
    *,
    answers: dict[str, Any] | None = None,
    replaces: int | None = None,
    period: str | None = None,
) -> None:
    """A new draft of `form` (or a reopened one, with its old answers), then its first question.

    `period` (a button such as /trangthai's "Gửi báo cáo (Tháng 11/2026)") answers the form's
    period question in advance when it is a valid answer; the officer can still change it.
    """
    unit = units.get(unit_code)
    prefilled: dict[str, Any] = {}
    if period and form.period_field and not answers:
        taken = answer(form, {}, form.period_field, ChoiceInput(period), today=clock.today())
        if isinstance(taken, Accepted):
            prefilled = taken.answers
    await state.set_state(FormDialog.asking)
    await state.set_data(
        {
            "form": form.id,
            "unit_name": unit.name if unit else unit_code,
            "title": form.title.get(_lang(i18n)),
            "answers": dict(answers or prefilled),
            "token": str(uuid.uuid4()),
            "replaces": replaces,
            # A replacement stays in its period (see _take).
            "replaces_period": (answers or {}).get(form.period_field or "") if replaces else None,
            "editing": False,
            "pending": [],
        }
    )
    if answers:
        await show_review(bot, chat_id, state, form, i18n, units)
    else:
        await ask(bot, chat_id, state, form, i18n, clock)


async def ask(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    form: FormDefinition,
    i18n: I18n,
    clock: Clock,
    field_name: str | None = None,
) -> None:
    """Ask `field_name`, or the next unanswered field; the review screen when none is left."""
    data = await state.get_data()
    answers = data["answers"]
    field = form.field(field_name) if field_name else next_field(form, answers)
    if field is None:
        await show_review(bot, chat_id, state, form, i18n, None)
        return
    index = form.index(field.name)
    pending: list[Any] = []
    if field.type in ("select_multiple", "photo", "document") and answers.get(field.name):
        pending = list(answers[field.name])
    lang = _lang(i18n)
    text = view.question_text(form, field, answers, lang)
    markup = view.question_markup(form, field, answers, index, pending, lang, clock)
    share = view.share_keyboard(field)
    # A long current answer (editing from the review) may not fit one message with the question.
    *pages, text = split_message(text)
    for page in pages:
        await bot.send_message(chat_id, page)
    if share is not None:
        await bot.send_message(chat_id, text, reply_markup=share)
        sent = await bot.send_message(chat_id, _("Or choose:"), reply_markup=markup)
    else:
        sent = await bot.send_message(chat_id, text, reply_markup=markup)
    await state.set_state(FormDialog.asking)
    await state.update_data(field=field.name, i=index, qid=sent.message_id, pending=pending)


async def show_review(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    form: FormDefinition,
    i18n: I18n,
    units: UnitDirectory | None,
) -> None:
    data = await state.get_data()
    unit_name = data.get("unit_name", "")
    text = view.review_text(form, data["answers"], _lang(i18n), unit_name)
    # Every answer at its longest does not fit one message: the buttons come with the last page.
    *pages, last = split_message(text)
    for page in pages:
        await bot.send_message(chat_id, page)
    sent = await bot.send_message(chat_id, last, reply_markup=view.review_markup())
    await state.set_state(FormDialog.review)
    await state.update_data(field=None, i=-1, qid=sent.message_id, editing=False, pending=[])


# --- answers typed or sent --------------------------------------------------------------------


def raw_input(message: Message) -> RawInput:
    """What the officer sent, as the engine understands it."""
    if message.text is not None:
        return TextInput(message.text)
    if message.photo:
        largest = message.photo[-1]
        return FileInput(
            largest.file_id,
            largest.file_unique_id,
            "photo",
            size=largest.file_size,
            caption=message.caption,
        )
    if message.document is not None:
        doc = message.document
        return FileInput(
            doc.file_id,
            doc.file_unique_id,
            "document",
            size=doc.file_size,
            mime_type=doc.mime_type,
            file_name=doc.file_name,
            caption=message.caption,
        )
    if message.location is not None:
        return LocationInput(message.location.latitude, message.location.longitude)
    if message.contact is not None:
        if message.from_user is None or message.contact.user_id != message.from_user.id:
            return UnsupportedInput("foreign_contact")
        return ContactInput(message.contact.phone_number)
    return UnsupportedInput(str(message.content_type))


@router.message(FormDialog.asking, NOT_A_COMMAND)
async def got_answer(
    message: Message,
    state: FSMContext,
    forms: Forms,
    i18n: I18n,
    clock: Clock,
    session: AsyncSession,
    user: User,
    units: UnitDirectory,
) -> None:
    """A typed answer, a file, a location or a contact for the current question."""
    data = await state.get_data()
    form = forms.get(data.get("form", ""))
    if form is None or not data.get("field"):
        await state.clear()
        await message.answer(_("This form is no longer available. Please start again."))
        return
    field = form.field(data["field"])
    raw = raw_input(message)
    bot = message.bot
    assert bot is not None
    if field.type in ("photo", "document") and isinstance(raw, FileInput) and field.max_count > 1:
        checked = add_file(field, data.get("pending", []), raw)
        if isinstance(checked, Invalid):
            await message.answer(render_message(checked.message, _lang(i18n), _))
            return
        pending = checked.value
        await edit_markup(bot, message.chat.id, data.get("qid"), None)
        sent = await message.answer(
            _("Received {count} of at most {max}. Send more, or press Done.").format(
                count=len(pending), max=field.max_count
            ),
            reply_markup=view.question_markup(
                form, field, data["answers"], data["i"], pending, _lang(i18n), clock
            ),
        )
        await state.update_data(pending=pending, qid=sent.message_id)
        return
    await _take(message.chat.id, bot, state, form, data, raw, i18n, clock, session, user, units)


async def _take(
    chat_id: int,
    bot: Bot,
    state: FSMContext,
    form: FormDefinition,
    data: dict[str, Any],
    raw: RawInput,
    i18n: I18n,
    clock: Clock,
    session: AsyncSession,
    user: User,
    units: UnitDirectory,
    *,
    shown_on: int | None = None,
) -> bool:
    """Give the answer to the engine; on success store it and move on. False when refused."""
    field = form.field(data["field"])
    result = answer(form, data["answers"], field.name, raw, today=clock.today())
    if isinstance(result, Invalid):
        refusal = render_message(result.message, _lang(i18n), _)
        if not result.suggestions:
            await bot.send_message(chat_id, refusal)
            return False
        # Asked back with the likely answer as a button: this message becomes the question.
        markup = view.question_markup(
            form,
            field,
            data["answers"],
            data["i"],
            data.get("pending", []),
            _lang(i18n),
            clock,
            suggested=result.suggestions,
        )
        await edit_markup(bot, chat_id, data.get("qid"), None)
        sent = await bot.send_message(chat_id, refusal, reply_markup=markup)
        await state.update_data(qid=sent.message_id)
        return False
    assert isinstance(result, Accepted)
    lang = _lang(i18n)
    shown = render_value(field, result.value, lang)
    if shown_on is not None:
        # The button's message turns into the answer, so the chat reads as a clean record.
        question = view.question_text(form, field, {}, lang)
        room = MESSAGE_MAX - visible_length(question) - 3
        answered = html.quote(shorten(shown, room))
        await edit_text(bot, chat_id, shown_on, f"{question}\n→ <b>{answered}</b>")
    else:
        await edit_markup(bot, chat_id, data.get("qid"), None)
    if view.share_keyboard(field) is not None:
        await bot.send_message(
            chat_id, "✓ " + html.quote(shown), reply_markup=ReplyKeyboardRemove()
        )
    await state.update_data(answers=result.answers, pending=[])
    if form.period_field == field.name:
        replaces = data.get("replaces")
        if replaces is not None and data.get("replaces_period") != result.value:
            # A replacement stays in its period: another period makes this a new report.
            replaces = None
            await state.update_data(replaces=None, replaces_period=None)
        existing = await submissions.live_for_period(
            session, form.id, user.unit_code or "", str(result.value)
        )
        if existing is not None and existing.id != replaces:
            await _ask_replace(bot, chat_id, state, existing.id, shown)
            return True
    await _proceed(bot, chat_id, state, form, i18n, clock, units)
    return True


async def _ask_replace(
    bot: Bot, chat_id: int, state: FSMContext, existing_id: int, period: str
) -> None:
    await state.set_state(FormDialog.replace)
    await state.update_data(existing=existing_id)
    await bot.send_message(
        chat_id,
        _(
            "Your unit already sent this report for {period} (#{id}). Send a new one to replace "
            "it? The old one is kept in the history."
        ).format(period=html.quote(period), id=existing_id),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [_btn(_("🔁 Replace it"), "replace"), _btn(_("📅 Another period"), "repick")],
                [_btn(_("❌ Cancel"), "drop")],
            ]
        ),
    )


async def _proceed(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    form: FormDefinition,
    i18n: I18n,
    clock: Clock,
    units: UnitDirectory,
) -> None:
    data = await state.get_data()
    missing = next_field(form, data["answers"])
    if data.get("editing") and missing is None:
        await show_review(bot, chat_id, state, form, i18n, units)
        return
    await ask(bot, chat_id, state, form, i18n, clock)


@router.message(FormDialog.review, NOT_A_COMMAND)
@router.message(FormDialog.confirm_cancel, NOT_A_COMMAND)
@router.message(FormDialog.resume, NOT_A_COMMAND)
@router.message(FormDialog.replace, NOT_A_COMMAND)
async def press_a_button(message: Message) -> None:
    """Typing where a button is awaited."""
    await message.answer(_("Please press one of the buttons above."))


# --- buttons ---------------------------------------------------------------------------------


async def _current(
    query: CallbackQuery, state: FSMContext, forms: Forms, callback_data: FormCb
) -> tuple[FormDefinition, dict[str, Any]] | None:
    """The form under way if this button belongs to its current question, else None (answered)."""
    data = await state.get_data()
    form = forms.get(data.get("form", ""))
    message = query.message
    stale = (
        form is None
        or not isinstance(message, Message)
        or message.message_id != data.get("qid")
        or (callback_data.i >= 0 and callback_data.i != data.get("i"))
    )
    if stale or form is None:
        await query.answer(_("This question was already answered."))
        return None
    return form, data


@router.callback_query(FormDialog.asking, FormCb.filter(F.a.in_({"pick", "toggle", "done"})))
async def pressed_option(
    query: CallbackQuery,
    callback_data: FormCb,
    state: FSMContext,
    forms: Forms,
    i18n: I18n,
    clock: Clock,
    session: AsyncSession,
    user: User,
    units: UnitDirectory,
) -> None:
    """A choice, a toggle of a choose-several, or Done."""
    current = await _current(query, state, forms, callback_data)
    if current is None:
        return
    form, data = current
    field = form.field(data["field"])
    bot = query.bot
    assert bot is not None and isinstance(query.message, Message)
    chat_id = query.message.chat.id
    if callback_data.a == "toggle":
        pending = toggle_choice(field, data.get("pending", []), callback_data.v)
        await state.update_data(pending=pending)
        await query.answer()
        await edit_markup(
            bot,
            chat_id,
            query.message.message_id,
            view.question_markup(
                form, field, data["answers"], data["i"], pending, _lang(i18n), clock
            ),
        )
        return
    raw: RawInput
    if callback_data.a == "done" and field.type == "select_multiple":
        raw = ChoicesInput(tuple(data.get("pending", [])))
    elif callback_data.a == "done":
        raw = FilesInput(tuple(data.get("pending", [])))
    else:
        raw = ChoiceInput(callback_data.v)
    await query.answer()
    await _take(
        chat_id,
        bot,
        state,
        form,
        data,
        raw,
        i18n,
        clock,
        session,
        user,
        units,
        shown_on=query.message.message_id,
    )


@router.callback_query(FormDialog.asking, FormCb.filter(F.a.in_({"back", "skip", "keep"})))
async def pressed_nav(
    query: CallbackQuery,
    callback_data: FormCb,
    state: FSMContext,
    forms: Forms,
    i18n: I18n,
    clock: Clock,
    units: UnitDirectory,
) -> None:
    """Quay lại, Bỏ qua, Giữ nguyên."""
    current = await _current(query, state, forms, callback_data)
    if current is None:
        return
    form, data = current
    field = form.field(data["field"])
    bot = query.bot
    assert bot is not None and isinstance(query.message, Message)
    chat_id = query.message.chat.id
    if callback_data.a == "skip" and not can_skip(field):
        await query.answer(_("This question can't be skipped."), show_alert=True)
        return
    await query.answer()
    await edit_markup(bot, chat_id, query.message.message_id, None)
    if callback_data.a == "back":
        previous = previous_field(form, data["answers"], field.name)
        if previous is not None:
            await ask(bot, chat_id, state, form, i18n, clock, previous.name)
            return
    if callback_data.a == "skip":
        await state.update_data(
            answers=skip(form, data["answers"], field.name, today=clock.today())
        )
    await _proceed(bot, chat_id, state, form, i18n, clock, units)


@router.callback_query(FormDialog.review, FormCb.filter(F.a == "edit"))
async def pressed_edit(
    query: CallbackQuery, callback_data: FormCb, state: FSMContext, forms: Forms, i18n: I18n
) -> None:
    """Sửa: the list of fields to change."""
    current = await _current(query, state, forms, callback_data)
    if current is None:
        return
    form, data = current
    await query.answer()
    assert isinstance(query.message, Message)
    await edit_markup(
        query.bot,  # type: ignore[arg-type]
        query.message.chat.id,
        query.message.message_id,
        view.edit_markup(form, data["answers"], _lang(i18n)),
    )


@router.callback_query(FormDialog.review, FormCb.filter(F.a.in_({"field", "review"})))
async def pressed_field(
    query: CallbackQuery,
    callback_data: FormCb,
    state: FSMContext,
    forms: Forms,
    i18n: I18n,
    clock: Clock,
) -> None:
    """A field to change (then back to the review), or back to the review's buttons."""
    data = await state.get_data()
    form = forms.get(data.get("form", ""))
    message = query.message
    if form is None or not isinstance(message, Message) or message.message_id != data.get("qid"):
        await query.answer(_("This question was already answered."))
        return
    await query.answer()
    bot = query.bot
    assert bot is not None
    if callback_data.a == "review":
        await edit_markup(bot, message.chat.id, message.message_id, view.review_markup())
        return
    if not 0 <= callback_data.i < len(form.fields):
        return
    await edit_markup(bot, message.chat.id, message.message_id, None)
    await state.update_data(editing=True)
    await ask(bot, message.chat.id, state, form, i18n, clock, form.fields[callback_data.i].name)


@router.callback_query(FormDialog.review, FormCb.filter(F.a == "send"))
async def pressed_send(
    query: CallbackQuery,
    callback_data: FormCb,
    state: FSMContext,
    forms: Forms,
    i18n: I18n,
    session: AsyncSession,
    user: User,
    units: UnitDirectory,
    settings: Settings,
) -> None:
    """Gửi: store, commit, and only then confirm."""
    current = await _current(query, state, forms, callback_data)
    if current is None:
        return
    form, data = current
    assert isinstance(query.message, Message) and query.bot is not None
    bot, chat_id = query.bot, query.message.chat.id
    answers = data["answers"]
    period = str(answers.get(form.period_field)) if form.period_field else None
    replaces = data.get("replaces")
    if period is not None:
        if replaces is not None and data.get("replaces_period") != period:
            replaces = None  # (the period was changed: see _take)
        existing = await submissions.live_for_period(session, form.id, user.unit_code or "", period)
        if existing is not None and existing.id != replaces:
            await query.answer()
            field = form.field(form.period_field or "")
            shown = render_value(field, period, _lang(i18n))
            await _ask_replace(bot, chat_id, state, existing.id, shown)
            return
    files = [
        (field.name, file)
        for field in form.fields
        if field.type in ("photo", "document")
        for file in (answers.get(field.name) or [])
    ]
    stored, new = await submissions.store(
        session,
        form_id=form.id,
        form_version=form.version,
        unit_code=user.unit_code or "",
        officer_id=user.id,
        period=period,
        answers=answers,
        files=files,
        token=data["token"],
        replaces_id=replaces,
    )
    if new:
        # Owed, not sent: committed with the submission, so a crash or an outage of
        # Telegram after the commit delays the confirmation and the staff's cards, never
        # loses them (a redelivered Gửi stores nothing new and queues nothing).
        owed.owe_text(
            session,
            chat_id,
            _("✅ Sent. Reference number: <b>{ref}</b>. The department has been told.").format(
                ref=stored.reference
            ),
            kind="submission.sent",
            locale=i18n.current_locale,
        )
        await notify_staff(session, i18n, settings, forms, units, stored, user)
    await session.commit()
    await state.clear()
    await query.answer()
    await edit_markup(bot, chat_id, query.message.message_id, None)


@router.callback_query(FormCb.filter(F.a == "cancel"))
async def pressed_cancel(
    query: CallbackQuery, callback_data: FormCb, state: FSMContext, forms: Forms
) -> None:
    """Hủy: straight away when nothing was answered, else ask first."""
    current = await _current(query, state, forms, callback_data)
    if current is None:
        return
    _form, data = current
    await query.answer()
    if not data.get("answers"):
        await state.clear()
        assert isinstance(query.message, Message)
        await edit_markup(query.bot, query.message.chat.id, query.message.message_id, None)  # type: ignore[arg-type]
        await query.message.answer(
            _("Cancelled. Nothing was sent."), reply_markup=ReplyKeyboardRemove()
        )
        return
    back_to = await state.get_state()
    await state.set_state(FormDialog.confirm_cancel)
    await state.update_data(back_to=back_to)
    assert isinstance(query.message, Message)
    await query.message.answer(
        _("Cancel this form? The {count} answers you gave will be lost.").format(
            count=len(data["answers"])
        ),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [_btn(_("🗑 Yes, cancel it"), "drop"), _btn(_("↩️ No, go on"), "continue")]
            ]
        ),
    )


@router.callback_query(
    FormCb.filter(F.a.in_({"drop", "continue", "restart", "replace", "repick", "open"}))
)
async def pressed_decision(
    query: CallbackQuery,
    callback_data: FormCb,
    state: FSMContext,
    forms: Forms,
    i18n: I18n,
    clock: Clock,
    units: UnitDirectory,
    user: User,
) -> None:
    """The answers to "cancel?", "continue the draft?", "replace the report?", and /bieumau."""
    current = await state.get_state()
    data = await state.get_data()
    message = query.message
    bot = query.bot
    assert bot is not None
    if not isinstance(message, Message):
        await query.answer()
        return
    chat_id = message.chat.id
    action = callback_data.a
    if action == "open":
        # `activity_report` (/bieumau), or `activity_report@2026-11` with the period chosen.
        form_id, _at, period = callback_data.v.partition("@")
        form = forms.get(form_id)
        await query.answer()
        if form is not None:
            await edit_markup(bot, chat_id, message.message_id, None)
            await _open(
                message, state, form, i18n, clock, units, user.unit_code or "", period or None
            )
        return
    expected_state = {
        "drop": {FormDialog.confirm_cancel.state, FormDialog.replace.state},
        "continue": {FormDialog.confirm_cancel.state, FormDialog.resume.state},
        "restart": {FormDialog.resume.state},
        "replace": {FormDialog.replace.state},
        "repick": {FormDialog.replace.state},
    }[action]
    form = forms.get(data.get("form", ""))
    if current not in expected_state or form is None:
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    await edit_markup(bot, chat_id, message.message_id, None)
    if action == "drop":
        await state.clear()
        await bot.send_message(
            chat_id, _("Cancelled. Nothing was sent."), reply_markup=ReplyKeyboardRemove()
        )
    elif action == "restart":
        wanted = forms.get(data.get("wanted", "")) or form
        await start_form(
            bot,
            chat_id,
            state,
            wanted,
            i18n,
            clock,
            units,
            user.unit_code or "",
            period=data.get("wanted_period"),
        )
    elif action == "repick" and form.period_field:
        # The answers so far are kept; only the period is asked again.
        await ask(bot, chat_id, state, form, i18n, clock, form.period_field)
    elif action == "replace":
        replaced = data["answers"].get(form.period_field) if form.period_field else None
        await state.update_data(replaces=data.get("existing"), replaces_period=replaced)
        await _proceed(bot, chat_id, state, form, i18n, clock, units)
    elif data.get("back_to") == FormDialog.review.state:
        await show_review(bot, chat_id, state, form, i18n, units)
    else:
        await ask(bot, chat_id, state, form, i18n, clock, data.get("field"))

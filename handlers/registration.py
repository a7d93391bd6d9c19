"""/dangky — an officer registers: full name → unit → position → phone → review → sent for approval.

```mermaid
stateDiagram-v2
    [*] --> full_name: /dangky
    full_name --> unit: a valid name
    unit --> unit: typed part of a name (buttons of matches)
    unit --> position: pressed a unit
    position --> phone: a valid position
    phone --> review: shared contact / typed number
    review --> full_name: Sửa → field (then back to review)
    review --> [*]: Gửi (stored as pending, approvers told)
    full_name --> [*]: Hủy or /huy (from any step)
```
Back goes one step up; every wrong input is answered and the step is asked again.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.domain import registration as rules
from bot.domain.phone import format_phone, parse_phone
from bot.domain.text import shorten
from bot.domain.units import Match, UnitDirectory
from bot.people import phone_label
from bot.roles import Access
from bot.settings import Settings
from handlers.approval import notify_approvers
from handlers.editing import edit_markup
from handlers.filters import NOT_A_COMMAND
from handlers.keyboards import back_label, button, cancel_label, inline
from handlers.unit_search import search_note
from storage.models import RegistrationStatus, User
from storage.repositories import users

router = Router(name=__name__)


class Registration(StatesGroup):
    full_name = State()
    unit = State()
    position = State()
    phone = State()
    review = State()


class RegAction(CallbackData, prefix="reg"):
    action: str  # back, cancel, submit, edit, review, field
    field: str = ""  # with action "field": which answer to change


class RegUnit(CallbackData, prefix="regunit"):
    code: str


STEPS = [Registration.full_name, Registration.unit, Registration.position, Registration.phone]
FIELD_STATE = {
    "full_name": Registration.full_name,
    "unit": Registration.unit,
    "position": Registration.position,
    "phone": Registration.phone,
}


def _nav(first: bool) -> list[Any]:
    row = [] if first else [button(back_label(), RegAction(action="back"))]
    return [*row, button(cancel_label(), RegAction(action="cancel"))]


def _phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)],
            [KeyboardButton(text=_("❌ Cancel"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def ask(message: Message, state: FSMContext, step: State) -> None:
    """Put the dialog on `step` and ask its question."""
    await state.set_state(step)
    number = STEPS.index(step) + 1
    header = _("Registration · step {n} of {total}").format(n=number, total=len(STEPS))
    if step is Registration.full_name:
        text = _("What is your full name? For example: Nguyễn Văn An.")
        markup: Any = inline(_nav(first=True))
    elif step is Registration.unit:
        text = _(
            "Which commune or ward do you work for? Type part of its name, "
            "for example: Cầu Giấy, or Hoa Xa."
        )
        markup = inline(_nav(first=False))
    elif step is Registration.position:
        text = _("What is your position? For example: Công chức Văn hóa - Xã hội.")
        markup = inline(_nav(first=False))
    else:
        text = _(
            "Your phone number, so the department can reach you: press the button below "
            "to share it, or type it (for example 0912 345 678)."
        )
        markup = _phone_keyboard()
        await message.answer(f"<i>{header}</i>\n{text}", reply_markup=markup)
        await message.answer(_("Or go back:"), reply_markup=inline(_nav(first=False)))
        return
    await message.answer(f"<i>{header}</i>\n{text}", reply_markup=markup)


async def show_review(message: Message, state: FSMContext, units: UnitDirectory) -> None:
    await state.set_state(Registration.review)
    await state.update_data(editing=False)
    data = await state.get_data()
    unit = units.get(data["unit_code"])
    text = "\n".join(
        [
            _("<b>Please check your registration</b>"),
            _("Full name: {value}").format(value=html.quote(data["full_name"])),
            _("Unit: {value}").format(value=html.quote(unit.name if unit else data["unit_code"])),
            _("Position: {value}").format(value=html.quote(data["position"])),
            _("Phone: {value}").format(
                value=phone_label(data["phone"], data.get("phone_verified", False))
            ),
        ]
    )
    markup = inline(
        [
            button(_("✅ Submit"), RegAction(action="submit")),
            button(_("✏️ Edit"), RegAction(action="edit")),
        ],
        [button(cancel_label(), RegAction(action="cancel"))],
    )
    await message.answer(text, reply_markup=markup)


async def _next(message: Message, state: FSMContext, units: UnitDirectory, after: State) -> None:
    """After answering `after`: the next step, or back to the review when editing one field."""
    data = await state.get_data()
    if data.get("editing") or after is Registration.phone:
        await show_review(message, state, units)
        return
    await ask(message, state, STEPS[STEPS.index(after) + 1])


@router.message(Command("dangky"))
async def begin(
    message: Message, state: FSMContext, user: User | None, access: Access, units: UnitDirectory
) -> None:
    """Start (or resume) a registration."""
    if access in (Access.STAFF, Access.ADMIN):
        await message.answer(_("You are department staff: you don't need to register."))
        return
    if access is Access.OFFICER and user is not None:
        unit = units.get(user.unit_code or "")
        await message.answer(
            _("You are already registered as the officer of {unit}.").format(
                unit=html.quote(unit.name if unit else "?")
            )
        )
        return
    if user is not None and user.status is RegistrationStatus.PENDING:
        await message.answer(
            _("Your registration is already waiting for approval; you will be told the outcome.")
        )
        return
    current = await state.get_state()
    if current in {s.state for s in Registration.__all_states__}:
        await message.answer(_("Your registration is under way; let's go on where you stopped."))
        if current == Registration.review.state:
            await show_review(message, state, units)
        else:
            await ask(message, state, next(s for s in STEPS if s.state == current))
        return
    await state.clear()
    await message.answer(
        _("Registration takes four short steps. You can go back at any step, or cancel with /huy.")
    )
    await ask(message, state, Registration.full_name)


# --- step answers --------------------------------------------------------------------------


@router.message(Registration.full_name, F.text, NOT_A_COMMAND)
async def got_full_name(message: Message, state: FSMContext, units: UnitDirectory) -> None:
    """Check the typed name."""
    answer = rules.parse_full_name(message.text or "")
    if isinstance(answer, rules.Invalid):
        await message.answer(answer.reason.render(_))
        return
    await state.update_data(full_name=answer.value)
    await _next(message, state, units, Registration.full_name)


@router.message(Registration.unit, F.text, NOT_A_COMMAND)
async def got_unit_query(message: Message, units: UnitDirectory) -> None:
    """Search the units by the typed part of a name and offer the matches."""
    query = (message.text or "").strip()
    result = units.search(query)
    if result.match is Match.NONE:
        await message.answer(
            _(
                "No commune or ward matches “{query}”. Check the spelling and type part of "
                "the name again, for example: Cầu Giấy."
            ).format(query=html.quote(shorten(query, 50)))
        )
        return
    if result.match is Match.TOO_MANY:
        await message.answer(
            _("{count} units match “{query}”. Please type a few more letters of the name.").format(
                count=result.total, query=html.quote(shorten(query, 50))
            )
        )
        return
    rows = [[button(unit.name, RegUnit(code=unit.code))] for unit in result.units]
    note = search_note(result, query)
    await message.answer(
        (note + "\n" if note else "") + _("Press your unit (or type another name):"),
        reply_markup=inline(*rows, _nav(first=False)),
    )


@router.callback_query(Registration.unit, RegUnit.filter())
async def got_unit(
    query: CallbackQuery, callback_data: RegUnit, state: FSMContext, units: UnitDirectory
) -> None:
    """A unit was pressed."""
    unit = units.get(callback_data.code)
    if unit is None or not isinstance(query.message, Message):
        await query.answer(_("This unit is not in the list. Please type its name again."))
        return
    await query.answer()
    await state.update_data(unit_code=unit.code)
    await query.message.edit_text(
        _("Unit: {value}").format(value=html.quote(unit.name)) + " ✓", reply_markup=None
    )
    await _next(query.message, state, units, Registration.unit)


@router.message(Registration.position, F.text, NOT_A_COMMAND)
async def got_position(message: Message, state: FSMContext, units: UnitDirectory) -> None:
    """Check the typed position."""
    answer = rules.parse_position(message.text or "")
    if isinstance(answer, rules.Invalid):
        await message.answer(answer.reason.render(_))
        return
    await state.update_data(position=answer.value)
    await _next(message, state, units, Registration.position)


@router.message(Registration.phone, F.text == __("❌ Cancel"))
async def cancel_by_button(message: Message, state: FSMContext) -> None:
    """The Hủy button of the phone keyboard."""
    await state.clear()
    await message.answer(_("Cancelled. Nothing was sent."), reply_markup=ReplyKeyboardRemove())


@router.message(Registration.phone, F.contact)
async def got_contact(message: Message, state: FSMContext, units: UnitDirectory) -> None:
    """A shared contact: it must be the user's own."""
    contact = message.contact
    assert contact is not None
    if message.from_user is None or contact.user_id != message.from_user.id:
        await message.answer(_("Please share your own number with the button below, or type it."))
        return
    raw = contact.phone_number
    phone = parse_phone(raw if raw.startswith("+") else "+" + raw.lstrip("0"))
    if phone is None:
        await message.answer(
            _("That number is not a Vietnamese phone number. Please type your Vietnamese number.")
        )
        return
    await state.update_data(phone=phone, phone_verified=True)
    await message.answer(
        _("Phone: {value}").format(value=format_phone(phone)) + " ✓",
        reply_markup=ReplyKeyboardRemove(),
    )
    await _next(message, state, units, Registration.phone)


@router.message(Registration.phone, F.text, NOT_A_COMMAND)
async def got_typed_phone(message: Message, state: FSMContext, units: UnitDirectory) -> None:
    """A typed number."""
    answer = rules.parse_typed_phone(message.text or "")
    if isinstance(answer, rules.Invalid):
        await message.answer(answer.reason.render(_))
        return
    await state.update_data(phone=answer.value, phone_verified=False)
    await message.answer(
        _("Phone: {value}").format(value=phone_label(answer.value, verified=False)) + " ✓",
        reply_markup=ReplyKeyboardRemove(),
    )
    await _next(message, state, units, Registration.phone)


WRONG_KIND = {
    Registration.full_name.state: __(
        "Please type your full name as text, for example: Nguyễn Văn An."
    ),
    Registration.unit.state: __("Please type part of your unit's name, for example: Cầu Giấy."),
    Registration.position.state: __("Please type your position as text."),
    Registration.phone.state: __(
        "Please press the button below to share your phone number, or type it like 0912 345 678."
    ),
    Registration.review.state: __("Please press Submit, Edit or Cancel under your registration."),
}


@router.message(Registration.review, NOT_A_COMMAND)
@router.message(Registration.full_name, NOT_A_COMMAND)
@router.message(Registration.unit, NOT_A_COMMAND)
@router.message(Registration.position, NOT_A_COMMAND)
@router.message(Registration.phone, NOT_A_COMMAND)
async def wrong_kind(message: Message, state: FSMContext) -> None:
    """A sticker, photo, voice... where something else was asked: say what is expected."""
    current = await state.get_state()
    await message.answer(str(WRONG_KIND.get(current or "", _("Please answer the question above."))))


# --- buttons ---------------------------------------------------------------------------------


@router.callback_query(Registration.review, RegAction.filter(F.action == "submit"))
async def submit(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    user: User | None,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Store the registration (pending) and only then confirm it."""
    data = await state.get_data()
    stored = await users.submit_registration(
        session,
        query.from_user.id,
        full_name=data["full_name"],
        unit_code=data["unit_code"],
        position=data["position"],
        phone=data["phone"],
        telegram_name=query.from_user.full_name,
        locale=i18n.current_locale,
        phone_verified=bool(data.get("phone_verified", False)),
    )
    if stored is not None:
        # Owed, not sent: committed with the registration (see handlers.reviews).
        owed.owe_text(
            session,
            query.from_user.id,
            _(
                "✅ Your registration has been sent. The department will check it; "
                "you will get a message here as soon as it is approved."
            ),
            kind="registration.sent",
            locale=i18n.current_locale,
        )
        await notify_approvers(session, i18n, settings, units, stored)
    await session.commit()
    await state.clear()
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await edit_markup(bot, query.message.chat.id, query.message.message_id, None)
    if stored is None:
        await query.message.answer(_("Your registration is already waiting for approval."))


@router.callback_query(Registration.review, RegAction.filter(F.action == "edit"))
async def choose_field(query: CallbackQuery) -> None:
    """Offer the fields to change."""
    await query.answer()
    markup = inline(
        [
            button(_("Full name"), RegAction(action="field", field="full_name")),
            button(_("Unit"), RegAction(action="field", field="unit")),
        ],
        [
            button(_("Position"), RegAction(action="field", field="position")),
            button(_("Phone"), RegAction(action="field", field="phone")),
        ],
        [button(back_label(), RegAction(action="review"))],
    )
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=markup)


@router.callback_query(Registration.review, RegAction.filter(F.action == "field"))
async def edit_field(query: CallbackQuery, callback_data: RegAction, state: FSMContext) -> None:
    """Ask one field again, then come back to the review."""
    step = FIELD_STATE.get(callback_data.field)
    if step is None or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    await state.update_data(editing=True)
    await ask(query.message, state, step)


@router.callback_query(Registration.review, RegAction.filter(F.action == "review"))
async def back_to_review(query: CallbackQuery, state: FSMContext, units: UnitDirectory) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await show_review(query.message, state, units)


@router.callback_query(RegAction.filter(F.action == "back"))
async def back(query: CallbackQuery, state: FSMContext, units: UnitDirectory) -> None:
    """One step up; on the review screen's edit, back to the review."""
    current = await state.get_state()
    steps = [s.state for s in STEPS]
    if current not in steps or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    data = await state.get_data()
    if data.get("editing"):
        await show_review(query.message, state, units)
        return
    index = steps.index(current)
    if current == Registration.phone.state:
        await query.message.answer(_("Going back."), reply_markup=ReplyKeyboardRemove())
    await ask(query.message, state, STEPS[max(index - 1, 0)])


@router.callback_query(RegAction.filter(F.action == "cancel"))
async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    """Hủy on any step."""
    current = await state.get_state()
    if current not in {s.state for s in Registration.__all_states__}:
        await query.answer(_("This button is no longer active."))
        return
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _("Registration cancelled. Nothing was sent. You can start again with /dangky."),
            reply_markup=ReplyKeyboardRemove(),
        )

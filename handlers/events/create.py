"""/sukien → Tạo sự kiện mới: staff create and publish an event, one question at a time.

```mermaid
stateDiagram-v2
    [*] --> kind: /sukien → ➕ Tạo sự kiện mới
    kind --> title: a kind pressed
    title --> starts
    starts --> ends: a date and time still to come
    ends --> place: after the start (a time alone = the same day)
    place --> seats
    seats --> deadline: a number ≥ 1 (courses must; others may Bỏ qua)
    deadline --> invite: not past, not after the start (typed, or a suggestion pressed)
    invite --> units: Chọn đơn vị
    units --> units: type part of a name, press units to add / remove
    units --> description: Xong
    invite --> description: Tất cả cán bộ
    description --> review: text, or Bỏ qua
    review --> kind: Sửa → a field (then back to the review; what a change makes wrong is asked again)
    review --> [*]: Công bố (stored, committed, announced through the broadcast engine)
    kind --> [*]: Hủy or /huy (from any step)
```
Every wrong input is explained and the step asked again; Quay lại goes one step up.
The rules (what a valid start, end, deadline or number of seats is) are in
`bot.domain.events`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain import events as rules
from bot.domain.events import EventKind, Ok, Problem
from bot.domain.text import N_, Text, shorten
from bot.domain.units import Match, UnitDirectory
from bot.events import notices, render
from bot.events.notices import Waker
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from handlers.editing import edit_markup
from handlers.events.common import notice_buttons
from handlers.events.manage import send_card
from handlers.keyboards import back_label, button, cancel_label, inline
from handlers.unit_search import search_note
from storage.repositories import audit, events
from storage.repositories.events import EventDraft

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


class NewEvent(StatesGroup):
    kind = State()
    title = State()
    starts = State()
    ends = State()
    place = State()
    seats = State()
    deadline = State()
    invite = State()
    units = State()
    description = State()
    review = State()


class NewCb(CallbackData, prefix="nev"):
    a: str  # kind, back, cancel, skip, deadline, all, pick, unit, done, publish, edit, field, review
    v: str = ""


STEPS = [
    NewEvent.kind,
    NewEvent.title,
    NewEvent.starts,
    NewEvent.ends,
    NewEvent.place,
    NewEvent.seats,
    NewEvent.deadline,
    NewEvent.invite,
    NewEvent.description,
]
BY_NAME = {(step.state or ":").split(":")[1]: step for step in [*STEPS, NewEvent.units]}
FIELD_LABELS = {
    "kind": N_("Kind"),
    "title": N_("Title"),
    "starts": N_("Start"),
    "ends": N_("End"),
    "place": N_("Place"),
    "seats": N_("Seats"),
    "deadline": N_("Sign-up deadline"),
    "invite": N_("Invited"),
    "description": N_("Description"),
}


def _name(step: State) -> str:
    return (step.state or "").split(":")[1]


def _moment(data: dict[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    return datetime.fromisoformat(value) if value else None


def _nav(step: State, *, skip: bool = False) -> list[InlineKeyboardButton]:
    row = [] if step is NewEvent.kind else [button(back_label(), NewCb(a="back"))]
    if skip:
        row.append(button(_("⏭ Skip"), NewCb(a="skip")))
    return [*row, button(cancel_label(), NewCb(a="cancel"))]


async def begin(bot: Bot, chat_id: int, state: FSMContext, clock: Clock) -> None:
    """A new draft, then its first question."""
    await state.set_state(NewEvent.kind)
    await state.set_data({"token": str(uuid.uuid4()), "units": [], "editing": False})
    await ask(bot, chat_id, state, NewEvent.kind, clock)


async def ask(bot: Bot, chat_id: int, state: FSMContext, step: State, clock: Clock) -> None:
    """Put the dialog on `step` and ask its question (with its buttons)."""
    data = await state.get_data()
    now = clock.now()
    tz = clock.tz
    header = _("New event · step {n} of {total}").format(
        n=STEPS.index(step) + 1 if step in STEPS else STEPS.index(NewEvent.invite) + 1,
        total=len(STEPS),
    )
    rows: list[list[InlineKeyboardButton]] = []
    if step is NewEvent.kind:
        text = _("What kind of event is it?")
        rows = [
            [button(_(label), NewCb(a="kind", v=kind.value))]
            for kind, label in rules.KIND_LABELS.items()
        ]
        rows.append(_nav(step))
    elif step is NewEvent.title:
        text = _("The title, for example: Lớp bồi dưỡng kiến thức sở hữu trí tuệ năm 2026.")
        rows = [_nav(step)]
    elif step is NewEvent.starts:
        text = _("When does it start? Type the date and time, for example {example}.").format(
            example=rules.example_moment(now)
        )
        rows = [_nav(step)]
    elif step is NewEvent.ends:
        text = _(
            "When does it end? A time alone means the same day (for example 11:30); "
            "or type a date and time."
        )
        rows = [_nav(step)]
    elif step is NewEvent.place:
        text = _("Where? For example: Hội trường Sở KH&CN, tầng 3.")
        rows = [_nav(step)]
    elif step is NewEvent.seats:
        if rules.seats_required(EventKind(data["kind"])):
            text = _("How many seats does the course have? For example: 30.")
            rows = [_nav(step)]
        else:
            text = _("How many seats? Press Skip if there is no limit.")
            rows = [_nav(step, skip=True)]
    elif step is NewEvent.deadline:
        starts = _moment(data, "starts")
        assert starts is not None
        text = _(
            "Sign-up deadline? Type a date (it means 17:00 that day) or a date and time, "
            "or press one below."
        )
        choices = rules.deadline_choices(starts, now)
        rows = [
            [
                button(
                    (
                        _("Until the start ({value})")
                        if choice == starts
                        else _("The day before, {value}")
                    ).format(value=rules.format_moment(choice, tz)),
                    NewCb(a="deadline", v=str(int(choice.timestamp()))),
                )
            ]
            for choice in choices
        ]
        rows.append(_nav(step))
    elif step is NewEvent.invite:
        text = _("Who is invited?")
        rows = [
            [
                button(_("👥 All officers"), NewCb(a="all")),
                button(_("🏘 Chosen units"), NewCb(a="pick")),
            ],
            _nav(step),
        ]
    elif step is NewEvent.units:
        text = _units_text(data)
        rows = [_nav(step)]
        if data.get("units"):
            rows.insert(0, [_done_button(data)])
    else:
        text = _(
            "A short description: the programme, what to bring, whom to contact. Or press Skip."
        )
        rows = [_nav(step, skip=True)]
    sent = await bot.send_message(chat_id, f"<i>{header}</i>\n{text}", reply_markup=inline(*rows))
    await state.set_state(step)
    await state.update_data(qid=sent.message_id)


def _units_text(data: dict[str, Any]) -> str:
    chosen = data.get("unit_names") or {}
    names = ", ".join(chosen[code] for code in data.get("units", []) if code in chosen)
    return _(
        "Type part of a unit's name, then press the units to invite (press again to remove). "
        "Chosen: {units}"
    ).format(units=html.quote(names) if names else "—")


def _done_button(data: dict[str, Any]) -> InlineKeyboardButton:
    return button(_("✅ Done ({count})").format(count=len(data.get("units", []))), NewCb(a="done"))


def first_problem(data: dict[str, Any], now: datetime) -> tuple[State, Text] | None:
    """The first answer the others (or the clock) have made wrong, with what is wrong."""
    starts, ends, deadline = (_moment(data, k) for k in ("starts", "ends", "deadline"))
    kind = EventKind(data["kind"])
    if starts is None or starts <= now:
        return NewEvent.starts, Text(N_("The start has to be a time still to come."))
    if ends is None:
        return NewEvent.ends, Text(N_("Please type when it ends."))
    end_check = rules.check_end(starts, ends)
    if isinstance(end_check, Problem):
        return NewEvent.ends, end_check.reason
    if rules.seats_required(kind) and data.get("seats") is None:
        return NewEvent.seats, Text(N_("A training course needs a number of seats."))
    if deadline is None:
        return NewEvent.deadline, Text(N_("Please give the sign-up deadline."))
    deadline_check = rules.check_deadline(deadline, starts, now)
    if isinstance(deadline_check, Problem):
        return NewEvent.deadline, deadline_check.reason
    if not data.get("invite_all") and not data.get("units"):
        return NewEvent.invite, Text(N_("Please choose who is invited."))
    return None


async def _next(bot: Bot, chat_id: int, state: FSMContext, after: State, clock: Clock) -> None:
    """After answering `after`: the next step; when editing, what the change made wrong, or
    the review."""
    data = await state.get_data()
    if data.get("editing"):
        problem = first_problem(data, clock.now())
        if problem is None:
            await show_review(bot, chat_id, state, clock)
            return
        step, reason = problem
        await bot.send_message(chat_id, reason.render(_))
        await ask(bot, chat_id, state, step, clock)
        return
    if after is NewEvent.units:
        after = NewEvent.invite
    if after is STEPS[-1]:
        await show_review(bot, chat_id, state, clock)
        return
    await ask(bot, chat_id, state, STEPS[STEPS.index(after) + 1], clock)


def review_text(data: dict[str, Any], clock: Clock) -> str:
    tz = clock.tz
    starts, ends, deadline = (_moment(data, k) for k in ("starts", "ends", "deadline"))
    assert starts is not None and ends is not None and deadline is not None
    if data.get("invite_all"):
        invited = _("all officers")
    else:
        names = data.get("unit_names") or {}
        invited = ", ".join(names.get(code, code) for code in data.get("units", []))
    seats = data.get("seats")
    lines = [
        _("<b>Please check the event before publishing</b>"),
        _("Kind: {value}").format(value=_(rules.KIND_LABELS[EventKind(data["kind"])])),
        _("Title: {value}").format(value=html.quote(data["title"])),
        _("Time: {value}").format(value=rules.format_span(starts, ends, _, tz)),
        _("Place: {value}").format(value=html.quote(data["place"])),
        _("Seats: {value}").format(value=seats if seats is not None else _("no limit")),
        _("Sign-up deadline: {value}").format(value=rules.format_moment(deadline, tz)),
        _("Invited: {value}").format(value=html.quote(invited)),
    ]
    if data.get("description"):
        lines.append(_("Description: {value}").format(value=html.quote(data["description"])))
    lines += [
        "",
        _("Publishing sends the announcement with a sign-up button to the invited officers."),
    ]
    return "\n".join(lines)


def review_markup() -> InlineKeyboardMarkup:
    return inline(
        [button(_("📢 Publish"), NewCb(a="publish")), button(_("✏️ Edit"), NewCb(a="edit"))],
        [button(cancel_label(), NewCb(a="cancel"))],
    )


async def show_review(bot: Bot, chat_id: int, state: FSMContext, clock: Clock) -> None:
    data = await state.get_data()
    sent = await bot.send_message(chat_id, review_text(data, clock), reply_markup=review_markup())
    await state.set_state(NewEvent.review)
    await state.update_data(qid=sent.message_id, editing=False)


# --- typed answers ---------------------------------------------------------------------------


async def _take(
    message: Message, state: FSMContext, clock: Clock, step: State, result: Ok | Problem, key: str
) -> None:
    if isinstance(result, Problem):
        await message.answer(result.reason.render(_))
        return
    value = result.value
    stored = value.isoformat() if isinstance(value, datetime) else value
    await state.update_data({key: stored})
    bot = message.bot
    assert bot is not None
    data = await state.get_data()
    await edit_markup(bot, message.chat.id, data.get("qid"), None)
    await _next(bot, message.chat.id, state, step, clock)


@router.message(NewEvent.title, F.text)
async def got_title(message: Message, state: FSMContext, clock: Clock) -> None:
    result = rules.parse_text(
        message.text or "", longest=rules.TITLE_MAX, what=Text(N_("Please type the title."))
    )
    await _take(message, state, clock, NewEvent.title, result, "title")


@router.message(NewEvent.starts, F.text)
async def got_start(message: Message, state: FSMContext, clock: Clock) -> None:
    await _take(
        message,
        state,
        clock,
        NewEvent.starts,
        rules.parse_start(message.text or "", clock.now()),
        "starts",
    )


@router.message(NewEvent.ends, F.text)
async def got_end(message: Message, state: FSMContext, clock: Clock) -> None:
    starts = _moment(await state.get_data(), "starts")
    assert starts is not None
    result = rules.parse_end(message.text or "", starts, clock.now())
    await _take(message, state, clock, NewEvent.ends, result, "ends")


@router.message(NewEvent.place, F.text)
async def got_place(message: Message, state: FSMContext, clock: Clock) -> None:
    result = rules.parse_text(
        message.text or "", longest=rules.PLACE_MAX, what=Text(N_("Please type the place."))
    )
    await _take(message, state, clock, NewEvent.place, result, "place")


@router.message(NewEvent.seats, F.text)
async def got_seats(message: Message, state: FSMContext, clock: Clock) -> None:
    kind = EventKind((await state.get_data())["kind"])
    result = rules.parse_seats(message.text or "", kind)
    await _take(message, state, clock, NewEvent.seats, result, "seats")


@router.message(NewEvent.deadline, F.text)
async def got_deadline(message: Message, state: FSMContext, clock: Clock) -> None:
    starts = _moment(await state.get_data(), "starts")
    assert starts is not None
    result = rules.parse_deadline(message.text or "", starts, clock.now())
    await _take(message, state, clock, NewEvent.deadline, result, "deadline")


@router.message(NewEvent.description, F.text)
async def got_description(message: Message, state: FSMContext, clock: Clock) -> None:
    result = rules.parse_text(
        message.text or "",
        longest=rules.DESCRIPTION_MAX,
        what=Text(N_("Please type a short description, or press Skip.")),
    )
    await _take(message, state, clock, NewEvent.description, result, "description")


@router.message(NewEvent.units, F.text)
async def got_unit_query(message: Message, state: FSMContext, units: UnitDirectory) -> None:
    """Search the units by the typed part of a name and offer the matches as toggles."""
    query = (message.text or "").strip()
    result = units.search(query)
    if result.match is Match.NONE:
        await message.answer(
            _(
                "No unit matches “{query}”. Type part of the name again, for example: Cầu Giấy."
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
    data = await state.get_data()
    names = dict(data.get("unit_names") or {})
    names.update({unit.code: unit.name for unit in result.units})
    await state.update_data(unit_names=names, shown=[u.code for u in result.units])
    bot = message.bot
    assert bot is not None
    await edit_markup(bot, message.chat.id, data.get("qid"), None)
    note = search_note(result, query)
    sent = await message.answer(
        (note + "\n" if note else "") + _units_text({**data, "unit_names": names}),
        reply_markup=_unit_markup({**data, "shown": [u.code for u in result.units]}, names),
    )
    await state.update_data(qid=sent.message_id)


def _unit_markup(data: dict[str, Any], names: dict[str, str]) -> InlineKeyboardMarkup:
    chosen = set(data.get("units", []))
    rows = [
        [button(("✓ " if code in chosen else "") + names.get(code, code), NewCb(a="unit", v=code))]
        for code in data.get("shown", [])
    ]
    if chosen:
        rows.append([_done_button(data)])
    rows.append(_nav(NewEvent.units))
    return inline(*rows)


TYPE_THIS = {
    NewEvent.title.state: N_("Please type the title as text."),
    NewEvent.starts.state: N_("Please type the start as text, for example 02/12/2026 08:00."),
    NewEvent.ends.state: N_("Please type the end as text, for example 11:30."),
    NewEvent.place.state: N_("Please type the place as text."),
    NewEvent.seats.state: N_("Please type the number of seats, for example 30."),
    NewEvent.deadline.state: N_("Please type the deadline as text, or press a button above."),
    NewEvent.units.state: N_("Please type part of a unit's name."),
    NewEvent.description.state: N_("Please type the description as text, or press Skip."),
}


@router.message(StateFilter(NewEvent))
async def wrong_kind(message: Message, state: FSMContext) -> None:
    """A sticker where text was asked, or typing where a button is awaited."""
    current = await state.get_state() or ""
    await message.answer(_(TYPE_THIS.get(current, N_("Please press one of the buttons above."))))


# --- buttons ---------------------------------------------------------------------------------


async def _current(query: CallbackQuery, state: FSMContext) -> dict[str, Any] | None:
    """The draft, if the pressed button belongs to the question asked now."""
    data = await state.get_data()
    message = query.message
    if (
        await state.get_state() not in {s.state for s in NewEvent.__all_states__}
        or message is None
        or message.message_id != data.get("qid")
    ):
        await query.answer(_("This question was already answered."))
        return None
    return data


def _ids(query: CallbackQuery) -> tuple[Bot, int, int]:
    assert query.bot is not None and query.message is not None
    return query.bot, query.message.chat.id, query.message.message_id


@router.callback_query(NewCb.filter(F.a == "kind"))
async def pressed_kind(
    query: CallbackQuery, callback_data: NewCb, state: FSMContext, clock: Clock
) -> None:
    data = await _current(query, state)
    if data is None or callback_data.v not in {k.value for k in EventKind}:
        return
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    kind = EventKind(callback_data.v)
    await edit_markup(bot, chat_id, message_id, None)
    await bot.send_message(chat_id, "✓ " + _(rules.KIND_LABELS[kind]))
    await state.update_data(kind=kind.value)
    await _next(bot, chat_id, state, NewEvent.kind, clock)


@router.callback_query(NewCb.filter(F.a == "deadline"))
async def pressed_deadline(
    query: CallbackQuery, callback_data: NewCb, state: FSMContext, clock: Clock
) -> None:
    data = await _current(query, state)
    # A timestamp of at most 11 digits (a forged longer one would overflow datetime).
    if data is None or not callback_data.v.isdigit() or len(callback_data.v) > 11:
        return
    starts = _moment(data, "starts")
    assert starts is not None
    chosen = datetime.fromtimestamp(int(callback_data.v), clock.tz)
    result = rules.check_deadline(chosen, starts, clock.now())
    if isinstance(result, Problem):
        await query.answer(result.reason.render(_), show_alert=True)
        return
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    await edit_markup(bot, chat_id, message_id, None)
    await bot.send_message(chat_id, "✓ " + rules.format_moment(chosen, clock.tz))
    await state.update_data(deadline=chosen.isoformat())
    await _next(bot, chat_id, state, NewEvent.deadline, clock)


@router.callback_query(NewCb.filter(F.a.in_({"all", "pick"})))
async def pressed_invite(
    query: CallbackQuery, callback_data: NewCb, state: FSMContext, clock: Clock
) -> None:
    data = await _current(query, state)
    if data is None:
        return
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    await edit_markup(bot, chat_id, message_id, None)
    if callback_data.a == "all":
        await state.update_data(invite_all=True, units=[])
        await _next(bot, chat_id, state, NewEvent.invite, clock)
        return
    await state.update_data(invite_all=False)
    await ask(bot, chat_id, state, NewEvent.units, clock)


@router.callback_query(NewEvent.units, NewCb.filter(F.a == "unit"))
async def pressed_unit(
    query: CallbackQuery, callback_data: NewCb, state: FSMContext, units: UnitDirectory
) -> None:
    """Add or remove a unit; the buttons change in place."""
    data = await _current(query, state)
    if data is None:
        return
    if units.get(callback_data.v) is None:
        await query.answer(_("This unit is not in the list. Please type its name again."))
        return
    chosen = list(data.get("units", []))
    if callback_data.v in chosen:
        chosen.remove(callback_data.v)
    else:
        chosen.append(callback_data.v)
    await state.update_data(units=chosen)
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    names = dict(data.get("unit_names") or {})
    await edit_markup(bot, chat_id, message_id, _unit_markup({**data, "units": chosen}, names))


@router.callback_query(NewEvent.units, NewCb.filter(F.a == "done"))
async def pressed_done(query: CallbackQuery, state: FSMContext, clock: Clock) -> None:
    data = await _current(query, state)
    if data is None:
        return
    if not data.get("units"):
        await query.answer(_("Please choose at least one unit."), show_alert=True)
        return
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    await edit_markup(bot, chat_id, message_id, None)
    await _next(bot, chat_id, state, NewEvent.units, clock)


@router.callback_query(NewCb.filter(F.a == "skip"))
async def pressed_skip(query: CallbackQuery, state: FSMContext, clock: Clock) -> None:
    """Bỏ qua: only where the answer is optional (seats of a non-course, description)."""
    data = await _current(query, state)
    if data is None:
        return
    current = await state.get_state()
    step = BY_NAME.get((current or ":").split(":")[1])
    optional = step is NewEvent.description or (
        step is NewEvent.seats and not rules.seats_required(EventKind(data["kind"]))
    )
    if step is None or not optional:
        await query.answer(_("This question can't be skipped."), show_alert=True)
        return
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    await edit_markup(bot, chat_id, message_id, None)
    await state.update_data({_name(step): None})
    await _next(bot, chat_id, state, step, clock)


@router.callback_query(NewCb.filter(F.a == "back"))
async def pressed_back(query: CallbackQuery, state: FSMContext, clock: Clock) -> None:
    """Quay lại: one step up (from an edited field: back to the review)."""
    data = await _current(query, state)
    if data is None:
        return
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    await edit_markup(bot, chat_id, message_id, None)
    current = BY_NAME.get((await state.get_state() or ":").split(":")[1])
    if data.get("editing") and first_problem(data, clock.now()) is None:
        await show_review(bot, chat_id, state, clock)
        return
    if current is NewEvent.units:
        await ask(bot, chat_id, state, NewEvent.invite, clock)
        return
    index = STEPS.index(current) if current in STEPS else 1
    await ask(bot, chat_id, state, STEPS[max(index - 1, 0)], clock)


@router.callback_query(NewCb.filter(F.a == "cancel"))
async def pressed_cancel(query: CallbackQuery, state: FSMContext) -> None:
    data = await _current(query, state)
    if data is None:
        return
    await state.clear()
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    await edit_markup(bot, chat_id, message_id, None)
    await bot.send_message(chat_id, _("Cancelled. Nothing was published."))


@router.callback_query(NewEvent.review, NewCb.filter(F.a == "edit"))
async def pressed_edit(query: CallbackQuery, state: FSMContext) -> None:
    """Sửa: the fields to change."""
    data = await _current(query, state)
    if data is None:
        return
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    names = list(FIELD_LABELS)
    rows = [
        [button(_(FIELD_LABELS[name]), NewCb(a="field", v=name)) for name in names[i : i + 3]]
        for i in range(0, len(names), 3)
    ]
    rows.append([button(back_label(), NewCb(a="review"))])
    await edit_markup(bot, chat_id, message_id, inline(*rows))


@router.callback_query(NewEvent.review, NewCb.filter(F.a.in_({"field", "review"})))
async def pressed_field(
    query: CallbackQuery, callback_data: NewCb, state: FSMContext, clock: Clock
) -> None:
    data = await _current(query, state)
    if data is None:
        return
    await query.answer()
    bot, chat_id, message_id = _ids(query)
    if callback_data.a == "review" or callback_data.v not in FIELD_LABELS:
        await edit_markup(bot, chat_id, message_id, review_markup())
        return
    await edit_markup(bot, chat_id, message_id, None)
    await state.update_data(editing=True)
    await ask(bot, chat_id, state, BY_NAME[callback_data.v], clock)


@router.callback_query(NewEvent.review, NewCb.filter(F.a == "publish"))
async def pressed_publish(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
    units: UnitDirectory,
    broadcasts: Waker | None = None,
) -> None:
    """Công bố: store the event and queue its announcement, commit, and only then confirm."""
    data = await _current(query, state)
    if data is None:
        return
    bot, chat_id, message_id = _ids(query)
    now = clock.now()
    problem = first_problem(data, now)
    if problem is not None:  # time went by on the review screen
        await query.answer()
        await edit_markup(bot, chat_id, message_id, None)
        step, reason = problem
        await state.update_data(editing=True)
        await bot.send_message(chat_id, reason.render(_))
        await ask(bot, chat_id, state, step, clock)
        return
    draft = _draft(data)
    event, new = await events.create_event(
        session, draft, created_by=query.from_user.id, token=data["token"], now=now
    )
    reached = 0
    if new:
        audit.record(session, query.from_user.id, "event_publish", str(event.id))
        people = await events.invitees(session, event)
        with i18n.use_locale(settings.default_locale):
            text = render.announcement(event, _, settings.tz)
            buttons = notices.keyboard(*notice_buttons(event, _))
        reached = await notices.queue(
            session,
            created_by=query.from_user.id,
            text=text,
            recipients=people,
            event_id=event.id,
            buttons=buttons,
            key=f"event-announcement:{event.id}",
            report_chat_id=chat_id,
        )
    await session.commit()
    notices.wake(broadcasts)
    await state.clear()
    await query.answer()
    await edit_markup(bot, chat_id, message_id, None)
    if not new:
        await bot.send_message(
            chat_id, _("This event was already published (#{id}).").format(id=event.id)
        )
        return
    if reached:
        text = _(
            "📢 Published (#{id}). The announcement is on its way to {count} officers."
        ).format(id=event.id, count=reached)
    else:
        text = _(
            "📢 Published (#{id}), but no approved officer is invited yet: nobody was told. "
            "Officers who register later see it in /lophoc."
        ).format(id=event.id)
    await bot.send_message(chat_id, text)
    await send_card(bot, chat_id, session, event, units, settings)


def _draft(data: dict[str, Any]) -> EventDraft:
    starts, ends, deadline = (_moment(data, k) for k in ("starts", "ends", "deadline"))
    assert starts is not None and ends is not None and deadline is not None
    return EventDraft(
        kind=EventKind(data["kind"]),
        title=data["title"],
        starts_at=starts,
        ends_at=ends,
        place=data["place"],
        seats=data.get("seats"),
        signup_deadline=deadline,
        invite_all=bool(data.get("invite_all")),
        unit_codes=tuple(data.get("units") or ()),
        description=data.get("description"),
    )

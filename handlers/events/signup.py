"""/lophoc and the officers' buttons: Đăng ký, Hủy đăng ký, and a unit's Tham dự / Vắng mặt.

```mermaid
stateDiagram-v2
    [*] --> card: /lophoc (one card per event) or the announcement
    card --> confirmed: Đăng ký, a seat is free
    card --> waiting: Đăng ký, the course is full (position told)
    card --> card: refused (deadline, not invited, closed...): the reason, nothing changes
    confirmed --> ask_leave: Hủy đăng ký
    waiting --> ask_leave: Rời danh sách chờ
    ask_leave --> [*]: Có, hủy (a freed seat goes to the first one waiting, told at once)
    ask_leave --> confirmed: Không
    card --> attends: conference, Tham dự (the officer attends, or Đổi người tham dự)
    card --> absent: conference, Vắng mặt
    attends --> names: Đổi người tham dự → type the names
    names --> attends
```
Every decision is committed before it is told; the press-order lock (PressOrder) is let
go right after the commit, so replies don't hold up the next press.
"""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain import events as rules
from bot.domain.events import EventKind, SignupStatus
from bot.domain.text import N_, Text
from bot.events import render
from bot.middlewares.callback_answers import alert
from bot.middlewares.press_order import PressTurn
from bot.roles import OFFICER_LEVELS, HasAccess
from bot.settings import Settings
from handlers.editing import edit_markup
from handlers.events.common import (
    EventAction,
    EventCb,
    SignupAction,
    SignupCb,
    leave_buttons,
    officer_buttons,
    tell_promoted,
)
from handlers.keyboards import button, inline
from storage.models import Event, EventSignup, User
from storage.repositories import events
from storage.repositories.events import Outcome

router = Router(name=__name__)
router.message.filter(HasAccess(*OFFICER_LEVELS))
router.callback_query.filter(HasAccess(*OFFICER_LEVELS))

LIST_MAX = 10


class Attendees(StatesGroup):
    names = State()


async def card(
    session: AsyncSession, event: Event, user: User, clock: Clock, settings: Settings
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One event as this officer sees it, with the buttons for their state."""
    now = clock.now()
    counts = await events.counts(session, event.id)
    if event.kind is EventKind.CONFERENCE and user.unit_code:
        mine = await events.unit_answer(session, event.id, user.unit_code)
    else:
        mine = await events.signup_of(session, event.id, user.id)
    position = 0
    if mine is not None and mine.status is SignupStatus.WAITING:
        position = await events.waiting_position(session, mine)
    invited = await events.is_invited(session, event, user.unit_code)
    open_for_me = rules.signup_refusal(event, now, invited) is None
    full = rules.seats_left(event.seats, counts.confirmed) == 0
    text = render.officer_card(event, counts, mine, position, _, settings.tz)
    return text, officer_buttons(event, mine, full, open_for_me)


@router.message(Command("lophoc"))
async def list_events(
    message: Message, session: AsyncSession, user: User, clock: Clock, settings: Settings
) -> None:
    """The events open to the officer's unit (and those they signed up for), soonest first."""
    found = await events.officer_events(session, user.id, user.unit_code, clock.now(), LIST_MAX)
    if not found:
        await message.answer(
            _(
                "No training course or event is open to your unit right now. You will get a notice when one is announced."
            )
        )
        return
    await message.answer(
        _("<b>Courses and events for you</b> ({count}), soonest first:").format(count=len(found))
    )
    for event in found:
        text, markup = await card(session, event, user, clock, settings)
        await message.answer(text, reply_markup=markup)


def _chat_id(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message is not None else query.from_user.id


def _release(turn: PressTurn | None) -> None:
    if turn is not None:
        turn.release()


def _refused(answer: CallbackAnswer, reason: Text) -> None:
    alert(answer, reason.render(_))


def _signed_up_text(event: Event, outcome: Outcome, settings: Settings) -> str:
    title = html.quote(event.title)
    if outcome.signup is not None and outcome.signup.status is SignupStatus.WAITING:
        return _(
            "⏳ <b>{title}</b> is full. You are number <b>{position}</b> on the waiting list; "
            "when a seat frees up, the first one waiting moves up and is told at once."
        ).format(title=title, position=outcome.position)
    return "\n".join(
        [
            _("✅ You are signed up for <b>{title}</b> and have a seat.").format(title=title),
            _("🕗 {value}").format(value=render.when(event, _, settings.tz)),
            _("📍 {value}").format(value=html.quote(event.place)),
            _("You will be reminded a day and an hour before."),
        ]
    )


@router.callback_query(EventCb.filter(F.action == EventAction.JOIN))
async def join(
    query: CallbackQuery,
    callback_data: EventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    user: User,
    clock: Clock,
    settings: Settings,
    bot: Bot,
    press_turn: PressTurn | None = None,
) -> None:
    """Đăng ký: a seat, or the waiting list; decided and committed before it is told."""
    outcome = await events.sign_up(session, callback_data.id, user, clock.now())
    await session.commit()
    _release(press_turn)
    if outcome.refused is not None or outcome.event is None or outcome.signup is None:
        _refused(callback_answer, outcome.refused or events.NOT_FOUND)
        return
    if outcome.already:
        if outcome.signup.status is SignupStatus.WAITING:
            text = _("You are already number {position} on the waiting list.").format(
                position=outcome.position
            )
        else:
            text = _("You are already signed up and have a seat.")
        alert(callback_answer, text)
        return
    await bot.send_message(
        _chat_id(query),
        _signed_up_text(outcome.event, outcome, settings),
        reply_markup=leave_buttons(outcome.signup),
    )


async def _own_live_signup(
    answer: CallbackAnswer, session: AsyncSession, signup_id: int, user: User, clock: Clock
) -> tuple[Event, EventSignup] | None:
    """The pressed sign-up if it is the presser's and can still be cancelled; else say why."""
    signup = await events.get_signup(session, signup_id)
    if signup is None or signup.user_id != user.id:
        alert(answer, _("This sign-up is not yours."))
        return None
    event = await events.get_event(session, signup.event_id)
    if event is None:
        _refused(answer, events.NOT_FOUND)
        return None
    if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITING):
        alert(answer, _("You are not signed up for this event any more."))
        return None
    refusal = rules.cancel_refusal(event, clock.now())
    if refusal is not None:
        _refused(answer, refusal)
        return None
    return event, signup


@router.callback_query(SignupCb.filter(F.action == SignupAction.LEAVE))
async def ask_leave(
    query: CallbackQuery,
    callback_data: SignupCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    """Hủy đăng ký: asks first, in place, since a seat given up goes to someone else."""
    found = await _own_live_signup(callback_answer, session, callback_data.id, user, clock)
    if found is None:
        return
    _event, signup = found
    if query.message is not None and query.bot is not None:
        await edit_markup(
            query.bot,
            query.message.chat.id,
            query.message.message_id,
            inline(
                [
                    button(_("🗑 Yes, cancel it"), _on_signup(SignupAction.DROP, signup)),
                    button(_("↩️ No, keep it"), _on_signup(SignupAction.KEEP, signup)),
                ]
            ),
        )
    # The question comes once its buttons are there.
    callback_answer.text = (
        _("Leave the waiting list for this event?")
        if signup.status is SignupStatus.WAITING
        else _("Cancel your sign-up? Your seat goes to the first one waiting.")
    )


def _on_signup(action: SignupAction, signup: EventSignup) -> SignupCb:
    return SignupCb(action=action, id=signup.id, event_id=signup.event_id)


@router.callback_query(SignupCb.filter(F.action == SignupAction.KEEP))
async def keep(
    query: CallbackQuery,
    callback_data: SignupCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    """Không: the sign-up stays; the button comes back."""
    found = await _own_live_signup(callback_answer, session, callback_data.id, user, clock)
    if found is None:
        return
    if query.message is not None and query.bot is not None:
        await edit_markup(
            query.bot, query.message.chat.id, query.message.message_id, leave_buttons(found[1])
        )
    callback_answer.text = _("Your sign-up stays.")


@router.callback_query(SignupCb.filter(F.action == SignupAction.DROP))
async def drop(
    query: CallbackQuery,
    callback_data: SignupCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    user: User,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
    press_turn: PressTurn | None = None,
) -> None:
    """Có, hủy: cancelled; the first one waiting moves up in the same transaction."""
    outcome = await events.cancel_signup(session, callback_data.id, user, clock.now())
    if outcome.event is not None and outcome.promoted:
        await tell_promoted(session, i18n, settings, outcome.event, outcome.promoted)
    await session.commit()
    _release(press_turn)
    if outcome.refused is not None or outcome.event is None:
        _refused(callback_answer, outcome.refused or events.NOT_FOUND)
        return
    if outcome.already:
        alert(callback_answer, _("You are not signed up for this event any more."))
        return
    if query.message is not None:
        await edit_markup(bot, query.message.chat.id, query.message.message_id, None)
    await bot.send_message(
        _chat_id(query),
        _("Cancelled: you are no longer signed up for <b>{title}</b>.").format(
            title=html.quote(outcome.event.title)
        ),
    )


# --- conferences: the unit's answer ----------------------------------------------------------


def _answer_text(event: Event, outcome: Outcome) -> str:
    title = html.quote(event.title)
    signup = outcome.signup
    assert signup is not None
    if signup.status is SignupStatus.ABSENT:
        return _("🚫 Recorded: your unit will not attend <b>{title}</b>.").format(title=title)
    if signup.status is SignupStatus.WAITING:
        return _(
            "⏳ <b>{title}</b> is full. Your unit is number <b>{position}</b> on the waiting list."
        ).format(title=title, position=outcome.position)
    return _(
        "✅ Recorded: your unit attends <b>{title}</b>. Attending: {who}.\n"
        "If someone else goes, press Change who attends."
    ).format(title=title, who=html.quote(signup.attendees or ""))


def _answer_buttons(event: Event, signup: EventSignup) -> InlineKeyboardMarkup:
    if signup.status is SignupStatus.ABSENT:
        return inline([button(_("✅ Attend"), EventCb(action=EventAction.ATTEND, id=event.id))])
    return inline(
        [button(_("👥 Change who attends"), EventCb(action=EventAction.WHO, id=event.id))],
        [button(_("🚫 Absent"), EventCb(action=EventAction.ABSENT, id=event.id))],
    )


async def _answer(
    session: AsyncSession,
    bot: Bot,
    chat_id: int,
    event_id: int,
    user: User,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
    *,
    attending: bool,
    attendees: str | None,
    turn: PressTurn | None = None,
) -> Outcome:
    outcome = await events.answer_for_unit(
        session, event_id, user, clock.now(), attending=attending, attendees=attendees
    )
    if outcome.event is not None and outcome.promoted:
        await tell_promoted(session, i18n, settings, outcome.event, outcome.promoted)
    await session.commit()
    _release(turn)
    if outcome.refused is None and outcome.event is not None and outcome.signup is not None:
        await bot.send_message(
            chat_id,
            _answer_text(outcome.event, outcome),
            reply_markup=_answer_buttons(outcome.event, outcome.signup),
        )
    return outcome


@router.callback_query(EventCb.filter(F.action.in_({EventAction.ATTEND, EventAction.ABSENT})))
async def attend_or_not(
    query: CallbackQuery,
    callback_data: EventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    user: User,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
    press_turn: PressTurn | None = None,
) -> None:
    """Tham dự (the officer attends unless they name someone else) or Vắng mặt."""
    outcome = await _answer(
        session,
        bot,
        _chat_id(query),
        callback_data.id,
        user,
        clock,
        settings,
        i18n,
        attending=callback_data.action is EventAction.ATTEND,
        attendees=None,
        turn=press_turn,
    )
    if outcome.refused is not None:
        _refused(callback_answer, outcome.refused)


@router.callback_query(EventCb.filter(F.action == EventAction.WHO))
async def ask_who(
    query: CallbackQuery,
    callback_data: EventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    user: User,
    clock: Clock,
    state: FSMContext,
) -> None:
    """Đổi người tham dự: ask for the names."""
    event = await events.get_event(session, callback_data.id)
    if event is None or event.kind is not EventKind.CONFERENCE:
        _refused(callback_answer, events.NOT_FOUND)
        return
    invited = await events.is_invited(session, event, user.unit_code)
    refusal = rules.signup_refusal(event, clock.now(), invited)
    if refusal is not None:
        _refused(callback_answer, refusal)
        return
    await state.set_state(Attendees.names)
    await state.update_data(event_id=event.id)
    await query.bot.send_message(  # type: ignore[union-attr]
        _chat_id(query),
        _(
            "Who from your unit attends <b>{title}</b>? Type their full names, separated by "
            "commas (for example: Nguyễn Văn An, Trần Thị Bình). /huy to stop."
        ).format(title=html.quote(event.title)),
    )


@router.message(Attendees.names, F.text)
async def got_who(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """The names typed: the unit attends with them."""
    checked = rules.parse_text(
        message.text or "",
        longest=rules.ATTENDEES_MAX,
        what=Text(N_("Please type the full names of who attends.")),
    )
    if isinstance(checked, rules.Problem):
        await message.answer(checked.reason.render(_))
        return
    data = await state.get_data()
    outcome = await _answer(
        session,
        bot,
        message.chat.id,
        int(data.get("event_id", 0)),
        user,
        clock,
        settings,
        i18n,
        attending=True,
        attendees=str(checked.value),
    )
    await state.clear()
    if outcome.refused is not None:
        await message.answer(outcome.refused.render(_))


@router.message(Attendees.names)
async def who_as_text(message: Message) -> None:
    """A sticker or photo where names were asked."""
    await message.answer(_("Please type the names as text, or /huy to stop."))

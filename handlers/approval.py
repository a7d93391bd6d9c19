"""Staff approve or reject registrations: the message to approvers, its buttons, and /duyet.

Từ chối asks a reason first (a button for a common one, or typed), and the person is told
plainly why and what to do next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.callback_ids import TelegramId
from bot.commands import set_user_commands
from bot.domain.units import UnitDirectory
from bot.people import person_name, person_phone
from bot.rejections import OTHER_NEXT, REASONS
from bot.roles import STAFF_LEVELS, Access, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.editing import edit_markup, edit_text
from handlers.filters import NOT_A_COMMAND
from handlers.keyboards import back_label, button, inline
from storage.models import RegistrationStatus, User
from storage.repositories import audit, users

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))

REASON_LIMIT = 300


class Decision(CallbackData, prefix="decide"):
    approve: bool
    user_id: TelegramId


class RejectWith(CallbackData, prefix="reject"):
    user_id: TelegramId
    reason: str  # a key of REASONS, "other" (typed) or "back"


class RejectReason(StatesGroup):
    typing = State()


@dataclass
class CardFacts:
    """What an approver should know beside the registration itself."""

    same_phone: list[User] = field(default_factory=list)
    unit_officers: list[User] = field(default_factory=list)


async def card_facts(session: AsyncSession, applicant: User) -> CardFacts:
    facts = CardFacts()
    if applicant.phone:
        facts.same_phone = await users.others_with_phone(session, applicant.phone, applicant.id)
    if applicant.unit_code:
        facts.unit_officers = await users.unit_officers(session, applicant.unit_code, applicant.id)
    return facts


def _status_word(person: User) -> str:
    if person.deactivated_at is not None:
        return _("deactivated")
    if person.status is RegistrationStatus.APPROVED:
        return _("approved")
    if person.status is RegistrationStatus.PENDING:
        return _("waiting for approval")
    if person.status is RegistrationStatus.REJECTED:
        return _("rejected")
    return _("not registered")


def registration_card(applicant: User, units: UnitDirectory, facts: CardFacts | None = None) -> str:
    unit = units.get(applicant.unit_code or "")
    lines = [
        _("<b>New registration</b>"),
        _("Full name: {value}").format(value=html.quote(applicant.full_name or "")),
        _("Unit: {value}").format(value=html.quote(unit.name if unit else "?")),
        _("Position: {value}").format(value=html.quote(applicant.position or "")),
        _("Phone: {value}").format(value=person_phone(applicant)),
        _("Telegram: {value} (id {id})").format(
            value=html.quote(applicant.telegram_name or ""), id=applicant.id
        ),
    ]
    if facts is None:
        return "\n".join(lines)
    if facts.same_phone:
        lines.append("")
        lines.append(_("⚠️ This phone number was also given by:"))
        for other in facts.same_phone:
            other_unit = units.get(other.unit_code or "")
            lines.append(
                "• {name} (id {id}) — {unit}, {status}".format(
                    name=person_name(other),
                    id=other.id,
                    unit=html.quote(other_unit.name if other_unit else "?"),
                    status=_status_word(other),
                )
            )
    lines.append("")
    if facts.unit_officers:
        lines.append(_("Officers of this unit already registered:"))
        for officer in facts.unit_officers:
            phone = person_phone(officer)
            lines.append(f"• {person_name(officer)}" + (f" — {phone}" if phone else ""))
    else:
        lines.append(_("This unit has no registered officer yet."))
    return "\n".join(lines)


def decision_buttons(applicant_id: int) -> InlineKeyboardMarkup:
    return inline(
        [
            button(_("✅ Approve"), Decision(approve=True, user_id=applicant_id)),
            button(_("⛔ Reject"), Decision(approve=False, user_id=applicant_id)),
        ]
    )


def reason_buttons(applicant_id: int) -> InlineKeyboardMarkup:
    rows = [
        [button(str(label), RejectWith(user_id=applicant_id, reason=key))]
        for key, (label, _reason, _next) in REASONS.items()
    ]
    return inline(
        *rows,
        [button(_("✍️ Another reason (type it)"), RejectWith(user_id=applicant_id, reason="other"))],
        [button(back_label(), RejectWith(user_id=applicant_id, reason="back"))],
    )


def card_key(applicant_id: int) -> str:
    """What the copies of a registration's card have in common in the outbox."""
    return f"registration:{applicant_id}"


async def notify_approvers(
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    units: UnitDirectory,
    applicant: User,
) -> None:
    """Queue the card of a registration for the admins, the staff and the staff group, in the
    caller's transaction (the outbox sends them once it commits; an admin who never opened
    the bot can't be written to, and the others still are)."""
    targets: dict[int, str] = {}
    for staff_id in [*settings.admin_ids, *await users.staff_and_admin_ids(session)]:
        if staff_id in targets or staff_id == applicant.id:
            continue
        person = await users.get_user(session, staff_id)
        targets[staff_id] = (person.locale if person else None) or settings.default_locale
    if settings.staff_chat_id is not None:
        targets[settings.staff_chat_id] = settings.default_locale
    facts = await card_facts(session, applicant)
    for chat_id, locale in targets.items():
        with i18n.use_locale(locale):
            text = registration_card(applicant, units, facts)
            markup = decision_buttons(applicant.id)
        owed.owe_text(
            session,
            chat_id,
            text,
            kind="registration.card",
            markup=markup,
            card=card_key(applicant.id),
            locale=locale,
        )


@router.message(Command("duyet"))
async def pending(
    message: Message, session: AsyncSession, units: UnitDirectory, i18n: I18n
) -> None:
    """List the registrations waiting for a decision, each with its buttons."""
    waiting = await users.pending_registrations(session)
    if not waiting:
        await message.answer(_("No registration is waiting for approval."))
        return
    await message.answer(_("{count} registration(s) waiting:").format(count=len(waiting)))
    for applicant in waiting:
        text = registration_card(applicant, units, await card_facts(session, applicant))
        shown = await message.answer(text, reply_markup=decision_buttons(applicant.id))
        # Remembered, so that a decision taken on another copy edits this one too.
        owed.record_card_copy(
            session,
            shown.chat.id,
            text,
            shown.message_id,
            card=card_key(applicant.id),
            locale=i18n.current_locale,
        )


async def _already_decided(query: CallbackQuery, session: AsyncSession, user_id: int) -> None:
    current = await users.get_user(session, user_id)
    status = current.status if current else None
    await query.answer(
        _("Already decided: approved.")
        if status is RegistrationStatus.APPROVED
        else _("Already decided: rejected.")
        if status is RegistrationStatus.REJECTED
        else _("This registration no longer exists."),
        show_alert=True,
    )
    if isinstance(query.message, Message):
        # A second tap on a card already edited: "not modified" means it is done.
        if query.bot is not None:
            await edit_markup(query.bot, query.message.chat.id, query.message.message_id, None)


@router.callback_query(Decision.filter(F.approve))
async def approve(
    query: CallbackQuery,
    callback_data: Decision,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Approve; the officer is told, the other copies of the card are closed, all recorded."""
    decided = await users.decide_registration(
        session, callback_data.user_id, approve=True, decided_by=query.from_user.id
    )
    if decided is None:
        await _already_decided(query, session, callback_data.user_id)
        return
    audit.record(
        session,
        query.from_user.id,
        "registration.approve",
        target=str(decided.id),
        unit=decided.unit_code,
    )
    own = _own_copy(query)
    verdict = await _close_and_tell(
        session, decided, i18n, settings, query.from_user.full_name, own
    )
    await session.commit()
    await query.answer(_("Approved."))
    if own is not None:
        await edit_text(bot, own[0], own[1], await _decided_card(session, decided, units, verdict))
    locale = decided.locale or settings.default_locale
    await set_user_commands(bot, i18n, decided.id, Access.OFFICER, locale)


@router.callback_query(Decision.filter(~F.approve))
async def ask_reason(query: CallbackQuery, callback_data: Decision, session: AsyncSession) -> None:
    """Từ chối: first the reason, on the card's own buttons."""
    current = await users.get_user(session, callback_data.user_id)
    if current is None or current.status is not RegistrationStatus.PENDING:
        await _already_decided(query, session, callback_data.user_id)
        return
    await query.answer(_("Why? Choose a reason, or type one."))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=reason_buttons(callback_data.user_id))


@router.callback_query(RejectWith.filter(F.reason == "back"))
async def reason_back(query: CallbackQuery, callback_data: RejectWith, state: FSMContext) -> None:
    """Changed one's mind: the Duyệt / Từ chối buttons again."""
    await _leave_typing(state)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=decision_buttons(callback_data.user_id))


@router.callback_query(RejectWith.filter(F.reason == "other"))
async def reason_typed(
    query: CallbackQuery, callback_data: RejectWith, state: FSMContext, session: AsyncSession
) -> None:
    """Another reason: the next text this staff member sends in this chat is the reason."""
    current = await users.get_user(session, callback_data.user_id)
    if current is None or current.status is not RegistrationStatus.PENDING:
        await _already_decided(query, session, callback_data.user_id)
        return
    current_state = await state.get_state()
    if current_state not in (None, RejectReason.typing.state):
        # Typing a reason would end the dialog under way (a notice being composed, say).
        await query.answer(
            _("Finish or cancel (/huy) what you are doing first, then type the reason."),
            show_alert=True,
        )
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await state.set_state(RejectReason.typing)
    await state.update_data(
        reject_user_id=callback_data.user_id,
        card_chat_id=query.message.chat.id,
        card_message_id=query.message.message_id,
    )
    await query.message.answer(
        _(
            "Type the reason for rejecting {name}'s registration (one or two sentences); "
            "they will read it. /huy to cancel."
        ).format(name=person_name(current)),
        # In a group (the staff group), the bot only sees replies to it: ask for one.
        reply_markup=ForceReply(),
    )


@router.message(RejectReason.typing, F.text, NOT_A_COMMAND)
async def got_typed_reason(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """The typed reason: reject with it."""
    reason = " ".join((message.text or "").split())
    if len(reason) < 3 or len(reason) > REASON_LIMIT:
        await message.answer(
            _("Please type a reason of 3 to {limit} characters.").format(limit=REASON_LIMIT)
        )
        return
    data = await state.get_data()
    await state.clear()
    actor = message.from_user
    assert actor is not None
    decided = await _reject(session, int(data["reject_user_id"]), actor.id, "other", reason)
    if decided is None:
        await message.answer(_("This registration was already decided by someone else."))
        return
    own = (int(data["card_chat_id"]), int(data["card_message_id"]))
    verdict = await _close_and_tell(
        session, decided, i18n, settings, actor.full_name, own, typed=reason
    )
    await session.commit()
    await message.answer(
        _("Rejected. {name} has been told the reason.").format(name=person_name(decided))
    )
    await edit_text(bot, own[0], own[1], await _decided_card(session, decided, units, verdict))


@router.message(RejectReason.typing, NOT_A_COMMAND)
async def reason_not_text(message: Message) -> None:
    await message.answer(_("Please type the reason as text, or /huy to cancel."))


@router.callback_query(RejectWith.filter())
async def reason_chosen(
    query: CallbackQuery,
    callback_data: RejectWith,
    session: AsyncSession,
    state: FSMContext,
    units: UnitDirectory,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """A common reason pressed: reject with it."""
    if callback_data.reason not in REASONS:
        await query.answer(_("This button is no longer active."))
        return
    decided = await _reject(
        session, callback_data.user_id, query.from_user.id, callback_data.reason, None
    )
    if decided is None:
        await _already_decided(query, session, callback_data.user_id)
        return
    own = _own_copy(query)
    verdict = await _close_and_tell(
        session, decided, i18n, settings, query.from_user.full_name, own, key=callback_data.reason
    )
    await session.commit()
    await _leave_typing(state)
    await query.answer(_("Rejected."))
    if own is not None:
        await edit_text(bot, own[0], own[1], await _decided_card(session, decided, units, verdict))


def _own_copy(query: CallbackQuery) -> tuple[int, int] | None:
    if isinstance(query.message, Message):
        return query.message.chat.id, query.message.message_id
    return None


async def _leave_typing(state: FSMContext) -> None:
    """Drop the typed-reason step, and only it (never another dialog under way)."""
    if await state.get_state() == RejectReason.typing.state:
        await state.clear()


async def _reject(
    session: AsyncSession, user_id: int, actor_id: int, key: str, typed: str | None
) -> User | None:
    """Reject (once: the UPDATE's guard) and record it with its reason (not committed)."""
    decided = await users.decide_registration(session, user_id, approve=False, decided_by=actor_id)
    if decided is None:
        return None
    details: dict[str, str] = {"reason": key}
    if typed is not None:
        details["text"] = typed
    audit.record(
        session,
        actor_id,
        "registration.reject",
        target=str(decided.id),
        unit=decided.unit_code,
        **details,
    )
    return decided


async def _close_and_tell(
    session: AsyncSession,
    decided: User,
    i18n: I18n,
    settings: Settings,
    who: str,
    own: tuple[int, int] | None,
    *,
    key: str | None = None,
    typed: str | None = None,
) -> Callable[[], str]:
    """Queue, in the decision's transaction, the edit of every other copy of the card and the
    message to the person; returns the verdict line (rendered in the current language)."""
    approved = decided.status is RegistrationStatus.APPROVED
    when = local_datetime(decided.decided_at or decided.created_at, settings.tz)

    def verdict() -> str:
        line = (
            _("✅ Approved by {who} at {when}") if approved else _("⛔ Rejected by {who} at {when}")
        ).format(who=html.quote(who), when=when)
        reason = str(REASONS[key][0]) if key in REASONS else html.quote(typed or "")
        if not approved and reason:
            line += "\n" + _("Reason: {reason}").format(reason=reason)
        return line

    await owed.close_card(
        session, card_key(decided.id), i18n, settings.default_locale, verdict, skip=own
    )
    _tell_applicant(session, i18n, settings, decided, approved, reason=typed, reason_key=key)
    return verdict


async def _decided_card(
    session: AsyncSession, decided: User, units: UnitDirectory, verdict: Callable[[], str]
) -> str:
    facts = await card_facts(session, decided)
    return registration_card(decided, units, facts) + "\n\n" + verdict()


def _tell_applicant(
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    applicant: User,
    approved: bool,
    reason: str | None = None,
    reason_key: str | None = None,
) -> None:
    """Queue the decision for the person, in their language."""
    locale = applicant.locale or settings.default_locale
    with i18n.use_locale(locale):
        if approved:
            text = _(
                "✅ Your registration has been approved. Welcome! Type /help to see what you can do."
            )
        else:
            if reason_key in REASONS:
                _label, why, then = REASONS[reason_key]
                reason_text, next_text = str(why), str(then)
            else:
                reason_text, next_text = html.quote(reason or ""), str(OTHER_NEXT)
            text = "\n".join(
                [
                    _("⛔ The department has rejected your registration."),
                    _("Reason: {reason}").format(reason=reason_text),
                    _("What to do: {next}").format(next=next_text),
                ]
            )
    owed.owe_text(session, applicant.id, text, kind="registration.decision", locale=locale)

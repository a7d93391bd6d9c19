"""Staff approve or reject registrations: the message to approvers, its buttons, and /duyet.

Từ chối asks a reason first (`bot.rejections.REJECT` on the dialog engine: a button for a common
one, or typed), and the person is told plainly why and what to do next.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.callback_ids import TelegramId
from bot.commands import set_user_commands
from bot.domain.units import UnitDirectory
from bot.middlewares.callback_answers import alert
from bot.people import person_name, person_phone
from bot.rejections import OTHER_NEXT, REASONS, REJECT, typed_reason
from bot.roles import STAFF_LEVELS, Access, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.dialogs import DialogSpec, Finished, begin_from_card, from_data, register
from handlers.editing import edit_markup, edit_text
from handlers.keyboards import button, inline
from storage.models import RegistrationStatus, User
from storage.repositories import audit, users

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


class Verdict(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"  # the reason first


class DecisionCb(CallbackData, prefix="registration"):
    action: Verdict
    applicant: TelegramId


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
            button(_("✅ Approve"), DecisionCb(action=Verdict.APPROVE, applicant=applicant_id)),
            button(_("⛔ Reject"), DecisionCb(action=Verdict.REJECT, applicant=applicant_id)),
        ]
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


async def _already_decided(
    query: CallbackQuery, answer: CallbackAnswer, session: AsyncSession, user_id: int
) -> None:
    current = await users.get_user(session, user_id)
    status = current.status if current else None
    alert(
        answer,
        (
            _("Already decided: approved.")
            if status is RegistrationStatus.APPROVED
            else _("Already decided: rejected.")
            if status is RegistrationStatus.REJECTED
            else _("This registration no longer exists.")
        ),
    )
    if isinstance(query.message, Message):
        # A second tap on a card already edited: "not modified" means it is done.
        if query.bot is not None:
            await edit_markup(query.bot, query.message.chat.id, query.message.message_id, None)


@router.callback_query(DecisionCb.filter(F.action == Verdict.APPROVE))
async def approve(
    query: CallbackQuery,
    callback_data: DecisionCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Approve; the officer is told, the other copies of the card are closed, all recorded."""
    decided = await users.decide_registration(
        session, callback_data.applicant, approve=True, decided_by=query.from_user.id
    )
    if decided is None:
        await _already_decided(query, callback_answer, session, callback_data.applicant)
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
    callback_answer.text = _("Approved.")
    if own is not None:
        await edit_text(bot, own[0], own[1], await _decided_card(session, decided, units, verdict))
    locale = decided.locale or settings.default_locale
    await set_user_commands(bot, i18n, decided.id, Access.OFFICER, locale)


@router.callback_query(DecisionCb.filter(F.action == Verdict.REJECT))
async def ask_reason(
    query: CallbackQuery,
    callback_data: DecisionCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    state: FSMContext,
    **deps: Any,
) -> None:
    """Từ chối: first the reason (nothing is decided until it is given)."""
    current = await users.get_user(session, callback_data.applicant)
    if current is None or current.status is not RegistrationStatus.PENDING:
        await _already_decided(query, callback_answer, session, callback_data.applicant)
        return
    callback_answer.text = _("Why? Choose a reason, or type one.")
    data = {"applicant": current.id, "name": person_name(current), "card": _own_copy(query)}
    await begin_from_card(query, state, callback_answer, REJECT_SPEC, data, deps)


async def reject(done: Finished) -> None:
    """The reason given: rejected, recorded, the person and the other cards told (one commit),
    then the staff member, and this card shows the decision."""
    session: AsyncSession = done.deps["session"]
    answer = done.answers["reason"]
    typed = typed_reason(answer)
    key = "other" if typed is not None else str(answer)
    await done.state.clear()
    decided = await _reject(session, int(done.data["applicant"]), done.user_id, key, typed)
    if decided is None:
        await done.bot.send_message(
            done.chat_id, _("This registration was already decided by someone else.")
        )
        return
    card = done.data.get("card")
    own = (int(card[0]), int(card[1])) if card else None
    verdict = await _close_and_tell(
        session,
        decided,
        done.deps["i18n"],
        done.deps["settings"],
        str(done.data.get("who", "")),
        own,
        key=None if typed is not None else key,
        typed=typed,
    )
    await session.commit()
    await done.bot.send_message(
        done.chat_id,
        _("Rejected. {name} has been told the reason.").format(name=person_name(decided)),
    )
    if own is not None:
        units: UnitDirectory = done.deps["units"]
        card_text = await _decided_card(session, decided, units, verdict)
        await edit_text(done.bot, own[0], own[1], card_text)


REJECT_SPEC = DialogSpec(REJECT, frozenset(STAFF_LEVELS), reject, prepare=from_data)
register(REJECT_SPEC)


def _own_copy(query: CallbackQuery) -> tuple[int, int] | None:
    if isinstance(query.message, Message):
        return query.message.chat.id, query.message.message_id
    return None


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
        reason = _(REASONS[key][0]) if key in REASONS else html.quote(typed or "")
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
                reason_text, next_text = _(why), _(then)
            else:
                reason_text, next_text = html.quote(reason or ""), _(OTHER_NEXT)
            text = "\n".join(
                [
                    _("⛔ The department has rejected your registration."),
                    _("Reason: {reason}").format(reason=reason_text),
                    _("What to do: {next}").format(next=next_text),
                ]
            )
    owed.owe_text(session, applicant.id, text, kind="registration.decision", locale=locale)

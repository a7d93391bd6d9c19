"""The department's side of a submission: the summary staff receive, Đã tiếp nhận, Yêu cầu bổ sung."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.units import UnitDirectory
from bot.forms import FormDefinition, render_submission
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.editing import edit_markup
from storage.models import Submission, User
from storage.repositories import audit, submissions, users

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))

COMMENT_MAX = 1000


class ReviewCb(CallbackData, prefix="rv"):
    accept: bool
    id: int


class ReopenCb(CallbackData, prefix="reopen"):
    id: int


class ReviewComment(StatesGroup):
    waiting = State()


def summary(
    submission: Submission,
    form: FormDefinition | None,
    units: UnitDirectory,
    officer: User | None,
    lang: str,
    settings: Settings,
) -> str:
    unit = units.get(submission.unit_code)
    title = form.title.get(lang) if form else submission.form_id
    lines = [
        _("<b>{title}</b> {ref}").format(title=html.quote(title), ref=submission.reference),
        _("Unit: {value}").format(value=html.quote(unit.name if unit else submission.unit_code)),
        _("Officer: {value}").format(
            value=html.quote((officer.full_name if officer else None) or str(submission.officer_id))
        ),
        _("Sent at: {value}").format(value=local_datetime(submission.submitted_at, settings.tz)),
    ]
    if submission.replaces_id:
        lines.append(_("Replaces {ref}").format(ref=f"#{submission.replaces_id}"))
    lines.append("")
    if form is not None:
        for label, value in render_submission(form, submission.answers, lang):
            lines.append(f"• {html.quote(label)}: {html.quote(value)}")
    return "\n".join(lines)


def review_buttons(submission_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("✅ Accepted"),
                    callback_data=ReviewCb(accept=True, id=submission_id).pack(),
                ),
                InlineKeyboardButton(
                    text=_("📝 Ask for a revision"),
                    callback_data=ReviewCb(accept=False, id=submission_id).pack(),
                ),
            ]
        ]
    )


async def notify_staff(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    forms: dict[str, FormDefinition],
    units: UnitDirectory,
    submission: Submission,
    officer: User,
) -> None:
    """Post a new submission, with its attachments, to the staff group or to each staff member."""
    targets: dict[int, str] = {}
    if settings.staff_chat_id is not None:
        targets[settings.staff_chat_id] = settings.default_locale
    else:
        for staff_id in await users.staff_and_admin_ids(session):
            person = await users.get_user(session, staff_id)
            targets[staff_id] = (person.locale if person else None) or settings.default_locale
        for admin_id in settings.admin_ids:
            targets.setdefault(admin_id, settings.default_locale)
    files = await submissions.attachments(session, submission.id)
    form = forms.get(submission.form_id)
    for chat_id, locale in targets.items():
        with i18n.use_locale(locale):
            text = summary(submission, form, units, officer, locale, settings)
            markup = review_buttons(submission.id)
        try:
            await bot.send_message(chat_id, text, reply_markup=markup)
            for file in files:
                caption = f"{submission.reference} · {html.quote(file.file_name or file.kind)}"
                if file.kind == "photo":
                    await bot.send_photo(chat_id, file.file_id, caption=caption)
                else:
                    await bot.send_document(chat_id, file.file_id, caption=caption)
        except TelegramAPIError as error:
            log.warning("could not post submission %s to %s: %s", submission.id, chat_id, error)


@router.callback_query(ReviewCb.filter(F.accept))
async def accept(
    query: CallbackQuery,
    callback_data: ReviewCb,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Đã tiếp nhận."""
    reviewed = await submissions.review(
        session, callback_data.id, accept=True, staff_id=query.from_user.id
    )
    if reviewed is None:
        await query.answer(_("This submission was already reviewed."), show_alert=True)
        return
    audit.record(session, query.from_user.id, "submission.accept", target=str(reviewed.id))
    await session.commit()
    await query.answer(_("Marked as accepted."))
    if isinstance(query.message, Message):
        await edit_markup(bot, query.message.chat.id, query.message.message_id, None)
        await query.message.answer(
            _("✅ {ref} accepted by {who}.").format(
                ref=reviewed.reference, who=html.quote(query.from_user.full_name)
            )
        )
    await _tell_officer(
        bot,
        session,
        i18n,
        settings,
        reviewed,
        lambda: _("✅ The department has accepted your submission {ref}.").format(
            ref=reviewed.reference
        ),
    )


@router.callback_query(ReviewCb.filter(~F.accept))
async def ask_comment(
    query: CallbackQuery, callback_data: ReviewCb, session: AsyncSession, state: FSMContext
) -> None:
    """Yêu cầu bổ sung: first the comment for the officer."""
    submission = await submissions.get(session, callback_data.id)
    if submission is None or submission.status != "submitted":
        await query.answer(_("This submission was already reviewed."), show_alert=True)
        return
    await query.answer()
    await state.set_state(ReviewComment.waiting)
    await state.update_data(review_id=submission.id)
    if isinstance(query.message, Message):
        await query.message.answer(
            _(
                "What should the officer add or correct in {ref}? Type it in one message (or /huy)."
            ).format(ref=submission.reference)
        )


@router.message(ReviewComment.waiting, F.text)
async def got_comment(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """The comment: the submission needs a revision, and the officer is told why."""
    comment = " ".join((message.text or "").split())
    if len(comment) < 3 or len(comment) > COMMENT_MAX:
        await message.answer(
            _("Please write what is missing in 3 to {max} characters.").format(max=COMMENT_MAX)
        )
        return
    data = await state.get_data()
    assert message.from_user is not None
    reviewed = await submissions.review(
        session,
        int(data["review_id"]),
        accept=False,
        staff_id=message.from_user.id,
        comment=comment,
    )
    if reviewed is not None:
        audit.record(
            session,
            message.from_user.id,
            "submission.revise",
            target=str(reviewed.id),
            comment=comment,
        )
    await session.commit()
    await state.clear()
    if reviewed is None:
        await message.answer(_("This submission was already reviewed."))
        return
    await message.answer(
        _("📝 Revision of {ref} asked; the officer has been told.").format(ref=reviewed.reference)
    )

    def text() -> str:
        return _(
            "📝 The department asks you to revise your submission {ref}:\n<i>{comment}</i>\n\n"
            "Press the button to open it with your answers filled in, change what is needed "
            "and send it again."
        ).format(ref=reviewed.reference, comment=html.quote(comment))

    await _tell_officer(bot, session, i18n, settings, reviewed, text, reopen=True)


@router.message(ReviewComment.waiting)
async def comment_not_text(message: Message) -> None:
    await message.answer(_("Please type the comment as text, or /huy to cancel."))


async def _tell_officer(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    submission: Submission,
    text: Any,
    reopen: bool = False,
) -> None:
    officer = await users.get_user(session, submission.officer_id)
    locale = (officer.locale if officer else None) or settings.default_locale
    with i18n.use_locale(locale):
        body = text()
        markup = (
            InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        InlineKeyboardButton(
                            text=_("✏️ Open and revise"),
                            callback_data=ReopenCb(id=submission.id).pack(),
                        )
                    ]
                ]
            )
            if reopen
            else None
        )
    try:
        await bot.send_message(submission.officer_id, body, reply_markup=markup)
    except TelegramAPIError as error:
        log.warning("could not tell officer %s: %s", submission.officer_id, error)

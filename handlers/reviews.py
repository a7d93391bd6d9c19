"""The department's side of a submission: the summary staff receive, Đã tiếp nhận, Yêu cầu bổ sung.

The decision itself is bot/review.py's `decide`, shared with the inbox (/hoso); the comment of
Yêu cầu bổ sung is asked by `bot.review_comment.COMMENT` on the dialog engine.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.callback_ids import RowId
from bot.domain.text import CAPTION_MAX, shorten, split_message, visible_length
from bot.domain.units import UnitDirectory
from bot.forms import FormDefinition, render_submission
from bot.middlewares.callback_answers import alert
from bot.review import ReopenCb as ReopenCb  # where /cuatoi and /trangthai import it from
from bot.review import card_key, decide
from bot.review_comment import COMMENT
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.dialogs import DialogSpec, Finished, begin_from_card, from_data, register
from handlers.editing import edit_markup
from storage.models import Attachment, OwedMessage, Submission, SubmissionStatus, User
from storage.repositories import submissions, users

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


class ReviewAction(enum.StrEnum):
    ACCEPT = "accept"  # Đã tiếp nhận
    REVISE = "revise"  # Yêu cầu bổ sung: the comment first


class ReviewCb(CallbackData, prefix="review"):
    action: ReviewAction
    submission: RowId


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


def summary_pages(
    submission: Submission,
    form: FormDefinition | None,
    units: UnitDirectory,
    officer: User | None,
    lang: str,
    settings: Settings,
) -> list[str]:
    """The summary as messages that each fit Telegram's 4,096 characters (the last gets the buttons)."""
    return split_message(summary(submission, form, units, officer, lang, settings))


def attachment_caption(
    submission: Submission,
    file: Attachment,
    number: int,
    total: int,
    form: FormDefinition | None,
    lang: str,
) -> str:
    """`#4 · Ảnh hiện trường (1/2) · bien_ban.pdf` and the officer's own caption, within 1,024."""
    field = next((f for f in form.fields if f.name == file.field_name), None) if form else None
    label = field.label.get(lang) if field is not None else file.field_name
    head = f"{submission.reference} · {html.quote(label)} ({number}/{total})"
    if file.file_name:
        head += f" · {html.quote(file.file_name)}"
    if not file.caption:
        return head
    room = CAPTION_MAX - visible_length(head) - 1
    return f"{head}\n<i>{html.quote(shorten(file.caption, room))}</i>"


def review_buttons(submission_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("✅ Accepted"),
                    callback_data=ReviewCb(
                        action=ReviewAction.ACCEPT, submission=submission_id
                    ).pack(),
                ),
                InlineKeyboardButton(
                    text=_("📝 Ask for a revision"),
                    callback_data=ReviewCb(
                        action=ReviewAction.REVISE, submission=submission_id
                    ).pack(),
                ),
            ]
        ]
    )


async def notify_staff(
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    forms: dict[str, FormDefinition],
    units: UnitDirectory,
    submission: Submission,
    officer: User,
) -> None:
    """Queue the card of a new submission, then its files, for the staff group or for each
    staff member, in the caller's transaction (the outbox sends them once it commits)."""
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
            *pages, last = summary_pages(submission, form, units, officer, locale, settings)
            markup = review_buttons(submission.id)
        # The card's pages go in order, its buttons on the last; its files after it.
        previous: OwedMessage | None = None
        for page in pages:
            previous = owed.owe_text(
                session, chat_id, page, kind="submission.page", locale=locale, after=previous
            )
        previous = owed.owe_text(
            session,
            chat_id,
            last,
            kind="submission.card",
            markup=markup,
            card=card_key(submission.id),
            locale=locale,
            after=previous,
        )
        for number, file in enumerate(files, start=1):
            caption = attachment_caption(submission, file, number, len(files), form, locale)
            previous = owed.owe_file(
                session,
                chat_id,
                file.kind,
                file.file_id,
                caption,
                kind="submission.file",
                after=previous,
            )


@router.callback_query(ReviewCb.filter(F.action == ReviewAction.ACCEPT))
async def accept(
    query: CallbackQuery,
    callback_data: ReviewCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Đã tiếp nhận."""
    card = (
        (query.message.chat.id, query.message.message_id)
        if isinstance(query.message, Message)
        else None
    )
    reviewed = await decide(
        bot,
        session,
        i18n,
        settings,
        submission_id=callback_data.submission,
        accept=True,
        reviewer_id=query.from_user.id,
        reviewer_name=query.from_user.full_name,
        skip_card=card,  # this copy is edited here, at once
    )
    if reviewed is None:
        alert(callback_answer, _("This submission was already reviewed."))
        if card is not None:  # a stale copy: its buttons go ("not modified" counts as done)
            await edit_markup(bot, card[0], card[1], None)
        return
    callback_answer.text = _("Marked as accepted.")
    if isinstance(query.message, Message):
        await edit_markup(bot, query.message.chat.id, query.message.message_id, None)
        await query.message.answer(
            _("✅ {ref} accepted by {who}.").format(
                ref=reviewed.reference, who=html.quote(query.from_user.full_name)
            )
        )


@router.callback_query(ReviewCb.filter(F.action == ReviewAction.REVISE))
async def ask_for_comment(
    query: CallbackQuery,
    callback_data: ReviewCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    state: FSMContext,
    **deps: Any,
) -> None:
    """Yêu cầu bổ sung: first the comment for the officer (`bot.review_comment`)."""
    submission = await submissions.get(session, callback_data.submission)
    if submission is None or submission.status is not SubmissionStatus.SUBMITTED:
        alert(callback_answer, _("This submission was already reviewed."))
        return
    data = {"submission": submission.id, "ref": submission.reference}
    await begin_from_card(query, state, callback_answer, COMMENT_SPEC, data, deps)


async def ask_revision(done: Finished) -> None:
    """The comment: the revision asked, recorded and the officer told (one commit), then said."""
    deps = done.deps
    await done.state.clear()
    reviewed = await decide(
        done.bot,
        deps["session"],
        deps["i18n"],
        deps["settings"],
        submission_id=int(done.data["submission"]),
        accept=False,
        reviewer_id=done.user_id,
        reviewer_name=done.data.get("who"),
        comment=str(done.answers["comment"]),
    )
    if reviewed is None:
        await done.bot.send_message(done.chat_id, _("This submission was already reviewed."))
        return
    await done.bot.send_message(
        done.chat_id,
        _("📝 Revision of {ref} asked; the officer has been told.").format(ref=reviewed.reference),
    )


COMMENT_SPEC = DialogSpec(COMMENT, frozenset(STAFF_LEVELS), ask_revision, prepare=from_data)
register(COMMENT_SPEC)

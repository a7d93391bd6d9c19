"""The one place a submission is reviewed: Đã tiếp nhận or Yêu cầu bổ sung, wherever staff act.

The cards pushed to staff (handlers/reviews.py) and the inbox (/hoso, handlers/inbox.py)
both call `decide`; what happens after a decision (the record, the commit, the officer's
message) is therefore the same from both, and a second decision on the same submission —
a double tap, or two staff members at once — changes nothing and tells nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callback_ids import RowId
from bot.settings import Settings
from storage.models import Submission, SubmissionStatus
from storage.repositories import audit, submissions, users

log = logging.getLogger(__name__)

COMMENT_MAX = 1000


class ReopenCb(CallbackData, prefix="reopen"):
    """The officer's button that opens a submission to revise (handlers/forms/mine.py)."""

    id: RowId


class ReviewComment(StatesGroup):
    """A reviewer is typing what the officer should add or correct."""

    waiting = State()


async def decide(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    *,
    submission_id: int,
    accept: bool,
    reviewer_id: int,
    comment: str | None = None,
) -> Submission | None:
    """Accept, or ask for a revision with `comment`; record it, commit, then tell the officer.

    None when the submission is not waiting for a review (already decided, replaced or
    unknown): nothing is stored and nobody is told.
    """
    reviewed = await submissions.review(
        session, submission_id, accept=accept, staff_id=reviewer_id, comment=comment
    )
    if reviewed is None:
        return None
    if accept:
        audit.record(session, reviewer_id, "submission.accept", target=str(reviewed.id))
    else:
        audit.record(
            session, reviewer_id, "submission.revise", target=str(reviewed.id), comment=comment
        )
    await session.commit()
    if accept:
        await tell_officer(
            bot,
            session,
            i18n,
            settings,
            reviewed,
            lambda: _("✅ The department has accepted your submission {ref}.").format(
                ref=reviewed.reference
            ),
        )
    else:

        def text() -> str:
            return _(
                "📝 The department asks you to revise your submission {ref}:\n<i>{comment}</i>\n\n"
                "Press the button to open it with your answers filled in, change what is needed "
                "and send it again."
            ).format(ref=reviewed.reference, comment=html.quote(comment or ""))

        await tell_officer(bot, session, i18n, settings, reviewed, text, reopen=True)
    return reviewed


async def ask_comment(
    session: AsyncSession, state: FSMContext, submission_id: int
) -> Submission | None:
    """Start Yêu cầu bổ sung: the reviewer's next text is the comment. None if not waiting."""
    submission = await submissions.get(session, submission_id)
    if submission is None or submission.status is not SubmissionStatus.SUBMITTED:
        return None
    await state.set_state(ReviewComment.waiting)
    await state.update_data(review_id=submission.id)
    return submission


async def tell_officer(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    submission: Submission,
    text: Callable[[], str],
    reopen: bool = False,
) -> None:
    """Send the officer `text()` in their language; a failed send is logged, not raised."""
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

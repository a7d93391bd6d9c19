"""The one place a submission is reviewed: Đã tiếp nhận or Yêu cầu bổ sung, wherever staff act.

The cards pushed to staff (handlers/reviews.py) and the inbox (/hoso, handlers/inbox.py)
both call `decide`; what happens after a decision (the record, the commit, the officer's
message, the edits of every copy of the submission's card) is therefore the same from both,
and a second decision on the same submission — a double tap, or two staff members at once —
changes nothing and tells nobody. The officer's message and the edits are owed messages
(bot/broadcast/owed.py): queued in the decision's transaction, sent by the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot, html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.callback_ids import RowId
from bot.settings import Settings
from bot.timefmt import local_datetime
from storage.models import Submission, utcnow
from storage.repositories import audit, submissions, users

log = logging.getLogger(__name__)


def card_key(submission_id: int) -> str:
    """What the copies of a submission's card have in common in the outbox."""
    return f"submission:{submission_id}"


class ReopenCb(CallbackData, prefix="reopen"):
    """The officer's button that opens a submission to revise (handlers/forms/mine.py)."""

    id: RowId


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
    reviewer_name: str | None = None,
    skip_card: tuple[int, int] | None = None,
) -> Submission | None:
    """Accept, or ask for a revision with `comment`; record it, queue the officer's message
    and the edits of every copy of the card (but `skip_card`, (chat, message), which the
    caller edits itself), and commit.

    None when the submission is not waiting for a review (already decided, replaced or
    unknown): nothing is stored and nobody is told. (`bot` stays for the callers' sake.)
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
    if reviewer_name is None:
        reviewer = await users.get_user(session, reviewer_id)
        reviewer_name = (
            (reviewer.full_name or reviewer.telegram_name) if reviewer else None
        ) or str(reviewer_id)
    who = html.quote(reviewer_name)
    when = local_datetime(reviewed.reviewed_at or utcnow(), settings.tz)

    def verdict() -> str:
        if accept:
            return _("✅ Accepted by {who} at {when}").format(who=who, when=when)
        return _("📝 Revision asked by {who} at {when}").format(who=who, when=when)

    await owed.close_card(
        session, card_key(reviewed.id), i18n, settings.default_locale, verdict, skip=skip_card
    )
    if accept:
        await tell_officer(
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

        await tell_officer(session, i18n, settings, reviewed, text, reopen=True)
    await session.commit()
    return reviewed


async def tell_officer(
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    submission: Submission,
    text: Callable[[], str],
    reopen: bool = False,
) -> None:
    """Queue `text()` for the officer, in their language (the caller commits)."""
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
    owed.owe_text(
        session, submission.officer_id, body, kind="submission.review", markup=markup, locale=locale
    )

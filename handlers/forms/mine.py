"""/cuatoi — an officer's unit's recent submissions and their state; reopening one to revise."""

from __future__ import annotations

from typing import Any

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.text import split_message
from bot.forms import FormDefinition
from bot.middlewares.callback_answers import alert
from bot.roles import OFFICER_LEVELS, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.forms.dialog import start_form
from handlers.reviews import ReopenCb
from storage.models import SubmissionStatus, User
from storage.repositories import submissions

router = Router(name=__name__)
router.message.filter(HasAccess(*OFFICER_LEVELS))
router.callback_query.filter(HasAccess(*OFFICER_LEVELS))


def status_label(status: SubmissionStatus) -> str:
    return {
        SubmissionStatus.SUBMITTED: _("sent"),
        SubmissionStatus.ACCEPTED: _("accepted"),
        SubmissionStatus.NEEDS_REVISION: _("needs a revision"),
        SubmissionStatus.REPLACED: _("replaced"),
    }[status]


@router.message(Command("cuatoi"))
async def my_submissions(
    message: Message,
    session: AsyncSession,
    user: User,
    forms: dict[str, FormDefinition],
    i18n: I18n,
    settings: Settings,
) -> None:
    """The unit's ten latest submissions."""
    recent = await submissions.recent_for_unit(session, user.unit_code or "")
    if not recent:
        await message.answer(_("Your unit has not sent anything yet. /baocao sends a report."))
        return
    lines = [_("<b>Your unit's latest submissions</b>")]
    buttons = []
    for item in recent:
        form = forms.get(item.form_id)
        title = form.title.get(i18n.current_locale) if form else item.form_id
        lines.append(
            f"{item.reference} · {html.quote(title)} · "
            f"{local_datetime(item.submitted_at, settings.tz)} · <b>{status_label(item.status)}</b>"
        )
        if item.status is SubmissionStatus.NEEDS_REVISION:
            if item.staff_comment:
                lines.append(f"   <i>{html.quote(item.staff_comment)}</i>")
            buttons.append(
                [
                    InlineKeyboardButton(
                        text=_("✏️ Revise {ref}").format(ref=item.reference),
                        callback_data=ReopenCb(id=item.id).pack(),
                    )
                ]
            )
    # Ten staff comments of 1,000 characters do not fit one message: the buttons come last.
    *pages, last = split_message("\n".join(lines))
    for page in pages:
        await message.answer(page)
    await message.answer(
        last, reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None
    )


@router.callback_query(ReopenCb.filter())
async def reopen(
    query: CallbackQuery,
    callback_data: ReopenCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    forms: dict[str, FormDefinition],
    i18n: I18n,
    **deps: Any,
) -> None:
    """Open a submission that needs a revision, with its answers filled in, at the review screen."""
    item = await submissions.get(session, callback_data.id)
    # Another unit's submission looks exactly like a missing one: nothing is revealed.
    if item is None or item.unit_code != user.unit_code:
        alert(callback_answer, _("This submission was not found."))
        return
    form = forms.get(item.form_id)
    if item.status is not SubmissionStatus.NEEDS_REVISION or form is None:
        alert(callback_answer, _("This submission does not need a revision."))
        return
    assert query.bot is not None and isinstance(query.message, Message)
    await start_form(
        query.bot,
        query.message.chat.id,
        state,
        form,
        {**deps, "i18n": i18n, "user": user, "session": session, "forms": forms},
        answers=item.answers,
        replaces=item.id,
        staff_comment=item.staff_comment,
    )

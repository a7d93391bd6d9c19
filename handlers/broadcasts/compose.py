"""/thongbao: the composer is `bot.broadcast.dialog.COMPOSE` (data, with its diagram), run by
`handlers.dialogs`. This module starts it, looks up what its screens count (people per
choice), shows the preview before the review, and stores the notice on Gửi."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from aiogram import Bot, Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import report
from bot.broadcast.audience import AUDIENCES, Audience, resolve
from bot.broadcast.content import NoticeContent, send_notice
from bot.broadcast.dialog import COMPOSE, audience_of, notice_of
from bot.broadcast.report import NoticeAction, NoticeButton, number
from bot.clock import Clock
from bot.dialogs import engine
from bot.dialogs.engine import REVIEW, DialogState
from bot.domain.units import UnitDirectory
from bot.messengers import text_only
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.broadcasts.dialog import Bc, ComposerButton, context
from handlers.dialogs import DialogSpec, Finished, begin, register
from handlers.dialogs import context as dialog_context
from handlers.keyboards import button, inline
from storage.repositories import audit, recipients
from storage.repositories import broadcasts as notices
from storage.repositories.broadcasts import enqueue_notice

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))

LAST_SHOWN = 3  # above the composer; the history button lists more


@router.message(Command("thongbao"))
async def start(
    message: Message, state: FSMContext, clock: Clock, units: UnitDirectory, **deps: Any
) -> None:
    """A new notice (whatever was being composed is dropped); above it the last few sent,
    with the whole list a button away. Nothing above it before the first notice."""
    assert message.bot is not None
    session: AsyncSession = deps["session"]
    settings: Settings = deps["settings"]
    latest = await notices.recent(session, LAST_SHOWN)
    if latest:
        lines = [_("📜 <b>Last notices sent</b>")]
        for notice in latest:
            counts = await notices.counts(session, notice.id)
            lines.append(f"• {report.history_line(notice, counts, settings.tz)}")
        await message.answer(
            "\n".join(lines),
            reply_markup=inline(
                [button(_("📜 All sent notices and reports"), Bc(action=ComposerButton.HISTORY))]
            ),
        )
    deps.update(clock=clock, units=units)
    extra = await prepare(DialogState(COMPOSE.id, "content"), deps)
    ctx = dialog_context(clock, units, extra, typed=text_only(message.bot))
    await begin(
        message.bot, message.chat.id, state, engine.start(COMPOSE, ctx, {"token": uuid4().hex})
    )


async def prepare(state: DialogState, deps: dict[str, Any]) -> dict[str, Any]:
    """How many people each choice reaches, the second question's choices, the total."""
    session: AsyncSession = deps["session"]
    ctx = context(deps["clock"], deps["forms"])
    extra: dict[str, Any] = {}
    if state.at == "audience":
        kinds = []
        for kind in AUDIENCES.values():
            if not kind.available(ctx) or kind.picks_units:
                continue
            label = _(kind.label)
            if kind.choices is None:
                label += f" · {number(len(await kind.resolve(session, Audience(kind.key), ctx)))}"
            kinds.append((kind.key, label))
        extra["kinds"] = kinds
        if state.draft.get("picking"):
            codes = [unit.code for unit in deps["units"]]
            extra["unit_counts"] = await recipients.officer_counts(session, codes)
    chosen = state.answers.get("audience")
    picked = AUDIENCES.get(chosen) if isinstance(chosen, str) else None
    if picked is not None and picked.choices is not None and state.at in ("choice", REVIEW):
        choices = []
        for choice in await picked.choices(session, ctx, _):
            count = len(await resolve(session, Audience(picked.key, ref=choice.ref), ctx))
            choices.append((choice.ref, f"{choice.label} · {number(count)}"))
            if choice.ref == state.answers.get("choice"):
                extra["choice_label"] = choice.label
        extra["choices"] = choices
    audience = audience_of(state.answers)
    if state.at == REVIEW and audience is not None:
        extra["people"] = len(await resolve(session, audience, ctx))
    return extra


async def preview(
    bot: Bot, chat_id: int, state: DialogState, deps: dict[str, Any]
) -> tuple[str, str] | None:
    """Before the review: nobody to send to → choose again; else the notice exactly as sent."""
    audience = audience_of(state.answers)
    ctx = context(deps["clock"], deps["forms"])
    if audience is None or not await resolve(deps["session"], audience, ctx):
        return "audience", _(
            "Nobody would receive it with this choice. Please choose the recipients again."
        )
    await bot.send_message(chat_id, _("<b>Preview</b> — officers will see exactly this:"))
    try:
        await send_notice(bot, chat_id, NoticeContent(**notice_of(state.answers)))
    except TelegramBadRequest as error:
        return "content", _("Telegram refused this notice ({error}). Please send it again.").format(
            error=html.quote(error.message)
        )
    return None


async def send(done: Finished) -> None:
    """Gửi: the notice and one row per recipient are committed; the worker does the rest."""
    session: AsyncSession = done.deps["session"]
    audience = audience_of(done.answers)
    assert audience is not None
    people = await resolve(session, audience, context(done.deps["clock"], done.deps["forms"]))
    answer = done.deps.get("callback_answer")
    if not people:
        await done.bot.send_message(done.chat_id, _("Nobody would receive it with this choice."))
        return
    send_at = (
        datetime.fromisoformat(done.answers["send_at"]) if done.answers.get("send_at") else None
    )
    content = notice_of(done.answers)
    notice = await enqueue_notice(
        session,
        created_by=done.user_id,
        text=content["text"],
        recipients=[chat for chat, _unit in people],
        media_kind=content["media_kind"],
        media_file_id=content["media_file_id"],
        send_at=send_at.astimezone(UTC) if send_at else None,
        audience=audience.as_json(),
        key=f"compose:{done.data.get('token')}",
        report_chat_id=done.chat_id,
        # Sent now: the progress bar replaces the review. Later: a new message then.
        report_message_id=None if send_at else done.message_id,
    )
    audit.record(
        session,
        done.user_id,
        "notice.schedule" if send_at else "notice.send",
        target=str(notice.id),
        recipients=notice.total,
        audience=audience.as_json(),
        send_at=send_at.isoformat() if send_at else None,
    )
    await session.commit()
    await done.state.clear()
    settings = done.deps["settings"]
    if send_at is None:
        # On Zalo a callback answer is a message of its own: the progress bar says it there.
        if answer is not None and not text_only(done.bot):
            answer.text = _("⏳ Notice #{id}: sending to {n} recipients begins…").format(
                id=notice.id, n=number(notice.total)
            )
    else:
        if answer is not None:
            answer.text = _("Scheduled.")
        await done.bot.send_message(
            done.chat_id,
            _("⏰ Notice #{id} will be sent at {when} to {n} recipients.").format(
                id=notice.id, when=local_datetime(send_at, settings.tz), n=number(notice.total)
            ),
            reply_markup=inline(
                [button(_("⛔ Cancel it"), NoticeAction(action=NoticeButton.STOP, id=notice.id))]
            ),
        )
    done.deps["broadcasts"].wake()


register(DialogSpec(COMPOSE, frozenset(STAFF_LEVELS), send, prepare, preview))

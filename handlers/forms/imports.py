"""An admin sends an XLSForm workbook: the summary, a trial, then publishing (issue 16).

```mermaid
stateDiagram-v2
    [*] --> summary: an .xlsx / .xls document from an admin (stored as an unpublished revision)
    [*] --> refused: the workbook can't run (the row and the reason)
    [*] --> already: the same workbook again (its revision, published or not; nothing stored)
    already --> trial
    already --> audience
    summary --> trial: ▶️ Thử (the form runs; Gửi stores nothing)
    trial --> trial: ▶️ Thử lại (after Gửi or Hủy)
    trial --> audience: 📢 Công bố… (after Gửi or Hủy)
    summary --> audience: 📢 Công bố… (bot.forms.publishing: every officer, or chosen units)
    audience --> published: 📢 Công bố — new submissions use it, old ones keep theirs
```
"""

from __future__ import annotations

import html
from io import BytesIO
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.dialogs import engine
from bot.dialogs.engine import DialogState
from bot.domain.units import UnitDirectory
from bot.form_imports import (
    ImportRefused,
    import_workbook,
    publish,
    same_audience,
    trial_form,
)
from bot.forms.imported import questions
from bot.forms.model import FormDefinition
from bot.forms.publishing import PUBLISH, unit_names, units_of
from bot.forms.xlsform import SUFFIXES
from bot.roles import Access, HasAccess
from bot.timefmt import local_datetime
from handlers.dialogs import DialogSpec, Finished, begin, register
from handlers.dialogs import context as dialog_context
from handlers.editing import edit_markup
from handlers.forms.dialog import start_form
from handlers.forms.import_buttons import import_buttons
from handlers.forms.view import FormAction, FormCb
from storage.models import ImportedForm, User
from storage.repositories import imported_forms, recipients

router = Router(name=__name__)
router.message.filter(HasAccess(Access.ADMIN))
router.callback_query.filter(HasAccess(Access.ADMIN))

# Telegram lets a bot download files up to 20 MB; a form workbook is a few kilobytes.
_MAX_BYTES = 5 * 1024 * 1024


def _is_workbook(message: Message) -> bool:
    name = (message.document.file_name or "") if message.document else ""
    return name.lower().endswith(SUFFIXES)


def _summary(form: FormDefinition, revision: int) -> str:
    lines = [
        _("📋 <b>{title}</b> (form_id {id}, version {version}, import #{revision})").format(
            title=html.escape(form.title.get()),
            id=html.escape(form.id),
            version=html.escape(form.xlsform_version or "—"),
            revision=revision,
        ),
        _("{count} questions; {computed} values filled in by the bot.").format(
            count=questions(form), computed=len(form.computed)
        ),
    ]
    if form.adapted:
        lines.append(_("Adapted for a chat:"))
        lines.extend(f"• {html.escape(line.render(_))}" for line in form.adapted)
    lines.append(_("Try it yourself, then publish it to every officer or to chosen units."))
    return "\n".join(lines)


@router.message(F.document, _is_workbook)
async def workbook_sent(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    user: User,
    forms: dict[str, FormDefinition],
    clock: Clock,
) -> None:
    """Read the workbook, store it unpublished, and show what was read."""
    document = message.document
    assert document is not None
    if (document.file_size or 0) > _MAX_BYTES:
        await message.answer(_("This file is too large for a form workbook."))
        return
    buffer = BytesIO()
    await bot.download(document, destination=buffer)
    try:
        row, form, new = await import_workbook(
            session, buffer.getvalue(), document.file_name or "form.xlsx", user.id, forms
        )
    except ImportRefused as error:
        await message.answer(
            _("❌ This workbook can't be imported:\n{reason}").format(
                reason=html.escape(error.text.render(_))
            )
        )
        return
    if not new:
        # The same file sent again (a second tap on "send", or an old copy): nothing new.
        await message.answer(_already(row, clock), reply_markup=import_buttons(row.id))
        return
    await session.commit()
    await message.answer(_summary(form, row.revision), reply_markup=import_buttons(row.id))


def _already(row: ImportedForm, clock: Clock) -> str:
    title = html.escape(row.title)
    if row.published_at is None:
        return _(
            "📋 This workbook is already imported: “{title}”, import #{revision}, "
            "not published yet. Nothing new was stored."
        ).format(title=title, revision=row.revision)
    return _(
        "📋 This workbook is already imported: “{title}”, import #{revision}, "
        "published on {date}. Nothing new was stored."
    ).format(title=title, revision=row.revision, date=local_datetime(row.published_at, clock.tz))


@router.callback_query(FormCb.filter(F.action == FormAction.TRY))
async def pressed_try(
    query: CallbackQuery,
    callback_data: FormCb,
    session: AsyncSession,
    state: FSMContext,
    forms: dict[str, FormDefinition],
    **deps: Any,
) -> None:
    """Run the unpublished form for the admin; its Gửi stores nothing."""
    row = await imported_forms.get(session, callback_data.imported)
    if row is None or query.bot is None or query.message is None:
        return
    form = trial_form(row)
    forms[form.id] = form
    await start_form(
        query.bot,
        query.message.chat.id,
        state,
        form,
        {**deps, "forms": forms, "session": session},
        trial_of=row.id,
    )


@router.callback_query(FormCb.filter(F.action.in_({FormAction.PUBLISH, FormAction.PUBLISH_OLDER})))
async def pressed_publish(
    query: CallbackQuery,
    callback_data: FormCb,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
    units: UnitDirectory,
) -> None:
    """Ask whom it is for: every officer, or the officers of units the admin chooses.

    A button under an old summary may be for a revision a newer one has replaced: the
    admin is told which one is in force and publishes the older one only once confirmed.
    """
    row = await imported_forms.get(session, callback_data.imported)
    if row is None or query.bot is None or not isinstance(query.message, Message):
        return
    current = await imported_forms.in_force(session, row.form_id)
    newest = await imported_forms.newest_revision(session, row.form_id)
    older = (current is None or current.id != row.id) and row.revision < newest
    if older and callback_data.action != FormAction.PUBLISH_OLDER:
        await query.message.answer(
            _older_warning(row, current, newest, clock), reply_markup=_confirm_older(row)
        )
        return
    await edit_markup(query.bot, query.message.chat.id, query.message.message_id, None)
    data = {"row": row.id, "title": row.title}
    ctx = dialog_context(clock, units, data)
    await begin(query.bot, query.message.chat.id, state, engine.start(PUBLISH, ctx, data))


def _older_warning(
    row: ImportedForm, current: ImportedForm | None, newest: int, clock: Clock
) -> str:
    if current is None or current.published_at is None:
        return _(
            "⚠️ Import #{revision} is not the newest: import #{newest} came after it, and no "
            "import of this form is published yet. Publish import #{revision} anyway?"
        ).format(revision=row.revision, newest=newest)
    return _(
        "⚠️ Import #{revision} is not the newest: officers now fill import #{current}, "
        "published on {date}. Publish the older import #{revision} in its place?"
    ).format(
        revision=row.revision,
        current=current.revision,
        date=local_datetime(current.published_at, clock.tz),
    )


def _confirm_older(row: ImportedForm) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("📢 Publish import #{revision} anyway").format(revision=row.revision),
                    callback_data=FormCb(action=FormAction.PUBLISH_OLDER, imported=row.id).pack(),
                )
            ]
        ]
    )


async def _prepare(state: DialogState, deps: dict[str, Any]) -> dict[str, Any]:
    """The form's title; while units are chosen, how many officers each one has."""
    extra: dict[str, Any] = {"title": state.data.get("title", "")}
    if state.draft.get("picking"):
        codes = [unit.code for unit in deps["units"]]
        extra["unit_counts"] = await recipients.officer_counts(deps["session"], codes)
    return extra


async def _published(done: Finished) -> None:
    """📢 Công bố: stored and committed, then said; new submissions use it from now on."""
    session: AsyncSession = done.deps["session"]
    row = await imported_forms.get(session, int(done.data["row"]))
    if row is None:
        await done.state.clear()
        return
    codes = units_of(done.answers)
    clock: Clock = done.deps["clock"]
    current = await imported_forms.in_force(session, row.form_id)
    if current is not None and current.id == row.id and same_audience(row, codes):
        # Công bố pressed again (an old button): publishing it again would change nothing
        # but the date and the log.
        await done.state.clear()
        assert row.published_at is not None
        await done.bot.send_message(
            done.chat_id,
            _(
                "📋 “{title}” (import #{revision}) is already published, on {date}, to the "
                "same officers: nothing changed."
            ).format(
                title=html.escape(row.title),
                revision=row.revision,
                date=local_datetime(row.published_at, clock.tz),
            ),
        )
        return
    publish(row, codes, done.user_id, clock.now(), session, done.deps["forms"])
    await session.commit()
    await done.state.clear()
    title = html.escape(row.title)
    if codes is None:
        text = _("📢 Published: officers find “{title}” in /bieumau.").format(title=title)
    else:
        text = _(
            "📢 Published: the officers of {n} units find “{title}” in /bieumau: {units}."
        ).format(
            n=len(codes),
            title=title,
            units=html.escape(unit_names(codes, dialog_context(clock, done.deps["units"]))),
        )
    await done.bot.send_message(done.chat_id, text)


register(DialogSpec(PUBLISH, frozenset({Access.ADMIN}), _published, _prepare))

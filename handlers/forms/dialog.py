"""The report forms (/baocao, /kiemtra, /bieumau, every form of FORMS_DIR) on `bot.dialogs`.

```mermaid
stateDiagram-v2
    [*] --> asking: /baocao, /kiemtra, /bieumau → form (the period given by /trangthai's button)
    [*] --> resume: same, while a form is under way
    resume --> asking: Tiếp tục / Làm lại
    asking --> asking: the engine's navigation (bot.dialogs), each field a step (bot.forms.dialog)
    asking --> replace: the period already reported (also checked again at Gửi)
    replace --> asking: Thay thế, or Kỳ khác (the period asked again, answers kept)
    asking --> review: no field left
    review --> [*]: Gửi (stored, committed, then confirmed)
```
What is asked and what is valid is the form definition's (`bot.forms`), how it is walked the
engine's; this module adds only what needs the database: the report already sent for a
period, the "continue your draft?" question, and storing the submission.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.clock import Clock
from bot.dialogs import engine
from bot.dialogs.engine import DialogState, Reply
from bot.domain import status as rules
from bot.domain.periods import Period
from bot.domain.units import UnitDirectory
from bot.forms import ChoiceInput, FormDefinition, Valid, render_value, validate
from bot.forms.computed import Filler, fill_computed
from bot.forms.dialog import PREFIX, form_dialog, staff_request
from bot.messengers import text_only
from bot.middlewares.callback_answers import alert
from bot.roles import OFFICER_LEVELS, STAFF_LEVELS, HasAccess
from bot.status.figures import current_period
from handlers import dialogs
from handlers.dialogs import DialogSpec, Finished, InDialog, begin, carry_out, context
from handlers.editing import edit_markup
from handlers.forms.import_buttons import import_buttons
from handlers.forms.view import FormAction, FormCb
from handlers.reviews import notify_staff
from storage.models import User
from storage.repositories import submissions

router = Router(name=__name__)
router.message.filter(HasAccess(*OFFICER_LEVELS))
router.callback_query.filter(HasAccess(*OFFICER_LEVELS))

FORM_COMMANDS = {"baocao": "activity_report", "kiemtra": "inspection"}
REPLACE = "replace"  # the question "your unit already sent this period: replace it?"
RESUME = "resume"  # the question "continue your unfinished form, or start again?"

Forms = dict[str, FormDefinition]
_BUILT: dict[tuple[str, str], tuple[FormDefinition, DialogSpec]] = {}


def _lang(i18n: I18n) -> str:
    return i18n.current_locale


def spec_for(form: FormDefinition, lang: str) -> DialogSpec:
    """The dialog of `form` in `lang`, built once per loaded definition."""
    built = _BUILT.get((form.id, lang))
    if built is None or built[0] is not form:
        # A trial is run by the admin who imported the form.
        levels = (*OFFICER_LEVELS, *STAFF_LEVELS) if form.trial else OFFICER_LEVELS
        spec = DialogSpec(
            form_dialog(form, lang),
            frozenset(levels),
            send,
            prepare=_prepare,
            interject=_check_period,
            on_asked=_asked,
            on_cancelled=_cancelled if form.trial else None,
        )
        built = _BUILT[(form.id, lang)] = (form, spec)
    return built[1]


def _resolve(name: str, deps: Mapping[str, Any]) -> DialogSpec | None:
    """A form's dialog from its id (`form:<form>:<lang>`), after a restart too."""
    if not name.startswith(PREFIX):
        return None
    form_id, _sep, lang = name[len(PREFIX) :].rpartition(":")
    forms: Forms | None = deps.get("forms")
    form = forms.get(form_id) if forms is not None else None
    if form is None:
        built = _BUILT.get((form_id, lang))
        return built[1] if built is not None else None
    return spec_for(form, lang)


dialogs.RESOLVERS.append(_resolve)


async def _prepare(state: DialogState, deps: dict[str, Any]) -> Mapping[str, Any]:
    extra: dict[str, Any] = {
        "unit_name": state.data.get("unit_name", ""),
        "lang": state.dialog.rpartition(":")[2],
        "staff_comment": state.data.get("staff_comment"),
    }
    form = _form_of(state, deps)
    if form.period_field is not None and state.at == form.period_field:
        # On the 1st the month just begun is not due yet: the month whose deadline is next (or
        # just passed) comes first, as in /chuabaocao and /thongke.
        clock: Clock = deps["clock"]
        due = await current_period(deps["session"], clock.today())
        extra["due_month"] = due.period.months[0]
    return extra


def _form_of(state: DialogState, deps: Mapping[str, Any]) -> FormDefinition:
    forms: Forms = deps["forms"]
    return forms[state.data["form"]]


def _open_button(text: str, form_id: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=FormCb(action=FormAction.OPEN, form=form_id).pack()
    )


# --- starting -------------------------------------------------------------------------------


@router.message(Command(*FORM_COMMANDS, "bieumau"))
async def open_form(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    forms: Forms,
    i18n: I18n,
    **deps: Any,
) -> None:
    """Start a form, or offer to continue the one under way."""
    name = command.command.lower()
    if name == "bieumau":
        user: User = deps["user"]
        rows = [
            [_open_button(form.title.get(_lang(i18n)), form.id)]
            for form in forms.values()
            if form.offered_to(user.unit_code)
        ]
        await message.answer(
            _("Which form?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
        )
        return
    form = forms.get(FORM_COMMANDS[name])
    if form is None:
        await message.answer(_("This form is not available."))
        return
    assert message.bot is not None
    await _open(message.bot, message.chat.id, state, form, {**deps, "forms": forms, "i18n": i18n})


async def _open(
    bot: Bot,
    chat_id: int,
    fsm: FSMContext,
    form: FormDefinition,
    deps: dict[str, Any],
    period: str | None = None,
) -> None:
    running = await _running(fsm, deps)
    if running is not None and running.answers:
        spec = dialogs.spec_of(running.dialog, deps)
        assert spec is not None
        ctx = await dialogs.context_for(spec, running, deps)
        title = str(running.data.get("title", ""))
        if running.data.get("form") == form.id:
            text = _(
                "You have an unfinished {form} ({count} answers). Continue it, or start again?"
            ).format(form=title, count=len(running.answers))
            restart = _("🔄 Start again")
        else:  # "start again" would not say that the other form is what starts
            text = _(
                "You have an unfinished {form} ({count} answers). Continue it, or drop it and "
                "open {wanted}?"
            ).format(
                form=title,
                count=len(running.answers),
                wanted=form.title.get(_lang(deps["i18n"])),
            )
            restart = _("🗑 Drop it, open the new form")
        asked = engine.ask(
            spec.dialog,
            replace(running, data={**running.data, "wanted": form.id, "wanted_period": period}),
            ctx,
            RESUME,
            text,
            [("continue", _("▶️ Continue")), ("restart", restart)],
        )
        await carry_out(bot, chat_id, fsm, asked, deps)
        return
    await start_form(bot, chat_id, fsm, form, deps, period=period)


async def _running(fsm: FSMContext, deps: Mapping[str, Any]) -> DialogState | None:
    """The form under way in this chat, if any."""
    if await fsm.get_state() != InDialog.active.state:
        return None
    raw = (await fsm.get_data()).get("dialog")
    if not raw or not str(raw.get("dialog", "")).startswith(PREFIX):
        return None
    state = DialogState.from_dict(raw)
    return state if dialogs.spec_of(state.dialog, deps) is not None else None


async def start_form(
    bot: Bot,
    chat_id: int,
    fsm: FSMContext,
    form: FormDefinition,
    deps: dict[str, Any],
    *,
    answers: dict[str, Any] | None = None,
    replaces: int | None = None,
    period: str | None = None,
    staff_comment: str | None = None,
    trial_of: int | None = None,
) -> None:
    """A new draft of `form` (or a reopened one, with its old answers, at the review).

    `trial_of` is the imported revision an admin is trying: its Gửi and Hủy offer to
    publish it or try it again.

    `period` (a button such as /trangthai's "Gửi báo cáo (Tháng 11/2026)") answers the form's
    period question in advance when it is a valid answer; the officer can still change it.
    """
    i18n: I18n = deps["i18n"]
    clock: Clock = deps["clock"]
    units: UnitDirectory = deps["units"]
    user: User = deps["user"]
    lang = _lang(i18n)
    spec = spec_for(form, lang)
    unit = units.get(user.unit_code or "")
    given: dict[str, Any] = dict(answers or {})
    if period and form.period_field and not answers:
        taken = validate(form, {}, form.period_field, ChoiceInput(period), today=clock.today())
        if isinstance(taken, Valid):
            given = {form.period_field: taken.value}
    reported = given.get(form.period_field or "")
    data = {
        "form": form.id,
        "title": form.title.get(lang),
        "unit_name": unit.name if unit else user.unit_code or "",
        "token": str(uuid.uuid4()),
        "replaces": replaces,
        # A replacement stays in its period (see _check_period).
        "replaces_period": reported if replaces else None,
        # The period given in advance is checked at Gửi, as a reopened one is.
        "checked_period": reported,
        "started": clock.now().isoformat(),
        # What the department asked for, repeated above the reopened form's review.
        "staff_comment": staff_comment,
        "trial_of": trial_of,
    }
    extra: dict[str, Any] = {
        "unit_name": data["unit_name"],
        "lang": lang,
        "staff_comment": staff_comment,
    }
    if form.period_field is not None and not given:
        extra["due_month"] = (await current_period(deps["session"], clock.today())).period.months[0]
    ctx = context(clock, units, extra, typed=text_only(deps.get("bot")))
    if answers:
        kept = engine.prune(spec.dialog, answers)
        missing = engine.first_missing(spec.dialog, kept)
        at = missing.name if missing is not None else engine.REVIEW
        reply = engine.start_at(spec.dialog, ctx, kept, at, data)
        if reply.state is not None and at == engine.REVIEW:
            reply = replace(reply, state=replace(reply.state, editing=False))
        elif reply.state is not None and staff_comment:
            # A question first (the form changed since): the request above it, as on the review.
            noted = replace(
                reply.state, draft={**reply.state.draft, "note": staff_request(staff_comment, _)}
            )
            reply = Reply(noted, engine.show(spec.dialog, noted, ctx))
    else:
        reply = engine.start(spec.dialog, ctx, data, given)
    await begin(bot, chat_id, fsm, reply, deps)


# --- what needs the database: the period already reported ------------------------------------


async def _existing(reply: Reply, deps: Mapping[str, Any], period: str) -> int | None:
    """The live report of this unit for `period`, unless it is the one being replaced."""
    assert reply.state is not None
    session: AsyncSession = deps["session"]
    user: User = deps["user"]
    existing = await submissions.live_for_period(
        session, reply.state.data["form"], user.unit_code or "", period
    )
    if existing is None or existing.id == reply.state.data.get("replaces"):
        return None
    return existing.id


async def _ask_replace(reply: Reply, deps: dict[str, Any], existing: int, period: str) -> Reply:
    state = reply.state
    assert state is not None
    form = _form_of(state, deps)
    spec = dialogs.require_spec(state.dialog, deps)
    shown = render_value(form.field(form.period_field or ""), period, _lang(deps["i18n"]))
    text = _(
        "Your unit already sent this report for {period} (#{id}). Send a new one to replace "
        "it? The old one is kept in the history."
    ).format(period=shown, id=existing)
    data = {**state.data, "existing": existing}
    ctx = await dialogs.context_for(spec, state, deps)
    return engine.ask(
        spec.dialog,
        replace(state, data=data),
        ctx,
        REPLACE,
        text,
        [
            ("replace", _("🔁 Replace it")),
            ("repick", _("📅 Another period")),
        ],  # and the dialog's ❌ Hủy, which asks first
    )


async def _check_period(reply: Reply, deps: dict[str, Any]) -> Reply | None:
    """A period just answered that the unit already reported is asked about before going on."""
    state = reply.state
    assert state is not None
    form = _form_of(state, deps)
    if form.period_field is None or state.at in (engine.ASK, engine.CANCEL):
        return None
    period = state.answers.get(form.period_field)
    again = state.data.get("recheck") and state.at != form.period_field  # Kỳ khác, answered
    if period is None or (period == state.data.get("checked_period") and not again):
        return None
    data = {**state.data, "checked_period": period, "recheck": False}
    if data.get("replaces") is not None and data.get("replaces_period") != period:
        # A replacement moved to another period is a new report there.
        data.update(replaces=None, replaces_period=None)
    moved = replace(reply, state=replace(state, data=data))
    existing = await _existing(moved, deps, str(period))
    if existing is None:
        return moved
    return await _ask_replace(moved, deps, existing, str(period))


async def _asked(
    bot: Bot, chat_id: int, fsm: FSMContext, reply: Reply, deps: dict[str, Any]
) -> Reply | None:
    """Thay thế / Kỳ khác / Hủy, and Tiếp tục / Làm lại."""
    state = reply.state
    assert state is not None and reply.asked is not None
    question, choice = reply.asked
    spec = dialogs.require_spec(state.dialog, deps)
    ctx = await dialogs.context_for(spec, state, deps)
    form = _form_of(state, deps)
    if question == REPLACE and choice == "replace":
        period = state.answers.get(form.period_field or "")
        data = {**state.data, "replaces": state.data.get("existing"), "replaces_period": period}
        return engine.resume(spec.dialog, state, ctx, data=data)
    if question == REPLACE and choice == "repick" and form.period_field:
        # The answers so far are kept; only the period is asked again.
        data = {**state.data, "recheck": True}
        return engine.goto(spec.dialog, state, ctx, form.period_field, data=data)
    if question == RESUME and choice == "restart":
        forms: Forms = deps["forms"]
        wanted = forms.get(str(state.data.get("wanted"))) or form
        await start_form(bot, chat_id, fsm, wanted, deps, period=state.data.get("wanted_period"))
        return None
    if question == RESUME:
        return engine.resume(spec.dialog, state, ctx)
    return Reply(None, cancelled=True)


# --- sending ---------------------------------------------------------------------------------


def _trial_buttons(data: Mapping[str, Any]) -> InlineKeyboardMarkup | None:
    """Publish the revision just tried, or try it again (a trial started before these
    buttons existed has no `trial_of`: nothing to offer)."""
    row = data.get("trial_of")
    return import_buttons(int(row), tried=True) if row is not None else None


async def _cancelled(bot: Bot, chat_id: int, state: DialogState) -> None:
    """A trial cancelled: the admin can still publish it, or try it again."""
    buttons = _trial_buttons(state.data)
    if buttons is not None:
        await bot.send_message(
            chat_id, _("Publish this form, or try it again?"), reply_markup=buttons
        )


async def send(done: Finished) -> None:
    """Gửi: store, commit, and only then confirm (the confirmation is owed, then sent)."""
    deps = done.deps
    session: AsyncSession = deps["session"]
    user: User = deps["user"]
    i18n: I18n = deps["i18n"]
    forms: Forms = deps["forms"]
    form = forms[done.data["form"]]
    answers = done.answers
    if form.trial:
        await done.state.clear()
        await done.bot.send_message(
            done.chat_id,
            _("✅ That is how officers will fill it in. Nothing was stored."),
            reply_markup=_trial_buttons(done.data),
        )
        return
    if form.computed:
        clock: Clock = deps["clock"]
        started = done.data.get("started")
        answers = fill_computed(
            form,
            answers,
            Filler(
                started=datetime.fromisoformat(started) if started else clock.now(),
                now=clock.now(),
                device=f"telegram:{user.id}",
                username=user.full_name or "",
                phone=user.phone,
            ),
        )
    period = str(answers.get(form.period_field)) if form.period_field else None
    replaces = done.data.get("replaces")
    if period is not None:
        if replaces is not None and done.data.get("replaces_period") != period:
            replaces = None  # (the period was changed: see _check_period)
        raw = (await done.state.get_data())["dialog"]
        current = DialogState.from_dict(raw)
        existing = await _existing(Reply(current), deps, period)
        if existing is not None:
            asked = await _ask_replace(Reply(current), deps, existing, period)
            await carry_out(done.bot, done.chat_id, done.state, asked, deps)
            return
    files = [
        (field.name, file)
        for field in form.fields
        if field.type in ("photo", "document")
        for file in (answers.get(field.name) or [])
    ]
    stored, new = await submissions.store(
        session,
        form_id=form.id,
        form_version=form.version,
        unit_code=user.unit_code or "",
        officer_id=user.id,
        period=period,
        answers=answers,
        files=files,
        token=done.data["token"],
        replaces_id=replaces,
        at=deps["clock"].now(),  # the bot's clock: what status and exports count by
    )
    if new:
        # Owed, not sent: committed with the submission, so a crash or an outage of
        # Telegram after the commit delays the confirmation and the staff's cards, never
        # loses them (a redelivered Gửi stores nothing new and queues nothing).
        confirmation = _(
            "✅ Sent. Reference number: <b>{ref}</b>. The department has been told."
        ).format(ref=stored.reference)
        if (day := rules.dated_on(form.id, answers)) is not None:
            # A finding of 01/12 sent while November is the period shown by /trangthai would
            # read as lost there: say which month it counts in.
            confirmation += "\n" + _("Counted in {period}, by the inspection date.").format(
                period=Period.month(day.year, day.month).label(i18n.current_locale)
            )
        owed.owe_text(
            session,
            done.chat_id,
            confirmation,
            kind="submission.sent",
            locale=i18n.current_locale,
        )
        await notify_staff(session, i18n, deps["settings"], forms, deps["units"], stored, user)
    await session.commit()
    await done.state.clear()


# --- buttons of other screens: /bieumau's list, /trangthai's "Gửi báo cáo" --------------------


@router.callback_query(FormCb.filter(F.action == FormAction.OPEN))
async def pressed_open(
    query: CallbackQuery,
    callback_data: FormCb,
    state: FSMContext,
    forms: Forms,
    callback_answer: CallbackAnswer,
    **deps: Any,
) -> None:
    """`activity_report` (/bieumau), or `activity_report@2026-11` with the period chosen."""
    message = query.message
    bot = query.bot
    assert bot is not None
    form_id, _at, period = callback_data.form.partition("@")
    form = forms.get(form_id)
    user: User = deps["user"]
    if form is None or not form.offered_to(user.unit_code):
        # Not published to this officer's unit (or no longer): /bieumau would not show it,
        # so a button for it is an old one or a forged one.
        alert(callback_answer, _("This form is not available."))
        return
    if not isinstance(message, Message):
        return
    await edit_markup(bot, message.chat.id, message.message_id, None)
    await _open(bot, message.chat.id, state, form, {**deps, "forms": forms}, period or None)

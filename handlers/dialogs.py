"""The Telegram front end of `bot.dialogs`: one router that runs every registered dialog.

A screen becomes a message with inline buttons (choices one per row, navigation
in the last row); a pressed choice is written under its question in place and
its buttons removed; a choice toggled (units, several options) edits the same
message. A typed answer removes the choices of the question it answers, but
leaves navigation alone (Quay lại, Hủy: a press on it is "old"). Typed text goes
through the plain-text parser too, so `2`, `1, 3`, `quay lại`, `bỏ qua`, `xong`,
`hủy` work here as on Zalo. /huy and ❌ Hủy are the same input. Callback queries are
answered once, by aiogram's `CallbackAnswerMiddleware` on this router
(`bot.middlewares.callback_answers`).

The dialog state lives in the FSM data (`dialog`, `message_id`), so a restart
loses nothing. A dialog's owner registers a `DialogSpec`: the definition, who
may run it, and `finish`, called with the answers; `finish` commits what it
stores before it tells the user (the state is cleared only after it returns).
"""

from __future__ import annotations

import enum
import html
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.dialogs import plain
from bot.dialogs.engine import (
    MENU,
    REVIEW,
    CaptionedFile,
    DialogState,
    Input,
    NavInput,
    Reply,
    Screen,
    again,
    handle,
    reopen,
    show,
)
from bot.dialogs.engine import start as engine_start
from bot.dialogs.model import Context, Dialog, Expect, Nav, UnitLookup
from bot.dialogs.units import DirectoryLookup
from bot.domain.text import clean_text, split_message
from bot.domain.units import UnitDirectory
from bot.forms.inputs import (
    FOREIGN_CONTACT,
    ChoiceInput,
    ContactInput,
    FileInput,
    LocationInput,
    TextInput,
    UnsupportedInput,
)
from bot.messengers import messenger_name, text_only
from bot.middlewares.callback_answers import alert
from bot.roles import Access
from handlers.editing import edit_markup, edit_text
from handlers.keyboards import back_label, cancel_label, inline

router = Router(name=__name__)


class InDialog(StatesGroup):
    active = State()


class Act(enum.StrEnum):
    """What a button of a dialog does."""

    CHOOSE = "choose"
    BACK = "back"
    SKIP = "skip"
    KEEP = "keep"
    DONE = "done"
    CANCEL = "cancel"


class DialogCb(CallbackData, prefix="dlg"):
    act: Act
    screen: int  # the screen's number: a press on an older one is refused
    option: int = 0  # the choice's place on that screen (its key may hold any character)


@dataclass(frozen=True)
class Finished:
    """What `finish` gets: the answers, the dialog's own data, where to answer, the deps."""

    bot: Bot
    chat_id: int
    user_id: int
    answers: dict[str, Any]
    data: dict[str, Any]
    state: FSMContext
    deps: dict[str, Any]
    message_id: int | None = None  # the review's message


Prepare = Callable[[DialogState, dict[str, Any]], Awaitable[Mapping[str, Any]]]
BeforeReview = Callable[[Bot, int, DialogState, dict[str, Any]], Awaitable[tuple[str, str] | None]]
# Before a new screen is shown: another reply instead (a question of the dialog's own), or None.
Interject = Callable[[Reply, dict[str, Any]], Awaitable[Reply | None]]
# The choice made on such a question (`Reply.asked`): the reply to carry out, or None when
# the front end has shown what comes next itself (another dialog started).
OnAsked = Callable[[Bot, int, FSMContext, Reply, dict[str, Any]], Awaitable[Reply | None]]
# After the dialog's "cancelled" message: what else to offer (the state as it was).
OnCancelled = Callable[[Bot, int, DialogState], Awaitable[None]]


@dataclass(frozen=True)
class DialogSpec:
    """A dialog as this front end runs it.

    `prepare` looks up what its steps show (counts, lists from the database) into
    `Context.extra`; `before_review` may send something first (a preview) or answer
    (step, message) to ask a step again instead of showing the review.
    """

    dialog: Dialog
    levels: frozenset[Access]
    finish: Callable[[Finished], Awaitable[None]]
    prepare: Prepare | None = None
    before_review: BeforeReview | None = None
    interject: Interject | None = None
    on_asked: OnAsked | None = None
    on_cancelled: OnCancelled | None = None


SPECS: dict[str, DialogSpec] = {}
# Dialogs made from data at run time (a form of FORMS_DIR): id and deps → spec, or None.
RESOLVERS: list[Callable[[str, Mapping[str, Any]], DialogSpec | None]] = []


def register(spec: DialogSpec) -> None:
    SPECS[spec.dialog.id] = spec


def spec_of(dialog_id: str, deps: Mapping[str, Any] | None = None) -> DialogSpec | None:
    spec = SPECS.get(dialog_id)
    for resolve in RESOLVERS if spec is None else ():
        spec = resolve(dialog_id, deps or {})
        if spec is not None:
            break
    return spec


def require_spec(dialog_id: str, deps: Mapping[str, Any] | None = None) -> DialogSpec:
    spec = spec_of(dialog_id, deps)
    if spec is None:
        raise KeyError(f"no dialog {dialog_id!r}")
    return spec


def context(
    clock: Clock,
    units: UnitDirectory | None,
    extra: Mapping[str, Any] | None = None,
    *,
    typed: bool = False,
) -> Context:
    """`typed`: for a messenger without buttons (`text_only(bot)`), whose screens say what to
    type where others say what to press."""
    extra = dict(extra or {})
    lookup: UnitLookup | None = None
    if units is not None:
        lookup = DirectoryLookup(units, extra.get("unit_counts"))
    lang = str(extra.get("lang", "vi"))
    gettext = plain.typed_gettext(_) if typed else _
    return Context(
        now=clock.now(), gettext=gettext, units=lookup, lang=lang, extra=extra, typed=typed
    )


async def context_for(spec: DialogSpec, state: DialogState, deps: dict[str, Any]) -> Context:
    """The context of a step: the clock, the units, what `prepare` looked up, the messenger."""
    extra = await spec.prepare(state, deps) if spec.prepare is not None else {}
    typed = text_only(deps.get("bot"))
    return context(deps["clock"], deps.get("units"), extra, typed=typed)


async def begin(
    bot: Bot,
    chat_id: int,
    fsm: FSMContext,
    reply: Reply,
    deps: dict[str, Any] | None = None,
) -> None:
    """Show the first screen of a dialog started with `engine.start` (or `start_at`)."""
    saved = await fsm.get_data() if await fsm.get_state() == InDialog.active.state else {}
    replaced = saved.get("dialog")
    if replaced is not None and reply.state is not None and reply.screen is not None:
        # Screen numbers go on from the dialog this one replaces: a button left on one of its
        # screens is old here too, never taken for the new screen of the same number.
        seq = max(reply.state.seq, int(replaced.get("seq", 0)) + 1)
        reply = replace(
            reply, state=replace(reply.state, seq=seq), screen=replace(reply.screen, seq=seq)
        )
    await fsm.set_state(InDialog.active)
    # The screen of a dialog it replaces loses its buttons (and a share keyboard stays only
    # while it is wanted).
    await fsm.set_data({k: saved[k] for k in ("message_id", "share") if k in saved})
    await _run(bot, chat_id, fsm, reply, None, deps)


async def carry_out(
    bot: Bot, chat_id: int, fsm: FSMContext, reply: Reply, deps: dict[str, Any]
) -> None:
    """Carry out a reply made outside `handle` (a front end's question, `engine.resume`)."""
    await _run(bot, chat_id, fsm, reply, None, deps)


async def under_way(fsm: FSMContext) -> str | None:
    """What the user is in the middle of: a dialog's id, another state's name, or None."""
    raw = await fsm.get_state()
    if raw != InDialog.active.state:
        return raw
    return str(((await fsm.get_data()).get("dialog") or {}).get("dialog") or raw)


async def from_data(state: DialogState, _deps: dict[str, Any]) -> Mapping[str, Any]:
    """A `prepare` for dialogs whose screens show only what was known when they began."""
    return state.data


# Dialogs a card's button may replace (another card's one question), never a longer one.
CARD_DIALOGS = {"review_comment", "reject_registration"}


async def begin_from_card(
    query: CallbackQuery,
    fsm: FSMContext,
    callback_answer: CallbackAnswer,
    spec: DialogSpec,
    data: dict[str, Any],
    deps: dict[str, Any],
) -> None:
    """A dialog opened by a button of a card (a submission, a registration) in the card's chat,
    the staff group say; a card can be pressed at any time, so a longer dialog under way there
    is not dropped: the person is asked to finish it first."""
    running = await under_way(fsm)
    if running is not None and running not in CARD_DIALOGS:
        alert(
            callback_answer,
            _("Finish or cancel (/huy) what you are doing first, then press again."),
        )
        return
    chat = query.message.chat if query.message is not None else None
    group = chat is not None and chat.type != "private"
    data = {**data, "who": query.from_user.full_name, "group": group}
    ctx = await context_for(spec, DialogState(spec.dialog.id, "", data=data), deps)
    chat_id = chat.id if chat is not None else query.from_user.id
    await begin(deps["bot"], chat_id, fsm, engine_start(spec.dialog, ctx, data), deps)


class MayRun(Filter):
    """Router-level role check: the user's access is one the running dialog allows."""

    async def __call__(
        self,
        event: TelegramObject,
        state: FSMContext,
        raw_state: str | None = None,
        access: Access = Access.GUEST,
        **deps: Any,
    ) -> bool:
        if raw_state != InDialog.active.state:
            return True  # no dialog (raw_state costs no I/O): an old button is answered "old"
        raw = (await state.get_data()).get("dialog") or {}
        spec = spec_of(raw.get("dialog", ""), deps)
        return spec is not None and access in spec.levels


router.message.filter(MayRun())
router.callback_query.filter(MayRun())


# --- rendering -------------------------------------------------------------------------------

NAV_LABELS: dict[Nav, Callable[[], str]] = {
    Nav.BACK: back_label,
    Nav.SKIP: lambda: _("⏭ Skip"),
    Nav.KEEP: lambda: _("➡️ Keep"),
    Nav.DONE: lambda: _("✅ Done"),
    Nav.CANCEL: cancel_label,
}


def render_text(screen: Screen) -> str:
    lines = [f"<i>{html.escape(screen.header)}</i>", screen.text]
    if screen.current is not None:
        lines.append(_("Current answer: {value}").format(value=html.escape(screen.current)))
    return "\n".join(lines)


def _mark(screen: Screen, selected: bool) -> str:
    """Choices of several show whether each is chosen; a choice of one needs no mark."""
    if screen.expects is Expect.CHOICES:
        return "✅ " if selected else "▫️ "
    return "✓ " if selected else ""


def render_markup(screen: Screen) -> InlineKeyboardMarkup:
    def choose(place: int, label: str) -> InlineKeyboardButton:
        data = DialogCb(act=Act.CHOOSE, screen=screen.seq, option=place)
        return InlineKeyboardButton(text=label, callback_data=data.pack())

    labelled = [
        (place, _mark(screen, option.selected) + option.label)
        for place, option in enumerate(screen.options)
    ]
    rows: list[list[InlineKeyboardButton]]
    if screen.step == REVIEW and [o.key for o in screen.options] == ["confirm", MENU]:
        rows = [[choose(*labelled[0]), choose(*labelled[1])]]
    elif screen.step == REVIEW and screen.options and screen.options[0].key != "confirm":
        rows = [[choose(*pair)] for pair in labelled]  # the answers to change, one per row
    elif screen.step == REVIEW:
        rows = [[choose(*labelled[0])]]
        rest = [choose(*pair) for pair in labelled[1:]]
        rows += [rest[i : i + 3] for i in range(0, len(rest), 3)]
    elif screen.options and all(option.label.isdigit() for option in screen.options):
        rows = [[choose(*pair) for pair in labelled]]  # numbers (days before): one row
    else:
        rows = [[choose(*pair)] for pair in labelled]
    nav = [
        InlineKeyboardButton(
            text=screen.labels.get(word) or NAV_LABELS[word](),
            callback_data=DialogCb(act=Act(word.value), screen=screen.seq).pack(),
        )
        for word in screen.nav
    ]
    rows += [nav[i : i + 3] for i in range(0, len(nav), 3)]
    return inline(*rows)


async def _run(
    bot: Bot,
    chat_id: int,
    fsm: FSMContext,
    reply: Reply,
    pressed_message: int | None,
    deps: dict[str, Any] | None = None,
    user_id: int | None = None,
) -> None:
    """Carry out the engine's reply: notices, the echo, the screen, the end."""
    if deps is not None:
        deps.setdefault("bot", bot)  # the context of a step reads the messenger from it
    saved = await fsm.get_data()
    shown_id: int | None = saved.get("message_id")
    notices = () if reply.stale else reply.notices  # stale: said in the callback answer
    # Refused on a messenger without buttons: the user has no screen above to look at, so
    # the question comes again under the short message, in one message.
    ask_again = (
        text_only(bot)
        and bool(notices)
        and reply.state is not None
        and reply.screen is None
        and reply.asked is None
        and deps is not None
    )
    for notice in () if ask_again else notices:
        await bot.send_message(chat_id, html.escape(notice, quote=False))
    if reply.asked is not None and reply.state is not None and deps is not None:
        on_asked = require_spec(reply.state.dialog, deps).on_asked
        if on_asked is not None:
            chosen = await on_asked(bot, chat_id, fsm, reply, deps)
            if chosen is None:
                return
            reply = replace(chosen, echo=None)
    if reply.state is None:
        spec = require_spec(saved["dialog"]["dialog"], deps)
        if reply.cancelled:
            await fsm.clear()
            await edit_markup(bot, chat_id, shown_id, None)
            removed = ReplyKeyboardRemove() if saved.get("share") else None
            await bot.send_message(chat_id, _(spec.dialog.cancelled), reply_markup=removed)
            if spec.on_cancelled is not None:
                await spec.on_cancelled(bot, chat_id, DialogState.from_dict(saved["dialog"]))
            return
        assert reply.finished is not None
        old = DialogState.from_dict(saved["dialog"])
        await edit_markup(bot, chat_id, shown_id, None)  # a second tap finds nothing
        try:
            await spec.finish(
                Finished(
                    bot,
                    chat_id,
                    user_id or chat_id,
                    reply.finished,
                    old.data,
                    fsm,
                    deps or {},
                    shown_id,
                )
            )
        except Exception:
            # Nothing is lost: the state still holds every answer; the buttons come back so
            # that the review can be confirmed again (its token makes that one record).
            if deps is not None and "clock" in deps:
                review = show(spec.dialog, old, await context_for(spec, old, deps))
                await edit_markup(bot, chat_id, shown_id, render_markup(review))
            raise
        return
    spec = require_spec(reply.state.dialog, deps)
    if (
        reply.screen is not None
        and not reply.in_place
        and spec.interject is not None
        and deps is not None
    ):
        reply = await spec.interject(reply, deps) or reply
    screen = reply.screen
    if (
        screen is not None
        and reply.state is not None
        and screen.step == REVIEW
        and not reply.in_place
        and spec.before_review is not None
        and deps is not None
    ):
        wrong = await spec.before_review(bot, chat_id, reply.state, deps)
        if wrong is not None:
            ctx = await context_for(spec, reply.state, deps)
            reply = reopen(spec.dialog, reply.state, wrong[0], wrong[1], ctx)
            for notice in reply.notices:
                await bot.send_message(chat_id, html.escape(notice, quote=False))
            screen = reply.screen
    share = saved.get("share", False)
    text = saved.get("text", "")
    if ask_again and reply.state is not None and deps is not None:
        screen = show(spec.dialog, reply.state, await context_for(spec, reply.state, deps))
    if screen is not None and text_only(bot):
        # Zalo: the plain renderer's numbered text, read back by plain.parse; a new message
        # each time (no edits), and the numbers of buttons shown before it no longer count.
        text = html.escape(plain.render(screen, _), quote=False)
        if ask_again:
            text = html.escape("\n".join(notices), quote=False) + "\n\n" + text
        sent = await bot.send_message(chat_id, text, reply_markup=ReplyKeyboardRemove())
        shown_id = sent.message_id
    elif screen is not None and reply.in_place and shown_id is not None:
        if render_text(screen) == text:
            await edit_markup(bot, chat_id, shown_id, render_markup(screen))
        else:
            text = split_message(render_text(screen))[-1]
            await edit_text(bot, chat_id, shown_id, text, render_markup(screen))
    elif screen is not None:
        if reply.echo is not None and shown_id is not None and shown_id == pressed_message:
            await edit_text(bot, chat_id, shown_id, f"{text}\n✓ {html.escape(reply.echo)}")
        elif shown_id == pressed_message or saved.get("choices", True):
            await edit_markup(bot, chat_id, shown_id, None)
        # Else an answer was typed under navigation buttons alone: they stay, as they cost a
        # Bot API call per step to remove (half the throughput of a step, benchmarks/) and a
        # press on one is answered "this button is old" with the current question.
        keyboard = share_keyboard(screen.expects)
        if share and keyboard is None:
            # The share button under the keyboard is not wanted any more.
            await bot.send_message(chat_id, "✓", reply_markup=ReplyKeyboardRemove())
        # A long screen (the review of long answers) comes in pages, the buttons on the last.
        *pages, text = split_message(render_text(screen))
        for page in pages:
            await bot.send_message(chat_id, page)
        if keyboard is not None:
            await bot.send_message(chat_id, text, reply_markup=keyboard)
            text = _("Or choose:")
        sent = await bot.send_message(chat_id, text, reply_markup=render_markup(screen))
        shown_id, share = sent.message_id, keyboard is not None
    assert reply.state is not None
    choices = bool(screen.options) if screen is not None else saved.get("choices", True)
    await fsm.update_data(
        dialog=reply.state.to_dict(),
        message_id=shown_id,
        text=text,
        share=share,
        choices=choices,
        shown_on=messenger_name(bot),
    )


def share_keyboard(expects: Expect) -> ReplyKeyboardMarkup | None:
    """A location or a contact is asked with Telegram's share button under the keyboard."""
    if expects is Expect.LOCATION:
        button = KeyboardButton(text=_("📍 Send my location"), request_location=True)
    elif expects is Expect.CONTACT:
        button = KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)
    else:
        return None
    return ReplyKeyboardMarkup(keyboard=[[button]], resize_keyboard=True, one_time_keyboard=True)


async def _feed(
    bot: Bot,
    chat_id: int,
    user_id: int,
    fsm: FSMContext,
    given: Input,
    deps: dict[str, Any],
    *,
    seq: int | None = None,
    pressed_message: int | None = None,
) -> Reply | None:
    deps.setdefault("bot", bot)
    saved = await fsm.get_data()
    raw = saved.get("dialog")
    if raw is None:
        return None
    state = DialogState.from_dict(raw)
    spec = require_spec(state.dialog, deps)
    reply = handle(spec.dialog, state, given, await context_for(spec, state, deps), seq=seq)
    if spec.prepare is not None and reply.state is not None and reply.screen is not None:
        # What the new screen shows is looked up for its own step.
        screen = show(spec.dialog, reply.state, await context_for(spec, reply.state, deps))
        reply = replace(reply, screen=screen)
    await _run(bot, chat_id, fsm, reply, pressed_message, deps, user_id)
    return reply


def message_input(message: Message, formatted: bool = False) -> Input:
    """An aiogram message as the engine's input (no aiogram object goes further).

    Typed text and captions lose bidirectional and zero-width characters here, once for every
    dialog, before any step sees them.
    """
    if message.text is not None:
        return TextInput(clean_text(message.html_text if formatted else message.text))
    caption = (message.html_text if formatted else message.caption or "") if message.caption else ""
    caption = clean_text(caption)
    if message.photo:
        biggest = message.photo[-1]
        photo = FileInput(
            biggest.file_id,
            biggest.file_unique_id,
            "photo",
            biggest.file_size,
            messenger=messenger_name(message.bot),
        )
        return CaptionedFile(photo, caption)
    if message.document is not None:
        doc = message.document
        return CaptionedFile(
            FileInput(
                doc.file_id,
                doc.file_unique_id,
                "document",
                doc.file_size,
                doc.mime_type,
                doc.file_name,
            ),
            caption,
        )
    if message.location is not None:
        return LocationInput(message.location.latitude, message.location.longitude)
    if message.contact is not None:
        if message.from_user is None or message.contact.user_id != message.from_user.id:
            return UnsupportedInput(FOREIGN_CONTACT)  # someone else's number
        return ContactInput(message.contact.phone_number)
    return UnsupportedInput(message.content_type)


async def current_screen(fsm: FSMContext, deps: dict[str, Any]) -> Screen:
    return await _screen_of(await fsm.get_data(), deps)


async def _screen_of(saved: Mapping[str, Any], deps: dict[str, Any]) -> Screen:
    state = DialogState.from_dict(saved["dialog"])
    spec = require_spec(state.dialog, deps)
    return show(spec.dialog, state, await context_for(spec, state, deps))


# --- handlers --------------------------------------------------------------------------------


@router.message(InDialog.active, Command("huy"))
async def cancel_command(message: Message, state: FSMContext, **deps: Any) -> None:
    """/huy is the Hủy button: it asks first when answers would be lost."""
    assert message.bot is not None
    user_id = message.from_user.id if message.from_user is not None else message.chat.id
    await _feed(message.bot, message.chat.id, user_id, state, NavInput(Nav.CANCEL), deps)


@router.message(InDialog.active, ~F.text.startswith("/"))
async def typed(message: Message, state: FSMContext, clock: Clock, **deps: Any) -> None:
    """Anything sent while a dialog runs: text (numbers and words too), a file, a place."""
    assert message.bot is not None
    deps["clock"] = clock
    # In a group (a reason typed as a reply in the staff group) the chat is not the person.
    user_id = message.from_user.id if message.from_user is not None else message.chat.id
    saved = await state.get_data()
    shown_on = saved.get("shown_on")
    if shown_on is not None and shown_on != messenger_name(message.bot):
        # The dialog is the person's, on either messenger, but its question was shown on the
        # other one: this message was not written as its answer. Ask it here first.
        await _again_here(message.bot, message.chat.id, user_id, state, deps)
        return
    screen = await _screen_of(saved, deps)
    given = message_input(message, screen.formatted)
    if isinstance(given, TextInput):
        given = plain.parse(given.text, screen)
    await _feed(message.bot, message.chat.id, user_id, state, given, deps)


async def _again_here(
    bot: Bot, chat_id: int, user_id: int, fsm: FSMContext, deps: dict[str, Any]
) -> None:
    deps.setdefault("bot", bot)
    state = DialogState.from_dict((await fsm.get_data())["dialog"])
    spec = require_spec(state.dialog, deps)
    await bot.send_message(
        chat_id, _("You have not finished this yet; answer it here, or cancel it:")
    )
    await fsm.update_data(message_id=None)  # that screen is on the other messenger
    reply = again(spec.dialog, state, await context_for(spec, state, deps))
    await _run(bot, chat_id, fsm, reply, None, deps, user_id)


@router.callback_query(DialogCb.filter())
async def pressed(
    query: CallbackQuery,
    callback_data: DialogCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    clock: Clock,
    **deps: Any,
) -> None:
    """A button of a dialog: a choice or a navigation word, refused when its screen is old."""
    message = query.message
    assert query.bot is not None
    chat_id = message.chat.id if message is not None else query.from_user.id
    # A choice's key is read from the screen it was on (when that is still the current one).
    given: Input = (
        ChoiceInput("")
        if callback_data.act is Act.CHOOSE
        else NavInput(Nav(callback_data.act.value))
    )
    deps["clock"] = clock
    deps["callback_answer"] = callback_answer
    if callback_data.act is Act.CHOOSE and (await state.get_data()).get("dialog"):
        screen = await current_screen(state, deps)
        options = screen.options
        if screen.seq == callback_data.screen and not 0 <= callback_data.option < len(options):
            callback_answer.text = _("This button is no longer active.")
            return
        if screen.seq == callback_data.screen:
            given = ChoiceInput(options[callback_data.option].key)
    deps["clock"] = clock
    reply = await _feed(
        query.bot,
        chat_id,
        query.from_user.id,
        state,
        given,
        deps,
        seq=callback_data.screen,
        pressed_message=message.message_id if message is not None else None,
    )
    if reply is None:
        callback_answer.text = _("This button is no longer active.")
    elif reply.stale:
        callback_answer.text = reply.notices[0]

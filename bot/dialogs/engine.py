"""One engine for every guided dialog: takes an input, returns the next screen.

The state (`DialogState`) is plain JSON-able data, kept by a front end in the
dialog-state storage (aiogram FSM data), so a dialog resumes after a restart.
Every screen has a number (`seq`); a button carries the number of its screen,
and a press on an older one is answered with "this button is old" and the
current screen again, never acted on.

Navigation, the same for every dialog:
- an answer moves to the next relevant step after the one answered — also
  after going back, so no question is skipped; a step already answered shows
  its current answer and offers Keep;
- Back shows the previous relevant step (from the review: the last one; while
  editing from the review: the review again);
- Skip is offered on every optional step and clears the answer;
- a changed answer re-checks the answers that depend on it and drops those
  that fail (or have no check), and drops answers that are no longer asked;
  they are asked again on the way forward (or, when editing, before the review);
- the counter k/n counts the steps asked given the answers so far;
- Cancel asks first when answers would be lost;
- Confirm on the review checks every answer again (the clock may have moved)
  and sends the user to the first one that is no longer right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot.dialogs.model import (
    Answers,
    Context,
    Dialog,
    Expect,
    Kind,
    Nav,
    Option,
    Step,
)
from bot.domain.folding import fold
from bot.domain.text import N_, Text
from bot.forms import fields as form_fields
from bot.forms.inputs import (
    ChoiceInput,
    ChoicesInput,
    ContactInput,
    FileInput,
    LocationInput,
    RawInput,
    TextInput,
)
from bot.forms.localized import Localized, Message
from bot.forms.model import Field, FieldType
from bot.forms.results import Checked, Invalid, Valid

REVIEW = "@review"
MENU = "menu"  # the review's "✏️ Edit" (with `Dialog.edit_menu`): the answers to change
CANCEL = "@cancel"
ASK = "@ask"  # a question of the front end's own (replace the report?), see `ask`
UNITS_KEY = "units"  # the audience option that opens the search of units

STALE = Text(
    N_("This button is old (that question was already answered). Here is the current one.")
)
PRESS_A_BUTTON = Text(N_("Please press one of the buttons above."))
CANT_SKIP = Text(N_("This question can't be skipped."))
CHOOSE_ONE_AT_LEAST = Text(N_("Please choose at least one option."))
NO_UNITS = Text(N_("Please choose at least one unit."))
CHOOSE_SEVERAL = Text(
    N_("Please choose one or more of the options (buttons, or numbers such as 1, 3).")
)
TYPE_UNIT = Text(N_("Please type part of a unit's name."))
SEND_A_FILE = Text(N_("Please send at least one photo or file."))
PRESS_UNIT = Text(N_("Press the unit (or type another name):"))

_NO_LABEL = Localized.of({"vi": ""})  # the form parsers want a label; steps render their own
_DEFAULT_TYPES: dict[Kind, FieldType] = {
    Kind.TEXT: "text",
    Kind.NUMBER: "integer",
    Kind.DATE: "date",
    Kind.LOCATION: "location",
    Kind.CONTACT: "phone",
    Kind.FILE: "document",
}
_EXPECTS = {
    Kind.CHOOSE_ONE: Expect.CHOICE,
    Kind.CHOOSE_MANY: Expect.CHOICES,
    Kind.AUDIENCE: Expect.CHOICE,
    Kind.FILE: Expect.FILE,
    Kind.LOCATION: Expect.LOCATION,
    Kind.CONTACT: Expect.CONTACT,
}


@dataclass(frozen=True)
class NavInput:
    """A navigation word or button: back, skip, keep, done, cancel."""

    word: Nav


@dataclass(frozen=True)
class CaptionedFile:
    """A photo or document with the text sent under it."""

    file: FileInput
    caption: str = ""


Input = RawInput | NavInput | CaptionedFile


@dataclass(frozen=True)
class DialogState:
    """Where a dialog is, as JSON-able data (see `to_dict` / `from_dict`)."""

    dialog: str
    at: str
    answers: Answers = field(default_factory=dict)
    seq: int = 1
    editing: bool = False  # came from the review: answers lead back to it
    resume: str | None = None  # the screen the cancel question returns to
    # The current step's unfinished input: chosen keys, units found, their names.
    draft: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)  # the dialog's own (a token, an id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> DialogState:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


@dataclass(frozen=True)
class ShownOption:
    key: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class Screen:
    """What a front end shows: all text already in the user's language."""

    dialog: str
    seq: int
    step: str  # a step name, REVIEW or CANCEL
    header: str
    text: str
    options: tuple[ShownOption, ...] = ()
    expects: Expect = Expect.TEXT
    nav: tuple[Nav, ...] = ()
    labels: Mapping[Nav, str] = field(default_factory=dict)  # navigation shown with a count, say
    current: str | None = None  # the answer given before, after going back
    k: int = 0
    n: int = 0
    formatted: bool = False  # typed text is wanted with its formatting
    listed: int = 0  # the first options are already numbered in the text (the review's answers)


@dataclass(frozen=True)
class Reply:
    """The engine's answer to one input."""

    state: DialogState | None  # None: the dialog is over
    screen: Screen | None = None  # to show (a new message, or in place when `in_place`)
    notices: tuple[str, ...] = ()  # said first: a refusal, "this button is old"
    echo: str | None = None  # the label of what was pressed, to leave under the old question
    in_place: bool = False  # the same question, updated (a choice toggled)
    finished: Answers | None = None
    asked: tuple[str, str] | None = None  # (question, chosen key): for the front end to act on
    cancelled: bool = False
    stale: bool = False


# --- the walk ---------------------------------------------------------------------------------


def prune(dialog: Dialog, answers: Mapping[str, Any]) -> Answers:
    """The answers to steps still asked, given the answers kept before them."""
    kept: Answers = {}
    for step in dialog.steps:
        if step.name in answers and step.relevant(kept):
            kept[step.name] = answers[step.name]
    return kept


def asked(dialog: Dialog, answers: Mapping[str, Any]) -> list[Step]:
    """The steps asked given these answers, in order (not those asked only from the review)."""
    kept = prune(dialog, answers)
    return [s for s in dialog.steps if s.relevant(kept) and not s.on_demand]


def first_missing(dialog: Dialog, answers: Mapping[str, Any]) -> Step | None:
    kept = prune(dialog, answers)
    return next((s for s in asked(dialog, kept) if s.name not in kept), None)


def _after(dialog: Dialog, answers: Mapping[str, Any], name: str) -> Step | None:
    position = dialog.index(name)
    return next((s for s in asked(dialog, answers) if dialog.index(s.name) > position), None)


def _before(dialog: Dialog, answers: Mapping[str, Any], name: str) -> Step | None:
    end = len(dialog.steps) if name == REVIEW else dialog.index(name)
    earlier = [s for s in asked(dialog, answers) if dialog.index(s.name) < end]
    return earlier[-1] if earlier else None


def apply(
    dialog: Dialog, answers: Mapping[str, Any], name: str, value: Any, ctx: Context
) -> Answers:
    """Record `value` for `name`; what depended on a change is checked again or dropped."""
    new = {**answers, name: value}
    changed = {name} if name not in answers or answers[name] != value else set()
    kept: Answers = {}
    for step in dialog.steps:
        if step.name not in new:
            continue
        if not step.relevant(kept):
            changed.add(step.name)
            continue
        current = new[step.name]
        if step.name != name and changed & set(step.depends_on):
            if not _still_right(step, current, kept, ctx):
                changed.add(step.name)
                continue
        kept[step.name] = current
    return kept


def _still_right(step: Step, value: Any, kept: Mapping[str, Any], ctx: Context) -> bool:
    if value is None:
        return not step.is_required(kept)
    if step.check is None:
        return False
    return isinstance(step.check(value, kept, ctx), Valid)


# --- starting, showing ------------------------------------------------------------------------


def start(
    dialog: Dialog,
    ctx: Context,
    data: Mapping[str, Any] | None = None,
    answers: Mapping[str, Any] | None = None,
) -> Reply:
    """A new dialog on its first step (or the first not answered in advance, say from a button)."""
    given = prune(dialog, answers or {})
    first = first_missing(dialog, given) or asked(dialog, {})[0]
    state = DialogState(dialog=dialog.id, at=first.name, answers=given, data=dict(data or {}))
    return Reply(state, show(dialog, state, ctx))


def ask(
    dialog: Dialog,
    state: DialogState,
    ctx: Context,
    question: str,
    text: str,
    options: Sequence[tuple[str, str]],
) -> Reply:
    """Ask a question of the front end's own (texts already translated) before going on.

    The choice comes back as `Reply.asked` = (question, key); the front end then goes on
    with `resume`, `goto`, or ends. Typed numbers choose as on any screen; old buttons are
    refused as on any screen.
    """
    back = state.resume if state.at in (ASK, CANCEL) else state.at
    if state.at == ASK:
        back = state.draft.get("back")
    draft = {"ask": question, "text": text, "options": [list(o) for o in options], "back": back}
    return _go(dialog, state, ctx, at=ASK, resume=back, draft=draft)


def resume(dialog: Dialog, state: DialogState, ctx: Context, **changes: Any) -> Reply:
    """Back to the screen a question interrupted (its unfinished input dropped)."""
    at = (state.draft.get("back") if state.at == ASK else state.resume) or REVIEW
    if at != REVIEW and at not in {s.name for s in asked(dialog, state.answers)}:
        missing = first_missing(dialog, state.answers)
        at = missing.name if missing is not None else REVIEW
    return _go(dialog, state, ctx, at=at, resume=None, draft={}, **changes)


def again(dialog: Dialog, state: DialogState, ctx: Context) -> Reply:
    """The current screen once more, as a new one (the dialog's command sent while it runs)."""
    return _go(dialog, state, ctx)


def goto(dialog: Dialog, state: DialogState, ctx: Context, name: str, **changes: Any) -> Reply:
    """Ask step `name` again, its answer kept as the current one, then what is missing."""
    return _go(dialog, state, ctx, at=name, resume=None, editing=True, draft={}, **changes)


def start_at(
    dialog: Dialog, ctx: Context, answers: Mapping[str, Any], at: str, data: Mapping[str, Any]
) -> Reply:
    """A dialog over existing answers, on one step that leads back to the review (editing)."""
    state = DialogState(
        dialog=dialog.id, at=at, answers=dict(answers), editing=True, data=dict(data)
    )
    return Reply(state, show(dialog, state, ctx))


def show(dialog: Dialog, state: DialogState, ctx: Context) -> Screen:
    """The screen of the state as it is (no change)."""
    _ = ctx.gettext
    title = _(dialog.title)
    if state.at == CANCEL:
        return Screen(
            dialog.id,
            state.seq,
            CANCEL,
            title,
            _("Cancel? What you entered will be lost."),
            (
                ShownOption("yes", _("Yes, cancel")),
                ShownOption("no", _("No, go on")),
            ),
            Expect.CHOICE,
        )
    if state.at == ASK:
        return Screen(
            dialog.id,
            state.seq,
            ASK,
            title,
            state.draft.get("text", ""),
            tuple(ShownOption(key, label) for key, label in state.draft.get("options", [])),
            Expect.CHOICE,
            (Nav.CANCEL,),
        )
    if state.at == REVIEW and dialog.edit_menu and not state.draft.get("menu"):
        assert dialog.review is not None
        # Typed, the numbers of the review's answers change them, and the actions come after
        # them: one number means one thing on the screen.
        answers = _edit_options(dialog, state, ctx) if ctx.typed and dialog.numbered_review else ()
        return Screen(
            dialog.id,
            state.seq,
            REVIEW,
            title,
            dialog.review(state.answers, ctx),
            (
                *answers,
                ShownOption("confirm", _(dialog.confirm_label)),
                ShownOption(MENU, _("✏️ Edit")),
            ),
            Expect.CHOICE,
            (Nav.CANCEL,),
            listed=len(answers),
        )
    if state.at == REVIEW and dialog.edit_menu:
        return Screen(
            dialog.id,
            state.seq,
            REVIEW,
            title,
            dialog.review(state.answers, ctx) if dialog.review is not None else "",
            tuple(_edit_options(dialog, state, ctx)),
            Expect.CHOICE,
            (Nav.BACK,),
        )
    if state.at == REVIEW:
        assert dialog.review is not None
        options = [ShownOption("confirm", _(dialog.confirm_label))]
        options += [
            ShownOption(option.key, f"✏️ {option.label}")
            for option in _edit_options(dialog, state, ctx)
        ]
        options += [
            ShownOption(f"edit:{step.name}", _(step.label))
            for step in dialog.steps
            if step.on_demand
        ]
        return Screen(
            dialog.id,
            state.seq,
            REVIEW,
            title,
            dialog.review(state.answers, ctx),
            tuple(options),
            Expect.CHOICE,
            (Nav.BACK, Nav.CANCEL),
        )
    step = dialog.step(state.at)
    steps = asked(dialog, state.answers)
    names = [s.name for s in steps]
    k = names.index(step.name) + 1 if step.name in names else 0
    # A dialog of one question has no counter ("step 1 of 1" says nothing).
    counted = k and len(steps) > 1
    header = (
        _("{title} · step {k} of {n}").format(title=title, k=k, n=len(steps)) if counted else title
    )
    text = step.prompt_text(state.answers, ctx)
    if step.kind is Kind.UNIT and state.draft.get("shown"):
        text = PRESS_UNIT.render(_)  # the question was asked above the search
    options, expects, labels = _offered(step, state, ctx)
    if _picking(step, state):
        names = [state.draft.get("names", {}).get(c, c) for c in state.draft.get("chosen", [])]
        text = _(
            "Type part of a unit's name, then press the units to choose (press again to remove). "
            "Chosen: {units}"
        ).format(units=", ".join(names) if names else "—")
    if state.draft.get("note"):
        text = f"{state.draft['note']}\n{text}"
    nav: list[Nav] = []
    if _picking(step, state) or _back_to(dialog, state) is not None:
        nav.append(Nav.BACK)
    if not step.is_required(state.answers):
        nav.append(Nav.SKIP)
    current = None
    if step.name in state.answers and not _picking(step, state):
        nav.append(Nav.KEEP)
        current = _shown(step, state.answers[step.name], state.answers, ctx)
    if expects is Expect.CHOICES and state.draft.get("chosen"):
        nav.append(Nav.DONE)
        labels[Nav.DONE] = _("✅ Done ({count})").format(count=len(state.draft["chosen"]))
    elif step.kind is Kind.CHOOSE_MANY and step.name not in state.answers:
        nav.append(Nav.DONE)  # pressed with nothing chosen: says to choose one at least
    if step.collect and state.draft.get("files"):
        count = len(state.draft["files"])
        received = _("Received {count} of at most {max}. Send more, or press Done.")
        text = f"{text}\n{received.format(count=count, max=step.collect)}"
        nav.append(Nav.DONE)
        labels[Nav.DONE] = _("✅ Done ({count})").format(count=count)
    elif step.collect:
        then = _("When all are sent, press Done.")
        text = f"{text}\n{then}"
        if ctx.typed:
            nav.append(Nav.DONE)  # a word is there before anything is sent (a button is not)
    nav.append(Nav.CANCEL)
    return Screen(
        dialog.id,
        state.seq,
        step.name,
        header,
        text,
        tuple(options),
        expects,
        tuple(nav),
        labels,
        current,
        k,
        len(steps) if k else 0,
        step.formatted,
    )


def _edit_options(dialog: Dialog, state: DialogState, ctx: Context) -> tuple[ShownOption, ...]:
    """The answers to change, as buttons numbered like the review ("2. Lĩnh vực"); typed, the
    number the user types is the line's own, so the label carries none."""
    return tuple(
        ShownOption(
            f"edit:{step.name}",
            ctx.gettext(step.label) if ctx.typed else f"{number}. {ctx.gettext(step.label)}",
        )
        for number, step in enumerate(asked(dialog, state.answers), start=1)
    )


def _back_to(dialog: Dialog, state: DialogState) -> str | None:
    """Where Back leads from a step: the review it was edited from, or the step before.

    A dialog without a review edits one stored value at a time (an event's place): there
    is nothing to go back to, and Hủy leaves it unchanged.
    """
    if state.editing and dialog.review is None:
        return None
    if state.editing and first_missing(dialog, state.answers) is None:
        return REVIEW
    previous = _before(dialog, state.answers, state.at)
    return previous.name if previous is not None else None


def _picking(step: Step, state: DialogState) -> bool:
    return step.kind is Kind.AUDIENCE and bool(state.draft.get("picking"))


def _offered(
    step: Step, state: DialogState, ctx: Context
) -> tuple[list[ShownOption], Expect, dict[Nav, str]]:
    if _picking(step, state) or step.kind is Kind.UNIT:
        chosen = set(state.draft.get("chosen", []))
        names = state.draft.get("names", {})
        shown = [
            ShownOption(code, names.get(code, code), code in chosen)
            for code in state.draft.get("shown", [])
        ]
        return shown, (Expect.CHOICES if _picking(step, state) else Expect.TEXT), {}
    offered = step.offered(state.answers, ctx)
    chosen = set(state.draft.get("chosen", []))
    options = [ShownOption(o.key, ctx.text(o.label), o.key in chosen) for o in offered]
    # What a refused input probably meant (a month without its year), first.
    keys = {o.key for o in offered}
    options[:0] = [
        ShownOption(key, _shown(step, key, state.answers, ctx))
        for key in state.draft.get("suggested", [])
        if key not in keys
    ]
    if step.kind is Kind.AUDIENCE:
        options.append(ShownOption(UNITS_KEY, ctx.gettext("🏘 Chosen units")))
    return options, _EXPECTS.get(step.kind, Expect.TEXT), {}


def _shown(step: Step, value: Any, answers: Mapping[str, Any], ctx: Context) -> str:
    """An answer as a person reads it."""
    if value is None:
        return ctx.gettext("— (skipped)")
    if step.show is not None:
        return step.show(value, ctx)
    labels = {o.key: ctx.text(o.label) for o in step.offered(answers, ctx)}
    if isinstance(value, list):
        if ctx.units is not None and step.kind in (Kind.AUDIENCE, Kind.UNIT):
            return ", ".join(ctx.units.name(str(code)) or str(code) for code in value)
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if ctx.units is not None and step.kind is Kind.UNIT:
        return ctx.units.name(str(value)) or str(value)
    return labels.get(str(value), str(value))


def reopen(dialog: Dialog, state: DialogState, name: str, notice: str, ctx: Context) -> Reply:
    """Ask `name` again (its answer dropped), then back to the review: a front end found it
    wrong (nobody would receive the notice, Telegram refused its text...)."""
    answers = {k: v for k, v in state.answers.items() if k != name}
    return _go(
        dialog, state, ctx, notices=[notice], at=name, answers=answers, editing=True, draft={}
    )


# --- taking an input --------------------------------------------------------------------------


def handle(
    dialog: Dialog, state: DialogState, given: Input, ctx: Context, *, seq: int | None = None
) -> Reply:
    """Take one input. `seq` is the screen number a pressed button carried (None when typed)."""
    if seq is not None and seq != state.seq:
        again = replace(state, seq=state.seq + 1)
        return Reply(again, show(dialog, again, ctx), (STALE.render(ctx.gettext),), stale=True)
    if state.at == CANCEL:
        return _on_cancel_question(dialog, state, given, ctx)
    if state.at == ASK and not (isinstance(given, NavInput) and given.word is Nav.CANCEL):
        keys = [key for key, _label in state.draft.get("options", [])]
        if isinstance(given, ChoiceInput) and given.value in keys:
            return Reply(state, asked=(state.draft.get("ask", ""), given.value))
        return _refuse(state, PRESS_A_BUTTON, ctx)
    if isinstance(given, NavInput):
        return _navigate(dialog, state, given.word, ctx)
    if state.at == REVIEW:
        return _on_review(dialog, state, given, ctx)
    return _on_step(dialog, state, dialog.step(state.at), given, ctx)


def _say(message: Message, ctx: Context) -> str:
    return message.render(ctx.gettext) if isinstance(message, Text) else message.get(ctx.lang)


def _refuse(state: DialogState, message: Message, ctx: Context) -> Reply:
    return Reply(state, notices=(_say(message, ctx),))


def _go(
    dialog: Dialog,
    state: DialogState,
    ctx: Context,
    *,
    notices: Sequence[str] = (),
    echo: str | None = None,
    **changes: Any,
) -> Reply:
    """A new screen (a new number) for the state with `changes`."""
    moved = replace(state, seq=state.seq + 1, **changes)
    if changes.get("draft") == {} and moved.at in moved.answers:
        # Back to a choose-several question answered before: its choices start ticked, so
        # ticking one more adds to the answer instead of silently replacing it.
        step = next((s for s in dialog.steps if s.name == moved.at), None)
        answer = moved.answers[moved.at]
        if step is not None and step.kind is Kind.CHOOSE_MANY and isinstance(answer, list):
            moved = replace(moved, draft={"chosen": list(answer)})
    return Reply(moved, show(dialog, moved, ctx), tuple(notices), echo)


def _navigate(dialog: Dialog, state: DialogState, word: Nav, ctx: Context) -> Reply:
    if word is Nav.CANCEL:
        if not state.answers or not dialog.ask_before_cancel:
            return Reply(None, cancelled=True)
        return _go(dialog, state, ctx, at=CANCEL, resume=state.at)
    if state.at == ASK:
        return _refuse(state, PRESS_A_BUTTON, ctx)
    if word is Nav.BACK:
        if state.at == REVIEW and state.draft.get("menu"):
            moved = replace(state, draft={})
            return Reply(moved, show(dialog, moved, ctx), in_place=True)
        if state.at != REVIEW and _picking(dialog.step(state.at), state):
            return _go(dialog, state, ctx, draft={})
        back = _back_to(dialog, state)
        if back is None:
            return _refuse(state, PRESS_A_BUTTON, ctx)
        if back == REVIEW:
            return _go(dialog, state, ctx, at=REVIEW, editing=False, draft={})
        return _go(dialog, state, ctx, at=back, draft={})
    if state.at == REVIEW:
        return _refuse(state, PRESS_A_BUTTON, ctx)
    step = dialog.step(state.at)
    if word is Nav.SKIP:
        if step.is_required(state.answers):
            return _refuse(state, step.required_message or CANT_SKIP, ctx)
        return _accept(dialog, state, step, None, ctx, echo=ctx.gettext("⏭ Skip"))
    if word is Nav.KEEP:
        if step.name not in state.answers:
            return _refuse(state, PRESS_A_BUTTON, ctx)
        return _accept(dialog, state, step, state.answers[step.name], ctx)
    # DONE: finish a choice of several, or the files sent
    if step.collect and state.draft.get("files"):
        return _checked(dialog, state, step, Valid(list(state.draft["files"])), ctx)
    if step.collect:
        # Done with nothing sent: none is an answer only where the step may be skipped.
        if step.is_required(state.answers):
            return _refuse(state, step.required_message or SEND_A_FILE, ctx)
        return _accept(dialog, state, step, None, ctx)
    chosen = list(state.draft.get("chosen", []))
    if step.kind is Kind.CHOOSE_MANY or _picking(step, state):
        if not chosen:
            if _picking(step, state):
                return _refuse(state, NO_UNITS, ctx)
            return _refuse(state, step.required_message or CHOOSE_ONE_AT_LEAST, ctx)
        return _accept(dialog, state, step, chosen, ctx)
    return _refuse(state, PRESS_A_BUTTON, ctx)


def _on_cancel_question(dialog: Dialog, state: DialogState, given: Input, ctx: Context) -> Reply:
    key = given.value if isinstance(given, ChoiceInput) else None
    if isinstance(given, NavInput) and given.word is Nav.CANCEL:
        key = "yes"
    if isinstance(given, NavInput) and given.word is Nav.BACK:
        key = "no"
    if key == "yes":
        return Reply(None, cancelled=True)
    if key == "no":
        return _go(dialog, state, ctx, at=state.resume or REVIEW, resume=None)
    return _refuse(state, PRESS_A_BUTTON, ctx)


def _on_review(dialog: Dialog, state: DialogState, given: Input, ctx: Context) -> Reply:
    key = given.value if isinstance(given, ChoiceInput) else ""
    editable = {s.name for s in asked(dialog, state.answers)}
    editable |= {s.name for s in dialog.steps if s.on_demand}
    if key == MENU and dialog.edit_menu:
        moved = replace(state, draft={"menu": True})
        return Reply(moved, show(dialog, moved, ctx), in_place=True)
    if key.startswith("edit:") and key[5:] in editable:
        return _go(dialog, state, ctx, at=key[5:], editing=True, draft={})
    if key != "confirm":
        return _refuse(state, PRESS_A_BUTTON, ctx)
    for step in asked(dialog, state.answers):
        kept = prune(dialog, state.answers)
        if step.name not in kept:
            return _go(dialog, state, ctx, at=step.name, editing=True)
        value = kept[step.name]
        checked = step.check(value, kept, ctx) if value is not None and step.check else None
        if isinstance(checked, Invalid):
            answers = {k: v for k, v in state.answers.items() if k != step.name}
            notice = _say(checked.message, ctx)
            return _go(
                dialog, state, ctx, notices=[notice], at=step.name, editing=True, answers=answers
            )
    return Reply(None, finished=prune(dialog, state.answers))


def _on_step(dialog: Dialog, state: DialogState, step: Step, given: Input, ctx: Context) -> Reply:
    if step.add is not None and isinstance(given, FileInput | CaptionedFile):
        added = step.add(list(state.draft.get("files", [])), given, ctx)
        if isinstance(added, Invalid):
            return _refuse(state, added.message, ctx)
        return _go(dialog, state, ctx, draft={"files": added.value})
    if step.take is not None:
        taken = step.take(given, state.answers, ctx)
        if taken is not None:
            return _checked(dialog, state, step, taken, ctx)
    if isinstance(given, CaptionedFile):
        given = given.file
    offered = {o.key: o for o in step.offered(state.answers, ctx)}
    if step.kind is Kind.AUDIENCE:
        return _on_audience(dialog, state, step, given, ctx, offered)
    if step.kind is Kind.UNIT:
        return _on_unit(dialog, state, step, given, ctx)
    if step.kind is Kind.CHOOSE_MANY:
        if isinstance(given, ChoiceInput) and given.value in offered:
            chosen = _toggle(state.draft.get("chosen", []), given.value, list(offered))
            moved = replace(state, draft={**state.draft, "chosen": chosen})
            return Reply(moved, show(dialog, moved, ctx), in_place=True)
        if isinstance(given, ChoicesInput) and given.values and set(given.values) <= set(offered):
            values = [k for k in offered if k in given.values]
            return _accept(dialog, state, step, values, ctx)
        return _refuse(state, step.expected or CHOOSE_SEVERAL, ctx)
    if isinstance(given, ChoiceInput):
        if given.value not in offered:
            return _refuse(state, step.expected or PRESS_A_BUTTON, ctx)
        return _checked(
            dialog, state, step, Valid(given.value), ctx, echo=ctx.text(offered[given.value].label)
        )
    if step.kind is Kind.CHOOSE_ONE:
        if isinstance(given, TextInput):
            typed = fold(given.text)
            for number, option in enumerate(offered.values(), start=1):
                if typed in (str(number), fold(ctx.text(option.label))):
                    return _checked(dialog, state, step, Valid(option.key), ctx)
        return _refuse(state, step.expected or PRESS_A_BUTTON, ctx)
    if isinstance(given, TextInput) and step.parse is not None:
        return _checked(dialog, state, step, step.parse(given.text, state.answers, ctx), ctx)
    kind = _DEFAULT_TYPES.get(step.kind)
    if kind is None or not isinstance(given, TextInput | FileInput | LocationInput | ContactInput):
        return _refuse(state, step.expected or PRESS_A_BUTTON, ctx)
    template = Field(step.name, kind, label=_NO_LABEL, max_length=step.max_length)
    checked = form_fields.parse_input(template, given, ctx.today)
    if (
        isinstance(checked, Invalid)
        and step.expected is not None
        and not isinstance(given, TextInput)
    ):
        return _refuse(state, step.expected, ctx)
    return _checked(dialog, state, step, checked, ctx)


def _toggle(chosen: Sequence[str], key: str, order: Sequence[str] | None = None) -> list[str]:
    result = [k for k in chosen if k != key] if key in chosen else [*chosen, key]
    return [k for k in order if k in result] if order is not None else result


def _on_audience(
    dialog: Dialog,
    state: DialogState,
    step: Step,
    given: Input,
    ctx: Context,
    offered: Mapping[str, Option],
) -> Reply:
    if not _picking(step, state):
        if isinstance(given, ChoiceInput) and given.value == UNITS_KEY:
            previous = state.answers.get(step.name)
            chosen = previous if isinstance(previous, list) else []
            names = {c: (ctx.units.name(c) if ctx.units else None) or c for c in chosen}
            draft = {"picking": True, "chosen": chosen, "names": names, "shown": []}
            return _go(dialog, state, ctx, draft=draft, echo=ctx.gettext("🏘 Chosen units"))
        if isinstance(given, ChoiceInput) and given.value in offered:
            label = ctx.text(offered[given.value].label)
            return _accept(dialog, state, step, given.value, ctx, echo=label)
        if isinstance(given, TextInput):
            typed = fold(given.text)
            keys = [*offered, UNITS_KEY]
            if typed.isdigit() and 1 <= int(typed) <= len(keys):
                return _on_audience(
                    dialog, state, step, ChoiceInput(keys[int(typed) - 1]), ctx, offered
                )
        return _refuse(state, step.expected or PRESS_A_BUTTON, ctx)
    if isinstance(given, ChoicesInput):
        shown = state.draft.get("shown", [])
        chosen = list(state.draft.get("chosen", []))
        for key in given.values:
            chosen = _toggle(chosen, key)
        if not set(given.values) <= set(shown):
            return _refuse(state, PRESS_A_BUTTON, ctx)
        moved = replace(state, seq=state.seq + 1, draft={**state.draft, "chosen": chosen})
        return Reply(moved, show(dialog, moved, ctx))
    return _search_units(dialog, state, step, given, ctx, several=True)


def _on_unit(dialog: Dialog, state: DialogState, step: Step, given: Input, ctx: Context) -> Reply:
    return _search_units(dialog, state, step, given, ctx, several=False)


def _search_units(
    dialog: Dialog, state: DialogState, step: Step, given: Input, ctx: Context, *, several: bool
) -> Reply:
    """Type part of a name → the matches; press (or type the number of) a match to choose it."""
    shown = list(state.draft.get("shown", []))
    names = dict(state.draft.get("names", {}))
    if isinstance(given, TextInput) and given.text.strip().isdigit() and shown:
        number = int(given.text.strip())
        if 1 <= number <= len(shown):
            given = ChoiceInput(shown[number - 1])
    if isinstance(given, ChoiceInput):
        if ctx.units is None or ctx.units.name(given.value) is None:
            return _refuse(
                state, Text(N_("This unit is not in the list. Please type its name again.")), ctx
            )
        names[given.value] = ctx.units.name(given.value) or given.value
        if not several:
            return _checked(dialog, state, step, Valid(given.value), ctx, echo=names[given.value])
        chosen = _toggle(state.draft.get("chosen", []), given.value)
        moved = replace(state, draft={**state.draft, "chosen": chosen, "names": names})
        return Reply(moved, show(dialog, moved, ctx), in_place=True)
    if not isinstance(given, TextInput) or ctx.units is None:
        return _refuse(state, step.expected or TYPE_UNIT, ctx)
    found = ctx.units.find(given.text)
    if isinstance(found, Text):
        return _refuse(state, found, ctx)
    names.update({o.key: ctx.text(o.label) for o in found.options})
    note = _say(found.note, ctx) if found.note is not None else None
    draft = {**state.draft, "shown": [o.key for o in found.options], "names": names, "note": note}
    return _go(dialog, state, ctx, draft=draft)


def _checked(
    dialog: Dialog,
    state: DialogState,
    step: Step,
    checked: Checked,
    ctx: Context,
    echo: str | None = None,
) -> Reply:
    if isinstance(checked, Valid) and step.check is not None:
        checked = step.check(checked.value, prune(dialog, state.answers), ctx)
    if isinstance(checked, Invalid) and checked.suggestions:
        # Asked back with the likely answers as choices.
        note = _say(checked.message, ctx)
        draft = {**state.draft, "suggested": list(checked.suggestions), "note": note}
        return _go(dialog, state, ctx, draft=draft)
    if isinstance(checked, Invalid):
        return Reply(state, notices=(_say(checked.message, ctx),))
    return _accept(dialog, state, step, checked.value, ctx, echo=echo)


def _accept(
    dialog: Dialog,
    state: DialogState,
    step: Step,
    value: Any,
    ctx: Context,
    echo: str | None = None,
) -> Reply:
    """Store the answer and move on: the next step, or (editing) what is missing, or the review."""
    answers = apply(dialog, state.answers, step.name, value, ctx)
    if state.editing:
        missing = first_missing(dialog, answers)
        target = missing.name if missing is not None else REVIEW
    else:
        following = _after(dialog, answers, step.name)
        missing = first_missing(dialog, answers)
        target = (
            following.name
            if following is not None
            else (missing.name if missing is not None else REVIEW)
        )
    if target == REVIEW and dialog.review is None:
        return Reply(None, finished=answers, echo=echo)
    editing = state.editing and target != REVIEW
    return _go(dialog, state, ctx, echo=echo, at=target, answers=answers, editing=editing, draft={})

"""What a guided dialog is made of: steps (data) and the context they are run in.

A `Step` says what to ask (`prompt`), what kind of input it takes (`kind`),
whether it is required and asked at all given the answers so far, how typed
text becomes a value (`parse`) and whether a value is still right given the
other answers and the clock (`check`). Both return the form engine's one result
vocabulary, `Valid(value)` / `Invalid(message)` (`bot.forms.results`).

Messages are `Text` (English msgids marked with `N_`); the engine renders them
with the `gettext` of the `Context`, so it never knows a locale or a messenger.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from bot.domain.text import Text
from bot.forms.localized import Localized
from bot.forms.results import Checked

Answers = dict[str, Any]
Gettext = Callable[[str], str]


class Kind(enum.StrEnum):
    """The kinds of question; each decides the input expected and the default parser."""

    TEXT = "text"
    NUMBER = "number"  # a whole number (a seat count, say)
    DATE = "date"
    DATETIME = "datetime"
    CHOOSE_ONE = "choose_one"
    CHOOSE_MANY = "choose_many"
    AUDIENCE = "audience"  # a whole group (an option) or chosen units (a list of codes)
    UNIT = "unit"  # one unit, found by typing part of its name
    FILE = "file"
    LOCATION = "location"
    CONTACT = "contact"


class Expect(enum.StrEnum):
    """What a screen waits for: front ends use it to pick a keyboard or a hint."""

    TEXT = "text"
    CHOICE = "choice"
    CHOICES = "choices"
    FILE = "file"
    LOCATION = "location"
    CONTACT = "contact"


class Nav(enum.StrEnum):
    """Navigation words, the same on every messenger (buttons on Telegram, words in text)."""

    BACK = "back"
    SKIP = "skip"
    KEEP = "keep"  # after going back: keep the shown answer and go on
    DONE = "done"  # finish a choice of several
    CANCEL = "cancel"


Label = Text | str
"""A `Text` is translated; a plain `str` (a unit's name, say) is shown as it is."""


@dataclass(frozen=True)
class Option:
    """A choice with a stable key (what a button carries and a typed number selects)."""

    key: str
    label: Label


@dataclass(frozen=True)
class Found:
    """Units found by a search, and a line to show above them (an old name, a typo)."""

    options: Sequence[Option]
    note: Text | None = None


class UnitLookup(Protocol):
    """Injected unit search, so that the engine stays free of data sources."""

    def find(self, query: str) -> Found | Text:
        """The units matching part of a name, or a message (none, too many) to show."""

    def name(self, code: str) -> str | None: ...


@dataclass(frozen=True)
class Context:
    """What a step may read besides the answers: the clock, the language, lookups."""

    now: datetime
    gettext: Gettext
    units: UnitLookup | None = None
    lang: str = "vi"
    extra: Mapping[str, Any] = field(default_factory=dict)  # what a front end looked up
    # The front end has no buttons (Zalo): what is pressed or shared elsewhere is typed, so
    # a step that would say "the button below" says "type" instead.
    # Also: choices are typed numbers, so no label carries a number of its own and the
    # review's numbered answers are typed to be changed.
    typed: bool = False

    @property
    def today(self) -> date:
        return self.now.date()

    def text(self, label: Label) -> str:
        return label if isinstance(label, str) else label.render(self.gettext)


Prompt = Text | Callable[[Answers, Context], Text]
Options = Sequence[Option] | Callable[[Answers, Context], Sequence[Option]]


def _always(_answers: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    """One question of a dialog.

    `relevant` and `required` read only the answers of earlier steps. `depends_on`
    names earlier steps whose change can make this answer wrong: it is checked
    again (`check`), and dropped — so asked again — when it fails or has no check.
    """

    name: str
    kind: Kind
    label: str  # msgid: the line of the review, the button of "edit"
    prompt: Prompt
    required: bool | Callable[[Mapping[str, Any]], bool] = True
    relevant: Callable[[Mapping[str, Any]], bool] = _always
    depends_on: tuple[str, ...] = ()
    parse: Callable[[str, Mapping[str, Any], Context], Checked] | None = None
    check: Callable[[Any, Mapping[str, Any], Context], Checked] | None = None
    options: Options = ()
    show: Callable[[Any, Context], str] | None = None
    expected: Text | None = None  # said when the input is of the wrong kind
    max_length: int = 1000  # text
    # Its own reading of any input (text with formatting, a file with its caption...);
    # None from it means "not mine": the kind's reading applies.
    take: Callable[[Any, Mapping[str, Any], Context], Checked | None] | None = None
    on_demand: bool = False  # not asked on the way: a button of the review asks it
    formatted: bool = False  # typed text arrives with its formatting (Telegram HTML)
    # Files collected one by one (up to `collect`) until Done: `add(files so far, input, ctx)`.
    add: Callable[[list[Any], Any, Context], Checked] | None = None
    collect: int = 0
    # Said when a required step is skipped or Done with nothing (XLSForm's required_message).
    required_message: Localized | None = None

    def is_required(self, answers: Mapping[str, Any]) -> bool:
        return self.required(answers) if callable(self.required) else self.required

    def prompt_text(self, answers: Mapping[str, Any], ctx: Context) -> str:
        prompt = self.prompt(dict(answers), ctx) if callable(self.prompt) else self.prompt
        return prompt.render(ctx.gettext)

    def offered(self, answers: Mapping[str, Any], ctx: Context) -> Sequence[Option]:
        return self.options(dict(answers), ctx) if callable(self.options) else self.options


@dataclass(frozen=True)
class Dialog:
    """A whole dialog: its steps in order, and how it ends.

    With `review` set, the last step leads to a review screen (the summary, the
    confirm button, "edit N" per answer); without it the dialog ends at once.
    """

    id: str
    title: str  # msgid of the header, e.g. "New event"
    steps: tuple[Step, ...]
    review: Callable[[Mapping[str, Any], Context], str] | None = None
    confirm_label: str = ""  # msgid, e.g. "📢 Publish"
    cancelled: str = ""  # msgid said when cancelled
    ask_before_cancel: bool = True  # when answers would be lost (not when editing one value)
    edit_menu: bool = False  # the review offers "✏️ Edit", which lists the answers to change
    # The review text numbers the asked answers 1..n (a form's): typed, those numbers edit them.
    numbered_review: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(f"dialog {self.id!r} has no step {name!r}")

    def index(self, name: str) -> int:
        return self.steps.index(self.step(name))

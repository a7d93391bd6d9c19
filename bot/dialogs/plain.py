"""Screens as numbered text, and typed words as inputs: the terminal demo and Zalo.

A messenger without buttons shows the choices as a numbered list; the user
types a number (`2`), several (`1, 3`), or a navigation word — `quay lại`,
`bỏ qua`, `giữ nguyên`, `xong`, `hủy` — with or without diacritics (see `fold`).
"""

from __future__ import annotations

import html
import re

from bot.dialogs.engine import Input, NavInput, Screen
from bot.dialogs.model import Expect, Gettext, Nav
from bot.domain.folding import fold
from bot.domain.text import N_
from bot.forms.inputs import ChoiceInput, ChoicesInput, TextInput

WORDS: dict[Nav, tuple[str, ...]] = {
    Nav.BACK: ("quay lai", "back", "/back"),
    Nav.SKIP: ("bo qua", "skip", "/skip"),
    Nav.KEEP: ("giu nguyen", "keep", "tiep"),
    Nav.DONE: ("xong", "done"),
    Nav.CANCEL: ("huy", "/huy", "cancel", "/cancel"),
}
NAV_NAMES = {
    Nav.BACK: N_("quay lại"),
    Nav.SKIP: N_("bỏ qua"),
    Nav.KEEP: N_("giữ nguyên"),
    Nav.DONE: N_("xong"),
    Nav.CANCEL: N_("hủy"),
}
# What a screen of a messenger with buttons says about pressing them, said as what to type
# (`typed_gettext`): the msgid of the button wording → the msgid of the typed wording.
TYPED: dict[str, str] = {
    "Please press one of the buttons above.": N_(
        "Please type the number of one of the lines above."
    ),
    "Received {count} of at most {max}. Send more, or press Done.": N_(
        "Received {count} of at most {max}. Send more, or type «done»."
    ),
    "When all are sent, press Done.": N_("When all are sent, type «done»."),
    "Please choose one or more of the options (buttons, or numbers such as 1, 3).": N_(
        "Please type the numbers of the options you choose, such as 1, 3."
    ),
    "Please choose one of the options (press a button or type its number).": N_(
        "Please type the number of one of the options."
    ),
    "Press the unit (or type another name):": N_("Type the unit's number (or another name):"),
    "Type part of a unit's name, then press the units to choose (press again to remove). "
    "Chosen: {units}": N_(
        "Type part of a unit's name, then the numbers of the units to choose (again to "
        "remove). Chosen: {units}"
    ),
    "A short description: the programme, what to bring, whom to contact. Or press Skip.": N_(
        "A short description: the programme, what to bring, whom to contact. Or type «skip»."
    ),
    "How many seats? Press Skip if there is no limit.": N_(
        "How many seats? Type «skip» if there is no limit."
    ),
    "Add a photo or a document to go with it? Send it now, or press Skip.": N_(
        "Add a photo or a document to go with it? Send it now, or type «skip»."
    ),
    "Now type the text to go with it, or press Skip to send it without text.": N_(
        "Now type the text to go with it, or type «skip» to send it without text."
    ),
    "Please send one photo or one document, or press Skip.": N_(
        "Please send one photo or one document, or type «skip»."
    ),
    "Please type a short description, or press Skip.": N_(
        "Please type a short description, or type «skip»."
    ),
    "Please type the description as text, or press Skip.": N_(
        "Please type the description as text, or type «skip»."
    ),
    "Please type the text to go with it, or press Skip.": N_(
        "Please type the text to go with it, or type «skip»."
    ),
    "Please type the deadline as text, or press a button above.": N_(
        "Please type the deadline as text, or the number of a line above."
    ),
    "Why is {name}'s registration rejected? Press a common reason, or type your own "
    "in one or two sentences: they will read it.": N_(
        "Why is {name}'s registration rejected? Type the number of a common reason, or your "
        "own in one or two sentences: they will read it."
    ),
    "Sign-up deadline? Type a date (it means 17:00 that day) or a date and time, "
    "or press one below.": N_(
        "Sign-up deadline? Type a date (it means 17:00 that day) or a date and time, "
        "or the number of a line below."
    ),
    'Which year? "{typed}" alone does not say. If you mean {period}, press '
    "the button below; otherwise type the month with its year, for example "
    "{example}.": N_(
        'Which year? "{typed}" alone does not say. If you mean {period}, type 1; '
        "otherwise type the month with its year, for example {example}."
    ),
    "Please press one of the reasons, or type one as text.": N_(
        "Please type the number of a reason, or a reason as text."
    ),
    "Please share a location (📎 → Location), or type it as latitude, longitude.": N_(
        "Please type the location as latitude, longitude, for example 21.0285, 105.8542."
    ),
    "Please press the button below to share your phone number, or type it like 0912 345 678.": N_(
        "Please type your phone number, like 0912 345 678."
    ),
    "That is not a Vietnamese phone number. Press the button below to share your "
    "number, or type it like 0912 345 678.": N_(
        "That is not a Vietnamese phone number. Please type your number like 0912 345 678."
    ),
}


def typed_gettext(gettext: Gettext) -> Gettext:
    """`gettext` for a messenger without buttons: what says "press" says what to type."""
    return lambda msgid: gettext(TYPED.get(msgid, msgid))


_TAGS = re.compile(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>")
_NUMBERS = re.compile(r"^\d+(\s*[,;\s]\s*\d+)*$")


def render(screen: Screen, gettext: Gettext) -> str:
    """The screen as one text message."""
    lines = [screen.header, screen.text]
    if screen.current is not None:
        lines.append(gettext("Current answer: {value}").format(value=screen.current))
    if screen.listed:
        # The text numbered these already (the review's answers): their numbers change them.
        lines.append(gettext("Type an answer's number to change it."))
    for number, option in enumerate(screen.options, start=1):
        mark = "[x] " if option.selected else ""
        if number > screen.listed:
            lines.append(f"{number}. {mark}{option.label}")
    if screen.expects is Expect.CHOICES and screen.options:
        # Typed numbers are the whole answer at once (a text-only user has no ticks to toggle).
        lines.append(gettext("Type the numbers of all you choose, such as 1, 3."))
    words = [f"«{gettext(NAV_NAMES[word])}»" for word in screen.nav]
    if words:
        lines.append(gettext("Or type: {words}").format(words=", ".join(words)))
    text = "\n".join(line for line in lines if line)
    return html.unescape(_TAGS.sub("", text))  # the screens are Telegram HTML


def parse(text: str, screen: Screen) -> Input:
    """What a typed line means on this screen: a navigation word, numbers, or text."""
    folded = fold(text)
    for word, spellings in WORDS.items():
        # "bỏ qua" typed on a required question means to skip it, never the answer "bỏ qua":
        # the engine then says the question can't be skipped.
        if folded in spellings and (word in screen.nav or word in (Nav.CANCEL, Nav.SKIP)):
            return NavInput(word)
    if screen.options and _NUMBERS.match(folded):
        numbers = [int(n) for n in re.split(r"[,;\s]+", folded) if n]
        keys = [screen.options[n - 1].key for n in numbers if 1 <= n <= len(screen.options)]
        if len(keys) == len(numbers):
            if screen.expects is Expect.CHOICES:
                return ChoicesInput(tuple(keys))
            if len(keys) == 1:
                return ChoiceInput(keys[0])
    return TextInput(text)

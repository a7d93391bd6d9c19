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
_TAGS = re.compile(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>")
_NUMBERS = re.compile(r"^\d+(\s*[,;\s]\s*\d+)*$")


def render(screen: Screen, gettext: Gettext) -> str:
    """The screen as one text message."""
    lines = [screen.header, screen.text]
    if screen.current is not None:
        lines.append(gettext("Current answer: {value}").format(value=screen.current))
    for number, option in enumerate(screen.options, start=1):
        mark = "[x] " if option.selected else ""
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

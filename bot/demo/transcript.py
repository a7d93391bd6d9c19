"""What one chat looks like in a terminal: the bot's messages as lines of styled text.

Pure rendering, no I/O: `ChatView.render` turns one `Sent` event of the emulator into
lines of prompt_toolkit fragments (`(style, text)` pairs), which the terminal prints
in colour and the tests read as plain text. Buttons become lettered choices (`[a]`,
`[b]`...), because a terminal has nothing to tap; letters, not numbers, so that a typed
number is always the number (the answer to "how many?", or a choice as on Zalo).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any

from aiogram.utils.i18n import gettext as _

from bot.domain.text import shorten
from bot.emulator import Sent

Fragments = list[tuple[str, str]]
BOT = "🤖 "
INDENT = "   "

# Telegram's HTML tags (https://core.telegram.org/bots/api#html-style) → style classes.
TAG_STYLES = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "code",
    "a": "link",
    "tg-spoiler": "spoiler",
    "blockquote": "quote",
}


class ChoiceKind(StrEnum):
    CALLBACK = "callback"  # an inline button with callback data
    URL = "url"  # an inline button that opens a link
    TEXT = "text"  # a reply-keyboard button: pressing it sends its label
    CONTACT = "contact"  # a reply-keyboard button that shares the phone number
    LOCATION = "location"  # a reply-keyboard button that shares the location
    OTHER = "other"  # a kind of button the demo can't press


def button_key(index: int) -> str:
    """The letters that press the button at `index`: a…z, then aa, ab… (as sheet columns)."""
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        key = chr(ord("a") + rest) + key
    return key


@dataclass(frozen=True)
class Choice:
    """A button on screen that the person presses by typing its letter."""

    label: str
    kind: ChoiceKind
    message_id: int | None = None
    data: str = ""  # the callback data or the link


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fragments: Fragments = []
        self._open: list[tuple[str, str]] = []  # (tag, href)

    def _style(self) -> str:
        return " ".join(f"class:{TAG_STYLES[tag]}" for tag, _ in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span" and ("class", "tg-spoiler") in attrs:
            tag = "tg-spoiler"
        if tag in TAG_STYLES:
            self._open.append((tag, dict(attrs).get("href") or ""))

    def handle_endtag(self, tag: str) -> None:
        tag = "tg-spoiler" if tag == "span" else tag
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                href = self._open[index][1]
                del self._open[index:]
                if tag == "a" and href and not href.startswith("tg://"):
                    self.fragments.append(("class:hint", f" ({href})"))
                return

    def handle_data(self, data: str) -> None:
        self.fragments.append((self._style(), data))


def html_fragments(text: str) -> Fragments:
    """Telegram HTML as styled fragments: tags become styles, entities become characters."""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    return [f for f in parser.fragments if f[1]]


def split_lines(fragments: Fragments) -> list[Fragments]:
    lines: list[Fragments] = [[]]
    for style, text in fragments:
        first, *rest = text.split("\n")
        if first:
            lines[-1].append((style, first))
        for part in rest:
            lines.append([(style, part)] if part else [])
    return lines


def plain(line: Fragments) -> str:
    return "".join(text for _, text in line)


def first_line(html_text: str, limit: int = 60) -> str:
    text = plain(split_lines(html_fragments(html_text))[0]).strip()
    return shorten(text, limit)


def inline_choices(markup: dict[str, Any] | None, message_id: int | None) -> list[list[Choice]]:
    rows = []
    for row in (markup or {}).get("inline_keyboard") or []:
        choices = []
        for button in row:
            label = str(button.get("text", ""))
            if "callback_data" in button:
                choice = Choice(label, ChoiceKind.CALLBACK, message_id, button["callback_data"])
            elif "url" in button:
                choice = Choice(label, ChoiceKind.URL, message_id, button["url"])
            else:
                choice = Choice(label, ChoiceKind.OTHER, message_id)
            choices.append(choice)
        rows.append(choices)
    return rows


def reply_choices(markup: dict[str, Any] | None) -> list[list[Choice]]:
    rows = []
    for row in (markup or {}).get("keyboard") or []:
        choices = []
        for button in row:
            if isinstance(button, str):  # a plain string is a button too in the Bot API
                choices.append(Choice(button, ChoiceKind.TEXT))
            elif button.get("request_contact"):
                choices.append(Choice(str(button["text"]), ChoiceKind.CONTACT))
            elif button.get("request_location"):
                choices.append(Choice(str(button["text"]), ChoiceKind.LOCATION))
            else:
                choices.append(Choice(str(button.get("text", "")), ChoiceKind.TEXT))
        rows.append(choices)
    return rows


def _file_label(params: dict[str, Any], field: str, names: dict[str, str]) -> str:
    """The name of a file the bot sent: an upload's file name, a known file's, or its id."""
    value = params.get(field)
    if isinstance(value, str) and value in names:
        return names[value]
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.get(value.removeprefix("attach://"), value)
    if isinstance(value, dict):
        name = str(value.get("filename") or field)
        size = len(value.get("content") or b"")
        return f"{name} ({_size(size)})" if size else name
    return str(value)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class ChatView:
    """One chat on screen: renders what the bot sent there and letters its buttons.

    Letters restart at [a] with the first buttons shown after the person's last input
    and run on across the messages of that answer, so every letter on screen since then
    is unique; buttons shown earlier stay pressable until new ones appear.
    """

    def __init__(self, file_names: dict[str, str] | None = None) -> None:
        self.choices: list[Choice | None] = []
        # file_id → name of the files the person sent, for when the bot sends them back.
        self.file_names = file_names if file_names is not None else {}
        self._fresh = False

    def new_turn(self) -> None:
        """The person typed something: the next buttons shown are lettered from [a] again."""
        self._fresh = False

    def saved(self) -> list[dict[str, Any] | None]:
        """The buttons on screen, as JSON: a restarted demo presses them by the same letters."""
        return [
            None
            if c is None
            else {
                "label": c.label,
                "kind": c.kind.value,
                "message_id": c.message_id,
                "data": c.data,
            }
            for c in self.choices
        ]

    def restore(self, saved: list[dict[str, Any] | None]) -> None:
        self.choices = [
            None
            if c is None
            else Choice(str(c["label"]), ChoiceKind(c["kind"]), c.get("message_id"), str(c["data"]))
            for c in saved
        ]

    def index(self, typed: str) -> int | None:
        """The place of the button these letters press (a gone one too), else None."""
        key = typed.strip().lower()
        if not key.isascii() or not key.isalpha():
            return None
        for place in range(len(self.choices)):
            if button_key(place) == key:
                return place
        return None

    def choice(self, typed: str) -> Choice | None:
        place = self.index(typed)
        return None if place is None else self.choices[place]

    def render(self, event: Sent) -> list[Fragments]:
        params = event.params
        method = event.method
        if method == "sendMessage":
            return self._message([], str(params.get("text", "")), event)
        if method == "sendPhoto":
            head = [
                (
                    "",
                    "🖼  "
                    + _("photo: {name}").format(name=_file_label(params, "photo", self.file_names)),
                )
            ]
            return self._message(head, str(params.get("caption") or ""), event)
        if method == "sendDocument":
            label = _file_label(params, "document", self.file_names)
            head = [("", "📎 " + _("file: {name}").format(name=label))]
            return self._message(head, str(params.get("caption") or ""), event)
        if method == "editMessageText":
            head = [("class:edit", "✏️  " + _("(edited an earlier message)") + " ")]
            return self._message(head, str(params.get("text", "")), event, inline_only=True)
        if method == "editMessageReplyMarkup":
            return self._new_buttons(event)
        if method == "deleteMessage":
            return [[("class:bot", BOT), ("class:edit", "🗑  " + _("(deleted a message)"))]]
        if method == "answerCallbackQuery" and params.get("text"):
            mark = "⚠️  " if params.get("show_alert") else "💬 "
            return [[("class:bot", BOT), ("class:toast", mark + str(params["text"]))]]
        return []

    def _message(
        self, head: Fragments, html_text: str, event: Sent, *, inline_only: bool = False
    ) -> list[Fragments]:
        body = split_lines(html_fragments(html_text)) if html_text else []
        if inline_only and body:
            body[0] = head + body[0]  # "(edited) new text"
        elif head:
            body = [head, *body]  # a file's name, then its caption
        lines = [
            [("class:bot", BOT if i == 0 else INDENT), *line] if line or i == 0 else []
            for i, line in enumerate(body)
        ]
        markup = event.params.get("reply_markup") or {}
        message_id = event.message.get("message_id") if event.message else None
        lines += self._keyboard(inline_choices(markup, message_id))
        if not inline_only:
            if markup.get("remove_keyboard"):
                # The keyboard vanishes, and with it the letters of its buttons.
                self.choices = [
                    c if c is None or c.message_id is not None else None for c in self.choices
                ]
            lines += self._keyboard(reply_choices(markup), reply=True)
        return lines

    def _new_buttons(self, event: Sent) -> list[Fragments]:
        markup = event.params.get("reply_markup")
        rows = inline_choices(markup, event.params.get("message_id"))
        if not any(rows):
            return []  # buttons taken away after a press: Telegram just hides them too
        about = first_line(str((event.message or {}).get("text") or ""))
        head = "✏️  " + _("(new buttons under an earlier message: {text})").format(text=about)
        return [[("class:bot", BOT), ("class:edit", head)], *self._keyboard(rows)]

    def _keyboard(self, rows: list[list[Choice]], *, reply: bool = False) -> list[Fragments]:
        if not any(rows):
            return []
        if not self._fresh:
            self.choices = []
            self._fresh = True
        lines = []
        for index, row in enumerate(rows):
            lead = "⌨  " if reply and index == 0 else "   " if reply else ""
            line: Fragments = [("", INDENT + lead)]
            for choice in row:
                self.choices.append(choice)
                if len(line) > 1:
                    line.append(("", "   "))
                line += [
                    ("class:number", f"[{button_key(len(self.choices) - 1)}]"),
                    ("class:button", " " + choice.label),
                ]
                if choice.kind is ChoiceKind.CONTACT:
                    line.append(("class:hint", "  (:contact)"))
                elif choice.kind is ChoiceKind.LOCATION:
                    line.append(("class:hint", "  (:location)"))
                elif choice.kind is ChoiceKind.URL:
                    line.append(("class:hint", f"  ({choice.data})"))
            lines.append(line)
        return lines

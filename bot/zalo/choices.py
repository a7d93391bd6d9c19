"""Buttons on a messenger without buttons: numbered lines, and a typed number as a press.

Numbers start at 1 with the first buttons shown after the person's last message and run on
across the messages of that answer (a list of cards, each with its buttons), so every
number on screen since then is unique; the terminal demo numbers them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    CALLBACK = "callback"  # an inline button: the number becomes its callback query
    TEXT = "text"  # a reply-keyboard button: the number becomes its label, typed
    CONTACT = "contact"  # "share my phone": on Zalo the person types it
    LINK = "link"  # opens an address: shown with it


@dataclass(frozen=True)
class Choice:
    label: str
    kind: Kind
    message_id: int = 0
    data: str = ""


@dataclass
class ChatChoices:
    choices: list[Choice] = field(default_factory=list)
    fresh: bool = False  # numbering began after the person's last message


class ChoiceBook:
    """The numbered buttons of every chat, in memory (a restart shows them again: see
    bot.zalo.session — dialogs on the engine need none, their screens are read again)."""

    def __init__(self) -> None:
        self._chats: dict[int, ChatChoices] = {}

    def new_turn(self, chat_id: int) -> None:
        self._chats.setdefault(chat_id, ChatChoices()).fresh = False

    def clear(self, chat_id: int) -> None:
        self._chats.pop(chat_id, None)

    def add(self, chat_id: int, rows: list[list[Choice]]) -> list[tuple[int, Choice]]:
        """Number these buttons after those already shown in this answer."""
        chat = self._chats.setdefault(chat_id, ChatChoices())
        if not chat.fresh:
            chat.choices, chat.fresh = [], True
        numbered = []
        for row in rows:
            for choice in row:
                chat.choices.append(choice)
                numbered.append((len(chat.choices), choice))
        return numbered

    def pressed(self, chat_id: int, number: int) -> Choice | None:
        chat = self._chats.get(chat_id)
        if chat is None or not 1 <= number <= len(chat.choices):
            return None
        return chat.choices[number - 1]


def from_markup(markup: dict[str, Any] | None, message_id: int) -> list[list[Choice]]:
    """The buttons of a Bot API reply_markup (inline or reply keyboard)."""
    rows: list[list[Choice]] = []
    for row in (markup or {}).get("inline_keyboard") or []:
        line = []
        for button in row:
            label = str(button.get("text", ""))
            if button.get("callback_data") is not None:
                line.append(Choice(label, Kind.CALLBACK, message_id, button["callback_data"]))
            elif button.get("url"):
                line.append(Choice(label, Kind.LINK, message_id, button["url"]))
        rows.append(line)
    for row in (markup or {}).get("keyboard") or []:
        line = []
        for button in row:
            label = button if isinstance(button, str) else str(button.get("text", ""))
            contact = isinstance(button, dict) and button.get("request_contact")
            line.append(Choice(label, Kind.CONTACT if contact else Kind.TEXT, message_id))
        rows.append(line)
    return [row for row in rows if row]

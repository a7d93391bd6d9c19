"""Buttons on a messenger without buttons: numbered lines, and a typed number as a press.

Numbers start at 1 with the first buttons shown in answer to the person's latest message
(their *turn*) and run on across the messages of that answer (a list of cards, each with
its buttons), so every number on screen since then is unique; the terminal demo numbers
them the same way. A dialog on the engine numbers its own options in its screen (read back
by bot.dialogs.plain): the book only notes how many, so that what arrives outside the
person's turn — a notice, a reminder, in the middle of a dialog — is numbered after them
and never takes a number the dialog's screen shows.

What each number means is kept per chat in the FSM storage (the database, or Redis), beside
the chat's dialog state, so a restart does not forget what `2` stood for.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

# The person's update being handled (its zalo_updates row): set by bot.zalo.polling, so that
# buttons sent in answer to it start the numbering again; None for the workers' sends.
TURN: ContextVar[int | None] = ContextVar("zalo_turn", default=None)
# The numbered buttons are stored under this "thread" of the chat: aiogram's key builders
# leave the bot id out (and Redis's the destiny), but always put a thread id in the key, and
# Telegram's thread ids are positive, so this key never meets a dialog's state.
BOOK_THREAD = -1
_SCREEN_NUMBER = re.compile(r"^(\d+)\. ", re.MULTILINE)


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
    """The numbers of one chat: 1..`offset` are a dialog screen's own, then `choices`."""

    choices: list[Choice] = field(default_factory=list)
    offset: int = 0
    turn: int | None = None

    def pressed(self, number: int) -> Choice | None:
        place = number - self.offset
        return self.choices[place - 1] if 1 <= place <= len(self.choices) else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "choices": [[c.label, c.kind.value, c.message_id, c.data] for c in self.choices],
            "offset": self.offset,
            "turn": self.turn,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatChoices:
        choices = [
            Choice(str(label), Kind(kind), int(message_id), str(value))
            for label, kind, message_id, value in data.get("choices") or []
        ]
        return cls(choices, int(data.get("offset") or 0), data.get("turn"))


def screen_numbers(text: str) -> int:
    """How many numbered options a dialog screen's text shows (`1. …`, `2. …`)."""
    return max((int(n) for n in _SCREEN_NUMBER.findall(text)), default=0)


class ChoiceBook:
    """The numbered buttons of every chat, in the FSM storage (memory when none is given)."""

    def __init__(self, storage: BaseStorage | None = None) -> None:
        self._storage = storage or MemoryStorage()

    @staticmethod
    def _key(chat_id: int) -> StorageKey:
        return StorageKey(bot_id=0, chat_id=chat_id, user_id=chat_id, thread_id=BOOK_THREAD)

    async def load(self, chat_id: int) -> ChatChoices:
        return ChatChoices.from_dict(await self._storage.get_data(self._key(chat_id)))

    async def _save(self, chat_id: int, chat: ChatChoices) -> None:
        await self._storage.set_data(self._key(chat_id), chat.to_dict())

    async def screen(self, chat_id: int, count: int) -> None:
        """A dialog screen with `count` numbered options of its own was shown: what was
        numbered before it no longer counts."""
        await self._save(chat_id, ChatChoices([], count, TURN.get()))

    async def add(self, chat_id: int, rows: list[list[Choice]]) -> list[tuple[int, Choice]]:
        """Number these buttons after those already shown since the person's last message."""
        if not any(rows):
            return []
        chat = await self.load(chat_id)
        turn = TURN.get()
        if turn is not None and chat.turn != turn:
            # The first buttons of an answer to a new message: numbering starts again.
            chat = ChatChoices([], 0, turn)
        # Outside the person's turn (a notice), numbers run on after what is on screen.
        numbered = []
        for row in rows:
            for choice in row:
                chat.choices.append(choice)
                numbered.append((chat.offset + len(chat.choices), choice))
        await self._save(chat_id, chat)
        return numbered


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

"""What a user sent, as a front end (Telegram, Zalo, the terminal demo) hands it to the engine.

The engine never sees an aiogram object: a handler turns the update into one of
these small values. `UnsupportedInput` lets it report a sticker or a voice note
so that the field can answer with what it expects instead of failing silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class TextInput:
    """Typed text."""

    text: str


@dataclass(frozen=True)
class ChoiceInput:
    """A button's value: a choice name, `yes`/`no`, `today`/`yesterday`, a month `2026-11`..."""

    value: str


@dataclass(frozen=True)
class ChoicesInput:
    """The choices of a select_multiple field, confirmed with Done (see `toggle_choice`)."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class FileInput:
    """One photo or document; `size` in bytes when Telegram tells it; the caption typed with it."""

    file_id: str
    file_unique_id: str
    kind: Literal["photo", "document"]
    size: int | None = None
    mime_type: str | None = None
    file_name: str | None = None
    caption: str | None = None
    # Where it came from: Telegram keeps its file behind file_id; Zalo's is a URL whose bytes
    # the bot kept (bot.zalo.photos).
    messenger: str = "telegram"


@dataclass(frozen=True)
class FilesInput:
    """Several files collected for one field (see `add_file`), confirmed with Done.

    Each item is a stored file value, the dict `add_file` produced.
    """

    files: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class LocationInput:
    """A shared location."""

    lat: float
    lon: float


@dataclass(frozen=True)
class ContactInput:
    """A shared contact's phone number, as Telegram gives it (often without `+`)."""

    phone: str


@dataclass(frozen=True)
class UnsupportedInput:
    """Something no field accepts: `sticker`, `voice`, `video`, `poll`..."""

    kind: str


FOREIGN_CONTACT = "foreign_contact"  # the kind of a contact shared that is not the sender's own


RawInput = (
    TextInput
    | ChoiceInput
    | ChoicesInput
    | FileInput
    | FilesInput
    | LocationInput
    | ContactInput
    | UnsupportedInput
)

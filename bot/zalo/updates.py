"""A Zalo update as the aiogram Update the handlers already know.

The person is found (or made) by their Zalo id (storage.repositories.accounts); a typed
number that stands for a button shown to them becomes that button's press (a callback
query, or the reply button's label); a command typed without its slash or with its
diacritics (`baocao`, `báo cáo`, `Báo Cáo`) becomes `/baocao` — outside a dialog; inside one it
is an answer, and only `/baocao` or `hủy` are commands; a photo becomes a Telegram
photo whose file_id is its Zalo URL. Stickers and the rest become a message with nothing
in it, which every dialog step answers with what it expects.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram.types import Update

from bot.domain.folding import fold
from bot.zalo.choices import ChatChoices, Kind
from bot.zalo.photos import is_zalo_photo, unique_id

# Every command of every role (bot.commands, handlers): typed as words, they are commands.
COMMANDS = (
    "start help huy ngonngu dangky baocao kiemtra bieumau lophoc trangthai cuatoi thongbao "
    "sukien thongke chuabaocao hanbaocao xuat duyet hoso phanquyen nhatky lienket"
).split()
# Typed inside a dialog, still a command: the way out.
EXITS = frozenset({"huy", "huy bo"})
_NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")


def as_command(text: str) -> str | None:
    """`/baocao 11/2026`, `baocao`, `báo cáo`, `Bao Cao 11/2026` → `/baocao …`; else None."""
    folded = fold(text)
    if folded.startswith("/"):
        head, _, rest = folded[1:].partition(" ")
        return f"/{head} {text.split(maxsplit=1)[1]}".strip() if rest else f"/{head}"
    words = folded.split()
    for size in (3, 2, 1):  # "bao cao" is two words, "chua bao cao" three
        joined = "".join(words[:size])
        if len(words) >= size and joined in COMMANDS:
            tail = text.split(maxsplit=size)[size:] if len(words) > size else []
            return f"/{joined} {tail[0]}".strip() if tail else f"/{joined}"
    return None


def message_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The message of an update, as getUpdates or a webhook gives it (wrapped in result or not)."""
    if "result" in payload and isinstance(payload["result"], dict):
        payload = payload["result"]
    message = payload.get("message") or {}
    return message if isinstance(message, dict) else {}


def sender_of(payload: dict[str, Any]) -> tuple[str, str]:
    """(Zalo user id, display name) of whoever sent the update."""
    message = message_of(payload)
    sender = message.get("from") or {}
    chat = message.get("chat") or {}
    zalo_id = str(sender.get("id") or chat.get("id") or "")
    name = str(sender.get("display_name") or sender.get("name") or "")
    return zalo_id, name


def photo_url_of(payload: dict[str, Any]) -> str | None:
    """The URL of the photo this update carries, if it carries one."""
    message = message_of(payload)
    photo = message.get("photo_url") or message.get("photo")
    if isinstance(photo, str) and is_zalo_photo(photo):
        return photo
    return None


def to_update(
    payload: dict[str, Any],
    update_id: int,
    user_id: int,
    choices: ChatChoices,
    *,
    photo_size: int | None = None,
    in_dialog: bool = False,
) -> tuple[Update, str | None]:
    """The aiogram Update for this Zalo update, and the id of its callback query if it is one."""
    if "result" in payload and isinstance(payload["result"], dict):
        payload = payload["result"]
    message = message_of(payload)
    _, name = sender_of(payload)
    event = str(payload.get("event_name") or "")
    person = {"id": user_id, "is_bot": False, "first_name": name or "Zalo"}
    chat = {"id": user_id, "type": "private"}
    date = int(message.get("date") or 0)
    date = date // 1000 if date > 10**11 else date  # Zalo counts milliseconds
    base = {"message_id": update_id, "date": date, "chat": chat, "from": person}
    text = message.get("text")
    photo = message.get("photo_url") or message.get("photo")
    if isinstance(text, str) and (match := _NUMBER.match(text)):
        choice = choices.pressed(int(match.group(1)))
        if choice is not None and choice.kind is Kind.CALLBACK:
            query_id = f"zalo-{update_id}"
            query = {
                "id": query_id,
                "from": person,
                "chat_instance": str(user_id),
                "data": choice.data,
                "message": {**base, "message_id": choice.message_id, "text": " "},
            }
            return Update.model_validate(
                {"update_id": update_id, "callback_query": query}
            ), query_id
        if choice is not None and choice.kind is Kind.TEXT:
            text = choice.label
    if isinstance(text, str) and event != "message.image.received":
        # Inside a dialog a typed word is an answer ("báo cáo" as the main content), unless
        # it has its slash or is the way out (hủy).
        typed_command = not in_dialog or text.lstrip().startswith("/") or fold(text) in EXITS
        command = as_command(text) if typed_command else None
        content: dict[str, Any] = {"text": command or text}
    elif isinstance(photo, str) and is_zalo_photo(photo):
        size: dict[str, Any] = {
            "file_id": photo,
            "file_unique_id": unique_id(photo),
            "width": 0,
            "height": 0,
        }
        if photo_size is not None:
            size["file_size"] = photo_size
        content = {"photo": [size]}
        caption = message.get("caption") or (text if isinstance(text, str) else None)
        if caption:
            content["caption"] = str(caption)
    else:
        content = {}  # a sticker or what Zalo calls unsupported: nothing a step can take
    update = {"update_id": update_id, "message": {**base, **content}}
    return Update.model_validate(update), None

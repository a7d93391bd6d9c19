"""Photos from Zalo: a URL when they arrive, bytes on our disk once taken.

Zalo gives a photo a user sent as an address on its servers, with no promise of how long it
stays there. Telegram keeps its users' files behind a file_id; Zalo's are downloaded when
they arrive (at most `limit` bytes, within `timeout` seconds) and kept under
`FILES_DIR/zalo/`, named by the URL's hash: the attachment's file_id stays the URL (and
`attachments.messenger` says 'zalo'), and whatever needs the bytes — a Telegram staff
member's card, the export's zip — finds them on disk by that name. A photo that cannot be
taken is refused before the dialog sees it, so the step stays as it was.

`FromDisk` is the Telegram side: a sendPhoto/sendDocument whose file is such a URL uploads the
kept bytes instead (Telegram could not be trusted to fetch a Zalo address itself).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import SendDocument, SendPhoto, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import FSInputFile

from bot.zalo.client import ZaloClient

PHOTO_LIMIT = 20 * 1024 * 1024  # as Telegram's getFile: what one report file may weigh
PHOTO_TIMEOUT = 30.0  # seconds for the whole download


def unique_id(url: str) -> str:
    """The file_unique_id of a Zalo photo: the same URL is the same photo."""
    return "zalo-" + hashlib.sha256(url.encode()).hexdigest()[:32]


def is_zalo_photo(file_id: str) -> bool:
    return file_id.startswith(("http://", "https://"))


class PhotoStore:
    """The kept copies of Zalo photos, under `files_dir/zalo/`."""

    def __init__(self, files_dir: Path) -> None:
        self.folder = files_dir / "zalo"

    def path_of(self, url: str) -> Path:
        return self.folder / f"{unique_id(url)}.jpg"

    def kept(self, url: str) -> Path | None:
        path = self.path_of(url)
        return path if path.is_file() else None

    async def keep(
        self,
        client: ZaloClient,
        url: str,
        *,
        limit: int = PHOTO_LIMIT,
        timeout: float = PHOTO_TIMEOUT,
    ) -> int:
        """Download the photo unless it is kept already; its size in bytes. Raises ZaloError
        (413 too large, a network error for a timeout, the HTTP status otherwise)."""
        path = self.path_of(url)
        if path.is_file():  # the same update handled again after a restart
            return path.stat().st_size
        content = await client.download(url, limit=limit, timeout=timeout)
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        os.replace(partial, path)  # whole or not at all: a crash leaves no half photo
        return len(content)


class FromDisk(BaseRequestMiddleware):
    """On Telegram: a Zalo photo (its URL as the file) is uploaded from the kept copy."""

    def __init__(self, store: PhotoStore) -> None:
        self.store = store

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, SendPhoto) and isinstance(method.photo, str):
            kept = self.store.kept(method.photo) if is_zalo_photo(method.photo) else None
            if kept is not None:
                method.photo = FSInputFile(kept)
        elif isinstance(method, SendDocument) and isinstance(method.document, str):
            kept = self.store.kept(method.document) if is_zalo_photo(method.document) else None
            if kept is not None:
                method.document = FSInputFile(kept)
        return await make_request(bot, method)

"""Files owed to someone on Zalo, as links on the webhook server: Zalo's Bot API uploads nothing.

Zalo takes a photo only by URL and has no documents at all, so a workbook or photo the bot
sends a Zalo user is kept under `FILES_DIR/links/` behind a random token (32 characters from
`secrets.token_urlsafe(24)`: not guessable, not listed anywhere) and served at
`PUBLIC_URL/tai/<token>` by `python -m bot webhook` until it expires (7 days). Expired files
go when a new one is kept and when their link is asked for. Several processes behind a
balancer share the files as they share `FILES_DIR`. Tokens are never logged.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot.clock import Clock

KEEP = timedelta(days=7)
PATH = "/tai/{token}"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class Link:
    url: str
    expires: datetime


@dataclass(frozen=True)
class Kept:
    path: Path
    name: str


class FileLinks:
    """The files kept for links, under `files_dir/links/`: `<token>.bin` and `<token>.json`."""

    def __init__(
        self, files_dir: Path, public_url: str, clock: Clock, keep: timedelta = KEEP
    ) -> None:
        self.folder = files_dir / "links"
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        self.keep = keep

    def put(self, content: bytes, name: str) -> Link:
        self.sweep()
        self.folder.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(24)
        expires = self.clock.now() + self.keep
        data, meta = self.folder / f"{token}.bin", self.folder / f"{token}.json"
        data.write_bytes(content)
        partial = meta.with_suffix(".part")
        partial.write_text(json.dumps({"name": name, "expires": expires.isoformat()}))
        os.replace(partial, meta)  # the link exists once its bytes are whole
        return Link(f"{self.public_url}/tai/{token}", expires)

    def find(self, token: str) -> Kept | None:
        """The kept file behind `token`; None for a malformed, unknown or expired one."""
        if not _TOKEN.fullmatch(token):  # nothing but the token's own letters reach the disk
            return None
        meta = self.folder / f"{token}.json"
        try:
            record = json.loads(meta.read_text())
        except (OSError, ValueError):
            return None
        if self._expired(record):
            self._remove(meta)
            return None
        data = meta.with_suffix(".bin")
        return Kept(data, str(record["name"])) if data.is_file() else None

    def sweep(self) -> None:
        if not self.folder.is_dir():
            return
        for meta in self.folder.glob("*.json"):
            try:
                record = json.loads(meta.read_text())
            except (OSError, ValueError):
                continue
            if self._expired(record):
                self._remove(meta)

    def _expired(self, record: dict[str, str]) -> bool:
        return datetime.fromisoformat(record["expires"]) <= self.clock.now()

    @staticmethod
    def _remove(meta: Path) -> None:
        meta.unlink(missing_ok=True)
        meta.with_suffix(".bin").unlink(missing_ok=True)


def content_disposition(name: str, kind: str = "attachment") -> str:
    """The file name for any browser: an ASCII one, and the real one by RFC 5987."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("_") or "tep"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_handler(links: FileLinks) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """GET /tai/<token>: the file with its name and type; 404 for a token unknown or expired."""

    async def handle(request: web.Request) -> web.StreamResponse:
        kept = links.find(request.match_info["token"])
        if kept is None:
            raise web.HTTPNotFound(text="Not Found")
        kind = mimetypes.guess_type(kept.name)[0] or "application/octet-stream"
        disposition = "inline" if kind.startswith("image/") else "attachment"
        return web.FileResponse(
            kept.path,
            headers={
                "Content-Type": kind,
                "Content-Disposition": content_disposition(kept.name, disposition),
                "Cache-Control": "private, no-store",
            },
        )

    return handle

"""A local stand-in for the Zalo Bot Platform API, for the tests and `make demo`.

It speaks the platform as documented: `POST /bot{token}/{method}`, `{"ok": …}` answers,
getUpdates that hands out one update at a time with no offset (an update returned is
delivered, never again) and answers 408 after an empty long poll, texts of 1 to 2,000
characters, photos as URLs (served by this server), and webhooks that carry the secret in
`X-Bot-Api-Secret-Token`. No buttons, edits or callback queries exist here, so the bot can
only send text and photos. Everything sent is recorded, and anyone can wait for it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.emulator import first_sent
from bot.zalo.client import TEXT_MAX


@dataclass
class ZaloSent:
    """One message the bot sent to a Zalo chat."""

    method: str
    chat_id: str
    text: str
    photo: str = ""
    seq: int = 0


@dataclass
class ZaloFault:
    """Refuse the next `times` calls of `method` (to `chat_id`, if given) with this answer."""

    method: str
    error_code: int
    description: str = "refused"
    times: int = 1
    chat_id: str | None = None


@dataclass
class FakeZaloAPI:
    token: str = "2345678901:ZALO-test-token-for-the-fake"
    sent: list[ZaloSent] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    faults: list[ZaloFault] = field(default_factory=list)
    photos: dict[str, bytes] = field(default_factory=dict)
    # Zalo's flood control, when set: above this many sends in any second, 429.
    flood_limit: int | None = None
    too_many: int = 0  # the 429s it answered
    flood_retry_after: int = 1  # the wait it asks for with a 429
    photo_delay: float = 0.0  # seconds before a photo's bytes are served (a slow network)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._flood: list[float] = []
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._closing = False
        self.base_url = ""
        self.webhook: dict[str, str] | None = None
        self.webhook_results: list[int] = []
        self.get_updates_calls = 0
        self.taken = 0  # updates handed out by getUpdates

    # --- server ------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/photos/{name}", self._photo)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.base_url = f"http://{bound[0]}:{bound[1]}"
        return self.base_url

    async def stop(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._refuse(401, "Unauthorized")
        method = request.match_info["method"]
        params: dict[str, Any] = await request.json() if request.can_read_body else {}
        self.requests.append((method, params))
        for fault in self.faults:
            wanted = fault.chat_id is None or fault.chat_id == params.get("chat_id")
            if fault.method == method and fault.times > 0 and wanted:
                fault.times -= 1
                return self._refuse(fault.error_code, fault.description)
        handler = getattr(self, "_api_" + method, None)
        if handler is None:
            return self._refuse(404, f"method {method} not found")
        try:
            if method == "getUpdates":
                result = await self._api_getUpdates(params, request)
            else:
                result = await handler(params)
        except _Refused as refused:
            return self._refuse(refused.code, refused.description, refused.retry_after)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _refuse(code: int, description: str, retry_after: int | None = None) -> web.Response:
        # Zalo answers a refusal in the body; the HTTP status is 200 for most of them.
        answer: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            answer["parameters"] = {"retry_after": retry_after}
        return web.json_response(answer)

    async def _photo(self, request: web.Request) -> web.Response:
        content = self.photos.get(request.match_info["name"])
        if content is None:
            return web.Response(status=404)
        if self.photo_delay:
            await asyncio.sleep(self.photo_delay)
        return web.Response(body=content, content_type="image/jpeg")

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {
            "id": self.token.split(":", 1)[0],
            "account_name": "khcn.bot",
            "display_name": "KHCN Bot",
        }

    async def _api_getUpdates(self, params: dict[str, Any], request: web.Request) -> Any:
        if self.webhook is not None:
            raise _Refused(409, "a webhook is set")
        self.get_updates_calls += 1
        async with self._changed:
            self._changed.notify_all()
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        async with self._changed:
            self._changed.notify_all()
            while not self._updates or gone(request):
                remaining = deadline - time.monotonic()
                if self._closing or remaining <= 0 or gone(request):
                    # A poller that went away (the bot restarted) gets nothing: the update
                    # stays for the next one, as on Zalo.
                    raise _Refused(408, "Request timeout")
                try:
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))
                except TimeoutError:
                    continue
            # Delivered once returned: no offset, no second chance.
            self.taken += 1
            self._changed.notify_all()
            return self._updates.pop(0)

    def _flooded(self) -> bool:
        if self.flood_limit is None:
            return False
        now = time.monotonic()
        self._flood = [t for t in self._flood if now - t < 1] + [now]
        return len(self._flood) > self.flood_limit

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        text = str(params.get("text") or "")
        if not 1 <= len(text) <= TEXT_MAX:
            raise _Refused(400, "text must be 1 to 2000 characters")
        return await self._record("sendMessage", params, text)

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        if not str(params.get("photo") or "").startswith(("http://", "https://")):
            raise _Refused(400, "photo must be a URL")
        return await self._record("sendPhoto", params, str(params.get("caption") or ""))

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": str(params["url"]), "secret_token": str(params["secret_token"])}
        return {"url": self.webhook["url"]}

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return {"url": ""}

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": (self.webhook or {}).get("url", "")}

    async def _record(self, method: str, params: dict[str, Any], text: str) -> Any:
        chat_id = str(params.get("chat_id") or "")
        if not chat_id:
            raise _Refused(400, "chat_id is required")
        if self._flooded():
            self.too_many += 1
            raise _Refused(429, "Quota exceeded", self.flood_retry_after)
        message_id = f"m{next(self._message_ids)}"
        async with self._changed:
            self.sent.append(
                ZaloSent(method, chat_id, text, str(params.get("photo") or ""), len(self.sent))
            )
            self._changed.notify_all()
        return {"message_id": message_id, "date": int(time.time() * 1000)}

    # --- the users' side ---------------------------------------------------------------------

    async def push(self, update: dict[str, Any]) -> None:
        """An update for the bot: queued for getUpdates, or posted to the webhook."""
        if self.webhook is not None:
            status = await self.post_webhook(update, self.webhook["secret_token"])
            self.webhook_results.append(status)
            return
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    async def post_webhook(self, update: dict[str, Any], secret: str | None) -> int:
        assert self.webhook is not None
        if self._client is None:
            self._client = aiohttp.ClientSession()
        headers = {} if secret is None else {"X-Bot-Api-Secret-Token": secret}
        async with self._client.post(self.webhook["url"], json=update, headers=headers) as answer:
            return answer.status

    def user(self, user_id: str, name: str = "Lan Nguyễn") -> ZaloUser:
        return ZaloUser(self, user_id, name)

    def chat(self, chat_id: str) -> list[ZaloSent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    async def wait_for(
        self, predicate: Callable[[ZaloSent], bool], after: int = 0, timeout: float = 10
    ) -> ZaloSent:
        """The first message sent at or after position `after` for which `predicate` holds."""

        def missing() -> str:
            shown = "\n---\n".join(s.text for s in self.sent[after:][-5:])
            return f"nothing sent matched; the last messages:\n{shown}"

        return await first_sent(self._changed, self.sent, predicate, after, timeout, missing)

    async def wait_polling(self, timeout: float = 10) -> None:
        """Wait until the bot is long polling (a getUpdates is waiting)."""
        await self._wait(lambda: self.get_updates_calls > 0, timeout)

    async def _wait(self, condition: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the bot did not take the update in time")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    continue


def gone(request: web.Request) -> bool:
    """The client of this request has disconnected."""
    return request.transport is None or request.transport.is_closing()


class _Refused(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class ZaloUser:
    """A simulated Zalo user: types, sends photos and stickers, reads what the bot sent."""

    def __init__(self, api: FakeZaloAPI, user_id: str, name: str) -> None:
        self.api = api
        self.id = user_id
        self.name = name
        self._message_ids = itertools.count(1)
        self.read = 0  # position in api.sent up to which `expect` has looked

    def _update(self, event_name: str, **content: Any) -> dict[str, Any]:
        return {
            "event_name": event_name,
            "message": {
                "message_id": f"{self.id}-{next(self._message_ids)}",
                "from": {"id": self.id, "display_name": self.name, "is_bot": False},
                "chat": {"id": self.id, "chat_type": "PRIVATE"},
                "date": int(time.time() * 1000),
                **content,
            },
        }

    def text_update(self, text: str) -> dict[str, Any]:
        """The update Zalo makes of a text this user types (the demo hands it to the bot)."""
        return self._update("message.text.received", text=text)

    async def send(self, text: str) -> None:
        self.read = len(self.api.sent)
        await self.api.push(self.text_update(text))

    async def send_photo(self, content: bytes, caption: str = "") -> str:
        name = f"{self.id}-{len(self.api.photos) + 1}.jpg"
        self.api.photos[name] = content
        url = f"{self.api.base_url}/photos/{name}"
        self.read = len(self.api.sent)
        extra = {"caption": caption} if caption else {}
        await self.api.push(self._update("message.image.received", photo_url=url, **extra))
        return url

    async def send_sticker(self) -> None:
        self.read = len(self.api.sent)
        await self.api.push(self._update("message.sticker.received", sticker="s1"))

    async def expect(self, contains: str = "", timeout: float = 10) -> ZaloSent:
        """The next message to this user (after what they last did) containing `contains`."""
        sent = await self.api.wait_for(
            lambda s: s.chat_id == self.id and contains in s.text, self.read, timeout
        )
        self.read = sent.seq + 1
        return sent

    def messages(self) -> list[str]:
        return [s.text for s in self.api.chat(self.id)]

"""A local stand-in for the Telegram Bot API, for the tests, the benchmarks and `make demo`.

It speaks enough of the real HTTP protocol (getUpdates long polling, sendMessage,
edits, callback answers, files, command menus) that the bot runs unchanged with
its real aiogram session pointed at it. Simulated users type, press buttons by
their label, and share contacts, photos and locations; everything the bot sends
is recorded, and anyone can wait for it without sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from bot.domain.text import CAPTION_MAX, MESSAGE_MAX, visible_length

JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "allowed_updates",
    "commands",
    "scope",
    "media",
    "link_preview_options",
    "reply_parameters",
}
INT_FIELDS = {
    "chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "user_id",
    "from_chat_id",
    "cache_time",
    "message_thread_id",
}
BOOL_FIELDS = {"show_alert", "drop_pending_updates", "disable_notification", "protect_content"}
# What Telegram's flood control counts (see FakeBotAPI.flood_limit).
FLOOD_COUNTED = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}


@dataclass
class Sent:
    """One thing the bot did in a chat: a new message, an edit, a callback answer..."""

    method: str
    chat_id: int | None
    params: dict[str, Any]
    message: dict[str, Any] | None = None
    seq: int = 0

    @property
    def text(self) -> str:
        value = self.params.get("text") or self.params.get("caption") or ""
        return str(value)

    @property
    def buttons(self) -> list[str]:
        markup = self.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [b["text"] if isinstance(b, dict) else str(b) for row in rows for b in row]


@dataclass
class Fault:
    """Make the next `times` calls of `method` for `chat_id` fail (for delivery tests)."""

    chat_id: int | None
    method: str | None
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    delay: float = 0.0
    # Answer with this text instead of a Bot API error object (a proxy's "404 page not found").
    raw_body: str | None = None


@dataclass
class FakeBotAPI:
    token: str = "123456789:TEST-token-for-the-emulator"
    latency: float = 0.0
    bot_name: str = "KHCN Bot"
    bot_username: str = "khcn_bot"
    sent: list[Sent] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    on_sent: list[Callable[[Sent], None]] = field(default_factory=list)
    # Telegram's flood control, when set: above this many messages in any second, 429
    # "retry after 1" (counted in `too_many`).
    flood_limit: int | None = None
    too_many: int = 0
    # The demo's stand-in restarts with the bot, but Telegram keeps the messages it sent: an
    # edit of one from before the restart is shown as an edit, not refused as unknown.
    remembers_earlier_messages: bool = False

    def __post_init__(self) -> None:
        self._flood: list[float] = []
        self.bot_id = int(self.token.split(":", 1)[0])
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._callback_chats: dict[str, int] = {}
        # Webhook mode: where updates are posted (round robin over webhook_targets if given).
        self.webhook: dict[str, Any] | None = None
        self.webhook_targets: list[str] = []
        self.webhook_secret = ""
        self.webhook_results: list[tuple[int, str, int]] = []
        self._next_target = 0
        self._client: Any = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.base_url = ""
        self.get_updates_calls = 0
        # The highest getUpdates offset seen: the bot confirmed every update below it.
        self.acknowledged = 0

    # --- server ------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        # Wake the long polls still waiting, or the server's shutdown would wait them out.
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        self.requests.append((method, params))
        fault = self._fault_for(method, params)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.raw_body is not None:
                return web.Response(text=fault.raw_body, status=fault.status)
            body: dict[str, Any] = {
                "ok": False,
                "error_code": fault.status,
                "description": fault.description,
            }
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return web.json_response(body, status=fault.status)
        if self.latency and method != "getUpdates":
            await asyncio.sleep(self.latency)
        handler = getattr(self, "_api_" + method, None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": f"Not Found: method {method}"},
                status=404,
            )
        try:
            result = await handler(params)
        except ApiError as error:
            return web.json_response(
                {"ok": False, "error_code": error.status, "description": error.description},
                status=error.status,
            )
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {"filename": value.filename, "content": value.file.read()}
            elif not isinstance(value, str):
                params[key] = value
            elif key in JSON_FIELDS:
                params[key] = json.loads(value)
            elif key in INT_FIELDS and value.lstrip("-").isdigit():
                params[key] = int(value)
            elif key in BOOL_FIELDS:
                params[key] = value == "true"
            else:
                params[key] = value
        # An upload is a form part of its own, named by `photo=attach://<part>`.
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.pop(value.removeprefix("attach://"), value)
        return params

    def _fault_for(self, method: str, params: dict[str, Any]) -> Fault | None:
        chat_id = params.get("chat_id")
        if self.flood_limit is not None and method in FLOOD_COUNTED:
            now = time.monotonic()
            self._flood = [t for t in self._flood if t > now - 1.0]
            if len(self._flood) >= self.flood_limit:
                self.too_many += 1
                return Fault(None, method, 429, "Too Many Requests: retry after 1", retry_after=1)
            self._flood.append(now)
        for fault in self.faults:
            if fault.times <= 0:
                continue
            if fault.method not in (None, method):
                continue
            if fault.chat_id not in (None, chat_id):
                continue
            fault.times -= 1
            return fault
        return None

    async def _download(self, request: web.Request) -> web.StreamResponse:
        content = self.files.get(request.match_info["path"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content)

    # --- Bot API methods ---------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return self._bot_user()

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        self.get_updates_calls += 1
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        async with self._changed:
            self.acknowledged = max(self.acknowledged, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._changed.notify_all()
            while not self._updates:
                if self._closing:
                    return []
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    return []
            return self._updates[:limit]

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": params.get("url"), "secret_token": params.get("secret_token", "")}
        return True

    async def _deliver(self, update: dict[str, Any]) -> None:
        """Post an update to the webhook, as Telegram does: retried (on the next target) until 200."""
        targets = self.webhook_targets or [str((self.webhook or {}).get("url"))]
        secret = str((self.webhook or {}).get("secret_token") or self.webhook_secret)
        if self._client is None:
            import aiohttp

            self._client = aiohttp.ClientSession()
        for attempt in range(40):
            url = targets[self._next_target % len(targets)]
            self._next_target += 1
            try:
                async with self._client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
                ) as response:
                    status = response.status
            except OSError:
                status = 0
            self.webhook_results.append((int(update["update_id"]), url, status))
            if status == 200:
                return
            await asyncio.sleep(min(0.01 * 2**attempt, 0.5))
        raise RuntimeError(f"update {update['update_id']} could not be delivered")

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        scope = params.get("scope") or {"type": "default"}
        key = json.dumps([scope, params.get("language_code") or ""], sort_keys=True)
        self.commands[key] = params.get("commands") or []
        return True

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        _check_length(params, "text")
        return await self._new_message("sendMessage", params, {"text": params.get("text", "")})

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        _check_length(params, "caption")
        photo = self._stored_file(params.get("photo"))
        return await self._new_message(
            "sendPhoto",
            params,
            {"photo": [{**photo, "width": 800, "height": 600}], "caption": params.get("caption")},
        )

    async def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        _check_length(params, "caption")
        document = self._stored_file(params.get("document"))
        return await self._new_message(
            "sendDocument", params, {"document": document, "caption": params.get("caption")}
        )

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        _check_length(params, "text")
        message = self._existing(params)
        if message.get("text") == params.get("text") and message.get("reply_markup") == params.get(
            "reply_markup"
        ):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = params.get("text", "")
        message["reply_markup"] = params.get("reply_markup")
        message["edit_date"] = int(time.time())
        await self._record("editMessageText", params, message)
        return message

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        message = self._existing(params)
        if message.get("reply_markup") == params.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message["reply_markup"] = params.get("reply_markup")
        await self._record("editMessageReplyMarkup", params, message)
        return message

    async def _api_deleteMessage(self, params: dict[str, Any]) -> Any:
        self._existing(params)
        del self._messages[(params["chat_id"], params["message_id"])]
        await self._record("deleteMessage", params, None)
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        chat_id = self._callback_chats.pop(params.get("callback_query_id", ""), None)
        await self._record("answerCallbackQuery", {**params, "chat_id": chat_id}, None)
        return True

    async def _api_getFile(self, params: dict[str, Any]) -> Any:
        file_id = params.get("file_id", "")
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_path": f"files/{file_id}",
        }

    def _stored_file(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):  # an upload
            file_id = f"F{next(self._file_ids)}"
            self.files[f"files/{file_id}"] = value["content"]
            return {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "file_name": value["filename"],
                "file_size": len(value["content"]),
            }
        return {"file_id": str(value), "file_unique_id": "u" + str(value)}

    def _existing(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (params.get("chat_id"), params.get("message_id"))
        message = self._messages.get(key)  # type: ignore[arg-type]
        if message is None and self.remembers_earlier_messages:
            chat_id, message_id = key
            if isinstance(chat_id, int) and isinstance(message_id, int):
                message = {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                    "from": self._bot_user(),
                    "text": "…",
                }
                self._messages[(chat_id, message_id)] = message
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    async def _new_message(
        self, method: str, params: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": self._bot_user(),
            **{k: v for k, v in content.items() if v is not None},
        }
        markup = params.get("reply_markup")
        # Telegram's Message carries only inline keyboards; reply keyboards stay with the chat.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        await self._record(method, params, message)
        return message

    async def _record(
        self, method: str, params: dict[str, Any], message: dict[str, Any] | None
    ) -> None:
        chat_id = params.get("chat_id")
        event = Sent(method, chat_id if isinstance(chat_id, int) else None, params, message)
        async with self._changed:
            event.seq = len(self.sent)
            self.sent.append(event)
            self._changed.notify_all()
        for listener in self.on_sent:
            listener(event)

    # --- the users' side ---------------------------------------------------------------------

    def number_updates_after(self, last: int) -> None:
        """Go on numbering updates after `last`, as Telegram does across a bot's restarts
        (the demo's stand-in starts after the highest update_id its database has seen)."""
        self._update_ids = itertools.count(last + 1)

    def number_messages_after(self, last: int) -> None:
        """Go on numbering the bot's messages after `last` (the demo's restarts: an edit of a
        message from before must not land on a new one with the same id)."""
        self._message_ids = itertools.count(last + 1)

    async def push(self, update: dict[str, Any], times: int = 1) -> int:
        """Queue an update for the bot (`times` > 1 delivers the very same update again).

        With a webhook set (or `webhook_targets`), the update is posted there instead and
        this returns once the bot has answered the request.
        """
        update = {"update_id": next(self._update_ids), **update}
        if self.webhook is not None or self.webhook_targets:
            for _ in range(times):
                await self._deliver(update)
            return int(update["update_id"])
        async with self._changed:
            for _ in range(times):
                self._updates.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    def store_file(self, content: bytes) -> str:
        """Keep an upload from a simulated user (a photo from disk, say); returns its file_id."""
        file_id = f"U{next(self._file_ids)}"
        self.files[f"files/{file_id}"] = content
        return file_id

    async def wait_polling(self, calls: int = 0, timeout: float = 10) -> None:
        """Wait until the bot has made more than `calls` getUpdates requests in all."""
        await self._wait_until(lambda: self.get_updates_calls > calls, timeout)

    async def wait_handled(self, update_id: int, timeout: float = 10) -> None:
        """Wait until the bot confirmed `update_id` by asking for the updates after it.

        With `handle_as_tasks=False` polling, aiogram asks for the next updates only once
        it has finished handling the previous ones, so this means "handled", not just
        "received".
        """
        await self._wait_until(lambda: self.acknowledged > update_id, timeout)

    async def _wait_until(self, condition: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the bot did not get there in time")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    continue

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        return self._messages.get((chat_id, message_id))

    def recall(self, message: dict[str, Any]) -> None:
        """A message sent before this stand-in started (the demo's last screen before a
        restart): known again, so its buttons can be pressed as on Telegram."""
        self._messages[(message["chat"]["id"], message["message_id"])] = message

    def user(self, user_id: int, first_name: str = "Lan", last_name: str = "Nguyễn") -> FakeUser:
        return FakeUser(self, user_id, first_name, last_name)

    async def wait_for(
        self, predicate: Callable[[Sent], bool], after: int = 0, timeout: float = 10
    ) -> Sent:
        """The first thing sent at or after position `after` for which `predicate` holds."""
        return await first_sent(
            self._changed,
            self.sent,
            predicate,
            after,
            timeout,
            lambda: f"nothing matched after #{after}; last: {self.sent[-3:]}",
        )


T = TypeVar("T")


async def first_sent(
    changed: asyncio.Condition,
    sent: list[T],
    predicate: Callable[[T], bool],
    after: int,
    timeout: float,
    missing: Callable[[], str],
) -> T:
    """The first of `sent[after:]` for which `predicate` holds, waiting on `changed` (notified
    whenever something is sent) up to `timeout` seconds; TimeoutError saying `missing()`."""
    deadline = time.monotonic() + timeout
    async with changed:
        while True:
            for item in sent[after:]:
                if predicate(item):
                    return item
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(missing())
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue


# Telegram's limits, counted after parsing the HTML, in UTF-16 code units.
TEXT_LIMITS = {
    "text": (MESSAGE_MAX, "message is too long"),
    "caption": (CAPTION_MAX, "message caption is too long"),
}


def _check_length(params: dict[str, Any], key: str) -> None:
    """Refuse an over-long text or caption with the 400 Telegram answers."""
    value = params.get(key)
    if not isinstance(value, str):
        return
    limit, description = TEXT_LIMITS[key]
    length = (
        visible_length(value)
        if params.get("parse_mode") == "HTML"
        else len(value.strip().encode("utf-16-le")) // 2
    )
    if length > limit:
        raise ApiError(400, f"Bad Request: {description}")


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


class FakeUser:
    """A person in a private chat with the bot: types, presses buttons, shares things."""

    def __init__(self, api: FakeBotAPI, user_id: int, first_name: str, last_name: str) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.cursor = 0  # a person sees their whole chat, from the first message
        self._message_ids = itertools.count(1_000_000 + user_id % 1000 * 10_000)

    @property
    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "language_code": "vi",
        }

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": self.id, "type": "private", "first_name": self.first_name},
                "from": self.info,
                **content,
            }
        }

    async def send(self, text: str, times: int = 1) -> int:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.api.push(self._message(**content), times=times)

    async def send_sticker(self) -> int:
        sticker = {
            "file_id": "CAACAgIAAxkBAAE",
            "file_unique_id": "AgADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self.api.push(self._message(sticker=sticker))

    async def share_contact(self, phone: str, user_id: int | None = None) -> int:
        contact = {
            "phone_number": phone,
            "first_name": self.first_name,
            "user_id": self.id if user_id is None else user_id,
        }
        return await self.api.push(self._message(contact=contact))

    async def send_photo(
        self, file_id: str = "AgACphoto1", size: int = 54_321, caption: str | None = None
    ) -> int:
        photo = [
            {
                "file_id": file_id + "s",
                "file_unique_id": "s" + file_id,
                "width": 90,
                "height": 67,
                "file_size": 1_200,
            },
            {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "width": 1280,
                "height": 960,
                "file_size": size,
            },
        ]
        extra = {"caption": caption} if caption else {}
        return await self.api.push(self._message(photo=photo, **extra))

    async def send_document(
        self, file_name: str, file_id: str = "BQACdoc1", size: int = 10_000
    ) -> int:
        document = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_name": file_name,
            "file_size": size,
        }
        return await self.api.push(self._message(document=document))

    async def send_location(self, latitude: float, longitude: float) -> int:
        return await self.api.push(
            self._message(location={"latitude": latitude, "longitude": longitude})
        )

    def find_button(self, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The newest message in this chat with an inline button whose text contains `label`."""
        messages = sorted(
            (m for (chat, _), m in self.api._messages.items() if chat == self.id),
            key=lambda m: m["message_id"],
            reverse=True,
        )
        for message in messages:
            for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
                for pressed in row:
                    if label in pressed["text"] and "callback_data" in pressed:
                        return message, pressed
        raise LookupError(f"no button {label!r} in chat {self.id}")

    async def press(self, label: str, times: int = 1) -> int:
        """Press the inline button labelled `label` on the newest message that has one."""
        message, pressed = self.find_button(label)
        return await self.press_data(message, pressed["callback_data"], times=times)

    async def press_data(self, message: dict[str, Any], data: str, times: int = 1) -> int:
        """Press a button with raw callback data (old or forged buttons, in the tests)."""
        query_id = str(next(self.api._callback_ids))
        self.api._callback_chats[query_id] = self.id
        update = {
            "callback_query": {
                "id": query_id,
                "from": self.info,
                "message": message,
                "chat_instance": str(self.id),
                "data": data,
            }
        }
        return await self.api.push(update, times=times)

    def reply_keyboard(self) -> list[dict[str, Any]]:
        """The buttons of the reply keyboard the bot last showed here (none once removed)."""
        for event in reversed(self.api.sent):
            if event.chat_id != self.id or event.method not in {"sendMessage", "sendPhoto"}:
                continue
            markup = event.params.get("reply_markup") or {}
            if "keyboard" in markup:
                return [b for row in markup["keyboard"] for b in row]
            if markup.get("remove_keyboard"):
                return []
        return []

    async def expect(self, contains: str = "", timeout: float = 10) -> Sent:
        """Wait for the next thing the bot sends here whose text contains `contains`."""

        def wanted(event: Sent) -> bool:
            if event.chat_id != self.id or event.method == "setMyCommands":
                return False
            # A silent callback answer only stops the button's spinner: nothing to read.
            if event.method == "answerCallbackQuery" and not event.text:
                return False
            return contains in event.text

        event = await self.api.wait_for(wanted, after=self.cursor, timeout=timeout)
        self.cursor = event.seq + 1
        return event

    def since(self, start: int) -> list[Sent]:
        return [e for e in self.api.sent[start:] if e.chat_id == self.id]

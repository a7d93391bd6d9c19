"""A thin async client of the Zalo Bot Platform API, on aiohttp.

`POST {base}/bot{token}/{method}` with JSON; the answer is `{"ok": true, "result": …}` or
`{"ok": false, "error_code": …, "description": …}`. Every answer's `ok` is checked; a
refusal is a `ZaloError` with its code, which the caller decides about (one refused send
never stops the process). The token is only ever in the URL, and the URL is never logged
or put in an error. Why not the official SDK: see the README's design notes.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

OFFICIAL_BASE = "https://bot-api.zapps.me"
TEXT_MAX = 2000  # a Zalo text is 1 to 2,000 characters
EMPTY_POLL = 408  # getUpdates: nothing came during the long poll
TOO_MANY = 429

log = logging.getLogger(__name__)


class ZaloError(Exception):
    """Zalo refused a call (`ok` false) or answered with an HTTP error."""

    def __init__(self, method: str, error_code: int, description: str, retry_after: float = 0):
        super().__init__(f"Zalo {method}: {error_code} {description}")
        self.method = method
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


class ZaloNetworkError(ZaloError):
    """The request may not have reached Zalo (timeout, connection refused)."""


class ZaloClient:
    """One bot's calls. Long polls and sends share one aiohttp session."""

    def __init__(self, token: str, base: str = OFFICIAL_BASE, timeout: float = 30) -> None:
        self._url = f"{base.rstrip('/')}/bot{token}/"
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(self, method: str, *, poll: float = 0, **params: Any) -> Any:
        """Call `method`; its `result`, or `ZaloError`. Parameters that are None are left out."""
        body = {key: value for key, value in params.items() if value is not None}
        wait = aiohttp.ClientTimeout(total=poll + self._timeout)
        try:
            async with self._http().post(self._url + method, json=body, timeout=wait) as response:
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    answer = None
                status = response.status
                header_wait = response.headers.get("Retry-After", "")
        except (TimeoutError, aiohttp.ClientError) as error:
            # aiohttp's message may hold the URL, and so the token: only its type is kept.
            raise ZaloNetworkError(method, 0, type(error).__name__) from None
        if not isinstance(answer, dict):
            raise ZaloError(method, status, f"HTTP {status}, not a Bot API answer")
        if answer.get("ok") is True:
            return answer.get("result")
        code = int(answer.get("error_code") or status or 0)
        retry_after = 0.0
        parameters = answer.get("parameters")
        if isinstance(parameters, dict) and parameters.get("retry_after"):
            retry_after = float(parameters["retry_after"])
        elif header_wait.isdigit():
            retry_after = float(header_wait)
        elif code == TOO_MANY:
            retry_after = 1.0
        raise ZaloError(method, code, str(answer.get("description") or ""), retry_after)

    async def get_me(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("getMe")
        return result

    async def get_update(self, timeout: int = 30) -> dict[str, Any] | None:
        """The next update, or None when the long poll ended empty (408).

        getUpdates has no offset: an update returned here is delivered and will not come
        again, so the caller records it before doing anything else with it.
        """
        try:
            result = await self.call("getUpdates", poll=timeout, timeout=timeout)
        except ZaloError as error:
            if error.error_code == EMPTY_POLL:
                return None
            raise
        if isinstance(result, list):  # the docs show one update; accept a list of one
            return result[0] if result else None
        return result if isinstance(result, dict) and result else None

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("sendMessage", chat_id=chat_id, text=text)
        return result

    async def send_photo(self, chat_id: str, photo: str, caption: str = "") -> dict[str, Any]:
        result: dict[str, Any] = await self.call(
            "sendPhoto", chat_id=chat_id, photo=photo, caption=caption or None
        )
        return result

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", chat_id=chat_id, action=action)

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", url=url, secret_token=secret_token)

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def download(self, url: str, *, limit: int, timeout: float) -> bytes:
        """A photo a user sent (Zalo gives its URL): its bytes, at most `limit`, read within
        `timeout` seconds. Refused: 413 when larger, the HTTP status when not 200, a network
        error when it timed out or could not connect."""
        try:
            wait = aiohttp.ClientTimeout(total=timeout)
            async with self._http().get(url, timeout=wait) as response:
                if response.status != 200:
                    raise ZaloError("download", response.status, "the photo could not be fetched")
                declared = response.content_length
                if declared is not None and declared > limit:
                    raise ZaloError("download", 413, "the photo is too large")
                content = b""
                async for chunk in response.content.iter_chunked(65536):
                    content += chunk
                    if len(content) > limit:
                        break
        except (TimeoutError, aiohttp.ClientError) as error:
            raise ZaloNetworkError("download", 0, type(error).__name__) from None
        if len(content) > limit:
            raise ZaloError("download", 413, "the photo is too large")
        return content

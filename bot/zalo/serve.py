"""Serving Zalo: by long polling alone (no Telegram token), or on the webhook's own path."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.app import Application
from bot.zalo.polling import ZaloUpdates

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Bot-Api-Secret-Token"


async def poll_zalo(app: Application, stop: asyncio.Event | None = None) -> None:
    """Zalo only: the startup hooks (workers), long polling until SIGTERM/SIGINT, shutdown."""
    assert app.zalo is not None
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    me = await app.zalo.client.get_me()  # a wrong token stops here, before any update
    log.info("Zalo bot %s", me.get("display_name") or me.get("account_name") or "")
    await app.zalo.client.delete_webhook()
    await app.dispatcher.emit_startup(bot=app.bot)
    await app.zalo.start_polling()
    log.info("serving Zalo by long polling")
    try:
        await stop.wait()
    finally:
        await app.zalo.stop()
        await app.dispatcher.emit_shutdown(bot=app.bot)


def zalo_webhook_handler(
    updates: ZaloUpdates, secret: str
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Zalo's posts: the secret header checked in constant time (none or wrong: 401), the
    update recorded, then handled before the answer, so a 200 means handled."""
    expected = secret.encode()

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not given or not hmac.compare_digest(given, expected):
            return web.Response(status=401, text="Unauthorized")
        try:
            payload = await request.json()
        except (json.JSONDecodeError, ValueError):
            return web.Response(status=400, text="Bad Request: not JSON")
        if not isinstance(payload, dict):
            return web.Response(status=400, text="Bad Request: not a Zalo update")
        row_id = await updates.record(payload)
        await updates.take(row_id, payload)
        return web.json_response({"ok": True})

    return handle


async def register_zalo_webhook(app: Application, secret: str) -> None:
    assert app.zalo is not None
    url = app.settings.zalo_webhook_url
    if not url:
        log.warning("ZALO_WEBHOOK_URL is not set: not registering Zalo's webhook")
        return
    await app.zalo.client.set_webhook(url, secret)
    log.info("Zalo webhook registered")

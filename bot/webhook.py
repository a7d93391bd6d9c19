"""Webhook mode: an aiohttp server Telegram posts updates to, for several processes behind a balancer.

Each request is handled before it is answered (not in the background): a 200 then
means the update was handled and committed, and a crash mid-way makes Telegram
deliver it again, which the handled-updates table turns into exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from typing import Any

from aiogram import Bot
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError

from bot.app import Application

log = logging.getLogger(__name__)


class CheckedRequestHandler(SimpleRequestHandler):
    """aiogram's handler, with a malformed body refused (400) instead of failing (500 → retried).

    Only aiogram's public methods are overridden or called (`handle`, `resolve_bot`,
    `verify_secret`); aiohttp keeps the body read here for aiogram's own read of it.
    """

    def __init__(self, *args: Any, under_way: set[asyncio.Task[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.under_way = under_way

    async def handle(self, request: web.Request) -> web.Response:
        # aiohttp runs the shutdown hooks (aiogram closes the FSM storage there) before it
        # waits for the requests under way; the first hook waits for these (`bot.app`).
        task = asyncio.current_task()
        if task is not None:
            self.under_way.add(task)
        try:
            bot = await self.resolve_bot(request)
            secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            # A request without the secret gets aiogram's 401, whatever its body.
            if self.verify_secret(secret, bot) and not await _is_update(bot, request):
                return web.Response(status=400, text="Bad Request: not a Telegram update")
            return await super().handle(request)
        finally:
            self.under_way.discard(task)  # type: ignore[arg-type]

    __call__ = handle


async def _is_update(bot: Bot, request: web.Request) -> bool:
    try:
        payload = await request.json(loads=bot.session.json_loads)
        Update.model_validate(payload, context={"bot": bot})
    except (json.JSONDecodeError, ValueError, ValidationError, TypeError):
        return False
    return True


def build_web_app(app: Application, secret: str, zalo_secret: str | None = None) -> web.Application:
    """The aiohttp application: the webhook paths (Telegram's, Zalo's), /health, and with a
    public address the files owed to Zalo users (/tai/<token>)."""
    settings = app.settings
    web_app = web.Application(client_max_size=10 * 1024 * 1024)
    if app.telegram:
        handler = CheckedRequestHandler(
            dispatcher=app.dispatcher,
            bot=app.bot,
            secret_token=secret,
            handle_in_background=False,
            under_way=app.updates_under_way,
        )
        handler.register(web_app, path=settings.webhook_path)
    if app.zalo is not None and zalo_secret is not None:
        from bot.zalo.serve import zalo_webhook_handler

        web_app.router.add_post(
            settings.zalo_webhook_path, zalo_webhook_handler(app.zalo, zalo_secret)
        )

    async def health(_request: web.Request) -> web.Response:
        async with app.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
        return web.json_response({"status": "ok"})

    web_app.router.add_get("/health", health)
    public = settings.public_address()
    if app.zalo is not None and public is not None:
        from bot.zalo.links import PATH, FileLinks, download_handler
        from bot.zalo.session import ZaloSession

        # Only here: a link works only while this server answers it.
        links = FileLinks(settings.files_dir, public, app.clock)
        session = app.zalo.bot.session
        assert isinstance(session, ZaloSession)
        session.links = links
        web_app.router.add_get(PATH, download_handler(links))
    setup_application(web_app, app.dispatcher, bot=app.bot)
    return web_app


async def register_webhook(app: Application, secret: str) -> None:
    settings = app.settings
    if not settings.webhook_url:
        log.warning("WEBHOOK_URL is not set: not registering a webhook (the balancer's job?)")
        return
    await app.bot.set_webhook(
        settings.webhook_url,
        secret_token=secret,
        max_connections=settings.webhook_max_connections,
        drop_pending_updates=settings.webhook_drop_pending_updates,
        allowed_updates=app.dispatcher.resolve_used_update_types(),
    )
    log.info("webhook registered")


async def serve(
    app: Application,
    secret: str,
    stop: asyncio.Event | None = None,
    *,
    zalo_secret: str | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT (or `stop`): then stop taking updates and finish those under way."""
    settings = app.settings
    runner = web.AppRunner(
        build_web_app(app, secret, zalo_secret), handle_signals=False, access_log=None
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port, shutdown_timeout=30)
    await site.start()
    if app.telegram:
        await register_webhook(app, secret)
    if app.zalo is not None and zalo_secret is not None:
        from bot.zalo.serve import register_zalo_webhook

        await register_zalo_webhook(app, zalo_secret)
    log.info(
        "listening on %s:%s%s", settings.webhook_host, settings.webhook_port, settings.webhook_path
    )
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("stopping: no new updates; finishing the ones under way")
        # cleanup() closes the listening socket, waits for requests in flight, then runs the
        # dispatcher's shutdown hooks (workers release their leases).
        await runner.cleanup()

"""The bot as a user meets it: the real application polling a fake Bot API, restartable."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import Application, create_application
from bot.clock import Clock
from bot.emulator import FakeBotAPI
from bot.settings import Settings, load_settings
from bot.zalo.fake import FakeZaloAPI

ADMIN_ID = 900_001
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The tests' "now": fixed, so months, "today" and deadlines are the same on every run.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)


class RunningBot:
    """One bot process-worth of objects (Application + polling task) against `api`."""

    def __init__(
        self,
        api: FakeBotAPI,
        database_url: str,
        zalo: FakeZaloAPI | None = None,
        *,
        telegram: bool = True,
        settle_heap: bool = False,
        **settings: Any,
    ) -> None:
        self.api = api
        self.zalo = zalo
        self.telegram = telegram
        # bot.heap's collection after start-up walks the whole test process (a third of an
        # end-to-end test's time); tests/e2e/test_smoke.py keeps it.
        self.settle_heap = settle_heap
        if zalo is not None:
            settings.setdefault("zalo_api_base", zalo.base_url)
        # Files the bot keeps (Zalo photos): a folder of this bot's own, kept across restarts.
        settings.setdefault("files_dir", tempfile.mkdtemp(prefix="khcn-files-"))
        self.settings_overrides = {
            "database_url": database_url,
            "telegram_api_base": api.base_url,
            "admin_ids": str(ADMIN_ID),
            # Simulated users type faster than people; the throttle has its own tests.
            "throttle_rate": 10_000,
            "throttle_burst": 10_000,
            # Nor does the fake Bot API limit messages a second as Telegram does; the pace
            # has its own tests (tests/e2e/test_paced_replies.py sets it back to 30).
            "telegram_rate": 10_000,
            # Nor one message a second to a chat: a test whose user gets three owed messages
            # would wait out two seconds (tests/e2e/test_paced_replies.py keeps the spacing).
            "telegram_chat_interval": 0,
            **settings,
        }
        self.clock = Clock(TZ, fixed=NOW)
        self.app: Application | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def settings(self) -> Settings:
        return load_settings(**self.settings_overrides)

    async def start(self) -> Application:
        self.app = await create_application(
            self.settings,
            self.api.token if self.telegram else None,
            self.clock,
            single_consumer=True,
            zalo_token=self.zalo.token if self.zalo is not None else None,
            settle_heap=self.settle_heap,
        )
        if self.app.zalo is not None:
            assert self.zalo is not None
            self.app.zalo.poll_timeout = 2
            self.app.dispatcher.startup.register(self.app.zalo.start_polling)
            self.app.dispatcher.shutdown.register(self.app.zalo.stop)
        if not self.telegram:
            await self.app.dispatcher.emit_startup(bot=self.app.bot)
            assert self.zalo is not None
            await self.zalo.wait_polling()
            return self.app
        polls = self.api.get_updates_calls
        self._task = asyncio.create_task(
            self.app.dispatcher.start_polling(
                self.app.bot, handle_signals=False, close_bot_session=False, polling_timeout=5
            )
        )
        # Started = the first long poll reached the server (start-up work is done by then).
        while self.api.get_updates_calls == polls:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)
        return self.app

    async def stop(self) -> None:
        if self.app is None:
            return
        if not self.telegram:
            await self.app.dispatcher.emit_shutdown(bot=self.app.bot)
            await self.app.close()
            self.app = None
            return
        with contextlib.suppress(RuntimeError):
            await self.app.dispatcher.stop_polling()
        if self._task is not None:
            await self._task
        await self.app.close()
        self.app = None

    async def restart(self) -> Application:
        await self.stop()
        return await self.start()

"""What staff see of a notice under way: a progress bar edited in place, then the report.

Edits go through the worker's limits (`turn`), and one process at a time edits a bar
(`take_progress_turn`), at most every `every` seconds, so several workers on one notice
don't flood the staff member's chat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcast import report
from bot.settings import Settings
from storage.models import Notice, utcnow
from storage.repositories import broadcasts as rows
from storage.repositories import users

log = logging.getLogger(__name__)


class ProgressBoard:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        i18n: I18n,
        settings: Settings,
        turn: Callable[[int], Awaitable[None]],
        slow_down: Callable[[float], None],
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.i18n = i18n
        self.settings = settings
        self.turn = turn  # waits for a send slot for this chat
        self.slow_down = slow_down  # Telegram said 429 retry_after
        self.every = 3.0  # seconds between two edits of one bar

    async def _locale_of(self, session: AsyncSession, user_id: int) -> str:
        person = await users.get_user(session, user_id)
        return (person.locale if person else None) or self.settings.default_locale

    async def announce(self, notice_id: int) -> None:
        """A notice started: its bar appears (in a new message if it was scheduled)."""
        async with self.sessionmaker() as session:
            notice = await rows.get(session, notice_id)
            if notice is None or notice.report_chat_id is None:
                return
            locale = await self._locale_of(session, notice.created_by)
            counts = await rows.counts(session, notice_id)
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = report.progress_text(notice, counts)
            markup = report.stop_button(notice_id)
        if notice.report_message_id is not None:
            await self._edit(notice.report_chat_id, notice.report_message_id, text, markup)
            return
        message_id = await self._post(notice.report_chat_id, text, markup)
        if message_id is not None:
            async with self.sessionmaker() as session:
                await rows.set_report_message(session, notice_id, notice.report_chat_id, message_id)
                await session.commit()

    async def update(self, notice: Notice) -> None:
        """Redraw the bar, if it is this process's turn and long enough since the last time."""
        if notice.report_chat_id is None or notice.report_message_id is None:
            return
        now = utcnow()
        async with self.sessionmaker() as session:
            turn = await rows.take_progress_turn(
                session, notice.id, now, now - timedelta(seconds=self.every)
            )
            await session.commit()
            if not turn:
                return
            counts = await rows.counts(session, notice.id)
            locale = await self._locale_of(session, notice.created_by)
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = report.progress_text(notice, counts)
            markup = report.stop_button(notice.id)
        await self._edit(notice.report_chat_id, notice.report_message_id, text, markup)

    async def final_report(self, notice_id: int) -> None:
        """Delivered, unreachable, failed, unknown, with Chi tiết: in place of the bar."""
        async with self.sessionmaker() as session:
            notice = await rows.get(session, notice_id)
            if notice is None:
                return
            counts = await rows.counts(session, notice_id)
            locale = await self._locale_of(session, notice.created_by)
        log.info("notice %s finished: %s", notice_id, {s.value: n for s, n in counts.items()})
        if notice.report_chat_id is None:
            return
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = report.report_text(notice, counts, self.settings.tz)
            markup = report.details_button(notice_id)
        if notice.report_message_id is None or not await self._edit(
            notice.report_chat_id, notice.report_message_id, text, markup
        ):
            await self._post(notice.report_chat_id, text, markup)

    async def _edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        await self.turn(chat_id)
        try:
            await self.bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramRetryAfter as error:
            self.slow_down(error.retry_after)
            return False
        except TelegramBadRequest as error:
            return "not modified" in error.message
        except TelegramAPIError as error:
            log.warning("could not edit the progress in chat %s: %s", chat_id, error)
            return False
        return True

    async def _post(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> int | None:
        await self.turn(chat_id)
        try:
            message = await self.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramRetryAfter as error:
            self.slow_down(error.retry_after)
            return None
        except TelegramAPIError as error:
            log.warning("could not post the progress in chat %s: %s", chat_id, error)
            return None
        return message.message_id

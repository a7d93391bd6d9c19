"""What staff see of a notice under way: a progress bar edited in place, then the report.

The staff member is reached on their messenger (bot.messengers), within its limits
(`turn`). On Telegram one process at a time edits the bar (`take_progress_turn`), at most
every `every` seconds, so several workers on one notice don't flood the chat. Zalo has no
edits (each would be a new message), so there the bar is posted three times only: when the
notice starts, once at least half the copies are settled (`take_half_way`, a committed
claim: a restart or a second worker never posts it again), and the final report in its
place. A notice that is done before the worker looks at it again gets the start and the
report only; the start and the report are posted once each because starting and finishing
a notice are themselves claims (`start_due`, `try_finish`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcast import report
from bot.broadcast.pacing import Pacer
from bot.messengers import Messengers, Route, text_only
from bot.settings import Settings
from storage.models import Notice, utcnow
from storage.repositories import broadcasts as rows
from storage.repositories import users

log = logging.getLogger(__name__)


class ProgressBoard:
    def __init__(
        self,
        messengers: Messengers,
        sessionmaker: async_sessionmaker[AsyncSession],
        i18n: I18n,
        settings: Settings,
        turn: Callable[[int, Route], Awaitable[Pacer]],
    ) -> None:
        self.messengers = messengers
        self.sessionmaker = sessionmaker
        self.i18n = i18n
        self.settings = settings
        # Waits for a send slot for this chat on its messenger; gives the pace a 429 holds back.
        self.turn = turn
        self.every = 3.0  # seconds between two edits of one bar (Telegram)

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
        route = await self.messengers.route(notice.report_chat_id)
        if notice.report_message_id is not None and not text_only(route.bot):
            await self._edit(route, notice.report_chat_id, notice.report_message_id, text, markup)
            return
        message_id = await self._post(route, notice.report_chat_id, text, markup)
        if message_id is not None:
            async with self.sessionmaker() as session:
                await rows.set_report_message(session, notice_id, notice.report_chat_id, message_id)
                await session.commit()

    async def update(self, notice: Notice) -> None:
        """Redraw the bar, if it is this process's turn and long enough since the last time."""
        if notice.report_chat_id is None or notice.report_message_id is None:
            return
        route = await self.messengers.route(notice.report_chat_id)
        if text_only(route.bot):
            await self._half_way(route, notice, notice.report_chat_id)
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
        await self._edit(route, notice.report_chat_id, notice.report_message_id, text, markup)

    async def _half_way(self, route: Route, notice: Notice, chat_id: int) -> None:
        """Zalo: the bar once more when half the copies are settled, and never again."""
        async with self.sessionmaker() as session:
            counts = await rows.counts(session, notice.id)
            if 2 * report.done_count(counts) < notice.total:
                return
            if not await rows.take_half_way(session, notice.id, utcnow()):
                return
            await session.commit()
            locale = await self._locale_of(session, notice.created_by)
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = report.progress_text(notice, counts)
            markup = report.stop_button(notice.id)
        await self._post(route, chat_id, text, markup)

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
        route = await self.messengers.route(notice.report_chat_id)
        if (
            notice.report_message_id is None
            or text_only(route.bot)
            or not await self._edit(
                route, notice.report_chat_id, notice.report_message_id, text, markup
            )
        ):
            await self._post(route, notice.report_chat_id, text, markup)

    async def _edit(
        self,
        route: Route,
        chat_id: int,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> bool:
        pacer = await self.turn(chat_id, route)
        try:
            await route.bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramRetryAfter as error:
            pacer.pause(error.retry_after)
            return False
        except TelegramBadRequest as error:
            return "not modified" in error.message
        except TelegramAPIError as error:
            log.warning("could not edit the progress in chat %s: %s", chat_id, error)
            return False
        return True

    async def _post(
        self, route: Route, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> int | None:
        pacer = await self.turn(chat_id, route)
        try:
            message = await route.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramRetryAfter as error:
            pacer.pause(error.retry_after)
            return None
        except TelegramAPIError as error:
            log.warning("could not post the progress in chat %s: %s", chat_id, error)
            return None
        return message.message_id

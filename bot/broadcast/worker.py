"""The background worker that delivers notices: claimed rows, Telegram's limits, progress.

```mermaid
stateDiagram-v2
    [*] --> pending: enqueue_notice (committed before anything is sent)
    pending --> claimed: a worker takes a batch (lease)
    claimed --> pending: the worker stops, or dies (lease runs out)
    claimed --> sending: committed just before the request
    sending --> sent
    sending --> pending: 429 (after retry_after), 5xx / network (after a backoff)
    sending --> unreachable: 403
    sending --> failed: 400, or retries used up
    sending --> unknown: the worker died (lease ran out): maybe arrived, never resent
    pending --> cancelled: staff stopped the notice
    claimed --> cancelled
```
A row is `sending` only while its request may be on the wire, so after a crash every
row is either certainly not sent (back to the queue) or reported as unknown: nobody
gets a notice twice, nobody is skipped without a word.

The same worker sends what the bot owes someone (`storage.repositories.outbox`: staff
cards, decisions, confirmations, edits of cards), ahead of the notices' copies, with the
same pacing, leases and answers; only a crash mid-request differs (see there).

Two loops run per process: `_dispatch` takes rows and sends them, paced; `_housekeep`
starts notices whose time has come, recovers rows of dead workers, edits the progress
bars and writes the final reports. Several processes can run them on one database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcast import owed
from bot.broadcast.content import NoticeContent, send_notice
from bot.broadcast.outcome import Backoff, Outcome, Verdict, judge
from bot.broadcast.pacing import QUEUED_SEND, ChatSpacing, Pacer, SendWindow
from bot.broadcast.progress import ProgressBoard
from bot.clock import Clock
from bot.domain.units import UnitDirectory
from bot.messengers import Messengers, Route
from bot.settings import Settings
from storage.models import Delivery, DeliveryState, OwedMessage, utcnow
from storage.repositories import broadcasts as rows
from storage.repositories import leases, outbox

log = logging.getLogger(__name__)
# What a final verdict leaves a copy or an owed message as.
SETTLED = {
    Verdict.SENT: DeliveryState.SENT,
    Verdict.UNREACHABLE: DeliveryState.UNREACHABLE,
    Verdict.FAILED: DeliveryState.FAILED,
}


def worker_name() -> str:
    """Unique per process start, and readable in the database: host, pid, a random tag."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class BroadcastWorker:
    """Delivers the notices of one database from this process; `start` and `stop` with the bot.

    The attributes below the settings are tunables (tests shorten them).
    """

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        i18n: I18n,
        settings: Settings,
        clock: Clock,
        units: UnitDirectory,
        *,
        pacer: Pacer | None = None,
        window: SendWindow | None = None,
        messengers: Messengers | None = None,
    ) -> None:
        """`pacer` and `window` may be shared with the Bot API session's middleware
        (bot.middlewares.paced_retries), so that one pace covers everything the bot sends."""
        self.bot = bot
        # Where each person is reached (Telegram, Zalo); without it, everyone is on `bot`.
        self.messengers = messengers or Messengers(
            sessionmaker, Route(bot, window or SendWindow(settings.telegram_rate)), None
        )
        self.sessionmaker = sessionmaker
        self.i18n = i18n
        self.settings = settings
        self.clock = clock
        self.units = units
        self.name = worker_name()
        self.rate = settings.broadcast_rate  # in all: shared with other processes sending
        self.pacer = pacer or Pacer(settings.broadcast_rate)
        self.limit = settings.telegram_rate
        self.window = window or SendWindow(self.limit)
        self.spacing = ChatSpacing(settings.telegram_chat_interval)
        self.lease = timedelta(seconds=settings.broadcast_lease)
        # A request must end well inside the lease, or a live worker's row could be
        # called unknown by another one.
        self.request_timeout = max(1, int(settings.broadcast_lease / 3))
        self.backoff = Backoff()
        self.progress = ProgressBoard(
            self.messengers, sessionmaker, i18n, settings, self._staff_turn
        )
        self.poll_every = 1.0  # seconds: how often an idle worker looks for work
        self.max_in_flight = 32
        self.batch = max(10, int(settings.broadcast_rate * 2))  # about two seconds of work
        self._queue: deque[rows.Claimed] = deque()
        self._owed: deque[outbox.Owed] = deque()  # served before the notices' copies
        self._unhook: Callable[[], None] | None = None
        self._contents: dict[int, NoticeContent] = {}
        self._sending: set[asyncio.Task[None]] = set()
        # Chats with a request under way: the next message to one waits for its answer, so
        # that messages arrive in the order they were sent however short the spacing is.
        self._busy_chats: set[int] = set()
        self._loops: list[asyncio.Task[None]] = []
        # One event per loop: a notice enqueued wakes both (start it, then send it).
        self._work = asyncio.Event()
        self._housework = asyncio.Event()
        self._housekept = 0  # housekeeping passes done: `settle` waits for one more
        self._stopping = False
        self._last_refill = 0.0

    # --- life cycle ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return bool(self._loops)

    async def start(self) -> None:
        if self._loops:
            return
        self._stopping = False
        self._unhook = owed.on_commit_wake(self.wake)
        self._loops = [
            asyncio.create_task(self._forever(self._dispatch_once), name="broadcast-dispatch"),
            asyncio.create_task(self._forever(self._housekeep_once), name="broadcast-housekeep"),
        ]
        log.info("broadcast worker %s started (%.0f messages/s)", self.name, self.pacer.rate)

    async def stop(self) -> None:
        """Stop taking rows, let the requests under way finish, give back the rest."""
        if not self._loops:
            return
        self._stopping = True
        if self._unhook is not None:
            self._unhook()
            self._unhook = None
        self.wake()
        # Each loop ends after the step under way: a claim or a recovery cut off between its
        # UPDATE and its commit left SQLite's write lock to the garbage collector, and the
        # next writer (a request under way settling its row) waited out the busy timeout.
        _, stuck = await asyncio.wait(self._loops, timeout=self.request_timeout + 5)
        for loop in stuck:
            loop.cancel()
        for loop in self._loops:
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        self._loops = []
        if self._sending:
            _done, late = await asyncio.wait(self._sending, timeout=self.request_timeout + 5)
            for task in late:  # left as `sending`: reported unknown once the lease runs out
                task.cancel()
        untried = [item.id for item in self._queue]
        untried_owed = [item.id for item in self._owed]
        self._queue.clear()
        self._owed.clear()
        if untried or untried_owed:
            with contextlib.suppress(Exception):
                async with self.sessionmaker() as session:
                    await leases.release(session, Delivery, untried, self.name)
                    await leases.release(session, OwedMessage, untried_owed, self.name)
                    await session.commit()
        log.info("broadcast worker %s stopped", self.name)

    def wake(self) -> None:
        """Look for work now (a notice was just enqueued)."""
        self._work.set()
        self._housework.set()

    async def _forever(self, step: Callable[[], Awaitable[None]]) -> None:
        while not self._stopping:
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception:
                # A database or network hiccup must not end delivery for good.
                log.exception("broadcast worker step failed; trying again shortly")
                await asyncio.sleep(self.poll_every)

    async def _idle(self, event: asyncio.Event) -> None:
        """Wait until woken, or for the next poll (work may come from another process)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), self.poll_every)
        event.clear()

    # --- sending -------------------------------------------------------------------------

    async def _dispatch_once(self) -> None:
        if self._stopping:
            return
        loop = asyncio.get_running_loop()
        queued = len(self._queue) + len(self._owed)
        if self._work.is_set() or (
            queued < self.batch // 2 and (not queued or loop.time() - self._last_refill >= 0.5)
        ):
            self._work.clear()
            self._last_refill = loop.time()
            await self._refill()
        if not self._queue and not self._owed:
            await self._idle(self._work)
            return
        item = self._next_ready()
        if item is None:  # every queued chat got a message a moment ago, or is getting one
            waiting: list[outbox.Owed | rows.Claimed] = [*self._owed, *self._queue]
            # A busy chat's request wakes the loop when it ends (`_free`).
            soonest = min(
                (self.spacing.wait_for(i.chat_id) for i in waiting if not self._busy(i)),
                default=self.poll_every,
            )
            with contextlib.suppress(TimeoutError):  # something owed may come in meanwhile
                await asyncio.wait_for(self._work.wait(), soonest)
            return
        while len(self._sending) >= self.max_in_flight:
            await asyncio.wait(self._sending, return_when=asyncio.FIRST_COMPLETED)
        try:
            await self.pacer.acquire()
        except asyncio.CancelledError:
            # given back by stop()
            if isinstance(item, outbox.Owed):
                self._owed.appendleft(item)
            else:
                self._queue.appendleft(item)
            raise
        if self._stopping:  # given back by stop()
            if isinstance(item, outbox.Owed):
                self._owed.appendleft(item)
            else:
                self._queue.appendleft(item)
            return
        self.spacing.mark(item.chat_id)
        self._busy_chats.add(item.chat_id)
        task = asyncio.create_task(self._deliver(item))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
        task.add_done_callback(lambda _: self._free(item.chat_id))

    async def _refill(self) -> None:
        now = utcnow()
        room = self.batch - len(self._queue) - len(self._owed)
        async with self.sessionmaker() as session:
            if await outbox.anything_due(session, now):
                # Taken even when the queue is full of copies: they go first anyway.
                limit = max(room, self.batch // 2)
                taken = await outbox.claim(session, self.name, limit, now, now + self.lease)
                await session.commit()
                self._owed.extend(taken)
                room -= len(taken)
            if room <= 0 or not await rows.anything_due(session, now):
                return
            claimed = await rows.claim(session, self.name, room, now, now + self.lease)
            await session.commit()
        self._queue.extend(claimed)

    def _busy(self, item: outbox.Owed | rows.Claimed) -> bool:
        return item.chat_id in self._busy_chats

    def _free(self, chat_id: int) -> None:
        """A chat's request ended: the next message to it may go `TELEGRAM_CHAT_INTERVAL`
        after the answer (so two arrive at least that far apart, however long one took)."""
        self._busy_chats.discard(chat_id)
        self.spacing.mark(chat_id)
        waiting: list[outbox.Owed | rows.Claimed] = [*self._owed, *self._queue]
        if any(i.chat_id == chat_id for i in waiting):
            self._work.set()

    def _next_ready(self) -> outbox.Owed | rows.Claimed | None:
        """What is owed to someone first, then the notices' copies, each in its order; a
        chat that got a message less than `TELEGRAM_CHAT_INTERVAL` ago, or is getting one,
        waits its turn."""
        for index, owed_item in enumerate(self._owed):
            if self._ready(owed_item):
                del self._owed[index]
                return owed_item
        for index, item in enumerate(self._queue):
            if self._ready(item):
                del self._queue[index]
                return item
        return None

    def _ready(self, item: outbox.Owed | rows.Claimed) -> bool:
        return not self._busy(item) and self.spacing.wait_for(item.chat_id) <= 0

    async def _content(self, notice_id: int) -> NoticeContent | None:
        if notice_id not in self._contents:
            async with self.sessionmaker() as session:
                notice = await rows.get(session, notice_id)
            if notice is None:
                return None
            self._contents[notice_id] = NoticeContent.of(notice)
        return self._contents[notice_id]

    async def _deliver(self, item: outbox.Owed | rows.Claimed) -> None:
        QUEUED_SEND.set(True)  # paced and retried here: the session's middleware keeps off
        try:
            if isinstance(item, outbox.Owed):
                await self._send_owed(item)
            else:
                await self._deliver_one(item)
        except Exception:
            # The row stays claimed or sending: its lease runs out and it is recovered
            # (back to the queue, or reported unknown), as after a crash.
            log.exception("delivery %s to %s went wrong", item.id, item.chat_id)

    async def _deliver_one(self, item: rows.Claimed) -> None:
        """One recipient: committed as `sending`, sent, and what happened recorded."""
        async with self.sessionmaker() as session:
            mine = await rows.start_sending(session, item.id, self.name, utcnow() + self.lease)
            await session.commit()
        if not mine:  # stopped by staff, or another worker took it after our lease ran out
            return
        content = await self._content(item.notice_id)
        message_id = None
        pacer = self.pacer
        if content is None:
            outcome = Outcome(Verdict.FAILED, error="the notice is gone")
        else:
            try:
                route = await self.messengers.route(item.chat_id)
                pacer = await self._pace(route)
                await self._window(route).acquire()
                message = await send_notice(route.bot, item.chat_id, content, self.request_timeout)
            except Exception as error:
                outcome = judge(error, item.failures, self.backoff)
            else:
                outcome, message_id = Outcome(Verdict.SENT), message.message_id
        await self._record(item, outcome, message_id, pacer)

    def _window(self, route: Route) -> SendWindow:
        """Telegram's sends keep within this worker's window (tests replace it); each other
        messenger's within its own."""
        return self.window if route.bot is self.bot else route.window

    async def _pace(self, route: Route) -> Pacer:
        """The pace a send keeps, and that its 429 holds back: each messenger's own (Zalo's
        quota is not Telegram's), within the worker's pace for everything."""
        if route.bot is self.bot or route.pacer is None:
            return self.pacer
        await route.pacer.acquire()
        return route.pacer

    async def _retry_later(
        self,
        session: AsyncSession,
        model: leases.Leased,
        row_id: int,
        outcome: Outcome,
        pacer: Pacer,
    ) -> None:
        """A copy or an owed message that surely did not arrive: back in the queue."""
        if outcome.verdict is Verdict.RETRY_AFTER:
            pacer.pause(outcome.wait)
        # Look again as soon as it is due (a moment after), not at the next poll.
        asyncio.get_running_loop().call_later(outcome.wait + 0.05, self._work.set)
        await leases.retry_later(
            session,
            model,
            row_id,
            self.name,
            utcnow() + timedelta(seconds=outcome.wait),
            outcome.error or "",
            count_failure=outcome.verdict is Verdict.RETRY,
        )

    async def _record(
        self, item: rows.Claimed, outcome: Outcome, message_id: int | None, pacer: Pacer
    ) -> None:
        async with self.sessionmaker() as session:
            verdict = outcome.verdict
            if verdict in (Verdict.RETRY_AFTER, Verdict.RETRY):
                await self._retry_later(session, Delivery, item.id, outcome, pacer)
            else:
                await rows.settle(
                    session,
                    item.id,
                    self.name,
                    SETTLED[verdict],
                    message_id=message_id,
                    error=outcome.error,
                )
            await session.commit()
        if outcome.verdict is not Verdict.SENT:
            log.info(
                "delivery %s to %s: %s %s", item.id, item.chat_id, verdict.value, outcome.error
            )

    async def _send_owed(self, item: outbox.Owed) -> None:
        """One owed call: committed as `sending`, made, and what happened recorded."""
        async with self.sessionmaker() as session:
            mine = await outbox.start_sending(session, item.id, self.name, utcnow() + self.lease)
            target = None
            if mine and item.method in owed.EDITS and item.after_id is not None:
                target = await outbox.message_id_of(session, item.after_id)
            await session.commit()
        if not mine:
            return
        message_id = None
        pacer = self.pacer
        if item.method in owed.EDITS and target is None:
            # The message to edit never arrived (blocked, failed): nothing to edit.
            outcome = Outcome(Verdict.FAILED, error="the message to edit was not sent")
        else:
            try:
                route = await self.messengers.route(item.chat_id)
                pacer = await self._pace(route)
                await self._window(route).acquire(urgent=True)  # owed: before the copies
                message_id = await owed.call(
                    route.bot,
                    item.chat_id,
                    item.method,
                    item.payload,
                    self.request_timeout,
                    message_id=target,
                )
            except TelegramBadRequest as error:
                if owed.ALREADY_DONE in error.message:
                    outcome = Outcome(Verdict.SENT)  # an edit that was already made
                else:
                    outcome = judge(error, item.failures, self.backoff)
            except Exception as error:
                outcome = judge(error, item.failures, self.backoff)
            else:
                outcome = Outcome(Verdict.SENT)
        async with self.sessionmaker() as session:
            verdict = outcome.verdict
            if verdict in (Verdict.RETRY_AFTER, Verdict.RETRY):
                await self._retry_later(session, OwedMessage, item.id, outcome, pacer)
            else:
                await outbox.settle(
                    session,
                    item.id,
                    self.name,
                    SETTLED[verdict],
                    message_id=message_id,
                    error=outcome.error,
                )
                self._work.set()  # what waited for this row may go now
            await session.commit()
        if verdict is not Verdict.SENT:
            log.info(
                "owed %s %s to %s: %s %s",
                item.kind,
                item.id,
                item.chat_id,
                verdict.value,
                outcome.error,
            )

    async def drain_owed(self, timeout: float) -> None:
        """Wait until what is owed and due now has been tried (the demo shows the answers
        of one turn before the next prompt)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            async with self.sessionmaker() as session:
                if not await outbox.outstanding(session, utcnow()):
                    return
            await asyncio.sleep(0.02)

    async def settle(self, timeout: float) -> bool:
        """Wait until all that is due now is done: owed messages sent, notices due now
        started, sent and reported (the demo waits so before it exits, or a notice it
        just sent would finish only at its next start). False when time ran out first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if await self._all_done():
                # A pass that began after: a notice's final report follows its finishing.
                after = self._housekept + 2
                while self._housekept < after and loop.time() < deadline:
                    self._housework.set()
                    await asyncio.sleep(0.02)
                if self._housekept >= after and await self._all_done():
                    return True
            self._housework.set()
            await asyncio.sleep(0.02)
        return False

    async def _all_done(self) -> bool:
        now = utcnow()
        async with self.sessionmaker() as session:
            return not (
                await outbox.outstanding(session, now)
                or await rows.anything_to_start_or_recover(
                    session, now, self.clock.now().astimezone(UTC)
                )
                or await rows.unfinished_notices(session)
            )

    # --- housekeeping --------------------------------------------------------------------

    async def _housekeep_once(self) -> None:
        now = utcnow()
        domain_now = self.clock.now().astimezone(UTC)
        started: list[int] = []
        async with self.sessionmaker() as session:
            back, lost = await outbox.recover_expired(session, now)
            if back or lost:
                await session.commit()
                self._work.set()
                log.warning(
                    "leases ran out: %d owed messages back in the queue, %d unknown", back, lost
                )
            if await rows.anything_to_start_or_recover(session, now, domain_now):
                returned, unknown = await rows.recover_expired(session, now)
                started = await rows.start_due(session, domain_now)
                await session.commit()
                if returned or unknown:
                    log.warning(
                        "leases ran out: %d deliveries back in the queue, %d unknown",
                        returned,
                        unknown,
                    )
            unfinished = await rows.unfinished_notices(session)
            others = await rows.other_senders(session, self.name, now)
        # Telegram's limit is the bot's, not the process's: split it with the other workers
        # that are sending now (re-counted every tick, so a lone worker gets it all back).
        share = self.rate / (1 + others)
        if self.pacer.rate != share:
            self.pacer.set_rate(share)
            self.window.set_limit(self.limit // (1 + others))
        if started:
            self._work.set()
        for notice_id in started:
            await self.progress.announce(notice_id)
        for notice in unfinished:
            async with self.sessionmaker() as session:
                finished = await rows.try_finish(session, notice.id)
                await session.commit()
            if finished:
                self._contents.pop(notice.id, None)
                await self.progress.final_report(notice.id)
            else:
                await self.progress.update(notice)
        self._housekept += 1
        await self._idle(self._housework)

    # --- messages to staff (paced like the rest) ------------------------------------------

    async def _staff_turn(self, chat_id: int, route: Route) -> Pacer:
        """Progress bars and reports count against the same limits as the notices, on the
        staff member's messenger; the pace a 429 holds back is returned."""
        await asyncio.sleep(self.spacing.wait_for(chat_id))
        await self.pacer.acquire()
        pacer = await self._pace(route)
        self.spacing.mark(chat_id)
        await self._window(route).acquire()
        return pacer


def install(dispatcher: Dispatcher, worker: BroadcastWorker) -> BroadcastWorker:
    """Run the worker while the dispatcher runs (polling, webhook, the demo); handlers and
    tests find it as `broadcasts` in the dispatcher's data."""
    dispatcher["broadcasts"] = worker
    dispatcher.startup.register(worker.start)
    dispatcher.shutdown.register(worker.stop)
    return worker

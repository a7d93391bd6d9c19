"""Broadcast throughput against a fake Bot API that enforces Telegram's limits.

The fake server (`bot.emulator.FakeBotAPI` plus the limits) answers 429 with
`retry_after: 1` to any sendMessage or edit beyond `--limit` (30) in the last second,
and to a second message to one chat within a second, as Telegram does. The real
application (`bot.app.create_application`: migrations, the broadcast worker, its SQLite
or PostgreSQL rows) delivers one notice to `--recipients` approved officers.

Printed: the messages per second achieved between the first and the last copy, their
ratio to the configured BROADCAST_RATE (target >= 0.95), the 429s received, and the
duplicates (chats with more than one copy; must be 0). For comparison, a popular
broadcast helper for aiogram sleeps a fixed 0.05 s between messages: at most 20/s,
0.67 of Telegram's 30/s.

    .venv/bin/python benchmarks/broadcast.py                    # 3000 recipients at 25/s
    .venv/bin/python benchmarks/broadcast.py --rate 30          # at Telegram's own limit
    .venv/bin/python benchmarks/broadcast.py --latency 0.15     # a slower network

It is a measurement, not a test: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.app import create_application  # noqa: E402
from bot.broadcast.worker import BroadcastWorker  # noqa: E402
from bot.emulator import FakeBotAPI, Fault, Sent  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage.models import RegistrationStatus, Role, User, utcnow  # noqa: E402
from storage.repositories.broadcasts import enqueue_notice  # noqa: E402

TARGET = 0.95
FIRST_ID = 30_000_000
STAFF_ID = 900_001
COUNTED = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}


class LimitedAPI(FakeBotAPI):
    """The emulator with Telegram's flood control: `limit` a second in all, 1 per chat."""

    def __init__(self, limit: int, latency: float) -> None:
        super().__init__(latency=latency)
        self.limit = limit
        self.window: deque[float] = deque()
        self.last_in_chat: dict[int, float] = {}
        self.too_many = 0
        self.copies: Counter[int] = Counter()
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.expected = 0
        self.all_sent = asyncio.Event()
        self.on_sent.append(self._count)

    def _fault_for(self, method: str, params: dict[str, Any]) -> Fault | None:
        if method not in COUNTED:
            return super()._fault_for(method, params)
        now = time.monotonic()
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        chat = params.get("chat_id")
        last = self.last_in_chat.get(chat) if isinstance(chat, int) else None
        if len(self.window) >= self.limit or (last is not None and now - last < 1.0):
            self.too_many += 1
            return Fault(chat, method, 429, "Too Many Requests: retry after 1", retry_after=1)
        self.window.append(now)
        if isinstance(chat, int):
            self.last_in_chat[chat] = now
        return super()._fault_for(method, params)

    def _count(self, sent: Sent) -> None:
        if sent.method != "sendMessage" or (sent.chat_id or 0) < FIRST_ID:
            return
        now = time.monotonic()
        self.first_at = self.first_at or now
        self.copies[sent.chat_id or 0] += 1
        if len(self.copies) == self.expected and self.last_at is None:
            self.last_at = now
            self.all_sent.set()


@dataclass
class Result:
    recipients: int
    rate: float
    achieved: float
    too_many: int
    duplicates: int
    seconds: float
    delivered: int

    def print(self) -> None:
        ratio = self.achieved / self.rate
        verdict = "meets" if ratio >= TARGET else "BELOW"
        print(f"recipients:           {self.recipients} ({self.delivered} delivered)")
        print(f"configured rate:      {self.rate:g} messages/s (BROADCAST_RATE)")
        print(f"achieved:             {self.achieved:.2f} messages/s over {self.seconds:.1f} s")
        print(f"ratio:                {ratio:.3f} ({verdict} the target of {TARGET})")
        print(f"429s received:        {self.too_many}")
        print(f"duplicates:           {self.duplicates}")
        print("for comparison:       a fixed 0.05 s sleep: at most 20/s, 0.67 of 30/s")


async def run(recipients: int, rate: float, limit: int, latency: float, url: str | None) -> Result:
    api = LimitedAPI(limit, latency)
    await api.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            _env_file=None,
            database_url=url or f"sqlite+aiosqlite:///{folder}/bench.db",
            telegram_api_base=api.base_url,
            admin_ids=str(STAFF_ID),
            broadcast_rate=rate,
            log_level="WARNING",
        )
        app = await create_application(settings, api.token)
        worker = app.dispatcher["broadcasts"]
        assert isinstance(worker, BroadcastWorker)
        try:
            ids = list(range(FIRST_ID, FIRST_ID + recipients))
            async with app.sessionmaker() as session:
                unit = next(iter(app.units)).code
                await session.execute(
                    insert(User),
                    [
                        {
                            "id": user_id,
                            "full_name": f"Cán bộ {user_id}",
                            "unit_code": unit,
                            "role": Role.OFFICER,
                            "status": RegistrationStatus.APPROVED,
                            "created_at": utcnow(),
                        }
                        for user_id in ids
                    ],
                )
                await enqueue_notice(
                    session,
                    created_by=STAFF_ID,
                    text="<b>Thông báo</b> hội nghị tập huấn",
                    recipients=ids,
                    report_chat_id=STAFF_ID,
                )
                await session.commit()
            api.expected = recipients
            await worker.start()
            await asyncio.wait_for(api.all_sent.wait(), timeout=recipients / rate * 3 + 60)
        finally:
            await worker.stop()
            await app.close()
            await api.stop()
    assert api.first_at is not None and api.last_at is not None
    seconds = api.last_at - api.first_at
    return Result(
        recipients=recipients,
        rate=rate,
        achieved=(recipients - 1) / seconds if seconds > 0 else 0.0,
        too_many=api.too_many,
        duplicates=sum(1 for n in api.copies.values() if n > 1),
        seconds=seconds,
        delivered=len(api.copies),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=None, help="BROADCAST_RATE (default: 25)")
    parser.add_argument("--limit", type=int, default=30, help="the fake server's limit per second")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Bot API call")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rate = args.rate or load_settings(_env_file=None).broadcast_rate
    print(
        f"Broadcast: {args.recipients} recipients, BROADCAST_RATE={rate:g}, fake Bot API "
        f"limit {args.limit}/s and 1/s per chat (429 retry_after=1), {args.latency * 1000:.0f} ms "
        "per call"
    )
    result = asyncio.run(run(args.recipients, rate, args.limit, args.latency, args.database_url))
    result.print()


if __name__ == "__main__":
    main()

"""A notice's progress for the staff member who sent it: three messages on Zalo (started,
half-way, the report), the bar edited in place on Telegram; officers on both messengers."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcast.outcome import Backoff
from bot.broadcast.worker import BroadcastWorker
from bot.emulator import FakeBotAPI, Fault
from bot.zalo.fake import FakeZaloAPI
from storage.models import Account, Delivery, DeliveryState, Notice, Role
from storage.repositories.broadcasts import enqueue_notice
from tests.e2e.broadcasting import add_officers, unit_code
from tests.e2e.test_zalo import database
from tests.e2e.test_zalo_together import ZALO_FIRST, ZALO_STAFF, choose, zalo_person
from tests.harness import ADMIN_ID, RunningBot

SENDING = "Đang gửi thông báo"
DONE = "Đã gửi xong thông báo"
TEXT = "Hội nghị tổng kết năm ngày 05/12/2026"


async def mixed_officers(both: RunningBot) -> tuple[list[int], list[int]]:
    """Two officers on Telegram and two who came first on Zalo, of one unit."""
    assert both.app is not None
    db = database(both)
    unit = unit_code(both.app.units, "cau giay")
    on_telegram = await add_officers(db, unit, 7001, 2)
    on_zalo = await add_officers(db, unit, ZALO_FIRST - 10, 2)
    async with db() as session:
        for n, user_id in enumerate(on_zalo):
            session.add(Account(messenger="zalo", external_id=f"z{n:019d}", user_id=user_id))
        await session.commit()
    return on_telegram, on_zalo


def held_back(both: RunningBot, api: FakeBotAPI, chat_id: int) -> BroadcastWorker:
    """One Telegram copy refused once (502) and tried again about 2 s later, while the worker
    looks at the notice every 0.1 s: it sees three of four copies settled, then all four."""
    assert both.app is not None
    worker: BroadcastWorker = both.app.dispatcher["broadcasts"]
    worker.backoff = Backoff(base=2.0, cap=2.0, max_failures=3)
    worker.poll_every = 0.1
    api.faults.append(Fault(chat_id, "sendMessage", 502, "Bad Gateway"))
    return worker


async def settled(db: async_sessionmaker[AsyncSession], notice_id: int) -> dict[int, str]:
    async with db() as session:
        rows = await session.execute(
            select(Delivery.chat_id, Delivery.state).where(Delivery.notice_id == notice_id)
        )
        return {chat: DeliveryState(state).value for chat, state in rows}


async def test_staff_on_zalo_get_started_half_way_and_the_report(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    db = database(both)
    on_telegram, on_zalo = await mixed_officers(both)
    await zalo_person(db, ZALO_STAFF, ZALO_FIRST - 1, "Phạm Minh Đức", role=Role.STAFF)
    held_back(both, api, on_telegram[1])
    duc = zalo_api.user(ZALO_STAFF, "Đức")
    await duc.send("thông báo")
    await duc.expect("Thông báo mới")
    await duc.send(TEXT)
    photo = await duc.expect("Đính kèm một ảnh")
    assert photo.text
    await duc.send("bỏ qua")
    audience = await duc.expect("Gửi cho ai?")
    await choose(duc, audience, "Tất cả cán bộ đã được duyệt · 4")
    review = await duc.expect("Người nhận: 4")
    before = len(zalo_api.chat(ZALO_STAFF))
    await choose(duc, review, "Gửi", SENDING)
    await duc.expect(DONE)
    async with db() as session:
        [notice] = (await session.scalars(select(Notice))).all()
    assert set((await settled(db, notice.id)).values()) == {"sent"}

    # Exactly three messages after Gửi: the bar at the start (nothing delivered yet, with
    # Dừng gửi as a number), the bar at half or more (one copy waits), the report.
    started, half_way, final = [s.text for s in zalo_api.chat(ZALO_STAFF)[before:]]
    assert f"{SENDING} #{notice.id}" in started and "Đã nhận: 0" in started
    assert "Dừng gửi" in started
    assert f"{SENDING} #{notice.id}" in half_way
    shown = re.search(r"(\d)/4", half_way)
    assert shown is not None and 2 <= int(shown.group(1)) <= 3, half_way
    assert f"{DONE} #{notice.id}" in final and "Chi tiết" in final
    # Nothing meant for the Zalo staff member went to Telegram; each officer got one copy.
    assert not [e for e in api.sent if e.chat_id is not None and e.chat_id < -(2**53)]
    telegram_copies = sorted(e.chat_id for e in api.sent if TEXT in e.text and e.chat_id)
    zalo_copies = sorted(s.chat_id for s in zalo_api.sent if s.text == TEXT)
    assert telegram_copies == on_telegram
    # (the staff member's own is the preview)
    assert zalo_copies == sorted([ZALO_STAFF, "z0000000000000000000", "z0000000000000000001"])
    assert len(await settled(db, notice.id)) == len(on_telegram) + len(on_zalo)

    # The worker looks again and again; no fourth message comes, nor after a restart.
    await both.restart()
    await duc.send("trợ giúp")
    await duc.expect()
    progress = [s for s in zalo_api.chat(ZALO_STAFF) if SENDING in s.text or DONE in s.text]
    assert [s.text for s in progress] == [started, half_way, final]


async def test_one_recipient_gets_the_start_and_the_report_only(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    """Half of one copy settled is all of it: the notice is done, no half-way message."""
    db = database(both)
    _, on_zalo = await mixed_officers(both)
    staff_id = ZALO_FIRST - 1
    await zalo_person(db, ZALO_STAFF, staff_id, "Phạm Minh Đức", role=Role.STAFF)
    async with db() as session:
        notice = await enqueue_notice(
            session,
            created_by=staff_id,
            text=TEXT,
            recipients=on_zalo[:1],
            report_chat_id=staff_id,
        )
        await session.commit()
    duc = zalo_api.user(ZALO_STAFF, "Đức")
    await duc.expect(f"{DONE} #{notice.id}")
    started, final = [s.text for s in zalo_api.chat(ZALO_STAFF)]
    assert f"{SENDING} #{notice.id}" in started and "Đã nhận: 0" in started
    assert f"{DONE} #{notice.id}" in final and "✅ đã nhận: 1" in final


async def test_staff_on_telegram_still_see_one_card_edited(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    """In the same process the Telegram sender's review turns into the bar, then the report:
    edits of one message, with officers on both messengers."""
    on_telegram, _ = await mixed_officers(both)
    worker = held_back(both, api, on_telegram[1])
    worker.progress.every = 0.1
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    await admin.send(TEXT)
    await admin.expect("Đính kèm một ảnh")
    await admin.press("Bỏ qua")
    await admin.expect("Gửi cho ai?")
    await admin.press("Tất cả cán bộ đã được duyệt · 4")
    review = await admin.expect("Người nhận: 4")
    assert review.message is not None
    card = review.message["message_id"]
    start = len(api.sent)
    await admin.press("Gửi")
    await admin.expect(DONE)
    shown = [
        e
        for e in api.sent[start:]
        if e.chat_id == ADMIN_ID and (SENDING in e.text or DONE in e.text)
    ]
    assert {e.method for e in shown} == {"editMessageText"}
    assert {e.params["message_id"] for e in shown} == {card}
    assert any("Đã nhận: 3" in e.text for e in shown)  # redrawn while one copy waited
    assert DONE in shown[-1].text
    assert len([s for s in zalo_api.sent if s.text == TEXT]) == 2

"""/thongbao end to end: composing, audiences, delivery against a misbehaving Bot API,
scheduling across a restart, stopping, two workers on one database."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_bot
from bot.broadcast.worker import BroadcastWorker
from bot.emulator import FakeBotAPI, FakeUser, Fault
from storage.database import create_engine, create_sessionmaker
from storage.models import AuditEntry, Delivery, DeliveryState, Notice, NoticeStatus
from storage.repositories.broadcasts import enqueue_notice
from tests.e2e.broadcasting import add_officers, add_report, copies, quick, states, unit_code
from tests.e2e.flows import registered_officer
from tests.harness import ADMIN_ID, NOW, RunningBot

DONE = "Đã gửi xong thông báo"


def worker_of(running: RunningBot) -> BroadcastWorker:
    assert running.app is not None
    worker = running.app.dispatcher["broadcasts"]
    assert isinstance(worker, BroadcastWorker)
    return worker


def admin_of(api: FakeBotAPI) -> FakeUser:
    return api.user(ADMIN_ID, "Admin", "Sở")


async def type_formatted(user: FakeUser, text: str, bold: str) -> None:
    """A message with a bold part, as Telegram sends what a person formatted."""
    entity = {"type": "bold", "offset": text.index(bold), "length": len(bold)}
    await user.api.push(user._message(text=text, entities=[entity]))


async def enqueue(db: async_sessionmaker[AsyncSession], recipients: list[int], **extra: Any) -> int:
    async with db() as session:
        notice = await enqueue_notice(
            session,
            created_by=ADMIN_ID,
            text=extra.pop("text", "Thông báo thử"),
            recipients=recipients,
            report_chat_id=ADMIN_ID,
            **extra,
        )
        await session.commit()
        return notice.id


async def test_staff_compose_preview_and_send_to_all_officers(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    assert running.app is not None
    quick(worker_of(running))
    officers = await add_officers(db, unit_code(running.app.units, "cau giay"), 610_000, 3)
    admin = admin_of(api)

    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    # Nothing sent yet: no "sent notices" message above the composer.
    assert all("gửi gần đây" not in e.text for e in admin.since(0))
    await type_formatted(admin, "Hội nghị tập huấn ngày 05/12/2026 tại Sở", "Hội nghị")
    await admin.expect("Đính kèm một ảnh")
    await admin.press("Bỏ qua")
    await admin.expect("Gửi cho ai?")
    await admin.press("Tất cả cán bộ đã được duyệt · 3")
    await admin.expect("Xem trước")
    preview = await admin.expect("Hội nghị")
    assert preview.text == "<b>Hội nghị</b> tập huấn ngày 05/12/2026 tại Sở"
    await admin.expect("Người nhận: 3")
    await admin.press("Gửi")
    await admin.expect(DONE)

    got = [e for e in api.sent if e.chat_id in officers and e.method == "sendMessage"]
    assert sorted(e.chat_id for e in got) == officers
    assert {e.text for e in got} == {preview.text}  # exactly the preview
    await admin.press("Chi tiết")
    details = await admin.expect("người nhận theo đơn vị")
    assert "Phường Cầu Giấy</b>: 3/3 ✅" in details.text
    async with db() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "notice.send" in actions

    # The next /thongbao: the notice just sent above the composer, the whole list a tap away.
    start = len(api.sent)
    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    [last] = [e for e in admin.since(start) if "Thông báo gửi gần đây" in e.text]
    assert "✅ 3/3" in last.text and last.buttons == ["📜 Tất cả thông báo đã gửi và kết quả"]
    await admin.press("Tất cả thông báo đã gửi")
    listing = await admin.expect("chọn một thông báo để xem kết quả gửi")
    assert any("✅ 3/3" in label for label in listing.buttons)


async def test_chosen_units_get_the_photo_and_nobody_else(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    assert running.app is not None
    quick(worker_of(running))
    units = running.app.units
    cau_giay = await add_officers(db, unit_code(units, "cau giay"), 620_000, 2)
    hoa_xa = await add_officers(db, unit_code(units, "hoa xa"), 620_100, 1)
    elsewhere = await add_officers(db, unit_code(units, "long bien"), 620_200, 2)
    admin = admin_of(api)

    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    await admin.send_photo("AgACposter", caption="Lịch tập huấn tháng 12")
    await admin.expect("Gửi cho ai?")
    await admin.press("Chọn đơn vị")
    await admin.expect("Gõ một phần tên đơn vị")
    await admin.send("cau giay")
    await admin.expect("bấm vào các đơn vị để chọn")
    await admin.press("Phường Cầu Giấy · 2")  # with its number of officers
    await admin.expect("")  # the button now shows ✅
    await admin.send("Hoà Xá")
    await admin.expect("bấm vào các đơn vị để chọn")
    await admin.press("Xã Hòa Xá · 1")
    await admin.expect("")
    await admin.press("Xong (2)")
    preview = await admin.expect("Lịch tập huấn")
    assert preview.method == "sendPhoto" and preview.params["photo"] == "AgACposter"
    review = await admin.expect("Người nhận: 3")
    assert "Phường Cầu Giấy" in review.text and "Xã Hòa Xá" in review.text
    await admin.press("Gửi")
    await admin.expect(DONE)

    assert copies(api, cau_giay + hoa_xa + elsewhere) == {c: 1 for c in cau_giay + hoa_xa}
    photos = [e for e in api.sent if e.chat_id in cau_giay and e.method == "sendPhoto"]
    assert {e.params["caption"] for e in photos} == {"Lịch tập huấn tháng 12"}


async def test_units_that_have_not_reported(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    assert running.app is not None
    quick(worker_of(running))
    units = running.app.units
    reported = await add_officers(db, unit_code(units, "cau giay"), 630_000, 2)
    late = await add_officers(db, unit_code(units, "hoa xa"), 630_100, 1)
    await add_report(db, unit_code(units, "cau giay"), reported[0], "2026-11")
    admin = admin_of(api)

    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    await admin.send("Nhắc các đơn vị gửi báo cáo tháng 11")
    await admin.expect("Đính kèm một ảnh")
    await admin.press("Bỏ qua")
    await admin.expect("Gửi cho ai?")
    await admin.press("Đơn vị chưa gửi báo cáo tháng")
    await admin.expect("chọn một mục")
    await admin.press("Tháng 11/2026 · 1")
    await admin.expect("Người nhận: 1")
    await admin.press("Gửi")
    await admin.expect(DONE)
    assert copies(api, reported + late) == {late[0]: 1}


async def test_every_recipient_ends_in_the_right_state_whatever_the_api_answers(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    assert running.app is not None
    worker = quick(worker_of(running))
    people = await add_officers(db, unit_code(running.app.units, "cau giay"), 640_000, 7)
    flood, blocked, gone, flaky, slow, broken, fine = people
    api.faults += [
        Fault(flood, "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1),
        Fault(blocked, "sendMessage", 403, "Forbidden: bot was blocked by the user"),
        Fault(gone, "sendMessage", 400, "Bad Request: chat not found", times=99),
        Fault(flaky, "sendMessage", 502, "Bad Gateway", times=2),
        Fault(slow, "sendMessage", 500, "late", delay=2.5),  # the client gives up after 1 s
        Fault(broken, "sendMessage", 500, "Internal Server Error", times=99),
    ]
    asked: dict[int, list[float]] = {}
    original = api._fault_for

    def timed(method: str, params: dict[str, Any]) -> Fault | None:
        if method == "sendMessage":
            asked.setdefault(params.get("chat_id", 0), []).append(time.monotonic())
        return original(method, params)

    api._fault_for = timed  # type: ignore[method-assign]
    notice_id = await enqueue(db, people)
    worker.wake()
    report = await api.wait_for(lambda e: e.chat_id == ADMIN_ID and DONE in e.text, timeout=20)

    final = await states(db, notice_id)
    assert final == {
        flood: (DeliveryState.SENT, 2),
        blocked: (DeliveryState.UNREACHABLE, 1),
        gone: (DeliveryState.FAILED, 1),  # recorded, not retried
        flaky: (DeliveryState.SENT, 3),
        slow: (DeliveryState.SENT, 2),
        broken: (DeliveryState.FAILED, worker.backoff.max_failures),
        fine: (DeliveryState.SENT, 1),
    }
    assert copies(api, people) == {flood: 1, flaky: 1, slow: 1, fine: 1}
    assert asked[flood][1] - asked[flood][0] >= 0.95  # retry_after obeyed
    assert "không liên lạc được (đã chặn bot hoặc không còn dùng Telegram/Zalo): 1" in report.text
    assert "lỗi, không gửi được: 2" in report.text and "đã nhận: 4" in report.text


async def test_a_scheduled_notice_survives_a_restart_and_goes_at_its_time(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    assert running.app is not None
    quick(worker_of(running))
    officers = await add_officers(db, unit_code(running.app.units, "cau giay"), 650_000, 2)
    admin = admin_of(api)
    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    await admin.send("Hội nghị sơ kết sáng mai")
    await admin.expect("Đính kèm một ảnh")
    await admin.press("Bỏ qua")
    await admin.expect("Gửi cho ai?")
    await admin.press("Tất cả cán bộ đã được duyệt")
    await admin.expect("Người nhận: 2")
    await admin.press("Hẹn giờ gửi")
    await admin.expect("Gửi vào lúc nào?")
    await admin.send("hôm qua")
    await admin.expect("ngày/tháng/năm giờ:phút")
    await admin.send("28/11/2026 08:00")
    await admin.expect("Gửi lúc 28/11/2026 08:00")
    await admin.press("Gửi")
    await admin.expect("sẽ được gửi lúc 28/11/2026 08:00 đến 2 người nhận")

    await running.restart()
    worker = quick(worker_of(running))
    worker.wake()
    async with db() as session:
        notice = await session.scalar(select(Notice))
    assert notice is not None and notice.status is NoticeStatus.SCHEDULED
    assert copies(api, officers) == {}

    running.clock.fixed = NOW.replace(day=28, hour=8, minute=1)
    worker.wake()
    await admin.expect(DONE)
    assert copies(api, officers) == {officer: 1 for officer in officers}


async def test_staff_stop_a_notice_being_sent(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    assert running.app is not None
    worker = quick(worker_of(running), rate=5)
    people = await add_officers(db, unit_code(running.app.units, "cau giay"), 660_000, 40)
    notice_id = await enqueue(db, people)
    worker.wake()
    admin = admin_of(api)
    await admin.expect("Đang gửi thông báo")
    await api.wait_for(lambda e: e.chat_id == people[2] and e.method == "sendMessage")
    await admin.press("Dừng gửi")
    report = await admin.expect("Đã dừng gửi thông báo")

    final = await states(db, notice_id)
    sent = [chat for chat, (state, _) in final.items() if state is DeliveryState.SENT]
    stopped = [chat for chat, (state, _) in final.items() if state is DeliveryState.CANCELLED]
    assert len(sent) + len(stopped) == 40 and 3 <= len(sent) < 40
    assert copies(api, people) == {chat: 1 for chat in sent}
    assert f"không gửi (đã dừng): {len(stopped)}" in report.text


async def test_a_graceful_restart_mid_broadcast_goes_on_where_it_stopped(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    assert running.app is not None
    worker = quick(worker_of(running), rate=15)
    people = await add_officers(db, unit_code(running.app.units, "cau giay"), 670_000, 30)
    notice_id = await enqueue(db, people)
    worker.wake()
    await api.wait_for(lambda e: e.chat_id == people[5] and e.method == "sendMessage")
    await running.restart()
    quick(worker_of(running)).wake()
    await api.wait_for(lambda e: e.chat_id == ADMIN_ID and DONE in e.text, timeout=20)
    final = await states(db, notice_id)
    assert {state for state, _ in final.values()} == {DeliveryState.SENT}
    assert copies(api, people) == {chat: 1 for chat in people}


async def test_two_workers_on_one_database_send_each_row_once(
    api: FakeBotAPI,
    running: RunningBot,
    db: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    assert running.app is not None
    app = running.app
    first = quick(worker_of(running))
    engine = create_engine(database_url)
    second = quick(
        BroadcastWorker(
            create_bot(app.settings, api.token),
            create_sessionmaker(engine),
            app.i18n,
            app.settings,
            app.clock,
            app.units,
        )
    )
    await second.start()
    try:
        api.latency = 0.02
        people = await add_officers(db, unit_code(app.units, "cau giay"), 680_000, 60)
        notice_id = await enqueue(db, people)
        first.wake()
        second.wake()
        await api.wait_for(lambda e: e.chat_id == ADMIN_ID and DONE in e.text, timeout=30)
    finally:
        await second.stop()
        await second.bot.session.close()
        await engine.dispose()
    assert copies(api, people) == {chat: 1 for chat in people}
    async with db() as session:
        workers = set(
            await session.scalars(
                select(Delivery.claimed_by).where(Delivery.notice_id == notice_id)
            )
        )
    assert len(workers) == 2  # both took part
    finished = [e for e in api.sent if e.chat_id == ADMIN_ID and DONE in e.text]
    assert len(finished) == 1  # one final report, not one per worker


async def test_officers_cannot_broadcast(api: FakeBotAPI, running: RunningBot) -> None:
    officer = await registered_officer(api, 690_001)
    await officer.send("/thongbao")
    await officer.expect("chỉ dành cho chuyên viên Sở")


async def test_nothing_is_sent_before_gui(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    assert running.app is not None
    officers = await add_officers(db, unit_code(running.app.units, "cau giay"), 695_000, 2)
    admin = admin_of(api)
    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    await admin.send_sticker()
    await admin.expect("Vui lòng gửi thông báo dưới dạng văn bản, ảnh hoặc tệp")
    await admin.send("Bản nháp")
    await admin.expect("Đính kèm một ảnh")
    await admin.press("Bỏ qua")
    await admin.expect("Gửi cho ai?")
    await admin.press("Chuyên viên Sở")
    await admin.expect("Người nhận: 1")
    await admin.press("Người nhận")  # ✏️ 2. Người nhận, on the review
    await admin.expect("Gửi cho ai?")
    await admin.press("Tất cả cán bộ")
    await admin.expect("Người nhận: 2")
    await admin.press("Hủy")
    await admin.expect("Những gì bạn đã nhập sẽ mất")  # asked first
    await admin.press("Có, hủy")
    await admin.expect("Đã hủy. Chưa có gì được gửi")
    async with db() as session:
        assert await session.scalar(select(Notice)) is None
    assert copies(api, officers) == {}


async def test_the_review_names_the_attachment_step(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    """The review's edit button for the skipped attachment says what it edits."""
    admin = admin_of(api)
    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    await admin.send("Bản nháp")
    await admin.expect("Đính kèm một ảnh")
    await admin.press("Bỏ qua")
    await admin.expect("Gửi cho ai?")
    await admin.press("Chuyên viên Sở")
    review = await admin.expect("Người nhận: 1")
    assert "✏️ 2. 📎 Tệp đính kèm" in review.buttons
    await admin.press("Tệp đính kèm")
    await admin.expect("Đính kèm một ảnh")


async def test_enqueue_once_per_key_and_only_aware_times(
    running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    """The engine's API for other features (event announcements, report reminders)."""
    assert running.app is not None
    officers = await add_officers(db, unit_code(running.app.units, "cau giay"), 696_000, 2)
    later = NOW + timedelta(days=3)
    async with db() as session:
        first = await enqueue_notice(
            session,
            created_by=0,
            text="Nhắc báo cáo",
            recipients=[*officers, officers[0]],  # a recipient twice gets it once
            send_at=later,
            key="reminder:2026-11",
        )
        again = await enqueue_notice(
            session, created_by=0, text="x", recipients=officers, key="reminder:2026-11"
        )
        await session.commit()
        assert again.id == first.id and first.total == 2
        with pytest.raises(ValueError, match="aware"):
            await enqueue_notice(
                session,
                created_by=0,
                text="x",
                recipients=officers,
                send_at=later.replace(tzinfo=None),
            )
    assert len(await states(db, first.id)) == 2


async def test_choosing_units_by_an_old_district_or_with_a_typo(
    api: FakeBotAPI, running: RunningBot, db: async_sessionmaker[AsyncSession]
) -> None:
    assert running.app is not None
    quick(worker_of(running))
    kim_lien = await add_officers(db, unit_code(running.app.units, "kim lien"), 640_000, 1)
    admin = admin_of(api)
    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    await admin.send("Họp giao ban")
    await admin.expect("Đính kèm một ảnh")
    await admin.press("Bỏ qua")
    await admin.expect("Gửi cho ai?")
    await admin.press("Chọn đơn vị")
    await admin.expect("Gõ một phần tên đơn vị")
    await admin.send("Quận Đống Đa")
    formed = await admin.expect("không còn cấp huyện")
    assert {"▫️ Phường Kim Liên · 1", "▫️ Phường Láng · 0"} <= set(formed.buttons)
    await admin.press("Phường Kim Liên · 1")
    await admin.expect("")
    await admin.send("Cau Giai")
    nearest = await admin.expect("gần giống")
    assert "▫️ Phường Cầu Giấy · 0" in nearest.buttons
    await admin.press("Xong (1)")
    await admin.expect("Người nhận: 1")
    await admin.press("Gửi")
    await admin.expect(DONE)
    assert copies(api, kim_lien) == {kim_lien[0]: 1}

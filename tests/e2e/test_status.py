"""Status by chat command end to end: /thongke against a hand-computed data set, /chuabaocao
and its reminder, /trangthai for officers, deadlines, and who may see what."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI, FakeUser, Sent
from bot.status.reminders import DeadlineReminders
from storage.models import DeadlineReminder, ReportDeadline, StaffReminder
from tests.harness import ADMIN_ID, RunningBot
from tests.status_data import OFFICER_A, OFFICER_B, A, B, C, D, seed, seed_events

Db = async_sessionmaker[AsyncSession]


async def expect_button(api: FakeBotAPI, user: FakeUser, label: str) -> Sent:
    """The next message to `user` that carries a button labelled `label`."""
    return await api.wait_for(lambda e: e.chat_id == user.id and any(label in b for b in e.buttons))


@pytest.fixture
def broadcast_engine() -> Iterator[list[dict[str, Any]]]:
    """A stand-in for issue 5's `enqueue_notice`, recording what would be queued."""
    queued: list[dict[str, Any]] = []

    async def enqueue_notice(session: AsyncSession, **notice: Any) -> None:
        queued.append(notice)

    module = types.ModuleType("bot.broadcast")
    module.enqueue_notice = enqueue_notice  # type: ignore[attr-defined]
    saved = sys.modules.get("bot.broadcast")
    sys.modules["bot.broadcast"] = module
    yield queued
    if saved is None:
        del sys.modules["bot.broadcast"]
    else:
        sys.modules["bot.broadcast"] = saved


@pytest.fixture
def no_broadcast_engine() -> Iterator[None]:
    """As in a version without issue 5: importing the engine fails."""
    saved = sys.modules.get("bot.broadcast")
    sys.modules["bot.broadcast"] = None  # type: ignore[assignment]
    yield
    if saved is None:
        del sys.modules["bot.broadcast"]
    else:
        sys.modules["bot.broadcast"] = saved


async def test_statistics_of_a_month_match_the_hand_count(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/thongke 11/2026")
    sent = await staff.expect("Thống kê — tháng 11/2026")
    assert sent.method == "sendPhoto"  # the chart, with the figures as its caption
    for line in (
        "Đơn vị đã báo cáo: <b>2/126</b> (1,6%)",
        "đã tiếp nhận 1 · cần bổ sung 1",
        "• An toàn thực phẩm: 2",
        "• Sáng kiến, sáng tạo: 1",
        # C's finding dated 31/10 and sent on 01/11 is October's (issue 14.4).
        "Kiểm tra: <b>3</b>, có vi phạm: <b>2</b>, tiền phạt: <b>2.000.000 đ</b>",
    ):
        assert line in sent.text, (line, sent.text)
    png = api.files[f"files/{sent.message['photo'][0]['file_id']}"]  # type: ignore[index]
    assert png.startswith(b"\x89PNG")


async def test_statistics_count_the_sign_ups_of_events_starting_in_the_period(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/thongke 11/2026")
    before = await staff.expect("Thống kê — tháng 11/2026")
    assert "Sự kiện diễn ra trong kỳ: <b>0</b>" in before.text
    await seed_events(db)
    await staff.send("/thongke 11/2026")
    sent = await staff.expect("Thống kê — tháng 11/2026")
    # The course of 30/11 (A has a seat, B waits; C cancelled); the cancelled conference and
    # December's workshop are not counted.
    line = (
        "Sự kiện diễn ra trong kỳ: <b>1</b>; đăng ký: <b>1</b> đã được giữ chỗ, <b>1</b> đang chờ"
    )
    assert line in sent.text, sent.text


async def test_officer_status_lists_their_upcoming_events(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    await seed(db)
    await seed_events(db)
    officer_a = api.user(OFFICER_A, "An", "Nguyễn")
    await officer_a.send("/trangthai")
    status = await officer_a.expect(A.name)
    assert "<b>Sự kiện sắp tới của bạn</b>" in status.text
    lines = status.text.split("\n")
    course = next(line for line in lines if "Lớp tập huấn sở hữu trí tuệ" in line)
    assert "30/11/2026" in course and "08:00" in course, course
    assert course.endswith("✅ đã đăng ký, đã được giữ chỗ"), course
    workshop = next(line for line in lines if "Hội thảo chuyển đổi số" in line)
    assert "📨 được mời — đăng ký trước 01/12/2026 17:00 tại /lophoc" in workshop, workshop
    assert lines.index(course) < lines.index(workshop)  # soonest first
    assert "Hội nghị sơ kết" not in status.text  # cancelled

    officer_b = api.user(OFFICER_B, "Bình", "Trần")
    await officer_b.send("/trangthai")
    status_b = await officer_b.expect(B.name)
    assert "⏳ danh sách chờ, thứ 1" in status_b.text


async def test_statistics_of_a_quarter_and_a_year(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    for typed in ("quy 4/2026", "Q4 2026", "Quý IV/2026", "2026-Q4"):
        await staff.send(f"/thongke {typed}")
        sent = await staff.expect("Thống kê — quý IV/2026")
        assert "Đơn vị báo cáo đủ các tháng: <b>1/126</b> (0,8%)" in sent.text
        assert "Báo cáo đã nhận: <b>4/252</b> (2 tháng)" in sent.text
        assert "• An toàn thực phẩm: 3" in sent.text and "• Môi trường: 1" in sent.text
        assert "Kiểm tra: <b>5</b>, có vi phạm: <b>3</b>" in sent.text
    await staff.send("/thongke 2026")
    year = await staff.expect("Thống kê — năm 2026")
    assert "Báo cáo đã nhận: <b>4/1.386</b> (11 tháng)" in year.text


async def test_bad_periods_are_explained(api: FakeBotAPI, running: RunningBot) -> None:
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    for typed, explained in (
        ("tháng 13/2026", "Không có tháng 13"),
        ("quy 5/2026", "Không có quý 5"),
        ("12/2026", "Tháng 12/2026 chưa bắt đầu"),
        ("hôm qua <b>", "Không hiểu kỳ “hôm qua &lt;b&gt;”"),
        ("1990", "1990"),
    ):
        await staff.send(f"/thongke {typed}")
        answer = await staff.expect(explained)
        assert answer.method == "sendMessage", typed


async def test_not_reported_lists_units_and_officers_and_reminds(
    api: FakeBotAPI, running: RunningBot, db: Db, broadcast_engine: list[dict[str, Any]]
) -> None:
    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    start = len(api.sent)
    await staff.send("/chuabaocao")  # 27/11: November's deadline (05/12 as usual) is nearest
    last = await expect_button(api, staff, "Nhắc nhở")  # on the last part of the list
    text = "\n".join(e.text for e in staff.since(start) if e.method == "sendMessage")
    assert text.startswith("🗓 Kỳ tháng 11/2026 (chưa đặt hạn nộp báo cáo)")
    assert "Chưa báo cáo — tháng 11/2026</b>: 124/126 đơn vị" in text
    assert f"<b>{C.name}</b> — Lê Văn Cường" in text
    # The 123 units with nobody registered are summed up, not listed: one message in all.
    assert "👤 <i>Chưa có cán bộ đăng ký</i>: 123 đơn vị — " in text
    assert "và 118 đơn vị khác. Danh sách đầy đủ: /xuat 11/2026" in text
    assert f"<b>{D.name}</b>" not in text
    assert f"<b>{A.name}</b>" not in text and f"<b>{B.name}</b>" not in text
    assert len([e for e in staff.since(start) if e.method == "sendMessage"]) == 1
    assert "⏰ Hạn nộp báo cáo" in last.buttons

    await staff.press("Nhắc nhở")
    # First what would be sent, to whom; nothing is queued before the confirmation.
    preview = await staff.expect("Nhắc <b>1</b> đơn vị (<b>1</b> cán bộ) chưa gửi báo cáo tháng")
    assert "chưa gửi báo cáo hoạt động tháng 11/2026" in preview.text
    assert preview.buttons == ["✅ Gửi nhắc nhở", "✖️ Hủy"]
    assert broadcast_engine == []
    await staff.press("Gửi nhắc nhở")
    await staff.expect("🔔 Đã gửi nhắc nhở tới 1 cán bộ của 1 đơn vị.")
    [notice] = broadcast_engine
    assert notice["recipients"] == [3003] and notice["created_by"] == ADMIN_ID
    assert "tháng 11/2026" in notice["text"] and "/baocao" in notice["text"]
    # A second tap sends nothing more, and says who sent it and when.
    assert last.message is not None
    await staff.press_data(last.message, "remind:2026-11")
    await staff.expect("đã được gửi lúc 27/11/2026 10:00, do Admin Sở gửi")
    assert preview.message is not None
    await staff.press_data(preview.message, "remindgo:2026-11")
    await staff.expect("đã được gửi lúc 27/11/2026 10:00")
    assert len(broadcast_engine) == 1


async def test_not_reported_in_a_quarter_names_the_missing_months(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    start = len(api.sent)
    await staff.send("/chuabaocao Q4 2026")
    await expect_button(api, staff, "Nhắc nhở")
    text = "\n".join(e.text for e in staff.since(start))
    assert "125/126 đơn vị" in text
    assert f"<b>{B.name}</b> (thiếu 10/2026)" in text
    assert f"<b>{C.name}</b> (thiếu 11/2026)" in text
    assert f"<b>{A.name}</b>" not in text


async def test_reminder_without_the_broadcast_engine_says_so(
    api: FakeBotAPI, running: RunningBot, db: Db, no_broadcast_engine: None
) -> None:
    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/chuabaocao 11/2026")
    await expect_button(api, staff, "Nhắc nhở")
    await staff.press("Nhắc nhở")
    await staff.expect("chưa gửi được nhắc nhở")
    async with db() as session:
        assert (await session.scalars(select(StaffReminder))).all() == []


async def test_officer_sees_only_their_unit_and_no_staff_commands(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    seeded = await seed(db)
    officer_a = api.user(OFFICER_A, "An", "Nguyễn")
    await officer_a.send("/trangthai")
    status = await officer_a.expect(A.name)
    assert f"Báo cáo hoạt động tháng 11/2026</b>: ✅ #{seeded.report_a_nov}" in status.text
    assert "đã tiếp nhận" in status.text
    assert "tháng 10/2026" not in status.text  # sent and accepted: nothing to do about it
    assert "Kết quả kiểm tra tháng 11/2026: <b>2</b> (1 có vi phạm)" in status.text
    assert status.buttons == []

    officer_b = api.user(OFFICER_B, "Bình", "Trần")
    await officer_b.send("/trangthai")
    status_b = await officer_b.expect(B.name)
    assert "Báo cáo hoạt động tháng 10/2026</b>: ❗ chưa gửi" in status_b.text
    assert "Bổ sung số người tham gia" in status_b.text
    assert A.name not in status_b.text
    assert status_b.buttons == [
        "📝 Gửi báo cáo (tháng 10/2026)",
        f"✏️ Sửa {f'#{seeded.report_b_nov}'}",
    ]
    # The buttons act: the report form opens; another unit's submission stays hidden.
    await officer_b.press("Gửi báo cáo")
    await officer_b.expect("<b>Lĩnh vực</b>")  # the month on the button is already answered
    assert status_b.message is not None
    await officer_b.press_data(status_b.message, f"reopen:{seeded.report_a_nov}")
    await officer_b.expect("Không tìm thấy")

    for command in ("/thongke", "/chuabaocao 11/2026", "/xuat", "/hanbaocao"):
        await officer_a.send(command)
        await officer_a.expect("chỉ dành cho chuyên viên Sở")
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/trangthai")
    await staff.expect("dành cho cán bộ của các xã, phường")


async def test_deadline_is_set_and_reminds_each_unit_once_across_restarts(
    api: FakeBotAPI, running: RunningBot, db: Db, broadcast_engine: list[dict[str, Any]]
) -> None:
    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/hanbaocao 11/2026")
    await staff.expect("Hạn nộp báo cáo hoạt động tháng 11/2026")
    await staff.send("31/02/2026")
    await staff.expect("không phải là ngày có thật")
    await staff.send("20/11/2026")
    await staff.expect("không được là ngày đã qua")
    await staff.send("29/11/2026")
    await staff.expect("Nhắc trước hạn 29/11/2026 bao nhiêu ngày")
    await staff.press("3")
    await staff.expect("Hạn nộp báo cáo tháng 11/2026: 29/11/2026")
    async with db() as session:
        [deadline] = (await session.scalars(select(ReportDeadline))).all()
    assert (deadline.period, deadline.remind_days_before) == ("2026-11", 3)

    assert running.app is not None
    worker: DeadlineReminders = running.app.dispatcher["deadline_reminders"]
    done = await worker.run_once()
    # C is the only unit with an officer and no November report.
    assert (done.units, done.recipients) == (1, 1)
    assert broadcast_engine[0]["recipients"] == [3003]
    assert "29/11/2026" in broadcast_engine[0]["text"]
    assert (await worker.run_once()).units == 0

    app = await running.restart()
    again: DeadlineReminders = app.dispatcher["deadline_reminders"]
    assert (await again.run_once()).units == 0
    assert len(broadcast_engine) == 1
    async with db() as session:
        reminded = (await session.scalars(select(DeadlineReminder.unit_code))).all()
    assert reminded == [C.code]


async def test_export_is_sent_as_a_workbook(api: FakeBotAPI, running: RunningBot, db: Db) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/xuat 11/2026")
    await staff.expect("Đang chuẩn bị")
    sent = await staff.expect("Tháng 11/2026: 5 hồ sơ")
    assert sent.method == "sendDocument" and sent.message is not None
    assert sent.message["document"]["file_name"] == "khcn-2026-11.xlsx"
    workbook = load_workbook(BytesIO(api.files[f"files/{sent.message['document']['file_id']}"]))
    assert workbook.sheetnames == [
        "Tổng hợp",
        "Báo cáo hoạt động KH&CN",
        "Kết quả thanh tra, kiểm tra",
        "Đăng ký sự kiện",
    ]
    assert workbook["Báo cáo hoạt động KH&CN"].max_row == 3
    assert workbook["Kết quả thanh tra, kiểm tra"].max_row == 4


async def test_reminder_reaches_the_officer_through_the_broadcast_engine(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """With issue 5's engine itself: Nhắc nhở queues a notice its worker delivers."""
    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/chuabaocao 11/2026")
    await expect_button(api, staff, "Nhắc nhở")
    await staff.press("Nhắc nhở")
    await expect_button(api, staff, "Gửi nhắc nhở")
    await staff.press("Gửi nhắc nhở")
    await staff.expect("Đã gửi nhắc nhở tới 1 cán bộ của 1 đơn vị")
    officer_c = api.user(3003, "Cường", "Lê")
    reminder = await officer_c.expect("đơn vị của bạn chưa gửi báo cáo hoạt động tháng 11/2026")
    assert "/baocao" in reminder.text

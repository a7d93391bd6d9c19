"""Training courses and conferences end to end: create with wrong inputs → announce → sign up →
waiting list → cancel → move up → reminders (a moved clock, a restart, two processes) →
participants in chat and in Excel; staff edits and cancellations; refused and forged presses."""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.emulator import FakeBotAPI, FakeUser, Sent
from bot.events.reminders import EventReminders
from storage.database import create_engine, create_sessionmaker
from storage.models import EventReminder, EventSignup, Notice
from tests.e2e.event_flows import (
    BA_DINH,
    CAU_GIAY,
    HOAN_KIEM,
    Db,
    button_data,
    create_event,
    edited,
    everything,
    latest_event,
    quick,
    seed_officers,
    signups,
)
from tests.e2e.flows import registered_officer
from tests.harness import ADMIN_ID, NOW, TZ, RunningBot

TITLE = "Lớp bồi dưỡng sở hữu trí tuệ"
START = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)


def sent_to(api: FakeBotAPI, chat_id: int, contains: str) -> list[Sent]:
    return [
        e
        for e in api.sent
        if e.chat_id == chat_id and e.method == "sendMessage" and contains in e.text
    ]


async def excel_of(api: FakeBotAPI, staff: FakeUser) -> object:
    """The workbook of the newest document sent to `staff`, as openpyxl reads it."""
    document = await api.wait_for(lambda e: e.chat_id == staff.id and e.method == "sendDocument")
    assert document.message is not None
    file_id = document.message["document"]["file_id"]
    assert document.message["document"]["file_name"].endswith(".xlsx")
    return load_workbook(io.BytesIO(api.files[f"files/{file_id}"]))


async def test_course_from_announcement_to_reminders_and_excel(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(running)
    lan = await registered_officer(api, 2101)  # Phường Cầu Giấy, through /dangky
    binh, cuong = await seed_officers(
        db, [(2102, "Trần Văn Bình", BA_DINH), (2103, "Lê Thị Cúc", HOAN_KIEM)], api
    )
    staff = api.user(ADMIN_ID, "Admin", "Sở")

    # --- staff create the course; every wrong input is explained and asked again ---
    await staff.send("/sukien")
    await staff.expect("Chưa có sự kiện nào")
    await staff.press("Tạo sự kiện mới")
    await staff.expect("Đây là loại sự kiện nào")
    await staff.send("lớp học")
    await staff.expect("bấm một trong các nút")
    await staff.press("Lớp bồi dưỡng chuyên môn")
    await staff.expect("Tên sự kiện")
    await staff.send(TITLE)
    asked_start = await staff.expect("Khi nào bắt đầu")
    await staff.send("26/11/2026 08:00")
    await staff.expect("26/11/2026 08:00 đã qua")
    await staff.send("30/11/2026")
    await staff.expect("cả ngày và giờ bắt đầu")
    await staff.send("30/11/2026 8h")
    await staff.expect("Khi nào kết thúc")
    await staff.send("07:00")
    await staff.expect("phải sau thời gian bắt đầu (30/11/2026 08:00)")
    await staff.send_sticker()
    await staff.expect("Vui lòng nhập giờ kết thúc bằng chữ")
    await staff.press("Quay lại")
    await staff.expect("Khi nào bắt đầu")
    await staff.send("30/11/2026 08:00")
    await staff.expect("Khi nào kết thúc")
    await staff.send("11:30")
    await staff.expect("Ở đâu")
    await staff.send("Hội trường Sở KH&CN, tầng 3")
    await staff.expect("Lớp có bao nhiêu chỗ")
    # A button of a question answered earlier changes nothing.
    assert asked_start.message is not None
    back = button_data(asked_start.params["reply_markup"], "Quay lại")
    await staff.press_data(asked_start.message, back)
    await staff.expect("đã được trả lời")
    await staff.send("0")
    await staff.expect("Số chỗ phải từ 1 trở lên")
    await staff.send("-3")
    await staff.expect("Số chỗ phải từ 1 trở lên")
    await staff.send("2")
    asked = await staff.expect("Hạn đăng ký?")
    assert "Ngày hôm trước, 29/11/2026 17:00" in asked.buttons
    await staff.send("30/11/2026")
    await staff.expect("Hạn đăng ký (30/11/2026 17:00) không được sau thời gian bắt đầu")
    await staff.send("25/11/2026")
    await staff.expect("đã qua")
    await staff.press("Ngày hôm trước")
    await staff.expect("Mời những ai")
    await staff.press("Tất cả cán bộ")
    await staff.expect("Mô tả ngắn")
    await staff.send("Mang theo máy tính xách tay.")
    review = await staff.expect("Vui lòng kiểm tra sự kiện")
    for shown in (
        "Lớp bồi dưỡng chuyên môn",
        "08:00–11:30, Thứ Hai, 30/11/2026",
        "Số chỗ: 2",
        "Hạn đăng ký: 29/11/2026 17:00",
        "Đối tượng mời: tất cả cán bộ",
    ):
        assert shown in review.text, shown
    await staff.press("Công bố")
    await staff.expect("Thông báo đang được gửi tới 3 cán bộ")
    event = await latest_event(db)
    assert (event.seats, event.signup_deadline) == (2, datetime(2026, 11, 29, 17, 0, tzinfo=TZ))

    # --- the announcement reaches every officer through the broadcast engine ---
    for officer in (lan, binh, cuong):
        notice = await officer.expect("Sở trân trọng kính mời")
        assert TITLE in notice.text and notice.buttons == ["📝 Đăng ký"]
    async with db() as session:
        notice_row = await session.scalar(select(Notice).where(Notice.origin == "event"))
    assert notice_row is not None and notice_row.total == 3

    # --- sign up: two seats, then the waiting list ---
    await lan.press("Đăng ký")
    await lan.expect(f"Bạn đã đăng ký thành công <b>{TITLE}</b>, chỗ của bạn đã được giữ")
    await binh.press("Đăng ký")
    await binh.expect("chỗ của bạn đã được giữ")
    await cuong.press("Đăng ký")
    await cuong.expect("Bạn ở vị trí <b>1</b> trong danh sách chờ")
    await lan.press("Đăng ký")  # a second press on the notice changes nothing
    await lan.expect("Bạn đã đăng ký rồi, chỗ của bạn đã được giữ")
    await cuong.send("/lophoc")
    card = await cuong.expect(TITLE)
    assert "Đã đủ (2 chỗ) · 1 người trong danh sách chờ" in card.text
    assert "Bạn ở vị trí <b>1</b>" in card.text and card.buttons == ["❌ Rời danh sách chờ"]

    # --- a seat frees: the first one waiting moves up and is told at once ---
    await lan.press("Hủy đăng ký")
    await lan.expect("Chỗ của bạn sẽ chuyển cho người đầu tiên")
    await lan.press("Không, giữ lại")
    await lan.expect("Đăng ký của bạn được giữ nguyên")
    await lan.press("Hủy đăng ký")
    await edited(lan)
    await lan.press("Có, hủy")
    await lan.expect("Đã hủy đăng ký")
    moved = await cuong.expect("Có chỗ trống")
    assert moved.buttons == ["❌ Hủy đăng ký"]
    # Lan signs up again: her row is reused, at the end of the line.
    await lan.press("Đăng ký")
    await lan.expect("Bạn ở vị trí <b>1</b> trong danh sách chờ")
    rows = await signups(db, event.id)
    assert [(user, status) for user, status, _seq in rows] == [
        (2102, "confirmed"),
        (2103, "confirmed"),
        (2101, "waiting"),
    ]

    # --- reminders: a day, then an hour before; once each, across a restart ---
    reminders = running.app.dispatcher["event_reminders"]  # type: ignore[union-attr]
    running.clock.fixed = START - timedelta(days=1)
    await reminders.run_once()
    for officer in (binh, cuong):
        reminder = await officer.expect("Nhắc lịch")
        assert "bạn đã đăng ký tham gia" in reminder.text and "Thứ Hai, 30/11/2026" in reminder.text
    assert await reminders.run_once() == 0
    await running.restart()
    quick(running)
    reminders = running.app.dispatcher["event_reminders"]  # type: ignore[union-attr]
    assert await reminders.run_once() == 0
    running.clock.fixed = START - timedelta(minutes=59)
    await reminders.run_once()
    for officer in (binh, cuong):
        await officer.expect("sắp bắt đầu, lúc 08:00")
    assert await reminders.run_once() == 0
    for officer in (binh, cuong):
        assert len(sent_to(api, officer.id, "Nhắc lịch")) == 2
    assert sent_to(api, lan.id, "Nhắc lịch") == []  # waiting, not reminded
    running.clock.fixed = NOW

    # --- the participants, in chat and in Excel ---
    staff.cursor = len(api.sent)
    await staff.send("/sukien")
    await staff.expect("Lớp bồi dưỡng, hội nghị, hội thảo")
    await staff.press(TITLE[:20])
    card = await staff.expect(f"#{event.id}")
    assert "Đã xác nhận 2/2 · Danh sách chờ 1" in card.text
    await staff.press("Danh sách")
    listing = await staff.expect("Danh sách tham gia")
    text = listing.text
    assert (
        text.index("Phường Ba Đình")
        < text.index("Phường Cầu Giấy")
        < text.index("Phường Hoàn Kiếm")
    )
    assert "Nguyễn Thị Lan" in text and "(Danh sách chờ #1)" in text
    await staff.press("Excel")
    workbook = await excel_of(api, staff)
    sheet = workbook["Danh sách tham gia"]  # type: ignore[index]
    header = [c.value for c in sheet[1]]
    assert header == [
        "STT",
        "Đơn vị",
        "Họ tên",
        "Chức vụ",
        "Số điện thoại",
        "Trạng thái",
        "Vị trí chờ",
        "Thời điểm đăng ký",
    ]
    rows_seen = [[c.value for c in row][:7] for row in sheet.iter_rows(min_row=2)]
    assert rows_seen == [
        [
            1,
            "Phường Ba Đình",
            "Trần Văn Bình",
            "Công chức Văn hóa - Xã hội",
            "0910 002 102",
            "Đã xác nhận",
            None,
        ],
        [
            2,
            "Phường Cầu Giấy",
            "Nguyễn Thị Lan",
            "Công chức Văn hóa - Xã hội",
            "0912 345 678",
            "Danh sách chờ",
            1,
        ],
        [
            3,
            "Phường Hoàn Kiếm",
            "Lê Thị Cúc",
            "Công chức Văn hóa - Xã hội",
            "0910 002 103",
            "Đã xác nhận",
            None,
        ],
    ]
    signed_at = sheet.cell(row=2, column=8)
    assert isinstance(signed_at.value, datetime) and signed_at.number_format == "dd/mm/yyyy hh:mm"
    assert sheet.max_row == 4


async def test_reminders_are_sent_once_by_two_processes(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(running)
    [binh] = await seed_officers(db, [(2202, "Trần Văn Bình", BA_DINH)], api)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Hội thảo chuyển đổi số", kind="Hội thảo", seats=None)
    event = await latest_event(db)
    await binh.expect("Sở trân trọng kính mời")
    await binh.press("Đăng ký")
    await binh.expect("chỗ của bạn đã được giữ")
    # A second bot process on the same database (its own engine and connections), checking
    # at the same moment as this one, twice.
    assert running.app is not None
    engine = create_engine(running.settings.database_url)
    other = EventReminders(create_sessionmaker(engine), running.clock, running.app.i18n, "vi")
    try:
        running.clock.fixed = START - timedelta(hours=23)
        first = running.app.dispatcher["event_reminders"]
        claimed = await asyncio.gather(first.run_once(), other.run_once(), first.run_once())
        assert sum(claimed) == 1
    finally:
        await engine.dispose()
        running.clock.fixed = NOW
    await binh.expect("Nhắc lịch")
    async with db() as session:
        queued = await session.scalar(
            select(func.count()).select_from(Notice).where(Notice.key.like("event-reminder:%"))
        )
        reminder = await session.get(EventReminder, (event.id, "day"))
    assert queued == 1 and reminder is not None and reminder.recipients == 1
    assert len(sent_to(api, binh.id, "Nhắc lịch")) == 1


async def test_refused_and_forged_presses_change_nothing(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(running)
    lan, binh, dung = await seed_officers(
        db,
        [
            (2301, "Nguyễn Thị Lan", CAU_GIAY),
            (2302, "Trần Văn Bình", BA_DINH),
            (2304, "Phạm Văn Dũng", CAU_GIAY),
        ],
        api,
    )
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    # Roles: officers can't create events, staff have no /lophoc.
    await lan.send("/sukien")
    await lan.expect("chỉ dành cho chuyên viên Sở")
    await staff.send("/lophoc")
    await staff.expect("dành cho cán bộ của các xã, phường")

    await create_event(staff, title="Lớp đo lường", units=[("cau giay", "Phường Cầu Giấy")])
    course = await latest_event(db)
    notice = await lan.expect("Sở trân trọng kính mời")
    assert notice.message is not None
    join = button_data(notice.params["reply_markup"], "Đăng ký")
    await lan.press("Đăng ký")
    confirmation = await lan.expect("chỗ của bạn đã được giữ")
    assert confirmation.message is not None
    lans_cancel = button_data(confirmation.params["reply_markup"], "Hủy đăng ký")
    await binh.send("/lophoc")
    nothing = await binh.expect("Hiện chưa có lớp bồi dưỡng")
    assert nothing.message is not None
    before = await everything(db)

    # Not invited: Ba Đình was not among the units.
    await binh.press_data(nothing.message, join)
    await binh.expect("chỉ dành cho các đơn vị được mời")
    # An event that does not exist.
    await binh.press_data(nothing.message, "ev:join:999999")
    await binh.expect("Sự kiện này không còn tồn tại")
    # Someone else's registration, asked to cancel and cancelled outright.
    await binh.press_data(nothing.message, lans_cancel)
    await binh.expect("Đăng ký này không phải của bạn")
    await binh.press_data(nothing.message, lans_cancel.replace("su:leave:", "su:drop:"))
    await binh.expect("Đăng ký này không phải của bạn")
    # Garbage.
    await binh.press_data(nothing.message, "ev:join:abc")
    await binh.expect("Lựa chọn này không còn hiệu lực")
    assert await everything(db) == before

    # Closed early by staff.
    await staff.press("Đóng đăng ký")
    await edited(staff)
    await staff.press("Có, đóng đăng ký")
    await staff.expect("Đã đóng đăng ký")
    before = await everything(db)
    await dung.expect("Sở trân trọng kính mời")
    await dung.press("Đăng ký")
    await dung.expect("Sở đã đóng đăng ký sự kiện này")
    assert await everything(db) == before

    # After the deadline.
    await create_event(staff, title="Lớp an toàn bức xạ", deadline="28/11/2026 17:00")
    late = await latest_event(db)
    await dung.expect("Lớp an toàn bức xạ")
    running.clock.fixed = datetime(2026, 11, 28, 17, 1, tzinfo=TZ)
    await dung.press("Đăng ký")
    await dung.expect("Đã hết hạn đăng ký (28/11/2026 17:00)")
    running.clock.fixed = NOW
    # Cancelled.
    await staff.press("Hủy sự kiện")
    await edited(staff)
    await staff.press("Có, hủy")
    await staff.expect("Đã hủy sự kiện")
    await dung.press("Đăng ký")
    await dung.expect("Sự kiện này đã bị hủy")
    assert await signups(db, late.id) == []
    assert [user for user, *_ in await signups(db, course.id)] == [2301]


async def test_staff_edits_and_cancels_and_the_registered_are_told(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(running)
    lan, binh = await seed_officers(
        db, [(2401, "Nguyễn Thị Lan", CAU_GIAY), (2402, "Trần Văn Bình", BA_DINH)], api
    )
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Lớp tiêu chuẩn chất lượng", seats="1")
    event = await latest_event(db)
    await lan.expect("Sở trân trọng kính mời")
    await lan.press("Đăng ký")
    await lan.expect("chỗ của bạn đã được giữ")
    await binh.expect("Sở trân trọng kính mời")
    await binh.press("Đăng ký")
    await binh.expect("vị trí <b>1</b> trong danh sách chờ")

    async def edit(field: str, value: str, expect: str) -> Sent:
        await staff.press("Sửa")
        await edited(staff)
        await staff.press(field)
        await staff.expect("hiện tại")
        await staff.send(value)
        return await staff.expect(expect)

    await edit("Số chỗ", "2", "Đã lưu")
    await binh.expect("Có chỗ trống")  # moved up by the added seat, at once
    refused = await edit("Số chỗ", "1", "Đã có 2 người được giữ chỗ")
    assert "không thể ít hơn" in refused.text
    await edit("Địa điểm", "Phòng 301, Sở KH&CN", "Đang báo cho 2 người")
    for officer in (lan, binh):
        changed = await officer.expect("<b>Có thay đổi</b>")
        assert "Địa điểm: <s>Hội trường Sở KH&amp;CN</s> → <b>Phòng 301, Sở KH&amp;CN</b>" in (
            changed.text
        )
    # A new start moves the end with it; the reminders follow the new time.
    await edit("Bắt đầu", "02/12/2026 14:00", "Đã lưu")
    for officer in (lan, binh):
        changed = await officer.expect("<b>Có thay đổi</b>")
        assert "14:00–17:30, Thứ Tư, 02/12/2026" in changed.text
    async with db() as session:
        due = dict(
            (r.kind, r.due_at)
            for r in await session.scalars(
                select(EventReminder).where(EventReminder.event_id == event.id)
            )
        )
    start = datetime(2026, 12, 2, 14, 0, tzinfo=TZ)
    assert due == {"day": start - timedelta(days=1), "hour": start - timedelta(hours=1)}

    await staff.press("Hủy sự kiện")
    confirm = await edited(staff)
    assert "🗑 Có, hủy và báo cho 2 người" in confirm.buttons
    await staff.press("Có, hủy")
    await staff.expect("Đã hủy sự kiện")
    for officer in (lan, binh):
        await officer.expect("Sở đã hủy sự kiện này")
    await lan.send("/lophoc")
    await lan.expect("Hiện chưa có lớp bồi dưỡng")


async def test_conference_answers_by_unit(api: FakeBotAPI, running: RunningBot, db: Db) -> None:
    quick(running)
    lan, binh, _cuc = await seed_officers(
        db,
        [
            (2501, "Nguyễn Thị Lan", CAU_GIAY),
            (2502, "Trần Văn Bình", BA_DINH),
            (2503, "Lê Thị Cúc", HOAN_KIEM),
        ],
        api,
    )
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(
        staff,
        title="Hội nghị tổng kết KH&CN 2026",
        kind="Hội nghị",
        seats=None,
        units=[
            ("cau giay", "Phường Cầu Giấy"),
            ("ba dinh", "Phường Ba Đình"),
            ("hoan kiem", "Phường Hoàn Kiếm"),
        ],
    )
    event = await latest_event(db)
    notice = await lan.expect("Sở trân trọng kính mời")
    assert notice.buttons == ["✅ Tham dự", "🚫 Vắng mặt"]
    await lan.press("Tham dự")
    await lan.expect("Người tham dự: Nguyễn Thị Lan")
    await lan.press("Đổi người tham dự")
    await lan.expect("Ai của đơn vị bạn tham dự")
    await lan.send_sticker()
    await lan.expect("Vui lòng nhập họ tên bằng chữ")
    await lan.send("Nguyễn Văn An, Trần Thị Hoa")
    await lan.expect("Người tham dự: Nguyễn Văn An, Trần Thị Hoa")
    await binh.expect("Sở trân trọng kính mời")
    await binh.press("Vắng mặt")
    await binh.expect("đơn vị bạn không tham dự")
    assert Counter(status for _u, status, _s in await signups(db, event.id)) == {
        "confirmed": 1,
        "absent": 1,
    }

    await staff.press("Danh sách")
    listing = await staff.expect("Danh sách tham gia")
    assert "Tham dự 1 · Vắng mặt 1 · Chưa trả lời 1" in listing.text
    assert "người tham dự: Nguyễn Văn An, Trần Thị Hoa" in listing.text
    assert listing.text.index("<b>Chưa trả lời</b> (1)") < listing.text.index("Phường Hoàn Kiếm")
    await staff.press("Excel")
    workbook = await excel_of(api, staff)
    answers = workbook["Danh sách tham gia"]  # type: ignore[index]
    assert [c.value for c in answers[1]][5:8] == ["Trạng thái", "Vị trí chờ", "Người tham dự"]
    assert [[c.value for c in row][:8] for row in answers.iter_rows(min_row=2)] == [
        [
            1,
            "Phường Ba Đình",
            "Trần Văn Bình",
            "Công chức Văn hóa - Xã hội",
            "0910 002 502",
            "Vắng mặt",
            None,
            None,
        ],
        [
            2,
            "Phường Cầu Giấy",
            "Nguyễn Thị Lan",
            "Công chức Văn hóa - Xã hội",
            "0910 002 501",
            "Tham dự",
            None,
            "Nguyễn Văn An, Trần Thị Hoa",
        ],
    ]
    missing = workbook["Chưa trả lời"]  # type: ignore[index]
    assert [[c.value for c in row] for row in missing.iter_rows()] == [
        ["STT", "Đơn vị"],
        [1, "Phường Hoàn Kiếm"],
    ]
    # Changing the unit's answer changes the one row, it does not add one.
    await binh.press("Tham dự")
    await binh.expect("Người tham dự: Trần Văn Bình")
    async with db() as session:
        rows = await session.scalar(
            select(func.count()).select_from(EventSignup).where(EventSignup.event_id == event.id)
        )
    assert rows == 2
    assert Counter(s for _u, s, _q in await signups(db, event.id)) == {"confirmed": 2}

"""Periods, deadlines and reminders end to end (issues 14.3, 14.4, 14.13 and 15.12): what the
status commands mean on the 1st of a month, findings counted by their inspection date, a
monthly deadline with a month of its own, and one reminder when two staff press at once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.emulator import FakeBotAPI, FakeUser
from bot.settings import load_settings
from bot.status.command_line import export as export_command
from bot.status.reminders import DeadlineReminders
from storage.models import (
    RegistrationStatus,
    Role,
    StaffReminder,
    Submission,
    SubmissionStatus,
    User,
)
from tests.e2e.test_status import broadcast_engine as broadcast_engine
from tests.e2e.test_status import expect_button
from tests.harness import ADMIN_ID, TZ, RunningBot
from tests.status_data import OFFICER_B, OFFICER_C, B, C, finding, report, seed

Db = async_sessionmaker[AsyncSession]
# The 1st of December, 09:00: December has just begun; November's reports are due on 05/12.
FIRST = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
STAFF_ID = 900_002


async def everything_sent(api: FakeBotAPI, user: FakeUser, command: str, label: str) -> str:
    """Send `command` and gather the text of every message up to the one with `label`."""
    start = len(api.sent)
    await user.send(command)
    await api.wait_for(
        lambda e: e.chat_id == user.id and any(label in b for b in e.buttons), after=start
    )
    return "\n".join(e.text for e in user.since(start) if e.method == "sendMessage")


async def press_for_button(api: FakeBotAPI, user: FakeUser, press: str, label: str) -> None:
    """Press `press`, then wait for a new message with a button labelled `label`."""
    start = len(api.sent)
    await user.press(press)
    await api.wait_for(
        lambda e: e.chat_id == user.id and any(label in b for b in e.buttons), after=start
    )


async def set_monthly_deadline(staff: FakeUser, day: str, days_before: str) -> None:
    await staff.send("/hanbaocao")
    await staff.expect("Hạn nộp báo cáo hoạt động")
    await staff.press("Hạn hằng tháng")
    await staff.expect("hạn nộp vào ngày nào của tháng sau")
    await staff.send(day)
    await staff.expect("Nhắc các đơn vị chưa gửi báo cáo trước mỗi hạn bao nhiêu ngày")
    await staff.press(days_before)


async def test_on_the_first_every_status_command_means_the_month_just_due(
    api: FakeBotAPI, running: RunningBot, db: Db, broadcast_engine: list[dict[str, Any]]
) -> None:
    """Issue 14.3: on 01/12 the default period is November, whose deadline is next."""
    await seed(db)
    running.clock.fixed = FIRST
    staff = api.user(ADMIN_ID, "Admin", "Sở")

    text = await everything_sent(api, staff, "/chuabaocao", "Nhắc nhở")
    assert text.startswith("🗓 Kỳ tháng 11/2026 (chưa đặt hạn nộp báo cáo)"), text[:200]
    assert "ví dụ /chuabaocao 10/2026" in text
    # November: A and B have reported; not all 126 units of a month nobody could report yet.
    assert "Chưa báo cáo — tháng 11/2026</b>: 124/126 đơn vị" in text
    assert "tháng 12/2026" not in text

    # A quarter asks for the months due: December has begun but is not due yet.
    quarter = await everything_sent(api, staff, "/chuabaocao Q4 2026", "Nhắc nhở")
    assert "Chưa báo cáo — quý IV/2026</b>: 125/126 đơn vị" in quarter
    assert "12/2026" not in quarter

    await set_monthly_deadline(staff, "ngày 5", "3")
    await staff.expect("báo cáo tháng 11/2026 hạn 05/12/2026")
    text = await everything_sent(api, staff, "/chuabaocao", "Nhắc nhở")
    assert text.startswith("🗓 Kỳ tháng 11/2026 (hạn 05/12/2026)."), text[:200]

    await staff.send("/thongke")
    stats = await staff.expect("Thống kê — tháng 11/2026")
    assert "Kỳ tháng 11/2026 (hạn 05/12/2026)" in stats.text
    assert "Đơn vị đã báo cáo: <b>2/126</b>" in stats.text

    await staff.send("/xuat")
    preparing = await staff.expect("Đang chuẩn bị")
    assert "Kỳ tháng 11/2026 (hạn 05/12/2026)" in preparing.text
    sent = await staff.expect("Tháng 11/2026:")
    assert sent.message is not None
    assert sent.message["document"]["file_name"] == "khcn-2026-11.xlsx"

    officer_b = api.user(OFFICER_B, "Bình", "Trần")
    await officer_b.send("/trangthai")
    status = await officer_b.expect(B.name)
    assert "Báo cáo hoạt động tháng 10/2026</b>: ❗ chưa gửi" in status.text
    assert "Báo cáo hoạt động tháng 11/2026</b>: 📝" in status.text
    assert "tháng 12/2026" not in status.text  # not due: not flagged as missing
    officer_c = api.user(OFFICER_C, "Cường", "Lê")
    await officer_c.send("/trangthai")
    status_c = await officer_c.expect(C.name)
    assert "Báo cáo hoạt động tháng 11/2026</b>: ❗ chưa gửi" in status_c.text
    assert "Hạn nộp 05/12/2026" in status_c.text

    # Nhắc nhở says how many and what, and asks; the reminder names November and its deadline.
    await staff.press("Nhắc nhở")
    preview = await staff.expect("Nhắc <b>1</b> đơn vị (<b>1</b> cán bộ) chưa gửi báo cáo tháng")
    assert "báo cáo hoạt động tháng 11/2026. Hạn nộp là 05/12/2026." in preview.text
    assert broadcast_engine == []
    await staff.press("Hủy")
    await staff.expect("Chưa gửi nhắc nhở nào")
    assert broadcast_engine == []
    await press_for_button(api, staff, "Nhắc nhở", "Gửi nhắc nhở")
    await staff.press("Gửi nhắc nhở")
    done = await staff.expect("Đã gửi nhắc nhở tới 1 cán bộ của 1 đơn vị")
    assert "xếp lịch" not in done.text
    [notice] = broadcast_engine
    assert notice["recipients"] == [OFFICER_C]
    assert "tháng 11/2026" in notice["text"] and "Tháng 12/2026" not in notice["text"]


async def test_the_command_line_export_defaults_to_the_month_just_due(
    running: RunningBot,
    db: Db,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await seed(db)
    settings = load_settings(database_url=database_url)
    out = tmp_path / "default.xlsx"
    assert await export_command(settings, None, str(out), Clock(TZ, fixed=FIRST)) == 0
    assert "Period 11/2026 (no deadline set)" in capsys.readouterr().err
    book = load_workbook(out)
    assert book["Báo cáo hoạt động KH&CN"].max_row == 1 + 2  # November's: A and B


async def send_inspection(officer: FakeUser, day: str) -> None:
    """A finding with no violation, through /kiemtra."""
    await officer.send("/kiemtra")
    await officer.expect("Ngày kiểm tra")
    await officer.send(day)
    await officer.expect("Tên cơ sở")
    await officer.send("Chợ Nghĩa Tân")
    await officer.expect("Địa chỉ")
    await officer.send("Nghĩa Tân")
    await officer.expect("Loại cơ sở")
    await officer.send("2")
    await officer.expect("Nội dung kiểm tra")
    await officer.send("1")
    await officer.expect("<b>Kết quả</b>")
    await officer.press("Không phát hiện vi phạm")
    await officer.expect("Ảnh hiện trường")
    await officer.press("Bỏ qua")
    await officer.expect("Vị trí")
    # The share-location keyboard comes first, the inline buttons in the next message.
    await officer.expect("Hoặc chọn:")
    await officer.press("Bỏ qua")
    await officer.expect("Ghi chú")
    await officer.press("Bỏ qua")
    await officer.expect("vui lòng kiểm tra")
    await officer.press("Gửi")
    await officer.expect("Đã gửi")


async def test_a_finding_counts_in_the_month_of_its_inspection_date(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """Issue 14.4: a /kiemtra dated 20/11 and sent on 01/12 is November's everywhere."""
    await seed(db)
    running.clock.fixed = FIRST
    officer_c = api.user(OFFICER_C, "Cường", "Lê")
    await send_inspection(officer_c, "20/11/2026")
    staff = api.user(ADMIN_ID, "Admin", "Sở")

    await staff.send("/thongke 11/2026")
    november = await staff.expect("Thống kê — tháng 11/2026")
    # A's two, B's one, and C's of 20/11; C's of 31/10 sent on 01/11 is October's.
    assert (
        "Kiểm tra: <b>4</b>, có vi phạm: <b>2</b>, tiền phạt: <b>2.000.000 đ</b>" in november.text
    )
    await staff.send("/thongke 12/2026")
    december = await staff.expect("Thống kê — tháng 12/2026")
    assert "Kiểm tra: <b>0</b>" in december.text
    await staff.send("/thongke 10/2026")
    october = await staff.expect("Thống kê — tháng 10/2026")
    assert "Kiểm tra: <b>2</b>, có vi phạm: <b>1</b>, tiền phạt: <b>500.000 đ</b>" in october.text

    await officer_c.send("/trangthai")
    status = await officer_c.expect(C.name)
    assert "Kết quả kiểm tra tháng 11/2026: <b>1</b>" in status.text

    await staff.send("/xuat 11/2026")
    sent = await staff.expect("Tháng 11/2026:")
    assert sent.message is not None
    book = load_workbook(BytesIO(api.files[f"files/{sent.message['document']['file_id']}"]))
    findings = book["Kết quả thanh tra, kiểm tra"]
    dates = [row[6].value for row in findings.iter_rows(min_row=2)]  # Ngày kiểm tra
    assert datetime(2026, 11, 20) in dates and len(dates) == 4, dates
    await staff.send("/xuat 12/2026")
    sent = await staff.expect("Tháng 12/2026:")
    assert sent.message is not None
    book = load_workbook(BytesIO(api.files[f"files/{sent.message['document']['file_id']}"]))
    assert book["Kết quả thanh tra, kiểm tra"].max_row == 1


async def test_a_monthly_deadline_with_a_month_of_its_own(
    api: FakeBotAPI, running: RunningBot, db: Db, broadcast_engine: list[dict[str, Any]]
) -> None:
    """Issue 14.13: "ngày 5 hằng tháng", December moved to 08/01; reminders follow both."""
    await seed(db)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/hanbaocao")
    overview = await staff.expect("Hạn nộp báo cáo hoạt động")
    assert "Hạn hằng tháng: chưa đặt." in overview.text
    await staff.press("Hạn hằng tháng")
    await staff.expect("hạn nộp vào ngày nào của tháng sau")
    await staff.send("ngày 40")
    await staff.expect("từ 1 đến 31")
    await staff.send("ngày 5 hằng tháng")
    await staff.expect("trước mỗi hạn bao nhiêu ngày")
    await staff.press("3")
    confirmed = await staff.expect("Hạn nộp báo cáo hoạt động: ngày 5 hằng tháng")
    assert "báo cáo tháng 11/2026 hạn 05/12/2026" in confirmed.text
    assert "nhắc trước 3 ngày" in confirmed.text

    # December's report gets a date of its own: the exception to the rule.
    await staff.send("/hanbaocao 12/2026")
    asked = await staff.expect("Hạn nộp báo cáo hoạt động tháng 12/2026")
    assert "Hiện tại: 05/01/2027, theo hạn hằng tháng (ngày 5 hằng tháng)" in asked.text
    await staff.send("08/01/2027")
    await staff.expect("Nhắc trước hạn 08/01/2027 bao nhiêu ngày")
    await staff.press("2")
    await staff.expect("Hạn nộp báo cáo tháng 12/2026: 08/01/2027")
    await staff.send("/hanbaocao")
    overview = await staff.expect("Hạn nộp báo cáo hoạt động")
    assert "Hạn hằng tháng: ngày 5 hằng tháng; nhắc trước 3 ngày." in overview.text
    assert "• Tháng 12/2026: 08/01/2027" in overview.text

    assert running.app is not None
    worker: DeadlineReminders = running.app.dispatcher["deadline_reminders"]
    assert (await worker.run_once()).units == 0  # 27/11: November's reminder is on 02/12
    running.clock.fixed = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
    done = await worker.run_once()
    assert (done.units, done.recipients) == (1, 1)  # C, the one unit missing November
    assert "05/12/2026" in broadcast_engine[-1]["text"]
    assert (await worker.run_once()).units == 0
    running.clock.fixed = datetime(2027, 1, 3, 9, 0, tzinfo=TZ)  # the rule's day for December
    assert (await worker.run_once()).units == 0
    running.clock.fixed = datetime(2027, 1, 6, 9, 0, tzinfo=TZ)  # December's own: 2 days before
    done = await worker.run_once()
    assert done.units == 3  # A, B and C have officers and no December report
    assert "08/01/2027" in broadcast_engine[-1]["text"]

    # The month can follow the rule again.
    running.clock.fixed = datetime(2026, 12, 10, 9, 0, tzinfo=TZ)
    await staff.send("/hanbaocao 12/2026")
    await expect_button(api, staff, "Dùng hạn hằng tháng (05/01/2027)")
    await staff.press("Dùng hạn hằng tháng")
    await staff.expect("Báo cáo tháng 12/2026 theo hạn hằng tháng: 05/01/2027")


async def add_staff(db: Db) -> None:
    async with db() as session:
        session.add(
            User(
                id=STAFF_ID,
                full_name="Phạm Thu Hà",
                role=Role.STAFF,
                status=RegistrationStatus.APPROVED,
                locale="vi",
            )
        )
        await session.commit()


async def test_two_staff_confirming_at_once_remind_each_unit_once(
    api: FakeBotAPI, running: RunningBot, db: Db, broadcast_engine: list[dict[str, Any]]
) -> None:
    """Issue 15.12: the database lets one of two simultaneous reminders through."""
    await seed(db)
    await add_staff(db)
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    staff = api.user(STAFF_ID, "Hà", "Phạm")
    for person in (admin, staff):
        await everything_sent(api, person, "/chuabaocao 11/2026", "Nhắc nhở")
        await press_for_button(api, person, "Nhắc nhở", "Gửi nhắc nhở")
    start = len(api.sent)
    await asyncio.gather(admin.press("Gửi nhắc nhở"), staff.press("Gửi nhắc nhở"))
    answers = [
        await api.wait_for(
            lambda e, who=person.id: (
                e.chat_id == who
                and ("Đã gửi nhắc nhở tới" in e.text or "đã được gửi lúc" in e.text)
            ),
            after=start,
        )
        for person in (admin, staff)
    ]
    sent = [a for a in answers if "Đã gửi nhắc nhở tới 1 cán bộ của 1 đơn vị" in a.text]
    refused = [a for a in answers if "đã được gửi lúc 27/11/2026 10:00" in a.text]
    assert len(sent) == 1 and len(refused) == 1, [a.text for a in answers]
    who = "Admin Sở" if sent[0].chat_id == ADMIN_ID else "Hà Phạm"
    assert f"do {who} gửi" in refused[0].text
    assert len(broadcast_engine) == 1 and broadcast_engine[0]["recipients"] == [OFFICER_C]
    async with db() as session:
        [row] = (await session.scalars(select(StaffReminder))).all()
    assert (row.unit_code, row.period, row.recipients) == (C.code, "2026-11", 1)


async def test_the_claim_holds_when_both_reminders_were_planned_before_either_committed(
    running: RunningBot, db: Db
) -> None:
    """Two transactions that both saw C unreminded: the primary key lets one claim it."""
    from storage.repositories import deadlines

    await seed(db)
    wanted = [(C.code, "2026-11", 1)]
    first, second = db(), db()
    for session in (first, second):
        assert await deadlines.staff_reminded(session, "activity_report", ["2026-11"]) == []

    async def claim(session: AsyncSession, who: int) -> set[tuple[str, str]]:
        return await deadlines.claim_staff_reminders(
            session, "activity_report", wanted, reminded_by=who, reminded_by_name="x", now=FIRST
        )

    assert await claim(first, ADMIN_ID) == {(C.code, "2026-11")}
    await first.commit()
    assert await claim(second, STAFF_ID) == set()
    await second.commit()
    await first.close()
    await second.close()
    async with db() as session:
        [row] = (await session.scalars(select(StaffReminder))).all()
    assert row.reminded_by == ADMIN_ID


async def test_a_quarter_reminder_skips_the_months_already_reminded(
    api: FakeBotAPI, running: RunningBot, db: Db, broadcast_engine: list[dict[str, Any]]
) -> None:
    """Once per unit and month: after November's reminder, Q4 reminds B of October only."""
    await seed(db)
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    await everything_sent(api, admin, "/chuabaocao 11/2026", "Nhắc nhở")
    await press_for_button(api, admin, "Nhắc nhở", "Gửi nhắc nhở")
    await admin.press("Gửi nhắc nhở")
    await admin.expect("Đã gửi nhắc nhở tới 1 cán bộ của 1 đơn vị")
    await everything_sent(api, admin, "/chuabaocao Q4 2026", "Nhắc nhở")
    await press_for_button(api, admin, "Nhắc nhở", "Gửi nhắc nhở")
    preview = await admin.expect("Nhắc <b>1</b> đơn vị (<b>1</b> cán bộ) chưa gửi báo cáo quý IV")
    assert "1 đơn vị đã được nhắc trước đó sẽ không bị nhắc lại." in preview.text
    await admin.press("Gửi nhắc nhở")
    await admin.expect("Đã gửi nhắc nhở tới 1 cán bộ của 1 đơn vị")
    assert [n["recipients"] for n in broadcast_engine] == [[OFFICER_C], [OFFICER_B]]
    assert "tháng 10/2026" in broadcast_engine[1]["text"]


async def test_on_the_first_the_report_form_offers_the_month_due_first(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """Issue 14.3 in /baocao: on 01/12 "Tháng 11/2026" (due next) is the first button, the
    month just begun second."""
    await seed(db)
    running.clock.fixed = FIRST
    officer = api.user(OFFICER_C, "Cán bộ", "C")
    await officer.send("/baocao")
    asked = await officer.expect("Kỳ báo cáo")
    assert asked.buttons[:2] == ["Tháng 11/2026", "Tháng 12/2026"], asked.buttons


async def test_a_revision_asked_shows_in_the_status_whatever_its_month(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """A December report sent back on 02/12 waits for the officer: /trangthai shows it (with
    the staff's request and the Sửa button) though the period shown is November; so does an
    inspection finding sent back."""
    await seed(db)
    running.clock.fixed = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
    async with db() as session:
        for form, period, answers in (
            ("activity_report", "2026-12", report("2026-12", ["environment"])),
            ("inspection", None, finding("2026-11-25", "no_violation")),
        ):
            session.add(
                Submission(
                    form_id=form,
                    form_version=1,
                    unit_code=C.code,
                    officer_id=OFFICER_C,
                    period=period,
                    answers=answers,
                    status=SubmissionStatus.NEEDS_REVISION,
                    draft_token=str(uuid.uuid4()),
                    submitted_at=datetime(2026, 12, 2, 8, 0, tzinfo=TZ),
                    staff_comment=f"Bổ sung ảnh ({form})",
                )
            )
        await session.commit()
        december, finding_back = (
            await session.scalars(
                select(Submission)
                .where(Submission.status == SubmissionStatus.NEEDS_REVISION)
                .where(Submission.unit_code == C.code)
                .order_by(Submission.id)
            )
        ).all()
    officer = api.user(OFFICER_C, "Cường", "Lê")
    await officer.send("/trangthai")
    status = await officer.expect(C.name)
    assert "Báo cáo hoạt động tháng 11/2026" in status.text
    assert "Báo cáo hoạt động tháng 12/2026</b>: 📝" in status.text, status.text
    assert "Bổ sung ảnh (activity_report)" in status.text
    assert (
        f"Cần bổ sung: <b>Kết quả thanh tra, kiểm tra</b> {finding_back.reference} — /cuatoi"
        in status.text
    )
    assert "Bổ sung ảnh (inspection)" in status.text
    assert f"✏️ Sửa {december.reference}" in status.buttons
    assert f"✏️ Sửa {finding_back.reference}" in status.buttons


async def test_a_finding_says_which_month_it_counts_in(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """A finding dated 01/12 while /trangthai shows November: the confirmation says December."""
    await seed(db)
    running.clock.fixed = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
    officer = api.user(OFFICER_C, "Cường", "Lê")
    await send_inspection(officer, "01/12/2026")
    sent = officer.since(0)[-1]
    assert "Đã ghi nhận vào tháng 12/2026 (theo ngày kiểm tra)." in sent.text, sent.text

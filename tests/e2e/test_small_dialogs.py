"""The small dialogs on the engine, tried as staff meet them, through the real bot: the report
deadline (/hanbaocao), Yêu cầu bổ sung, the reason of Từ chối and the role grant (/phanquyen).

Each keeps the engine's navigation: Hủy on every screen (a dialog of one question too), /huy
the same and asking first only when something typed would be lost, an old screen's button
refused with the current screen shown again, a bad input answered on the spot, and the dialog
resumed after a restart."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI, FakeUser, Sent
from storage.models import (
    AuditEntry,
    RegistrationStatus,
    ReportDeadline,
    ReportDeadlineRule,
    Role,
    Submission,
    SubmissionStatus,
    User,
)
from tests.e2e.flows import register, registered_officer
from tests.e2e.test_forms import fill_activity_report
from tests.e2e.test_people_and_rights import button_data, card_for
from tests.harness import ADMIN_ID, RunningBot

Db = async_sessionmaker[AsyncSession]
STALE = "Lựa chọn này đã cũ"
GONE = "Lựa chọn này không còn hiệu lực"
ASK_FIRST = "Hủy? Những gì bạn đã nhập sẽ mất"


def buttons_of(sent: Sent) -> tuple[dict[str, object], dict[str, str]]:
    """The message as the user sees it and its buttons' data by label (to press one later)."""
    assert sent.message is not None
    keyboard = sent.params["reply_markup"]["inline_keyboard"]
    return sent.message, {b["text"]: b["callback_data"] for row in keyboard for b in row}


# --- the report deadline (/hanbaocao) ------------------------------------------------------------


async def test_a_months_deadline_refuses_bad_input_asks_before_cancel_and_resumes(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/hanbaocao 11/2026")
    asked = await staff.expect("Hạn nộp báo cáo hoạt động tháng 11/2026")
    assert asked.text.startswith("<i>Hạn nộp báo cáo · bước 1/2</i>")
    assert asked.buttons == ["❌ Hủy"]  # nothing typed yet: Hủy ends it at once
    for wrong, said in (
        (None, "Vui lòng nhập ngày theo dạng ngày/tháng/năm"),  # a sticker
        ("   ", "Vui lòng nhập ngày theo dạng ngày/tháng/năm, ví dụ"),  # empty
        ("30/02/2026", "30/02/2026 không phải là ngày có thật"),
        ("20/11/2026", "không được là ngày đã qua"),
        ("ngày mai nhé " * 40, "Vui lòng nhập ngày theo dạng ngày/tháng/năm, ví dụ"),
    ):
        if wrong is None:
            await staff.send_sticker()
        else:
            await staff.send(wrong)
        await staff.expect(said)
    await staff.send("29/11/2026")
    days = await staff.expect("Nhắc trước hạn 29/11/2026 bao nhiêu ngày")
    assert days.buttons == ["1", "2", "3", "4", "5", "6", "7", "⬅️ Quay lại", "❌ Hủy"]
    assert days.params["reply_markup"]["inline_keyboard"][0] == [
        {"text": str(n), "callback_data": f"dlg:choose:{days_seq(days)}:{n - 1}"}
        for n in range(1, 8)
    ]  # one row, as a keypad
    # A date typed would be lost: /huy asks first, and "no" comes back to the question.
    await staff.send("/huy")
    await staff.expect(ASK_FIRST)
    await staff.press("Không, tiếp tục")
    await staff.expect("Nhắc trước hạn 29/11/2026 bao nhiêu ngày")

    await running.restart()
    await staff.send("5")  # typed: five days, the number it says
    await staff.expect("Hạn nộp báo cáo tháng 11/2026: 29/11/2026")
    async with db() as session:
        [deadline] = (await session.scalars(select(ReportDeadline))).all()
    assert (deadline.period, deadline.due_on.isoformat(), deadline.remind_days_before) == (
        "2026-11",
        "2026-11-29",
        5,
    )


def days_seq(sent: Sent) -> int:
    """The screen number the buttons of `sent` carry."""
    _message, data = buttons_of(sent)
    return int(data["1"].split(":")[2])


async def test_the_monthly_deadline_goes_back_keeps_refuses_old_buttons_and_cancels(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/hanbaocao")
    await staff.expect("Hạn nộp báo cáo hoạt động")
    await staff.press("Hạn hằng tháng")
    day = await staff.expect("hạn nộp vào ngày nào của tháng sau")
    old_message, old = buttons_of(day)
    await staff.send("ngày 32")
    await staff.expect("từ 1 đến 31")
    await staff.send("ngày 5 hằng tháng")
    await staff.expect("trước mỗi hạn bao nhiêu ngày")
    # Hủy of the day's question, now an old screen: refused, the current question again.
    await staff.press_data(old_message, old["❌ Hủy"])
    again = await staff.expect("trước mỗi hạn bao nhiêu ngày")
    assert "bước 2/2" in again.text
    await staff.expect(STALE)
    # Back: the day typed is shown and kept.
    await staff.press("Quay lại")
    back = await staff.expect("Câu trả lời hiện tại: 5")
    assert "➡️ Giữ nguyên" in back.buttons
    await staff.press("Giữ nguyên")
    await staff.expect("trước mỗi hạn bao nhiêu ngày")
    await staff.press("Hủy")
    await staff.expect(ASK_FIRST)
    await staff.press("Có, hủy")
    await staff.expect("Đã hủy. Hạn nộp báo cáo không thay đổi.")
    async with db() as session:
        assert (await session.scalars(select(ReportDeadlineRule))).all() == []
    await staff.send("7")  # the dialog is over: not an answer to anything
    await staff.expect("Tôi chưa hiểu")


# --- Yêu cầu bổ sung --------------------------------------------------------------------------


async def a_waiting_submission(api: FakeBotAPI, db: Db, officer_id: int) -> tuple[FakeUser, int]:
    lan = await registered_officer(api, officer_id)
    await fill_activity_report(lan, attach=False)
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    async with db() as session:
        submission = await session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert submission is not None
    return lan, submission.id


async def test_the_comment_is_one_question_with_cancel_bad_input_and_restart(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan, submission_id = await a_waiting_submission(api, db, 6101)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.expect(f"#{submission_id}")
    await staff.press("Yêu cầu bổ sung")
    asked = await staff.expect("Cán bộ cần bổ sung hoặc sửa gì")
    assert asked.text.startswith("<i>Yêu cầu bổ sung</i>\n")  # one question: no step counter
    assert asked.buttons == ["❌ Hủy"]
    # Nothing typed would be lost: /huy ends it at once, and the submission still waits.
    await staff.send("/huy")
    await staff.expect("Đã hủy. Hồ sơ vẫn đang chờ tiếp nhận.")
    await staff.press("Yêu cầu bổ sung")
    await staff.expect("Cán bộ cần bổ sung hoặc sửa gì")
    await staff.send_sticker()
    await staff.expect("Vui lòng gõ nội dung yêu cầu bằng chữ.")
    for wrong in ("  ", "ok", "Bổ sung " * 130):
        await staff.send(wrong)
        await staff.expect("từ 3 đến 1000 ký tự")
    async with db() as session:
        waiting = await session.get(Submission, submission_id)
        assert waiting is not None and waiting.status is SubmissionStatus.SUBMITTED

    await running.restart()
    await staff.send("Bổ sung số người tham gia")
    await staff.expect("Đã yêu cầu bổ sung")
    notice = await lan.expect("Sở đề nghị bổ sung")
    assert "Bổ sung số người tham gia" in notice.text
    # The question's Hủy after the end: nothing to cancel any more.
    message, data = buttons_of(asked)
    await staff.press_data(message, data["❌ Hủy"])
    await staff.expect(GONE)
    async with db() as session:
        asked_for = await session.get(Submission, submission_id)
        assert asked_for is not None and asked_for.status is SubmissionStatus.NEEDS_REVISION


# --- the reason of Từ chối ----------------------------------------------------------------------


async def test_the_reason_is_one_question_with_cancel_bad_input_restart_and_a_guard(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    lan = api.user(6201)
    await register(lan)
    card = await card_for(api, ADMIN_ID, 6201, staff)
    await staff.press("Từ chối")
    asked = await staff.expect("Vì sao từ chối đăng ký của Nguyễn Thị Lan")
    assert asked.text.startswith("<i>Từ chối đăng ký</i>\n")
    assert asked.buttons[-1] == "❌ Hủy" and "Thông tin chưa đúng" in asked.buttons
    await staff.send("/huy")  # nothing typed: at once
    await staff.expect("Đã hủy. Đăng ký vẫn đang chờ quyết định.")

    # A card pressed in the middle of a longer dialog does not drop it.
    await staff.send("/thongbao")
    await staff.expect("Thông báo mới")
    assert card.message is not None
    await staff.press_data(card.message, button_data(card.message, "Từ chối"))
    refused = await staff.expect("Hãy hoàn tất hoặc hủy (/huy) việc đang làm trước")
    assert refused.method == "answerCallbackQuery" and refused.params.get("show_alert")
    await staff.send("/huy")
    await staff.expect("Đã hủy. Chưa có gì được gửi")

    await staff.press_data(card.message, button_data(card.message, "Từ chối"))
    asked = await staff.expect("Vì sao từ chối đăng ký của Nguyễn Thị Lan")
    await staff.send_sticker()
    await staff.expect("Vui lòng bấm một lý do, hoặc nhập lý do bằng chữ.")
    for wrong in ("x", "Sai " * 80):
        await staff.send(wrong)
        await staff.expect("từ 3 đến 300 ký tự")
    async with db() as session:
        person = await session.get(User, 6201)
        assert person is not None and person.status is RegistrationStatus.PENDING

    await running.restart()
    await staff.send("2")  # typed: the second reason
    await staff.expect("Đã từ chối. Nguyễn Thị Lan đã được báo lý do.")
    told = await lan.expect("Sở đã từ chối đăng ký của bạn")
    assert "thông tin đăng ký (họ tên, đơn vị hoặc chức vụ) chưa đúng" in told.text
    message, data = buttons_of(asked)
    await staff.press_data(message, data["Thông tin chưa đúng"])
    await staff.expect(GONE)
    async with db() as session:
        rows = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "registration.reject")
            )
        ).all()
    assert [(r.target, (r.details or {}).get("reason")) for r in rows] == [("6201", "wrong_info")]


# --- the role grant (/phanquyen) ------------------------------------------------------------------


async def test_the_grant_goes_back_refuses_old_buttons_resumes_and_cancels_at_once(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    lan = await registered_officer(api, 6301)
    await admin.send("/phanquyen 6301")
    card = await admin.expect("Nguyễn Thị Lan (id 6301)")
    assert card.buttons == [
        "Cấp quyền chuyên viên Sở, vẫn phụ trách Phường Cầu Giấy",
        "Cấp quyền chuyên viên Sở, thôi phụ trách Phường Cầu Giấy",
        "Ngừng kích hoạt",
        "❌ Hủy",
    ]
    await admin.send_sticker()
    await admin.expect("Vui lòng bấm một trong các nút ở trên.")
    await admin.send("xin chào")
    await admin.expect("Vui lòng bấm một trong các nút ở trên.")
    await admin.send("1")  # typed: the first change
    await admin.expect("Cấp quyền chuyên viên Sở cho Nguyễn Thị Lan (id 6301)")
    # The card's buttons are an old screen now: refused, and the question shown again.
    message, data = buttons_of(card)
    await admin.press_data(message, data["Ngừng kích hoạt"])
    await admin.expect("Cấp quyền chuyên viên Sở cho")
    await admin.expect(STALE)
    await admin.press("Quay lại")
    back = await admin.expect("Câu trả lời hiện tại: Cấp quyền chuyên viên Sở, vẫn phụ trách")
    assert "➡️ Giữ nguyên" in back.buttons
    await admin.press("Giữ nguyên")
    await admin.expect("Cấp quyền chuyên viên Sở cho")
    async with db() as session:
        person = await session.get(User, 6301)
        assert person is not None and person.role is Role.OFFICER  # nothing yet

    await running.restart()
    await admin.press("Xác nhận")
    await admin.expect("Xong: Nguyễn Thị Lan (id 6301)")
    await lan.expect("Bạn đã được cấp quyền chuyên viên Sở")

    # From the staff list, the question at once; nothing typed, so Hủy ends it at once.
    await admin.send("/phanquyen")
    await admin.expect("Chuyên viên Sở")
    await admin.press("Thu hồi quyền: Nguyễn Thị Lan")
    asked = await admin.expect("Thu hồi quyền chuyên viên Sở của Nguyễn Thị Lan")
    assert "✅ Xác nhận" in asked.buttons and "❌ Hủy" in asked.buttons
    await admin.send("/huy")
    await admin.expect("Đã hủy. Không có gì thay đổi.")
    async with db() as session:
        person = await session.get(User, 6301)
        assert person is not None and person.role is Role.STAFF

"""The same navigation in every dialog on the engine, tried as a new user would, through the
real bot: here in event creation (/sukien → ➕ Tạo sự kiện mới)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.emulator import FakeBotAPI, FakeUser, Sent
from storage.models import Event, Notice
from tests.e2e.broadcasting import add_officers, unit_code
from tests.e2e.event_flows import Db, button_data, create_event, edited, latest_event, quick
from tests.harness import ADMIN_ID, RunningBot


async def open_new_event(staff: FakeUser) -> Sent:
    await staff.send("/sukien")
    await staff.expect("Lớp bồi dưỡng, hội nghị, hội thảo")
    await staff.press("Tạo sự kiện mới")
    return await staff.expect("Đây là loại sự kiện nào")


async def up_to_place(staff: FakeUser, kind: str = "Lớp bồi dưỡng chuyên môn") -> None:
    await open_new_event(staff)
    await staff.press(kind)
    await staff.expect("Tên sự kiện")
    await staff.send("Lớp đo lường")
    await staff.expect("Khi nào bắt đầu")
    await staff.send("30/11/2026 08:00")
    await staff.expect("Khi nào kết thúc")
    await staff.send("11:30")
    await staff.expect("Ở đâu")


async def up_to_review(staff: FakeUser) -> None:
    await up_to_place(staff)
    await staff.send("Hội trường")
    await staff.expect("nhiêu chỗ")
    await staff.send("20")
    await staff.expect("Hạn đăng ký?")
    await staff.send("29/11/2026")
    await staff.expect("Mời những ai")
    await staff.press("Tất cả cán bộ")
    await staff.expect("Mô tả ngắn")
    await staff.send("Mang máy tính.")
    await staff.expect("Vui lòng kiểm tra sự kiện")


async def count_events(db: Db) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


async def test_back_then_an_answer_goes_to_the_next_question(
    api: FakeBotAPI, running: RunningBot
) -> None:
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await up_to_place(staff)
    await staff.send("Hội trường")
    await staff.expect("bước 6/9")
    await staff.press("Quay lại")
    place = await staff.expect("bước 5/9")
    assert "Câu trả lời hiện tại: Hội trường" in place.text and "Giữ nguyên" in place.buttons[1]
    await staff.press("Quay lại")
    await staff.expect("bước 4/9")
    await staff.send("12:00")
    again = await staff.expect("Ở đâu")  # step 5, not 6: nothing skipped
    assert "bước 5/9" in again.text
    await staff.press("Giữ nguyên")
    await staff.expect("bước 6/9")


async def test_a_changed_start_asks_the_end_again(api: FakeBotAPI, running: RunningBot) -> None:
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await up_to_review(staff)
    await staff.press("Bắt đầu")  # ✏️ 3. Bắt đầu
    await staff.expect("Khi nào bắt đầu")
    await staff.send("02/12/2026 08:00")
    asked = await staff.expect("Khi nào kết thúc")  # 30/11 11:30 is before the new start
    assert "Câu trả lời hiện tại" not in asked.text
    await staff.send("11:00")
    review = await staff.expect("Vui lòng kiểm tra sự kiện")
    assert "08:00–11:00, Thứ Tư, 02/12/2026" in review.text
    assert "Hạn đăng ký: 29/11/2026 17:00" in review.text  # still right: kept


async def test_skip_after_going_back_clears_the_answer(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(running)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await up_to_review(staff)
    await staff.press("Quay lại")
    back = await staff.expect("Mô tả ngắn")
    assert "⏭ Bỏ qua" in back.buttons
    await staff.press("Bỏ qua")
    review = await staff.expect("Vui lòng kiểm tra sự kiện")
    assert "Mang máy tính" not in review.text
    await staff.press("Công bố")
    await staff.expect("Đã công bố")
    assert (await latest_event(db)).description is None


async def test_an_old_button_is_refused_and_the_question_shown_again(
    api: FakeBotAPI, running: RunningBot
) -> None:
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    first = await open_new_event(staff)
    await staff.press("Hội thảo")
    await staff.expect("Tên sự kiện")
    assert first.message is not None
    old = button_data(first.params["reply_markup"], "Hội nghị")  # the first question's
    await staff.press_data(first.message, old)
    again = await staff.expect("Tên sự kiện")  # the current question, sent again
    assert "bước 2/9" in again.text
    await staff.expect("Nút này đã cũ")  # the answer to the press, once the handler is done


async def test_cancel_asks_first_and_huy_is_the_same(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await open_new_event(staff)
    await staff.send("/huy")  # nothing entered yet: at once
    await staff.expect("Đã hủy. Chưa có gì được công bố")
    await up_to_place(staff)
    await staff.send("/huy")
    await staff.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await staff.press("Không, tiếp tục")
    await staff.expect("Ở đâu")
    await staff.press("Hủy")
    await staff.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await staff.press("Có, hủy")
    await staff.expect("Đã hủy. Chưa có gì được công bố")
    assert await count_events(db) == 0
    await staff.send("Hội trường")  # the dialog is over: nothing is taken as an answer
    assert await count_events(db) == 0


async def test_the_dialog_resumes_after_a_restart(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(running)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await up_to_place(staff)
    await running.restart()
    quick(running)
    await staff.send("Hội trường")
    await staff.expect("nhiêu chỗ")
    await staff.send("20")
    await staff.expect("Hạn đăng ký?")
    await staff.press("Ngày hôm trước")
    await staff.expect("Mời những ai")
    await staff.press("Tất cả cán bộ")
    await staff.expect("Mô tả ngắn")
    await staff.press("Bỏ qua")
    await staff.expect("Vui lòng kiểm tra sự kiện")
    await staff.press("Công bố")
    await staff.expect("Đã công bố")
    event = await latest_event(db)
    assert (event.title, event.seats, event.place) == ("Lớp đo lường", 20, "Hội trường")


async def test_typing_numbers_and_words_instead_of_pressing(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """What a text-only messenger user does, on Telegram too: numbers for choices, words."""
    quick(running)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await open_new_event(staff)
    await staff.send("3")  # Hội thảo
    await staff.expect("Tên sự kiện")
    await staff.send("quay lai")
    await staff.expect("Đây là loại sự kiện nào")
    await staff.send("giữ nguyên")
    await staff.expect("Tên sự kiện")
    await staff.send("Hội thảo chuyển đổi số")
    await staff.send("30/11/2026 14:00")
    await staff.send("16:30")
    await staff.send("Phòng 301")
    await staff.expect("Bấm Bỏ qua nếu không giới hạn")
    await staff.send("bo qua")
    await staff.expect("Hạn đăng ký?")
    await staff.send("1")  # the day before, 17:00
    await staff.expect("Mời những ai")
    await staff.send("2")  # chosen units
    await staff.expect("Gõ một phần tên đơn vị")
    await staff.send("cau giay")
    await staff.expect("Đã chọn: —")
    await staff.send("1")
    await staff.expect("Đã chọn: Phường Cầu Giấy")
    await staff.send("xong")
    await staff.expect("Mô tả ngắn")
    await staff.send("Bỏ qua")
    await staff.expect("Vui lòng kiểm tra sự kiện")
    await staff.send("1")  # Công bố
    await staff.expect("Đã công bố")
    event = await latest_event(db)
    assert (event.seats, event.invite_all) == (None, False)


async def test_editing_an_event_uses_the_same_questions_and_navigation(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(running)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Hội thảo số", kind="Hội thảo", seats="30")
    await staff.expect("Hội thảo số")  # the event's card
    await staff.press("Sửa")
    await edited(staff)
    await staff.press("Số chỗ")
    asked = await staff.expect("Câu trả lời hiện tại: 30")
    assert "⏭ Bỏ qua" in asked.buttons  # a workshop may have no limit
    await staff.send("không biết")
    await staff.expect("Vui lòng nhập số chỗ là một số nguyên")
    await staff.press("Bỏ qua")
    await staff.expect("Đã lưu")
    await staff.expect("Hội thảo số")  # the card again
    assert (await latest_event(db)).seats is None
    # Hủy while editing: nothing typed would be lost, so no question first.
    await staff.press("Sửa")
    await edited(staff)
    await staff.press("Địa điểm")
    place = await staff.expect("Ở đâu")
    await staff.press("Hủy")
    await staff.expect("Không có gì thay đổi")
    assert place.message is not None
    await staff.press_data(place.message, button_data(place.params["reply_markup"], "Hủy"))
    await staff.expect("Nút này không còn hiệu lực")  # the dialog is over: nothing to do
    assert (await latest_event(db)).place == "Hội trường Sở KH&CN"


# --- the notice composer (/thongbao) -----------------------------------------------------------


async def compose_up_to_attach(admin: FakeUser, text: str = "Họp giao ban thứ Hai") -> None:
    await admin.send("/thongbao")
    await admin.expect("Thông báo mới")
    await admin.send(text)
    await admin.expect("Đính kèm một ảnh")


async def test_composer_back_skip_and_a_changed_notice(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    assert running.app is not None
    await add_officers(db, unit_code(running.app.units, "cau giay"), 710_000, 2)
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    await compose_up_to_attach(admin)
    await admin.send_photo("AgACfirst")
    asked = await admin.expect("Gửi cho ai?")
    assert "bước 3/3" in asked.text
    # Back, then an answer: the next question again, not one further.
    await admin.press("Quay lại")
    attach = await admin.expect("Đính kèm một ảnh")
    assert "Câu trả lời hiện tại: (một ảnh)" in attach.text and "⏭ Bỏ qua" in attach.buttons
    await admin.press("Quay lại")
    await admin.expect("Câu trả lời hiện tại: Họp giao ban thứ Hai")
    await admin.send("Họp giao ban thứ Ba")
    attach = await admin.expect("Đính kèm một ảnh")  # step 2 again, with the photo kept
    assert "bước 2/3" in attach.text
    # Bỏ qua after going back clears the photo.
    await admin.press("Bỏ qua")
    await admin.expect("Gửi cho ai?")
    await admin.press("Tất cả cán bộ")
    preview = await admin.expect("Họp giao ban thứ Ba")
    assert preview.method == "sendMessage"  # no photo any more
    await admin.expect("Người nhận: 2")
    # A photo without text asks for its text; a new notice drops that question's answer.
    await admin.press("Nội dung")
    await admin.expect("Gửi nội dung thông báo")
    await admin.send_photo("AgACposter")
    await admin.expect("Bây giờ gõ nội dung đi kèm")
    await admin.send("Lịch họp tháng 12")
    preview = await admin.expect("Lịch họp tháng 12")
    assert preview.method == "sendPhoto"
    await admin.expect("Người nhận: 2")
    await admin.press("Nội dung")
    await admin.send("Chỉ văn bản")
    await admin.expect("Đính kèm một ảnh")  # asked now; the caption is gone
    await admin.press("Bỏ qua")
    review_preview = await admin.expect("Chỉ văn bản")
    assert review_preview.method == "sendMessage"
    await admin.expect("Người nhận: 2")


async def test_composer_old_button_cancel_and_restart(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    assert running.app is not None
    await add_officers(db, unit_code(running.app.units, "cau giay"), 720_000, 1)
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    await compose_up_to_attach(admin)
    message, skip = admin.find_button("Bỏ qua")
    skip_data = skip["callback_data"]
    await admin.press("Bỏ qua")
    await admin.expect("Gửi cho ai?")
    await admin.press_data(message, skip_data)  # the attachment question's, now old
    again = await admin.expect("Gửi cho ai?")
    assert "bước 3/3" in again.text
    await admin.expect("Nút này đã cũ")
    await running.restart()
    await admin.send("/huy")
    await admin.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await admin.press("Không, tiếp tục")
    await admin.expect("Gửi cho ai?")  # resumed after the restart
    await admin.press("Tất cả cán bộ")
    await admin.expect("Người nhận: 1")
    await admin.send("huỷ")  # typed, with the other accent placement
    await admin.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await admin.send("1")
    await admin.expect("Đã hủy. Chưa có gì được gửi")
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Notice)) == 0


async def test_invisible_characters_are_cleaned_before_any_step_sees_them(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """A title pasted with a zero-width space and a right-to-left override is stored clean."""
    quick(running)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Lớp\u200b đo\u202e lường", description="Mang\u2066 máy tính")
    event = await latest_event(db)
    assert (event.title, event.description) == ("Lớp đo lường", "Mang máy tính")

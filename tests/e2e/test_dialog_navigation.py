"""The same navigation in every dialog on the engine, tried as a new user would, through the
real bot: event creation (/sukien → ➕ Tạo sự kiện mới) and editing, the notice composer, a
department's own form (FORMS_DIR), and what test_form_navigation.py leaves of /baocao and
/kiemtra. One test per rule per dialog: Quay lại shows the previous question; an answer after
it moves to the next one; a changed answer re-asks or drops what depended on it; Bỏ qua also
after going back; the step counter k/n; an old screen's button; /huy and Hủy; a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.emulator import FakeBotAPI, FakeUser, Sent
from handlers.forms.dialog import _BUILT
from storage.database import create_sessionmaker
from storage.models import Event, Notice, Submission
from tests.e2e.broadcasting import add_officers, unit_code
from tests.e2e.event_flows import Db, button_data, create_event, edited, latest_event, quick
from tests.e2e.flows import WATER_SURVEY, registered_officer
from tests.e2e.test_form_navigation import step_of
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
    await staff.expect("Lựa chọn này đã cũ")  # the answer to the press, once the handler is done


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
    await staff.expect("Lựa chọn này không còn hiệu lực")  # the dialog is over: nothing to do
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
    await admin.expect("Lựa chọn này đã cũ")
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


# --- event editing (/sukien → an event → ✏️ Sửa → a field) -----------------------------------


async def edit_field(staff: FakeUser, field: str) -> Sent:
    """The card of the newest event (just created), ✏️ Sửa, then `field`."""
    await staff.press("Sửa")
    await edited(staff)
    await staff.press(field)
    return await staff.expect("Câu trả lời hiện tại")


async def test_editing_offers_no_back_as_nothing_comes_before_the_value(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """One value is edited alone: Hủy leaves it as it was; a typed «quay lại» is no way back
    either (it is not offered), and nothing breaks."""
    quick(running)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Lớp đo lường", seats="30")
    await staff.expect("Lớp đo lường")
    asked = await edit_field(staff, "Địa điểm")
    assert not any("Quay lại" in b for b in asked.buttons) and "❌ Hủy" in asked.buttons
    await staff.send("Phòng 302")
    await staff.expect("Đã lưu")
    assert (await latest_event(db)).place == "Phòng 302"


async def test_editing_resumes_after_a_restart(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(running)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Lớp đo lường", seats="30")
    await staff.expect("Lớp đo lường")
    await edit_field(staff, "Số chỗ")
    await running.restart()
    quick(running)
    await staff.send("không giới hạn")  # a course needs a number: told so, still asked
    await staff.expect("Vui lòng nhập số chỗ là một số nguyên")
    await staff.send("25")
    await staff.expect("Đã lưu")
    assert (await latest_event(db)).seats == 25


async def test_a_button_of_a_replaced_dialog_is_old(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """Editing the place, then (from the card) the title: the place question's Hủy is old —
    its screen number means nothing in the dialog that replaced it."""
    quick(running)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Lớp đo lường", seats="30")
    card = await staff.expect("Lớp đo lường")
    place = await edit_field(staff, "Địa điểm")
    assert card.message is not None and place.message is not None
    cancel_place = button_data(place.params["reply_markup"], "Hủy")
    await staff.press_data(card.message, button_data(card.params["reply_markup"], "Sửa"))
    await edited(staff)
    fields = api.message(ADMIN_ID, card.message["message_id"])
    assert fields is not None
    await staff.press_data(fields, button_data(fields["reply_markup"], "Tên"))
    await staff.expect("Câu trả lời hiện tại: Lớp đo lường")
    await staff.press_data(place.message, cancel_place)
    await staff.expect("Lựa chọn này đã cũ")
    await staff.send("Lớp đo lường nâng cao")  # the title question is still the one under way
    await staff.expect("Đã lưu")
    assert (await latest_event(db)).title == "Lớp đo lường nâng cao"


# --- a department's own form (FORMS_DIR): /bieumau → Khảo sát nước sạch -----------------------


@pytest.fixture
async def survey_bot(
    api: FakeBotAPI, database_url: str, tmp_path: Path
) -> AsyncIterator[RunningBot]:
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "water_survey.yaml").write_text(WATER_SURVEY, encoding="utf-8")
    bot = RunningBot(api, database_url, forms_dir=str(forms))
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
def survey_db(survey_bot: RunningBot) -> Db:
    assert survey_bot.app is not None
    return create_sessionmaker(survey_bot.app.engine)


async def survey_to_plant_name(api: FakeBotAPI, officer_id: int) -> FakeUser:
    """/bieumau's water survey, up to its third question (asked since there is a plant)."""
    lan = await registered_officer(api, officer_id)
    await lan.send("/bieumau")
    await lan.expect("biểu mẫu nào")
    await lan.press("Khảo sát nước sạch")
    assert step_of(await lan.expect("Số hộ dùng nước sạch")) == (1, 4)
    await lan.send("120")
    await lan.expect("trạm cấp nước")
    await lan.press("Có")
    assert step_of(await lan.expect("Tên trạm")) == (3, 5)
    return lan


async def test_survey_back_then_an_answer_shows_the_next_question(
    api: FakeBotAPI, survey_bot: RunningBot
) -> None:
    lan = await survey_to_plant_name(api, 2401)
    await lan.press("Quay lại")
    plant = await lan.expect("trạm cấp nước")
    assert step_of(plant) == (2, 5) and "Câu trả lời hiện tại: Có" in plant.text
    await lan.press("Quay lại")
    households = await lan.expect("Số hộ dùng nước sạch")
    assert "Câu trả lời hiện tại: 120" in households.text
    await lan.send("100")
    again = await lan.expect("trạm cấp nước")  # the next question, not the one after
    assert step_of(again) == (2, 5)


async def test_survey_a_changed_answer_drops_the_question_no_longer_asked(
    api: FakeBotAPI, survey_bot: RunningBot
) -> None:
    lan = await survey_to_plant_name(api, 2402)
    await lan.send("Trạm Yên Hòa")
    assert step_of(await lan.expect("Tỷ lệ hộ")) == (4, 5)
    await lan.press("Quay lại")
    await lan.expect("Tên trạm")
    await lan.press("Quay lại")
    await lan.expect("trạm cấp nước")
    await lan.press("Không")  # no plant: its name is not asked, nor kept
    assert step_of(await lan.expect("Tỷ lệ hộ")) == (3, 4)
    await lan.send("87,5")
    assert step_of(await lan.expect("Số điện thoại của trạm")) == (4, 4)
    await lan.press("Bỏ qua")
    review = await lan.expect("vui lòng kiểm tra")
    assert "Trạm Yên Hòa" not in review.text and "Tên trạm" not in review.text


async def test_survey_skip_after_going_back_clears_the_answer(
    api: FakeBotAPI, survey_bot: RunningBot, survey_db: Db
) -> None:
    lan = await survey_to_plant_name(api, 2403)
    await lan.send("Trạm Yên Hòa")
    await lan.expect("Tỷ lệ hộ")
    await lan.send("87,5")
    await lan.expect("Số điện thoại của trạm")
    await lan.send("0912 345 678")
    await lan.expect("vui lòng kiểm tra")
    await lan.press("Sửa")  # a form's review goes back to an answer through its list
    await edited(lan)
    await lan.press("5. Số điện thoại")
    phone = await lan.expect("Số điện thoại của trạm")
    assert "Câu trả lời hiện tại: 0912 345 678" in phone.text
    buttons = await lan.expect("Hoặc chọn")  # under the share-my-number keyboard
    assert "⏭ Bỏ qua" in buttons.buttons
    await lan.press("Bỏ qua")
    review = await lan.expect("vui lòng kiểm tra")
    assert "0912 345 678" not in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    async with survey_db() as session:
        stored = await session.scalar(select(Submission))
    assert stored is not None and stored.answers["plant_phone"] is None


async def test_survey_an_old_button_is_refused_and_the_current_question_shown(
    api: FakeBotAPI, survey_bot: RunningBot
) -> None:
    lan = await registered_officer(api, 2404)
    await lan.send("/bieumau")
    await lan.expect("biểu mẫu nào")
    await lan.press("Khảo sát nước sạch")
    await lan.expect("Số hộ dùng nước sạch")
    await lan.send("120")
    await lan.expect("trạm cấp nước")
    message, no = lan.find_button("Không")
    await lan.press("Có")
    await lan.expect("Tên trạm")
    await lan.send("Trạm Yên Hòa")
    await lan.expect("Tỷ lệ hộ")
    await lan.press_data(message, no["callback_data"])
    again = await lan.expect("Tỷ lệ hộ")  # still asked: the old answer was not taken
    assert step_of(again) == (4, 5)
    await lan.expect("Lựa chọn này đã cũ")


@pytest.mark.parametrize("how", ["/huy", "❌ Hủy"])
async def test_survey_huy_and_the_cancel_button_ask_first(
    api: FakeBotAPI, survey_bot: RunningBot, survey_db: Db, how: str
) -> None:
    lan = await survey_to_plant_name(api, 2405)

    async def cancel() -> None:
        await (lan.send(how) if how.startswith("/") else lan.press("Hủy"))

    await cancel()
    await lan.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await lan.press("Không, tiếp tục")
    assert step_of(await lan.expect("Tên trạm")) == (3, 5)
    await cancel()
    await lan.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await lan.press("Có, hủy")
    await lan.expect("Đã hủy")
    async with survey_db() as session:
        assert await session.scalar(select(Submission)) is None


async def test_survey_resumes_after_a_restart(
    api: FakeBotAPI, survey_bot: RunningBot, survey_db: Db
) -> None:
    lan = await survey_to_plant_name(api, 2406)
    await survey_bot.restart()
    _BUILT.clear()  # as in a new process: the form's dialog is made again from its id
    await lan.send("Trạm Yên Hòa")
    assert step_of(await lan.expect("Tỷ lệ hộ")) == (4, 5)
    await lan.send("87,5")
    await lan.expect("Số điện thoại của trạm")
    await lan.press("Bỏ qua")
    await lan.expect("vui lòng kiểm tra")
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    async with survey_db() as session:
        stored = await session.scalar(select(Submission))
    assert stored is not None and stored.answers["plant_name"] == "Trạm Yên Hòa"


# --- the gaps of /baocao and /kiemtra (the rest: tests/e2e/test_form_navigation.py) -------------


async def test_baocao_an_old_button_is_refused_and_the_current_question_shown(
    api: FakeBotAPI, running: RunningBot
) -> None:
    lan = await registered_officer(api, 2407)
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    message, other_month = lan.find_button("Tháng 10/2026")
    await lan.press("Tháng 11/2026")
    await lan.expect("Lĩnh vực")
    await lan.press_data(message, other_month["callback_data"])
    again = await lan.expect("Lĩnh vực")
    assert step_of(again) == (2, 9)
    await lan.expect("Lựa chọn này đã cũ")
    await lan.press("Quay lại")
    period = await lan.expect("Kỳ báo cáo")
    assert "Câu trả lời hiện tại: Tháng 11/2026" in period.text  # not October


@pytest.mark.parametrize("how", ["/huy", "❌ Hủy"])
async def test_baocao_huy_and_the_cancel_button_ask_first(
    api: FakeBotAPI, running: RunningBot, how: str
) -> None:
    lan = await registered_officer(api, 2408)
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.press("Tháng 11/2026")
    await lan.expect("Lĩnh vực")
    await (lan.send(how) if how.startswith("/") else lan.press("Hủy"))
    await lan.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await lan.press("Không, tiếp tục")
    assert step_of(await lan.expect("Lĩnh vực")) == (2, 9)


async def test_kiemtra_skip_after_going_back_clears_the_answer_and_counts_right(
    api: FakeBotAPI, running: RunningBot
) -> None:
    lan = await registered_officer(api, 2409)
    await lan.send("/kiemtra")
    seen = [step_of(await lan.expect("Ngày kiểm tra"))]
    for answer, following in (
        ("25/11/2026", "Tên cơ sở"),
        ("Cơ sở A", "Địa chỉ"),
        ("Số 1 Tràng Tiền", "Loại cơ sở"),
        ("1", "Nội dung kiểm tra"),
        ("1", "<b>Kết quả</b>"),
        ("1", "Ảnh hiện trường"),
        ("bỏ qua", "Vị trí"),
        ("bỏ qua", "Ghi chú"),
    ):
        await lan.send(answer)
        seen.append(step_of(await lan.expect(following)))
    assert seen == [(k, 9) for k in range(1, 10)]
    await lan.send("Đã nhắc nhở")
    await lan.expect("vui lòng kiểm tra")
    await lan.press("Sửa")  # a form's review goes back to an answer through its list
    await edited(lan)
    await lan.press("9. Ghi chú")
    notes = await lan.expect("Ghi chú")
    assert step_of(notes) == (9, 9) and "⏭ Bỏ qua" in notes.buttons
    await lan.press("Bỏ qua")
    review = await lan.expect("vui lòng kiểm tra")
    assert "Đã nhắc nhở" not in review.text

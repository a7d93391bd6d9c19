"""The engine's navigation in registration (/dangky), tried as a new officer would, through the
real bot: back, keep, changing an answer, skip, the step counter, old buttons, cancel,
a restart, and typing everything instead of pressing."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI, FakeUser, Sent
from storage.models import RegistrationStatus, User
from tests.e2e.event_flows import button_data
from tests.harness import RunningBot

Db = async_sessionmaker[AsyncSession]
STEP = re.compile(r"Đăng ký · bước (\d+)/(\d+)")


async def _user(db: Db, user_id: int) -> User | None:
    async with db() as session:
        return await session.get(User, user_id)


def step_of(screen: Sent) -> tuple[int, int]:
    found = STEP.search(screen.text)
    assert found is not None, screen.text
    return int(found[1]), int(found[2])


async def up_to_position(lan: FakeUser, name: str = "Nguyễn Thị Lan") -> Sent:
    await lan.send("/dangky")
    await lan.expect("Họ và tên của bạn")
    await lan.send(name)
    await lan.expect("xã, phường nào")
    await lan.send("cau giay")
    await lan.expect("Bấm chọn đơn vị")
    await lan.press("Phường Cầu Giấy")
    return await lan.expect("Chức vụ của bạn")


async def up_to_review(lan: FakeUser) -> Sent:
    await up_to_position(lan)
    await lan.send("Công chức Văn hóa - Xã hội")
    await lan.expect("Số điện thoại để Sở liên hệ")
    await lan.share_contact("84912345678")
    return await lan.expect("Vui lòng kiểm tra thông tin đăng ký")


async def test_back_shows_the_answer_and_an_answer_goes_to_the_next_question(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = api.user(1101)
    await up_to_position(lan)
    await lan.press("Quay lại")
    unit = await lan.expect("xã, phường nào")
    assert step_of(unit) == (2, 4)
    assert "Câu trả lời hiện tại: Phường Cầu Giấy" in unit.text
    assert "➡️ Giữ nguyên" in unit.buttons
    await lan.press("Quay lại")
    name = await lan.expect("Họ và tên của bạn")
    assert step_of(name) == (1, 4) and "Câu trả lời hiện tại: Nguyễn Thị Lan" in name.text
    await lan.send("Trần Văn Bình")
    again = await lan.expect("xã, phường nào")  # step 2, not 3: nothing is skipped
    assert step_of(again) == (2, 4) and "Phường Cầu Giấy" in again.text
    await lan.press("Giữ nguyên")
    await lan.expect("Chức vụ của bạn")
    await lan.send("Công chức")
    await lan.expect("Số điện thoại")
    await lan.share_contact("84912345678")
    review = await lan.expect("Vui lòng kiểm tra")
    assert "Trần Văn Bình" in review.text and "Phường Cầu Giấy" in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi đăng ký")
    stored = await _user(db, 1101)
    assert stored is not None and (stored.full_name, stored.unit_code) == ("Trần Văn Bình", "167")


async def test_changing_the_unit_from_the_review_keeps_what_does_not_depend_on_it(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """Nothing else in registration depends on the unit: a new unit goes straight back to
    the review with every other answer kept (nothing re-asked for nothing)."""
    lan = api.user(1102)
    await up_to_review(lan)
    await lan.press("Sửa")
    await lan.expect("")  # the review's buttons turn into the list of answers
    await lan.press("Đơn vị")
    unit = await lan.expect("xã, phường nào")
    assert "Câu trả lời hiện tại: Phường Cầu Giấy" in unit.text
    await lan.send("hoa xa")
    found = await lan.expect("Bấm chọn đơn vị")
    assert "Câu trả lời hiện tại: Phường Cầu Giấy" in found.text  # still, until one is pressed
    await lan.press("Xã Hòa Xá")
    review = await lan.expect("Vui lòng kiểm tra")
    for value in ("Nguyễn Thị Lan", "Xã Hòa Xá", "Công chức Văn hóa - Xã hội", "0912 345 678"):
        assert value in review.text
    assert "Cầu Giấy" not in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi đăng ký")
    stored = await _user(db, 1102)
    assert stored is not None and stored.phone_verified and stored.unit_code != "167"


async def test_no_question_can_be_skipped_also_after_going_back(
    api: FakeBotAPI, running: RunningBot
) -> None:
    """Every question of registration is required: none offers Bỏ qua, on the way or after
    going back, and a typed «bỏ qua» is refused, never taken for an answer."""
    lan = api.user(1103)
    position = await up_to_position(lan)
    assert not any("Bỏ qua" in label for label in position.buttons)
    await lan.send("bỏ qua")
    await lan.expect("Câu hỏi này không thể bỏ qua")
    await lan.press("Quay lại")
    unit = await lan.expect("xã, phường nào")
    assert not any("Bỏ qua" in label for label in unit.buttons)
    await lan.send("bo qua")
    await lan.expect("Câu hỏi này không thể bỏ qua")
    await lan.press("Giữ nguyên")
    await lan.send("Công chức")
    phone = await lan.expect("Số điện thoại")
    assert not any("Bỏ qua" in label for label in phone.buttons)
    choose = await lan.expect("Hoặc chọn")  # the buttons under the share keyboard
    assert [label for label in choose.buttons] == ["⬅️ Quay lại", "❌ Hủy"]
    await lan.send("bỏ qua")
    await lan.expect("Câu hỏi này không thể bỏ qua")
    await lan.share_contact("84912345678")
    await lan.expect("Vui lòng kiểm tra")


async def test_the_step_counter_never_contradicts_itself(
    api: FakeBotAPI, running: RunningBot
) -> None:
    lan = api.user(1104)
    start = len(api.sent)
    await up_to_review(lan)
    await lan.press("Sửa")
    await lan.expect("")  # the list of the answers, in place
    await lan.press("Chức vụ")
    await lan.expect("Chức vụ của bạn")
    await lan.press("Quay lại")  # editing from the review: back to the review
    await lan.expect("Vui lòng kiểm tra")
    screens = [e for e in lan.since(start) if e.method == "sendMessage" and STEP.search(e.text)]
    questions = {
        "Họ và tên": 1,
        "xã, phường nào": 2,
        "Bấm chọn đơn vị": 2,
        "Chức vụ": 3,
        "Số điện thoại": 4,
    }
    seen = []
    for screen in screens:
        k, n = step_of(screen)
        expected = next(v for key, v in questions.items() if key in screen.text)
        assert (k, n) == (expected, 4), screen.text
        seen.append(k)
    assert seen == [1, 2, 2, 3, 4, 3]


async def test_an_old_button_is_refused_and_the_question_shown_again(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = api.user(1105)
    await lan.send("/dangky")
    first = await lan.expect("Họ và tên của bạn")
    await lan.send("Nguyễn Thị Lan")
    await lan.expect("xã, phường nào")
    assert first.message is not None
    old = button_data(first.params["reply_markup"], "Hủy")  # the first question's
    await lan.press_data(first.message, old)
    again = await lan.expect("xã, phường nào")  # the current question, sent again
    assert step_of(again) == (2, 4)
    await lan.expect("Lựa chọn này đã cũ")
    await lan.send("cau giay")  # nothing was cancelled
    await lan.expect("Bấm chọn đơn vị")
    assert await _user(db, 1105) is None


async def test_huy_and_the_button_ask_first_and_go_on_where_they_were(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = api.user(1106)
    await up_to_position(lan)
    await lan.send("/huy")
    await lan.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await lan.press("Không, tiếp tục")
    position = await lan.expect("Chức vụ của bạn")
    assert step_of(position) == (3, 4)
    await lan.press("Hủy")
    await lan.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await lan.send("khong")  # typed, as on a messenger without buttons: not an answer
    await lan.expect("bấm một trong các nút")
    await lan.press("Không, tiếp tục")
    await lan.expect("Chức vụ của bạn")
    await lan.send("Công chức")  # every answer is still there
    await lan.expect("Số điện thoại")
    await lan.share_contact("84912345678")
    review = await lan.expect("Vui lòng kiểm tra")
    assert "Nguyễn Thị Lan" in review.text and "Phường Cầu Giấy" in review.text
    await lan.send("/huy")  # from the review too
    await lan.expect("Hủy? Những gì bạn đã nhập sẽ mất")
    await lan.press("Có, hủy")
    await lan.expect("Đã hủy đăng ký")
    assert await _user(db, 1106) is None


async def test_dangky_again_goes_on_where_it_stopped(api: FakeBotAPI, running: RunningBot) -> None:
    lan = api.user(1107)
    await up_to_position(lan)
    await lan.send("/dangky")
    await lan.expect("Bạn đang đăng ký dở")
    position = await lan.expect("Chức vụ của bạn")
    assert step_of(position) == (3, 4)
    await lan.press("Quay lại")  # the answers before are kept
    unit = await lan.expect("xã, phường nào")
    assert "Câu trả lời hiện tại: Phường Cầu Giấy" in unit.text


async def test_a_restart_in_the_middle_of_a_unit_search_loses_nothing(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = api.user(1108)
    await lan.send("/dangky")
    await lan.send("Nguyễn Thị Lan")
    await lan.expect("xã, phường nào")
    await lan.send("quan dong da")
    found = await lan.expect("không còn cấp huyện")

    await running.restart()

    await lan.press("Phường Láng")  # the units found before the restart
    await lan.expect("Chức vụ của bạn")
    await lan.send("Công chức")
    phone = await lan.expect("Số điện thoại")
    assert step_of(phone) == (4, 4) and found.buttons
    await running.restart()
    await lan.send("+84 912 345 678")
    review = await lan.expect("Vui lòng kiểm tra")
    assert "Phường Láng" in review.text and "0912 345 678 (chưa xác minh)" in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi đăng ký")
    stored = await _user(db, 1108)
    assert stored is not None and stored.status is RegistrationStatus.PENDING


async def test_registering_by_typing_only(api: FakeBotAPI, running: RunningBot, db: Db) -> None:
    """What a user of a messenger without buttons does, here on Telegram: numbers for the
    choices, words for the navigation, the phone typed instead of shared."""
    lan = api.user(1109)
    await lan.send("/dangky")
    await lan.expect("Họ và tên của bạn")
    await lan.send("nguyễn thị lan")
    await lan.expect("xã, phường nào")
    await lan.send("quay lại")
    name = await lan.expect("Họ và tên của bạn")
    assert "Câu trả lời hiện tại: Nguyễn Thị Lan" in name.text
    await lan.send("giu nguyen")
    await lan.expect("xã, phường nào")
    await lan.send("bỏ qua")
    await lan.expect("không thể bỏ qua")
    await lan.send("hoa")
    found = await lan.expect("Bấm chọn đơn vị")
    number = found.buttons.index("Xã Hòa Xá") + 1
    await lan.send(str(number))
    await lan.expect("Chức vụ của bạn")
    await lan.send("Công chức Văn hóa - Xã hội")
    await lan.expect("Số điện thoại")
    await lan.send("0912 345 678")
    review = await lan.expect("Vui lòng kiểm tra")
    assert "0912 345 678 (chưa xác minh)" in review.text
    await lan.send("2")  # ✏️ Sửa
    await lan.expect("")  # the list of the answers, in place
    await lan.send("3")  # Chức vụ
    await lan.expect("Chức vụ của bạn")
    await lan.send("Phó Chủ tịch UBND xã")
    await lan.expect("Vui lòng kiểm tra")
    await lan.send("1")  # ✅ Gửi
    await lan.expect("Đã gửi đăng ký")
    stored = await _user(db, 1109)
    assert stored is not None
    assert (stored.full_name, stored.position, stored.phone, stored.phone_verified) == (
        "Nguyễn Thị Lan",
        "Phó Chủ tịch UBND xã",
        "+84912345678",
        False,
    )

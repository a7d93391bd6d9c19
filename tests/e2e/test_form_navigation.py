"""The engine's navigation in the report forms (issue 12), tried as a new officer would,
through the real bot: /baocao and /kiemtra."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI, FakeUser, Sent
from handlers.forms.dialog import _BUILT
from storage.models import Submission
from tests.e2e.flows import registered_officer
from tests.harness import RunningBot

Db = async_sessionmaker[AsyncSession]
STEP = re.compile(r"bước (\d+)/(\d+)")


def step_of(sent: Sent) -> tuple[int, int]:
    found = STEP.search(sent.text)
    assert found is not None, sent.text
    return int(found.group(1)), int(found.group(2))


async def report_to_budget(lan: FakeUser) -> None:
    """/baocao up to step 6 of 9 (Kinh phí)."""
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.press("Tháng 11/2026")
    await lan.expect("Lĩnh vực")
    await lan.send("1")
    await lan.expect("Số hoạt động")
    await lan.send("3")
    await lan.expect("Số người tham gia")
    await lan.send("120")
    await lan.expect("Nội dung chính")
    await lan.send("Tuyên truyền về đo lường")
    assert step_of(await lan.expect("Kinh phí")) == (6, 9)


async def inspection_to_type(lan: FakeUser) -> None:
    """/kiemtra with two wrong answers (a name and an address typed the wrong way round)."""
    await lan.send("/kiemtra")
    await lan.expect("Ngày kiểm tra")
    await lan.send("25/11/2026")
    await lan.expect("Tên cơ sở")
    await lan.send("12 Trần Duy Hưng")
    await lan.expect("Địa chỉ")
    await lan.send("Cửa hàng xăng dầu số 5")
    await lan.expect("Loại cơ sở")


async def test_baocao_back_twice_then_an_answer_shows_the_next_step(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2301)
    await report_to_budget(lan)
    await lan.press("Quay lại")
    assert step_of(await lan.expect("Nội dung chính")) == (5, 9)
    await lan.press("Quay lại")
    asked = await lan.expect("Số người tham gia")
    assert step_of(asked) == (4, 9) and "Câu trả lời hiện tại: 120" in asked.text
    await lan.send("12")
    again = await lan.expect("<b>")
    assert "Nội dung chính" in again.text and step_of(again) == (5, 9)  # not 6/9
    assert "Tuyên truyền về đo lường" in again.text and "Giữ nguyên" in " ".join(again.buttons)
    await lan.press("Giữ nguyên")
    assert step_of(await lan.expect("Kinh phí")) == (6, 9)


async def test_baocao_skip_after_going_back_clears_the_answer(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2302)
    await report_to_budget(lan)
    await lan.press("Quay lại")
    await lan.expect("Nội dung chính")
    await lan.press("Quay lại")
    asked = await lan.expect("Số người tham gia")
    assert "Bỏ qua" in " ".join(asked.buttons) and "Giữ nguyên" in " ".join(asked.buttons)
    await lan.press("Bỏ qua")
    await lan.expect("Nội dung chính")
    await lan.press("Giữ nguyên")
    for following in ("Kinh phí", "Khó khăn", "Kiến nghị", "Ảnh / tài liệu"):
        await lan.expect(following)
        await lan.press("Bỏ qua")
    review = await lan.expect("vui lòng kiểm tra")
    assert "Số người tham gia: <b>—</b>" in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    async with db() as session:
        stored = await session.scalar(select(Submission))
    assert stored is not None and stored.answers["participant_count"] is None


async def test_baocao_counter_never_contradicts_itself(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2303)
    await lan.send("/baocao")
    assert step_of(await lan.expect("Kỳ báo cáo")) == (1, 9)
    await lan.press("Tháng 11/2026")
    await lan.expect("Lĩnh vực")
    await lan.send("1, 10")  # with "Chuyển đổi số": one question more
    assert step_of(await lan.expect("Hoạt động chuyển đổi số")) == (3, 10)
    await lan.press("Quay lại")
    assert step_of(await lan.expect("Lĩnh vực")) == (2, 10)
    await lan.send("1")  # without it: one question less, said at once
    assert step_of(await lan.expect("Số hoạt động")) == (3, 9)
    seen: list[tuple[int, int]] = []
    for answer, following in (
        ("2", "Số người tham gia"),
        ("bỏ qua", "Nội dung chính"),
        ("Nội dung", "Kinh phí"),
        ("bỏ qua", "Khó khăn"),
        ("bỏ qua", "Kiến nghị"),
        ("bỏ qua", "Ảnh / tài liệu"),
    ):
        await lan.send(answer)
        seen.append(step_of(await lan.expect(following)))
    assert seen == [(k, 9) for k in range(4, 10)]


async def test_kiemtra_a_changed_date_asks_the_following_answers_again(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2304)
    await inspection_to_type(lan)
    await lan.press("Quay lại")
    await lan.expect("Địa chỉ")
    await lan.press("Quay lại")
    await lan.expect("Tên cơ sở")
    await lan.press("Quay lại")
    await lan.expect("Ngày kiểm tra")
    await lan.send("24/11/2026")
    # The next question again, with its (wrong) answer shown to change — not kept silently.
    name = await lan.expect("<b>")
    assert "Tên cơ sở" in name.text and "Câu trả lời hiện tại: 12 Trần Duy Hưng" in name.text
    await lan.send("Cửa hàng xăng dầu số 5")
    address = await lan.expect("<b>")
    assert "Địa chỉ" in address.text and "Câu trả lời hiện tại: Cửa hàng xăng dầu" in address.text
    await lan.send("12 Trần Duy Hưng")
    await lan.expect("Loại cơ sở")
    # A changed result drops the answers that depended on it, and the review says so.
    await lan.press("Cơ sở sản xuất")
    await lan.expect("Nội dung kiểm tra")
    await lan.send("1")
    await lan.expect("<b>Kết quả</b>")
    await lan.press("Có vi phạm")
    await lan.expect("Số lỗi vi phạm")
    await lan.send("2")
    await lan.expect("Mô tả vi phạm")
    await lan.press("Quay lại")
    await lan.expect("Số lỗi vi phạm")
    await lan.press("Quay lại")
    await lan.expect("<b>Kết quả</b>")
    await lan.press("Không phát hiện vi phạm")
    await lan.expect("Ảnh hiện trường")
    for following in ("Vị trí", "Ghi chú", "vui lòng kiểm tra"):
        await lan.press("Bỏ qua")
        review = await lan.expect(following)
        if following == "Vị trí":
            # The share-location keyboard comes first, the inline buttons in the next message.
            await lan.expect("Hoặc chọn:")
    assert "Số lỗi vi phạm" not in review.text
    assert "Tên cơ sở được kiểm tra: <b>Cửa hàng xăng dầu số 5</b>" in review.text
    assert "24/11/2026" in review.text


async def test_kiemtra_an_old_button_is_refused_and_the_current_screen_shown(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2305)
    await lan.send("/kiemtra")
    first = await lan.expect("Ngày kiểm tra")
    await lan.press("Hôm nay")
    await lan.expect("Tên cơ sở")
    assert first.message is not None
    data = next(
        b["callback_data"]
        for row in first.params["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "Hôm qua"
    )
    start = len(api.sent)
    await lan.press_data(first.message, data)
    refused = await lan.expect("Lựa chọn này đã cũ")
    assert refused.method == "answerCallbackQuery"
    # The current question again.
    assert any(e.method == "sendMessage" and "Tên cơ sở" in e.text for e in lan.since(start))
    await lan.send("Cơ sở A")
    await lan.expect("Địa chỉ")
    await lan.press("Quay lại")
    back = await lan.expect("Tên cơ sở")
    assert "Câu trả lời hiện tại: Cơ sở A" in back.text


async def test_kiemtra_huy_asks_first_when_answers_would_be_lost(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2306)
    await lan.send("/kiemtra")
    await lan.expect("Ngày kiểm tra")
    await lan.send("/huy")
    await lan.expect("Đã hủy")  # nothing answered: nothing to lose, no question
    await lan.send("/kiemtra")
    await lan.expect("Ngày kiểm tra")
    await lan.send("25/11/2026")
    await lan.expect("Tên cơ sở")
    await lan.send("/huy")
    await lan.expect("sẽ mất")
    await lan.press("Không, tiếp tục")
    await lan.expect("Tên cơ sở")
    await lan.press("Hủy")  # the button: the same question
    await lan.expect("sẽ mất")
    await lan.send("/huy")  # /huy on the question: yes
    await lan.expect("Đã hủy")
    async with db() as session:
        assert await session.scalar(select(Submission)) is None


async def test_baocao_and_kiemtra_resume_after_a_restart(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2307)
    await lan.send("/kiemtra")
    await lan.expect("Ngày kiểm tra")
    await lan.send("25/11/2026")
    question = await lan.expect("Tên cơ sở")
    await running.restart()
    _BUILT.clear()  # as in a new process: the form's dialog is made again from its id
    # A button of the screen from before the restart still works: it is the current one.
    await lan.press("Quay lại")
    await lan.expect("Ngày kiểm tra")
    await lan.press("Giữ nguyên")
    await lan.expect("Tên cơ sở")
    assert question.message is not None
    await lan.send("Cơ sở A")
    await lan.expect("Địa chỉ")
    await running.restart()
    _BUILT.clear()
    await lan.send("/baocao")  # another form: continue this one, or drop it for the new one?
    asked = await lan.expect("nhập dở (2 câu trả lời)")
    # The question names the form that opens instead ("start again" would say the old one).
    assert "bỏ bản dở để mở Báo cáo hoạt động KH&CN?" in asked.text
    await lan.press("Bỏ bản dở, mở biểu mẫu mới")
    await lan.expect("Kỳ báo cáo")
    await lan.send("11/2026")
    await lan.expect("Lĩnh vực")
    await running.restart()
    await lan.send("1")
    await lan.expect("Số hoạt động")

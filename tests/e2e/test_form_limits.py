"""Forms at their limits: every field at its maximum, Telegram's message lengths, invisible
characters, and a replacement whose period is changed (issue 15, items 8, 9 and 11)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.text import CAPTION_MAX, MESSAGE_MAX, visible_length
from bot.emulator import FakeBotAPI, FakeUser
from bot.forms import (
    Accepted,
    ChoicesInput,
    Field,
    FilesInput,
    FormDefinition,
    LocationInput,
    RawInput,
    TextInput,
    answer,
    load_definitions,
    next_field,
    relevant_fields,
)
from storage.models import Submission, SubmissionStatus, User
from tests.e2e.flows import registered_officer
from tests.harness import ADMIN_ID, NOW, RunningBot

Db = async_sessionmaker[AsyncSession]
TODAY = NOW.date()


def _longest_text(length: int) -> str:
    """Vietnamese with the characters HTML must escape, `length` characters, no edge spaces."""
    words = "Nội dung <b>&amp;</b> \"trích dẫn\" & 'lưu ý' < > "
    text = (words * (length // len(words) + 1))[:length]
    return text[:-1] + "x" if text.endswith(" ") else text


def _most_relevant(form: FormDefinition, answers: dict[str, Any], field: Field) -> int:
    """The choice (1-based) after which the most questions are asked: every branch is filled."""

    def asked(index: int) -> int:
        value = field.choices[index].name
        return len(relevant_fields(form, {**answers, field.name: value}))

    return max(range(len(field.choices)), key=asked) + 1


async def _answer_at_maximum(
    user: FakeUser, form: FormDefinition, answers: dict[str, Any], field: Field
) -> RawInput:
    """Send the longest, fullest answer `field` takes; returns the same input for the engine."""
    raw: RawInput
    if field.type == "text":
        raw = TextInput(_longest_text(field.max_length))
    elif field.type in ("integer", "decimal", "money"):
        raw = TextInput("123456789")
    elif field.type == "date":
        raw = TextInput(TODAY.strftime("%d/%m/%Y"))
    elif field.type == "month":
        raw = TextInput(f"{TODAY.month:02d}/{TODAY.year}")
    elif field.type == "select_one":
        raw = TextInput(str(_most_relevant(form, answers, field)))
    elif field.type == "select_multiple":
        raw = TextInput(", ".join(str(n) for n in range(1, len(field.choices) + 1)))
    elif field.type == "yes_no":
        raw = TextInput("có")
    elif field.type == "phone":
        raw = TextInput("0912 345 678")
    elif field.type == "location":
        await user.send_location(21.0245, 105.8412)
        return LocationInput(21.0245, 105.8412)
    else:  # photo, document: as many as allowed, each with the longest caption
        files: list[dict[str, Any]] = []
        for n in range(1, field.max_count + 1):
            file_id = f"AgAC{field.name}{n}"
            caption = _longest_text(CAPTION_MAX)
            await user.send_photo(file_id, caption=caption)
            await user.expect(f"Đã nhận {n}")
            files.append(
                {
                    "file_id": file_id,
                    "file_unique_id": "u" + file_id,
                    "type": "photo",
                    "size": 54_321,
                    "caption": caption,
                }
            )
        await user.press("Xong")
        return FilesInput(tuple(files))
    assert isinstance(raw, TextInput)
    await user.send(raw.text)
    return (
        raw
        if field.type != "select_multiple"
        else ChoicesInput(tuple(c.name for c in field.choices))
    )


async def test_every_field_of_every_form_at_its_maximum_is_sent_and_reaches_staff(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    forms = load_definitions()
    lan = await registered_officer(api, 2101)
    admin = api.user(ADMIN_ID)
    for number, form in enumerate(forms.values(), start=1):
        start = len(api.sent)
        await lan.send("/bieumau")
        await lan.expect("biểu mẫu nào")
        await lan.press(form.title.get("vi"))
        answers: dict[str, Any] = {}
        while (field := next_field(form, answers)) is not None:
            await lan.expect(f"<b>{field.label.get('vi')}</b>")
            raw = await _answer_at_maximum(lan, form, answers, field)
            taken = answer(form, answers, field.name, raw, today=TODAY)
            assert isinstance(taken, Accepted), (field.name, taken)
            answers = taken.answers
        first_page = await lan.expect("vui lòng kiểm tra")
        review = (
            await lan.expect("")
            if "inline_keyboard" not in str(first_page.params.get("reply_markup"))
            else first_page
        )
        while "Gửi" not in " ".join(review.buttons):
            review = await lan.expect("")
        pages = [e for e in lan.since(first_page.seq) if e.seq <= review.seq]
        shown = sum(visible_length(p.text) for p in pages)
        # The whole review is longer than one message: it came in pages, each within the limit.
        assert shown > MESSAGE_MAX and len(pages) > 1, (form.id, shown)
        await lan.press("Gửi")
        await lan.expect("Đã gửi. Mã số")
        async with db() as session:
            stored = (await session.scalars(select(Submission).order_by(Submission.id))).all()
        assert len(stored) == number and stored[-1].form_id == form.id
        assert stored[-1].answers == answers
        # The staff card arrives whole: every page, the buttons on the last, then the photos.
        await admin.expect(f"#{stored[-1].id}")
        card = await api.wait_for(
            lambda e: e.chat_id == ADMIN_ID and "Đã tiếp nhận" in " ".join(e.buttons), after=start
        )
        assert card.method == "sendMessage"
        files: int = sum(
            len(v) for v in answers.values() if isinstance(v, list) and v and isinstance(v[0], dict)
        )
        photos = await api.wait_for(
            lambda e, n=files: (
                e.chat_id == ADMIN_ID and e.method == "sendPhoto" and f"({n}/{n})" in e.text
            ),
            after=start,
        )
        assert visible_length(photos.text) <= CAPTION_MAX
    # Nothing the bot sent anyone was over Telegram's limits (the fake API refuses it).
    for event in api.sent:
        if event.method in ("sendMessage", "editMessageText"):
            assert visible_length(event.text) <= MESSAGE_MAX
        elif event.method in ("sendPhoto", "sendDocument"):
            assert visible_length(event.text) <= CAPTION_MAX


async def test_the_fake_bot_api_refuses_what_telegram_refuses(
    api: FakeBotAPI, running: RunningBot
) -> None:
    assert running.app is not None
    bot = running.app.bot
    from aiogram.exceptions import TelegramBadRequest

    await bot.send_message(ADMIN_ID, "&amp;" * MESSAGE_MAX)  # 4,096 once the HTML is read
    for too_long in ("x" * (MESSAGE_MAX + 1), "😀" * (MESSAGE_MAX // 2 + 1)):
        try:
            await bot.send_message(ADMIN_ID, too_long)
        except TelegramBadRequest as error:
            assert "message is too long" in error.message
        else:
            raise AssertionError("an over-long message was accepted")
    try:
        await bot.send_photo(ADMIN_ID, "AgACx", caption="y" * (CAPTION_MAX + 1))
    except TelegramBadRequest as error:
        assert "message caption is too long" in error.message
    else:
        raise AssertionError("an over-long caption was accepted")


INVISIBLE = "\u202e\u200b\u2066\ufeff\u200f"


async def test_free_text_loses_bidirectional_and_zero_width_characters(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2102, name=f"Nguyễn{INVISIBLE} Thị\u200b Lan\u2069")
    async with db() as session:
        person = await session.get(User, 2102)
    assert person is not None and person.full_name == "Nguyễn Thị Lan"
    await lan.send("/kiemtra")
    await lan.expect("Ngày kiểm tra")
    await lan.send("25/11/2026")
    await lan.expect("Tên cơ sở")
    await lan.send(f"Cơ sở{INVISIBLE} Minh\u202d Phát")
    await lan.expect("Địa chỉ")
    await lan.send(f"{INVISIBLE}")
    await lan.expect("không được để trống")
    await lan.send("5 Cầu Giấy")
    await lan.expect("Loại cơ sở")
    await lan.send("1")
    await lan.expect("Nội dung kiểm tra")
    await lan.send("1")
    await lan.expect("<b>Kết quả</b>")
    await lan.press("Không phát hiện vi phạm")
    for following in ("Ảnh hiện trường", "Hoặc chọn", "Ghi chú"):
        await lan.expect(following)
        await lan.press("Bỏ qua")
    review = await lan.expect("vui lòng kiểm tra")
    assert "Cơ sở Minh Phát" in review.text and not any(c in review.text for c in INVISIBLE)
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    async with db() as session:
        stored = await session.scalar(select(Submission))
    assert stored is not None and stored.answers["facility_name"] == "Cơ sở Minh Phát"
    card = await api.user(ADMIN_ID).expect(f"#{stored.id}")
    assert not any(c in card.text for c in INVISIBLE)


async def _report_for(lan: FakeUser, month_button: str) -> None:
    """A short activity report for the month on `month_button`, sent."""
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.press(month_button)
    await lan.expect("Lĩnh vực")
    await lan.send("1")
    await lan.expect("Số hoạt động")
    await lan.send("2")
    await lan.expect("Số người")
    await lan.press("Bỏ qua")
    await lan.expect("Nội dung chính")
    await lan.send(f"Báo cáo {month_button}")
    for following in ("Kinh phí", "Khó khăn", "Kiến nghị", "Ảnh / tài liệu"):
        await lan.expect(following)
        await lan.press("Bỏ qua")
    await lan.expect("vui lòng kiểm tra")
    await lan.press("Gửi")
    await lan.expect("Đã gửi")


async def _replace_october_then_move_to_november(lan: FakeUser) -> None:
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.press("Tháng 10/2026")
    await lan.expect("Đơn vị đã gửi báo cáo")
    await lan.press("Thay thế")
    await lan.expect("Lĩnh vực")
    await lan.send("2")
    await lan.expect("Số hoạt động")
    await lan.send("5")
    await lan.expect("Số người")
    await lan.press("Bỏ qua")
    await lan.expect("Nội dung chính")
    await lan.send("Bản thay thế")
    for following in ("Kinh phí", "Khó khăn", "Kiến nghị", "Ảnh / tài liệu", "vui lòng kiểm tra"):
        await lan.expect(following)
        if following != "vui lòng kiểm tra":
            await lan.press("Bỏ qua")
    await lan.press("Sửa")
    await lan.expect("")
    await lan.press("Kỳ báo cáo")
    await lan.expect("<b>Kỳ báo cáo</b>")
    await lan.press("Tháng 11/2026")


async def test_a_replacement_moved_to_another_period_is_a_new_report(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2103)
    await _report_for(lan, "Tháng 10/2026")
    await _replace_october_then_move_to_november(lan)
    await lan.expect("vui lòng kiểm tra")
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    october, november = await _all(db)
    # October's report stays live; November's is new, replacing nothing.
    assert october.status is SubmissionStatus.SUBMITTED and october.period == "2026-10"
    assert november.period == "2026-11" and november.replaces_id is None


async def test_moving_a_replacement_to_a_reported_period_asks_to_replace_that_one(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2104)
    await _report_for(lan, "Tháng 10/2026")
    await _report_for(lan, "Tháng 11/2026")
    await _replace_october_then_move_to_november(lan)
    october, november = await _all(db)
    asked = await lan.expect("Đơn vị đã gửi báo cáo")
    assert f"#{november.id}" in asked.text
    # Another period can be chosen instead, keeping the answers; November again asks again.
    await lan.press("Chọn kỳ khác")
    await lan.expect("<b>Kỳ báo cáo</b>")
    await lan.press("Tháng 11/2026")
    await lan.expect("Đơn vị đã gửi báo cáo")
    await lan.press("Thay thế")
    await lan.expect("vui lòng kiểm tra")
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    october, november, replacement = await _all(db)
    assert october.status is SubmissionStatus.SUBMITTED
    assert november.status is SubmissionStatus.REPLACED
    assert replacement.replaces_id == november.id and replacement.period == "2026-11"
    assert replacement.answers["main_content"] == "Bản thay thế"


async def _all(db: Db) -> list[Submission]:
    async with db() as session:
        return list((await session.scalars(select(Submission).order_by(Submission.id))).all())


async def test_my_submissions_with_long_comments_come_in_pages(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2105)
    async with db() as session:
        for n in range(10):
            session.add(
                Submission(
                    form_id="inspection",
                    form_version=2,
                    unit_code="167",
                    officer_id=2105,
                    answers={},
                    status=SubmissionStatus.NEEDS_REVISION,
                    draft_token=f"00000000-0000-0000-0000-{n:012d}",
                    staff_comment=f"Góp ý {n} " + "bổ sung & sửa " * 70,
                )
            )
        await session.commit()
    await lan.send("/cuatoi")
    first = await lan.expect("Các hồ sơ gửi gần đây")
    last = first
    while len(last.buttons) < 10:
        last = await lan.expect("")
    pages = [e for e in lan.since(first.seq) if e.seq <= last.seq]
    assert len(pages) > 1 and all(visible_length(p.text) <= MESSAGE_MAX for p in pages)
    assert sum(p.text.count("Góp ý") for p in pages) == 10

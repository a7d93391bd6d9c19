"""Report forms end to end: every field type, wrong inputs, back/skip/edit/cancel, restart,
double tap, the revision round trip and another unit's officer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI, FakeUser
from storage.models import Attachment, Submission, SubmissionStatus
from tests.e2e.flows import WATER_SURVEY, registered_officer
from tests.harness import ADMIN_ID, RunningBot

Db = async_sessionmaker[AsyncSession]


async def _submissions(db: Db) -> list[Submission]:
    async with db() as session:
        return list((await session.scalars(select(Submission).order_by(Submission.id))).all())


async def fill_activity_report(lan: FakeUser, *, attach: bool = True) -> None:
    """/baocao from the first question to the review screen, with every kind of answer."""
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.press("Tháng 11/2026")
    await lan.expect("Lĩnh vực")
    await lan.press("Sở hữu trí tuệ")
    toggled = await lan.expect("")
    assert toggled.method == "editMessageReplyMarkup" and "✅ Sở hữu trí tuệ" in toggled.buttons
    await lan.press("Khác")
    await lan.expect("")
    await lan.press("Xong")
    await lan.expect("Lĩnh vực khác")
    await lan.send("Hội thảo khởi nghiệp")
    await lan.expect("Số hoạt động")
    await lan.send("3")
    await lan.expect("Số người tham gia")
    await lan.press("Bỏ qua")
    await lan.expect("Nội dung chính")
    await lan.send("Tập huấn về sở hữu trí tuệ cho 3 hợp tác xã")
    await lan.expect("Kinh phí")
    await lan.send("1,5 triệu")
    await lan.expect("Khó khăn")
    await lan.press("Kinh phí hạn hẹp")
    await lan.expect("")
    await lan.press("Xong")
    await lan.expect("Kiến nghị")
    await lan.press("Bỏ qua")
    await lan.expect("Ảnh / tài liệu")
    if attach:
        await lan.send_photo("AgACphotoA", size=80_000)
        await lan.expect("Đã nhận 1")
        await lan.send_document("ke_hoach.pdf", "BQACdocB", size=120_000)
        await lan.expect("Đã nhận 2")
        await lan.press("Xong")
    else:
        await lan.press("Bỏ qua")
    await lan.expect("vui lòng kiểm tra trước khi gửi")


async def test_activity_report_end_to_end(api: FakeBotAPI, running: RunningBot, db: Db) -> None:
    lan = await registered_officer(api, 2001)
    await fill_activity_report(lan)
    review = lan.since(0)[-1]
    for shown in (
        "Tháng 11/2026",
        "Sở hữu trí tuệ",
        "Hội thảo khởi nghiệp",
        "1.500.000 đ",
        "Kinh phí hạn hẹp",
        "Phường Cầu Giấy",
    ):
        assert shown in review.text, shown
    await lan.press("Gửi")
    sent = await lan.expect("Đã gửi. Mã số")
    [stored] = await _submissions(db)
    assert f"#{stored.id}" in sent.text
    # The form's title once: the header, not again above the answers.
    assert review.text.count("Báo cáo hoạt động KH&amp;CN") == 1, review.text
    assert stored.period == "2026-11" and stored.unit_code == "167" and stored.officer_id == 2001
    assert stored.answers["budget_used"] == 1_500_000 and stored.answers["activity_count"] == 3
    assert stored.answers["participant_count"] is None
    assert stored.answers["areas"] == ["intellectual_property", "other"]
    async with db() as session:
        files = (await session.scalars(select(Attachment).order_by(Attachment.id))).all()
    assert [(f.kind, f.file_id, f.size) for f in files] == [
        ("photo", "AgACphotoA", 80_000),
        ("document", "BQACdocB", 120_000),
    ]
    admin = api.user(ADMIN_ID)
    card = await admin.expect(f"#{stored.id}")
    assert "Báo cáo hoạt động KH&amp;CN" in card.text and "Đã tiếp nhận" in " ".join(card.buttons)
    photo = await api.wait_for(lambda e: e.chat_id == ADMIN_ID and e.method == "sendPhoto")
    assert photo.params["photo"] == "AgACphotoA"
    await api.wait_for(lambda e: e.chat_id == ADMIN_ID and e.method == "sendDocument")


async def test_inspection_with_violation_location_and_photos(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2002)
    await lan.send("/kiemtra")
    await lan.expect("Ngày kiểm tra")
    await lan.send("28/11/2026")
    await lan.expect("Ngày này chưa đến")
    await lan.send("31/02/2026")
    await lan.expect("không phải là ngày có thật")
    await lan.send_sticker()
    await lan.expect("ngày/tháng/năm")
    await lan.press("Hôm qua")
    await lan.expect("Tên cơ sở")
    await lan.send("   ")
    await lan.expect("không được để trống")
    await lan.send("x" * 301)
    await lan.expect("quá dài")
    await lan.send("Cửa hàng xăng dầu số 5")
    await lan.expect("Địa chỉ")
    await lan.send("12 Trần Duy Hưng")
    await lan.expect("Loại cơ sở")
    await lan.send("hello")
    await lan.expect("chọn một mục")
    await lan.press("Cửa hàng xăng dầu")
    await lan.expect("Nội dung kiểm tra")
    await lan.press("Xong")
    await lan.expect("ít nhất một mục")
    await lan.press("Đo lường")
    await lan.expect("")
    await lan.press("Xong")
    await lan.expect("<b>Kết quả</b>")
    await lan.press("Có vi phạm")
    await lan.expect("Số lỗi vi phạm")
    await lan.send("hai")
    await lan.expect("số nguyên")
    await lan.send("2")
    await lan.expect("Mô tả vi phạm")
    await lan.send("Cột đo sai số vượt mức cho phép")
    await lan.expect("Hình thức xử lý")
    await lan.press("Xử phạt vi phạm hành chính")
    await lan.expect("")
    await lan.press("Xong")
    await lan.expect("Số tiền phạt")
    await lan.send("-5tr")
    await lan.expect("")
    await lan.send("mười triệu")
    await lan.expect("số tiền")
    await lan.send("15tr")
    await lan.expect("Ảnh hiện trường")
    # The inspection record as a PDF is accepted beside the photos (issue 14.9).
    await lan.send_document("bien_ban.pdf", "BQACrecord")
    await lan.expect("Đã nhận 1")
    await lan.send_photo("AgACscene1", caption="Cột đo số 2 \u202esai số\u200b")
    await lan.expect("Đã nhận 2")
    await lan.send_photo("AgACscene2")
    await lan.expect("Đã nhận 3")
    await lan.press("Xong")
    await lan.expect("Vị trí")
    assert any(b.get("request_location") for b in lan.reply_keyboard())
    await lan.send_location(21.0245, 105.8412)
    await lan.expect("Ghi chú")
    await lan.press("Bỏ qua")
    review = await lan.expect("vui lòng kiểm tra")
    assert "15.000.000 đ" in review.text and "26/11/2026" in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    [stored] = await _submissions(db)
    assert stored.form_id == "inspection" and stored.period is None
    assert stored.answers["fine_amount"] == 15_000_000
    assert stored.answers["location"] == {"lat": 21.0245, "lon": 105.8412}
    assert stored.answers["inspection_date"] == "2026-11-26"
    # The caption reaches the database (cleaned) and staff, with the field's name in Vietnamese.
    async with db() as session:
        files = (await session.scalars(select(Attachment).order_by(Attachment.id))).all()
    assert [(f.kind, f.caption) for f in files] == [
        ("document", None),
        ("photo", "Cột đo số 2 sai số"),
        ("photo", None),
    ]
    record = await api.wait_for(lambda e: e.chat_id == ADMIN_ID and e.method == "sendDocument")
    assert record.text == f"#{stored.id} · Ảnh hiện trường, biên bản (1/3) · bien_ban.pdf"
    photo = await api.wait_for(
        lambda e: e.chat_id == ADMIN_ID and e.method == "sendPhoto" and "(2/3)" in e.text
    )
    assert photo.text == (
        f"#{stored.id} · Ảnh hiện trường, biên bản (2/3)\n<i>Cột đo số 2 sai số</i>"
    )
    assert "photo" not in photo.text


async def test_no_violation_skips_the_violation_questions(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2003)
    await lan.send("/kiemtra")
    await lan.expect("Ngày kiểm tra")
    await lan.send("20/11")
    await lan.expect("Tên cơ sở")
    await lan.send("Chợ Nghĩa Tân")
    await lan.expect("Địa chỉ")
    await lan.send("Nghĩa Tân")
    await lan.expect("Loại cơ sở")
    await lan.send("2")  # a choice typed by its number
    await lan.expect("Nội dung kiểm tra")
    await lan.send("1, 3")
    await lan.expect("<b>Kết quả</b>")
    await lan.press("Không phát hiện vi phạm")
    await lan.expect("Ảnh hiện trường")
    await lan.press("Bỏ qua")
    await lan.expect("Vị trí")
    # The share-location keyboard comes first, the inline buttons in the next message.
    await lan.expect("Hoặc chọn:")
    await lan.press("Bỏ qua")
    await lan.expect("Ghi chú")
    await lan.send("Đã nhắc nhở niêm yết giá")
    review = await lan.expect("vui lòng kiểm tra")
    assert "Số tiền phạt" not in review.text and "Mô tả vi phạm" not in review.text
    # Change the result to a violation: the violation questions are now asked, then the review.
    await lan.press("Sửa")
    await lan.expect("")
    await lan.press("Kết quả")
    await lan.expect("<b>Kết quả</b>")
    await lan.press("Có vi phạm")
    await lan.expect("Số lỗi vi phạm")
    await lan.press("Quay lại")
    await lan.expect("<b>Kết quả</b>")
    await lan.press("Không phát hiện vi phạm")
    review = await lan.expect("vui lòng kiểm tra")
    assert "Số lỗi vi phạm" not in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    [stored] = await _submissions(db)
    assert (
        "violation_count" not in stored.answers
        and stored.answers["notes"] == "Đã nhắc nhở niêm yết giá"
    )


async def test_back_keep_cancel_and_stale_buttons(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2004)
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.press("Tháng 10/2026")
    await lan.expect("Lĩnh vực")
    await lan.press("Môi trường")
    await lan.expect("")
    await lan.press("Xong")
    await lan.expect("Số hoạt động")
    await lan.press("Quay lại")
    back = await lan.expect("Lĩnh vực")
    assert "Câu trả lời hiện tại: Môi trường" in back.text
    await lan.press("Giữ nguyên")
    await lan.expect("Số hoạt động")
    # A button of an answered question changes nothing.
    # (as it was first sent, before its buttons were taken away)
    asked = next(e for e in lan.since(0) if "Tháng 11/2026" in e.buttons)
    assert asked.message is not None
    data = next(
        b["callback_data"]
        for row in asked.params["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "Tháng 11/2026"
    )
    await lan.press_data(asked.message, data)
    await lan.expect("đã được trả lời")
    await lan.press("Hủy")
    await lan.expect("sẽ mất")
    await lan.press("Không, tiếp tục")
    await lan.expect("Số hoạt động")
    await lan.send("-1")
    await lan.expect("không thể âm")
    await lan.press("Hủy")
    await lan.expect("sẽ mất")
    await lan.press("Có, hủy")
    await lan.expect("Đã hủy")
    assert await _submissions(db) == []


async def test_restart_mid_form_and_resume_offer(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2005)
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.send("10/2026")
    await lan.expect("Lĩnh vực")
    await lan.send("6")
    await lan.expect("Số hoạt động")

    await running.restart()

    await lan.send("4")
    await lan.expect("Số người tham gia")
    await lan.send("/baocao")
    await lan.expect("nhập dở (3 câu trả lời)")
    await lan.press("Tiếp tục")
    await lan.expect("Số người tham gia")
    await lan.send("25")
    await lan.expect("Nội dung chính")


async def test_double_tap_on_send_stores_one(api: FakeBotAPI, running: RunningBot, db: Db) -> None:
    lan = await registered_officer(api, 2006)
    await fill_activity_report(lan, attach=False)
    message, button = lan.find_button("Gửi")
    await lan.press_data(message, button["callback_data"], times=2)
    await lan.press_data(message, button["callback_data"])
    await lan.expect("Đã gửi. Mã số")
    await lan.send("/help")
    await lan.expect("Các lệnh")
    assert len(await _submissions(db)) == 1
    assert sum("Đã gửi. Mã số" in e.text for e in lan.since(0)) == 1


async def test_second_report_for_a_period_replaces_and_keeps_the_first(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2007)
    await fill_activity_report(lan, attach=False)
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.press("Tháng 11/2026")
    await lan.expect("Đơn vị đã gửi báo cáo kỳ này rồi (Tháng 11/2026")
    await lan.press("Thay thế")
    await lan.expect("Lĩnh vực")
    await lan.send("1")
    await lan.send("2")
    await lan.expect("Số người")
    await lan.send("10")
    await lan.send("Phổ biến kiến thức")
    await lan.expect("Kinh phí")
    for following in ("Khó khăn", "Kiến nghị", "Ảnh / tài liệu", "vui lòng kiểm tra"):
        await lan.press("Bỏ qua")
        await lan.expect(following)
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    first, second = await _submissions(db)
    assert first.status is SubmissionStatus.REPLACED and second.replaces_id == first.id
    assert second.status is SubmissionStatus.SUBMITTED


async def test_revision_round_trip_and_other_unit_cannot_touch_it(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2008)
    await fill_activity_report(lan, attach=False)
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    [first] = await _submissions(db)

    admin = api.user(ADMIN_ID)
    await admin.expect(f"#{first.id}")
    await admin.press("Yêu cầu bổ sung")
    await admin.expect("cần bổ sung hoặc sửa gì")
    await admin.send_sticker()
    await admin.expect("bằng chữ")
    await admin.send("Bổ sung số người tham gia")
    await admin.expect("Đã yêu cầu bổ sung")
    notice = await lan.expect("Sở đề nghị bổ sung")
    assert "Bổ sung số người tham gia" in notice.text

    # An officer of another unit presses the same button: nothing is revealed or changed.
    binh = await registered_officer(
        api, 2009, name="Trần Văn Bình", unit_query="hoa xa", unit="Xã Hòa Xá"
    )
    assert notice.message is not None
    await binh.press_data(
        notice.message, notice.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    await binh.expect("Không tìm thấy hồ sơ")
    await binh.send("/cuatoi")
    assert f"#{first.id}" not in (await binh.expect("chưa gửi hồ sơ nào")).text

    await lan.send("/cuatoi")
    mine = await lan.expect("Các hồ sơ gửi gần đây")
    assert "cần bổ sung" in mine.text
    await lan.press("Mở ra để sửa")
    review = await lan.expect("vui lòng kiểm tra")
    assert "Hội thảo khởi nghiệp" in review.text
    assert review.text.index("Yêu cầu bổ sung của cán bộ Sở: <i>Bổ sung số người tham gia</i>") < (
        review.text.index("vui lòng kiểm tra")
    )
    await lan.press("Sửa")
    await lan.expect("")
    await lan.press("Số người tham gia")
    await lan.expect("Số người tham gia")
    await lan.send("40")
    again = await lan.expect("vui lòng kiểm tra")
    assert "Yêu cầu bổ sung của cán bộ Sở: <i>Bổ sung số người tham gia</i>" in again.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    old, new = await _submissions(db)
    assert old.status is SubmissionStatus.REPLACED and new.replaces_id == old.id
    assert new.answers["participant_count"] == 40
    await admin.expect(f"#{new.id}")
    await admin.press("Đã tiếp nhận")
    await lan.expect(f"đã tiếp nhận hồ sơ #{new.id}")
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Submission)) == 2


async def test_guest_cannot_open_forms(api: FakeBotAPI, running: RunningBot) -> None:
    guest = api.user(2010)
    await guest.send("/baocao")
    await guest.expect("/dangky")
    await guest.send("/cuatoi")
    await guest.expect("/dangky")


async def test_a_new_form_is_just_a_definition_file(
    api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "water_survey.yaml").write_text(WATER_SURVEY, encoding="utf-8")
    bot = RunningBot(api, database_url, forms_dir=str(tmp_path))
    await bot.start()
    try:
        lan = await registered_officer(api, 2011)
        await lan.send("/bieumau")
        await lan.expect("biểu mẫu nào")
        await lan.press("Khảo sát nước sạch")
        await lan.expect("Số hộ dùng nước sạch")
        await lan.send("120")
        await lan.expect("trạm cấp nước")
        await lan.press("Có")
        await lan.expect("Tên trạm")
        await lan.send("Trạm Yên Hòa")
        await lan.expect("Tỷ lệ hộ")
        await lan.send("120,5")
        await lan.expect("Tỷ lệ phải từ 0 đến 100.")
        await lan.send("87,5")
        await lan.expect("Số điện thoại của trạm")
        assert any(b.get("request_contact") for b in lan.reply_keyboard())
        await lan.send("0123")
        await lan.expect("số điện thoại Việt Nam")
        await lan.share_contact("84987654321")
        review = await lan.expect("vui lòng kiểm tra")
        assert "87,5" in review.text and "0987 654 321" in review.text
        await lan.press("Gửi")
        await lan.expect("Đã gửi")
        assert bot.app is not None
        async with bot.app.sessionmaker() as session:
            stored = await session.scalar(select(Submission))
        assert stored is not None and stored.form_id == "water_survey"
        assert stored.answers == {
            "households": 120,
            "has_plant": True,
            "plant_name": "Trạm Yên Hòa",
            "coverage": 87.5,
            "plant_phone": "+84987654321",
        }
    finally:
        await bot.stop()


# Each step of the inspection form (with a violation and a fine, so every question is asked):
# the question's bold label, a wrong input and the words of the answer to it, then a valid answer.
INSPECTION_STEPS: list[tuple[str, str, str, tuple[str, str]]] = [
    ("Ngày kiểm tra", "32/13/2026", "ngày", ("text", "25/11/2026")),
    ("Tên cơ sở được kiểm tra", "", "", ("text", "Cơ sở Minh Phát")),
    ("Địa chỉ", "", "", ("text", "5 Cầu Giấy")),
    ("Loại cơ sở", "xyz", "chọn một mục", ("press", "Cơ sở sản xuất")),
    ("Nội dung kiểm tra", "9", "chọn một hoặc nhiều mục", ("text", "2")),
    ("Kết quả", "có lẽ", "chọn một mục", ("press", "Có vi phạm")),
    ("Số lỗi vi phạm", "1,5", "số nguyên", ("text", "1")),
    ("Mô tả vi phạm", "", "", ("text", "Nhãn hàng hóa thiếu thông tin")),
    ("Hình thức xử lý", "abc", "chọn một hoặc nhiều mục", ("text", "3")),
    ("Số tiền phạt", "nhiều", "số tiền", ("text", "500k")),
    ("Ảnh hiện trường, biên bản", "ảnh đây", "ảnh", ("press", "Bỏ qua")),
    ("Vị trí", "ở đây", "vị trí", ("press", "Bỏ qua")),
    ("Ghi chú", "", "", ("press", "Bỏ qua")),
]


async def test_every_step_answers_a_sticker_and_a_wrong_text_and_keeps_the_answers(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2012)
    await lan.send("/kiemtra")
    for label, wrong, wrong_reply, (how, good) in INSPECTION_STEPS:
        await lan.expect(f"<b>{label}</b>")
        if label == "Vị trí":  # the share-location keyboard comes with its own message
            await lan.expect("Hoặc chọn")
        await lan.send_sticker()
        refusal = await lan.expect("")
        assert refusal.method == "sendMessage" and "Vui lòng" in refusal.text, (label, refusal.text)
        if wrong:
            await lan.send(wrong)
            await lan.expect(wrong_reply)
        if how == "text":
            await lan.send(good)
        else:
            await lan.press(good)
    review = await lan.expect("vui lòng kiểm tra")
    for shown in (
        "25/11/2026",
        "Cơ sở Minh Phát",
        "Cơ sở sản xuất",
        "Chất lượng sản phẩm",
        "500.000 đ",
    ):
        assert shown in review.text, shown
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    [stored] = await _submissions(db)
    assert stored.answers["fine_amount"] == 500_000 and stored.answers["violation_count"] == 1


async def test_a_command_in_the_middle_of_a_form_is_not_taken_as_an_answer(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2013)
    await lan.send("/kiemtra")
    await lan.expect("Ngày kiểm tra")
    await lan.send("25/11/2026")
    await lan.expect("Tên cơ sở")
    await lan.send("/cuatoi")
    await lan.expect("chưa gửi hồ sơ nào")
    await lan.send("Cơ sở Hoàng Long")
    await lan.expect("Địa chỉ")
    await lan.send("/baocao")
    await lan.expect("nhập dở (2 câu trả lời)")
    await lan.press("Tiếp tục")
    await lan.expect("Địa chỉ")


async def test_stored_answers_keep_vietnamese_readable_for_sql(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2050)
    await fill_activity_report(lan, attach=False)
    await lan.press("Gửi")
    await lan.expect("Đã gửi. Mã số")
    async with db() as session:
        raw = (await session.execute(text("SELECT CAST(answers AS TEXT) FROM submissions"))).one()[
            0
        ]
        found = await session.scalar(
            text("SELECT count(*) FROM submissions WHERE CAST(answers AS TEXT) LIKE :words"),
            {"words": "%Tập huấn về sở hữu trí tuệ%"},
        )
    assert "\\u" not in raw and "Hội thảo khởi nghiệp" in raw
    assert found == 1

"""XLSForm workbooks end to end: an admin sends one, tries it, publishes it; officers fill it
by buttons and by typing only; the answers are in the database; a broken one is refused."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import import_form as import_command
from bot.emulator import FakeBotAPI, FakeUser
from bot.status.command_line import export as export_command
from storage.models import AuditEntry, ImportedForm, Submission, User
from tests.e2e.flows import registered_officer
from tests.harness import ADMIN_ID, NOW, RunningBot
from tests.xlsform_books import HOUSEHOLD, VI, workbook

Db = async_sessionmaker[AsyncSession]


async def _send_workbook(api: FakeBotAPI, admin: FakeUser, content: bytes, name: str) -> None:
    file_id = f"BQAC{name.replace('.', '_')}"
    api.files[f"files/{file_id}"] = content
    await admin.send_document(name, file_id, size=len(content))


async def _import_and_publish(
    api: FakeBotAPI, admin: FakeUser | None = None, content: bytes = HOUSEHOLD
) -> FakeUser:
    admin = admin or api.user(ADMIN_ID)
    await _send_workbook(api, admin, content, "khao_sat_ho.xlsx")
    summary = await admin.expect("lần nhập")
    assert "7 câu hỏi" in summary.text and "thanh_vien" in summary.text  # the repeat, adapted
    await admin.press("Công bố")
    await admin.expect("Ai sẽ điền biểu mẫu này?")
    await admin.press("Tất cả cán bộ")
    await admin.expect("Người điền: Tất cả cán bộ")
    await admin.press("Công bố")
    await admin.expect("/bieumau")
    return admin


async def _stored(db: Db) -> list[Submission]:
    async with db() as session:
        rows = await session.scalars(
            select(Submission).where(Submission.form_id == "khao_sat_ho").order_by(Submission.id)
        )
        return list(rows)


async def test_household_survey_by_buttons(api: FakeBotAPI, running: RunningBot, db: Db) -> None:
    await _import_and_publish(api)
    await _fill_by_buttons(api, 2101)
    [stored] = await _stored(db)
    answers = stored.answers
    assert answers["ho_ten"] == "Lò Văn Pao" and answers["tuoi"] == 45
    assert answers["dien_tich"] == 1.5 and answers["cay_trong"] == ["lua", "che"]
    assert (answers["ten_tv__1"], answers["ten_tv__2"]) == ("Lò Thị Mai", "Lò Văn Sùng")
    assert answers["anh_nha"][0]["file_id"] == "AgACnha"
    assert answers["so_loai"] == 2 and answers["thietbi"] == "telegram:2101"
    assert answers["ngay"] and answers["batdau"]


async def _fill_by_buttons(api: FakeBotAPI, officer_id: int) -> FakeUser:
    lan = await registered_officer(api, officer_id)
    await lan.send("/bieumau")
    await lan.expect("biểu mẫu")
    await lan.press("Khảo sát hộ gia đình")
    first = await lan.expect("Họ và tên chủ hộ")
    assert "Thông tin chủ hộ" in first.text  # the group's heading
    await lan.send("Lò Văn Pao")
    await lan.expect("Tuổi")
    await lan.send("12")
    await lan.expect("Tuổi phải từ 18 đến 120")  # the constraint_message
    await lan.send("45")
    await lan.expect("đất sản xuất")
    await lan.press("Có")
    await lan.expect("Diện tích")  # relevant: asked because the answer is yes
    await lan.send("1,5")
    await lan.expect("Cây trồng")
    await lan.press("Lúa")
    await lan.expect("")
    await lan.press("Chè")
    await lan.expect("")
    await lan.press("Xong")
    await lan.expect("Tên thành viên")
    await lan.send("Lò Thị Mai")
    await lan.expect("Thêm một mục")
    await lan.press("Có")
    await lan.expect("Thành viên (2)")
    await lan.send("Lò Văn Sùng")
    await lan.expect("Thêm một mục")
    await lan.press("Không")
    await lan.expect("Ảnh ngôi nhà")
    await lan.send_photo("AgACnha", size=50_000)
    review = await lan.expect("Cảm ơn Lò Văn Pao")  # the closing note, with the answer in it
    # Each entry's answers are numbered by their entry.
    first = review.text.index("Thành viên 1 — Tên thành viên")
    second = review.text.index("Thành viên 2 — Tên thành viên")
    assert first < review.text.index("Lò Thị Mai") < second < review.text.index("Lò Văn Sùng")
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    return lan


async def test_household_survey_by_typing_only(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    await _import_and_publish(api)
    pao = await registered_officer(api, 2102)
    await pao.send("/bieumau")
    await pao.expect("biểu mẫu")
    await pao.press("Khảo sát hộ gia đình")  # the list of forms is the one button
    await pao.expect("Họ và tên chủ hộ")
    await pao.send("bỏ qua")
    await pao.expect("Cần có tên chủ hộ để ghi nhận phiếu")  # the workbook's required_message
    for typed, then in [
        ("Giàng A Lử", "Tuổi"),
        ("60", "đất sản xuất"),
        ("2", "Tên thành viên"),  # Không: no land, the land questions are not asked
        ("Giàng Thị Dua", "Thêm một mục"),
        ("không", "Ảnh ngôi nhà"),
        ("bỏ qua", "Cảm ơn Giàng A Lử"),
        ("1", "Đã gửi"),  # the review's first choice, ✅ Gửi
    ]:
        await pao.send(typed)
        await pao.expect(then)
    [stored] = await _stored(db)
    assert stored.answers["co_dat"] == "no" and "dien_tich" not in stored.answers
    assert stored.answers["ten_tv__1"] == "Giàng Thị Dua" and "ten_tv__2" not in stored.answers


async def test_a_broken_workbook_is_refused_with_its_row(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = api.user(ADMIN_ID)
    broken = workbook(
        [
            ["type", "name", "label", "relevant"],
            ["integer", "so_ho", "Số hộ"],
            ["text", "ghi_chu", "Ghi chú", "${so_nguoi} > 3"],
        ]
    )
    await _send_workbook(api, admin, broken, "sai.xlsx")
    refused = await admin.expect("không nhập được")
    # In Vietnamese, with the row: pyxform's English reason put in our words.
    assert "sai.xlsx: dòng 3 của sheet survey: relevant dùng ${so_nguoi}" in refused.text
    assert "không có câu hỏi nào tên “so_nguoi”" in refused.text
    async with db() as session:
        assert (await session.scalars(select(ImportedForm))).all() == []


async def test_a_new_version_replaces_the_old_for_new_submissions(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = await _import_and_publish(api)
    await _import_and_publish(api, admin, _revised(HOUSEHOLD, "2026120102"))
    async with db() as session:
        rows = (await session.scalars(select(ImportedForm).order_by(ImportedForm.id))).all()
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert [r.revision for r in rows] == [1, 2] and all(r.published_at for r in rows)
    assert actions.count("form.publish") == 2 and actions.count("form.import") == 2
    assert running.app is not None and running.app.forms["khao_sat_ho"].version == 2
    assert admin.id == ADMIN_ID


def _revised(content: bytes, version: str) -> bytes:
    """The workbook with another `version` in its settings, as a department re-saves it."""
    book = load_workbook(BytesIO(content))
    book["settings"]["C2"] = version
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def _rows(db: Db) -> list[ImportedForm]:
    async with db() as session:
        return list(await session.scalars(select(ImportedForm).order_by(ImportedForm.id)))


SMALL = workbook(
    survey=[["type", "name", VI], ["text", "ten", "Tên mô hình"]],
    settings=[["form_title", "form_id"], ["Khảo sát nhỏ", "khao_sat_nho"]],
)


async def test_after_a_trial_the_admin_publishes_it_or_tries_again(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """Gửi and Hủy of a trial offer 📢 Công bố… and ▶️ Thử lại: no need to send the file again."""
    admin = api.user(ADMIN_ID)
    await _send_workbook(api, admin, SMALL, "khao_sat_nho.xlsx")
    await admin.expect("lần nhập #1")
    await admin.press("Thử điền")
    await admin.expect("Tên mô hình")
    await admin.send("Trồng rau an toàn")
    await admin.expect("vui lòng kiểm tra trước khi gửi")
    await admin.press("Gửi")
    tried = await admin.expect("Bản thử không được lưu")
    assert "📢 Công bố…" in tried.buttons and "▶️ Thử lại" in tried.buttons
    await admin.press("Thử lại")
    await admin.expect("Tên mô hình")
    await admin.send("/huy")
    await admin.expect("Đã hủy")
    offered = await admin.expect("Công bố biểu mẫu này, hay thử lại?")
    assert "📢 Công bố…" in offered.buttons and "▶️ Thử lại" in offered.buttons
    await admin.press("Công bố")
    await admin.expect("Ai sẽ điền biểu mẫu này?")
    await admin.press("Tất cả cán bộ")
    await admin.expect("Người điền: Tất cả cán bộ")
    await admin.press("Công bố")
    await admin.expect("/bieumau")
    [row] = await _rows(db)
    assert row.revision == 1 and row.published_at is not None
    async with db() as session:
        assert (await session.scalars(select(Submission))).all() == []  # the trials stored nothing


async def test_a_trial_under_way_goes_on_after_a_restart(
    api: FakeBotAPI, running: RunningBot
) -> None:
    """The trial's form is not published, yet a restart mid-trial loses nothing: its
    review's buttons still work and Gửi offers Công bố."""
    admin = api.user(ADMIN_ID)
    await _send_workbook(api, admin, SMALL, "khao_sat_nho.xlsx")
    await admin.expect("lần nhập #1")
    await admin.press("Thử điền")
    await admin.expect("Tên mô hình")
    await admin.send("Trồng rau an toàn")
    await admin.expect("vui lòng kiểm tra trước khi gửi")
    await running.restart()
    await admin.press("Gửi")
    tried = await admin.expect("Bản thử không được lưu")
    assert "📢 Công bố…" in tried.buttons


async def test_the_same_workbook_sent_again_is_the_same_revision(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """An identical file is answered with its revision (published or not) and stores nothing;
    a changed one is the next revision."""
    admin = api.user(ADMIN_ID)
    await _send_workbook(api, admin, HOUSEHOLD, "khao_sat_ho.xlsx")
    await admin.expect("lần nhập #1")
    await _send_workbook(api, admin, HOUSEHOLD, "khao_sat_ho (1).xlsx")
    again = await admin.expect("đã được nhập")
    assert "lần nhập #1" in again.text and "chưa công bố" in again.text
    assert "▶️ Thử điền" in again.buttons and "📢 Công bố…" in again.buttons
    assert [r.revision for r in await _rows(db)] == [1]
    await admin.press("Thử điền")  # the buttons are those of revision 1
    await admin.expect("Họ và tên chủ hộ")
    await admin.send("/huy")
    await admin.expect("Đã hủy")
    await admin.press("Công bố")
    await admin.expect("Ai sẽ điền biểu mẫu này?")
    await admin.press("Tất cả cán bộ")
    await admin.expect("Người điền")
    await admin.press("Công bố")
    await admin.expect("/bieumau")
    await _send_workbook(api, admin, HOUSEHOLD, "khao_sat_ho.xlsx")
    published = await admin.expect("đã được nhập")
    assert "lần nhập #1" in published.text and "đã công bố lúc 27/11/2026 10:00" in published.text
    await _send_workbook(api, admin, _revised(HOUSEHOLD, "2026120102"), "khao_sat_ho.xlsx")
    await admin.expect("lần nhập #2")
    rows = await _rows(db)
    assert [(r.revision, r.published_at is not None) for r in rows] == [(1, True), (2, False)]
    async with db() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("form.import") == 2


async def _export(api: FakeBotAPI) -> Workbook:
    """/xuat of the tests' month, as staff receive it."""
    staff = api.user(ADMIN_ID)
    await staff.send("/xuat 11/2026")
    sent = await staff.expect("Tháng 11/2026:")
    assert sent.method == "sendDocument" and sent.message is not None
    return load_workbook(BytesIO(api.files[f"files/{sent.message['document']['file_id']}"]))


def _records(book: Workbook, title: str) -> list[dict[str, Any]]:
    rows = list(book[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


HOUSEHOLD_COLUMNS = [
    "batdau",
    "ngay",
    "thietbi",
    "ho_ten",
    "tuoi",
    "co_dat",
    "dien_tich",
    "cay_trong",
    "cay_trong/lua",
    "cay_trong/ngo",
    "cay_trong/che",
    "so_loai",
    "anh_nha",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
    "_unit_code",
    "_unit",
]


async def test_the_export_has_the_answers_as_kobo_exports_them(
    api: FakeBotAPI, running: RunningBot, db: Db, tmp_path: Path
) -> None:
    await _import_and_publish(api)
    await _fill_by_buttons(api, 2103)
    [stored] = await _stored(db)
    book = await _export(api)
    assert "Khảo sát hộ gia đình" in book.sheetnames and "thanh_vien" in book.sheetnames
    sheet = book["Khảo sát hộ gia đình"]
    assert [c.value for c in sheet[1]] == HOUSEHOLD_COLUMNS
    [row] = _records(book, "Khảo sát hộ gia đình")
    assert (row["ho_ten"], row["tuoi"], row["co_dat"], row["dien_tich"]) == (
        "Lò Văn Pao",
        45,
        "yes",  # the choice's name, not its label "Có"
        1.5,
    )
    assert row["cay_trong"] == "lua che"
    assert (row["cay_trong/lua"], row["cay_trong/ngo"], row["cay_trong/che"]) == (1, 0, 1)
    assert row["so_loai"] == 2 and row["thietbi"] == "telegram:2103"
    assert row["ngay"] == "2026-11-27" and str(row["batdau"]).startswith("2026-11-27T")
    assert row["anh_nha"] == "1-anh.jpg"
    assert (row["_id"], row["_uuid"]) == (stored.id, stored.draft_token)
    # Sent at the bot's clock's 10:00 in Hà Nội; written in UTC, as Kobo writes it.
    assert row["_submission_time"] == "2026-11-27T03:00:00"
    assert row["_submitted_by"] == "Nguyễn Thị Lan" and row["__version__"] == "2026120101"
    assert row["_index"] == 1 and row["_unit"] == "Phường Cầu Giấy"
    assert row["_status"] == "đã gửi" and row["_validation_status"] is None
    members = _records(book, "thanh_vien")
    assert [(m["ten_tv"], m["_index"], m["_parent_index"]) for m in members] == [
        ("Lò Thị Mai", 1, 1),
        ("Lò Văn Sùng", 2, 1),
    ]
    assert {m["_submission__id"] for m in members} == {stored.id}
    assert {m["_parent_table_name"] for m in members} == {"Khảo sát hộ gia đình"}
    # `python -m bot export` loads the published imports as the bot does.
    out = tmp_path / "xuat.xlsx"
    assert await export_command(running.settings, "11/2026", str(out), running.clock) == 0
    assert _records(load_workbook(out), "Khảo sát hộ gia đình") == [row]


async def test_an_imported_form_nobody_filled_has_its_headers(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = api.user(ADMIN_ID)
    await _send_workbook(api, admin, HOUSEHOLD, "khao_sat_ho.xlsx")
    await admin.expect("lần nhập")
    await admin.press("Thử")  # a trial is no sheet of its own
    await admin.expect("Họ và tên chủ hộ")
    await admin.send("/huy")
    await admin.expect("hủy")
    await admin.press("Công bố")
    await admin.expect("Ai sẽ điền biểu mẫu này?")
    await admin.press("Tất cả cán bộ")
    await admin.expect("Người điền")
    await admin.press("Công bố")
    await admin.expect("/bieumau")
    book = await _export(api)
    assert [c.value for c in book["Khảo sát hộ gia đình"][1]] == HOUSEHOLD_COLUMNS
    assert book["Khảo sát hộ gia đình"].max_row == 1
    header = [c.value for c in book["thanh_vien"][1]]
    assert header[:4] == ["ten_tv", "_index", "_parent_table_name", "_parent_index"]
    assert book["thanh_vien"].max_row == 1
    assert not any(title.startswith("trial") or "(2)" in title for title in book.sheetnames)


async def test_a_form_published_to_chosen_units_is_theirs_only(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2104)  # Phường Cầu Giấy
    hai = await registered_officer(
        api, 2105, name="Trần Văn Hải", unit_query="hoa xa", unit="Xã Hòa Xá"
    )
    admin = api.user(ADMIN_ID)
    await _send_workbook(api, admin, HOUSEHOLD, "khao_sat_ho.xlsx")
    await admin.expect("lần nhập")
    await admin.press("Công bố")
    await admin.expect("Ai sẽ điền biểu mẫu này?")
    await admin.press("Chọn đơn vị")
    await admin.expect("Gõ một phần tên đơn vị")
    await admin.send("cau giay")
    await admin.expect("bấm vào các đơn vị để chọn")
    await admin.press("Phường Cầu Giấy · 1")  # with its number of officers
    await admin.expect("")
    await admin.press("Xong (1)")
    review = await admin.expect("Người điền")
    assert "Cán bộ của 1 đơn vị: Phường Cầu Giấy" in review.text
    await admin.press("Công bố")
    done = await admin.expect("/bieumau")
    assert "1 đơn vị" in done.text and "Phường Cầu Giấy" in done.text
    async with db() as session:
        [row] = (await session.scalars(select(ImportedForm))).all()
        [lan_unit] = (await session.scalars(select(User.unit_code).where(User.id == lan.id))).all()
    assert row.units == [lan_unit] and row.published_at is not None

    await lan.send("/bieumau")
    offered = await lan.expect("biểu mẫu")
    assert "Khảo sát hộ gia đình" in offered.buttons
    await hai.send("/bieumau")
    listed = await hai.expect("biểu mẫu")
    assert "Khảo sát hộ gia đình" not in listed.buttons
    # A button for it, from Lan's list, pressed in Hải's chat: the form is not opened.
    message, button = lan.find_button("Khảo sát hộ gia đình")
    forged = {**message, "chat": {"id": hai.id, "type": "private"}}
    await hai.press_data(forged, button["callback_data"])
    refused = await api.wait_for(
        lambda e: e.method == "answerCallbackQuery" and "không có" in str(e.params.get("text"))
    )
    assert refused.params.get("show_alert") is True
    await hai.send("/bieumau")  # Hải's next message is the list again, not the form's question
    await hai.expect("biểu mẫu")
    assert not any("Họ và tên chủ hộ" in e.text for e in api.sent if e.chat_id == hai.id)


async def test_an_admins_trial_review_has_no_empty_unit_line(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """The admin has no unit: the trial's review leaves the unit out rather than "Đơn vị: "."""
    admin = api.user(ADMIN_ID)
    book = workbook(
        survey=[["type", "name", VI], ["text", "ten", "Tên mô hình"]],
        settings=[["form_title", "form_id"], ["Khảo sát nhỏ", "khao_sat_nho"]],
    )
    await _send_workbook(api, admin, book, "khao_sat_nho.xlsx")
    await admin.expect("lần nhập")
    await admin.press("Thử điền")
    await admin.expect("Tên mô hình")
    await admin.send("Trồng rau an toàn")
    review = await admin.expect("vui lòng kiểm tra trước khi gửi")
    assert "Trồng rau an toàn" in review.text
    assert "Đơn vị" not in review.text


async def test_the_command_line_imports_the_same_workbook_once(
    running: RunningBot, db: Db, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m bot forms import FILE` twice: one revision, published; the second says so."""
    assert await import_command(running.settings, SMALL, "khao_sat_nho.xlsx") == 0
    assert await import_command(running.settings, SMALL, "khao_sat_nho.xlsx") == 0
    assert "revision 1: already imported and published" in capsys.readouterr().out
    [row] = await _rows(db)
    assert row.published_at is not None


async def _publish_to_everyone(admin: FakeUser) -> None:
    await admin.expect("Ai sẽ điền biểu mẫu này?")
    await admin.press("Tất cả cán bộ")
    await admin.expect("Người điền: Tất cả cán bộ")
    await admin.press("Công bố")


async def test_publishing_an_older_revision_again_puts_it_in_force_after_a_restart(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """The revision in force is the one published last, live and once the bot restarts; an
    older revision's button says which one is in force and publishes only once confirmed."""
    admin = await _import_and_publish(api)
    running.clock.fixed = NOW + timedelta(hours=1)
    await _import_and_publish(api, admin, _revised(HOUSEHOLD, "2026120102"))
    running.clock.fixed = NOW + timedelta(hours=2)
    await _send_workbook(api, admin, HOUSEHOLD, "khao_sat_ho.xlsx")  # revision 1's file again
    await admin.expect("lần nhập #1")
    await admin.press("Công bố")
    warned = await admin.expect("không phải bản mới nhất")
    assert "đang điền lần nhập #2" in warned.text and "27/11/2026 11:00" in warned.text
    assert running.app is not None and running.app.forms["khao_sat_ho"].version == 2
    await admin.press("Vẫn công bố lần nhập #1")
    await _publish_to_everyone(admin)
    await admin.expect("/bieumau")
    assert running.app.forms["khao_sat_ho"].version == 1
    app = await running.restart()
    assert app.forms["khao_sat_ho"].version == 1  # not the highest revision, 2
    lan = await registered_officer(api, 2106)
    await lan.send("/bieumau")
    await lan.expect("biểu mẫu")
    await lan.press("Khảo sát hộ gia đình")
    await lan.expect("Họ và tên chủ hộ")
    async with db() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("form.publish") == 3


async def test_publish_pressed_again_on_the_revision_in_force_changes_nothing(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = await _import_and_publish(api)
    [published] = await _rows(db)
    running.clock.fixed = NOW + timedelta(hours=3)
    await _send_workbook(api, admin, HOUSEHOLD, "khao_sat_ho.xlsx")
    await admin.expect("đã được nhập")
    await admin.press("Công bố")  # the same revision, to the same officers
    await _publish_to_everyone(admin)
    already = await admin.expect("đã công bố rồi")
    assert "lúc 27/11/2026 10:00" in already.text and "không có gì thay đổi" in already.text
    [row] = await _rows(db)
    assert row.published_at == published.published_at and row.units is None
    async with db() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("form.publish") == 1


async def test_the_same_workbook_sent_twice_at_once_is_imported_once(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """A double-tapped send, and a second admin sending the same file at the same moment
    (updates of different chats are handled side by side): one revision; the others are
    answered as already imported, not with an error."""
    running.settings_overrides["admin_ids"] = f"{ADMIN_ID},{SECOND_ADMIN}"
    await running.restart()
    admins = [api.user(ADMIN_ID), api.user(SECOND_ADMIN)]
    api.files["files/BQACdouble"] = HOUSEHOLD
    for admin in [*admins, admins[0]]:  # not waiting for any answer in between
        await admin.send_document("khao_sat_ho.xlsx", "BQACdouble", size=len(HOUSEHOLD))
    answers = [await admins[0].expect("lần nhập #1"), await admins[0].expect("lần nhập #1")]
    answers.append(await admins[1].expect("lần nhập #1"))
    assert sum("đã được nhập" in answer.text for answer in answers) == 2
    assert sum("7 câu hỏi" in answer.text for answer in answers) == 1
    assert [r.revision for r in await _rows(db)] == [1]
    async with db() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("form.import") == 1


SECOND_ADMIN = 900_002

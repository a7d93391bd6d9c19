"""What a new officer hit in the forms (issue 14): the period asked twice or guessed, the
missing "Chuyển đổi số" area, attachments in the export."""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI
from bot.settings import load_settings
from bot.status.command_line import export
from storage.models import Submission
from tests.e2e.flows import registered_officer
from tests.harness import ADMIN_ID, RunningBot

Db = async_sessionmaker[AsyncSession]


async def test_the_status_button_fills_in_the_period(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2201)
    await lan.send("/trangthai")
    status = await lan.expect("Phường Cầu Giấy")
    [send] = [b for b in status.buttons if "Gửi báo cáo" in b]
    period = send[send.index("(") + 1 : send.index(")")]
    await lan.press("Gửi báo cáo")
    # Straight to the next question: the month is the one on the button.
    first = await lan.expect("<b>")
    assert "<b>Lĩnh vực</b>" in first.text, first.text
    await lan.press("Quay lại")
    back = await lan.expect("<b>Kỳ báo cáo</b>")
    assert f"Câu trả lời hiện tại: {period}".lower() in back.text.lower()


async def test_a_month_number_alone_is_asked_back_with_its_year(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 2202)
    await lan.send("/baocao")
    question = await lan.expect("Kỳ báo cáo")
    assert "hỏi lại năm" in question.text  # the prompt says what a bare number does
    await lan.send("4")
    asked = await lan.expect("«4»")
    assert "tháng 4/2026" in asked.text and "Tháng 4/2026" in asked.buttons
    await lan.send("tháng 12")
    asked = await lan.expect("«tháng 12»")
    assert "Tháng 12/2025" in asked.buttons  # December typed in November: the one just past
    await lan.press("Tháng 12/2025")
    await lan.expect("<b>Lĩnh vực</b>")
    await lan.press("Quay lại")
    back = await lan.expect("<b>Kỳ báo cáo</b>")
    assert "Câu trả lời hiện tại: Tháng 12/2025" in back.text
    # The month shown on a button is understood typed alone.
    await lan.send("10")
    await lan.expect("<b>Lĩnh vực</b>")


async def test_digital_transformation_is_reported_and_counted_by_area(
    api: FakeBotAPI, running: RunningBot, db: Db, tmp_path: Path
) -> None:
    lan = await registered_officer(api, 2203)
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.press("Tháng 11/2026")
    await lan.expect("Lĩnh vực")
    await lan.press("Chuyển đổi số")
    await lan.expect("")
    await lan.press("Xong")
    activities = await lan.expect("<b>Hoạt động chuyển đổi số</b>")
    assert any("Bình dân học vụ số" in b for b in activities.buttons)
    await lan.send("1, 3")
    await lan.expect("Số hoạt động")
    await lan.send("4")
    await lan.expect("Số người")
    await lan.send("120")
    await lan.expect("Nội dung chính")
    await lan.send("Hướng dẫn người dân cài VNeID, lớp Bình dân học vụ số")
    for following in ("Kinh phí", "Khó khăn", "Kiến nghị", "Ảnh / tài liệu"):
        await lan.expect(following)
        await lan.press("Bỏ qua")
    review = await lan.expect("vui lòng kiểm tra")
    assert "Chuyển đổi số, bưu chính, viễn thông" in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    async with db() as session:
        stored = await session.scalar(select(Submission))
    assert stored is not None and stored.answers["areas"] == ["digital_transformation"]
    assert stored.answers["digital_activities"] == ["online_public_services", "digital_skills"]

    staff = api.user(ADMIN_ID, "Admin", "Sở")
    # The card of the new report first (the outbox sends it a moment after the commit; a
    # reply may be quicker), then the figures.
    await staff.expect(f"#{stored.id}")
    await staff.send("/thongke 11/2026")
    figures = await staff.expect("Thống kê")
    assert "Chuyển đổi số, bưu chính, viễn thông" in figures.text, figures.text
    # The export shows the area and the activities by their labels.
    out = tmp_path / "x.xlsx"
    assert await export(load_settings(**running.settings_overrides), "11/2026", str(out)) == 0
    sheet = load_workbook(out)["Báo cáo hoạt động KH&CN"]
    row = {h.value: c.value for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert row["Lĩnh vực"] == "Chuyển đổi số, bưu chính, viễn thông"
    assert "Bình dân học vụ số" in str(row["Hoạt động chuyển đổi số"])


async def test_long_titles_are_cut_at_a_word_with_an_ellipsis(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    from tests.e2e.event_flows import create_event, quick

    quick(running)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Hội nghị tổng kết hoạt động KH&CN cấp xã năm 2026")
    await staff.send("/sukien")
    menu = await staff.expect("Lớp bồi dưỡng, hội nghị, hội thảo")
    [listed] = [b for b in menu.buttons if "Hội nghị" in b]
    assert listed.endswith("· Hội nghị tổng kết hoạt động KH&CN cấp…"), listed


async def test_the_export_names_and_links_files_and_zips_them_by_unit_and_submission(
    api: FakeBotAPI, running: RunningBot, db: Db, tmp_path: Path
) -> None:
    from tests.e2e.test_forms import fill_activity_report

    api.files["files/AgACphotoA"] = b"JPEG of the demonstration model"
    api.files["files/BQACdocB"] = b"%PDF plan"
    lan = await registered_officer(api, 2204)
    await fill_activity_report(lan)  # a photo and ke_hoach.pdf
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    async with db() as session:
        stored = await session.scalar(select(Submission))
    assert stored is not None

    out = tmp_path / "baocao.xlsx"
    settings = load_settings(**running.settings_overrides, bot_token=api.token)
    assert await export(settings, "11/2026", str(out), files=True) == 0

    folder = f"baocao-files/Phường Cầu Giấy/{stored.id} - Báo cáo hoạt động KH-CN"
    with zipfile.ZipFile(tmp_path / "baocao-files.zip") as archive:
        assert sorted(archive.namelist()) == [f"{folder}/1-anh.jpg", f"{folder}/2-ke_hoach.pdf"]
        assert archive.read(f"{folder}/2-ke_hoach.pdf") == b"%PDF plan"
    sheet = load_workbook(out)["Báo cáo hoạt động KH&CN"]
    headers = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=headers.index("Ảnh / tài liệu đính kèm") + 1)
    assert cell.value == "1-anh.jpg; 2-ke_hoach.pdf"
    assert cell.hyperlink is not None  # (Excel reads the link's %20 as spaces)
    assert unquote(cell.hyperlink.target).replace("\\", "/") == folder

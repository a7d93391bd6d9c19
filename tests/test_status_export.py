"""The Excel export opened with openpyxl and read cell by cell; and `python -m bot export`."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.periods import Period
from bot.events.period_sheet import SignupsSheet
from bot.forms import load_definitions
from bot.i18n import create_i18n
from bot.settings import load_settings
from bot.status.command_line import export as export_command
from bot.status.export import DATE_FORMAT, DATETIME_FORMAT, MONEY_FORMAT, export_workbook
from tests.harness import TZ, RunningBot
from tests.status_data import HANOI, A, B, C, D, seed, seed_events

ROOT = Path(__file__).resolve().parent.parent
Db = async_sessionmaker[AsyncSession]
TODAY = datetime(2026, 11, 27).date()


def rows(sheet: Worksheet) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def by_code(sheet: Worksheet, column: int) -> dict[str, tuple[Any, ...]]:
    """Rows keyed by the unit code in `column` (1-based), with their cells."""
    return {str(row[column - 1].value): row for row in sheet.iter_rows(min_row=2)}


async def _export(db: Db, period: Period) -> io.BytesIO:
    i18n = create_i18n("vi")
    out = io.BytesIO()
    async with db() as session:
        await export_workbook(
            session,
            out,
            period=period,
            forms=load_definitions(),
            units=list(HANOI),
            today=TODAY,
            tz=TZ,
            gettext=lambda msgid: i18n.gettext(msgid, locale="vi"),
            extra_sheets=[SignupsSheet(list(HANOI))],
        )
    out.seek(0)
    return out


async def test_export_cell_by_cell(running: RunningBot, db: Db) -> None:
    seeded = await seed(db)
    book = load_workbook(await _export(db, Period.month(2026, 11)))
    assert book.sheetnames == [
        "Tổng hợp",
        "Báo cáo hoạt động KH&CN",
        "Kết quả thanh tra, kiểm tra",
        "Đăng ký sự kiện",
    ]

    summary = book["Tổng hợp"]
    assert rows(summary)[0] == [
        "Đơn vị",
        "Mã đơn vị",
        "Cán bộ",
        "Số tháng đã báo cáo",
        "Số tháng phải báo cáo",
        "Tháng chưa báo cáo",
        "Kết quả kiểm tra",
        "Có vi phạm",
        "Tiền phạt (đồng)",
        "Đăng ký sự kiện",
    ]
    assert summary.freeze_panes == "A2"
    units = by_code(summary, 2)
    assert [c.value for c in units[A.code]] == [
        A.name,
        A.code,
        "Nguyễn Văn An",
        1,
        1,
        None,
        2,
        1,
        2_000_000,
        0,
    ]
    assert units[A.code][8].number_format == MONEY_FORMAT
    assert [c.value for c in units[B.code]] == [
        B.name,
        B.code,
        "Trần Thị Bình",
        1,
        1,
        None,
        1,
        1,
        0,
        0,
    ]
    assert [c.value for c in units[C.code]] == [
        C.name,
        C.code,
        "Lê Văn Cường",
        0,
        1,
        "11/2026",
        0,  # its finding of 31/10, sent on 01/11, counts in October
        0,
        0,
        0,
    ]
    assert [c.value for c in units[D.code]] == [D.name, D.code, None, 0, 1, "11/2026", 0, 0, 0, 0]
    total = rows(summary)[-1]
    assert total == ["Tổng cộng", None, None, 2, 126, None, 3, 2, 2_000_000, 0]
    assert summary.max_row == 1 + 126 + 1

    reports = book["Báo cáo hoạt động KH&CN"]
    header = rows(reports)[0]
    assert header[:8] == [
        "Mã số",
        "Đơn vị",
        "Mã đơn vị",
        "Cán bộ",
        "Thời điểm gửi",
        "Trạng thái",
        "Kỳ báo cáo",
        "Lĩnh vực",
    ]
    assert "Kinh phí đã sử dụng" in header and "Ảnh / tài liệu đính kèm" in header
    by_id = {row[0].value: row for row in reports.iter_rows(min_row=2)}
    assert set(by_id) == {seeded.report_a_nov, seeded.report_b_nov}  # the replaced one is not
    a = {header[i]: cell for i, cell in enumerate(by_id[seeded.report_a_nov])}
    assert a["Đơn vị"].value == A.name and a["Cán bộ"].value == "Nguyễn Văn An"
    assert a["Thời điểm gửi"].value == datetime(2026, 11, 3, 9, 0)
    assert a["Thời điểm gửi"].number_format == DATETIME_FORMAT
    assert a["Trạng thái"].value == "đã tiếp nhận"
    assert a["Kỳ báo cáo"].value == datetime(2026, 11, 1) and a["Kỳ báo cáo"].is_date
    assert a["Lĩnh vực"].value == "An toàn thực phẩm; Sáng kiến, sáng tạo"
    assert a["Số hoạt động đã thực hiện"].value == 3
    assert a["Số người tham gia"].value == 40
    assert a["Kinh phí đã sử dụng"].value == 1_500_000
    assert a["Kinh phí đã sử dụng"].number_format == MONEY_FORMAT
    assert a["Kiến nghị, đề xuất"].value is None
    b = {header[i]: cell for i, cell in enumerate(by_id[seeded.report_b_nov])}
    assert b["Trạng thái"].value == "cần bổ sung"
    # Typed text that looks like a formula stays text.
    assert b["Nội dung chính"].value == '=HYPERLINK("http://x.example")'
    assert b["Nội dung chính"].data_type == "s"

    findings = book["Kết quả thanh tra, kiểm tra"]
    header = rows(findings)[0]
    table = [
        {header[i]: cell for i, cell in enumerate(row)} for row in findings.iter_rows(min_row=2)
    ]
    # By inspection date, in the order sent: the finding of 31/10 sent on 01/11 is October's.
    assert [r["Thời điểm gửi"].value for r in table] == [
        datetime(2026, 11, 10, 9, 0),
        datetime(2026, 11, 12, 15, 0),
        datetime(2026, 11, 15, 14, 0),
    ]
    fined = table[0]
    assert fined["Mã số"].value == seeded.finding_a_fined
    assert fined["Ngày kiểm tra"].value == datetime(2026, 11, 10)
    assert fined["Ngày kiểm tra"].number_format == DATE_FORMAT
    assert fined["Loại cơ sở"].value == "Cơ sở kinh doanh"
    assert fined["Nội dung kiểm tra"].value == "Đo lường (cân, cột đo xăng dầu…)"
    assert fined["Kết quả"].value == "Có vi phạm"
    assert fined["Số lỗi vi phạm"].value == 2
    assert fined["Hình thức xử lý"].value == "Xử phạt vi phạm hành chính"
    assert fined["Số tiền phạt"].value == 2_000_000
    assert fined["Số tiền phạt"].number_format == MONEY_FORMAT
    assert table[1]["Kết quả"].value == "Không phát hiện vi phạm"
    assert table[1]["Số tiền phạt"].value is None
    assert findings.auto_filter.ref == f"A1:{findings.cell(1, findings.max_column).column_letter}4"


async def test_export_counts_a_finding_in_the_month_of_its_inspection(
    running: RunningBot, db: Db
) -> None:
    """Issue 14.4: C's two findings are dated 31/10; one was sent on 01/11 00:30."""
    await seed(db)
    book = load_workbook(await _export(db, Period.month(2026, 10)))
    units = by_code(book["Tổng hợp"], 2)
    assert [units[C.code][i].value for i in (6, 7, 8)] == [2, 1, 500_000]
    findings = book["Kết quả thanh tra, kiểm tra"]
    sent = [row[4].value for row in findings.iter_rows(min_row=2)]
    assert sent == [datetime(2026, 10, 31, 23, 30), datetime(2026, 11, 1, 0, 30)]


async def test_export_of_a_quarter_counts_every_begun_month(running: RunningBot, db: Db) -> None:
    await seed(db)
    book = load_workbook(await _export(db, Period.quarter(2026, 4)))
    units = by_code(book["Tổng hợp"], 2)
    # Q4 on 27/11: October and November are due, December has not begun.
    assert [units[A.code][i].value for i in (3, 4, 5)] == [2, 2, None]
    assert [units[B.code][i].value for i in (3, 4, 5)] == [1, 2, "10/2026"]
    assert [units[C.code][i].value for i in (3, 4, 5)] == [1, 2, "11/2026"]
    assert book["Báo cáo hoạt động KH&CN"].max_row == 1 + 4
    assert book["Kết quả thanh tra, kiểm tra"].max_row == 1 + 5


async def test_export_has_the_sign_ups_of_the_period(running: RunningBot, db: Db) -> None:
    await seed(db)
    seeded = await seed_events(db)
    book = load_workbook(await _export(db, Period.month(2026, 11)))
    sheet = book["Đăng ký sự kiện"]
    assert rows(sheet) == [
        [
            "Sự kiện",
            "Loại",
            "Thời gian bắt đầu",
            "Đơn vị",
            "Mã đơn vị",
            "Cán bộ",
            "Trạng thái",
            "Vị trí chờ",
            "Thời điểm đăng ký",
        ],
        # The course of 30/11; the cancelled conference and C's cancelled sign-up are not here.
        [
            "Lớp tập huấn sở hữu trí tuệ",
            "Lớp bồi dưỡng chuyên môn",
            datetime(2026, 11, 30, 8, 0),
            A.name,
            A.code,
            "Nguyễn Văn An",
            "Đã xác nhận",
            None,
            datetime(2026, 11, 21, 9, 0),
        ],
        [
            "Lớp tập huấn sở hữu trí tuệ",
            "Lớp bồi dưỡng chuyên môn",
            datetime(2026, 11, 30, 8, 0),
            B.name,
            B.code,
            "Trần Thị Bình",
            "Danh sách chờ",
            1,
            datetime(2026, 11, 22, 9, 0),
        ],
    ]
    assert sheet["C2"].number_format == DATETIME_FORMAT
    units = by_code(book["Tổng hợp"], 2)
    assert [units[code][9].value for code in (A.code, B.code, C.code, D.code)] == [1, 1, 0, 0]
    assert rows(book["Tổng hợp"])[-1][9] == 2
    # December has the workshop, nobody signed up for it yet.
    december = load_workbook(await _export(db, Period.month(2026, 12)))
    assert december["Đăng ký sự kiện"].max_row == 1
    assert seeded.workshop


def _run_export(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "export", *args],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_export_from_the_command_line(
    running: RunningBot, db: Db, database_url: str, tmp_path: Path
) -> None:
    await seed(db)
    out = tmp_path / "out" / "q4.xlsx"
    done = await asyncio.to_thread(
        _run_export, database_url, "--period", "quy 4/2026", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert "Báo cáo hoạt động KH&CN: 4" in done.stdout
    book = load_workbook(out)
    assert book["Kết quả thanh tra, kiểm tra"].max_row == 1 + 5


async def test_command_line_explains_a_bad_period(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(database_url=database_url)
    assert await export_command(settings, "quy 5/2026", str(tmp_path / "x.xlsx")) == 2
    assert "There is no quarter 5" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()

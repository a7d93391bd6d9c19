"""XLSForm workbooks written by the tests (openpyxl), as a department would bring them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

Rows = Sequence[Sequence[Any]]


def workbook(survey: Rows, choices: Rows = (), settings: Rows = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows:
            extra = book.create_sheet(title)
            for row in rows:
                extra.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


VI = "label::Tiếng Việt (vi)"
EN = "label::English (en)"

# A household survey in Vietnamese (and English): groups, a relevant, a constraint, a
# select_multiple, a repeat and an image, with metadata and a calculate.
HOUSEHOLD = workbook(
    survey=[
        [
            "type",
            "name",
            VI,
            EN,
            "hint::Tiếng Việt (vi)",
            "required",
            "relevant",
            "constraint",
            "constraint_message::Tiếng Việt (vi)",
            "calculation",
            "required_message::Tiếng Việt (vi)",
        ],
        ["start", "batdau"],
        ["today", "ngay"],
        ["deviceid", "thietbi"],
        ["begin group", "chu_ho", "Thông tin chủ hộ", "Head of household"],
        [
            "text",
            "ho_ten",
            "Họ và tên chủ hộ",
            "Name",
            "Viết đầy đủ",
            "yes",
            "",
            "",
            "",
            "",
            "Cần có tên chủ hộ để ghi nhận phiếu",
        ],
        [
            "integer",
            "tuoi",
            "Tuổi",
            "Age",
            "",
            "yes",
            "",
            ". >= 18 and . <= 120",
            "Tuổi phải từ 18 đến 120",
        ],
        ["end group"],
        ["select_one yn", "co_dat", "Hộ có đất sản xuất?", "Has farmland?", "", "yes"],
        [
            "decimal",
            "dien_tich",
            "Diện tích (ha)",
            "Area (ha)",
            "",
            "yes",
            "${co_dat} = 'yes'",
            ". > 0",
            "Diện tích phải lớn hơn 0",
        ],
        [
            "select_multiple cay",
            "cay_trong",
            "Cây trồng chính",
            "Main crops",
            "",
            "yes",
            "${co_dat} = 'yes'",
        ],
        ["calculate", "so_loai", "", "", "", "", "", "", "", "count-selected(${cay_trong})"],
        ["begin repeat", "thanh_vien", "Thành viên", "Member"],
        ["text", "ten_tv", "Tên thành viên", "Member's name", "", "yes"],
        ["end repeat"],
        ["image", "anh_nha", "Ảnh ngôi nhà", "Photo of the house"],
        ["note", "cam_on", "Cảm ơn ${ho_ten}!", "Thank you ${ho_ten}!"],
    ],
    choices=[
        ["list_name", "name", VI, EN],
        ["yn", "yes", "Có", "Yes"],
        ["yn", "no", "Không", "No"],
        ["cay", "lua", "Lúa", "Rice"],
        ["cay", "ngo", "Ngô", "Maize"],
        ["cay", "che", "Chè", "Tea"],
    ],
    settings=[
        ["form_title", "form_id", "version", "default_language"],
        ["Khảo sát hộ gia đình", "khao_sat_ho", "2026120101", "Tiếng Việt (vi)"],
    ],
)

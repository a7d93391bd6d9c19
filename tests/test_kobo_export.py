"""An imported form's columns and cells as KoboToolbox exports them (bot.status.kobo)."""

from __future__ import annotations

from datetime import date

from bot.forms.xlsform import read_xlsform
from bot.status import kobo
from tests.xlsform_books import HOUSEHOLD, workbook

FIELD_VISIT = workbook(
    survey=[
        ["type", "name", "label", "required"],
        ["begin group", "noi", "Nơi đến"],
        ["geopoint", "vi_tri", "Vị trí"],
        ["date", "ngay_den", "Ngày đến"],
        ["end group"],
        ["note", "luu_y", "Đọc kỹ trước khi trả lời"],
        ["begin repeat", "mau", "Mẫu đất"],
        ["select_multiple chat", "chat", "Chất tìm thấy"],
        ["decimal", "ph", "Độ pH"],
        ["end repeat"],
        ["acknowledge", "xac_nhan", "Xác nhận"],
    ],
    choices=[
        ["list_name", "name", "label"],
        ["chat", "n", "Đạm"],
        ["chat", "p", "Lân"],
    ],
    settings=[["form_title", "form_id"], ["Đi thực địa", "thuc_dia"]],
)


def test_columns_follow_the_workbook_by_name_without_group_prefixes() -> None:
    shape = kobo.layout(read_xlsform(FIELD_VISIT, "thuc_dia.xlsx"))
    assert [c.header for c in shape.main.columns] == [
        "vi_tri",
        "_vi_tri_latitude",
        "_vi_tri_longitude",
        "_vi_tri_altitude",
        "_vi_tri_precision",
        "ngay_den",
        "xac_nhan",  # the note is no column; the repeat has its own sheet
    ]
    [samples] = shape.repeats
    assert samples.name == "mau"
    assert [c.header for c in samples.columns] == ["chat", "chat/n", "chat/p", "ph"]


def test_cells_hold_xml_values() -> None:
    form = read_xlsform(FIELD_VISIT, "thuc_dia.xlsx")
    shape = kobo.layout(form)
    answers = {
        "vi_tri": {"lat": 21.0285, "lon": 105.8542},
        "ngay_den": "2026-11-05",
        "chat__1": ["p"],
        "ph__1": 6.5,
        "mau__more1": True,
        "ph__2": 7,
        "mau__more2": False,
        "xac_nhan": "OK",
    }
    main = {c.header: kobo.value(c, answers) for c in shape.main.columns}
    assert main == {
        "vi_tri": "21.0285 105.8542 0 0",
        "_vi_tri_latitude": 21.0285,
        "_vi_tri_longitude": 105.8542,
        "_vi_tri_altitude": 0,
        "_vi_tri_precision": 0,
        "ngay_den": date(2026, 11, 5),
        "xac_nhan": "OK",
    }
    [samples] = shape.repeats
    assert kobo.entries(samples, answers, 5) == [1, 2]
    rows = [[kobo.value(c, answers, entry) for c in samples.columns] for entry in (1, 2)]
    # The second entry's select_multiple was skipped: empty, not zeros.
    assert rows == [["p", 0, 1, 6.5], [None, None, None, 7.0]]


def test_an_entry_whose_questions_were_all_skipped_is_still_a_row() -> None:
    [samples] = kobo.layout(read_xlsform(FIELD_VISIT, "thuc_dia.xlsx")).repeats
    assert kobo.entries(samples, {"mau__more1": True, "mau__more2": False}, 5) == [1, 2]
    assert kobo.entries(samples, {}, 5) == []  # the repeat was never asked


def test_the_household_survey_keeps_its_calculate_and_metadata_where_they_are() -> None:
    shape = kobo.layout(read_xlsform(HOUSEHOLD, "khao_sat_ho.xlsx"))
    headers = [c.header for c in shape.main.columns]
    assert headers[:3] == ["batdau", "ngay", "thietbi"]
    assert headers.index("so_loai") == headers.index("cay_trong/che") + 1
    assert [c.header for c in shape.repeats[0].columns] == ["ten_tv"]
    assert kobo.validation_status("accepted") == "validation_status_approved"
    assert kobo.validation_status("submitted") is None

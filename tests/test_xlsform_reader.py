"""An XLSForm workbook read into a form definition: what is kept, what is adapted, what is refused."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from bot.forms import ChoiceInput, TextInput, answer, next_field
from bot.forms.computed import Filler, fill_computed
from bot.forms.engine import Accepted
from bot.forms.results import Invalid
from bot.forms.times import parse_datetime, parse_time
from bot.forms.xlsform import XLSFormError, english, language_code, read_xlsform
from bot.i18n import create_i18n
from tests.xlsform_books import EN, HOUSEHOLD, VI, workbook

TODAY = date(2026, 12, 3)


def fill(form, *steps):  # type: ignore[no-untyped-def]
    answers: dict = {}
    for raw in steps:
        field = next_field(form, answers)
        assert field is not None
        taken = answer(form, answers, field.name, raw, today=TODAY)
        assert isinstance(taken, Accepted), (field.name, taken)
        answers = taken.answers
    return answers


def test_the_household_survey_keeps_its_settings_labels_and_order() -> None:
    form = read_xlsform(HOUSEHOLD, "ho.xlsx")
    assert (form.id, form.xlsform_version) == ("khao_sat_ho", "2026120101")
    assert form.title.get("vi") == "Khảo sát hộ gia đình"
    name = form.field("ho_ten")
    assert (name.label.get("vi"), name.label.get("en"), name.required) == (
        "Họ và tên chủ hộ",
        "Name",
        True,
    )
    assert name.hint is not None and name.hint.get("vi") == "Viết đầy đủ"
    assert name.notes[0].text.get("vi") == "<b>Thông tin chủ hộ</b>"  # the group's heading
    assert name.placement is not None and name.placement.groups == ("chu_ho",)
    assert form.field("anh_nha").type == "photo"
    assert form.columns[:3] == ("batdau", "ngay", "thietbi")
    assert "so_loai" in form.columns and form.columns.index("so_loai") == 8
    assert [c.kind for c in form.computed] == ["start", "today", "deviceid", "calculate"]
    assert form.closing[0].text.get("en") == "Thank you ${ho_ten}!"


def test_relevant_constraint_and_repeat_walk_like_odk() -> None:
    form = read_xlsform(HOUSEHOLD, "ho.xlsx")
    too_young = answer(
        form, fill(form, TextInput("Lò Văn A")), "tuoi", TextInput("12"), today=TODAY
    )
    assert isinstance(too_young, Invalid)
    assert too_young.message.get("vi") == "Tuổi phải từ 18 đến 120"  # type: ignore[union-attr]
    no_land = fill(form, TextInput("Lò Văn A"), TextInput("40"), ChoiceInput("no"))
    assert next_field(form, no_land) == form.field("ten_tv__1")
    answers = fill(
        form,
        TextInput("Lò Văn A"),
        TextInput("40"),
        ChoiceInput("yes"),
        TextInput("1,5"),
        TextInput("1, 3"),
        TextInput("Lò Thị B"),
        ChoiceInput("yes"),
        TextInput("Lò Văn C"),
        ChoiceInput("no"),
    )
    assert answers["cay_trong"] == ["lua", "che"]
    assert (answers["ten_tv__1"], answers["ten_tv__2"]) == ("Lò Thị B", "Lò Văn C")
    assert next_field(form, answers) == form.field("anh_nha")
    started = datetime(2026, 12, 3, 8, 0)
    filled = fill_computed(form, answers, Filler(started, started, "telegram:42"))
    assert (filled["so_loai"], filled["thietbi"], filled["ngay"]) == (
        2,
        "telegram:42",
        "2026-12-03",
    )


def test_types_a_chat_cannot_offer_are_adapted_and_said() -> None:
    form = read_xlsform(
        workbook(
            [
                ["type", "name", "label", "parameters"],
                ["barcode", "ma", "Mã"],
                ["geotrace", "duong", "Đường đi"],
                ["range", "diem", "Điểm", "start=1 end=5 step=1"],
                ["audio", "ghi_am", "Ghi âm"],
                ["acknowledge", "dong_y", "Tôi đồng ý"],
                ["time", "gio", "Giờ"],
                ["select_one yn or_other", "co", "Có?"],
            ],
            [["list_name", "name", "label"], ["yn", "yes", "Có"], ["yn", "no", "Không"]],
        ),
        "kieu.xlsx",
    )
    said = "\n".join(english(line) for line in form.adapted)
    for word in ("barcode", "geotrace", "range", "audio"):
        assert word in said
    assert form.field("ma").type == "text" and form.field("ghi_am").type == "document"
    assert isinstance(answer(form, {}, "ma", TextInput("8934"), today=TODAY), Accepted)
    base = {"ma": "x", "duong": "1 2; 3 4"}
    assert isinstance(answer(form, base, "diem", TextInput("9"), today=TODAY), Invalid)
    assert form.field("dong_y").choices[0].name == "OK"
    other = form.field("co_other")
    assert other.relevant is not None and other.relevant.holds({"co": "other"})
    assert form.field("co").choices[-1].label.get("vi") == "Khác"


@pytest.mark.parametrize(
    ("survey", "reason"),
    [
        (
            [["type", "name", "label"], ["integer", "a", "A"], ["photograph", "b", "B"]],
            "row 3 of the survey sheet: unknown question type “photograph”",
        ),
        (
            [
                ["type", "name", "label", "relevant"],
                ["integer", "a", "A"],
                ["text", "b", "B", "${c} > 1"],
            ],
            "row 3 of the survey sheet: relevant uses ${c}, but no question is named “c”",
        ),
        (
            [["type", "name", "label", "constraint"], ["integer", "a", "A", ". >>> 2"]],
            "row 2 of the survey sheet (a): constraint",
        ),
        (
            [["type", "name", "label"], ["select_one_from_file units.csv", "u", "Đơn vị"]],
            "row 2 of the survey sheet (u)",
        ),
        ([["type", "name", "label"], ["rank colours", "r", "R"]], "row 2"),
        (
            [
                ["type", "name", "label", "relevant"],
                ["integer", "a", "A", "${b} = 1"],
                ["integer", "b", "B"],
            ],
            "row 2 of the survey sheet (a): relevant",
        ),
    ],
)
def test_a_workbook_that_cannot_run_is_refused_with_its_row(survey: list, reason: str) -> None:
    choices = [["list_name", "name", "label"], ["colours", "red", "Đỏ"]]
    with pytest.raises(XLSFormError, match=re.escape(reason)):
        read_xlsform(workbook(survey, choices), "sai.xlsx")


def test_not_a_workbook() -> None:
    with pytest.raises(XLSFormError, match=r"can.t be read|not recognized"):
        read_xlsform(b"PK not really", "x.xlsx")
    with pytest.raises(XLSFormError, match=r"\.xlsx or \.xls"):
        read_xlsform(HOUSEHOLD, "x.pdf")


def test_languages_and_times() -> None:
    assert [
        language_code(n) for n in ("Tiếng Việt (vi)", "English (en)", "English", "default")
    ] == [
        "vi",
        "en",
        "en",
        "vi",
    ]
    assert parse_time("8h30").value == "08:30"  # type: ignore[union-attr]
    assert isinstance(parse_time("24:10"), Invalid)
    assert parse_datetime("05/03/2026 14:30", TODAY).value == "2026-03-05T14:30"  # type: ignore[union-attr]
    assert VI and EN


def test_what_the_import_says_is_translated_with_its_row() -> None:
    i18n = create_i18n("vi")

    def vietnamese(msgid: str) -> str:
        return i18n.gettext(msgid, locale="vi")

    form = read_xlsform(
        workbook([["type", "name", "label"], ["text", "a", "A"], ["barcode", "ma", "Mã"]]), "k.xlsx"
    )
    [said] = form.adapted
    assert (
        said.render(vietnamese) == "dòng 3 (ma): barcode: người điền gõ mã (chat không có máy quét)"
    )
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(
            workbook([["type", "name", "label", "constraint"], ["integer", "a", "A", ". >>> 2"]]),
            "sai.xlsx",
        )
    text = refused.value.text.render(vietnamese)
    assert text.startswith("sai.xlsx: dòng 2 của sheet survey (a): không tính được constraint")
    assert "vị trí" in text  # the expression's own error, translated as well


def test_required_message_and_appearance() -> None:
    form = read_xlsform(
        workbook(
            [
                ["type", "name", "label", "required", "required_message", "appearance"],
                ["text", "ma_so", "Mã số thuế", "yes", "Phải có mã số thuế", "numbers"],
                ["text", "mo_ta", "Mô tả", "", "", "multiline"],
                ["select_one yn", "co", "Có?", "yes", "", "minimal quick"],
                ["image", "ky", "Chữ ký", "", "", "signature"],
            ],
            [["list_name", "name", "label"], ["yn", "yes", "Có"], ["yn", "no", "Không"]],
        ),
        "ap.xlsx",
    )
    code = form.field("ma_so")
    assert code.required_message is not None and code.required_message.get() == "Phải có mã số thuế"
    assert isinstance(answer(form, {}, "ma_so", TextInput("0101 234 567"), today=TODAY), Accepted)
    assert isinstance(answer(form, {}, "ma_so", TextInput("không có"), today=TODAY), Invalid)
    assert form.field("mo_ta").max_length == 3000 and not form.field("mo_ta").numbers_only
    assert form.field("co").type == "select_one" and form.field("co").required_message is None
    assert form.field("ky").type == "photo"
    assert any("signature" in english(line) for line in form.adapted)


def test_a_repeated_question_is_titled_with_its_entry() -> None:
    form = read_xlsform(HOUSEHOLD, "khao_sat_ho.xlsx")
    assert form.field("ten_tv__2").title("vi") == "Thành viên 2 — Tên thành viên"
    assert form.field("ten_tv__1").title("en") == "Member 1 — Member's name"
    assert form.field("ho_ten").title("vi") == "Họ và tên chủ hộ"

"""The inbox's pure parts: reading the filter typed after /hoso, a revision's changes, long
texts cut between lines."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.periods import Period
from bot.domain.text import Text
from bot.domain.units import UnitDirectory, units_of_province
from bot.forms import load_definitions
from bot.inbox.diff import changes
from bot.inbox.filters import InboxFilter, InboxState, parse_filter
from bot.inbox.render import split_message

HANOI = UnitDirectory(units_of_province(1))
TODAY = date(2026, 11, 27)
FORMS = load_definitions()
TITLES = {form_id: form.title.get("vi") for form_id, form in FORMS.items()}
COMMANDS = {"baocao": "activity_report", "kiemtra": "inspection"}


def read(text: str) -> InboxFilter | Text:
    return parse_filter(text, TITLES, HANOI, TODAY, COMMANDS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", InboxFilter()),
        ("chờ", InboxFilter(state=InboxState.WAITING)),
        ("CHỜ DUYỆT", InboxFilter(state=InboxState.WAITING)),
        ("cho", InboxFilter(state=InboxState.WAITING)),
        ("chua tiep nhan", InboxFilter(state=InboxState.WAITING)),
        ("đã tiếp nhận", InboxFilter(state=InboxState.ACCEPTED)),
        ("can bo sung", InboxFilter(state=InboxState.NEEDS_REVISION)),
        ("11/2026", InboxFilter(period=Period.month(2026, 11))),
        ("tháng 10", InboxFilter(period=Period.month(2026, 10))),
        ("quý IV/2026", InboxFilter(period=Period.quarter(2026, 4))),
        ("cau giay", InboxFilter(unit_query="cau giay")),
        ("P. Cầu Giấy", InboxFilter(unit_query="cau giay")),
        ("Hoà Xá", InboxFilter(unit_query="hoa xa")),
        ("báo cáo", InboxFilter(form_id="activity_report")),
        ("kiemtra", InboxFilter(form_id="inspection")),
        ("thanh tra", InboxFilter(form_id="inspection")),
        # `Chợ` is part of a name; `chờ` as typed is the state.
        ("o cho dua", InboxFilter(unit_query="o cho dua")),
        ("Ô Chợ Dừa chờ", InboxFilter(state=InboxState.WAITING, unit_query="o cho dua")),
        (
            "chờ 11/2026 cau giay",
            InboxFilter(InboxState.WAITING, Period.month(2026, 11), None, "cau giay"),
        ),
        (
            "Cầu Giấy kiểm tra bổ sung 2026",
            InboxFilter(
                InboxState.NEEDS_REVISION, Period.whole_year(2026), "inspection", "cau giay"
            ),
        ),
    ],
)
def test_filters_read_in_any_order_and_spelling(typed: str, expected: InboxFilter) -> None:
    assert read(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("xyz", "No unit's name contains"),
        ("13/2026", "There is no month"),
        ("12/2026", "has not begun yet"),
        ("cau giay 99x", "I didn't understand the period"),
    ],
)
def test_what_is_not_understood_is_said(typed: str, says: str) -> None:
    result = read(typed)
    assert isinstance(result, Text) and says in result.msgid


def test_changes_are_field_by_field_with_the_form_labels() -> None:
    form = FORMS["activity_report"]
    before = {"period": "2026-11", "areas": ["other"], "activity_count": 3, "budget_used": None}
    after = {**before, "activity_count": 5, "budget_used": 1_500_000, "areas": ["innovation"]}
    found, same = changes(form, before, after, "vi")
    assert [(c.label, c.before, c.after) for c in found] == [
        ("Lĩnh vực", "Khác", "Sáng kiến, sáng tạo"),
        ("Số hoạt động đã thực hiện", "3", "5"),
        ("Kinh phí đã sử dụng", "—", "1.500.000 đ"),
    ]
    assert same == 1  # the period


def test_a_field_the_form_no_longer_has_is_shown_by_its_name() -> None:
    found, same = changes(FORMS["inspection"], {"old_field": "a"}, {"old_field": "b"}, "vi")
    assert [(c.label, c.before, c.after) for c in found] == [("old_field", "a", "b")]
    assert same == 0


def test_long_texts_are_cut_between_lines() -> None:
    lines = [f"• line {n}: " + "x" * 90 for n in range(100)]
    parts = split_message("\n".join(lines), limit=1000)
    assert all(len(part) <= 1000 for part in parts)
    assert "\n".join(parts).split("\n") == lines
    assert split_message("y" * 2500, limit=1000) == ["y" * 1000, "y" * 1000, "y" * 500]


def test_a_page_button_carries_its_filter_within_telegrams_64_bytes() -> None:
    from handlers.inbox import InboxPage, Turn, _filter_of, _page_button
    from storage.models import Submission, SubmissionStatus

    row = Submission(id=999_999, status=SubmissionStatus.ACCEPTED)
    wanted = InboxFilter(
        InboxState.WAITING, Period.quarter(2026, 4), "activity_report", "thanh xuan tay nam dong"
    )
    button = _page_button("Sau", Turn.NEXT, row, 999_999, wanted)
    assert button.callback_data is not None and len(button.callback_data.encode()) <= 64
    back = _filter_of(InboxPage.unpack(button.callback_data), FORMS)
    # The unit query may be cut (finding the same units or a few more), nothing else.
    assert back.state is wanted.state and back.period == wanted.period
    assert back.form_id == wanted.form_id and wanted.unit_query.startswith(back.unit_query)
    short = InboxFilter(form_id="inspection", unit_query="cau giay")
    packed = _page_button("Sau", Turn.NEXT, row, 7, short).callback_data
    assert packed is not None and _filter_of(InboxPage.unpack(packed), FORMS) == short


def test_an_old_district_filters_by_the_units_formed_from_it() -> None:
    from bot.domain.units import former_districts
    from bot.inbox.filters import unit_codes

    hanoi = UnitDirectory(units_of_province(1), former_districts(1))
    wanted = parse_filter("chờ quận Đống Đa", TITLES, hanoi, TODAY, COMMANDS)
    assert wanted == InboxFilter(state=InboxState.WAITING, unit_query="quan dong da")
    codes = unit_codes(hanoi, wanted.unit_query)
    assert codes is not None
    names = {unit.name for code in codes if (unit := hanoi.get(code))}
    assert {"Phường Đống Đa", "Phường Kim Liên", "Phường Láng"} <= names
    assert "Phường Cầu Giấy" not in names

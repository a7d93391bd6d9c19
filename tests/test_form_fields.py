"""Each field type's parser: what people type, what is stored, and what is said when it is wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.text import Text
from bot.forms import (
    ChoiceInput,
    ChoicesInput,
    ContactInput,
    Field,
    FileInput,
    FilesInput,
    Invalid,
    Localized,
    LocationInput,
    RawInput,
    TextInput,
    UnsupportedInput,
    Valid,
    add_file,
    expected,
    options,
    render_message,
    render_value,
    toggle_choice,
)
from bot.forms.fields import parse_input
from bot.forms.model import FIELD_TYPES, Choice, DateBound, FieldType
from bot.forms.numbers import format_money, parse_money

TODAY = date(2026, 11, 27)
LABEL = Localized.of({"vi": "Câu hỏi", "en": "Question"})
CHOICES = (
    Choice("a", Localized.of({"vi": "Thông tin, tuyên truyền", "en": "Information"})),
    Choice("b", Localized.of({"vi": "Sở hữu trí tuệ", "en": "Intellectual property"})),
    Choice("other", Localized.of({"vi": "Khác", "en": "Other"})),
)
PHOTO = FileInput("f1", "u1", "photo", size=120_000)
DOC = FileInput(
    "f2", "u2", "document", size=2_000_000, mime_type="application/pdf", file_name="a.pdf"
)


def make(kind: FieldType, **settings: Any) -> Field:
    if kind in ("select_one", "select_multiple"):
        settings.setdefault("choices", CHOICES)
    return Field(name="q", type=kind, label=LABEL, **settings)


def parse(kind: FieldType, raw: RawInput | str, **settings: Any) -> Any:
    """The stored value, or the Invalid itself."""
    result = parse_input(
        make(kind, **settings), TextInput(raw) if isinstance(raw, str) else raw, TODAY
    )
    return result.value if isinstance(result, Valid) else result


def msgid(result: Any) -> str:
    assert isinstance(result, Invalid), result
    assert isinstance(result.message, Text)
    return result.message.msgid


# --- text -----------------------------------------------------------------------


def test_text_is_stripped_and_nfc() -> None:
    assert parse("text", "  Cầu Giấy  ") == "Cầu Giấy"
    assert parse("text", "Cu\u0300") == "Cù"  # decomposed input is stored composed


@pytest.mark.parametrize("raw", ["", "   ", "\n\t"])
def test_text_empty_is_refused(raw: str) -> None:
    assert "empty" in msgid(parse("text", raw))


def test_text_bounds() -> None:
    assert parse("text", "x" * 1000) == "x" * 1000
    too_long = parse("text", "x" * 1001)
    assert "too long" in msgid(too_long)
    assert too_long.message.params == {"length": 1001, "max": 1000}
    assert "too short" in msgid(parse("text", "ab", min_length=3))
    assert parse("text", "abcdef", max_length=5) != "abcdef"


# --- numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [("12", 12), (" 0 ", 0), ("-3", -3), ("1.200", 1200), ("1,200", 1200), ("1 200", 1200)],
)
def test_integer_accepts(raw: str, value: int) -> None:
    assert parse("integer", raw) == value


@pytest.mark.parametrize("raw", ["1.5", "12a", "", "mười", "1.20", "1..2", "++1"])
def test_integer_refuses(raw: str) -> None:
    assert msgid(parse("integer", raw)) == "Please enter a whole number, for example 12."


@pytest.mark.parametrize(
    ("raw", "value"),
    [("2,5", 2.5), ("2.5", 2.5), ("-0,75", -0.75), ("1.234,5", 1234.5), ("3", 3.0)],
)
def test_decimal_accepts(raw: str, value: float) -> None:
    assert parse("decimal", raw) == value


@pytest.mark.parametrize("raw", ["2,5,", "abc", "", "1e5", "nan"])
def test_decimal_refuses(raw: str) -> None:
    assert msgid(parse("decimal", raw)) == "Please enter a number, for example 2,5."


@pytest.mark.parametrize(
    ("raw", "dong"),
    [
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1.500.000 đ", 1_500_000),
        ("1.500.000đ", 1_500_000),
        ("1.500.000 VNĐ", 1_500_000),
        ("1,5 triệu", 1_500_000),
        ("1,5 TRIỆU", 1_500_000),
        ("1.5tr", 1_500_000),
        ("1,5tr", 1_500_000),
        ("2 trieu", 2_000_000),
        ("2 triệu đồng", 2_000_000),
        ("500k", 500_000),
        ("500K", 500_000),
        ("500 nghìn", 500_000),
        ("500 ngàn", 500_000),
        ("2 tỷ", 2_000_000_000),
        ("2 tỉ", 2_000_000_000),
        ("2 ty", 2_000_000_000),
        ("1 tỷ 200 triệu", 1_200_000_000),
        ("1tr5", 1_500_000),
        ("1tr500k", 1_500_000),
        ("1 triệu 500 nghìn", 1_500_000),
        ("1.500", 1_500),
        ("0", 0),
        ("1.2345tr", 1_234_500),
    ],
)
def test_money_spellings(raw: str, dong: int) -> None:
    assert parse("money", raw) == dong


@pytest.mark.parametrize("raw", ["-500k", "- 1.500.000", "−2 triệu"])
def test_money_refuses_negative(raw: str) -> None:
    assert msgid(parse("money", raw)) == "The amount can't be negative."


@pytest.mark.parametrize(
    "raw", ["abc", "", "k", "tr5", "500kk", "5 triệu 2 tỷ", "10^6", "1/2", "một triệu", "1tr 2tr"]
)
def test_money_refuses_garbage(raw: str) -> None:
    assert "Please enter an amount in dong" in msgid(parse("money", raw))


@pytest.mark.parametrize("raw", ["1,5", "1.5", "1,2345k"])
def test_money_refuses_fractions_of_a_dong(raw: str) -> None:
    assert msgid(parse("money", raw)) == "The amount must be a whole number of dong."


def test_money_refuses_absurd_amounts() -> None:
    assert "too large" in msgid(parse("money", "9999999 tỷ"))


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**14))
def test_money_rendering_parses_back(amount: int) -> None:
    assert parse_money(format_money(amount)) == Valid(amount)
    assert parse_money(str(amount)) == Valid(amount)


@settings(max_examples=200)
@given(st.text(max_size=30))
def test_money_never_crashes(raw: str) -> None:
    assert isinstance(parse_money(raw), Valid | Invalid)


# --- dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("05/03/2026", "2026-03-05"),
        ("5/3/2026", "2026-03-05"),
        ("05-03-2026", "2026-03-05"),
        ("05.03.2026", "2026-03-05"),
        ("5/3/26", "2026-03-05"),
        ("5/3", "2026-03-05"),
        ("2026-03-05", "2026-03-05"),
        ("29/02/2028", "2028-02-29"),
        ("Hôm nay", "2026-11-27"),
        ("hom qua", "2026-11-26"),
    ],
)
def test_date_accepts(raw: str, iso: str) -> None:
    assert parse("date", raw) == iso


def test_date_buttons() -> None:
    assert parse("date", ChoiceInput("today")) == "2026-11-27"
    assert parse("date", ChoiceInput("yesterday")) == "2026-11-26"


@pytest.mark.parametrize(
    "raw", ["31/02/2026", "29/02/2026", "32/01/2026", "15/13/2026", "0/5/2026"]
)
def test_impossible_dates_are_named(raw: str) -> None:
    result = parse("date", raw)
    assert msgid(result) == "{date} is not a real date; please check the day and the month."
    assert result.message.params["date"].endswith("/2026")


@pytest.mark.parametrize("raw", ["mai", "2026", "5 tháng 3", "", "05/03/1850", "1/2/3/4"])
def test_date_garbage_asks_for_the_format(raw: str) -> None:
    result = parse("date", raw)
    assert msgid(result) == "Please enter a date as dd/mm/yyyy, for example {example}."
    assert result.message.params == {"example": "27/11/2026"}


def test_date_not_in_the_future() -> None:
    bounded = {"max": DateBound.parse("today")}
    assert parse("date", "27/11/2026", **bounded) == "2026-11-27"
    assert msgid(parse("date", "28/11/2026", **bounded)) == "The date can't be in the future."
    assert parse("date", "28/11/2026") == "2026-11-28"  # unbounded field
    # Yearless and after today: the same day last year is meant.
    assert parse("date", "28/12", **bounded) == "2025-12-28"


def test_date_fixed_bounds() -> None:
    bounds = {"min": DateBound.parse("2025-07-01"), "max": DateBound.parse("today+30")}
    assert "before {date}" in msgid(parse("date", "30/06/2025", **bounds))
    assert "after {date}" in msgid(parse("date", "01/01/2027", **bounds))
    assert parse("date", "01/07/2025", **bounds) == "2025-07-01"


@pytest.mark.parametrize(
    ("raw", "month"),
    [
        ("11/2026", "2026-11"),
        ("tháng 11/2026", "2026-11"),
        ("Tháng 11 năm 2026", "2026-11"),
        ("T11-2026", "2026-11"),
        ("3/2026", "2026-03"),
        ("2026-03", "2026-03"),
        ("11", "2026-11"),
    ],
)
def test_month_accepts(raw: str, month: str) -> None:
    assert parse("month", raw) == month


def test_a_month_number_alone_is_asked_back_unless_it_is_on_a_button() -> None:
    assert parse("month", "10") == "2026-10"  # (this month and the last are the buttons)
    asked = parse("month", "4", max=DateBound.parse("today"))
    assert isinstance(asked, Invalid) and asked.suggestions == ("2026-04",)
    assert asked.message.params["period"] == "4/2026"  # type: ignore[union-attr]
    # Not in the future: December typed in November is last year's, and says so.
    assert parse("month", "tháng 12", max=DateBound.parse("today")).suggestions == ("2025-12",)
    assert parse("month", "12/2026", max=DateBound.parse("today")).message.msgid == (
        "The period can't be in the future."
    )


def test_month_refuses() -> None:
    assert msgid(parse("month", "13/2026")) == "There is no month {month}."
    assert "mm/yyyy" in msgid(parse("month", "tháng mười"))
    future = parse("month", "12/2026", max=DateBound.parse("today"))
    assert msgid(future) == "The period can't be in the future."


def test_month_options_are_this_and_previous_month() -> None:
    offered = options(make("month"), date(2026, 1, 15))
    assert [o.value for o in offered] == ["2026-01", "2025-12"]
    assert render_message(offered[0].label, "vi", str) == "Tháng 1/2026"


def test_date_options_respect_bounds() -> None:
    assert [o.value for o in options(make("date"), TODAY)] == ["today", "yesterday"]
    only_today = make("date", min=DateBound.parse("today"))
    assert [o.value for o in options(only_today, TODAY)] == ["today"]


# --- choices --------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [ChoiceInput("b"), TextInput("2"), TextInput("so huu tri tue"), TextInput("b")]
)
def test_select_one_accepts_button_number_and_label(raw: RawInput) -> None:
    assert parse("select_one", raw) == "b"


@pytest.mark.parametrize(
    "raw", [ChoiceInput("zzz"), TextInput("4"), TextInput("0"), TextInput("hmm")]
)
def test_select_one_refuses_unknown(raw: RawInput) -> None:
    assert "choose one of the options" in msgid(parse("select_one", raw))


def test_select_multiple() -> None:
    assert parse("select_multiple", ChoicesInput(("other", "a"))) == ["a", "other"]
    assert parse("select_multiple", TextInput("3, 1")) == ["a", "other"]
    assert parse("select_multiple", TextInput("1 2")) == ["a", "b"]
    assert parse("select_multiple", TextInput("Thông tin, tuyên truyền; khác")) == ["a", "other"]
    assert parse("select_multiple", ChoiceInput("b")) == ["b"]
    assert "at least one" in msgid(parse("select_multiple", ChoicesInput(())))
    assert "one or more" in msgid(parse("select_multiple", ChoicesInput(("a", "nope"))))
    assert "one or more" in msgid(parse("select_multiple", TextInput("1, 9")))


def test_toggle_choice_keeps_definition_order() -> None:
    field = make("select_multiple")
    assert toggle_choice(field, [], "other") == ["other"]
    assert toggle_choice(field, ["other"], "a") == ["a", "other"]
    assert toggle_choice(field, ["a", "other"], "a") == ["other"]
    assert toggle_choice(field, ["a"], "stale-button") == ["a"]


@pytest.mark.parametrize("raw", ["có", "Co", "yes", "Y", "đúng"])
def test_yes(raw: str) -> None:
    assert parse("yes_no", raw) is True


@pytest.mark.parametrize("raw", ["không", "KHONG", "ko", "no", "n"])
def test_no(raw: str) -> None:
    assert parse("yes_no", raw) is False


def test_yes_no_buttons_and_garbage() -> None:
    assert parse("yes_no", ChoiceInput("yes")) is True
    assert parse("yes_no", ChoiceInput("no")) is False
    assert msgid(parse("yes_no", "có lẽ")) == "Please answer yes or no."


# --- files, location, phone ---------------------------------------------------------


def test_photo_value_is_a_list_of_file_dicts() -> None:
    assert parse("photo", PHOTO) == [
        {
            "file_id": "f1",
            "file_unique_id": "u1",
            "type": "photo",
            "size": 120_000,
            "mime_type": None,
            "file_name": None,
        }
    ]
    image_as_file = FileInput("f3", "u3", "document", mime_type="image/jpeg")
    assert parse("photo", image_as_file)[0]["type"] == "document"
    assert msgid(parse("photo", DOC)) == "Please send a photo."
    assert parse("document", DOC)[0]["file_name"] == "a.pdf"
    assert parse("document", PHOTO)[0]["type"] == "photo"


def test_file_size_limit() -> None:
    big = FileInput("f", "u", "document", size=25 * 1024 * 1024)
    result = parse("document", big)
    assert msgid(result) == "The file is too large ({size} MB); the limit is {max} MB."
    assert result.message.params == {"size": 25, "max": 20}


def test_add_file_collects_up_to_max_count() -> None:
    field = make("photo", max_count=2)
    first = add_file(field, [], PHOTO)
    assert isinstance(first, Valid)
    same_again = add_file(field, first.value, PHOTO)
    assert same_again == first
    second = add_file(field, first.value, FileInput("f9", "u9", "photo"))
    assert isinstance(second, Valid) and len(second.value) == 2
    third = add_file(field, second.value, FileInput("f10", "u10", "photo"))
    assert msgid(third) == "At most {max} files can be attached here."
    assert parse("photo", FilesInput(tuple(second.value)), max_count=2) == second.value
    assert isinstance(parse("photo", FilesInput(tuple(second.value))), Invalid)  # max_count 1
    assert isinstance(parse("photo", FilesInput(())), Invalid)
    assert isinstance(parse("photo", FilesInput(({"nonsense": 1},))), Invalid)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (LocationInput(21.0285, 105.8542), {"lat": 21.0285, "lon": 105.8542}),
        (TextInput("21.0285, 105.8542"), {"lat": 21.0285, "lon": 105.8542}),
        (LocationInput(-90, 180), {"lat": -90.0, "lon": 180.0}),
    ],
)
def test_location(raw: RawInput, value: dict[str, float]) -> None:
    assert parse("location", raw) == value


@pytest.mark.parametrize(
    "raw",
    [
        LocationInput(91, 0),
        LocationInput(0, -181),
        LocationInput(float("nan"), 0),
        TextInput("200, 5"),
    ],
)
def test_location_out_of_range(raw: RawInput) -> None:
    assert "not a valid location" in msgid(parse("location", raw))


@pytest.mark.parametrize(
    "raw",
    [
        TextInput("0912 345 678"),
        TextInput("+84 912 345 678"),
        TextInput("84912345678"),
        TextInput("0912.345.678"),
        ContactInput("84912345678"),
        ContactInput("+84912345678"),
    ],
)
def test_phone_variants(raw: RawInput) -> None:
    assert parse("phone", raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["12345", "0912 345 67a", "+1 202 555 0143", ""])
def test_phone_refuses(raw: str) -> None:
    assert "Vietnamese phone number" in msgid(parse("phone", raw))


# --- the wrong kind of input ----------------------------------------------------------

WRONG_KIND: dict[str, RawInput] = {
    "text": UnsupportedInput("sticker"),
    "integer": PHOTO,
    "decimal": LocationInput(1, 2),
    "money": UnsupportedInput("voice"),
    "date": PHOTO,
    "month": UnsupportedInput("sticker"),
    "time": PHOTO,
    "datetime": LocationInput(1, 2),
    "select_one": PHOTO,
    "select_multiple": UnsupportedInput("sticker"),
    "yes_no": ContactInput("0912345678"),
    "photo": TextInput("here it is"),
    "document": UnsupportedInput("sticker"),
    "location": UnsupportedInput("sticker"),
    "phone": PHOTO,
}


@pytest.mark.parametrize("kind", FIELD_TYPES)
def test_every_type_answers_the_wrong_kind_with_what_it_expects(kind: FieldType) -> None:
    field = make(kind)
    result = parse_input(field, WRONG_KIND[kind], TODAY)
    assert isinstance(result, Invalid)
    assert result.message == expected(field, TODAY)
    assert isinstance(parse_input(field, UnsupportedInput("sticker"), TODAY), Invalid)


# --- rendering ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "vi", "en"),
    [
        ("money", 1_500_000, "1.500.000 đ", "1.500.000 đ"),
        ("date", "2026-03-05", "05/03/2026", "05/03/2026"),
        ("month", "2026-11", "Tháng 11/2026", "11/2026"),
        ("integer", 1200, "1.200", "1,200"),
        ("decimal", 2.5, "2,5", "2.5"),
        ("yes_no", True, "Có", "Yes"),
        ("yes_no", False, "Không", "No"),
        ("select_one", "b", "Sở hữu trí tuệ", "Intellectual property"),
        ("select_multiple", ["a", "other"], "Thông tin, tuyên truyền; Khác", "Information; Other"),
        ("phone", "+84912345678", "0912 345 678", "0912 345 678"),
        (
            "location",
            {"lat": 21.0285, "lon": 105.8542},
            "21.028500, 105.854200",
            "21.028500, 105.854200",
        ),
        ("photo", [{"file_id": "x"}] * 2, "2 ảnh", "2 photos"),
        ("document", [{"file_id": "x"}], "1 tệp", "1 file"),
        ("text", None, "—", "—"),
    ],
)
def test_render_value(kind: FieldType, value: Any, vi: str, en: str) -> None:
    field = make(kind)
    assert render_value(field, value, "vi") == vi
    assert render_value(field, value, "en") == en

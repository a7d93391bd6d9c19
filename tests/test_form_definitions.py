"""Loading form definitions: the shipped ones are complete, and every mistake is refused by name."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.forms import (
    DEFINITIONS_DIR,
    FormDefinitionError,
    load_definition,
    load_definitions,
)
from bot.forms.expressions import ExpressionError, parse_expression

# --- the shipped definitions ----------------------------------------------------------


def test_shipped_definitions_load() -> None:
    forms = load_definitions()
    assert set(forms) == {"activity_report", "inspection"}
    report, inspection = forms["activity_report"], forms["inspection"]
    assert report.period_field == "period"
    assert inspection.period_field is None
    assert report.title.get("vi") == "Báo cáo hoạt động KH&CN"
    assert inspection.title.get("vi") == "Kết quả thanh tra, kiểm tra"
    assert report.field("period").label.get("vi") == "Kỳ báo cáo"
    assert inspection.field("inspection_date").label.get("vi") == "Ngày kiểm tra"
    assert [c.label.get("vi") for c in inspection.field("handling").choices] == [
        "Nhắc nhở, hướng dẫn",
        "Lập biên bản, đề nghị xử phạt",
        "Xử phạt vi phạm hành chính",
        "Chuyển cơ quan có thẩm quyền",
    ]
    assert len(report.field("areas").choices) == 11
    assert inspection.field("photos").max_count == 5


def test_digital_transformation_is_an_area_with_its_activities() -> None:
    """Since the 2025 merger the department also covers digital transformation (issue 14.12)."""
    report = load_definitions()["activity_report"]
    area = report.field("areas").choice("digital_transformation")
    assert area is not None and area.label.get("vi").startswith("Chuyển đổi số")
    activities = report.field("digital_activities")
    assert "Bình dân học vụ số" in " ".join(c.label.get("vi") for c in activities.choices)
    assert activities.relevant is not None
    assert activities.relevant.holds({"areas": ["digital_transformation"]})
    assert not activities.relevant.holds({"areas": ["environment"]})


def test_the_inspection_record_can_be_a_file() -> None:
    """A PDF of the inspection record goes with the site photos (issue 14.9)."""
    assert load_definitions()["inspection"].field("photos").type == "document"


@pytest.mark.parametrize("form_id", ["activity_report", "inspection"])
def test_every_text_has_vietnamese_and_english(form_id: str) -> None:
    form = load_definitions()[form_id]
    texts = [form.title]
    for field in form.fields:
        texts += [field.label, *(t for t in (field.hint, field.constraint_message) if t)]
        texts += [c.label for c in field.choices]
    for text in texts:
        assert set(text.languages) == {"vi", "en"}, text


def test_domain_rules_in_the_definitions() -> None:
    forms = load_definitions()
    inspection = forms["inspection"]
    fine = inspection.field("fine_amount")
    assert fine.type == "money" and fine.relevant is not None
    assert fine.relevant.source == "${result} = 'violation' and selected(${handling}, 'fine')"
    for name in ("violation_count", "violation_description", "handling"):
        assert inspection.field(name).relevant is not None
    optional = {f.name for f in forms["activity_report"].fields if not f.required}
    assert optional == {
        "participant_count",
        "budget_used",
        "difficulties",
        "proposals",
        "attachments",
    }


def test_folder_is_overridable(tmp_path: Path) -> None:
    shutil.copy(DEFINITIONS_DIR / "inspection.yaml", tmp_path / "kiem_tra.yml")
    assert list(load_definitions(tmp_path)) == ["inspection"]
    assert load_definitions(tmp_path / "empty") == {}


def test_xlsform_style_language_keys_and_aliases(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        id: xls
        title::vi: Biểu mẫu
        title::English (en): A form
        fields:
          - name: pic
            type: image
            label::vi: Ảnh
            label::en: Photo
          - name: place
            type: geopoint
            label: Vị trí
        """,
    )
    form = load_definition(path)
    assert form.title.get("en") == "A form"
    assert form.field("pic").type == "photo"
    assert form.field("pic").label.get("en") == "Photo"
    assert form.field("place").type == "location"
    assert form.field("place").label.get("en") == "Vị trí"  # falls back to Vietnamese


# --- refused definitions ------------------------------------------------------------------

GOOD_HEAD = """
id: broken
title: {vi: Hỏng, en: Broken}
choices:
  yn:
    - {name: a, label: {vi: A}}
    - {name: b, label: {vi: B}}
fields:
  - {name: first, type: select_one yn, label: {vi: Một}, required: yes}
"""


def write(tmp_path: Path, text: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("field_yaml", "field", "problem"),
    [
        ("{name: second, type: sticker, label: Hai}", "'second'", "unknown type 'sticker'"),
        (
            "{name: second, type: text, label: Hai, relevant: \"${nope} = 'a'\"}",
            "'second'",
            "${nope}",
        ),
        (
            "{name: second, type: text, label: Hai, relevant: \"${third} = 'a'\"}",
            "'second'",
            "not an earlier field",
        ),
        (
            "{name: second, type: text, label: Hai, relevant: \"${second} = 'a'\"}",
            "'second'",
            "not an earlier field",
        ),
        (
            "{name: second, type: select_one colours, label: Hai}",
            "'second'",
            "choice list 'colours'",
        ),
        (
            "{name: second, type: select_multiple, label: Hai}",
            "'second'",
            "choice list after the type",
        ),
        ("{name: first, type: text, label: Hai}", "'first'", "duplicate field name"),
        (
            "{name: second, type: integer, label: Hai, constraint: '. >= '}",
            "'second'",
            "bad constraint",
        ),
        (
            "{name: second, type: integer, label: Hai, constraint: '. => 0'}",
            "'second'",
            "bad constraint",
        ),
        (
            "{name: second, type: integer, label: Hai, constraint: 'first = 1'}",
            "'second'",
            "unknown name 'first'",
        ),
        (
            "{name: second, type: integer, label: Hai, constraint: 'foo(.)'}",
            "'second'",
            "unknown name 'foo'",
        ),
        (
            "{name: second, type: integer, label: Hai, relevant: '. > 1'}",
            "'second'",
            "earlier answers only",
        ),
        (
            "{name: second, type: date, label: Hai, relevant: \"today() > '2026'\"}",
            "'second'",
            "earlier answers only",
        ),
        (
            "{name: second, type: text, label: Hai, requried: yes}",
            "'second'",
            "unknown key 'requried'",
        ),
        ("{name: second, type: text, label: {en: Two}}", "'second'", "no 'vi' text"),
        ("{name: second, type: text}", "'second'", "'label' is missing"),
        (
            "{name: second, type: text, label: Hai, max_count: 3}",
            "'second'",
            "'max_count' does not apply",
        ),
        (
            "{name: second, type: date, label: Hai, max: tomorrow}",
            "'second'",
            "'max' must be today",
        ),
        (
            "{name: second, type: text, label: Hai, required: maybe}",
            "'second'",
            "'required' must be yes or no",
        ),
        ("{name: 2nd, type: text, label: Hai}", "#2", "'name' must be"),
        ("{type: text, label: Hai}", "#2", "'name' must be"),
        ("{name: second, label: Hai}", "'second'", "'type' is missing"),
        (
            "{name: second, type: text, label: Hai, constraint_message: Sai}",
            "'second'",
            "without a 'constraint'",
        ),
        (
            "{name: second, type: text, label: Hai, min_length: 5, max_length: 2}",
            "'second'",
            "greater than",
        ),
    ],
)
def test_bad_field_is_refused_naming_file_field_and_problem(
    tmp_path: Path, field_yaml: str, field: str, problem: str
) -> None:
    path = write(tmp_path, GOOD_HEAD + f"  - {field_yaml}\n")
    with pytest.raises(FormDefinitionError) as error:
        load_definition(path)
    message = str(error.value)
    assert str(path) in message
    assert f"field {field}" in message
    assert problem in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("id: x\ntitle: X\nfields: []\n", "'fields' must be a non-empty list"),
        ("title: X\nfields: [{name: a, type: text, label: A}]\n", "'id'"),
        ("id: x\nfields: [{name: a, type: text, label: A}]\n", "'title' is missing"),
        (
            "id: x\ntitle: X\nfields: [{name: a, type: text, label: A}]\nperiod_field: a\n",
            "period_field",
        ),
        ("id: x\ntitle: X\nversion: 0\nfields: [{name: a, type: text, label: A}]\n", "'version'"),
        (
            "id: x\ntitle: X\nextra: 1\nfields: [{name: a, type: text, label: A}]\n",
            "unknown key 'extra'",
        ),
        (
            "id: x\ntitle: X\nchoices: {c: []}\nfields: [{name: a, type: text, label: A}]\n",
            "choice list 'c'",
        ),
        (
            "id: x\ntitle: X\nchoices: {c: [{name: a, label: A}, {name: a, label: B}]}\n"
            "fields: [{name: a, type: text, label: A}]\n",
            "duplicate choice name 'a'",
        ),
        (
            "id: x\ntitle: X\nchoices: {c: [{name: 'a b', label: A}]}\nfields: [{name: a, type: text, label: A}]\n",
            "bad choice name 'a b'",
        ),
        ("id: x\ntitle: X\nfields: [{name: a, type: text, label: A}\n", "can't be read"),
        ("- just a list\n", "must be a mapping"),
    ],
)
def test_bad_form_is_refused_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FormDefinitionError) as error:
        load_definition(path)
    assert str(path) in str(error.value)
    assert problem in str(error.value)


def test_duplicate_form_ids_name_both_files(tmp_path: Path) -> None:
    shutil.copy(DEFINITIONS_DIR / "inspection.yaml", tmp_path / "a.yaml")
    shutil.copy(DEFINITIONS_DIR / "inspection.yaml", tmp_path / "b.yaml")
    with pytest.raises(FormDefinitionError, match=r"b\.yaml.*'inspection'.*a\.yaml"):
        load_definitions(tmp_path)


def test_a_broken_file_stops_loading_the_folder(tmp_path: Path) -> None:
    shutil.copy(DEFINITIONS_DIR / "inspection.yaml", tmp_path / "inspection.yaml")
    write(tmp_path, GOOD_HEAD + "  - {name: x, type: nope, label: X}\n", "zz.yaml")
    with pytest.raises(FormDefinitionError, match=r"zz\.yaml: field 'x': unknown type 'nope'"):
        load_definitions(tmp_path)


# --- the condition language --------------------------------------------------------------

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("source", "answers", "holds"),
    [
        ("${result} = 'violation'", {"result": "violation"}, True),
        ("${result} = 'violation'", {"result": "no_violation"}, False),
        ("${result} = 'violation'", {}, False),
        ("${result} != 'violation'", {}, True),
        ("${result} = ''", {"result": None}, True),
        ("selected(${handling}, 'fine')", {"handling": ["reminder", "fine"]}, True),
        ("selected(${handling}, 'fine')", {"handling": ["reminder"]}, False),
        ("selected(${handling}, 'fine')", {"handling": None}, False),
        ("selected(${kind}, 'a')", {"kind": "a"}, True),
        ("count-selected(${handling}) >= 2", {"handling": ["a", "b"]}, True),
        ("${n} > 5", {"n": 6}, True),
        ("${n} > 5", {"n": 5}, False),
        ("${n} >= 5 and ${n} <= 10", {"n": 10}, True),
        ("${n} < 5 or ${n} > 10", {"n": 7}, False),
        ("${n} > 5", {}, False),
        ("${n} <= 2.5", {"n": 2.5}, True),
        ("${n} = -1", {"n": -1}, True),
        ("not(${n} > 5)", {"n": 1}, True),
        ("not(${flag})", {"flag": False}, True),
        ("${flag} = 'yes'", {"flag": True}, True),
        ("${flag} = true()", {"flag": True}, True),
        ("${flag}", {"flag": False}, False),
        ("(${a} = 1 or ${b} = 2) and not(${c} = 3)", {"a": 1, "c": 4}, True),
        ("${d} < '2026-01-01'", {"d": "2025-12-31"}, True),
        ("string-length(${t}) > 3", {"t": "Cầu Giấy"}, True),
        ('${s} = "x"', {"s": "x"}, True),
        ("${m} = '1'", {"m": 1}, True),
        ("${m} = 'abc'", {"m": 1}, False),
        ("${m} != 'abc'", {"m": 1}, True),
    ],
)
def test_condition_semantics(source: str, answers: dict[str, object], holds: bool) -> None:
    assert parse_expression(source).holds(answers, today=TODAY) is holds


def test_current_value_and_today() -> None:
    expression = parse_expression(". <= today() and . >= '2020-01-01'")
    assert expression.uses_current and expression.uses_today
    assert expression.holds({}, current="2026-11-27", today=TODAY)
    assert not expression.holds({}, current="2026-11-28", today=TODAY)
    assert parse_expression("${a} = 1 and selected(${b}, 'x')").references == {"a", "b"}


@pytest.mark.parametrize(
    "source",
    [
        "",
        "${a} =",
        "${a} = = 1",
        "(${a} = 1",
        "${a} = 1)",
        "selected(${a})",
        "not()",
        "${a} == 1",
        "${a b} = 1",
        "'unclosed",
        "${a} = 1 and",
        "today(1)",
        "1 2",
    ],
)
def test_syntax_errors(source: str) -> None:
    with pytest.raises(ExpressionError):
        parse_expression(source)


@settings(max_examples=300)
@given(st.text(alphabet="${}()'.,=<>!abc 12-", max_size=25))
def test_parser_never_crashes(source: str) -> None:
    try:
        expression = parse_expression(source)
    except ExpressionError:
        return
    expression.evaluate({"a": 1, "b": ["x"], "c": None}, current=2, today=TODAY)

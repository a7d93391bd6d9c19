"""The form engine: the walk through a form, Back / Skip / edit, stale answers, and the submission."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.text import Text
from bot.forms import (
    Accepted,
    ChoiceInput,
    ChoicesInput,
    ContactInput,
    Field,
    FileInput,
    FilesInput,
    FormDefinition,
    Invalid,
    Localized,
    LocationInput,
    RawInput,
    TextInput,
    UnsupportedInput,
    Valid,
    answer,
    answered_fields,
    can_skip,
    expected,
    is_complete,
    is_relevant,
    load_definitions,
    next_field,
    parse_definition,
    previous_field,
    prune,
    render_submission,
    skip,
    submission,
    validate,
)
from bot.forms.model import FIELD_TYPES
from bot.forms.numbers import format_money, group_thousands

TODAY = date(2026, 11, 27)
FORMS = load_definitions()
INSPECTION = FORMS["inspection"]
REPORT = FORMS["activity_report"]

# A form with every field type and relevance chains, to run the properties over all of them.
ALL_TYPES = parse_definition(
    {
        "id": "all_types",
        "title": {"vi": "Mọi loại câu hỏi", "en": "Every field type"},
        "choices": {
            "colours": [
                {"name": "red", "label": {"vi": "Đỏ", "en": "Red"}},
                {"name": "green", "label": {"vi": "Xanh lá", "en": "Green"}},
                {"name": "other", "label": {"vi": "Khác", "en": "Other"}},
            ]
        },
        "fields": [
            {"name": "has_phone", "type": "yes_no", "label": "Có điện thoại?", "required": True},
            {
                "name": "phone",
                "type": "phone",
                "label": "Số điện thoại",
                "required": True,
                "relevant": "${has_phone} = 'yes'",
            },
            {"name": "colour", "type": "select_one colours", "label": "Màu", "required": True},
            {
                "name": "shades",
                "type": "select_multiple colours",
                "label": "Sắc độ",
                "required": False,
                "relevant": "${colour} != 'other'",
            },
            {
                "name": "why",
                "type": "text",
                "label": "Vì sao",
                "required": True,
                "relevant": "selected(${shades}, 'other') or ${colour} = 'other'",
                "max_length": 40,
            },
            {
                "name": "total",
                "type": "integer",
                "label": "Tổng",
                "required": True,
                "constraint": ". >= 1",
            },
            {
                "name": "part",
                "type": "integer",
                "label": "Một phần",
                "required": True,
                "constraint": ". >= 0 and . <= ${total}",
                "constraint_message": {"vi": "Không quá tổng.", "en": "Not more than the total."},
            },
            {
                "name": "ratio",
                "type": "decimal",
                "label": "Tỉ lệ",
                "required": False,
                "constraint": ". > 0",
            },
            {"name": "cost", "type": "money", "label": "Chi phí", "required": False},
            {
                "name": "day",
                "type": "date",
                "label": "Ngày",
                "required": True,
                "max": "today",
                "constraint": ". >= '2020-01-01'",
            },
            {"name": "period", "type": "month", "label": "Kỳ", "required": True, "max": "today"},
            {"name": "at", "type": "time", "label": "Giờ", "required": False},
            {"name": "when", "type": "datetime", "label": "Lúc", "required": False},
            {
                "name": "where",
                "type": "location",
                "label": "Vị trí",
                "required": False,
                "relevant": "count-selected(${shades}) > 1",
            },
            {"name": "pics", "type": "photo", "label": "Ảnh", "required": False, "max_count": 3},
            {
                "name": "doc",
                "type": "document",
                "label": "Tệp",
                "required": True,
                "relevant": "${total} > 5",
            },
        ],
    },
    source="all_types.yaml",
)
ALL_FORMS = [INSPECTION, REPORT, ALL_TYPES]
assert {f.type for f in ALL_TYPES.fields} == set(FIELD_TYPES)


def ok(form: FormDefinition, answers: dict[str, Any], name: str, raw: RawInput) -> dict[str, Any]:
    result = answer(form, answers, name, raw, today=TODAY)
    assert isinstance(result, Accepted), result
    return result.answers


def fill(form: FormDefinition, *inputs: RawInput | None) -> dict[str, Any]:
    """Answer the fields in the engine's order; None skips."""
    answers: dict[str, Any] = {}
    for raw in inputs:
        field = next_field(form, answers)
        assert field is not None
        answers = (
            skip(form, answers, field.name, today=TODAY)
            if raw is None
            else ok(form, answers, field.name, raw)
        )
    return answers


NO_VIOLATION_START = (
    ChoiceInput("today"),
    TextInput("Cửa hàng xăng dầu số 5"),
    TextInput("12 Trần Duy Hưng"),
    ChoiceInput("fuel_station"),
    ChoicesInput(("measurement",)),
)


def violation(*handling: str) -> dict[str, Any]:
    return fill(
        INSPECTION,
        *NO_VIOLATION_START,
        ChoiceInput("violation"),
        TextInput("2"),
        TextInput("Cột đo sai số vượt mức cho phép"),
        ChoicesInput(handling),
    )


# --- the walk ---------------------------------------------------------------------


def test_no_violation_skips_the_violation_questions() -> None:
    answers = fill(INSPECTION, *NO_VIOLATION_START, ChoiceInput("no_violation"))
    field = next_field(INSPECTION, answers)
    assert field is not None and field.name == "photos"
    answers = fill_rest(answers)
    names = [f.name for f, _ in submission(INSPECTION, answers)]
    assert "violation_count" not in names and "fine_amount" not in names


def fill_rest(answers: dict[str, Any]) -> dict[str, Any]:
    while (field := next_field(INSPECTION, answers)) is not None:
        answers = skip(INSPECTION, answers, field.name, today=TODAY)
    return answers


def test_fine_amount_is_asked_only_when_fined() -> None:
    fined = violation("record", "fine")
    assert next_field(INSPECTION, fined) == INSPECTION.field("fine_amount")
    reminded = violation("reminder")
    assert next_field(INSPECTION, reminded) == INSPECTION.field("photos")


def test_changing_an_earlier_answer_drops_stale_answers() -> None:
    answers = ok(INSPECTION, violation("fine"), "fine_amount", TextInput("1,5 triệu"))
    assert answers["fine_amount"] == 1_500_000
    no_fine = ok(INSPECTION, answers, "handling", ChoicesInput(("reminder",)))
    assert "fine_amount" not in no_fine and no_fine["handling"] == ["reminder"]
    cleared = ok(INSPECTION, answers, "result", ChoiceInput("no_violation"))
    assert not {"violation_count", "violation_description", "handling", "fine_amount"} & set(
        cleared
    )
    assert cleared["facility_name"] == "Cửa hàng xăng dầu số 5"
    # Back to "violation": the violation questions are asked again, not silently restored.
    again = ok(INSPECTION, cleared, "result", ChoiceInput("violation"))
    assert next_field(INSPECTION, again) == INSPECTION.field("violation_count")


def test_a_change_that_breaks_a_later_constraint_drops_that_answer() -> None:
    answers = fill(
        ALL_TYPES, ChoiceInput("no"), ChoiceInput("red"), None, TextInput("10"), TextInput("7")
    )
    assert answers["part"] == 7
    lowered = ok(ALL_TYPES, answers, "total", TextInput("5"))
    assert "part" not in lowered
    assert next_field(ALL_TYPES, lowered) == ALL_TYPES.field("part")
    raised = ok(ALL_TYPES, answers, "total", TextInput("20"))
    assert raised["part"] == 7


def test_constraint_messages() -> None:
    answers = fill(ALL_TYPES, ChoiceInput("no"), ChoiceInput("red"), None, TextInput("3"))
    refused = answer(ALL_TYPES, answers, "part", TextInput("4"), today=TODAY)
    assert isinstance(refused, Invalid)
    assert refused.message == Localized.of(
        {"vi": "Không quá tổng.", "en": "Not more than the total."}
    )
    default = answer(ALL_TYPES, answers, "total", TextInput("0"), today=TODAY)
    assert isinstance(default, Invalid) and isinstance(default.message, Text)
    negative = answer(
        REPORT,
        {"period": "2026-11", "areas": ["environment"]},
        "activity_count",
        TextInput("-2"),
        today=TODAY,
    )
    assert isinstance(negative, Invalid) and isinstance(negative.message, Localized)
    assert negative.message.get("vi") == "Số hoạt động không thể âm."


def test_date_constraint_with_today() -> None:
    form = parse_definition(
        {
            "id": "d",
            "title": "D",
            "fields": [
                {"name": "d", "type": "date", "label": "Ngày", "constraint": ". <= today()"}
            ],
        }
    )
    assert validate(form, {}, "d", TextInput("27/11/2026"), today=TODAY) == Valid("2026-11-27")
    assert isinstance(validate(form, {}, "d", TextInput("28/11/2026"), today=TODAY), Invalid)


def test_inspection_date_cannot_be_in_the_future() -> None:
    tomorrow = (TODAY + timedelta(1)).strftime("%d/%m/%Y")
    refused = answer(INSPECTION, {}, "inspection_date", TextInput(tomorrow), today=TODAY)
    assert isinstance(refused, Invalid)
    assert isinstance(refused.message, Text)
    assert refused.message.msgid == "The date can't be in the future."


def test_back_goes_to_the_previous_asked_field() -> None:
    answers = fill(INSPECTION, *NO_VIOLATION_START, ChoiceInput("no_violation"))
    assert previous_field(INSPECTION, answers, "photos") == INSPECTION.field("result")
    assert previous_field(INSPECTION, answers, "result") == INSPECTION.field("check_areas")
    assert previous_field(INSPECTION, answers, "inspection_date") is None
    complete = fill_rest(answers)
    assert previous_field(INSPECTION, complete, None) == INSPECTION.field("notes")
    fined = violation("fine")
    assert previous_field(INSPECTION, fined, "fine_amount") == INSPECTION.field("handling")


def test_skip_only_optional_fields() -> None:
    assert can_skip(INSPECTION.field("notes"))
    assert not can_skip(INSPECTION.field("facility_name"))
    with pytest.raises(ValueError, match="required"):
        skip(INSPECTION, {}, "facility_name", today=TODAY)
    answers = fill(
        REPORT, ChoiceInput("2026-11"), ChoicesInput(("environment",)), TextInput("3"), None
    )
    assert answers["participant_count"] is None
    assert next_field(REPORT, answers) == REPORT.field("main_content")


def test_answering_a_field_that_is_not_asked_is_a_bug() -> None:
    with pytest.raises(ValueError, match="not asked"):
        answer(INSPECTION, {}, "fine_amount", TextInput("500k"), today=TODAY)
    with pytest.raises(KeyError):
        answer(INSPECTION, {}, "nope", TextInput("x"), today=TODAY)


def test_review_lists_answered_fields_and_renders_them() -> None:
    answers = fill_rest(ok(INSPECTION, violation("fine"), "fine_amount", TextInput("2tr")))
    assert is_complete(INSPECTION, answers)
    fields = answered_fields(INSPECTION, answers)
    assert [f.name for f in fields][:3] == ["inspection_date", "facility_name", "facility_address"]
    vi = dict(render_submission(INSPECTION, answers, "vi"))
    assert vi["Ngày kiểm tra"] == "27/11/2026"
    assert vi["Kết quả"] == "Có vi phạm"
    assert vi["Số tiền phạt"] == "2.000.000 đ"
    assert vi["Ghi chú"] == "—"
    en = dict(render_submission(INSPECTION, answers, "en"))
    assert en["Result"] == "Violation found"
    assert en["Action taken"] == "Administrative fine"


def test_submission_refuses_an_incomplete_form() -> None:
    with pytest.raises(ValueError, match="facility_name"):
        submission(INSPECTION, {"inspection_date": "2026-11-27"})


def test_activity_report_period() -> None:
    assert REPORT.period_field == "period"
    answers = ok(REPORT, {}, "period", TextInput("tháng 10/2026"))
    assert answers == {"period": "2026-10"}
    future = answer(REPORT, {}, "period", TextInput("12/2026"), today=TODAY)
    assert isinstance(future, Invalid)


def test_prune_drops_unknown_and_irrelevant_keys() -> None:
    answers = {"result": "no_violation", "violation_count": 3, "junk": 1}
    assert prune(INSPECTION, answers) == {"result": "no_violation"}


# --- properties ---------------------------------------------------------------------

_VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệốồổỗộớờởỡợứừửữựAĐÊ"
_PHONES = ["0912 345 678", "+84 912 345 678", "84912345678", "0987654321", "098.765.4321"]


def _files(field: Field) -> st.SearchStrategy[RawInput]:
    ids = st.lists(st.integers(0, 10**6), min_size=1, max_size=field.max_count, unique=True)
    kind: Literal["photo", "document"] = "photo" if field.type == "photo" else "document"

    def as_input(numbers: list[int]) -> RawInput:
        files = [FileInput(f"id{n}", f"u{n}", kind, size=1000 + n) for n in numbers]
        if len(files) == 1:
            return files[0]
        return FilesInput(
            tuple(
                {
                    "file_id": f.file_id,
                    "file_unique_id": f.file_unique_id,
                    "type": f.kind,
                    "size": f.size,
                }
                for f in files
            )
        )

    return ids.map(as_input)


def valid_input(field: Field, answers: dict[str, Any]) -> st.SearchStrategy[RawInput]:
    """Inputs a person could send that the field (and every constraint in these forms) accepts."""
    names = [c.name for c in field.choices]
    kind = field.type
    if field.name == "part":  # ALL_TYPES: `. <= ${total}`
        return st.integers(0, answers["total"]).map(lambda n: TextInput(str(n)))
    if kind == "text":
        text = st.text(alphabet=_VI_LETTERS + " ", min_size=1, max_size=min(field.max_length, 40))
        return text.filter(lambda t: t.strip() != "").map(TextInput)
    if kind == "integer":
        return st.integers(1, 10**6).flatmap(
            lambda n: st.sampled_from([str(n), group_thousands(n), f" {n} "]).map(TextInput)
        )
    if kind == "decimal":
        return st.integers(1, 10**6).map(
            lambda n: TextInput(f"{n // 100},{n % 100:02d}" if n >= 100 else str(n))
        )
    if kind == "money":
        return st.integers(1, 10**9).flatmap(
            lambda n: st.sampled_from(
                [str(n), format_money(n), group_thousands(n), f"{n * 1000 // 1000 // 1000 or 1}k"]
            ).map(TextInput)
        )
    if kind == "date":
        days = st.integers(0, 2000).map(lambda d: TODAY - timedelta(d))
        typed = days.flatmap(
            lambda d: st.sampled_from(
                [
                    d.strftime("%d/%m/%Y"),
                    d.strftime("%d-%m-%Y"),
                    d.isoformat(),
                    f"{d.day}/{d.month}/{d.year}",
                ]
            ).map(TextInput)
        )
        return st.one_of(typed, st.sampled_from([ChoiceInput("today"), ChoiceInput("yesterday")]))
    if kind == "month":
        months = st.integers(0, 60).map(
            lambda k: (
                (TODAY.year * 12 + TODAY.month - 1 - k) // 12,
                (TODAY.month - 1 - k) % 12 + 1,
            )
        )
        return months.flatmap(
            lambda ym: st.sampled_from(
                [
                    TextInput(f"{ym[1]}/{ym[0]}"),
                    TextInput(f"Tháng {ym[1]:02d}/{ym[0]}"),
                    ChoiceInput(f"{ym[0]}-{ym[1]:02d}"),
                ]
            )
        )
    if kind == "time":
        moments = st.tuples(st.integers(0, 23), st.integers(0, 59))
        return moments.flatmap(
            lambda hm: st.sampled_from([f"{hm[0]}:{hm[1]:02d}", f"{hm[0]}h{hm[1]:02d}"]).map(
                TextInput
            )
        )
    if kind == "datetime":
        days = st.integers(0, 2000).map(lambda d: TODAY - timedelta(d))
        return days.map(lambda d: TextInput(d.strftime("%d/%m/%Y") + " 08:30"))
    if kind == "select_one":
        return st.one_of(
            st.sampled_from(names).map(ChoiceInput),
            st.integers(1, len(names)).map(lambda i: TextInput(str(i))),
        )
    if kind == "select_multiple":
        return st.lists(st.sampled_from(names), min_size=1, unique=True).map(
            lambda chosen: ChoicesInput(tuple(chosen))
        )
    if kind == "yes_no":
        return st.sampled_from(
            [ChoiceInput("yes"), ChoiceInput("no"), TextInput("có"), TextInput("Không")]
        )
    if kind in ("photo", "document"):
        return _files(field)
    if kind == "location":
        return st.builds(LocationInput, st.floats(-90, 90), st.floats(-180, 180))
    assert kind == "phone"
    return st.one_of(st.sampled_from(_PHONES).map(TextInput), st.just(ContactInput("84912345678")))


def invalid_input(field: Field) -> st.SearchStrategy[RawInput]:
    """Inputs the field must refuse: the wrong kind, garbage, or a broken constraint."""
    wrong_kind: list[RawInput] = [UnsupportedInput("sticker"), UnsupportedInput("voice")]
    if field.type in ("photo", "document"):
        wrong_kind += [TextInput("ảnh đây"), LocationInput(1, 2)]
    elif field.type == "location":
        wrong_kind += [TextInput("ở đây"), FileInput("f", "u", "photo")]
    else:
        wrong_kind += [FileInput("f", "u", "photo"), LocationInput(21.0, 105.8)]
    garbage_by_type: dict[str, list[RawInput]] = {
        "text": [TextInput("   "), TextInput("x" * (field.max_length + 1))],
        "integer": [
            TextInput("mười"),
            TextInput("1,5"),
            TextInput("-1") if field.constraint else TextInput(""),
        ],
        "decimal": [TextInput("abc"), TextInput("1,2,3")],
        "money": [TextInput("-500k"), TextInput("nhiều tiền"), TextInput("1,5")],
        "date": [
            TextInput("31/02/2026"),
            TextInput("mai"),
            TextInput((TODAY + timedelta(3)).strftime("%d/%m/%Y")),
        ],
        "month": [TextInput("13/2026"), TextInput("12/2027")],
        "time": [TextInput("25:00"), TextInput("sáng")],
        "datetime": [TextInput("31/02/2026 08:00"), TextInput("hôm nay")],
        "select_one": [ChoiceInput("no_such_choice"), TextInput("99")],
        "select_multiple": [ChoicesInput(()), ChoicesInput(("no_such_choice",))],
        "yes_no": [TextInput("có lẽ"), ChoiceInput("maybe")],
        "photo": [FileInput("f", "u", "document", mime_type="application/pdf")],
        "document": [FileInput("f", "u", "document", size=10**9)],
        "location": [LocationInput(95, 0), TextInput("0, 200")],
        "phone": [TextInput("12345"), ContactInput("+12025550143")],
    }
    return st.sampled_from(wrong_kind + garbage_by_type[field.type])


def _walk_to_end(data: st.DataObject, form: FormDefinition) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for _ in range(len(form.fields) + 1):
        field = next_field(form, answers)
        if field is None:
            break
        if can_skip(field) and data.draw(st.booleans(), label=f"skip {field.name}"):
            answers = skip(form, answers, field.name, today=TODAY)
            continue
        raw = data.draw(valid_input(field, answers), label=field.name)
        result = answer(form, answers, field.name, raw, today=TODAY)
        assert isinstance(result, Accepted), (field.name, raw, result)
        answers = result.answers
    return answers


def _check_invariants(form: FormDefinition, answers: dict[str, Any]) -> None:
    assert json.loads(json.dumps(answers)) == answers  # storable in the FSM data as JSON
    assert prune(form, answers) == answers
    for name in answers:
        assert is_relevant(form.field(name), answers), name


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("form", ALL_FORMS, ids=lambda f: f.id)
@PROPERTY
@given(data=st.data())
def test_valid_answers_always_reach_a_complete_submission(
    form: FormDefinition, data: st.DataObject
) -> None:
    answers = _walk_to_end(data, form)
    assert is_complete(form, answers)
    _check_invariants(form, answers)
    result = dict((f.name, v) for f, v in submission(form, answers))
    for field in form.fields:
        if is_relevant(field, answers):
            assert field.name in result
            if field.required:
                assert result[field.name] is not None, field.name
        else:
            assert field.name not in result
    for lang in ("vi", "en"):
        assert all(value for _, value in render_submission(form, answers, lang))


@pytest.mark.parametrize("form", ALL_FORMS, ids=lambda f: f.id)
@PROPERTY
@given(data=st.data())
def test_invalid_input_is_refused_and_changes_nothing(
    form: FormDefinition, data: st.DataObject
) -> None:
    answers = _walk_to_end(data, form)
    asked = [f for f in form.fields if is_relevant(f, answers)]
    field = data.draw(st.sampled_from(asked), label="field")
    raw = data.draw(invalid_input(field), label="invalid")
    before = copy.deepcopy(answers)
    result = answer(form, answers, field.name, raw, today=TODAY)
    assert isinstance(result, Invalid), (field.name, raw, result)
    assert answers == before
    if isinstance(raw, UnsupportedInput):
        assert result.message == expected(field, TODAY)
    else:
        assert isinstance(result.message, Text | Localized)


@pytest.mark.parametrize("form", ALL_FORMS, ids=lambda f: f.id)
@PROPERTY
@given(data=st.data())
def test_edits_never_leave_irrelevant_answers(form: FormDefinition, data: st.DataObject) -> None:
    answers: dict[str, Any] = {}
    for step in range(3 * len(form.fields)):
        answered = answered_fields(form, answers)
        pending = next_field(form, answers)
        if pending is None and not answered:
            break
        edit = answered and (
            pending is None or data.draw(st.integers(0, 3), label=f"edit? {step}") == 0
        )
        field = data.draw(st.sampled_from(answered), label="edit") if edit else pending
        assert field is not None
        if can_skip(field) and data.draw(st.booleans(), label="skip"):
            answers = skip(form, answers, field.name, today=TODAY)
        else:
            result = answer(
                form, answers, field.name, data.draw(valid_input(field, answers)), today=TODAY
            )
            assert isinstance(result, Accepted)
            answers = result.answers
        _check_invariants(form, answers)
    answers = _walk_to_end_from(data, form, answers)
    names = {f.name for f, _ in submission(form, answers)}
    assert all(is_relevant(form.field(n), answers) for n in names)


def _walk_to_end_from(
    data: st.DataObject, form: FormDefinition, answers: dict[str, Any]
) -> dict[str, Any]:
    while (field := next_field(form, answers)) is not None:
        result = answer(
            form, answers, field.name, data.draw(valid_input(field, answers)), today=TODAY
        )
        assert isinstance(result, Accepted)
        answers = result.answers
    return answers

"""The XLSForm expression language: ODK Collect's (JavaRosa's) answers to the same expressions.

Each table row is an expression, the answers it sees and what ODK Collect gives for it;
values are compared as ODK would write them (`string_value`: 7 not 7.0, NaN, true/false).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.text import Text
from bot.forms.expressions import (
    ExpressionError,
    parse_expression,
    string_value,
    truthy,
)
from bot.forms.expressions.functions import FUNCTIONS

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 9, 30, 15)


def value(source: str, answers: dict[str, Any] | None = None, current: Any = None) -> str:
    result = parse_expression(source).evaluate(answers or {}, current=current, today=TODAY, now=NOW)
    return string_value(result)


# --- examples from the XLSForm and ODK documentation -----------------------------------------

XLSFORM_EXAMPLES: list[tuple[str, dict[str, Any], Any, bool]] = [
    # relevant
    ("${age} >= 18", {"age": 18}, None, True),
    ("${age} >= 18", {"age": 17}, None, False),
    ("${age} >= 18", {"age": "18"}, None, True),  # a stored text that is a number
    ("${age} >= 18", {}, None, False),  # unanswered: not relevant yet
    ("${has_child} = 'yes'", {"has_child": "yes"}, None, True),
    ("${has_child} = 'yes'", {"has_child": True}, None, True),  # our yes/no fields
    ("${has_child} = 'yes'", {"has_child": False}, None, False),
    ("selected(${fruits}, 'apple')", {"fruits": ["banana", "apple"]}, None, True),
    ("selected(${fruits}, 'apple')", {"fruits": "banana apple"}, None, True),
    ("selected(${fruits}, 'apple')", {"fruits": "pineapple"}, None, False),
    ("selected(${fruits}, 'apple')", {}, None, False),
    ("not(selected(${fruits}, 'none'))", {"fruits": ["apple"]}, None, True),
    ("${sex} = 'f' and ${age} > 12", {"sex": "f", "age": 30}, None, True),
    ("${sex} = 'f' and ${age} > 12", {"sex": "m", "age": 30}, None, False),
    ("${a} = 'x' or ${b} = 'y'", {"b": "y"}, None, True),
    # constraint (`.` is the answer being checked)
    (". >= 0 and . <= 150", {}, 0, True),
    (". >= 0 and . <= 150", {}, 150, True),
    (". >= 0 and . <= 150", {}, 151, False),
    (". >= 0 and . <= 150", {}, -1, False),
    (". >= 0 and . <= 150", {}, 2.5, True),
    (". > 17 and . < 100", {}, 17, False),
    (". < 120", {}, 119, True),
    ("regex(., '^[0-9]{10}$')", {}, "0912345678", True),
    ("regex(., '^[0-9]{10}$')", {}, "091234567", False),
    ("regex(., '^[0-9]{10}$')", {}, "09123456789", False),
    ("regex(., '^[0-9]{10}$')", {}, "09 1234 5678", False),
    ("regex(., '[a-z]+@[a-z]+')", {}, "Gửi lan@khcn.gov", True),  # found anywhere, as find()
    ("count-selected(.) <= 3", {}, ["a", "b", "c"], True),
    ("count-selected(.) <= 3", {}, ["a", "b", "c", "d"], False),
    ("count-selected(.) <= 3", {}, None, True),
    (
        "not(selected(., 'unknown') and count-selected(.) > 1)",
        {},
        ["unknown", "music"],
        False,
    ),
    ("not(selected(., 'unknown') and count-selected(.) > 1)", {}, ["unknown"], True),
    ("string-length(.) > 3", {}, "Lan", False),
    ("string-length(.) > 3", {}, "Hồng", True),  # characters, not bytes
    ("string-length(.) = 0", {}, None, True),
    ("${d} <= today()", {"d": "2026-11-27"}, None, True),
    ("${d} <= today()", {"d": "2026-11-28"}, None, False),
    ("${d} <= today()", {"d": date(2025, 1, 31)}, None, True),
    ("${d} <= today()", {}, None, False),
    (". > today()", {}, "2026-12-01", True),
    (". >= ${start}", {"start": "2026-11-20"}, "2026-11-21", True),
    (". >= ${start}", {"start": "2026-11-20"}, "2026-11-19", False),
    ("(today() - ${birth}) div 365.25 >= 18", {"birth": "2008-11-28"}, None, False),
    ("(today() - ${birth}) div 365.25 >= 18", {"birth": "2008-11-26"}, None, True),
    (". = ${confirm_phone}", {"confirm_phone": "0912345678"}, "0912345678", True),
    (". != ''", {}, "x", True),
    (". != ''", {}, None, False),
]


@pytest.mark.parametrize(("source", "answers", "current", "holds"), XLSFORM_EXAMPLES)
def test_xlsform_examples(source: str, answers: dict[str, Any], current: Any, holds: bool) -> None:
    expression = parse_expression(source)
    assert expression.holds(answers, current=current, today=TODAY) is holds


# --- values: what each expression evaluates to -----------------------------------------------

VALUES: list[tuple[str, dict[str, Any], Any, str]] = [
    # literals
    ("42", {}, None, "42"),
    ("2.50", {}, None, "2.5"),
    (".5", {}, None, "0.5"),
    ("'single'", {}, None, "single"),
    ('"double"', {}, None, "double"),
    ('"it\'s"', {}, None, "it's"),
    ("''", {}, None, ""),
    ("true()", {}, None, "true"),
    ("false()", {}, None, "false"),
    # fields and `.`
    ("${x}", {"x": "Cầu Giấy"}, None, "Cầu Giấy"),
    ("${x}", {}, None, ""),
    ("${x}", {"x": None}, None, ""),
    ("${x}", {"x": 12}, None, "12"),
    ("${x}", {"x": 2.5}, None, "2.5"),
    ("${x}", {"x": ["a", "b"]}, None, "a b"),
    ("${x}", {"x": True}, None, "yes"),
    ("${x}", {"x": date(2026, 1, 2)}, None, "2026-01-02"),
    ("${x}", {"x": {"lat": 21.0, "lon": 105.8}}, None, "21.0 105.8"),
    ("${x}", {"x": {"file_id": "F1", "file_name": "a.jpg"}}, None, "a.jpg"),
    ("${x.y-z}", {"x.y-z": "ok"}, None, "ok"),  # XLSForm names may hold . and -
    (".", {}, 7, "7"),
    (".", {}, None, ""),
    # arithmetic
    ("1 + 2", {}, None, "3"),
    ("${a} + ${b}", {"a": 2, "b": "3"}, None, "5"),
    ("${a} + ${b}", {"a": 2}, None, "NaN"),  # number('') is NaN
    ("${a} * 2", {"a": "abc"}, None, "NaN"),
    ("7 - 10", {}, None, "-3"),
    ("${a}-1", {"a": 5}, None, "4"),
    ("6 * 7", {}, None, "42"),
    ("7 div 2", {}, None, "3.5"),
    ("1 div 3", {}, None, "0.3333333333333333"),
    ("1 div 0", {}, None, "Infinity"),
    ("-1 div 0", {}, None, "-Infinity"),
    ("0 div 0", {}, None, "NaN"),
    ("7 mod 3", {}, None, "1"),
    ("-7 mod 3", {}, None, "-1"),  # the sign of the dividend, as in XPath
    ("7 mod -3", {}, None, "1"),
    ("5.5 mod 2", {}, None, "1.5"),
    ("5 mod 0", {}, None, "NaN"),
    ("-${a}", {"a": 4}, None, "-4"),
    ("- - 4", {}, None, "4"),
    ("0.1 + 0.2", {}, None, "0.30000000000000004"),
    ("1000000 * 1000000", {}, None, "1000000000000"),
    ("100000000 * 100000000 * 100000000", {}, None, "1000000000000000000000000"),
    # dates: days since 1970-01-01 in arithmetic
    ("today()", {}, None, "2026-11-27"),
    ("now()", {}, None, "2026-11-27T09:30:15"),
    ("today() - ${birth}", {"birth": "2026-11-20"}, None, "7"),
    ("today() - ${birth}", {"birth": "2026-02-30"}, None, "NaN"),  # not a real date
    ("int((today() - ${birth}) div 365.25)", {"birth": "1990-06-15"}, None, "36"),
    ("${d} + 1", {"d": "1970-01-01"}, None, "1"),
    ("date(today() + 7)", {}, None, "2026-12-04"),
    ("date(${d})", {"d": "2026-03-01"}, None, "2026-03-01"),
    ("date('soon')", {}, None, ""),
    ("now() - today() > 0.396 and now() - today() < 0.3961", {}, None, "true"),  # 9:30:15
    ("${t} > ${s}", {"s": "2026-11-27T08:00:00", "t": "2026-11-27T09:00:00"}, None, "true"),
    ("${month} < '2026-12'", {"month": "2026-11"}, None, "true"),  # months compare as text
    # comparisons, JavaRosa style
    ("${n} = '5'", {"n": 5}, None, "true"),
    ("${n} = '5.0'", {"n": 5}, None, "true"),
    ("${n} = 'abc'", {"n": 5}, None, "false"),
    ("${n} != 'abc'", {"n": 5}, None, "true"),
    ("${s} = '5.0'", {"s": "5"}, None, "false"),  # two texts compare as text
    ("${s} < ${t}", {"s": "9", "t": "10"}, None, "true"),  # ordering is numeric
    ("${s} > 'abc'", {"s": 5}, None, "false"),
    ("${n} = 0", {}, None, "false"),
    ("${n} != 0", {}, None, "true"),
    ("${n} = ''", {}, None, "true"),
    ("${n} < 1", {}, None, "false"),
    ("${n} > -1", {}, None, "false"),
    ("number('') = number('')", {}, None, "false"),  # NaN equals nothing
    ("true() = 'anything'", {}, None, "true"),  # a boolean turns the other side boolean
    ("false() = ''", {}, None, "true"),
    ("true() = 1", {}, None, "true"),
    ("${flag} = true()", {"flag": True}, None, "true"),
    ("${flag} = false()", {"flag": False}, None, "true"),
    ("${flag} = 'no'", {"flag": False}, None, "true"),
    ("${flag}", {"flag": False}, None, "no"),
    ("not(${flag})", {"flag": False}, None, "true"),
    ("not('no')", {}, None, "false"),  # the text 'no' is not empty, so true
    ("1 = 1 = true()", {}, None, "true"),
    # functions
    ("not(0)", {}, None, "true"),
    ("not(number('x'))", {}, None, "true"),
    ("boolean('0')", {}, None, "true"),
    ("boolean(0)", {}, None, "false"),
    ("if(${a} > 0, 'yes', 'no')", {"a": 3}, None, "yes"),
    ("if(${a} > 0, 'yes', 'no')", {"a": -3}, None, "no"),
    ("if(${a} > 0, 'yes', 'no')", {}, None, "no"),
    ("if(${a}, ${a} * 2, 0)", {"a": 4}, None, "8"),
    ("coalesce(${x}, 'none')", {}, None, "none"),
    ("coalesce(${x}, 'none')", {"x": 0}, None, "0"),
    ("coalesce(${x}, ${y}, 'last')", {"y": "second"}, None, "second"),
    ("concat(${first}, ' ', ${last})", {"first": "Lan", "last": "Nguyễn"}, None, "Lan Nguyễn"),
    ("concat(${first}, ' ', ${last})", {"first": "Lan"}, None, "Lan "),
    ("concat('n=', 3, ', ', 1 div 2, ', ', true())", {}, None, "n=3, 0.5, true"),
    ("concat()", {}, None, ""),
    ("count-selected(${x})", {"x": ["a", "b", "c"]}, None, "3"),
    ("count-selected(${x})", {"x": "a"}, None, "1"),
    ("count-selected(${x})", {}, None, "0"),
    ("selected(${x}, ' b ')", {"x": ["a", "b"]}, None, "true"),
    ("selected-at(${x}, 1)", {"x": ["a", "b"]}, None, "b"),
    ("selected-at(${x}, 5)", {"x": ["a", "b"]}, None, ""),
    ("string-length(${x})", {"x": 123}, None, "3"),
    ("string-length()", {}, "abcd", "4"),
    ("int(${x} div 2)", {"x": 7}, None, "3"),
    ("int(-3.7)", {}, None, "-3"),
    ("int('2.9')", {}, None, "2"),
    ("int('')", {}, None, "NaN"),
    ("number('12.5')", {}, None, "12.5"),
    ("number(' 7 ')", {}, None, "7"),
    ("number('')", {}, None, "NaN"),
    ("number('1e3')", {}, None, "NaN"),  # XPath numbers have no exponent
    ("number('+3')", {}, None, "NaN"),
    ("number(true())", {}, None, "1"),
    ("string(1 div 2)", {}, None, "0.5"),
    ("string(${n})", {"n": 3}, None, "3"),
    ("string(false())", {}, None, "false"),
    ("round(2.5)", {}, None, "3"),
    ("round(-2.5)", {}, None, "-2"),
    ("round(1.2345, 2)", {}, None, "1.23"),
    ("round(1.235, 2)", {}, None, "1.24"),
    ("round(1234, -2)", {}, None, "1200"),
    ("round('x')", {}, None, "NaN"),
    ("floor(-1.5)", {}, None, "-2"),
    ("ceiling(1.2)", {}, None, "2"),
    ("abs(-4)", {}, None, "4"),
    ("pow(2, 10)", {}, None, "1024"),
    ("pow(-8, 0.5)", {}, None, "NaN"),
    ("max(1, ${x}, 3)", {"x": 9}, None, "9"),
    ("min(1, ${x}, 3)", {}, None, "NaN"),
    ("contains(${t}, 'Giấy')", {"t": "Cầu Giấy"}, None, "true"),
    ("starts-with(${t}, 'Cầu')", {"t": "Cầu Giấy"}, None, "true"),
    ("ends-with(${t}, 'x')", {"t": "Cầu Giấy"}, None, "false"),
    ("substr('hello', 1, 3)", {}, None, "el"),
    ("substr('hello', 2)", {}, None, "llo"),
    ("substr('hello', -5, 99)", {}, None, "hello"),
    ("substr('hello', 'x')", {}, None, ""),
    ("regex(${x}, ${p})", {"x": "a[", "p": "["}, None, "false"),  # an invalid pattern
    ("regex(${x}, ${p})", {"x": "ab12", "p": "^[a-z]+[0-9]+$"}, None, "true"),
    ("once(today())", {}, None, "2026-11-27"),
    ("once(today())", {}, "2026-01-01", "2026-01-01"),
]


@pytest.mark.parametrize(("source", "answers", "current", "expected"), VALUES)
def test_values(source: str, answers: dict[str, Any], current: Any, expected: str) -> None:
    assert value(source, answers, current) == expected


def test_evaluate_returns_xpath_types() -> None:
    assert parse_expression("1 + 1").evaluate({}) == 2.0
    assert parse_expression("${a} > 1").evaluate({"a": 2}) is True
    assert parse_expression("concat(1, 2)").evaluate({}) == "12"


# --- precedence and grouping -------------------------------------------------------------------

PRECEDENCE = [
    ("1 + 2 * 3", "7"),
    ("(1 + 2) * 3", "9"),
    ("10 - 4 - 3", "3"),  # left to right
    ("10 - (4 - 3)", "9"),
    ("12 div 3 div 2", "2"),
    ("12 div (3 div 2)", "8"),
    ("2 * 3 mod 4", "2"),  # (2 * 3) mod 4
    ("2 * (3 mod 4)", "6"),
    ("7 - 2 * 3 + 1", "2"),
    ("-2 * 3", "-6"),
    ("-(2 + 3) * 2", "-10"),
    ("2 - -3", "5"),
    ("1 + 2 = 3", "true"),  # arithmetic binds tighter than =
    ("1 < 2 = true()", "true"),  # relational binds tighter than equality
    ("3 > 2 > 1", "false"),  # (3 > 2) > 1 is true > 1 is 1 > 1
    ("1 = 1 and 2 = 3", "false"),
    ("1 = 1 or 2 = 3 and 1 = 2", "true"),  # and binds tighter than or
    ("(1 = 1 or 2 = 3) and 1 = 2", "false"),
    ("not(1 = 2) and 2 > 1", "true"),
    ("1 + 1 < 3 and 2 * 2 = 4", "true"),
    ("${a} - 1 > 0 or ${b} = ''", "true"),
    ("if(1 < 2, 10, 20) + 1", "11"),
]


@pytest.mark.parametrize(("source", "expected"), PRECEDENCE)
def test_precedence(source: str, expected: str) -> None:
    assert value(source) == expected


# --- what an expression depends on -------------------------------------------------------------


def test_references_name_the_answers_an_expression_depends_on() -> None:
    expression = parse_expression("if(${a} > 0, concat(${b}, .), coalesce(${c}, ${a}))")
    assert expression.references == {"a", "b", "c"}
    assert expression.uses_current
    assert not expression.uses_today
    assert parse_expression("'${not_a_field}' = 1").references == frozenset()
    assert parse_expression("1").references == frozenset()


def test_clock_use_is_reported_and_required() -> None:
    assert parse_expression("${d} <= today()").uses_today
    now = parse_expression("now() > ${t}")
    assert now.uses_today and now.uses_now
    assert now.functions == {"now"}
    assert not parse_expression("${d} <= '2026-01-01'").uses_today
    with pytest.raises(ValueError, match="today"):
        parse_expression("today()").evaluate({})
    with pytest.raises(ValueError, match="now"):
        parse_expression("now()").evaluate({}, today=TODAY)
    # today() follows from now= alone
    assert parse_expression("today()").evaluate({}, now=NOW) == "2026-11-27"


def test_truthy_is_xpath_boolean_of_an_answer() -> None:
    assert [truthy(v) for v in (None, "", False, 0, float("nan"), [])] == [False] * 6
    assert [truthy(v) for v in ("no!", True, 1, -0.5, ["a"])] == [True] * 5


# --- syntax errors -----------------------------------------------------------------------------

SYNTAX_ERRORS: list[tuple[str, int | None, str]] = [
    ("", None, "empty"),
    ("   ", None, "empty"),
    ("${a} =", 6, "ends too early: a value is missing after '='"),
    ("${a} = = 1", 8, "a value is missing before '='"),
    ("(${a} = 1", 1, "the '(' at position 1 is never closed"),
    ("${a} = 1)", 9, "')' at position 9 has no matching '('"),
    ("selected(${a})", 1, "selected() at position 1 needs 2 value(s), not 1"),
    ("not()", 1, "not() at position 1 needs 1 value(s), not 0"),
    ("today(1)", 1, "needs 0 value(s), not 1"),
    ("round(1, 2, 3)", 1, "round() at position 1 needs 1 to 2 values, not 3"),
    ("coalesce(${a})", 1, "coalesce() at position 1 needs at least 2 value(s), not 1"),
    ("${a} == 1", 6, "write = to compare, not =="),
    ("${a b} = 1", 1, "must be written as ${name}"),
    ("${} = 1", 1, "must be written as ${name}"),
    ("${a = 1", 1, "must be written as ${name}"),
    ("$a = 1", 1, "must be written as ${name}"),
    ("'unclosed", 1, "quotes that starts at position 1 is never closed"),
    ('${a} = "x', 8, "never closed"),
    ("${a} = 1 and", 10, "a value is missing after 'and'"),
    ("1 2", 3, "an operator (such as =, and, +) is missing before '2' at position 3"),
    ("${a} ${b}", 6, "missing before ${b} at position 6"),
    ("age >= 18", 1, "unknown name 'age' at position 1: a field is written ${age}"),
    ("${a} > age", 8, "unknown name 'age'"),
    ("foo(.)", 1, "unknown name 'foo' at position 1: there is no function foo()"),
    ("jr:choice-name(${a}, '${a}')", 1, "there is no function jr:choice-name()"),
    ("not ${a}", 1, "not at position 1 is a function: write not(…)"),
    ("/data/age > 1", 1, "paths such as /data/name"),
    ("../age > 1", 1, "paths such as /data/name"),
    ("${a} & 1", 6, "unexpected character '&' at position 6"),
    ("${a} = 1 or or 2", 13, "a value is missing before 'or'"),
    ("and ${a}", 1, "a value is missing before 'and'"),
    ("${a} div", 6, "a value is missing after 'div'"),
    ("concat(1, 2", 1, "concat() at position 1 is not closed by ')'"),
    ("concat(1,, 2)", 10, "a value is missing before ','"),
    ("regex(., '[0-9')", 1, "the pattern of regex() at position 1 is not valid"),
    ("1e5", 2, "missing before 'e5'"),
    ("(" * 50 + "1" + ")" * 50, 41, "nested too deeply"),
    (" + ".join(["1"] * 300), None, "too long"),
]


@pytest.mark.parametrize(("source", "position", "message"), SYNTAX_ERRORS)
def test_syntax_errors_say_where_and_why(source: str, position: int | None, message: str) -> None:
    with pytest.raises(ExpressionError) as error:
        parse_expression(source)
    assert message in str(error.value)
    assert error.value.position == position
    if position is not None:
        assert f"position {position}" in str(error.value)


def test_syntax_error_is_translatable() -> None:
    with pytest.raises(ExpressionError) as error:
        parse_expression("${a} >= ")
    text = error.value.text
    assert isinstance(text, Text)
    assert text.msgid == (
        "the expression ends too early: a value is missing after {token} at position {position}"
    )
    vietnamese = {
        text.msgid: "biểu thức kết thúc quá sớm: thiếu giá trị sau {token} ở vị trí {position}"
    }
    assert text.render(lambda m: vietnamese.get(m, m)) == (
        "biểu thức kết thúc quá sớm: thiếu giá trị sau '>=' ở vị trí 6"
    )


# --- never raises on what a user or a form can throw at it ------------------------------------

_ATOMS = [
    *(f"{name}(" for name in FUNCTIONS if name not in ("today", "now")),
    "${a}",
    "${b}",
    "${c}",
    "${d}",
    ".",
    "'x'",
    "'2026-01-31'",
    "'1e9'",
    "0",
    "-1",
    "2.5",
    "99999999999999999999",
    "(",
    ")",
    ",",
    " = ",
    " != ",
    " < ",
    " >= ",
    " + ",
    " - ",
    " * ",
    " div ",
    " mod ",
    " and ",
    " or ",
]
_ANSWERS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.sampled_from(["x", "y", "z"]), max_size=3),
    st.dates().map(date.isoformat),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_ATOMS), max_size=14).map("".join),
    st.dictionaries(st.sampled_from("abcd"), _ANSWERS),
    _ANSWERS,
)
def test_evaluation_never_raises(source: str, answers: dict[str, Any], current: Any) -> None:
    try:
        expression = parse_expression(source)
    except ExpressionError as error:
        assert error.position is None or 1 <= error.position <= len(source)
        return
    result = expression.evaluate(answers, current=current, today=TODAY, now=NOW)
    assert isinstance(string_value(result), str)

"""XPath values and their conversions, as ODK Collect (JavaRosa) does them.

A value is a string, a number (float, NaN included) or a boolean. Answers become values
here: unanswered is '', a select_multiple is its choice names separated by spaces, a
yes/no answer is the string 'yes'/'no' that is also true/false. A date (yyyy-mm-dd) or a
date-time counts as days since 1970-01-01 wherever a number is needed, so
`today() - ${birth}` is an age in days and `${d} <= today()` compares dates.
No conversion raises: what can't be a number is NaN, and NaN compares false.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

Value = str | float | bool
NAN = math.nan
_EPOCH = datetime(1970, 1, 1)
_XPATH_NUMBER = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")


class YesNo(str):
    """A yes/no answer: equal to 'yes' or 'no' as text, and true or false as a condition."""

    __slots__ = ()


def from_answer(answer: Any) -> Value:
    """The XPath value of a stored answer."""
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return YesNo("yes" if answer else "no")
    if isinstance(answer, int | float | Decimal):
        try:
            return float(answer)
        except OverflowError:
            return math.inf if answer > 0 else -math.inf
    if isinstance(answer, str):
        return answer
    if isinstance(answer, date | time):  # datetime is a date
        return answer.isoformat()
    if isinstance(answer, Mapping):
        if "lat" in answer and "lon" in answer:  # a geopoint, as ODK writes one
            return f"{answer['lat']} {answer['lon']}"
        return str(answer.get("file_name") or "")  # a file: its name, as in a submission
    if isinstance(answer, Sequence):
        return " ".join(string(from_answer(item)) for item in answer)
    return str(answer)


def is_number(value: Value) -> bool:
    return isinstance(value, float)


def string(value: Value) -> str:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return format_number(value)


def format_number(number: float) -> str:
    """XPath's string(): 3 not 3.0, 0.5, NaN, Infinity."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = repr(number)
    if "e" in text:  # XPath never writes an exponent
        text = format(Decimal(text), "f")
    return text


def number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if _XPATH_NUMBER.fullmatch(value):
        return float(value)
    day = days(value)
    return NAN if day is None else day


def days(text: str) -> float | None:
    """A date or date-time as (fractional) days since 1970-01-01 on its own clock, else None."""
    text = text.strip()
    try:
        if _DATE.fullmatch(text):
            return float((date.fromisoformat(text) - _EPOCH.date()).days)
        if _DATETIME.fullmatch(text):
            moment = datetime.fromisoformat(text).replace(tzinfo=None)
            return (moment - _EPOCH).total_seconds() / 86400
    except ValueError:  # 2026-02-30 looks like a date but isn't one
        return None
    return None


def boolean(value: Value) -> bool:
    if isinstance(value, YesNo):
        return value == "yes"
    if isinstance(value, str):
        return value != ""
    if isinstance(value, bool):
        return value
    return not (value == 0 or math.isnan(value))


def compare(op: str, left: Value, right: Value) -> bool:
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            same = boolean(left) == boolean(right)
        elif is_number(left) or is_number(right):
            same = number(left) == number(right)
        else:
            same = string(left) == string(right)
        return same if op == "=" else not same
    a: Any = number(left)
    b: Any = number(right)
    if math.isnan(a) or math.isnan(b):
        # Two texts that aren't numbers or dates (months such as 2026-11, codes) compare as
        # text; anything against an empty or non-numeric value is false, as in ODK.
        if not (isinstance(left, str) and isinstance(right, str) and left and right):
            return False
        a, b = left, right
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def arithmetic(op: str, left: Value, right: Value) -> float:
    x, y = number(left), number(right)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            if x == 0 or math.isnan(x):
                return NAN
            return math.inf * math.copysign(1.0, x) * math.copysign(1.0, y)
        return x / y
    # mod: the remainder takes the sign of the dividend, as in XPath and Java.
    if y == 0 or not math.isfinite(x) or math.isnan(y):
        return NAN
    return x if math.isinf(y) else math.fmod(x, y)


def date_of(value: Value) -> str:
    """XPath date(): a number of days or a date(-time) text as yyyy-mm-dd, or '' if neither."""
    day = number(value)
    if not math.isfinite(day):
        return ""
    try:
        return date.fromordinal(_EPOCH.date().toordinal() + math.floor(day)).isoformat()
    except (ValueError, OverflowError):
        return ""

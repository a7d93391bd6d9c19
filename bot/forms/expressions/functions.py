"""The XPath and ODK functions XLSForm forms use, with what ODK Collect returns for odd input.

Each takes already evaluated values (evaluation has no side effects, so `if()` needn't be
lazy) and never raises on a value: NaN, '' or false is the answer to nonsense.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, DecimalException

from bot.forms.expressions.values import (
    NAN,
    Value,
    boolean,
    date_of,
    number,
    string,
)


@dataclass(frozen=True)
class Context:
    current: Value  # `.`, the answer being checked
    today: date | None
    now: datetime | None


@dataclass(frozen=True)
class Function:
    arity: tuple[int, int | None]  # fewest and most arguments (None: any number)
    apply: Callable[[list[Value], Context], Value]


def _today(_: list[Value], context: Context) -> Value:
    if context.today is not None:
        return context.today.isoformat()
    if context.now is not None:
        return context.now.date().isoformat()
    raise ValueError("today() needs today's date; pass today=")


def _now(_: list[Value], context: Context) -> Value:
    if context.now is None:
        raise ValueError("now() needs the time; pass now=")
    return context.now.isoformat(timespec="seconds")


def _selected(args: list[Value], _: Context) -> Value:
    return string(args[1]).strip() in string(args[0]).split()


def _selected_at(args: list[Value], _: Context) -> Value:
    choices = string(args[0]).split()
    index = number(args[1])
    if not math.isfinite(index) or not 0 <= int(index) < len(choices):
        return ""
    return choices[int(index)]


def _regex(args: list[Value], _: Context) -> Value:
    try:
        return re.search(string(args[1]), string(args[0])) is not None
    except re.error:
        return False


def _substr(args: list[Value], _: Context) -> Value:
    """ODK's substr(text, start[, end]): 0-based, `end` excluded, both clamped to the text."""
    text = string(args[0])
    bounds = [number(a) for a in args[1:]]
    if any(math.isnan(b) for b in bounds):
        return ""

    def clamp(bound: float, low: int) -> int:
        return low if bound < low else len(text) if bound > len(text) else int(bound)

    start = clamp(bounds[0], 0)
    end = clamp(bounds[1], start) if len(bounds) == 2 else len(text)
    return text[start:end]


def _finite(operation: Callable[[float], float]) -> Callable[[list[Value], Context], Value]:
    """`operation` on the number of the only argument; NaN and infinities pass through."""

    def apply(args: list[Value], _: Context) -> Value:
        x = number(args[0])
        return float(operation(x)) if math.isfinite(x) else x

    return apply


def _round(args: list[Value], _: Context) -> Value:
    x = number(args[0])
    if not math.isfinite(x):
        return x
    if len(args) == 1:
        return float(math.floor(x + 0.5))
    digits = number(args[1])
    if not math.isfinite(digits):
        return NAN
    try:
        step = Decimal(1).scaleb(-int(digits))
        return float(Decimal(repr(x)).quantize(step, rounding=ROUND_HALF_UP))
    except DecimalException:
        return x


def _pow(args: list[Value], _: Context) -> Value:
    try:
        return math.pow(number(args[0]), number(args[1]))
    except OverflowError:
        return math.inf
    except ValueError:  # a negative number to a fractional power
        return NAN


def _extreme(pick: Callable[[list[float]], float]) -> Callable[[list[Value], Context], Value]:
    def apply(args: list[Value], _: Context) -> Value:
        numbers = [number(a) for a in args]
        return NAN if any(math.isnan(n) for n in numbers) else pick(numbers)

    return apply


def _coalesce(args: list[Value], _: Context) -> Value:
    return next((a for a in args if string(a) != ""), "")


def _once(args: list[Value], context: Context) -> Value:
    """The answer already there, else the value: a calculation that is done one time only."""
    return context.current if string(context.current) != "" else args[0]


def _string_length(args: list[Value], context: Context) -> Value:
    return float(len(string(args[0] if args else context.current)))


FUNCTIONS: dict[str, Function] = {
    "not": Function((1, 1), lambda a, _: not boolean(a[0])),
    "true": Function((0, 0), lambda a, _: True),
    "false": Function((0, 0), lambda a, _: False),
    "boolean": Function((1, 1), lambda a, _: boolean(a[0])),
    "if": Function((3, 3), lambda a, _: a[1] if boolean(a[0]) else a[2]),
    "selected": Function((2, 2), _selected),
    "selected-at": Function((2, 2), _selected_at),
    "count-selected": Function((1, 1), lambda a, _: float(len(string(a[0]).split()))),
    "string-length": Function((0, 1), _string_length),
    "regex": Function((2, 2), _regex),
    "contains": Function((2, 2), lambda a, _: string(a[1]) in string(a[0])),
    "starts-with": Function((2, 2), lambda a, _: string(a[0]).startswith(string(a[1]))),
    "ends-with": Function((2, 2), lambda a, _: string(a[0]).endswith(string(a[1]))),
    "substr": Function((2, 3), _substr),
    "concat": Function((0, None), lambda a, _: "".join(string(v) for v in a)),
    "coalesce": Function((2, None), _coalesce),
    "string": Function((1, 1), lambda a, _: string(a[0])),
    "number": Function((1, 1), lambda a, _: number(a[0])),
    "int": Function((1, 1), _finite(math.trunc)),
    "floor": Function((1, 1), _finite(math.floor)),
    "ceiling": Function((1, 1), _finite(math.ceil)),
    "abs": Function((1, 1), lambda a, _: abs(number(a[0]))),
    "round": Function((1, 2), _round),
    "pow": Function((2, 2), _pow),
    "max": Function((1, None), _extreme(max)),
    "min": Function((1, None), _extreme(min)),
    "today": Function((0, 0), _today),
    "now": Function((0, 0), _now),
    "date": Function((1, 1), lambda a, _: date_of(a[0])),
    "once": Function((1, 1), _once),
}

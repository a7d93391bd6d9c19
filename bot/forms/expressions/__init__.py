"""The expression language of `relevant`, `constraint` and `calculation`: XLSForm's XPath subset.

    ${result} = 'violation'
    selected(${handling}, 'fine') and ${result} != 'no_violation'
    . >= 0 and . <= 150          (`.` is the answer being checked, in constraints)
    regex(., '^[0-9]{10}$')
    ${d} <= today()              (dates compare as dates; today() - ${birth} is days)
    if(${a} > 0, 'yes', 'no')
    int(${x} div 2) + 1

Operators, loosest first: `or`, `and`, `= !=`, `< <= > >=`, `+ -`, `* div mod`, unary `-`;
parentheses. Literals: numbers, 'quoted' or "quoted" text. Functions: see
`functions.FUNCTIONS` (not, selected, count-selected, string-length, regex, if, coalesce,
concat, today, now, int, number, string, round, true, false and a few more).

Values follow ODK Collect (JavaRosa): an unanswered or skipped field is '', a
select_multiple is its choice names separated by spaces, a yes/no answer equals 'yes' /
'no'. A number against a numeric text compares as numbers; ordering with an empty or
non-numeric value is false. Evaluation never raises on a value (it yields NaN, '' or
false); only a missing `today=` / `now=` for today() / now() is an error, the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.forms.expressions.functions import FUNCTIONS, Context
from bot.forms.expressions.syntax import (
    Arith,
    BoolOp,
    Call,
    Compare,
    Const,
    Current,
    ExpressionError,
    Negate,
    Node,
    Ref,
    parse,
    walk,
)
from bot.forms.expressions.values import (
    Value,
    arithmetic,
    boolean,
    compare,
    from_answer,
    number,
    string,
)

__all__ = [
    "Expression",
    "ExpressionError",
    "parse_expression",
    "string_value",
    "truthy",
]


@dataclass(frozen=True)
class Expression:
    """A parsed expression with its source text."""

    source: str
    root: Node

    def evaluate(
        self,
        answers: Mapping[str, Any],
        *,
        current: Any = None,
        today: date | None = None,
        now: datetime | None = None,
    ) -> Value:
        """The value: a str, a float (maybe NaN) or a bool. `string_value()` writes it."""
        return _eval(self.root, answers, Context(from_answer(current), today, now))

    def holds(
        self,
        answers: Mapping[str, Any],
        *,
        current: Any = None,
        today: date | None = None,
        now: datetime | None = None,
    ) -> bool:
        return boolean(self.evaluate(answers, current=current, today=today, now=now))

    @property
    def references(self) -> frozenset[str]:
        """The field names written ${name}: the answers this expression depends on."""
        return frozenset(n.name for n in walk(self.root) if isinstance(n, Ref))

    @property
    def uses_current(self) -> bool:
        return any(isinstance(n, Current) for n in walk(self.root))

    @property
    def uses_today(self) -> bool:
        """Whether evaluating needs the clock (today() or now()): pass today= (and now=)."""
        return bool(self.functions & {"today", "now"})

    @property
    def uses_now(self) -> bool:
        return "now" in self.functions

    @property
    def functions(self) -> frozenset[str]:
        return frozenset(n.name for n in walk(self.root) if isinstance(n, Call))


def parse_expression(source: str) -> Expression:
    """Parse `source`, or raise ExpressionError naming the position of the problem."""
    return Expression(source, parse(source))


def truthy(value: Any) -> bool:
    """Whether an answer or a value counts as true in a condition (XPath boolean())."""
    return boolean(from_answer(value))


def string_value(value: Value) -> str:
    """A value as the text ODK would store: 3 not 3.0, 'true', '' for unanswered."""
    return string(value)


def _eval(node: Node, answers: Mapping[str, Any], context: Context) -> Value:
    match node:
        case Const(value):
            return value
        case Ref(name):
            return from_answer(answers.get(name))
        case Current():
            return context.current
        case BoolOp("and", items):
            return all(boolean(_eval(item, answers, context)) for item in items)
        case BoolOp(_, items):
            return any(boolean(_eval(item, answers, context)) for item in items)
        case Compare(op, left, right):
            return compare(op, _eval(left, answers, context), _eval(right, answers, context))
        case Arith(op, left, right):
            return arithmetic(op, _eval(left, answers, context), _eval(right, answers, context))
        case Negate(operand):
            return -number(_eval(operand, answers, context))
        case Call(name, args):
            values = [_eval(arg, answers, context) for arg in args]
            return FUNCTIONS[name].apply(values, context)
    raise AssertionError(node)  # pragma: no cover - every node kind is matched above

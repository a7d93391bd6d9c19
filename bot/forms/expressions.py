"""The tiny condition language of `relevant` and `constraint` (a subset of XLSForm/XPath).

    ${result} = 'violation'
    selected(${handling}, 'fine') and ${result} != 'no_violation'
    . >= 0                      (`.` is the answer being checked, in constraints)
    . <= today()                (dates and months compare as ISO strings)
    not(${a} = 1 or ${b} > 2.5)

Operators: = != < > <= >=, and, or, parentheses. Functions: not(x),
selected(field, 'name'), count-selected(field), string-length(x), today(),
true(), false(). Literals: numbers and 'quoted' or "quoted" strings.

An unanswered or skipped field is None: it equals '' and every ordering with it
is false, as in ODK. A yes/no answer (a bool) equals 'yes' / 'no'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{(?P<refname>[A-Za-z_][A-Za-z0-9_]*)\})
     |(?P<number>-?\d+(?:\.\d+)?)
     |(?P<string>'[^']*'|"[^"]*")
     |(?P<op><=|>=|!=|=|<|>)
     |(?P<punct>[(),])
     |(?P<current>\.)
     |(?P<name>[A-Za-z][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)

# name → number of arguments
_FUNCTIONS = {
    "not": 1,
    "selected": 2,
    "count-selected": 1,
    "string-length": 1,
    "today": 0,
    "true": 0,
    "false": 0,
}


class ExpressionError(ValueError):
    """The expression can't be parsed; the message says where and why."""


@dataclass(frozen=True)
class Const:
    value: str | int | float | bool


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Current:
    pass


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Const | Ref | Current | Compare | BoolOp | Call


@dataclass(frozen=True)
class Expression:
    """A parsed expression with its source text."""

    source: str
    root: Node

    def evaluate(
        self, answers: Mapping[str, Any], *, current: Any = None, today: date | None = None
    ) -> Any:
        return _eval(self.root, _Env(answers, current, today))

    def holds(
        self, answers: Mapping[str, Any], *, current: Any = None, today: date | None = None
    ) -> bool:
        return truthy(self.evaluate(answers, current=current, today=today))

    @property
    def references(self) -> frozenset[str]:
        return frozenset(n.name for n in _walk(self.root) if isinstance(n, Ref))

    @property
    def uses_current(self) -> bool:
        return any(isinstance(n, Current) for n in _walk(self.root))

    @property
    def uses_today(self) -> bool:
        return any(isinstance(n, Call) and n.name == "today" for n in _walk(self.root))


def parse_expression(source: str) -> Expression:
    """Parse `source`, or raise ExpressionError naming the position of the problem."""
    parser = _Parser(source, _tokenize(source))
    root = parser.or_expr()
    if parser.pos < len(parser.tokens):
        raise parser.error("unexpected", parser.tokens[parser.pos])
    return Expression(source, root)


def truthy(value: Any) -> bool:
    return value not in (None, "", False, 0, 0.0) and value != []


# --- parsing -----------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        match = _TOKEN.match(source, pos)
        if match is None or match.lastgroup is None:
            start = len(source[pos:]) - len(source[pos:].lstrip()) + pos
            raise ExpressionError(f"unexpected character {source[start]!r} at position {start + 1}")
        kind = "ref" if match.group("ref") else match.lastgroup
        text = match.group("refname") if kind == "ref" else match.group(kind)
        tokens.append(_Token(kind, text, match.start(kind) + 1))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, source: str, tokens: list[_Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.pos = 0

    def error(self, what: str, token: _Token | None) -> ExpressionError:
        if token is None:
            return ExpressionError(f"{what}: the expression ends too early")
        return ExpressionError(f"{what} {token.text!r} at position {token.pos}")

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise self.error("missing operand", None)
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.peek()
        if token is None or token.text != text:
            raise self.error(f"expected {text!r}, found", token)
        self.pos += 1

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text == word:
            self.pos += 1
            return True
        return False

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.keyword("or"):
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.comparison()]
        while self.keyword("and"):
            items.append(self.comparison())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def comparison(self) -> Node:
        left = self.primary()
        token = self.peek()
        if token is not None and token.kind == "op":
            self.pos += 1
            return Compare(token.text, left, self.primary())
        return left

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Const(float(token.text) if "." in token.text else int(token.text))
        if token.kind == "string":
            return Const(token.text[1:-1])
        if token.kind == "ref":
            return Ref(token.text)
        if token.kind == "current":
            return Current()
        if token.text == "(":
            inner = self.or_expr()
            self.expect(")")
            return inner
        if token.kind == "name" and token.text not in ("and", "or"):
            if token.text in _FUNCTIONS:
                return self.call(token)
            # A bare word is most often a field reference missing its `${...}`.
            raise ExpressionError(
                f"unknown name {token.text!r} at position {token.pos}"
                f" (a field is written ${{{token.text}}}; functions are {', '.join(_FUNCTIONS)})"
            )
        raise self.error("unexpected", token)

    def call(self, token: _Token) -> Node:
        self.expect("(")
        args: list[Node] = []
        if self.peek() is not None and self.tokens[self.pos].text != ")":
            args.append(self.or_expr())
            while self.peek() is not None and self.tokens[self.pos].text == ",":
                self.pos += 1
                args.append(self.or_expr())
        self.expect(")")
        if len(args) != _FUNCTIONS[token.text]:
            raise ExpressionError(
                f"{token.text}() takes {_FUNCTIONS[token.text]} argument(s), "
                f"{len(args)} given at position {token.pos}"
            )
        return Call(token.text, tuple(args))


def _walk(node: Node) -> list[Node]:
    match node:
        case Compare(_, left, right):
            return [node, *_walk(left), *_walk(right)]
        case BoolOp(_, items) | Call(_, items):
            return [node, *(n for item in items for n in _walk(item))]
        case _:
            return [node]


# --- evaluation --------------------------------------------------------------


@dataclass(frozen=True)
class _Env:
    answers: Mapping[str, Any]
    current: Any
    today: date | None


def _eval(node: Node, env: _Env) -> Any:
    match node:
        case Const(value):
            return value
        case Ref(name):
            return env.answers.get(name)
        case Current():
            return env.current
        case BoolOp("and", items):
            return all(truthy(_eval(item, env)) for item in items)
        case BoolOp(_, items):
            return any(truthy(_eval(item, env)) for item in items)
        case Compare(op, left, right):
            return _compare(op, _eval(left, env), _eval(right, env))
        case Call(name, args):
            return _call(name, [_eval(arg, env) for arg in args], env)
    raise AssertionError(node)  # pragma: no cover - every node kind is matched above


def _call(name: str, args: list[Any], env: _Env) -> Any:
    if name == "not":
        return not truthy(args[0])
    if name == "selected":
        value, choice = args
        if isinstance(value, list):
            return str(choice) in value
        return value is not None and _scalar(value) == str(choice)
    if name == "count-selected":
        return len(args[0]) if isinstance(args[0], list) else 0
    if name == "string-length":
        return 0 if args[0] is None else len(_scalar(args[0]))
    if name == "today":
        if env.today is None:
            raise ValueError("today() needs today's date; pass today=")
        return env.today.isoformat()
    return name == "true"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(value: Any) -> str:
    """The string form XLSForm would compare: yes/no, space-separated choices, '' for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if _is_number(value):
        return format(value, "g") if isinstance(value, float) else str(value)
    return str(value)


def _as_number(value: Any) -> float | None:
    if _is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, bool) and isinstance(right, bool):
        a: Any = left
        b: Any = right
    elif _is_number(left) or _is_number(right):
        x, y = _as_number(left), _as_number(right)
        if x is None or y is None:
            # A number against an empty or non-numeric value: only "!=" can hold.
            return op == "!=" and _scalar(left) != _scalar(right)
        a, b = x, y
    else:
        a, b = _scalar(left), _scalar(right)
        if op not in ("=", "!=") and (a == "" or b == ""):
            return False
    if op == "=":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    return bool(a >= b)

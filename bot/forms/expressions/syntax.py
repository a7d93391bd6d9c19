"""Parsing the XPath subset: tokens, the tree, and error messages a form author can act on.

Precedence, loosest first, as in XPath 1.0: `or`, `and`, `= !=`, `< <= > >=`, `+ -`,
`* div mod`, unary `-`. Every binary operator groups left to right (`8 - 3 - 2` is 3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.domain.text import N_, Text
from bot.forms.expressions.functions import FUNCTIONS

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{(?P<refname>[^\W\d][\w.-]*)\})
     |(?P<number>\d+(?:\.\d*)?|\.\d+)
     |(?P<string>'[^']*'|"[^"]*")
     |(?P<op><=|>=|!=|=|<|>|\+|-|\*)
     |(?P<punct>[(),])
     |(?P<current>\.(?!\.))
     |(?P<name>[^\W\d][\w.-]*(?::[^\W\d][\w.-]*)?)
    )""",
    re.VERBOSE,
)
_EQUALITY = ("=", "!=")
_RELATIONAL = ("<", "<=", ">", ">=")
_KEYWORDS = ("and", "or", "div", "mod")
# Deeper than any form needs; they keep a pathological input from exhausting Python's stack
# (a parenthesis costs the parser about nine frames, a tree level costs evaluation one or two).
_MAX_DEPTH = 40
_MAX_TREE_DEPTH = 200


class ExpressionError(ValueError):
    """The expression can't be parsed. `text` is the translatable message, `position` the
    1-based character where the problem is (None when the expression is empty); str() is
    the English message."""

    def __init__(self, msgid: str, position: int | None = None, **params: Any) -> None:
        self.text = Text(msgid, {"position": position, **params})
        self.position = position
        super().__init__(self.text.render(lambda message: message))


@dataclass(frozen=True)
class Const:
    value: str | float | bool


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
class Arith:
    op: str  # "+" | "-" | "*" | "div" | "mod"
    left: Node
    right: Node


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Const | Ref | Current | Compare | BoolOp | Arith | Negate | Call


def walk(node: Node) -> list[Node]:
    """`node` and everything under it."""
    match node:
        case Compare(_, left, right) | Arith(_, left, right):
            return [node, *walk(left), *walk(right)]
        case Negate(operand):
            return [node, *walk(operand)]
        case BoolOp(_, items) | Call(_, items):
            return [node, *(n for item in items for n in walk(item))]
        case _:
            return [node]


def parse(source: str) -> Node:
    parser = _Parser(_tokenize(source))
    if not parser.tokens:
        raise ExpressionError(N_("the expression is empty"))
    root = parser.or_expr()
    token = parser.peek()
    if token is not None:
        if token.text == ")":
            raise ExpressionError(
                N_("the ')' at position {position} has no matching '('"), token.pos
            )
        raise ExpressionError(
            N_("an operator (such as =, and, +) is missing before {token} at position {position}"),
            token.pos,
            token=token.shown,
        )
    if _tree_depth(root) > _MAX_TREE_DEPTH:
        raise ExpressionError(N_("the expression is too long: split it over several fields"))
    return root


def _tree_depth(root: Node) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        match node:
            case Compare(_, left, right) | Arith(_, left, right):
                stack += [(left, depth + 1), (right, depth + 1)]
            case Negate(operand):
                stack.append((operand, depth + 1))
            case BoolOp(_, items) | Call(_, items):
                stack += [(item, depth + 1) for item in items]
    return deepest


# --- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int  # 1-based

    @property
    def shown(self) -> str:
        return "${" + self.text + "}" if self.kind == "ref" else repr(self.text)


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while source[pos:].strip():
        start = len(source) - len(source[pos:].lstrip())
        if source.startswith("==", start):
            raise ExpressionError(N_("write = to compare, not == (position {position})"), start + 1)
        match = _TOKEN.match(source, pos)
        if match is None or match.lastgroup is None:
            raise _bad_character(source, start)
        kind = "ref" if match.group("ref") else match.lastgroup
        text = match.group("refname") if kind == "ref" else match.group(kind)
        tokens.append(_Token(kind, text, match.start(kind) + 1))
        pos = match.end()
    return tokens


def _bad_character(source: str, start: int) -> ExpressionError:
    char = source[start]
    if char in "'\"":
        return ExpressionError(
            N_("the text in quotes that starts at position {position} is never closed"),
            start + 1,
        )
    if source.startswith("${", start) or char == "$":
        return ExpressionError(
            N_("a field at position {position} must be written as ${{name}}, for example ${{age}}"),
            start + 1,
        )
    if char == "/" or source.startswith("..", start):
        return ExpressionError(
            N_(
                "paths such as /data/name or ../name are not supported (position {position}); "
                "refer to a field as ${{name}}"
            ),
            start + 1,
        )
    return ExpressionError(
        N_("unexpected character {char} at position {position}"), start + 1, char=repr(char)
    )


# --- grammar -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def operator(self, *ops: str) -> str | None:
        """The next token if it is one of `ops` (symbols, or keywords in operator position)."""
        token = self.peek()
        if token is not None and token.kind in ("op", "name", "punct") and token.text in ops:
            self.pos += 1
            return token.text
        return None

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.operator("or"):
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.equality()]
        while self.operator("and"):
            items.append(self.equality())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def equality(self) -> Node:
        node = self.relational()
        while op := self.operator(*_EQUALITY):
            node = Compare(op, node, self.relational())
        return node

    def relational(self) -> Node:
        node = self.additive()
        while op := self.operator(*_RELATIONAL):
            node = Compare(op, node, self.additive())
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while op := self.operator("+", "-"):
            node = Arith(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while op := self.operator("*", "div", "mod"):
            node = Arith(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.operator("-"):
            with _Deeper(self):
                operand = self.unary()
            # A negative literal stays a constant, as it was before arithmetic existed.
            if isinstance(operand, Const) and isinstance(operand.value, float):
                return Const(-operand.value)
            return Negate(operand)
        return self.primary()

    def primary(self) -> Node:
        token = self.peek()
        if token is None:
            previous = self.tokens[-1]
            raise ExpressionError(
                N_(
                    "the expression ends too early: a value is missing after {token} at position {position}"
                ),
                previous.pos,
                token=previous.shown,
            )
        self.pos += 1
        if token.kind == "number":
            return Const(float(token.text))
        if token.kind == "string":
            return Const(token.text[1:-1])
        if token.kind == "ref":
            return Ref(token.text)
        if token.kind == "current":
            return Current()
        if token.text == "(":
            with _Deeper(self):
                inner = self.or_expr()
            self.close(token, N_("the '(' at position {position} is never closed"))
            return inner
        if token.kind == "name" and token.text not in _KEYWORDS:
            return self.call(token)
        raise ExpressionError(
            N_("a value is missing before {token} at position {position}"),
            token.pos,
            token=token.shown,
        )

    def call(self, name: _Token) -> Node:
        following = self.peek()
        if following is None or following.text != "(":
            if name.text in FUNCTIONS:
                raise ExpressionError(
                    N_("{name} at position {position} is a function: write {name}(…)"),
                    name.pos,
                    name=name.text,
                )
            # A bare word is most often a field reference missing its `${...}`.
            raise ExpressionError(
                N_("unknown name {name} at position {position}: a field is written {example}"),
                name.pos,
                name=repr(name.text),
                example="${" + name.text + "}",
            )
        if name.text not in FUNCTIONS:
            raise ExpressionError(
                N_("unknown name {name} at position {position}: there is no function {function}()"),
                name.pos,
                name=repr(name.text),
                function=name.text,
            )
        self.pos += 1
        args: list[Node] = []
        with _Deeper(self):
            if self.peek() is not None and self.tokens[self.pos].text != ")":
                args.append(self.or_expr())
                while self.operator(","):
                    args.append(self.or_expr())
        self.close(
            name, N_("the list of values of {name}() at position {position} is not closed by ')'")
        )
        _check_arity(name, len(args))
        if name.text == "regex" and isinstance(pattern := args[1], Const):
            _check_pattern(name, pattern.value)
        return Call(name.text, tuple(args))

    def close(self, opening: _Token, msgid: str) -> None:
        token = self.peek()
        if token is not None and token.text == ")":
            self.pos += 1
            return
        raise ExpressionError(msgid, opening.pos, name=opening.text)


class _Deeper:
    def __init__(self, parser: _Parser) -> None:
        self.parser = parser

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > _MAX_DEPTH:
            token = self.parser.tokens[self.parser.pos - 1]  # the "(" or "-" just read
            raise ExpressionError(
                N_("the expression is nested too deeply at position {position}"), token.pos
            )

    def __exit__(self, *_: object) -> None:
        self.parser.depth -= 1


def _check_arity(name: _Token, given: int) -> None:
    low, high = FUNCTIONS[name.text].arity
    if low <= given and (high is None or given <= high):
        return
    params = {"name": name.text, "given": given}
    if high is None:
        msgid = N_("{name}() at position {position} needs at least {low} value(s), not {given}")
    elif low == high:
        msgid = N_("{name}() at position {position} needs {low} value(s), not {given}")
    else:
        msgid = N_("{name}() at position {position} needs {low} to {high} values, not {given}")
    raise ExpressionError(msgid, name.pos, low=low, high=high, **params)


def _check_pattern(name: _Token, pattern: str | float | bool) -> None:
    try:
        re.compile(str(pattern))
    except re.error as error:
        raise ExpressionError(
            N_("the pattern of regex() at position {position} is not valid: {reason}"),
            name.pos,
            reason=error.msg,
        ) from None

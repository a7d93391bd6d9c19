"""Whole numbers, decimals and VND amounts as Vietnamese people type them, and how they are shown.

Separators: Vietnamese writes `1.500.000` and `2,5`; people also type `1,500,000`
and `2.5`. A separator that occurs several times groups thousands; when both
occur, the last one is the decimal mark. A single separator is a decimal mark
for decimals (`1.5`), but for money it groups thousands when exactly three
digits follow (`1.500` is 1 500 đ, since no one pays 1,5 đồng).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.domain.folding import fold
from bot.domain.text import N_, Text
from bot.forms.results import Checked, Invalid, Valid

# Beyond this an amount or a count is a typo rather than a fact.
MAX_ABS = 10**15

INTEGER_EXPECTED = Text(N_("Please enter a whole number, for example 12."))
DECIMAL_EXPECTED = Text(N_("Please enter a number, for example 2,5."))
MONEY_EXPECTED = Text(
    N_("Please enter an amount in dong, for example 1.500.000, 1,5 triệu or 500k.")
)
MONEY_NEGATIVE = Text(N_("The amount can't be negative."))
MONEY_FRACTION = Text(N_("The amount must be a whole number of dong."))
TOO_LARGE = Text(N_("That number is too large; please check it."))

_MONEY_UNITS = {
    "k": 1000,
    "nghin": 1000,
    "ngan": 1000,
    "tr": 10**6,
    "trieu": 10**6,
    "ty": 10**9,
    "ti": 10**9,
}
_CURRENCY = {"d", "dong", "vnd"}
_PLAIN = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def parse_integer(text: str) -> Checked:
    """`12`, `-3`, `1.200`, `1,200`, `1 200` → int."""
    body, sign = _signed(" ".join(text.split()))
    compact = re.sub(r"(?<=\d) (?=\d{3}\b)", "", body)
    if _PLAIN.fullmatch(compact):
        value = int(compact)
    elif _GROUPED.fullmatch(compact):
        value = int(re.sub(r"[.,]", "", compact))
    else:
        return Invalid(INTEGER_EXPECTED)
    if value >= MAX_ABS:
        return Invalid(TOO_LARGE)
    return Valid(sign * value)


def parse_decimal(text: str) -> Checked:
    """`2,5`, `2.5`, `-0,75`, `1.234,5` → float."""
    body, sign = _signed(text.strip())
    number = _number(body, money=False)
    if number is None:
        return Invalid(DECIMAL_EXPECTED)
    if abs(number) >= MAX_ABS:
        return Invalid(TOO_LARGE)
    return Valid(sign * float(number))


def parse_money(text: str) -> Checked:
    """An amount in whole dong: `1500000`, `1.500.000 đ`, `1,5 triệu`, `1.5tr`, `500k`, `2 tỷ`, `1tr5`."""
    tokens = re.findall(r"\d+(?:[.,]\d+)*|[a-z]+|\S", fold(text))
    if tokens and tokens[0] in ("-", "−"):
        return Invalid(MONEY_NEGATIVE)
    if tokens and tokens[-1] in _CURRENCY:
        tokens.pop()
    amount = _sum_terms(_merge_space_groups(tokens))
    if amount is None:
        return Invalid(MONEY_EXPECTED)
    if amount != amount.to_integral_value():
        return Invalid(MONEY_FRACTION)
    if amount >= MAX_ABS:
        return Invalid(TOO_LARGE)
    return Valid(int(amount))


def format_money(amount: int) -> str:
    """`1500000` → `1.500.000 đ`."""
    return f"{group_thousands(amount)} đ"


def group_thousands(value: int, separator: str = ".") -> str:
    return f"{value:,}".replace(",", separator)


def format_decimal(value: float, lang: str) -> str:
    """`2.5` → `2,5` in Vietnamese, `2.5` in English; no trailing zeros, no exponent."""
    text = format(Decimal(repr(value)).normalize(), "f")
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = group_thousands(abs(int(whole)), "." if lang == "vi" else ",")
    mark = "," if lang == "vi" else "."
    return f"{sign}{grouped}{mark}{fraction}" if fraction else f"{sign}{grouped}"


def _signed(text: str) -> tuple[str, int]:
    if text[:1] in ("-", "−"):
        return text[1:].lstrip(), -1
    if text[:1] == "+":
        return text[1:].lstrip(), 1
    return text, 1


def _number(token: str, *, money: bool) -> Decimal | None:
    """Read one number token with `.`/`,` separators (see the module docstring)."""
    if not re.fullmatch(r"\d+(?:[.,]\d+)*", token):
        return None
    dots, commas = token.count("."), token.count(",")
    if dots and commas:
        mark = "." if token.rfind(".") > token.rfind(",") else ","
        whole, _, fraction = token.rpartition(mark)
        if not _GROUPED.fullmatch(whole) and not _PLAIN.fullmatch(whole):
            return None
        return _decimal(re.sub(r"[.,]", "", whole) + "." + fraction)
    if dots + commas == 0:
        return _decimal(token)
    if dots + commas > 1:
        return _decimal(re.sub(r"[.,]", "", token)) if _GROUPED.fullmatch(token) else None
    whole, fraction = re.split(r"[.,]", token)
    if money and len(fraction) == 3 and len(whole) <= 3:
        return _decimal(whole + fraction)
    return _decimal(f"{whole}.{fraction}")


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - callers pass digits only
        return None


def _merge_space_groups(tokens: list[str]) -> list[str]:
    """`1 500 000` → `1500000`: a space before exactly three digits groups thousands."""
    merged: list[str] = []
    for token in tokens:
        previous = merged[-1] if merged else ""
        if re.fullmatch(r"\d{3}", token) and re.fullmatch(r"\d+", previous):
            merged[-1] = previous + token
        else:
            merged.append(token)
    return merged


def _sum_terms(tokens: list[str]) -> Decimal | None:
    """`1 tỷ 200 triệu`, `1tr500k`, `1tr5` (= 1,5 triệu): numbers with falling units."""
    if not tokens:
        return None
    total = Decimal(0)
    last_unit: int | None = None
    i = 0
    while i < len(tokens):
        number = _number(tokens[i], money=True)
        if number is None:
            return None
        unit = _MONEY_UNITS.get(tokens[i + 1]) if i + 1 < len(tokens) else None
        if unit is not None:
            if last_unit is not None and unit >= last_unit:
                return None
            total += number * unit
            last_unit = unit
            i += 2
            continue
        if i != len(tokens) - 1:
            return None
        if last_unit is None:
            total += number
        elif _PLAIN.fullmatch(tokens[i]):
            # Digits after a unit are its fraction: `1tr5` = 1,5 triệu, `2 tỷ 300` = 2,3 tỷ.
            total += Decimal("0." + tokens[i]) * last_unit
        else:
            return None
        i += 1
    return total

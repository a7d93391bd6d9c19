"""Reporting periods as people type them: every accepted form, and bad ones explained."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.periods import Period, PeriodKind, month_label, parse_period, short_month
from bot.domain.text import Text

TODAY = date(2026, 11, 27)
NOV = Period.month(2026, 11)
Q4 = Period.quarter(2026, 4)
Q3 = Period.quarter(2026, 3)
YEAR = Period.whole_year(2026)


@pytest.mark.parametrize(
    ("typed", "period"),
    [
        ("11/2026", NOV),
        ("thang 11/2026", NOV),
        ("Tháng 11/2026", NOV),
        ("THÁNG 11 NĂM 2026", NOV),
        ("T11-2026", NOV),
        ("11.2026", NOV),
        ("2026-11", NOV),
        ("11", NOV),
        (" tháng  11 / 2026 ", NOV),
        ("10/2025", Period.month(2025, 10)),
        ("quy 4/2026", Q4),
        ("Quý 4/2026", Q4),
        ("Q4 2026", Q4),
        ("q4/2026", Q4),
        ("Quý IV/2026", Q4),
        ("quy iv 2026", Q4),
        ("Quý IV năm 2026", Q4),
        ("2026-Q4", Q4),
        ("2026 q4", Q4),
        ("quý III/2026", Q3),
        ("Q3", Q3),
        ("2026", YEAR),
        ("năm 2026", YEAR),
        ("Nam 2025", Period.whole_year(2025)),
    ],
)
def test_every_way_of_typing_a_period(typed: str, period: Period) -> None:
    assert parse_period(typed, TODAY) == period


@pytest.mark.parametrize(
    ("typed", "msgid_start", "param"),
    [
        ("13/2026", "There is no month", 13),
        ("tháng 0/2026", "There is no month", 0),
        ("quy 5/2026", "There is no quarter", "5"),
        ("Quý V/2026", "There is no quarter", "V"),
        ("12/2026", "{period} has not begun", "Tháng 12/2026"),
        ("2027", "{period} has not begun", "Năm 2027"),
        ("Q1 2027", "{period} has not begun", "Quý I/2027"),
        ("1999", "{year} is not a year", 1999),
        ("11/2200", "{year} is not a year", 2200),
        ("hôm qua", "I didn't understand", "hôm qua"),
        ("", "I didn't understand", ""),
        ("11/2026 đến 12/2026", "I didn't understand", "11/2026 đến 12/2026"),
    ],
)
def test_bad_periods_are_explained(typed: str, msgid_start: str, param: object) -> None:
    result = parse_period(typed, TODAY)
    assert isinstance(result, Text), result
    assert result.msgid.startswith(msgid_start)
    assert param in result.params.values()


def test_a_future_period_is_allowed_for_deadlines() -> None:
    assert parse_period("12/2026", TODAY, allow_future=True) == Period.month(2026, 12)


def test_labels_keys_and_months() -> None:
    assert (NOV.label(), Q4.label(), YEAR.label()) == ("tháng 11/2026", "quý IV/2026", "năm 2026")
    assert NOV.label(start=True) == "Tháng 11/2026" and Q4.label("vi", start=True) == "Quý IV/2026"
    assert (NOV.label("en"), Q4.label("en"), YEAR.label("en")) == ("11/2026", "Q4 2026", "2026")
    assert (NOV.key, Q4.key, YEAR.key) == ("2026-11", "2026-Q4", "2026")
    assert Q4.months == ("2026-10", "2026-11", "2026-12")
    assert len(YEAR.months) == 12 and YEAR.months[0] == "2026-01"
    assert Q4.months_begun(TODAY) == ("2026-10", "2026-11")
    first = date(2026, 12, 1)  # December has begun; November is the month due
    assert Q4.months_due(first, "2026-11") == ("2026-10", "2026-11")
    assert Period.month(2026, 12).months_due(first, "2026-11") == ("2026-12",)  # asked for
    assert (Q4.start, Q4.end) == (date(2026, 10, 1), date(2027, 1, 1))
    assert (NOV.start, NOV.end) == (date(2026, 11, 1), date(2026, 12, 1))
    assert Period.month(2026, 1).previous() == Period.month(2025, 12)
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.of_day(TODAY) == NOV
    # One format: no leading zero ("tháng 3/2026" beside "tháng 11/2026"), lower case mid-sentence.
    assert month_label("2026-03") == "tháng 3/2026" and short_month("2026-03") == "3/2026"
    assert month_label("2026-03", start=True) == "Tháng 3/2026"
    assert Period.month(2026, 3).label("en") == "3/2026"
    for bad in ("2026-13", "2026-Q5", "26-11", "x"):
        with pytest.raises(ValueError):
            Period.from_key(bad)


periods = st.one_of(
    st.builds(Period.month, st.integers(2000, 2026), st.integers(1, 12)),
    st.builds(Period.quarter, st.integers(2000, 2026), st.integers(1, 4)),
    st.builds(Period.whole_year, st.integers(2000, 2026)),
).filter(lambda p: p.start <= TODAY)


@given(periods)
def test_what_is_shown_or_stored_reads_back(period: Period) -> None:
    assert parse_period(period.label("vi"), TODAY) == period
    assert parse_period(period.label("en"), TODAY) == period
    assert parse_period(period.key, TODAY) == period
    assert Period.from_key(period.key) == period
    assert period.kind in PeriodKind

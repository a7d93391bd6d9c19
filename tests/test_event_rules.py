"""Rules of events on plain values: typed times, the event's checks, seats and the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import events as rules
from bot.domain.events import EventKind, EventStatus, Ok, Problem, SignupStatus
from tests.harness import NOW, TZ


def at(text: str) -> datetime:
    day, clock = text.split()
    d, m, y = (int(x) for x in day.split("/"))
    hh, mm = (int(x) for x in clock.split(":"))
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def ok(result: Ok | Problem) -> object:
    assert isinstance(result, Ok), result
    return result.value


def problem(result: Ok | Problem) -> str:
    assert isinstance(result, Problem), result
    return result.reason.render(lambda s: s)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("28/11/2026 08:00", "28/11/2026 08:00"),
        ("28/11/2026 8h", "28/11/2026 08:00"),
        ("8h30 28/11/2026", "28/11/2026 08:30"),
        ("14 giờ 28/11", "28/11/2026 14:00"),
        ("ngày 28/11/2026 lúc 14:05", "28/11/2026 14:05"),
        ("28-11-26 14:00", "28/11/2026 14:00"),
        ("  28 / 11 / 2026   07:45 ", "28/11/2026 07:45"),
        # Without a year: the coming one (typed in late November, January is next year's).
        ("5/1 09:00", "05/01/2027 09:00"),
        ("1/5 09:00", "01/05/2027 09:00"),
    ],
)
def test_start_as_people_type_it(typed: str, expected: str) -> None:
    assert rules.format_moment(ok(rules.parse_start(typed, NOW))) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("26/11/2026 08:00", "already in the past"),
        ("27/11/2026 09:59", "already in the past"),
        ("20/11 08:00", "already in the past"),  # a yearless date a week ago is not next year's
        ("28/11/2026", "both the date and the time"),
        ("08:00", "both the date and the time"),
        ("31/11/2026 08:00", "not a real date"),
        ("28/11/2026 25:00", "not a time of day"),
        ("next monday", "dd/mm/yyyy HH:MM"),
        ("", "dd/mm/yyyy HH:MM"),
    ],
)
def test_wrong_starts_are_explained(typed: str, says: str) -> None:
    assert says in problem(rules.parse_start(typed, NOW))


def test_end_a_time_alone_is_the_start_day_and_must_follow_the_start() -> None:
    start = at("28/11/2026 08:00")
    assert ok(rules.parse_end("11:30", start, NOW)) == at("28/11/2026 11:30")
    assert ok(rules.parse_end("29/11/2026 17:00", start, NOW)) == at("29/11/2026 17:00")
    assert "must come after the start" in problem(rules.parse_end("07:30", start, NOW))
    assert "must come after the start" in problem(rules.parse_end("08:00", start, NOW))
    assert "time the event ends" in problem(rules.parse_end("29/11/2026", start, NOW))


def test_deadline_a_date_alone_is_five_pm_and_not_after_the_start() -> None:
    start = at("30/11/2026 08:00")
    assert ok(rules.parse_deadline("29/11/2026", start, NOW)) == at("29/11/2026 17:00")
    assert ok(rules.parse_deadline("30/11 07:00", start, NOW)) == at("30/11/2026 07:00")
    assert ok(rules.parse_deadline("30/11/2026 08:00", start, NOW)) == start
    assert "can't be after the start" in problem(rules.parse_deadline("30/11/2026", start, NOW))
    assert "already in the past" in problem(rules.parse_deadline("26/11/2026", start, NOW))
    assert "date of the deadline" in problem(rules.parse_deadline("17:00", start, NOW))


def test_deadline_buttons_are_the_day_before_and_the_start() -> None:
    start = at("30/11/2026 08:00")
    assert rules.deadline_choices(start, NOW) == [at("29/11/2026 17:00"), start]
    tomorrow_morning = at("28/11/2026 08:00")
    assert rules.deadline_choices(tomorrow_morning, NOW) == [
        at("27/11/2026 17:00"),
        tomorrow_morning,
    ]
    assert rules.deadline_choices(at("27/11/2026 11:00"), NOW) == [at("27/11/2026 11:00")]


@pytest.mark.parametrize(
    ("typed", "kind", "expected"),
    [("30", EventKind.COURSE, 30), ("30 chỗ", EventKind.COURSE, 30), ("1", EventKind.WORKSHOP, 1)],
)
def test_seats(typed: str, kind: EventKind, expected: int) -> None:
    assert ok(rules.parse_seats(typed, kind)) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [("0", "at least 1"), ("-5", "at least 1"), ("ba mươi", "whole number"), ("2.5", "whole")],
)
def test_wrong_seats(typed: str, says: str) -> None:
    assert says in problem(rules.parse_seats(typed, EventKind.COURSE))


def test_seats_cannot_drop_below_the_confirmed() -> None:
    assert ok(rules.check_seats_change(30, 30)) == 30
    assert ok(rules.check_seats_change(None, 30)) is None
    assert "can't be fewer" in problem(rules.check_seats_change(29, 30))


@dataclass
class FakeEvent:
    kind: EventKind = EventKind.COURSE
    status: EventStatus = EventStatus.OPEN
    starts_at: datetime = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
    signup_deadline: datetime = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)  # 17:00
    seats: int | None = 30
    invite_all: bool = True


def test_who_may_sign_up_and_why_not() -> None:
    event = FakeEvent()
    assert rules.signup_refusal(event, NOW, invited=True) is None
    not_invited = rules.signup_refusal(event, NOW, invited=False)
    assert not_invited is not None and "invited units" in not_invited.msgid
    late = rules.signup_refusal(event, at("29/11/2026 17:01"), invited=True)
    assert late is not None and late.params == {"deadline": "29/11/2026 17:00"}
    closed = rules.signup_refusal(FakeEvent(status=EventStatus.CLOSED), NOW, invited=True)
    assert closed is not None and "closed" in closed.msgid
    gone = rules.signup_refusal(FakeEvent(status=EventStatus.CANCELLED), NOW, invited=True)
    assert gone is not None and "cancelled" in gone.msgid
    started = rules.signup_refusal(event, at("30/11/2026 08:00"), invited=True)
    assert started is not None and "started" in started.msgid
    # Cancelling a sign-up is allowed after the deadline, until the start.
    assert rules.cancel_refusal(event, at("29/11/2026 20:00")) is None
    assert rules.cancel_refusal(event, at("30/11/2026 08:00")) is not None


def test_reminders_a_day_and_an_hour_before_unless_already_past() -> None:
    start = at("30/11/2026 08:00")
    assert rules.reminders_to_plan(start, NOW) == {
        "day": at("29/11/2026 08:00"),
        "hour": at("30/11/2026 07:00"),
    }
    assert rules.reminders_to_plan(at("28/11/2026 08:00"), NOW) == {"hour": at("28/11/2026 07:00")}


def test_display() -> None:
    start, end = at("27/11/2026 14:00"), at("27/11/2026 16:30")
    assert rules.format_day(start, lambda s: s) == "Friday, 27/11/2026"
    assert rules.format_span(start, end, lambda s: s, TZ) == "14:00–16:30, Friday, 27/11/2026"
    utc = start.astimezone(UTC)
    assert rules.format_moment(utc, TZ) == "27/11/2026 14:00"
    assert rules.seats_text(30, 25, 0).params == {"left": 5, "seats": 30}
    assert "waiting list" in rules.seats_text(30, 30, 4).msgid


# --- properties ----------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2026, 11, 27, 10, 1), max_value=datetime(2028, 12, 31, 23, 59)
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=TZ))


@given(moments)
def test_a_shown_start_reads_back_as_itself(moment: datetime) -> None:
    assert ok(rules.parse_start(rules.format_moment(moment), NOW)) == moment


@given(moments, st.integers(min_value=-3000, max_value=3000))
def test_an_accepted_end_is_after_the_start(start: datetime, minutes: int) -> None:
    end = start + timedelta(minutes=minutes)
    result = rules.parse_end(rules.format_moment(end), start, NOW)
    assert isinstance(result, Ok) == (end > start)


@given(moments, moments)
def test_an_accepted_deadline_is_ahead_and_not_after_the_start(
    start: datetime, deadline: datetime
) -> None:
    result = rules.parse_deadline(rules.format_moment(deadline), start, NOW)
    if isinstance(result, Ok):
        assert NOW < result.value <= start  # type: ignore[operator]
    else:
        assert deadline > start


@given(
    st.one_of(st.none(), st.integers(min_value=1, max_value=50)),
    st.lists(st.booleans(), max_size=120),
)
def test_seats_are_never_overbooked_and_the_line_is_kept(
    seats: int | None, actions: list[bool]
) -> None:
    """Sign-ups (True) and cancellations of the oldest confirmed (False), with promotion."""
    confirmed: list[int] = []
    waiting: list[int] = []
    for number, join in enumerate(actions):
        if join:
            status = rules.newcomer_status(seats, len(confirmed))
            (confirmed if status is SignupStatus.CONFIRMED else waiting).append(number)
        elif confirmed:
            confirmed.pop(0)
            moved = rules.to_promote(seats, len(confirmed), waiting)
            assert moved == waiting[: len(moved)]
            confirmed += moved
            waiting = waiting[len(moved) :]
        assert seats is None or len(confirmed) <= seats
        # Nobody waits while a seat is free.
        assert not waiting or (seats is not None and len(confirmed) == seats)
        assert waiting == sorted(waiting)


def test_a_late_day_reminder_is_skipped_once_the_hour_one_is_due() -> None:
    start = at("30/11/2026 08:00")
    assert rules.reminder_useful("day", start, at("29/11/2026 08:00"))
    assert rules.reminder_useful("day", start, at("30/11/2026 06:59"))
    assert not rules.reminder_useful("day", start, at("30/11/2026 07:00"))
    assert rules.reminder_useful("hour", start, at("30/11/2026 07:59"))
    assert not rules.reminder_useful("hour", start, start)

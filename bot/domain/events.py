"""Rules of training courses and conferences, on plain values (no aiogram, no database).

What a valid start, end, sign-up deadline and number of seats are; who may sign up
and when; who gets a seat and who moves up from the waiting list; and how times are
shown to a Vietnamese reader (`Thứ Sáu, 27/11/2026 14:00`). Messages are English
msgids (`N_`) that the front end translates.

Typed times: `28/11/2026 08:00`, `28/11 8h`, `8h30 28/11/2026`, `14 giờ 28/11`. A date
without a year is this year's, or next year's when that is the coming one (in December
`5/1` is next January). A deadline given as a date alone means 17:00 that day, the end
of office hours ("trước 17 giờ ngày …" is how such deadlines are written); a start must
say its time, since a guessed hour would end up in every reminder.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol

from bot.domain.folding import fold
from bot.domain.text import N_, Text

Gettext = Callable[[str], str]

TITLE_MAX = 200
PLACE_MAX = 300
DESCRIPTION_MAX = 2000
ATTENDEES_MAX = 300
SEATS_MAX = 10_000
DEADLINE_HOUR = 17  # a deadline typed as a date alone: end of office hours
# A date typed without a year rolls over to next year only when that is this close.
ROLL_OVER_WITHIN = timedelta(days=183)
REMINDERS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}
# Staff still see an event in /sukien this long after it ended (to export the list, say).
FOLLOW_AFTER_END = timedelta(days=7)


class EventKind(enum.StrEnum):
    COURSE = "course"  # lớp bồi dưỡng chuyên môn: seats required, people sign up
    CONFERENCE = "conference"  # hội nghị: each invited unit answers Tham dự / Vắng mặt
    WORKSHOP = "workshop"  # hội thảo: people sign up, seats optional


class EventStatus(enum.StrEnum):
    OPEN = "open"  # published; sign-ups open until the deadline
    CLOSED = "closed"  # sign-ups closed early by staff
    CANCELLED = "cancelled"


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"  # has a seat (conference: the unit attends)
    WAITING = "waiting"  # danh sách chờ
    CANCELLED = "cancelled"  # hủy đăng ký (or replaced by another answer of the same unit)
    ABSENT = "absent"  # conference: the unit answered Vắng mặt


KIND_LABELS = {
    EventKind.COURSE: N_("Training course"),
    EventKind.CONFERENCE: N_("Conference"),
    EventKind.WORKSHOP: N_("Workshop"),
}
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


class EventFacts(Protocol):
    """What the rules read of an event (the stored row has these attributes)."""

    @property
    def kind(self) -> EventKind: ...
    @property
    def status(self) -> EventStatus: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def signup_deadline(self) -> datetime: ...
    @property
    def seats(self) -> int | None: ...
    @property
    def invite_all(self) -> bool: ...


@dataclass(frozen=True)
class Ok:
    value: object


@dataclass(frozen=True)
class Problem:
    reason: Text


# --- typed times ---------------------------------------------------------------------------

_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{4}|\d{2}))?(?!\d)")
_TIME = re.compile(
    r"(?<![\d/\-.])(\d{1,2})\s*(?::|gio|h|g)\s*(\d{1,2})?(?:\s*(?:phut|p))?(?![\d/])"
)
_FILLER = re.compile(r"\b(ngay|luc|vao|tu|sang|chieu|toi)\b|[,;]")


@dataclass(frozen=True)
class Typed:
    """What a typed moment contained: a day and/or a time of day."""

    day: date | None
    at: time | None


def example_moment(now: datetime, hour: int = 8) -> str:
    tomorrow = (now + timedelta(days=1)).date()
    return f"{tomorrow:%d/%m/%Y} {hour:02d}:00"


def _expected(now: datetime) -> Text:
    return Text(
        N_("Please type a date and time as dd/mm/yyyy HH:MM, for example {example}."),
        {"example": example_moment(now)},
    )


def read_moment(text: str, now: datetime) -> Typed | Problem:
    """The day and time of day in `text`; either may be missing, anything else is a problem."""
    folded = _FILLER.sub(" ", fold(text))
    day: date | None = None
    at: time | None = None
    if match := _DATE.search(folded):
        folded = folded[: match.start()] + " " + folded[match.end() :]
        parsed = _day(match, now)
        if isinstance(parsed, Problem):
            return parsed
        day = parsed
    if match := _TIME.search(folded):
        folded = folded[: match.start()] + " " + folded[match.end() :]
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour > 23 or minute > 59:
            return Problem(
                Text(
                    N_("{time} is not a time of day; hours go from 0 to 23, minutes 0 to 59."),
                    {"time": f"{hour:02d}:{minute:02d}"},
                )
            )
        at = time(hour, minute)
    if folded.strip() or (day is None and at is None):
        return Problem(_expected(now))
    return Typed(day, at)


def _day(match: re.Match[str], now: datetime) -> date | Problem:
    day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    if year_text is not None:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        return _real_day(year, month, day, now)
    this_year = _real_day(now.year, month, day, now)
    if isinstance(this_year, Problem):
        # 29/02 in a common year may still be next year's (a leap year).
        next_year = _real_day(now.year + 1, month, day, now)
        if (
            isinstance(next_year, date)
            and _moment(next_year, time(), now) - now <= ROLL_OVER_WITHIN
        ):
            return next_year
        return this_year
    if this_year >= now.date():
        return this_year
    next_year = _real_day(now.year + 1, month, day, now)
    if isinstance(next_year, date) and _moment(next_year, time(), now) - now <= ROLL_OVER_WITHIN:
        return next_year
    return this_year  # in the past: refused by the caller, with the date shown


def _real_day(year: int, month: int, day: int, now: datetime) -> date | Problem:
    if not 2000 <= year <= 2100:
        return Problem(_expected(now))
    try:
        return date(year, month, day)
    except ValueError:
        return Problem(
            Text(
                N_("{date} is not a real date; please check the day and the month."),
                {"date": f"{day:02d}/{month:02d}/{year}"},
            )
        )


def _moment(day: date, at: time, now: datetime) -> datetime:
    """`day` at `at` in the zone `now` is in."""
    return datetime.combine(day, at).replace(tzinfo=now.tzinfo)


def _past(moment: datetime) -> Problem:
    return Problem(
        Text(
            N_("{moment} is already in the past. Please type a time still to come."),
            {"moment": format_moment(moment)},
        )
    )


def parse_start(text: str, now: datetime) -> Ok | Problem:
    """The start: a day and a time, still to come."""
    typed = read_moment(text, now)
    if isinstance(typed, Problem):
        return typed
    if typed.day is None or typed.at is None:
        return Problem(
            Text(
                N_("Please type both the date and the time of the start, for example {example}."),
                {"example": example_moment(now)},
            )
        )
    start = _moment(typed.day, typed.at, now)
    return _past(start) if start <= now else Ok(start)


def parse_end(text: str, start: datetime, now: datetime) -> Ok | Problem:
    """The end: a time alone means the start's day; it must come after the start."""
    typed = read_moment(text, now)
    if isinstance(typed, Problem):
        return typed
    if typed.at is None:
        return Problem(
            Text(
                N_(
                    "Please type the time the event ends, for example {example} "
                    "(a time alone means the day it starts)."
                ),
                {"example": "11:30"},
            )
        )
    day = typed.day or start.astimezone(now.tzinfo).date()
    return check_end(start, _moment(day, typed.at, now))


def check_end(start: datetime, end: datetime) -> Ok | Problem:
    if end <= start:
        return Problem(
            Text(
                N_("The end ({end}) must come after the start ({start})."),
                {"end": format_moment(end), "start": format_moment(start, end.tzinfo)},
            )
        )
    return Ok(end)


def parse_deadline(text: str, start: datetime, now: datetime) -> Ok | Problem:
    """The sign-up deadline: a date alone means 17:00 that day; not past, not after the start."""
    typed = read_moment(text, now)
    if isinstance(typed, Problem):
        return typed
    if typed.day is None:
        return Problem(
            Text(
                N_("Please type the date of the deadline, for example {example}."),
                {"example": f"{start.astimezone(now.tzinfo) - timedelta(days=1):%d/%m/%Y}"},
            )
        )
    at = typed.at if typed.at is not None else time(DEADLINE_HOUR)
    return check_deadline(_moment(typed.day, at, now), start, now)


def check_deadline(deadline: datetime, start: datetime, now: datetime) -> Ok | Problem:
    if deadline > start:
        return Problem(
            Text(
                N_(
                    "The sign-up deadline ({deadline}) can't be after the start ({start}). "
                    "Please type an earlier one."
                ),
                {
                    "deadline": format_moment(deadline, now.tzinfo),
                    "start": format_moment(start, now.tzinfo),
                },
            )
        )
    return _past(deadline) if deadline <= now else Ok(deadline)


def deadline_choices(start: datetime, now: datetime) -> list[datetime]:
    """Deadlines offered as buttons: the day before at 17:00, and the start itself."""
    local = start.astimezone(now.tzinfo)
    day_before = _moment(local.date() - timedelta(days=1), time(DEADLINE_HOUR), local)
    return [d for d in (day_before, start) if d > now]


def parse_seats(text: str, kind: EventKind) -> Ok | Problem:
    """A whole number of seats above 0 (`30`, `30 chỗ`)."""
    cleaned = re.sub(r"\b(cho|nguoi|hoc vien)\b", " ", fold(text)).strip()
    if not re.fullmatch(r"-?\d+", cleaned):
        return Problem(
            Text(N_("Please type the number of seats as a whole number, for example 30."))
        )
    seats = int(cleaned)
    if seats <= 0:
        return Problem(Text(N_("The number of seats must be at least 1.")))
    if seats > SEATS_MAX:
        return Problem(Text(N_("At most {max} seats, please."), {"max": SEATS_MAX}))
    return Ok(seats)


def seats_required(kind: EventKind) -> bool:
    return kind is EventKind.COURSE


def parse_text(text: str, *, longest: int, what: Text) -> Ok | Problem:
    """A short text answer: trimmed, not empty, not too long."""
    value = " ".join(text.split()) if "\n" not in text else text.strip()
    if len(value) < 2:
        return Problem(what)
    if len(value) > longest:
        return Problem(Text(N_("That is too long (at most {max} characters)."), {"max": longest}))
    return Ok(value)


def check_seats_change(seats: int | None, confirmed: int) -> Ok | Problem:
    """Fewer seats than already confirmed would take seats away from people: refused."""
    if seats is not None and seats < confirmed:
        return Problem(
            Text(
                N_(
                    "{confirmed} people already have a seat; the number of seats can't be "
                    "fewer than that."
                ),
                {"confirmed": confirmed},
            )
        )
    return Ok(seats)


# --- signing up ----------------------------------------------------------------------------


def signup_refusal(event: EventFacts, now: datetime, invited: bool) -> Text | None:
    """Why an officer can't sign up for `event` now, or None when they can."""
    if event.status is EventStatus.CANCELLED:
        return Text(N_("This event has been cancelled."))
    if now >= event.starts_at:
        return Text(N_("This event has already started; sign-up is over."))
    if not invited:
        return Text(
            N_(
                "This event is for the invited units only, and your unit is not among them. "
                "Please contact the department if you think this is a mistake."
            )
        )
    if event.status is EventStatus.CLOSED:
        return Text(N_("The department has closed sign-ups for this event."))
    if now > event.signup_deadline:
        return Text(
            N_("The sign-up deadline ({deadline}) has passed."),
            {"deadline": format_moment(event.signup_deadline, now.tzinfo)},
        )
    return None


def cancel_refusal(event: EventFacts, now: datetime) -> Text | None:
    """Why a sign-up can't be cancelled now (Hủy đăng ký is open until the start)."""
    if event.status is EventStatus.CANCELLED:
        return Text(N_("This event has been cancelled."))
    if now >= event.starts_at:
        return Text(N_("This event has already started; the sign-up can't be cancelled now."))
    return None


def newcomer_status(seats: int | None, confirmed: int) -> SignupStatus:
    """A seat while one is free, else the end of the waiting list.

    Nobody waits while a seat is free: every freed or added seat promotes at once.
    """
    if seats is None or confirmed < seats:
        return SignupStatus.CONFIRMED
    return SignupStatus.WAITING


def to_promote(seats: int | None, confirmed: int, waiting: Sequence[int]) -> list[int]:
    """Who moves up from the waiting list (given in order): as many as there are free seats."""
    free = len(waiting) if seats is None else max(seats - confirmed, 0)
    return list(waiting[:free])


def seats_left(seats: int | None, confirmed: int) -> int | None:
    return None if seats is None else max(seats - confirmed, 0)


def reminder_times(starts_at: datetime) -> dict[str, datetime]:
    """When each reminder is due: one day and one hour before the start."""
    return {kind: starts_at - before for kind, before in REMINDERS.items()}


def reminders_to_plan(starts_at: datetime, now: datetime) -> dict[str, datetime]:
    """Reminders still worth sending: the day-before one of an event tomorrow morning
    published tonight would arrive late and say "tomorrow" about today, so it is left out."""
    return {kind: due for kind, due in reminder_times(starts_at).items() if due > now}


def reminder_useful(kind: str, starts_at: datetime, now: datetime) -> bool:
    """A late reminder (the bot was down at its time) is skipped once a later one is due:
    nobody needs "a day before" half an hour before the start."""
    later = [before for name, before in REMINDERS.items() if before < REMINDERS[kind]]
    return now < starts_at and all(now < starts_at - before for before in later)


# --- showing -------------------------------------------------------------------------------


def format_moment(moment: datetime, tz: tzinfo | None = None) -> str:
    """`27/11/2026 14:00` (in `tz`, else in the moment's own zone)."""
    local = moment.astimezone(tz) if tz is not None else moment
    return local.strftime("%d/%m/%Y %H:%M")


def format_day(moment: datetime, gettext: Gettext, tz: tzinfo | None = None) -> str:
    """`Thứ Sáu, 27/11/2026`."""
    local = moment.astimezone(tz) if tz is not None else moment
    return f"{gettext(WEEKDAYS[local.weekday()])}, {local:%d/%m/%Y}"


def format_span(start: datetime, end: datetime, gettext: Gettext, tz: tzinfo | None) -> str:
    """`08:00–11:30, Thứ Sáu, 27/11/2026`, or both ends in full across days."""
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.date() == last.date():
        return f"{first:%H:%M}–{last:%H:%M}, {format_day(first, gettext)}"
    return f"{first:%H:%M} {format_day(first, gettext)} – {last:%H:%M} {format_day(last, gettext)}"


def seats_text(seats: int | None, confirmed: int, waiting: int) -> Text:
    if seats is None:
        return Text(N_("No seat limit · {confirmed} signed up"), {"confirmed": confirmed})
    left = seats - confirmed
    if left > 0:
        return Text(N_("{left} of {seats} seats left"), {"left": left, "seats": seats})
    return Text(
        N_("Full ({seats} seats) · {waiting} on the waiting list"),
        {"seats": seats, "waiting": waiting},
    )

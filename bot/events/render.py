"""Events as text (Telegram HTML), for any front end.

Every function takes `_`, the gettext of the reader's language, and the department's
time zone; stored times are UTC and are shown in that zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import tzinfo
from html import escape

from bot.domain import events as rules
from bot.domain.events import EventKind, EventStatus, SignupStatus
from bot.domain.units import UnitDirectory
from bot.people import phone_label
from storage.models import Event, EventSignup, User
from storage.repositories.events import Counts

Gettext = Callable[[str], str]
# Telegram refuses messages over 4096 characters; leave room for HTML entities.
MESSAGE_LIMIT = 3800


def kind_label(kind: EventKind, _: Gettext) -> str:
    return _(rules.KIND_LABELS[kind])


def when(event: Event, _: Gettext, tz: tzinfo) -> str:
    return rules.format_span(event.starts_at, event.ends_at, _, tz)


def status_label(status: SignupStatus, kind: EventKind, _: Gettext) -> str:
    if kind is EventKind.CONFERENCE:
        return {
            SignupStatus.CONFIRMED: _("Attends"),
            SignupStatus.WAITING: _("Waiting list"),
            SignupStatus.ABSENT: _("Absent"),
            SignupStatus.CANCELLED: _("Cancelled"),
        }[status]
    return {
        SignupStatus.CONFIRMED: _("Confirmed"),
        SignupStatus.WAITING: _("Waiting list"),
        SignupStatus.ABSENT: _("Absent"),
        SignupStatus.CANCELLED: _("Cancelled"),
    }[status]


def seats_line(event: Event, counts: Counts, _: Gettext) -> str:
    return rules.seats_text(event.seats, counts.confirmed, counts.waiting).render(_)


def details(event: Event, _: Gettext, tz: tzinfo) -> list[str]:
    """The lines every view of an event starts with."""
    lines = [
        f"<b>{escape(kind_label(event.kind, _))}: {escape(event.title)}</b>",
        _("🕗 {value}").format(value=when(event, _, tz)),
        _("📍 {value}").format(value=escape(event.place)),
    ]
    return lines


def description(event: Event) -> list[str]:
    return ["", escape(event.description)] if event.description else []


def officer_card(
    event: Event, counts: Counts, mine: EventSignup | None, position: int, _: Gettext, tz: tzinfo
) -> str:
    """An event as an officer sees it in /lophoc: what, when, where, seats, their state."""
    lines = details(event, _, tz)
    if event.kind is not EventKind.CONFERENCE:
        lines.append("💺 " + seats_line(event, counts, _))
    lines.append(
        _("⏳ Sign-up deadline: {value}").format(
            value=rules.format_moment(event.signup_deadline, tz)
        )
    )
    if event.status is EventStatus.CLOSED:
        lines.append(_("⛔ Sign-ups are closed."))
    lines += description(event)
    lines.append("")
    lines.append(my_state(event, mine, position, _))
    return "\n".join(lines)


def my_state(event: Event, mine: EventSignup | None, position: int, _: Gettext) -> str:
    if mine is None or mine.status is SignupStatus.CANCELLED:
        if event.kind is EventKind.CONFERENCE:
            return _("Your unit has not answered yet.")
        return _("You have not signed up.")
    if event.kind is EventKind.CONFERENCE:
        if mine.status is SignupStatus.ABSENT:
            return _("Your unit's answer: <b>Absent</b>.")
        if mine.status is SignupStatus.WAITING:
            return _("Your unit is number {position} on the waiting list.").format(
                position=position
            )
        return _("Your unit's answer: <b>Attends</b> — {who}.").format(
            who=escape(mine.attendees or "")
        )
    if mine.status is SignupStatus.WAITING:
        return _("You are number <b>{position}</b> on the waiting list.").format(position=position)
    return _("✅ You are signed up and have a seat.")


def announcement(event: Event, _: Gettext, tz: tzinfo) -> str:
    """The notice invited officers get, above its Đăng ký (or Tham dự / Vắng mặt) buttons."""
    lines = [_("📢 <b>The department invites you</b>"), "", *details(event, _, tz)]
    if event.seats is not None:
        lines.append(_("💺 Seats: {value}").format(value=event.seats))
    lines.append(
        _("⏳ Sign up by {value}").format(value=rules.format_moment(event.signup_deadline, tz))
    )
    lines += description(event)
    lines.append("")
    if event.kind is EventKind.CONFERENCE:
        lines.append(_("Please answer for your unit with one of the choices below."))
    else:
        lines.append(_("Choose Sign up below, or see /lophoc."))
    return "\n".join(lines)


def reminder(event: Event, kind: str, _: Gettext, tz: tzinfo) -> str:
    # Worded to stay true if a reminder goes out late (the bot was down at its time).
    if kind == "day":
        head = _("⏰ <b>Reminder</b>: you are signed up for")
    else:
        head = _("⏰ <b>Reminder</b>: starting soon, at {time}").format(
            time=f"{event.starts_at.astimezone(tz):%H:%M}"
        )
    return "\n".join([head, *details(event, _, tz)])


def cancelled_notice(event: Event, _: Gettext, tz: tzinfo) -> str:
    return "\n".join(
        [
            _("❌ <b>Cancelled</b>: the department has cancelled this event."),
            *details(event, _, tz),
            _("Your sign-up no longer applies. We are sorry for the inconvenience."),
        ]
    )


def change_notice(event: Event, changes: Sequence[tuple[str, str, str]], _: Gettext) -> str:
    """`changes`: (label, before, after), already in the reader's language."""
    lines = [
        _("📝 <b>Changed</b>: {title}").format(title=escape(event.title)),
        *(
            f"• {escape(label)}: <s>{escape(old)}</s> → <b>{escape(new)}</b>"
            for label, old, new in changes
        ),
        _("Your sign-up stays as it was. /lophoc shows the event."),
    ]
    return "\n".join(lines)


def promoted_notice(event: Event, _: Gettext, tz: tzinfo) -> str:
    return "\n".join(
        [
            _(
                "🎉 A seat became free: you have moved up from the waiting list and now have a seat."
            ),
            *details(event, _, tz),
        ]
    )


def staff_card(
    event: Event,
    counts: Counts,
    invited: Sequence[str],
    units: UnitDirectory,
    answered_units: int,
    _: Gettext,
    tz: tzinfo,
) -> str:
    """An event as staff follow it in /sukien."""
    lines = [*details(event, _, tz)]
    lines[0] += f" #{event.id}"
    lines.append(
        _("⏳ Sign-up deadline: {value}").format(
            value=rules.format_moment(event.signup_deadline, tz)
        )
    )
    if event.invite_all:
        lines.append(_("👥 Invited: all officers"))
    else:
        names = ", ".join(_unit_name(code, units) for code in invited)
        lines.append(_("👥 Invited: {units}").format(units=escape(names)))
    if event.kind is EventKind.CONFERENCE:
        total = len(units) if event.invite_all else len(invited)
        lines.append(
            _("🗳 Attend {attend} · Absent {absent} · Not answered {missing}").format(
                attend=counts.confirmed + counts.waiting,
                absent=counts.absent,
                missing=max(total - answered_units, 0),
            )
        )
    else:
        lines.append(
            _("💺 Confirmed {confirmed} · Waiting list {waiting}").format(
                confirmed=counts.confirmed
                if event.seats is None
                else f"{counts.confirmed}/{event.seats}",
                waiting=counts.waiting,
            )
        )
    lines.append(
        {
            EventStatus.OPEN: _("Status: sign-ups open"),
            EventStatus.CLOSED: _("Status: sign-ups closed"),
            EventStatus.CANCELLED: _("Status: cancelled"),
        }[event.status]
    )
    lines += description(event)
    return "\n".join(lines)


def _unit_name(code: str | None, units: UnitDirectory) -> str:
    unit = units.get(code or "")
    return unit.name if unit else (code or "?")


def participants_text(
    event: Event,
    rows: Sequence[tuple[EventSignup, User]],
    positions: dict[int, int],
    not_answered: Sequence[str],
    units: UnitDirectory,
    _: Gettext,
) -> list[str]:
    """The list of participants by unit, split into messages Telegram accepts."""
    head = [_("👥 <b>Participants</b>: {title}").format(title=escape(event.title))]
    confirmed = sum(1 for s, _u in rows if s.status is SignupStatus.CONFIRMED)
    waiting = sum(1 for s, _u in rows if s.status is SignupStatus.WAITING)
    if event.kind is EventKind.CONFERENCE:
        absent = sum(1 for s, _u in rows if s.status is SignupStatus.ABSENT)
        head.append(
            _("Attend {attend} · Absent {absent} · Not answered {missing}").format(
                attend=confirmed + waiting, absent=absent, missing=len(not_answered)
            )
        )
    else:
        head.append(
            _("Confirmed {confirmed} · Waiting list {waiting}").format(
                confirmed=confirmed, waiting=waiting
            )
        )
    body: list[str] = []
    unit_code: str | None = "\0"
    for signup, person in rows:
        if signup.unit_code != unit_code:
            unit_code = signup.unit_code
            body += ["", f"<b>{escape(_unit_name(unit_code, units))}</b>"]
        body.append(_person_line(event, signup, person, positions, _))
    if not rows:
        body += ["", _("Nobody has signed up yet.")]
    if not_answered:
        body += ["", _("<b>Not answered</b> ({count}):").format(count=len(not_answered))]
        body += [f"• {escape(_unit_name(code, units))}" for code in not_answered]
    return split_messages(head + body)


def _person_line(
    event: Event,
    signup: EventSignup,
    person: User,
    positions: dict[int, int],
    _: Gettext,
) -> str:
    name = escape(person.full_name or person.telegram_name or str(person.id))
    state = status_label(signup.status, event.kind, _)
    if signup.status is SignupStatus.WAITING:
        state += f" #{positions.get(signup.id, 0)}"
    parts = [name]
    if person.phone:
        parts.append(phone_label(person.phone, person.phone_verified, _))
    if event.kind is EventKind.CONFERENCE and signup.attendees:
        parts.append(_("attending: {who}").format(who=escape(signup.attendees)))
    mark = {"confirmed": "✅", "waiting": "⏳", "absent": "🚫"}.get(signup.status.value, "")
    return f"{mark} {' — '.join(parts)} ({state})"


def split_messages(lines: Iterable[str]) -> list[str]:
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > MESSAGE_LIMIT:
            messages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        messages.append("\n".join(current))
    return messages

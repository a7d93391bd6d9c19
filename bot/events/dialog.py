"""Tạo sự kiện mới as data: the questions of event creation, run by `bot.dialogs`.

```mermaid
stateDiagram-v2
    [*] --> kind: /sukien → ➕ Tạo sự kiện mới
    kind --> title --> starts --> ends --> place --> seats
    seats --> deadline: a number ≥ 1 (courses must; others may Bỏ qua)
    deadline --> invite: typed, or a suggestion pressed
    invite --> invite: Chọn đơn vị → type part of a name, press units, Xong
    invite --> description: Tất cả cán bộ, or units chosen
    description --> review: text, or Bỏ qua
    review --> kind: ✏️ N (a change re-checks what depends on it)
    review --> [*]: Công bố (stored, committed, announced)
```
Adding a question is adding a `Step` here. The rules of each answer are in
`bot.domain.events`; this module only says which rule each step uses and what
depends on what (an end and a deadline are checked again when the start moves).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.dialogs.model import Answers, Context, Dialog, Kind, Option, Step
from bot.domain import events as rules
from bot.domain.events import EventKind, Ok, Problem
from bot.domain.text import N_, Text
from bot.forms.results import Checked, Invalid, Valid

ALL = "all"


def checked(result: Ok | Problem) -> Checked:
    """The domain's Ok / Problem as the engine's Valid / Invalid (moments as ISO text)."""
    if isinstance(result, Problem):
        return Invalid(result.reason)
    value = result.value
    return Valid(value.isoformat() if isinstance(value, datetime) else value)


def moment(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _kind(answers: Mapping[str, Any]) -> EventKind:
    return EventKind(answers.get("kind", EventKind.WORKSHOP.value))


def _start(answers: Mapping[str, Any]) -> datetime:
    return moment(answers["starts"])


def _check_start(value: Any, _answers: Mapping[str, Any], ctx: Context) -> Checked:
    if moment(value) <= ctx.now:
        return Invalid(Text(N_("The start has to be a time still to come.")))
    return Valid(value)


def _check_end(value: Any, answers: Mapping[str, Any], _ctx: Context) -> Checked:
    return checked(rules.check_end(_start(answers), moment(value)))


def _check_deadline(value: Any, answers: Mapping[str, Any], ctx: Context) -> Checked:
    return checked(rules.check_deadline(moment(value), _start(answers), ctx.now))


def _check_seats(value: Any, answers: Mapping[str, Any], _ctx: Context) -> Checked:
    if isinstance(value, int) and value >= 1:
        return Valid(value)
    return Invalid(Text(N_("The number of seats must be at least 1.")))


def _check_invite(value: Any, _answers: Mapping[str, Any], _ctx: Context) -> Checked:
    if value == ALL or (isinstance(value, list) and value):
        return Valid(value)
    return Invalid(Text(N_("Please choose who is invited.")))


def _text(longest: int, what: str) -> Any:
    def parse(text: str, _answers: Mapping[str, Any], _ctx: Context) -> Checked:
        return checked(rules.parse_text(text, longest=longest, what=Text(what)))

    return parse


def _seats_prompt(answers: Answers, _ctx: Context) -> Text:
    if rules.seats_required(_kind(answers)):
        return Text(N_("How many seats does the course have? For example: 30."))
    return Text(N_("How many seats? Press Skip if there is no limit."))


def _deadline_options(answers: Answers, ctx: Context) -> Sequence[Option]:
    starts = _start(answers)
    return [
        Option(
            choice.isoformat(),
            Text(
                N_("Until the start ({value})")
                if choice == starts
                else N_("The day before, {value}"),
                {"value": rules.format_moment(choice, ctx.now.tzinfo)},
            ),
        )
        for choice in rules.deadline_choices(starts, ctx.now)
    ]


def _show_moment(value: Any, ctx: Context) -> str:
    return rules.format_moment(moment(value), ctx.now.tzinfo)


STEPS = (
    Step(
        "kind",
        Kind.CHOOSE_ONE,
        N_("Kind"),
        Text(N_("What kind of event is it?")),
        options=tuple(Option(k.value, Text(label)) for k, label in rules.KIND_LABELS.items()),
    ),
    Step(
        "title",
        Kind.TEXT,
        N_("Title"),
        Text(N_("The title, for example: Lớp bồi dưỡng kiến thức sở hữu trí tuệ năm 2026.")),
        parse=_text(rules.TITLE_MAX, N_("Please type the title.")),
        expected=Text(N_("Please type the title as text.")),
    ),
    Step(
        "starts",
        Kind.DATETIME,
        N_("Start"),
        lambda _a, ctx: Text(
            N_("When does it start? Type the date and time, for example {example}."),
            {"example": rules.example_moment(ctx.now)},
        ),
        parse=lambda text, _a, ctx: checked(rules.parse_start(text, ctx.now)),
        check=_check_start,
        show=_show_moment,
        expected=Text(N_("Please type the start as text, for example 02/12/2026 08:00.")),
    ),
    Step(
        "ends",
        Kind.DATETIME,
        N_("End"),
        Text(
            N_(
                "When does it end? A time alone means the same day (for example 11:30); "
                "or type a date and time."
            )
        ),
        depends_on=("starts",),
        parse=lambda text, a, ctx: checked(rules.parse_end(text, _start(a), ctx.now)),
        check=_check_end,
        show=_show_moment,
        expected=Text(N_("Please type the end as text, for example 11:30.")),
    ),
    Step(
        "place",
        Kind.TEXT,
        N_("Place"),
        Text(N_("Where? For example: Hội trường Sở KH&CN, tầng 3.")),
        parse=_text(rules.PLACE_MAX, N_("Please type the place.")),
        expected=Text(N_("Please type the place as text.")),
    ),
    Step(
        "seats",
        Kind.NUMBER,
        N_("Seats"),
        _seats_prompt,
        required=lambda a: rules.seats_required(_kind(a)),
        depends_on=("kind",),
        parse=lambda text, a, _ctx: checked(rules.parse_seats(text, _kind(a))),
        check=_check_seats,
        expected=Text(N_("Please type the number of seats, for example 30.")),
    ),
    Step(
        "deadline",
        Kind.DATETIME,
        N_("Sign-up deadline"),
        Text(
            N_(
                "Sign-up deadline? Type a date (it means 17:00 that day) or a date and time, "
                "or press one below."
            )
        ),
        depends_on=("starts",),
        parse=lambda text, a, ctx: checked(rules.parse_deadline(text, _start(a), ctx.now)),
        check=_check_deadline,
        options=_deadline_options,
        show=_show_moment,
        expected=Text(N_("Please type the deadline as text, or press a button above.")),
    ),
    Step(
        "invite",
        Kind.AUDIENCE,
        N_("Invited"),
        Text(N_("Who is invited?")),
        options=(Option(ALL, Text(N_("👥 All officers"))),),
        check=_check_invite,
    ),
    Step(
        "description",
        Kind.TEXT,
        N_("Description"),
        Text(
            N_("A short description: the programme, what to bring, whom to contact. Or press Skip.")
        ),
        required=False,
        parse=_text(rules.DESCRIPTION_MAX, N_("Please type a short description, or press Skip.")),
        expected=Text(N_("Please type the description as text, or press Skip.")),
    ),
)


def review(answers: Mapping[str, Any], ctx: Context) -> str:
    """The event as it will be published."""
    _ = ctx.gettext
    tz = ctx.now.tzinfo
    starts, ends, deadline = (moment(answers[k]) for k in ("starts", "ends", "deadline"))
    invite = answers["invite"]
    if invite == ALL:
        invited = _("all officers")
    else:
        invited = ", ".join(
            (ctx.units.name(code) if ctx.units else None) or code for code in invite
        )
    seats = answers.get("seats")
    lines = [
        _("<b>Please check the event before publishing</b>"),
        _("Kind: {value}").format(value=_(rules.KIND_LABELS[EventKind(answers["kind"])])),
        _("Title: {value}").format(value=html.escape(answers["title"], quote=False)),
        _("Time: {value}").format(value=rules.format_span(starts, ends, _, tz)),
        _("Place: {value}").format(value=html.escape(answers["place"], quote=False)),
        _("Seats: {value}").format(value=seats if seats is not None else _("no limit")),
        _("Sign-up deadline: {value}").format(value=rules.format_moment(deadline, tz)),
        _("Invited: {value}").format(value=html.escape(invited, quote=False)),
    ]
    if answers.get("description"):
        lines.append(
            _("Description: {value}").format(value=html.escape(answers["description"], quote=False))
        )
    lines += [
        "",
        _("Publishing sends the announcement with a sign-up button to the invited officers."),
    ]
    return "\n".join(lines)


NEW_EVENT = Dialog(
    id="new_event",
    title=N_("New event"),
    steps=STEPS,
    review=review,
    confirm_label=N_("📢 Publish"),
    cancelled=N_("Cancelled. Nothing was published."),
)


EDITABLE = ("title", "starts", "ends", "place", "seats", "deadline", "description")
EDIT_EVENT = Dialog(
    id="edit_event",
    title=N_("Edit the event"),
    # One value at a time, checked as at creation; what a moved start does to the end and
    # the deadline is decided when it is saved (`handlers.events.manage.changes_of`).
    steps=tuple(replace(step, depends_on=()) for step in STEPS),
    cancelled=N_("Nothing was changed."),
    ask_before_cancel=False,
)


def answers_of(event: Any, tz: Any) -> Answers:
    """A stored event as the answers of the creation dialog (to edit one of them)."""
    return {
        "kind": event.kind.value,
        "title": event.title,
        "starts": event.starts_at.astimezone(tz).isoformat(),
        "ends": event.ends_at.astimezone(tz).isoformat(),
        "place": event.place,
        "seats": event.seats,
        "deadline": event.signup_deadline.astimezone(tz).isoformat(),
        "invite": ALL,
        "description": event.description,
    }

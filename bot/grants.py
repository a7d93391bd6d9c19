"""/phanquyen as data: what an admin may change for a person, and the dialog that confirms it.

```mermaid
stateDiagram-v2
    [*] --> change: /phanquyen <phone or id> → the person's card, the changes that fit them
    [*] --> review: "Thu hồi quyền: …" under the staff list (the change already chosen)
    change --> review: a change pressed → the question, with what it means
    review --> change: Quay lại, ✏️
    review --> [*]: ✅ Xác nhận → changed, recorded, the person told (one commit)
    review --> change: Xác nhận, but the person changed meanwhile → why not
    change --> [*]: Hủy or /huy → nothing changes (nothing typed: no question first)
```
Rights go only to approved people; admins are ADMIN_IDS, not changed here. The person as they
are now comes in `Context.extra["person"]` (a `Person`), looked up again for every screen.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.dialogs.model import Answers, Context, Dialog, Gettext, Kind, Option, Step
from bot.domain.text import N_, Text, lines
from bot.forms.results import Checked, Invalid, Valid


class Standing(enum.StrEnum):
    """Where a person stands, as far as rights go."""

    ADMIN = "admin"  # in ADMIN_IDS
    DEACTIVATED = "deactivated"
    STAFF = "staff"
    OFFICER = "officer"  # approved, with a unit
    PENDING = "pending"
    REJECTED = "rejected"
    OPENED = "opened"  # opened the bot, never registered


class Change(enum.StrEnum):
    STAFF_KEEP = "staff_keep"  # staff, and still the unit's officer
    STAFF_ONLY = "staff_only"  # staff, no longer the unit's officer
    STAFF = "staff"  # staff (no unit: this approves them)
    TAKE = "take"  # back to officer (or nothing)
    OFF = "off"  # deactivate
    ON = "on"  # reactivate


GRANTS = (Change.STAFF_KEEP, Change.STAFF_ONLY, Change.STAFF)


@dataclass(frozen=True)
class Person:
    """A person as the card shows them; `name`, `unit` and `phone` are HTML already."""

    id: int
    name: str
    standing: Standing
    unit: str = ""
    still_officer: bool = False  # staff who stay their unit's officer
    phone: str = ""


def describe(person: Person) -> str:
    return f"{person.name} (id {person.id})"


def role_line(person: Person) -> Text:
    unit = {"unit": person.unit}
    return {
        Standing.ADMIN: Text(N_("admin (set in ADMIN_IDS)")),
        Standing.DEACTIVATED: Text(N_("deactivated")),
        Standing.STAFF: Text(N_("department staff, and still the officer of {unit}"), unit)
        if person.still_officer
        else Text(N_("department staff")),
        Standing.OFFICER: Text(N_("officer of {unit}"), unit),
        Standing.PENDING: Text(N_("registration waiting for approval")),
        Standing.REJECTED: Text(N_("registration rejected")),
        Standing.OPENED: Text(N_("not registered (opened the bot)")),
    }[person.standing]


def available(person: Person) -> tuple[tuple[Change, ...], Text | None]:
    """The changes that fit this person, and why granting is not among them (if it is not)."""
    match person.standing:
        case Standing.ADMIN:
            return (), Text(N_("Admins are set in ADMIN_IDS: change it there and restart the bot."))
        case Standing.DEACTIVATED:
            return (Change.ON,), None
        case Standing.STAFF:
            return (Change.TAKE, Change.OFF), None
        case Standing.PENDING:
            return (Change.OFF,), Text(
                N_(
                    "Their registration waits for approval: rights go only to approved people. "
                    "Approve or reject it first (/duyet)."
                )
            )
        case Standing.REJECTED:
            return (Change.OFF,), Text(
                N_("Their registration was rejected: rights go only to approved people.")
            )
        case Standing.OFFICER:
            return (Change.STAFF_KEEP, Change.STAFF_ONLY, Change.OFF), None
    return (Change.STAFF, Change.OFF), None


def label(change: Change, person: Person) -> Text:
    unit = {"unit": person.unit}
    return {
        Change.STAFF_KEEP: Text(N_("Make staff, still officer of {unit}"), unit),
        Change.STAFF_ONLY: Text(N_("Make staff, no longer officer of {unit}"), unit),
        Change.STAFF: Text(N_("Grant the staff role")),
        Change.TAKE: Text(N_("Take the staff role")),
        Change.OFF: Text(N_("Deactivate")),
        Change.ON: Text(N_("Reactivate")),
    }[change]


def question(change: Change, person: Person) -> Text:
    about = {"person": describe(person), "unit": person.unit}
    return {
        Change.STAFF_KEEP: Text(
            N_("Make {person} department staff, while they stay the officer of {unit}?"), about
        ),
        Change.STAFF_ONLY: Text(
            N_(
                "Make {person} department staff? They will no longer be the officer of {unit}, "
                "and their unit will show no officer unless another one is registered."
            ),
            about,
        ),
        Change.STAFF: Text(
            N_(
                "Make {person} department staff? They have not registered with a unit; this "
                "grant approves them."
            ),
            about,
        ),
        Change.TAKE: Text(N_("Take the staff role from {person}?"), about),
        Change.OFF: Text(
            N_(
                "Deactivate {person}? They lose every right and can no longer use the bot; what "
                "they sent is kept."
            ),
            about,
        ),
        Change.ON: Text(N_("Reactivate {person}?"), about),
    }[change]


def told(change: Change, person: Person) -> tuple[Text, ...]:
    """What the person reads after the change (`person` as they are after it)."""
    unit = {"unit": person.unit}
    match change:
        case Change.STAFF_KEEP:
            return (
                Text(
                    N_(
                        "You have been made department staff; you stay the officer of {unit}. "
                        "/help lists what you can do now."
                    ),
                    unit,
                ),
            )
        case Change.STAFF_ONLY | Change.STAFF:
            return (
                Text(N_("You have been made department staff. /help lists what you can do now.")),
            )
        case Change.TAKE:
            taken = Text(N_("Your department-staff role has been taken back."))
            if person.standing is Standing.OFFICER:
                return taken, Text(N_("You are still the officer of {unit}."), unit)
            return (taken,)
        case Change.OFF:
            return (
                Text(
                    N_(
                        "Your account has been deactivated by the department, so you can no "
                        "longer use the bot. The submissions you sent are kept. If you think "
                        "this is a mistake, contact the department."
                    )
                ),
            )
    return (Text(N_("Your account has been reactivated. /help lists what you can do.")),)


def card(person: Person, gettext: Gettext) -> Text:
    """Who they are, their role and phone, and why granting is not offered (if it is not)."""
    _changes, why_not = available(person)
    return lines(
        Text(describe(person)),  # a name and an id: nothing to translate
        Text(N_("Role: {value}"), {"value": role_line(person).render(gettext)}),
        Text(N_("Phone: {value}"), {"value": person.phone}) if person.phone else None,
        why_not,
    )


def _person(ctx: Context) -> Person:
    person: Person = ctx.extra["person"]
    return person


def _changes(_answers: Answers, ctx: Context) -> Sequence[Option]:
    person = _person(ctx)
    return [Option(change, label(change, person)) for change in available(person)[0]]


def _check(value: Any, _answers: Mapping[str, Any], ctx: Context) -> Checked:
    """Still possible now (another admin, or a double tap, may have changed the person)."""
    changes, why_not = available(_person(ctx))
    if value in changes:
        return Valid(value)
    return Invalid(why_not or Text(N_("Nothing to change.")))


def _card(_answers: Answers, ctx: Context) -> Text:
    return card(_person(ctx), ctx.gettext)


def _review(answers: Mapping[str, Any], ctx: Context) -> str:
    return question(Change(answers["change"]), _person(ctx)).render(ctx.gettext)


GRANT = Dialog(
    id="grant_role",
    title=N_("Rights"),
    steps=(
        Step(
            "change", Kind.CHOOSE_ONE, N_("What to change"), _card, options=_changes, check=_check
        ),
    ),
    review=_review,
    confirm_label=N_("✅ Confirm"),
    cancelled=N_("Cancelled. Nothing changed."),
    ask_before_cancel=False,  # nothing typed to lose: buttons only
)

"""Who a notice goes to: a small registry of audience kinds, each able to list its people.

Built in: all approved officers, chosen units, department staff, and the units that
have not sent the monthly report. A feature adds its own kind with `register` (events:
"the people signed up for an event") — a resolver, and optionally `choices`, the
second question the composer asks once the kind is picked (which month, which event).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.text import N_
from storage.repositories import recipients

Recipient = tuple[int, str | None]  # chat id, unit code


@dataclass(frozen=True)
class Audience:
    """A choice of recipients, as stored with the notice: a kind, and what was chosen in it."""

    kind: str
    unit_codes: tuple[str, ...] = ()
    ref: str | None = None  # the answer to the kind's second question (a month, an event id)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "unit_codes": list(self.unit_codes), "ref": self.ref}


@dataclass(frozen=True)
class Context:
    """What resolvers may need to know besides the database."""

    today: date
    report_form: str | None  # the form that is reported once a month (has a period), if any


@dataclass(frozen=True)
class Choice:
    ref: str
    label: str  # shown on a button as it is (already in the user's language)


Resolver = Callable[[AsyncSession, Audience, Context], Awaitable[list[Recipient]]]
ChoiceLister = Callable[[AsyncSession, Context, Callable[[str], str]], Awaitable[list[Choice]]]


@dataclass(frozen=True)
class AudienceKind:
    key: str
    label: str  # an English msgid (marked with N_), translated where shown
    resolve: Resolver
    choices: ChoiceLister | None = None
    picks_units: bool = False  # the composer's unit search fills `unit_codes`
    available: Callable[[Context], bool] = field(default=lambda context: True)


AUDIENCES: dict[str, AudienceKind] = {}


def register(kind: AudienceKind) -> None:
    """Add (or replace) an audience kind; the composer offers them in the order registered."""
    AUDIENCES[kind.key] = kind


async def resolve(session: AsyncSession, audience: Audience, context: Context) -> list[Recipient]:
    kind = AUDIENCES.get(audience.kind)
    if kind is None:
        return []
    return await kind.resolve(session, audience, context)


# --- the built-in kinds -------------------------------------------------------------------------


async def _all_officers(session: AsyncSession, _a: Audience, _c: Context) -> list[Recipient]:
    return await recipients.officers(session)


async def _units(session: AsyncSession, audience: Audience, _c: Context) -> list[Recipient]:
    return await recipients.officers(session, list(audience.unit_codes))


async def _staff(session: AsyncSession, _a: Audience, _c: Context) -> list[Recipient]:
    return await recipients.staff(session)


async def _not_reported(
    session: AsyncSession, audience: Audience, context: Context
) -> list[Recipient]:
    if context.report_form is None or not audience.ref:
        return []
    return await recipients.officers_not_reported(session, context.report_form, audience.ref)


def recent_months(today: date, count: int = 2) -> list[str]:
    """This month and the ones before it, as stored: `2026-11`, `2026-10`."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def month_label(month: str, gettext: Callable[[str], str]) -> str:
    year, number = month.split("-")
    # One month format everywhere: `Tháng 4/2026`, no leading zero (bot.domain.periods).
    return gettext("Month {month}").format(month=f"{int(number)}/{year}")


async def _months(
    session: AsyncSession, context: Context, gettext: Callable[[str], str]
) -> list[Choice]:
    return [Choice(m, month_label(m, gettext)) for m in recent_months(context.today)]


register(AudienceKind("officers", N_("All approved officers"), _all_officers))
register(AudienceKind("units", N_("Chosen units"), _units, picks_units=True))
register(AudienceKind("staff", N_("Department staff"), _staff))
register(
    AudienceKind(
        "not_reported",
        N_("Units that have not sent the monthly report"),
        _not_reported,
        choices=_months,
        available=lambda context: context.report_form is not None,
    )
)

"""Events, invited units, sign-ups and reminders: stored, counted, and decided one at a time.

Seat decisions (sign up, cancel, answer for a unit, more seats) first bump the event's
`revision` with an UPDATE. That UPDATE is the lock: on PostgreSQL it holds the event's
row until the commit, on SQLite it takes the database's write lock (pysqlite begins the
transaction at the first write, so no stale read snapshot is held before it). Whoever
comes second waits, then counts what the first one committed. The bumped value is the
sign-up's `seq`, so the waiting list is in the order the decisions were made.

Reads that may refuse (not invited, deadline passed) run before the lock, so a refused
press writes nothing; they are checked again under the lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import events as rules
from bot.domain.events import EventKind, EventStatus, SignupStatus
from bot.domain.text import N_, Text
from storage.models import (
    Event,
    EventReminder,
    EventSignup,
    EventUnit,
    RegistrationStatus,
    User,
    officer_clause,
    utcnow,
)

LIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITING)
ANSWERED = (SignupStatus.CONFIRMED, SignupStatus.WAITING, SignupStatus.ABSENT)
NOT_FOUND = Text(N_("This event no longer exists."))


@dataclass(frozen=True)
class EventDraft:
    """An event as the creation dialog collected it."""

    kind: EventKind
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    seats: int | None
    signup_deadline: datetime
    invite_all: bool
    unit_codes: tuple[str, ...]
    description: str | None


@dataclass(frozen=True)
class Counts:
    confirmed: int = 0
    waiting: int = 0
    absent: int = 0


@dataclass
class Outcome:
    """What a sign-up, an answer or a cancellation did, for the reply and the notifications."""

    event: Event | None
    signup: EventSignup | None = None
    refused: Text | None = None
    already: bool = False  # nothing changed: the person was already in this state
    position: int = 0  # on the waiting list, from 1
    promoted: list[EventSignup] = field(default_factory=list)


# --- events ------------------------------------------------------------------------------------


async def create_event(
    session: AsyncSession, draft: EventDraft, *, created_by: int, token: str, now: datetime
) -> tuple[Event, bool]:
    """Store a published event, its invited units and its reminders; (event, False) if this
    draft was stored before (a double tap on Công bố)."""
    existing = await session.scalar(select(Event).where(Event.draft_token == token))
    if existing is not None:
        return existing, False
    event = Event(
        kind=draft.kind,
        title=draft.title,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        place=draft.place,
        seats=draft.seats,
        signup_deadline=draft.signup_deadline,
        invite_all=draft.invite_all,
        description=draft.description,
        status=EventStatus.OPEN,
        revision=0,
        draft_token=token,
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(event)
    await session.flush()
    if not draft.invite_all:
        session.add_all(EventUnit(event_id=event.id, unit_code=code) for code in draft.unit_codes)
    await plan_reminders(session, event, now)
    await session.flush()
    return event, True


async def get_event(session: AsyncSession, event_id: int) -> Event | None:
    return await session.get(Event, event_id, populate_existing=True)


async def lock_event(session: AsyncSession, event_id: int) -> Event | None:
    """Take the event's seat lock for the rest of the transaction (see the module's doc)."""
    result = await session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(revision=Event.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return None
    return await session.get(Event, event_id, populate_existing=True)


async def invited_unit_codes(session: AsyncSession, event_id: int) -> list[str]:
    rows = await session.scalars(
        select(EventUnit.unit_code)
        .where(EventUnit.event_id == event_id)
        .order_by(EventUnit.unit_code)
    )
    return list(rows)


async def is_invited(session: AsyncSession, event: Event, unit_code: str | None) -> bool:
    if event.invite_all:
        return True
    if unit_code is None:
        return False
    found = await session.scalar(
        select(EventUnit.unit_code).where(
            EventUnit.event_id == event.id, EventUnit.unit_code == unit_code
        )
    )
    return found is not None


async def invitees(session: AsyncSession, event: Event) -> list[int]:
    """The approved officers the event is announced to."""
    query = select(User.id).where(User.status == RegistrationStatus.APPROVED, officer_clause())
    if not event.invite_all:
        query = query.where(
            User.unit_code.in_(select(EventUnit.unit_code).where(EventUnit.event_id == event.id))
        )
    return list(await session.scalars(query.order_by(User.unit_code, User.id)))


async def staff_events(session: AsyncSession, now: datetime, limit: int = 10) -> list[Event]:
    """Events staff follow: not over yet (or ended in the last week), soonest first."""
    rows = await session.scalars(
        select(Event)
        .where(Event.ends_at > now - rules.FOLLOW_AFTER_END)
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(rows)


async def officer_events(
    session: AsyncSession, user_id: int, unit_code: str | None, now: datetime, limit: int = 10
) -> list[Event]:
    """Events not started yet that the officer's unit is invited to, or they signed up for."""
    invited = or_(
        Event.invite_all.is_(True),
        Event.id.in_(select(EventUnit.event_id).where(EventUnit.unit_code == unit_code)),
        Event.id.in_(
            select(EventSignup.event_id).where(
                EventSignup.user_id == user_id, EventSignup.status.in_(ANSWERED)
            )
        ),
    )
    rows = await session.scalars(
        select(Event)
        .where(Event.status != EventStatus.CANCELLED, Event.starts_at > now, invited)
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(rows)


async def counts(session: AsyncSession, event_id: int) -> Counts:
    rows = await session.execute(
        select(EventSignup.status, func.count())
        .where(EventSignup.event_id == event_id)
        .group_by(EventSignup.status)
    )
    found = {SignupStatus(status): int(number) for status, number in rows}
    return Counts(
        found.get(SignupStatus.CONFIRMED, 0),
        found.get(SignupStatus.WAITING, 0),
        found.get(SignupStatus.ABSENT, 0),
    )


async def update_event(
    session: AsyncSession, event_id: int, changes: dict[str, object], now: datetime
) -> Outcome:
    """Apply checked changes under the seat lock; more seats move people up at once, a new
    start re-plans the reminders."""
    event = await lock_event(session, event_id)
    if event is None:
        return Outcome(None, refused=NOT_FOUND)
    if event.status is EventStatus.CANCELLED:
        return Outcome(event, refused=Text(N_("This event has been cancelled.")))
    if "seats" in changes:
        seats = changes["seats"]
        assert seats is None or isinstance(seats, int)
        check = rules.check_seats_change(seats, (await counts(session, event_id)).confirmed)
        if isinstance(check, rules.Problem):
            return Outcome(event, refused=check.reason)
    for name, value in changes.items():
        setattr(event, name, value)
    event.updated_at = utcnow()
    await session.flush()
    if "starts_at" in changes:
        await plan_reminders(session, event, now, again=True)
    promoted = await _promote(session, event) if "seats" in changes else []
    return Outcome(event, promoted=promoted)


async def close_signups(session: AsyncSession, event_id: int) -> bool:
    """Close sign-ups early; False when the event is not open any more."""
    result = await session.execute(
        update(Event)
        .where(Event.id == event_id, Event.status == EventStatus.OPEN)
        .values(status=EventStatus.CLOSED, closed_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def cancel_event(session: AsyncSession, event_id: int) -> bool:
    """Cancel the event; False when it was cancelled already."""
    result = await session.execute(
        update(Event)
        .where(Event.id == event_id, Event.status != EventStatus.CANCELLED)
        .values(status=EventStatus.CANCELLED, cancelled_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- sign-ups ----------------------------------------------------------------------------------


async def signup_of(session: AsyncSession, event_id: int, user_id: int) -> EventSignup | None:
    return await session.scalar(
        select(EventSignup).where(EventSignup.event_id == event_id, EventSignup.user_id == user_id)
    )


async def get_signup(session: AsyncSession, signup_id: int) -> EventSignup | None:
    return await session.get(EventSignup, signup_id, populate_existing=True)


async def unit_answer(session: AsyncSession, event_id: int, unit_code: str) -> EventSignup | None:
    """A conference: the unit's current answer (whoever of its officers gave it)."""
    return await session.scalar(
        select(EventSignup)
        .where(
            EventSignup.event_id == event_id,
            EventSignup.unit_code == unit_code,
            EventSignup.status.in_(ANSWERED),
        )
        .order_by(EventSignup.updated_at.desc())
        .limit(1)
    )


async def waiting_position(session: AsyncSession, signup: EventSignup) -> int:
    ahead = await session.scalar(
        select(func.count()).where(
            EventSignup.event_id == signup.event_id,
            EventSignup.status == SignupStatus.WAITING,
            EventSignup.seq < signup.seq,
        )
    )
    return int(ahead or 0) + 1


async def _refusal(
    session: AsyncSession, event: Event | None, user: User, now: datetime
) -> Text | None:
    if event is None:
        return NOT_FOUND
    invited = await is_invited(session, event, user.unit_code)
    return rules.signup_refusal(event, now, invited)


async def sign_up(session: AsyncSession, event_id: int, user: User, now: datetime) -> Outcome:
    """Đăng ký: a seat while there is one, else the end of the waiting list."""
    event = await get_event(session, event_id)
    refusal = await _refusal(session, event, user, now)
    if refusal is None and event is not None and event.kind is EventKind.CONFERENCE:
        refusal = Text(N_("For a conference, please answer Attend or Absent for your unit."))
    if refusal is not None:
        return Outcome(event, refused=refusal)
    current = await signup_of(session, event_id, user.id)
    if current is not None and current.status in LIVE:
        return await _already(session, event, current)
    event = await lock_event(session, event_id)
    refusal = await _refusal(session, event, user, now)  # again, now that nothing can change
    if refusal is not None or event is None:
        return Outcome(event, refused=refusal)
    current = await signup_of(session, event_id, user.id)
    if current is not None:
        await session.refresh(current)
        if current.status in LIVE:
            return await _already(session, event, current)
    confirmed = (await counts(session, event_id)).confirmed
    status = rules.newcomer_status(event.seats, confirmed)
    signup = await _store(session, event, user, current, status)
    return await _told(session, event, signup)


async def answer_for_unit(
    session: AsyncSession,
    event_id: int,
    user: User,
    now: datetime,
    *,
    attending: bool,
    attendees: str | None,
) -> Outcome:
    """A conference: Tham dự (with who attends) or Vắng mặt, for the officer's unit.

    The unit has one answer: a colleague's earlier answer is changed, not doubled.
    """
    event = await get_event(session, event_id)
    refusal = await _refusal(session, event, user, now)
    if refusal is None and event is not None and event.kind is not EventKind.CONFERENCE:
        refusal = Text(N_("This event takes individual sign-ups: please press Sign up."))
    if refusal is not None or user.unit_code is None:
        return Outcome(event, refused=refusal or NOT_FOUND)
    event = await lock_event(session, event_id)
    refusal = await _refusal(session, event, user, now)
    if refusal is not None or event is None:
        return Outcome(event, refused=refusal)
    row = await unit_answer(session, event_id, user.unit_code)
    if row is None:
        row = await signup_of(session, event_id, user.id)
    if row is not None:
        await session.refresh(row)
    promoted: list[EventSignup] = []
    if not attending:
        was_confirmed = row is not None and row.status is SignupStatus.CONFIRMED
        signup = await _store(session, event, user, row, SignupStatus.ABSENT, keep_seq=True)
        signup.attendees = None
        if was_confirmed:
            promoted = await _promote(session, event)
        return Outcome(event, signup, promoted=promoted)
    default = user.full_name or user.telegram_name or str(user.id)
    if row is not None and row.status in LIVE:
        row.attendees = attendees or row.attendees or default
        row.updated_at = utcnow()
        await session.flush()
        return await _told(session, event, row)
    confirmed = (await counts(session, event_id)).confirmed
    status = rules.newcomer_status(event.seats, confirmed)
    signup = await _store(session, event, user, row, status)
    signup.attendees = attendees or default
    await session.flush()
    return await _told(session, event, signup)


async def cancel_signup(
    session: AsyncSession, signup_id: int, user: User, now: datetime
) -> Outcome:
    """Hủy đăng ký (until the start): a freed seat goes to the first one waiting, at once."""
    signup = await get_signup(session, signup_id)
    if signup is None or signup.user_id != user.id:
        return Outcome(None, refused=Text(N_("This sign-up is not yours.")))
    event = await get_event(session, signup.event_id)
    if event is None:
        return Outcome(None, refused=NOT_FOUND)
    refusal = rules.cancel_refusal(event, now)
    if refusal is None and signup.status not in LIVE:
        return Outcome(event, signup, already=True)
    if refusal is not None:
        return Outcome(event, signup, refused=refusal)
    event = await lock_event(session, signup.event_id)
    assert event is not None
    await session.refresh(signup)
    if signup.status not in LIVE:
        return Outcome(event, signup, already=True)
    was_confirmed = signup.status is SignupStatus.CONFIRMED
    signup.status = SignupStatus.CANCELLED
    signup.updated_at = utcnow()
    await session.flush()
    promoted = await _promote(session, event) if was_confirmed else []
    return Outcome(event, signup, promoted=promoted)


async def _already(session: AsyncSession, event: Event | None, signup: EventSignup) -> Outcome:
    outcome = await _told(session, event, signup)
    outcome.already = True
    return outcome


async def _told(session: AsyncSession, event: Event | None, signup: EventSignup) -> Outcome:
    position = 0
    if signup.status is SignupStatus.WAITING:
        position = await waiting_position(session, signup)
    return Outcome(event, signup, position=position)


async def _store(
    session: AsyncSession,
    event: Event,
    user: User,
    row: EventSignup | None,
    status: SignupStatus,
    *,
    keep_seq: bool = False,
) -> EventSignup:
    """The person's row in its new state: a re-sign-up reuses the row, at the end of the line."""
    now = utcnow()
    if row is None:
        row = EventSignup(
            event_id=event.id,
            user_id=user.id,
            unit_code=user.unit_code,
            status=status,
            seq=event.revision,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    else:
        row.status = status
        row.unit_code = user.unit_code or row.unit_code
        if not keep_seq:
            row.seq = event.revision
            row.created_at = now  # when this sign-up was made, not the first one
        row.updated_at = now
    await session.flush()
    return row


async def _promote(session: AsyncSession, event: Event) -> list[EventSignup]:
    """Move the first ones waiting up into the free seats (under the seat lock)."""
    confirmed = (await counts(session, event.id)).confirmed
    waiting = list(
        await session.scalars(
            select(EventSignup)
            .where(EventSignup.event_id == event.id, EventSignup.status == SignupStatus.WAITING)
            .order_by(EventSignup.seq)
        )
    )
    chosen = set(rules.to_promote(event.seats, confirmed, [w.id for w in waiting]))
    promoted = [w for w in waiting if w.id in chosen]
    for signup in promoted:
        signup.status = SignupStatus.CONFIRMED
        signup.updated_at = utcnow()
    await session.flush()
    return promoted


# --- who is in -----------------------------------------------------------------------------


async def participant_user_ids(
    session: AsyncSession, event_id: int, *, waiting: bool = False
) -> list[int]:
    """The people signed up for an event (with a seat; `waiting` adds the waiting list).

    The broadcast engine's audience "people signed up for an event" and the reminders
    read this.
    """
    statuses = LIVE if waiting else (SignupStatus.CONFIRMED,)
    rows = await session.scalars(
        select(EventSignup.user_id)
        .join(User, User.id == EventSignup.user_id)
        .where(
            EventSignup.event_id == event_id,
            EventSignup.status.in_(statuses),
            User.deactivated_at.is_(None),  # a deactivated person is told nothing more
        )
        .order_by(EventSignup.seq)
    )
    return list(dict.fromkeys(rows))


async def participants(session: AsyncSession, event_id: int) -> list[tuple[EventSignup, User]]:
    """Every answer (confirmed, waiting, absent) with its person, by unit, then press order."""
    rows = await session.execute(
        select(EventSignup, User)
        .join(User, User.id == EventSignup.user_id)
        .where(EventSignup.event_id == event_id, EventSignup.status.in_(ANSWERED))
        .order_by(EventSignup.unit_code, EventSignup.status, EventSignup.seq)
    )
    return [(signup, user) for signup, user in rows]


async def user_signups(
    session: AsyncSession, user_id: int, event_ids: Sequence[int]
) -> dict[int, EventSignup]:
    if not event_ids:
        return {}
    rows = await session.scalars(
        select(EventSignup).where(
            EventSignup.user_id == user_id, EventSignup.event_id.in_(event_ids)
        )
    )
    return {row.event_id: row for row in rows}


# --- reminders ---------------------------------------------------------------------------------


async def plan_reminders(
    session: AsyncSession, event: Event, now: datetime, *, again: bool = False
) -> None:
    """Rows for the reminders still to come; `again` (a new start) forgets the old ones, sent
    or not, so the new time is reminded too."""
    if again:
        await session.execute(delete(EventReminder).where(EventReminder.event_id == event.id))
    for kind, due in rules.reminders_to_plan(event.starts_at, now).items():
        session.add(EventReminder(event_id=event.id, kind=kind, due_at=due))
    await session.flush()


async def due_reminders(session: AsyncSession, now: datetime) -> list[tuple[int, str]]:
    """Reminders whose time has come, of events still ahead and not cancelled."""
    rows = await session.execute(
        select(EventReminder.event_id, EventReminder.kind)
        .join(Event, Event.id == EventReminder.event_id)
        .where(
            EventReminder.sent_at.is_(None),
            EventReminder.due_at <= now,
            Event.starts_at > now,
            Event.status != EventStatus.CANCELLED,
        )
        .order_by(EventReminder.due_at)
    )
    return [(event_id, kind) for event_id, kind in rows]


async def claim_reminder(session: AsyncSession, event_id: int, kind: str, now: datetime) -> bool:
    """Take a due reminder for this transaction; exactly one caller (process) gets True."""
    result = await session.execute(
        update(EventReminder)
        .where(
            EventReminder.event_id == event_id,
            EventReminder.kind == kind,
            EventReminder.sent_at.is_(None),
            EventReminder.due_at <= now,
        )
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def record_reminder(session: AsyncSession, event_id: int, kind: str, recipients: int) -> None:
    await session.execute(
        update(EventReminder)
        .where(EventReminder.event_id == event_id, EventReminder.kind == kind)
        .values(recipients=recipients)
        .execution_options(synchronize_session=False)
    )

"""/lienket: a one-time code given on one messenger adds the person's account on the other.

A code is six digits, one use, valid 15 minutes; a new one replaces the person's old one.
Wrong codes are recorded in the audit log (`account.link_failed`) and five in an hour stop
the account that typed them for the rest of the hour: with a million codes and few of them
alive at once, guessing one takes far more tries than that.
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, AuditEntry, LinkCode, RegistrationStatus, Role, User, utcnow
from storage.repositories.accounts import TELEGRAM, ZALO, ZALO_FIRST_ID

CODE_LIFETIME = timedelta(minutes=15)
WRONG_CODES_PER_HOUR = 5
LINKED = "account.link"
FAILED = "account.link_failed"


class Refusal(enum.StrEnum):
    WRONG = "wrong"  # no such code (or already used)
    EXPIRED = "expired"
    SAME_MESSENGER = "same_messenger"  # typed on the messenger that gave it
    TOO_MANY = "too_many"  # WRONG_CODES_PER_HOUR reached
    TAKEN = "taken"  # this account is another registered person
    ALREADY = "already"  # this account is already the person's
    HAS_ONE = "has_one"  # the person already has another account on this messenger


def _record(
    session: AsyncSession, actor_id: int, action: str, now: datetime, **details: Any
) -> None:
    """An audit entry at the bot's clock (the hour of wrong codes is counted on it)."""
    target = str(actor_id) if action == LINKED else None
    session.add(
        AuditEntry(
            actor_id=actor_id, action=action, target=target, details=details, at=now.astimezone(UTC)
        )
    )


def other(messenger: str) -> str:
    return ZALO if messenger == TELEGRAM else TELEGRAM


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def messengers_of(session: AsyncSession, person: User) -> set[str]:
    """The messengers a person is reached on (a Telegram-first person needs no row there)."""
    rows = await session.scalars(select(Account.messenger).where(Account.user_id == person.id))
    found = set(rows)
    if person.id > ZALO_FIRST_ID:
        found.add(TELEGRAM)
    return found


async def issue(session: AsyncSession, person: User, messenger: str, now: datetime) -> LinkCode:
    """A new code for `person`, given on `messenger`; their earlier one stops working."""
    await session.execute(
        delete(LinkCode).where(
            (LinkCode.user_id == person.id) | (LinkCode.expires_at <= now.astimezone(UTC))
        )
    )
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        if await session.get(LinkCode, code) is None:
            break
    row = LinkCode(
        code=code, user_id=person.id, messenger=messenger, expires_at=now + CODE_LIFETIME
    )
    session.add(row)
    await session.flush()
    return row


async def wrong_codes(session: AsyncSession, holder_id: int, now: datetime) -> int:
    """Wrong or expired codes typed from this account in the hour before `now`."""
    since = (now - timedelta(hours=1)).astimezone(UTC)
    count = await session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.actor_id == holder_id, AuditEntry.action == FAILED, AuditEntry.at > since
        )
    )
    return count or 0


def _registered(holder: User | None) -> bool:
    """Someone the department knows: a registration sent or approved, or staff rights."""
    if holder is None:
        return False
    submitted = holder.status in (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)
    return submitted or holder.role is not Role.OFFICER


async def redeem(
    session: AsyncSession,
    code: str,
    messenger: str,
    external_id: str,
    holder_id: int,
    holder: User | None,
    now: datetime,
) -> User | Refusal:
    """Link the account (`messenger`, `external_id`), now the person `holder_id` (a guest, or
    nobody yet), to the person who was given `code`; the person, or why not."""
    if await wrong_codes(session, holder_id, now) >= WRONG_CODES_PER_HOUR:
        return Refusal.TOO_MANY
    row = await session.get(LinkCode, code)
    if row is None or _aware(row.expires_at) <= now:
        _record(
            session,
            holder_id,
            FAILED,
            now,
            reason=Refusal.WRONG if row is None else Refusal.EXPIRED,
            messenger=messenger,
        )
        return Refusal.WRONG if row is None else Refusal.EXPIRED
    if row.messenger == messenger:
        return Refusal.SAME_MESSENGER
    person = await session.get(User, row.user_id)
    assert person is not None  # a foreign key
    if holder_id == person.id:
        return Refusal.ALREADY
    if _registered(holder):
        return Refusal.TAKEN
    if messenger in await messengers_of(session, person):
        return Refusal.HAS_ONE
    # One use, even when two accounts type it at once: only one of them deletes the row.
    taken = await session.execute(delete(LinkCode).where(LinkCode.code == code))
    if getattr(taken, "rowcount", 1) != 1:
        return Refusal.WRONG
    account = await session.get(Account, (messenger, external_id))
    if account is None:
        session.add(Account(messenger=messenger, external_id=external_id, user_id=person.id))
    else:  # a Zalo account, the guest's until now
        account.user_id = person.id
        account.last_used_at = utcnow()
    if messenger == ZALO and person.id > ZALO_FIRST_ID:
        # A Telegram person gets a row there too, so "the messenger used last" can be told.
        given_at = utcnow() - timedelta(seconds=1)
        session.add(
            Account(
                messenger=TELEGRAM,
                external_id=str(person.id),
                user_id=person.id,
                created_at=given_at,
                last_used_at=given_at,
            )
        )
    _record(
        session,
        person.id,
        LINKED,
        now,
        messenger=messenger,
        account=external_id,
        given_on=row.messenger,
    )
    await session.flush()
    return person

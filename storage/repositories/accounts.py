"""Where a person is reached: their accounts on Telegram and Zalo (see models.Account)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, User, utcnow

TELEGRAM = "telegram"
ZALO = "zalo"
# Zalo-first people get ids below this one: Telegram's user and chat ids fit in 52 bits.
ZALO_FIRST_ID = -(2**53)


async def person_of(session: AsyncSession, messenger: str, external_id: str) -> int | None:
    return await session.scalar(
        select(Account.user_id).where(
            Account.messenger == messenger, Account.external_id == external_id
        )
    )


async def zalo_person(session: AsyncSession, zalo_id: str, name: str | None) -> int:
    """The person writing from this Zalo account: found, or made (a guest with a new id)."""
    found = await person_of(session, ZALO, zalo_id)
    if found is not None:
        return found
    # The lowest id of any person (a guest whose Zalo account was linked to someone else
    # keeps their row), not of any account.
    lowest = await session.scalar(select(func.min(User.id)))
    new_id = min(ZALO_FIRST_ID, (lowest or 0)) - 1
    session.add(User(id=new_id, telegram_name=name))
    await session.flush()
    session.add(Account(messenger=ZALO, external_id=zalo_id, user_id=new_id, display_name=name))
    await session.flush()
    return new_id


async def zalo_id_of(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(
        select(Account.external_id).where(Account.messenger == ZALO, Account.user_id == user_id)
    )


async def messenger_of(session: AsyncSession, user_id: int) -> str:
    """Where what the bot owes this person goes: their only messenger, or the one used last.

    A person with no Zalo account is on Telegram (users.id is their Telegram id); so is any
    group chat.
    """
    rows = (
        await session.execute(
            select(Account.messenger, Account.last_used_at).where(Account.user_id == user_id)
        )
    ).all()
    used = {messenger: at for messenger, at in rows}
    if ZALO not in used:
        return TELEGRAM
    if TELEGRAM in used and used[TELEGRAM] > used[ZALO]:
        return TELEGRAM
    return ZALO


async def note_used(
    session: AsyncSession, user_id: int, messenger: str, at: datetime | None = None
) -> None:
    """The person just wrote on `messenger` (matters only to people with two)."""
    await session.execute(
        update(Account)
        .where(Account.user_id == user_id, Account.messenger == messenger)
        .values(last_used_at=at or utcnow())
    )

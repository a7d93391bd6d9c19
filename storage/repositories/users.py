"""Users: registration, approval and roles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RegistrationStatus, Role, User, utcnow


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def ensure_admin(session: AsyncSession, user_id: int, telegram_name: str | None) -> User:
    """Admins come from ADMIN_IDS: make sure their row says so."""
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, role=Role.ADMIN, telegram_name=telegram_name)
        session.add(user)
        await session.flush()
    elif user.role is not Role.ADMIN:
        user.role = Role.ADMIN
    return user


async def submit_registration(
    session: AsyncSession,
    user_id: int,
    *,
    full_name: str,
    unit_code: str,
    position: str,
    phone: str,
    telegram_name: str | None,
    locale: str | None,
) -> User | None:
    """Store a registration as pending; None when the user is already pending or approved.

    The guard is in the UPDATE's WHERE clause, so two taps on Gửi racing each other
    can't both succeed.
    """
    values = {
        "full_name": full_name,
        "unit_code": unit_code,
        "position": position,
        "phone": phone,
        "telegram_name": telegram_name,
        "status": RegistrationStatus.PENDING,
        "registered_at": utcnow(),
        "decided_at": None,
        "decided_by": None,
    }
    existing = await session.get(User, user_id)
    if existing is None:
        session.add(User(id=user_id, locale=locale, **values))
        await session.flush()
    else:
        result = await session.execute(
            update(User)
            .where(
                User.id == user_id,
                (User.status.is_(None)) | (User.status == RegistrationStatus.REJECTED),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            return None
        await session.refresh(existing)
    return await session.get(User, user_id)


async def decide_registration(
    session: AsyncSession, user_id: int, *, approve: bool, decided_by: int
) -> User | None:
    """Approve or reject a pending registration; None if it is no longer pending."""
    result = await session.execute(
        update(User)
        .where(User.id == user_id, User.status == RegistrationStatus.PENDING)
        .values(
            status=RegistrationStatus.APPROVED if approve else RegistrationStatus.REJECTED,
            decided_at=utcnow(),
            decided_by=decided_by,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return None
    user = await session.get(User, user_id)
    if user is not None:
        await session.refresh(user)
    return user


async def pending_registrations(session: AsyncSession, limit: int = 20) -> Sequence[User]:
    rows = await session.scalars(
        select(User)
        .where(User.status == RegistrationStatus.PENDING)
        .order_by(User.registered_at)
        .limit(limit)
    )
    return rows.all()


async def staff_and_admin_ids(session: AsyncSession) -> list[int]:
    rows = await session.scalars(select(User.id).where(User.role.in_([Role.STAFF, Role.ADMIN])))
    return list(rows)


async def set_locale(session: AsyncSession, user: User, locale: str) -> None:
    user.locale = locale


async def set_role(session: AsyncSession, user: User, role: Role) -> None:
    user.role = role


async def create_guest(session: AsyncSession, user_id: int, telegram_name: str | None) -> User:
    """A row for a user who has not registered yet (to remember their language, say)."""
    user = User(id=user_id, telegram_name=telegram_name)
    session.add(user)
    await session.flush()
    return user


async def find_user(session: AsyncSession, phone_or_id: str) -> User | None:
    """A user by E.164 phone number or by Telegram id."""
    if phone_or_id.startswith("+"):
        return await session.scalar(select(User).where(User.phone == phone_or_id))
    if phone_or_id.isdigit():
        return await session.get(User, int(phone_or_id))
    return None


async def staff_members(session: AsyncSession) -> Sequence[User]:
    rows = await session.scalars(
        select(User).where(User.role == Role.STAFF).order_by(User.full_name, User.id)
    )
    return rows.all()

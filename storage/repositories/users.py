"""Users: registration, approval and roles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RegistrationStatus, Role, User, officer_clause, staff_clause, utcnow


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
    phone_verified: bool = False,
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
        "phone_verified": phone_verified,
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
    rows = await session.scalars(select(User.id).where(staff_clause()))
    return list(rows)


async def set_locale(session: AsyncSession, user: User, locale: str) -> None:
    user.locale = locale


async def create_guest(session: AsyncSession, user_id: int, telegram_name: str | None) -> User:
    """A row for a user who has not registered yet (to remember their language, say)."""
    user = User(id=user_id, telegram_name=telegram_name)
    session.add(user)
    await session.flush()
    return user


async def find_people(session: AsyncSession, phone_or_id: str) -> list[User]:
    """Everyone with this E.164 phone number (several people may have typed one), or the user
    with this Telegram id."""
    if phone_or_id.startswith("+"):
        rows = await session.scalars(
            select(User).where(User.phone == phone_or_id).order_by(User.id)
        )
        return list(rows)
    if phone_or_id.isdigit():
        user = await session.get(User, int(phone_or_id))
        return [user] if user is not None else []
    return []


async def others_with_phone(session: AsyncSession, phone: str, user_id: int) -> list[User]:
    """Other people who gave the same phone number (registered or waiting)."""
    rows = await session.scalars(
        select(User).where(User.phone == phone, User.id != user_id).order_by(User.id)
    )
    return list(rows)


async def unit_officers(session: AsyncSession, unit_code: str, user_id: int) -> list[User]:
    """The approved, active officers of a unit (staff who stay one too), other than `user_id`."""
    rows = await session.scalars(
        select(User)
        .where(
            User.unit_code == unit_code,
            User.id != user_id,
            User.status == RegistrationStatus.APPROVED,
            officer_clause(),
        )
        .order_by(User.full_name, User.id)
    )
    return list(rows)


async def staff_members(session: AsyncSession) -> Sequence[User]:
    """Staff and admins the database knows (an admin removed from ADMIN_IDS is staff)."""
    rows = await session.scalars(
        select(User)
        .where(User.role.in_([Role.STAFF, Role.ADMIN]), User.deactivated_at.is_(None))
        .order_by(User.full_name, User.id)
    )
    return rows.all()


async def grant_staff(session: AsyncSession, person: User, *, also_officer: bool, by: int) -> None:
    """Make `person` staff; a person who never registered is approved by this grant."""
    person.role = Role.STAFF
    person.also_officer = also_officer and person.unit_code is not None
    if person.status is None:
        person.status = RegistrationStatus.APPROVED
        person.decided_at = utcnow()
        person.decided_by = by


async def take_staff(session: AsyncSession, person: User) -> None:
    """Back to an officer of their unit; without a unit, back to a guest who may register."""
    person.role = Role.OFFICER
    person.also_officer = False
    if person.unit_code is None:
        person.status = None


async def deactivate(session: AsyncSession, person: User, *, by: int) -> None:
    """No access at all from now on; nothing they sent is touched."""
    person.deactivated_at = utcnow()
    person.deactivated_by = by


async def reactivate(session: AsyncSession, person: User) -> None:
    person.deactivated_at = None
    person.deactivated_by = None


async def sync_admins(session: AsyncSession, admin_ids: frozenset[int]) -> list[tuple[int, str]]:
    """ADMIN_IDS is the truth at every start: rows say admin exactly for those ids.

    An admin removed from ADMIN_IDS becomes staff (approved: the configuration vetted them),
    shown in the staff list, where an admin may take the role. Returns (user id, change) for
    the audit log: "role.admin_added" or "role.admin_removed".
    """
    changes: list[tuple[int, str]] = []
    former = await session.scalars(
        select(User).where(User.role == Role.ADMIN, User.id.not_in(admin_ids))
    )
    for user in list(former):
        user.role = Role.STAFF
        if user.status is None:
            user.status = RegistrationStatus.APPROVED
            user.decided_at = utcnow()
        changes.append((user.id, "role.admin_removed"))
    for admin_id in sorted(admin_ids):
        # An admin the bot has never seen gets a row at their first update (LoadUser).
        known = await session.get(User, admin_id)
        if known is not None and known.role is not Role.ADMIN:
            known.role = Role.ADMIN
            changes.append((admin_id, "role.admin_added"))
    return changes

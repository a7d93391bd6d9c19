"""Who may do what: the access level of the user behind an update, and the router filter."""

from __future__ import annotations

import enum

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from storage.models import RegistrationStatus, Role, User


class Access(enum.StrEnum):
    GUEST = "guest"  # unknown, pending or rejected
    OFFICER = "officer"  # registered and approved
    STAFF = "staff"
    ADMIN = "admin"
    DEACTIVATED = "deactivated"  # an admin took every right away


def access_of(user: User | None, admin_ids: frozenset[int], user_id: int | None) -> Access:
    """ADMIN_IDS decides who is an admin; every other right needs an approved, active person."""
    if user_id is not None and user_id in admin_ids:
        return Access.ADMIN
    if user is None:
        return Access.GUEST
    if user.deactivated_at is not None:
        return Access.DEACTIVATED
    if user.status is not RegistrationStatus.APPROVED:
        # A pending registration (a typed phone, someone else's name) gives no right at all,
        # whatever role a row says.
        return Access.GUEST
    if user.role in (Role.STAFF, Role.ADMIN):
        # Role.ADMIN outside ADMIN_IDS is only seen between a config change and the next start,
        # which turns it into staff.
        return Access.STAFF
    if user.unit_code is not None:
        return Access.OFFICER
    return Access.GUEST


def is_unit_officer(user: User | None, access: Access) -> bool:
    """Whether the user may use the officers' commands for their unit (staff may, by choice)."""
    if access is Access.OFFICER:
        return True
    return access is Access.STAFF and user is not None and user.is_unit_officer


class HasAccess(Filter):
    """Router-level filter: the update's user has one of these access levels.

    The officers' level also lets in staff who stay their unit's officer (`unit_officer`).
    """

    def __init__(self, *levels: Access) -> None:
        self.levels = frozenset(levels)

    async def __call__(
        self, event: TelegramObject, access: Access = Access.GUEST, unit_officer: bool = False
    ) -> bool:
        return access in self.levels or (unit_officer and Access.OFFICER in self.levels)

    def __str__(self) -> str:
        return f"HasAccess({', '.join(sorted(self.levels))})"


STAFF_LEVELS = (Access.STAFF, Access.ADMIN)
OFFICER_LEVELS = (Access.OFFICER,)

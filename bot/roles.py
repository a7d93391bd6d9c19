"""Who may do what: the access level of the user behind an update, and the router filter."""

from __future__ import annotations

import enum
from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from storage.models import RegistrationStatus, Role, User


class Access(enum.StrEnum):
    GUEST = "guest"  # unknown, pending or rejected
    OFFICER = "officer"  # registered and approved
    STAFF = "staff"
    ADMIN = "admin"


def access_of(user: User | None, admin_ids: frozenset[int], user_id: int | None) -> Access:
    if user_id is not None and user_id in admin_ids:
        return Access.ADMIN
    if user is None:
        return Access.GUEST
    if user.role is Role.ADMIN:
        # Removed from ADMIN_IDS: no longer an admin, but still department staff.
        return Access.STAFF
    if user.role is Role.STAFF:
        return Access.STAFF
    if user.status is RegistrationStatus.APPROVED:
        return Access.OFFICER
    return Access.GUEST


class HasAccess(Filter):
    """Router-level filter: the update's user has one of these access levels."""

    def __init__(self, *levels: Access) -> None:
        self.levels = frozenset(levels)

    async def __call__(self, event: TelegramObject, access: Access = Access.GUEST) -> bool:
        return access in self.levels

    def __str__(self) -> str:
        return f"HasAccess({', '.join(sorted(self.levels))})"


STAFF_LEVELS = (Access.STAFF, Access.ADMIN)
OFFICER_LEVELS = (Access.OFFICER,)


def has_any(data: dict[str, Any], *levels: Access) -> bool:
    return data.get("access") in levels

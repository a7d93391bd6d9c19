"""Who can type in the demo: an approved officer, department staff, the admin, new users.

The officer and the staff member are made through the repositories (as /dangky, Duyệt and
/phanquyen would leave them), once: a demo that is started again finds them as they were.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo.transcript import ChatView
from bot.domain.units import Match, UnitDirectory, UnitEntry
from bot.emulator import FakeBotAPI, FakeUser, Sent
from storage.models import Account, User, utcnow
from storage.repositories import users

ADMIN_ID = 100_000
OFFICER_ID = 100_001
STAFF_ID = 100_002
FIRST_NEW_ID = 200_001
OFFICER_UNIT_QUERY = "Cầu Giấy"
OFFICER_POSITION = "Công chức Văn hóa - Xã hội"
OFFICER_PHONE = "0912345678"
# Made-up names for the new users, in the order `:as new` hands them out.
NEW_NAMES = [
    "Phạm Văn Đức",
    "Hoàng Thị Mai",
    "Vũ Minh Tuấn",
    "Đặng Thu Hương",
    "Bùi Quang Huy",
    "Đỗ Thị Ngọc",
]


class Kind(StrEnum):
    OFFICER = "officer"
    STAFF = "staff"
    ADMIN = "admin"
    NEW = "new"  # made by `:as new`: not registered when it starts
    OTHER = "other"  # someone the bot wrote to that the demo did not make this time

    def titled(self, name: str) -> str:
        """The name with the role, as the prompt and the notices show it."""
        return {
            Kind.OFFICER: _("{name} (officer)"),
            Kind.STAFF: _("{name} (department staff)"),
            Kind.ADMIN: _("{name} (admin)"),
            Kind.NEW: _("{name} (new user)"),
            Kind.OTHER: _("{name} (user)"),
        }[self].format(name=name)


# What `:as` understands, in English and in Vietnamese without diacritics.
KIND_WORDS = {
    "officer": Kind.OFFICER,
    "canbo": Kind.OFFICER,
    "staff": Kind.STAFF,
    "chuyenvien": Kind.STAFF,
    "admin": Kind.ADMIN,
    "quantri": Kind.ADMIN,
    "new": Kind.NEW,
    "moi": Kind.NEW,
}


@dataclass
class Person:
    """Someone at the keyboard, with their own chat on screen."""

    kind: Kind
    user: FakeUser
    phone: str  # what `:contact` shares when no number is given
    view: ChatView = field(default_factory=ChatView)
    unseen: list[Sent] = field(default_factory=list)  # sent here while someone else typed

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.user.first_name, self.user.last_name) if p)

    def title(self) -> str:
        return self.kind.titled(self.name)


def person(api: FakeBotAPI, kind: Kind, user_id: int, name: str) -> Person:
    # The whole name goes in first_name: Vietnamese names don't split into Western halves.
    return Person(kind, api.user(user_id, name, ""), phone=f"09{user_id % 10**8:08d}")


def officer_unit(units: UnitDirectory) -> UnitEntry:
    """Phường Cầu Giấy in Hà Nội; the first unit of the list in another province."""
    found = units.search(OFFICER_UNIT_QUERY)
    if found.match is not Match.NONE and found.units:
        return found.units[0]
    return next(iter(units.__iter__()))  # (UnitDirectory.__iter__ is typed as an Iterable)


# The seeded people's Zalo accounts (linked, as after /lienket): `:zalo` types on them.
ZALO_IDS = {
    OFFICER_ID: "de00000000000000a001",
    STAFF_ID: "de00000000000000a002",
    ADMIN_ID: "de00000000000000a000",
}


async def seed_zalo(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Each seeded person on Zalo too, Telegram used last (so notices go there first)."""
    async with sessionmaker() as session:
        for user_id, zalo_id in ZALO_IDS.items():
            if await session.get(Account, ("zalo", zalo_id)) is not None:
                continue
            earlier = utcnow() - timedelta(minutes=1)
            session.add(
                Account(
                    messenger="zalo",
                    external_id=zalo_id,
                    user_id=user_id,
                    created_at=earlier,
                    last_used_at=earlier,
                )
            )
            session.add(Account(messenger="telegram", external_id=str(user_id), user_id=user_id))
        await session.commit()


async def seed(sessionmaker: async_sessionmaker[AsyncSession], units: UnitDirectory) -> None:
    """Make the demo officer (approved) and the staff member, unless they exist already."""
    async with sessionmaker() as session:
        if await users.get_user(session, OFFICER_ID) is None:
            await users.submit_registration(
                session,
                OFFICER_ID,
                full_name="Nguyễn Thị Lan",
                unit_code=officer_unit(units).code,
                position=OFFICER_POSITION,
                phone="+84" + OFFICER_PHONE[1:],
                telegram_name="Nguyễn Thị Lan",
                locale=None,
                phone_verified=True,
            )
            await users.decide_registration(session, OFFICER_ID, approve=True, decided_by=ADMIN_ID)
        if await users.get_user(session, STAFF_ID) is None:
            staff = await users.create_guest(session, STAFF_ID, "Lê Thu Hà")
            await users.grant_staff(session, staff, also_officer=False, by=ADMIN_ID)
        await users.ensure_admin(session, ADMIN_ID, "Trần Văn Minh")
        await session.commit()


def seeded_people(api: FakeBotAPI) -> list[Person]:
    officer = person(api, Kind.OFFICER, OFFICER_ID, "Nguyễn Thị Lan")
    officer.phone = OFFICER_PHONE
    return [
        officer,
        person(api, Kind.STAFF, STAFF_ID, "Lê Thu Hà"),
        person(api, Kind.ADMIN, ADMIN_ID, "Trần Văn Minh"),
    ]


async def known_names(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[int, str]:
    """Everyone in the database by the name they registered (else their Telegram name):
    people made in an earlier run of the demo show by name, not by id."""
    async with sessionmaker() as session:
        found = await session.execute(select(User.id, User.full_name, User.telegram_name))
        return {user_id: name for user_id, full, telegram in found if (name := full or telegram)}


async def new_person(
    api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession], taken: set[int]
) -> Person:
    """A user the bot has never seen: the first id free in this session and in the database."""
    async with sessionmaker() as session:
        for user_id in itertools.count(FIRST_NEW_ID):
            if user_id not in taken and await users.get_user(session, user_id) is None:
                name = NEW_NAMES[(user_id - FIRST_NEW_ID) % len(NEW_NAMES)]
                return person(api, Kind.NEW, user_id, name)
    raise AssertionError("unreachable")

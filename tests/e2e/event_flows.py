"""Conversations and shortcuts the event tests share: officers seeded in the database, the
/sukien dialog, the broadcast worker made quick, and what the database holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI, FakeUser, Sent
from storage.models import Event, EventSignup, RegistrationStatus, Role, User, utcnow
from tests.harness import RunningBot

Db = async_sessionmaker[AsyncSession]

CAU_GIAY, BA_DINH, HOAN_KIEM = "167", "4", "70"


def quick(running: RunningBot) -> None:
    """The broadcast worker looks for work every 20 ms instead of every second, and leaves
    Telegram's pace (its own tests keep to it; the harness already lifts the spacing per
    chat): these tests are about events, not delivery."""
    assert running.app is not None
    worker = running.app.dispatcher["broadcasts"]
    worker.poll_every = 0.02
    worker.pacer.set_rate(1000)


async def seed_officers(
    db: Db, people: Sequence[tuple[int, str, str]], api: FakeBotAPI
) -> list[FakeUser]:
    """Approved officers (id, full name, unit code), written straight into the database, each
    with a phone shared through the contact button (verified)."""
    async with db() as session:
        for user_id, name, unit_code in people:
            session.add(
                User(
                    id=user_id,
                    full_name=name,
                    position="Công chức Văn hóa - Xã hội",
                    phone=f"+8491{user_id % 10_000_000:07d}",
                    phone_verified=True,
                    unit_code=unit_code,
                    role=Role.OFFICER,
                    status=RegistrationStatus.APPROVED,
                    registered_at=utcnow(),
                    decided_at=utcnow(),
                )
            )
        await session.commit()
    return [api.user(user_id, name.split()[-1], name.split()[0]) for user_id, name, _ in people]


async def create_event(
    staff: FakeUser,
    *,
    title: str,
    kind: str = "Lớp bồi dưỡng chuyên môn",
    start: str = "30/11/2026 08:00",
    end: str = "11:30",
    place: str = "Hội trường Sở KH&CN",
    seats: str | None = "2",
    deadline: str = "29/11/2026 17:00",
    units: Sequence[tuple[str, str]] = (),
    description: str | None = None,
) -> None:
    """/sukien → ➕ → every step answered right, up to Công bố's confirmation."""
    await staff.send("/sukien")
    await staff.expect("Lớp bồi dưỡng, hội nghị, hội thảo")
    await staff.press("Tạo sự kiện mới")
    await staff.expect("Đây là loại sự kiện nào")
    await staff.press(kind)
    await staff.expect("Tên sự kiện")
    await staff.send(title)
    await staff.expect("Khi nào bắt đầu")
    await staff.send(start)
    await staff.expect("Khi nào kết thúc")
    await staff.send(end)
    await staff.expect("Ở đâu")
    await staff.send(place)
    await staff.expect("nhiêu chỗ")
    if seats is None:
        await staff.press("Bỏ qua")
    else:
        await staff.send(seats)
    await staff.expect("Hạn đăng ký?")
    await staff.send(deadline)
    await staff.expect("Mời những ai")
    if units:
        await staff.press("Chọn đơn vị")
        await staff.expect("Gõ một phần tên đơn vị")
        for query, name in units:
            await staff.send(query)
            await staff.expect("Đã chọn")
            await staff.press(name)
            await staff.expect(name)  # the question, edited in place: "Đã chọn: …"
        await staff.press("Xong")
    else:
        await staff.press("Tất cả cán bộ")
    await staff.expect("Mô tả ngắn")
    if description:
        await staff.send(description)
    else:
        await staff.press("Bỏ qua")
    await staff.expect("Vui lòng kiểm tra sự kiện")
    await staff.press("Công bố")
    await staff.expect("Đã công bố")


async def latest_event(db: Db) -> Event:
    async with db() as session:
        event = await session.scalar(select(Event).order_by(Event.id.desc()).limit(1))
    assert event is not None
    return event


async def signups(db: Db, event_id: int) -> list[tuple[int, str, int]]:
    """(user id, status, seq) of every row of the event, by seq."""
    async with db() as session:
        rows = await session.scalars(
            select(EventSignup).where(EventSignup.event_id == event_id).order_by(EventSignup.seq)
        )
        return [(r.user_id, r.status.value, r.seq) for r in rows]


async def everything(db: Db) -> list[Any]:
    """Every event and sign-up row as plain values: to show that a refused press changed nothing."""
    async with db() as session:
        events = (await session.scalars(select(Event).order_by(Event.id))).all()
        rows = (await session.scalars(select(EventSignup).order_by(EventSignup.id))).all()
        return [
            *[(e.id, e.status.value, e.revision, e.seats, e.updated_at) for e in events],
            *[(r.id, r.user_id, r.status.value, r.seq, r.updated_at) for r in rows],
        ]


def button_data(markup: dict[str, Any], label: str) -> str:
    """The callback data of the button labelled `label` in an inline keyboard as sent."""
    for row in markup.get("inline_keyboard") or []:
        for pressed in row:
            if label in pressed["text"]:
                return str(pressed["callback_data"])
    raise LookupError(label)


async def edited(user: FakeUser) -> Sent:
    """The next in-place change of buttons in `user`'s chat (not any message that comes first,
    such as the broadcast worker's progress report)."""
    event = await user.api.wait_for(
        lambda e: e.chat_id == user.id and e.method == "editMessageReplyMarkup", after=user.cursor
    )
    user.cursor = event.seq + 1
    return event

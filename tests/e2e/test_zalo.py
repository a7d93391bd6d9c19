"""Zalo: the same bot for officers on Zalo, over the fake Zalo Bot API (bot/zalo/fake.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.zalo.fake import FakeZaloAPI, ZaloUser
from storage.database import create_sessionmaker
from storage.models import Account, RegistrationStatus, User
from tests.harness import RunningBot

ZALO_LAN = "a1b2c3d4e5f60718293a"


async def register_on_zalo(user: ZaloUser) -> None:
    """/dangky by typing only: words for the command, numbers for the buttons, a typed phone."""
    await user.send("đăng ký")
    await user.expect("Họ và tên của bạn")
    await user.send("Nguyễn Thị Lan")
    await user.expect("xã, phường nào")
    await user.send("cau giay")
    shown = await user.expect("Phường Cầu Giấy")
    number = next(
        line.split(".")[0] for line in shown.text.splitlines() if line.endswith("Phường Cầu Giấy")
    )
    await user.send(number)
    await user.expect("Chức vụ của bạn")
    await user.send("Công chức Văn hóa - Xã hội")
    await user.expect("Số điện thoại")
    await user.send("0912 345 678")
    review = await user.expect("Vui lòng kiểm tra thông tin đăng ký")
    send = next(line.split(".")[0] for line in review.text.splitlines() if "Gửi" in line)
    await user.send(send)
    await user.expect("Đã gửi đăng ký")


def database(bot: RunningBot) -> async_sessionmaker[AsyncSession]:
    assert bot.app is not None
    return create_sessionmaker(bot.app.engine)


async def test_registration_by_typing_only(both: RunningBot, zalo_api: FakeZaloAPI) -> None:
    db = database(both)
    lan = zalo_api.user(ZALO_LAN, "Lan Nguyễn")
    await register_on_zalo(lan)
    async with db() as session:
        account = await session.scalar(select(Account).where(Account.external_id == ZALO_LAN))
        assert account is not None and account.messenger == "zalo"
        person = await session.get(User, account.user_id)
        assert person is not None and person.status is RegistrationStatus.PENDING
        assert person.full_name == "Nguyễn Thị Lan" and person.unit_code is not None
        assert person.id < -(2**53)
    # Nothing Zalo can't take was sent: every text within 2,000 characters, never empty.
    assert all(1 <= len(s.text) <= 2000 for s in zalo_api.sent)

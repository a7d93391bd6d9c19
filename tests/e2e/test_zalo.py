"""Zalo: the same bot for officers on Zalo, over the fake Zalo Bot API (bot/zalo/fake.py)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_application
from bot.emulator import FakeBotAPI
from bot.settings import load_settings
from bot.webhook import serve
from bot.zalo.fake import FakeZaloAPI, ZaloUser
from storage.database import create_engine, create_sessionmaker
from storage.models import (
    Account,
    Delivery,
    DeliveryState,
    RegistrationStatus,
    User,
    ZaloUpdate,
    utcnow,
)
from storage.repositories.broadcasts import enqueue_notice
from tests.e2e.broadcasting import add_officers, unit_code
from tests.e2e.test_webhook import free_port, wait_until
from tests.harness import ADMIN_ID, RunningBot

ZALO_LAN = "a1b2c3d4e5f60718293a"
ZALO_SECRET = "zalo-webhook-secret-0123456789"


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


def database_for(bot: RunningBot) -> async_sessionmaker[AsyncSession]:
    """The bot's database while the bot is stopped."""
    return create_sessionmaker(create_engine(bot.settings.database_url))


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


async def test_the_phone_is_asked_for_by_typing_on_zalo(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    """No share button on Zalo: the question, and what a wrong answer gets, say "type"."""
    lan = zalo_api.user(ZALO_LAN, "Lan Nguyễn")
    await lan.send("đăng ký")
    await lan.expect("Họ và tên của bạn")
    await lan.send("Nguyễn Thị Lan")
    await lan.expect("xã, phường nào")
    await lan.send("cau giay")
    shown = await lan.expect("Phường Cầu Giấy")
    number = next(
        line.split(".")[0] for line in shown.text.splitlines() if line.endswith("Phường Cầu Giấy")
    )
    await lan.send(number)
    await lan.expect("Chức vụ của bạn")
    await lan.send("Công chức Văn hóa - Xã hội")
    asked = await lan.expect("Số điện thoại để Sở liên hệ")
    assert "gõ số điện thoại (ví dụ 0912 345 678)" in asked.text
    await lan.send_sticker()
    refused = await lan.expect("Vui lòng gõ số điện thoại, ví dụ 0912 345 678")
    await lan.send("12345")
    wrong = await lan.expect("không phải số điện thoại Việt Nam")
    assert "Vui lòng gõ số" in wrong.text
    for said in (asked, refused, wrong):
        assert "nút" not in said.text and "bấm" not in said.text, said.text
    await lan.send("0912 345 678")
    review = await lan.expect("Vui lòng kiểm tra thông tin đăng ký")
    assert "0912 345 678" in review.text


async def test_a_notice_reaches_each_officer_once_on_their_messenger(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    """Officers on Telegram, on Zalo, and on both (one used Zalo last, one Telegram): one copy
    each, on the messenger they use."""
    assert both.app is not None
    db = database(both)
    unit = unit_code(both.app.units, "cau giay")
    on_telegram = await add_officers(db, unit, 7001, 2)
    on_both = await add_officers(db, unit, 7101, 2)  # Telegram people who linked Zalo
    zalo_first = -(2**53) - 10
    on_zalo = await add_officers(db, unit, zalo_first - 1, 2)
    earlier, later = utcnow() - timedelta(hours=1), utcnow()
    async with db() as session:
        for n, user_id in enumerate(on_zalo):
            session.add(Account(messenger="zalo", external_id=f"z{n:019d}", user_id=user_id))
        # 7101 wrote on Zalo last; 7102 on Telegram last.
        for user_id, zalo_at, telegram_at in ((7101, later, earlier), (7102, earlier, later)):
            session.add(
                Account(
                    messenger="zalo",
                    external_id=f"b{user_id:019d}",
                    user_id=user_id,
                    last_used_at=zalo_at,
                )
            )
            session.add(
                Account(
                    messenger="telegram",
                    external_id=str(user_id),
                    user_id=user_id,
                    last_used_at=telegram_at,
                )
            )
        await enqueue_notice(
            session,
            created_by=ADMIN_ID,
            text="<b>Hội nghị</b> ngày 05/12/2026",
            recipients=[*on_telegram, *on_both, *on_zalo],
        )
        await session.commit()
    wanted = {*on_telegram, *on_both, *on_zalo}
    async with db() as session:
        while True:
            left = await session.scalar(
                select(func.count()).where(Delivery.state != DeliveryState.SENT)
            )
            if left == 0:
                break
            await asyncio.sleep(0.05)
            session.expire_all()
        assert (await session.scalar(select(func.count(Delivery.id)))) == len(wanted)
    telegram_copies = Counter(e.chat_id for e in api.sent if "Hội nghị" in e.text)
    zalo_copies = Counter(s.chat_id for s in zalo_api.sent if "Hội nghị" in s.text)
    assert telegram_copies == Counter({7001: 1, 7002: 1, 7102: 1})
    assert zalo_copies == Counter(
        {"z0000000000000000000": 1, "z0000000000000000001": 1, "b0000000000000007101": 1}
    )
    # Zalo shows the HTML as plain text.
    assert all(s.text == "Hội nghị ngày 05/12/2026" for s in zalo_api.sent if "Hội nghị" in s.text)


async def test_webhook_refuses_a_wrong_or_missing_secret(
    api: FakeBotAPI, zalo_api: FakeZaloAPI, database_url: str
) -> None:
    port = free_port()
    settings = load_settings(
        database_url=database_url,
        zalo_api_base=zalo_api.base_url,
        admin_ids=str(ADMIN_ID),
        throttle_rate=10_000,
        throttle_burst=10_000,
        webhook_host="127.0.0.1",
        webhook_port=port,
        zalo_webhook_url=f"http://127.0.0.1:{port}/zalo/webhook",
        zalo_webhook_secret=ZALO_SECRET,
    )
    app = await create_application(settings, None, zalo_token=zalo_api.token)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, "", stop, zalo_secret=ZALO_SECRET))
    try:
        await wait_until(lambda: zalo_api.webhook is not None or task.done())
        assert zalo_api.webhook == {
            "url": f"http://127.0.0.1:{port}/zalo/webhook",
            "secret_token": ZALO_SECRET,
        }
        lan = zalo_api.user(ZALO_LAN)
        update = lan._update("message.text.received", text="/start")
        assert await zalo_api.post_webhook(update, "wrong-secret-0123456789") == 401
        assert await zalo_api.post_webhook(update, None) == 401
        assert zalo_api.sent == []
        async with create_sessionmaker(app.engine)() as session:
            assert await session.scalar(select(func.count(ZaloUpdate.id))) == 0
        # With the secret: handled before the answer, so the reply is there at the 200.
        assert await zalo_api.post_webhook(update, ZALO_SECRET) == 200
        assert [s.chat_id for s in zalo_api.sent] == [ZALO_LAN]
    finally:
        stop.set()
        await task
        await app.close()


async def approve_on_telegram(api: FakeBotAPI, name: str) -> None:
    """The admin presses Duyệt on the registration card (on Telegram)."""
    card = await api.wait_for(
        lambda e: e.chat_id == ADMIN_ID and name in e.text and "Duyệt" in "".join(e.buttons)
    )
    assert card.message is not None
    message = api.message(ADMIN_ID, card.message["message_id"])
    assert message is not None
    button = next(
        b for row in message["reply_markup"]["inline_keyboard"] for b in row if "Duyệt" in b["text"]
    )
    await api.user(ADMIN_ID, "Admin", "Sở").press_data(message, button["callback_data"])


async def test_restart_mid_report_on_zalo_loses_nothing(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    lan = zalo_api.user(ZALO_LAN, "Lan Nguyễn")
    await register_on_zalo(lan)
    await approve_on_telegram(api, "Nguyễn Thị Lan")
    await lan.expect("đã được duyệt")
    await lan.send("báo cáo")
    first = await lan.expect("bước 1/")
    await lan.send("1")
    second = await lan.expect("bước 2/")
    assert "1." in second.text and first.text != second.text
    # A bad answer keeps the step, on Zalo as on Telegram.
    await lan.send("99")
    await lan.expect("Vui lòng gõ số thứ tự của các mục bạn chọn")
    await both.stop()
    # Taken from Zalo, recorded, then the process died before handling it: no offset on
    # Zalo's side to get it again, so the record is what brings it back after the restart.
    async with database_for(both)() as session:
        session.add(ZaloUpdate(payload=json.dumps(lan._update("message.text.received", text="1"))))
        await session.commit()
    await both.start()
    third = await lan.expect("bước 3/")
    assert third.text
    # And it is marked finished (just after its reply): a second restart won't replay it.
    async with database(both)() as session:
        for _ in range(200):
            left = await session.scalar(
                select(func.count(ZaloUpdate.id)).where(ZaloUpdate.finished_at.is_(None))
            )
            if left == 0:
                break
            await asyncio.sleep(0.02)
        assert left == 0

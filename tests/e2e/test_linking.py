"""/lienket: one person on Zalo and Telegram, linked with a one-time code from the first."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.emulator import FakeBotAPI
from bot.zalo.fake import FakeZaloAPI
from storage.models import (
    Account,
    AuditEntry,
    Delivery,
    DeliveryState,
    RegistrationStatus,
    Role,
    User,
)
from storage.repositories import accounts
from storage.repositories.broadcasts import enqueue_notice
from tests.e2e.broadcasting import add_officers, unit_code
from tests.e2e.test_zalo import (
    ZALO_LAN,
    approve_on_telegram,
    database,
    register_on_zalo,
)
from tests.harness import ADMIN_ID, RunningBot

ZALO_OTHER = "f0e1d2c3b4a596877869"


def code_in(text: str) -> str:
    found = re.search(r"/lienket (\d{6})", text)
    assert found is not None, text
    return found.group(1)


async def test_a_telegram_officer_links_zalo_and_reports_there(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    assert both.app is not None
    db = database(both)
    unit = unit_code(both.app.units, "cau giay")
    [officer_id] = await add_officers(db, unit, 7001, 1)
    officer = api.user(officer_id, "Lan")
    await officer.send("/lienket")
    given = await officer.expect("Mã liên kết")
    code = code_in(given.text)
    assert "10:15" in given.text  # 15 minutes after the tests' 10:00

    lan = zalo_api.user(ZALO_LAN)
    await lan.send(f"lien ket {code}")
    await lan.expect("Đã liên kết")
    # On Zalo the person is the Telegram officer: the officers' commands work at once.
    await lan.send("báo cáo")
    await lan.expect("bước 1/")
    async with db() as session:
        account = await session.get(Account, ("zalo", ZALO_LAN))
        assert account is not None and account.user_id == officer_id
        assert await accounts.messenger_of(session, officer_id) == "zalo"
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "account.link"))
        assert entry is not None and entry.actor_id == officer_id
        assert entry.details is not None and entry.details["messenger"] == "zalo"
    # Written on Telegram again: what the bot owes them now goes there.
    await officer.send("/start")
    await officer.expect("Xin chào Cán bộ 1")
    async with db() as session:
        assert await accounts.messenger_of(session, officer_id) == "telegram"
    # A second code for a person on both messengers: nothing left to link.
    await officer.send("/lienket")
    await officer.expect("đã được liên kết với Zalo")


async def test_a_zalo_officer_links_telegram_and_is_the_same_person_there(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    db = database(both)
    lan = zalo_api.user(ZALO_LAN, "Lan Nguyễn")
    await register_on_zalo(lan)
    await approve_on_telegram(api, "Nguyễn Thị Lan")
    await lan.expect("đã được duyệt")
    async with db() as session:
        person_id = await accounts.person_of(session, "zalo", ZALO_LAN)
    assert person_id is not None and person_id < accounts.ZALO_FIRST_ID

    on_telegram = api.user(5551, "Lan")
    await on_telegram.send("/start")  # a guest there until linked
    await on_telegram.expect("/dangky")
    await lan.send("liên kết")
    code = code_in((await lan.expect("Mã liên kết")).text)
    await on_telegram.send(f"/lienket {code}")
    await on_telegram.expect("Đã liên kết")
    # The Telegram account is the Zalo person: their name, their unit, the officers' menu.
    await on_telegram.send("/start")
    await on_telegram.expect("Xin chào Nguyễn Thị Lan")
    await on_telegram.send("/trangthai")
    await on_telegram.expect("Phường Cầu Giấy")
    menus = [p for m, p in api.requests if m == "setMyCommands" and "5551" in str(p)]
    assert menus and "baocao" in str(menus[-1])
    async with db() as session:
        account = await session.get(Account, ("telegram", "5551"))
        assert account is not None and account.user_id == person_id
        assert await accounts.messenger_of(session, person_id) == "telegram"
        # Nothing was stored for the Telegram id as a person of its own.
        guest = await session.get(User, 5551)
        assert guest is None or guest.status is None
    # Owed messages go to the messenger used last: a notice to the person reaches Telegram.
    async with db() as session:
        await enqueue_notice(
            session, created_by=ADMIN_ID, text="Thông báo họp", recipients=[person_id]
        )
        await session.commit()
    await on_telegram.expect("Thông báo họp")
    async with db() as session:
        for _ in range(200):
            state = await session.scalar(select(Delivery.state))
            if state is DeliveryState.SENT:
                break
            await asyncio.sleep(0.02)
            session.expire_all()
        assert state is DeliveryState.SENT
    assert not any("Thông báo họp" in s.text for s in zalo_api.sent)
    # Back on Zalo, the same person, the same dialog engine.
    await lan.send("báo cáo")
    await lan.expect("bước 1/")
    # The dialog state is the person's: begun on Zalo, it goes on on Telegram. The first
    # message there was not written as an answer to a question shown on Zalo: the question
    # comes first, then answers count.
    await on_telegram.send("trạng thái")
    await on_telegram.expect("chưa làm xong")
    await on_telegram.expect("Kỳ báo cáo")
    await on_telegram.send("Tháng 11/2026")
    await on_telegram.expect("Lĩnh vực")
    # And back on Zalo: the question shown on Telegram is asked there again.
    await lan.send("1")
    await lan.expect("chưa làm xong")
    await lan.send("1, 3")
    await lan.expect("Số hoạt động")


async def test_wrong_expired_used_and_taken_codes_are_refused(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    assert both.app is not None
    db = database(both)
    unit = unit_code(both.app.units, "cau giay")
    first, second = await add_officers(db, unit, 7001, 2)
    officer = api.user(first, "Lan")
    await officer.send("/lienket")
    code = code_in((await officer.expect("Mã liên kết")).text)

    # Typed on the messenger that gave it.
    await api.user(second, "Hoa").send(f"/lienket {code}")
    await api.user(second, "Hoa").expect("không phải ở đây")
    # A Zalo account that is already a registered person: refused, and why.
    registered = -(2**53) - 50
    async with db() as session:
        session.add(
            User(
                id=registered,
                full_name="Trần Văn Nam",
                unit_code=unit,
                role=Role.OFFICER,
                status=RegistrationStatus.APPROVED,
            )
        )
        await session.flush()
        session.add(Account(messenger="zalo", external_id=ZALO_OTHER, user_id=registered))
        await session.commit()
    nam = zalo_api.user(ZALO_OTHER, "Nam")
    await nam.send(f"/lienket {code}")
    await nam.expect("đã thuộc về một người đã đăng ký")

    # Wrong codes: counted, five an hour, then even the right one is refused.
    guesser = zalo_api.user("0123456789abcdef0123", "Khách")
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1, 0):
        await guesser.send(f"lien ket {wrong}")
        await guesser.expect(f"còn {left} lần")
    await guesser.send(f"lien ket {code}")
    await guesser.expect("Nhập sai quá nhiều lần")
    async with db() as session:
        failed = await session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "account.link_failed")
        )
        assert failed == 5
        assert await session.get(Account, ("zalo", "0123456789abcdef0123")) is not None
        linked = await accounts.person_of(session, "zalo", "0123456789abcdef0123")
        assert linked != first

    # Not a code at all: said so, not counted.
    lan = zalo_api.user(ZALO_LAN)
    await lan.send("lien ket 12ab")
    await lan.expect("gồm 6 chữ số")
    # Used once, then never again.
    await lan.send(f"lien ket {code}")
    await lan.expect("Đã liên kết")
    late = zalo_api.user("99999999999999999999", "Khác")
    await late.send(f"lien ket {code}")
    await late.expect("không đúng hoặc đã được dùng")

    # Expired: 15 minutes later a new code no longer works.
    await api.user(second, "Hoa").send("/lienket")
    code2 = code_in((await api.user(second, "Hoa").expect("Mã liên kết")).text)
    assert both.clock.fixed is not None
    both.clock.fixed += timedelta(minutes=16)
    await late.send(f"lien ket {code2}")
    await late.expect("đã hết hạn")
    async with db() as session:
        assert await accounts.person_of(session, "zalo", "99999999999999999999") != second

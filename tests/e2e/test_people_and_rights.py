"""Who has which rights, over time (issue 15 items 1-4, issue 14 items 6-8), end to end:
approved people only, verified phones, deactivation, ADMIN_IDS at every start, the audit log
and /nhatky, commands in groups, rejection with a reason, /phanquyen confirmed and told."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI, FakeUser, Sent
from storage.database import create_sessionmaker
from storage.models import AuditEntry, RegistrationStatus, Role, Submission, User
from storage.repositories import events
from tests.e2e.flows import approve, register
from tests.harness import ADMIN_ID, RunningBot
from tests.status_data import OFFICER_B, B, seed, seed_events

Db = async_sessionmaker[AsyncSession]
PRIVATE_ONLY = "Lệnh này chỉ dùng trong trò chuyện riêng với bot"
_group_message_ids = itertools.count(5_000_000)


async def send_in_group(
    api: FakeBotAPI,
    user: FakeUser,
    chat_id: int,
    text: str,
    reply_to: dict[str, Any] | None = None,
) -> int:
    """`user` types `text` in a group chat the bot is a member of (as a reply, if given)."""
    message: dict[str, Any] = {
        "message_id": next(_group_message_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "supergroup", "title": "Phòng Quản lý KH&CN"},
        "from": user.info,
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return await api.push({"message": message})


def button_data(message: dict[str, Any] | None, label: str) -> str:
    assert message is not None
    return next(
        b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if label in b["text"]
    )


async def register_typed(user: FakeUser, name: str, unit_query: str, unit: str, phone: str) -> None:
    """/dangky with the phone typed, not shared."""
    await user.send("/dangky")
    await user.expect("Họ và tên của bạn")
    await user.send(name)
    await user.expect("xã, phường nào")
    await user.send(unit_query)
    await user.expect("Bấm chọn đơn vị")
    await user.press(unit)
    await user.expect("Chức vụ của bạn")
    await user.send("Công chức Văn hóa - Xã hội")
    await user.expect("Số điện thoại để Sở liên hệ")
    await user.send(phone)
    review = await user.expect("Vui lòng kiểm tra thông tin đăng ký")
    assert "(chưa xác minh)" in review.text
    await user.press("Gửi")
    await user.expect("Đã gửi đăng ký")


async def card_for(
    api: FakeBotAPI, chat_id: int, user_id: int, reader: FakeUser | None = None, after: int = 0
) -> Sent:
    """The registration card of `user_id` in `chat_id`; `reader` has read up to it."""
    card = await api.wait_for(
        lambda e: e.chat_id == chat_id and f"(ID {user_id})" in e.text and "Đăng ký mới" in e.text,
        after=after,
    )
    if reader is not None:
        reader.cursor = max(reader.cursor, card.seq + 1)
    return card


async def shows(api: FakeBotAPI, user: FakeUser, start: int, label: str) -> Sent:
    """Wait until the bot shows `user` a button labelled `label` (sent or edited after `start`)."""
    return await api.wait_for(
        lambda e: e.chat_id == user.id and any(label in b for b in e.buttons), after=start
    )


async def send_then_press(api: FakeBotAPI, user: FakeUser, text: str, label: str) -> None:
    start = len(api.sent)
    await user.send(text)
    await shows(api, user, start, label)
    await user.press(label)


async def press_then_press(api: FakeBotAPI, user: FakeUser, first: str, then: str) -> None:
    start = len(api.sent)
    await user.press(first)
    await shows(api, user, start, then)
    await user.press(then)


async def audit_rows(db: Db) -> list[tuple[int, str, str | None, dict[str, Any] | None]]:
    async with db() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.actor_id, e.action, e.target, e.details) for e in rows]


# --- issue 15.1: rights only for approved people, verified phones -----------------------------


async def test_an_impostor_with_a_typed_phone_gets_no_staff_rights(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    impostor = api.user(4101, "Giả", "Mạo")
    await register_typed(impostor, "Lê Thu Hà", "cau giay", "Phường Cầu Giấy", "0987 654 321")
    card = await card_for(api, ADMIN_ID, 4101, admin)
    assert "Số điện thoại: 0987 654 321 (chưa xác minh)" in card.text

    # By the typed phone: refused, and told why.
    await admin.send("/phanquyen 0987 654 321")
    refusal = await admin.expect("chưa xác minh")
    assert "nhập tay" in refusal.text and refusal.buttons == []
    # By id: the card says the registration waits, and offers no grant.
    await admin.send("/phanquyen 4101")
    person = await admin.expect("(id 4101)")
    assert "đang chờ duyệt" in person.text
    assert not any("Cấp quyền" in b for b in person.buttons)

    # A row that says staff (as the old /phanquyen could leave it) gives nothing while pending.
    async with db() as session:
        await session.execute(update(User).where(User.id == 4101).values(role=Role.STAFF))
        await session.commit()
    await running.restart()  # (the bot keeps users in memory; a restart reads the change)
    await impostor.send("/thongke 11/2026")
    await impostor.expect("dành cho cán bộ đã đăng ký")
    await impostor.send("/chuabaocao")
    answer = await impostor.expect("dành cho cán bộ đã đăng ký")
    assert "Chưa báo cáo" not in answer.text


async def test_a_phone_given_by_two_people_is_flagged_and_names_nobody(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    lan = api.user(4201)
    await register(lan, phone="0912 345 678")  # shared with the contact button: verified
    await approve(api, lan, admin)
    other = api.user(4202, "Hà", "Lê")
    await register_typed(other, "Lê Thu Hà", "cau giay", "Phường Cầu Giấy", "0912345678")
    card = await card_for(api, ADMIN_ID, 4202, admin)
    # The approver is warned, and sees who already serves the unit.
    assert "⚠️ Số điện thoại này cũng đã được khai bởi:" in card.text
    assert "Nguyễn Thị Lan (id 4201) — Phường Cầu Giấy, đã duyệt" in card.text
    assert "Cán bộ của đơn vị này đã đăng ký:" in card.text
    assert "• Nguyễn Thị Lan — 0912 345 678" in card.text

    await admin.send("/phanquyen 0912 345 678")
    refusal = await admin.expect("do 2 người khai")
    assert "(id 4201)" in refusal.text and "(id 4202)" in refusal.text
    assert refusal.buttons == []

    # A first registration of a unit says the unit has nobody yet.
    first = api.user(4203, "Bình", "Trần")
    await register(first, unit_query="hoa xa", unit="Xã Hòa Xá", phone="0913 000 111")
    card = await card_for(api, ADMIN_ID, 4203, admin)
    assert "Đơn vị này chưa có cán bộ nào đăng ký." in card.text
    assert "chưa xác minh" not in card.text


# --- issue 14.8: /phanquyen confirms, tells the person, may keep the officer ------------------


async def test_granting_staff_asks_first_tells_the_person_and_can_keep_the_officer(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    lan = api.user(4301)
    await register(lan, phone="0912 345 678")
    await approve(api, lan, admin)

    await send_then_press(api, admin, "/phanquyen 0912 345 678", "vẫn phụ trách")
    question = await admin.expect("Cấp quyền chuyên viên Sở cho")
    assert "vẫn là cán bộ phụ trách KH&CN của Phường Cầu Giấy" in question.text
    async with db() as session:
        person = await session.get(User, 4301)
        assert person is not None and person.role is Role.OFFICER  # nothing yet
    await admin.press("Xác nhận")
    await admin.expect("Xong:")
    told = await lan.expect("Bạn đã được cấp quyền chuyên viên Sở")
    assert "vẫn là cán bộ phụ trách KH&CN của Phường Cầu Giấy" in told.text

    # Staff and still the unit's officer: both sets of commands, and the unit keeps its officer.
    await lan.send("/chuabaocao 11/2026")
    await lan.expect("Chưa báo cáo")
    start = len(api.sent)
    await admin.send("/chuabaocao 11/2026")
    await shows(api, admin, start, "Hạn nộp báo cáo")
    text = "\n".join(e.text for e in admin.since(start))
    assert "<b>Phường Cầu Giấy</b> — Nguyễn Thị Lan (0912 345 678)" in text
    await lan.send("/baocao")
    await lan.expect("Kỳ báo cáo")
    await lan.send("/huy")
    menu = api.commands[next(k for k in api.commands if '"chat_id": 4301' in k)]
    assert {"baocao", "chuabaocao"} <= {c["command"] for c in menu}

    # Taking the role back: asked, told, and officer again.
    await send_then_press(api, admin, "/phanquyen 4301", "Thu hồi quyền chuyên viên Sở")
    await admin.expect("Thu hồi quyền chuyên viên Sở của")
    await admin.press("Xác nhận")
    told = await lan.expect("đã được thu hồi")
    assert "Bạn vẫn là cán bộ phụ trách KH&CN của Phường Cầu Giấy." in told.text
    await lan.send("/thongke 11/2026")
    await lan.expect("chỉ dành cho chuyên viên Sở")

    # The other choice: staff only; the unit then shows no officer, as the admin was warned.
    await send_then_press(api, admin, "/phanquyen 4301", "thôi phụ trách")
    await admin.expect("đơn vị sẽ không có cán bộ phụ trách")
    await admin.press("Hủy")
    await admin.expect("Không có gì thay đổi")
    await send_then_press(api, admin, "/phanquyen 4301", "thôi phụ trách")
    await admin.expect("đơn vị sẽ không có cán bộ phụ trách")
    await admin.press("Xác nhận")
    await lan.expect("Bạn đã được cấp quyền chuyên viên Sở. /help")
    start = len(api.sent)
    await admin.send("/chuabaocao 11/2026")
    await shows(api, admin, start, "Hạn nộp báo cáo")
    text = "\n".join(e.text for e in admin.since(start))
    assert "<i>Chưa có cán bộ đăng ký</i>: 126 đơn vị" in text
    await lan.send("/baocao")
    await lan.expect("dành cho cán bộ của các xã, phường")
    actions = [(a, t, d) for _, a, t, d in await audit_rows(db) if a.startswith("role.")]
    assert actions == [
        ("role.grant_staff", "4301", {"also_officer": True}),
        ("role.take_staff", "4301", None),
        ("role.grant_staff", "4301", {"also_officer": False}),
    ]


# --- issue 15.2: deactivation, ADMIN_IDS at every start ---------------------------------------


async def test_admin_deactivates_an_officer_who_left(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    await seed(db)
    course = (await seed_events(db)).course
    async with db() as session:
        assert await events.participant_user_ids(session, course, waiting=True) == [3001, 3002]
        sent_before = await session.scalar(
            select(func.count()).select_from(Submission).where(Submission.officer_id == OFFICER_B)
        )
    assert sent_before
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    start = len(api.sent)
    await admin.send("/chuabaocao 10/2026")
    await shows(api, admin, start, "Hạn nộp báo cáo")
    listing = "\n".join(e.text for e in admin.since(start))
    # A typed phone says so on every list.
    assert f"<b>{B.name}</b> — Trần Thị Bình (0912 000 002 (chưa xác minh))" in listing

    await send_then_press(api, admin, f"/phanquyen {OFFICER_B}", "Ngừng kích hoạt")
    await admin.expect("mất mọi quyền")
    # A double tap on Xác nhận deactivates once (the audit log below has one entry).
    message, confirm = admin.find_button("Xác nhận")
    await admin.press_data(message, confirm["callback_data"])
    await admin.press_data(message, confirm["callback_data"])
    await admin.expect("Xong:")
    await admin.expect("Lựa chọn này không còn hiệu lực")  # the second tap: the dialog is over
    binh = api.user(OFFICER_B, "Bình", "Trần")
    told = await binh.expect("ngừng kích hoạt")
    assert "hồ sơ bạn đã gửi vẫn được lưu" in told.text

    for typed in ("/trangthai", "/start", "/dangky", "hello"):
        await binh.send(typed)
        answer = await binh.expect("ngừng kích hoạt")
        assert "Xin chào" not in answer.text
    async with db() as session:
        sent_after = await session.scalar(
            select(func.count()).select_from(Submission).where(Submission.officer_id == OFFICER_B)
        )
    assert sent_after == sent_before
    async with db() as session:  # no more reminders or notices to the course's people either
        assert await events.participant_user_ids(session, course, waiting=True) == [3001]
    start = len(api.sent)
    await admin.send("/chuabaocao 10/2026")
    await shows(api, admin, start, "Hạn nộp báo cáo")
    listing = "\n".join(e.text for e in admin.since(start))
    assert f"<b>{B.name}</b>" not in listing  # no officer: among those summed up
    assert "<i>Chưa có cán bộ đăng ký</i>: 124 đơn vị" in listing

    await send_then_press(api, admin, f"/phanquyen {OFFICER_B}", "Kích hoạt lại")
    await admin.expect(f"(id {OFFICER_B})?")  # the question, not the pressed button's echo
    await admin.press("Xác nhận")
    await binh.expect("đã được kích hoạt lại")
    await binh.send("/trangthai")
    await binh.expect(B.name)
    # Forged buttons (ids beyond any database's integers) are refused like stale ones.
    for forged in (
        "staff_list:take:99999999999999999999",
        "registration:reject:99999999999999999999",
    ):
        await admin.press_data(message, forged)
        await admin.expect("Lựa chọn này không còn hiệu lực")
    actions = [(a, t) for actor, a, t, _ in await audit_rows(db) if actor == ADMIN_ID]
    assert actions == [("user.deactivate", str(OFFICER_B)), ("user.reactivate", str(OFFICER_B))]


async def test_admin_ids_is_the_truth_at_every_start(api: FakeBotAPI, database_url: str) -> None:
    former = 900_002
    bot = RunningBot(api, database_url, admin_ids=f"{ADMIN_ID},{former}")
    await bot.start()
    try:
        old_admin = api.user(former, "Cũ", "Quản trị")
        await old_admin.send("/phanquyen")
        await old_admin.expect("Chuyên viên Sở")
        # Removed from ADMIN_IDS: at the next start, staff (not admin), listed, and demotable.
        bot.settings_overrides["admin_ids"] = str(ADMIN_ID)
        await bot.restart()
        await old_admin.send("/phanquyen")
        await old_admin.expect("chỉ dành cho quản trị viên")
        await old_admin.send("/thongke 11/2026")
        await old_admin.expect("Thống kê — tháng 11/2026")
        admin = api.user(ADMIN_ID, "Admin", "Sở")
        await admin.send("/phanquyen")
        listing = await admin.expect("Chuyên viên Sở")
        assert f"Cũ Quản trị (id {former})" in listing.text
        assert "Thu hồi quyền: Cũ Quản trị" in listing.buttons
        await press_then_press(api, admin, "Thu hồi quyền: Cũ Quản trị", "Xác nhận")
        await old_admin.expect("đã được thu hồi")
        await old_admin.send("/thongke 11/2026")
        await old_admin.expect("dành cho cán bộ đã đăng ký")
        await admin.send("/nhatky")
        log = await admin.expect("Nhật ký thao tác")
        assert "Cũ Quản trị bị bỏ khỏi ADMIN_IDS: nay là chuyên viên Sở" in log.text
        assert "Admin Sở thu hồi quyền chuyên viên Sở của Cũ Quản trị" in log.text
    finally:
        await bot.stop()


# --- issue 15.3: the audit log and /nhatky ------------------------------------------------------


async def test_every_decision_is_in_the_audit_log_and_nhatky_filters_it(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    lan = api.user(4501)
    await register(lan, phone="0912 345 678")
    await approve(api, lan, admin)
    binh = api.user(4502, "Bình", "Trần")
    await register(
        binh, name="Trần Thị Bình", unit_query="hoa xa", unit="Xã Hòa Xá", phone="0913 000 111"
    )
    await card_for(api, ADMIN_ID, 4502, admin)
    await press_then_press(api, admin, "Từ chối", "Thông tin chưa đúng")
    await binh.expect("Sở đã từ chối đăng ký của bạn")
    await send_then_press(api, admin, "/phanquyen 0912 345 678", "vẫn phụ trách")
    await admin.expect("Cấp quyền chuyên viên Sở cho")
    await admin.press("Xác nhận")
    await lan.expect("Bạn đã được cấp quyền chuyên viên Sở")
    async with db() as session:  # an older entry, of October
        session.add(
            AuditEntry(
                actor_id=ADMIN_ID,
                action="user.deactivate",
                target="4599",
                at=datetime(2026, 10, 20, 3, 0, tzinfo=UTC),
            )
        )
        await session.commit()

    rows = await audit_rows(db)
    assert [(a, t) for _, a, t, _ in rows[:3]] == [
        ("registration.approve", "4501"),
        ("registration.reject", "4502"),
        ("role.grant_staff", "4501"),
    ]
    assert rows[1][3] is not None and rows[1][3]["reason"] == "wrong_info"

    await admin.send("/nhatky")
    log = await admin.expect("Nhật ký thao tác")
    assert "trên tổng số 4" in log.text
    assert "Admin Sở duyệt đăng ký của Nguyễn Thị Lan" in log.text
    assert "Admin Sở từ chối đăng ký của Trần Thị Bình — lý do: Thông tin chưa đúng" in log.text
    assert "Admin Sở cấp quyền chuyên viên Sở cho Nguyễn Thị Lan" in log.text
    assert "20/10/2026 10:00 — Admin Sở ngừng kích hoạt id 4599" in log.text

    await admin.send("/nhatky 10/2026")
    october = await admin.expect("Tháng: 10/2026")
    assert "trên tổng số 1" in october.text and "id 4599" in october.text

    await admin.send("/nhatky 0912 345 678")
    lan_log = await admin.expect("Người: Nguyễn Thị Lan (id 4501)")
    assert "trên tổng số 2" in lan_log.text and "từ chối" not in lan_log.text

    await admin.send("/nhatky 0912 345 678 10/2026")
    await admin.expect("Chưa có gì được ghi lại.")
    await admin.send("/nhatky hôm qua")
    await admin.expect("Không hiểu “hôm qua”")
    await lan.send("/nhatky")  # staff, not admin
    await lan.expect("chỉ dành cho quản trị viên")


async def test_the_audit_log_pages(api: FakeBotAPI, running: RunningBot, db: Db) -> None:
    async with db() as session:
        for day in range(1, 21):
            session.add(
                AuditEntry(
                    actor_id=ADMIN_ID,
                    action="user.reactivate",
                    target=str(4600 + day),
                    at=datetime(2026, 11, day, 3, 0, tzinfo=UTC),
                )
            )
        await session.commit()
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    await admin.send("/nhatky 11/2026")
    first = await admin.expect("Mục 1–15 trên tổng số 20")
    assert "20/11/2026" in first.text and "05/11/2026" not in first.text
    await admin.press("Cũ hơn")
    older = await admin.expect("Mục 16–20 trên tổng số 20")
    assert "05/11/2026" in older.text and older.buttons == ["⬅️ Mới hơn"]


# --- issue 15.4: group chats --------------------------------------------------------------------


async def test_commands_in_a_group_are_refused_briefly(api: FakeBotAPI, database_url: str) -> None:
    staff_chat = -1001234567890
    bot = RunningBot(api, database_url, staff_chat_id=str(staff_chat))
    await bot.start()
    try:
        assert bot.app is not None
        await seed(create_sessionmaker(bot.app.engine))
        admin = api.user(ADMIN_ID, "Admin", "Sở")
        officer_b = api.user(OFFICER_B, "Bình", "Trần")
        other_group = -1009876543210
        for chat, user, command in (
            (other_group, admin, "/chuabaocao 11/2026"),
            (other_group, admin, "/xuat"),
            (other_group, officer_b, "/cuatoi"),
            (other_group, officer_b, "/baocao"),
            (staff_chat, admin, "/duyet"),
            (staff_chat, admin, "/chuabaocao@khcn_bot"),
            (staff_chat, admin, "/nhatky"),
        ):
            start = len(api.sent)
            update_id = await send_in_group(api, user, chat, command)
            await api.wait_for(lambda e, c=chat: e.chat_id == c, after=start)  # type: ignore[misc]
            await api.wait_handled(update_id)
            answers = [e for e in api.sent[start:] if e.chat_id == chat]
            assert [a.text for a in answers] == [PRIVATE_ONLY + "."], (command, answers)
            # Nothing went to the person's private chat either.
            assert not [e for e in api.sent[start:] if e.chat_id == user.id]
        # A command for another bot in the group is not ours to answer.
        start = len(api.sent)
        update_id = await send_in_group(api, admin, other_group, "/xuat@other_bot")
        await api.wait_handled(update_id)
        assert not [e for e in api.sent[start:] if e.chat_id == other_group]

        # The staff group still gets the cards, and their buttons work there.
        lan = api.user(4701)
        await register(lan, phone="0912 345 678")
        card = await card_for(api, staff_chat, 4701)
        assert card.message is not None
        await admin.press_data(card.message, button_data(card.message, "Duyệt"))
        await lan.expect("đã được duyệt")

        # Rejecting from the group with a typed reason: the question comes in the group and
        # asks for a reply, which a group lets the bot see.
        binh = api.user(4702, "Bình", "Trần")
        await register(binh, name="Trần Thị Bình", unit_query="hoa xa", unit="Xã Hòa Xá")
        card = await card_for(api, staff_chat, 4702)
        start = len(api.sent)
        await admin.press_data(card.message or {}, button_data(card.message, "Từ chối"))
        asked = await api.wait_for(
            lambda e: e.chat_id == staff_chat and "Vì sao từ chối" in e.text, after=start
        )
        assert "trả lời (reply) tin nhắn này" in asked.text and "❌ Hủy" in asked.buttons
        await send_in_group(
            api, admin, staff_chat, "Đã có cán bộ phụ trách xã.", reply_to=asked.message
        )
        told = await binh.expect("Sở đã từ chối đăng ký của bạn")
        assert "Lý do: Đã có cán bộ phụ trách xã." in told.text
        closed = await api.wait_for(
            lambda e: e.chat_id == staff_chat and "đã từ chối lúc" in e.text, after=start
        )
        assert closed.buttons == [] and "Lý do: Đã có cán bộ phụ trách xã." in closed.text
        # In private, the same commands answer as before.
        await admin.send("/chuabaocao 11/2026")
        await admin.expect("Chưa báo cáo")
    finally:
        await bot.stop()


# --- issue 14.7: Từ chối asks a reason ----------------------------------------------------------


async def test_rejecting_asks_a_reason_and_tells_the_person_what_to_do(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    lan = api.user(4801)
    await register(lan, phone="0912 345 678")
    await card_for(api, ADMIN_ID, 4801, admin)
    start = len(api.sent)
    await admin.press("Từ chối")
    asked = await admin.expect("Vì sao?")
    assert asked.method == "answerCallbackQuery"
    await shows(api, admin, start, "Không phải cán bộ của đơn vị")
    # Nothing is decided yet: Hủy leaves the registration waiting, the card's buttons still act.
    async with db() as session:
        person = await session.get(User, 4801)
        assert person is not None and person.status is RegistrationStatus.PENDING
    await admin.press("Hủy")
    await admin.expect("Đã hủy. Đăng ký vẫn đang chờ quyết định.")
    start = len(api.sent)
    await admin.press("Từ chối")
    await shows(api, admin, start, "Không phải cán bộ của đơn vị")
    await admin.press("Không phải cán bộ của đơn vị")
    told = await lan.expect("Sở đã từ chối đăng ký của bạn")
    assert "Lý do: Sở chưa xác nhận được bạn là cán bộ phụ trách KH&CN" in told.text
    assert "Việc cần làm: Nếu đúng là bạn" in told.text and "/dangky" in told.text
    assert "chưa được duyệt" not in told.text
    edited = await admin.expect("đã từ chối lúc")
    assert "Lý do: Không phải cán bộ của đơn vị" in edited.text and edited.buttons == []

    # A typed reason; the person registers again and the second card is rejected with it.
    start = len(api.sent)
    await register(lan, unit_query="hoa xa", unit="Xã Hòa Xá")
    await card_for(api, ADMIN_ID, 4801, admin, after=start)
    await admin.press("Từ chối")
    await admin.expect("Vì sao từ chối đăng ký của Nguyễn Thị Lan")
    await admin.send("x")
    await admin.expect("từ 3 đến 300 ký tự")
    await admin.send("Xã Hòa Xá đã có cán bộ phụ trách; <b>liên hệ</b> UBND xã.")
    await admin.expect("Đã từ chối. Nguyễn Thị Lan đã được báo lý do.")
    told = await lan.expect("Sở đã từ chối đăng ký của bạn")
    assert "Lý do: Xã Hòa Xá đã có cán bộ phụ trách; &lt;b&gt;liên hệ&lt;/b&gt; UBND xã." in (
        told.text
    )
    assert "Việc cần làm: Nếu có thắc mắc, hãy liên hệ Sở" in told.text
    rows = [d for _, a, _, d in await audit_rows(db) if a == "registration.reject"]
    assert [r["reason"] for r in rows if r] == ["not_officer", "other"]
    assert rows[1] is not None and rows[1]["text"].startswith("Xã Hòa Xá đã có cán bộ")

"""Zalo and Telegram in one department: officers on one, staff on the other, both ways."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI
from bot.zalo.fake import FakeZaloAPI, ZaloSent, ZaloUser
from storage.models import (
    Account,
    DeliveryState,
    EventSignup,
    OwedMessage,
    RegistrationStatus,
    Role,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from tests.e2e.event_flows import CAU_GIAY, create_event, latest_event, quick
from tests.e2e.flows import registered_officer
from tests.e2e.test_forms import fill_activity_report
from tests.e2e.test_zalo import ZALO_LAN, database
from tests.harness import ADMIN_ID, RunningBot

ZALO_STAFF = "5a1f0c3d2b4e6f708192"
ZALO_FIRST = -(2**53) - 100


def number_of(shown: ZaloSent, label: str) -> str:
    """The number a Zalo user types for the line that shows `label`."""
    for line in shown.text.splitlines():
        found = re.match(r"^\s*(\d+)[.)]\s*(.*)$", line)
        if found and label in found.group(2):
            return found.group(1)
    raise AssertionError(f"no numbered line with {label!r} in:\n{shown.text}")


async def choose(user: ZaloUser, shown: ZaloSent, label: str, then: str = "") -> ZaloSent:
    """Type the number of `label` and wait for the next message (containing `then`)."""
    await user.send(number_of(shown, label))
    return await user.expect(then)


async def zalo_person(
    db: async_sessionmaker[AsyncSession],
    zalo_id: str,
    person_id: int,
    name: str,
    *,
    role: Role = Role.OFFICER,
) -> None:
    """An approved person who came first on Zalo, straight into the database."""
    async with db() as session:
        session.add(
            User(
                id=person_id,
                full_name=name,
                position="Công chức Văn hóa - Xã hội",
                unit_code=CAU_GIAY if role is Role.OFFICER else None,
                role=role,
                status=RegistrationStatus.APPROVED,
                registered_at=utcnow(),
                decided_at=utcnow(),
            )
        )
        await session.flush()
        session.add(Account(messenger="zalo", external_id=zalo_id, user_id=person_id))
        await session.commit()


async def report_on_zalo(lan: ZaloUser) -> ZaloSent:
    """/baocao typed, every step answered by typing, up to the review screen."""
    await lan.send("báo cáo")
    period = await lan.expect("Kỳ báo cáo")
    areas = await choose(lan, period, "Tháng 11/2026", "Lĩnh vực")
    await lan.send(f"{number_of(areas, 'Sở hữu trí tuệ')}, {number_of(areas, 'Môi trường')}")
    await lan.expect("Số hoạt động")
    await lan.send("3")
    await lan.expect("Số người tham gia")
    await lan.send("bỏ qua")  # skips are typed words on Zalo
    await lan.expect("Nội dung chính")
    await lan.send("Tập huấn sở hữu trí tuệ cho 3 hợp tác xã")
    await lan.expect("Kinh phí")
    await lan.send("1,5 triệu")
    await lan.expect("Khó khăn")
    await lan.send("bo qua")
    await lan.expect("Kiến nghị")
    await lan.send("Bỏ qua")
    await lan.expect("Ảnh / tài liệu")
    await lan.send("bỏ qua")
    return await lan.expect("kiểm tra trước khi gửi")


async def test_a_zalo_report_reviewed_on_telegram_and_the_result_reaches_zalo(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    db = database(both)
    await zalo_person(db, ZALO_LAN, ZALO_FIRST, "Nguyễn Thị Lan")
    lan = zalo_api.user(ZALO_LAN)
    review = await report_on_zalo(lan)
    assert "1.500.000 đ" in review.text and "Phường Cầu Giấy" in review.text
    sent = await choose(lan, review, "Gửi", "Đã gửi")
    async with db() as session:
        [stored] = (await session.scalars(select(Submission))).all()
    assert f"#{stored.id}" in sent.text and stored.officer_id == ZALO_FIRST
    assert stored.answers["areas"] == ["intellectual_property", "environment"]

    # Staff on Telegram: the card, Yêu cầu bổ sung with a comment.
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    card = await admin.expect(f"#{stored.id}")
    assert "Nguyễn Thị Lan" in card.text
    await admin.press("Yêu cầu bổ sung")
    await admin.expect("cần bổ sung hoặc sửa gì")
    await admin.send("Bổ sung số người tham gia")
    await admin.expect("Đã yêu cầu bổ sung")
    # The officer is told on Zalo, by the outbox, in plain text with the button as a number.
    told = await lan.expect("Sở đề nghị bổ sung")
    assert "Bổ sung số người tham gia" in told.text and "<i>" not in told.text
    async with db() as session:
        for _ in range(200):  # marked sent just after Zalo took it
            owed = (
                await session.scalars(select(OwedMessage).where(OwedMessage.chat_id == ZALO_FIRST))
            ).all()
            if owed and all(row.state is DeliveryState.SENT for row in owed):
                break
            await asyncio.sleep(0.02)
            session.expire_all()
        assert owed and all(row.state is DeliveryState.SENT for row in owed)
    assert not any(e.chat_id == ZALO_FIRST for e in api.sent)

    # The officer opens it by typing the number, corrects one answer, sends it again.
    review = await choose(lan, told, "Mở ra để sửa", "kiểm tra trước khi gửi")
    edit = await choose(lan, review, "Sửa")
    field = await choose(lan, edit, "Số người tham gia", "Số người tham gia")
    assert field.text
    await lan.send("40")
    review = await lan.expect("kiểm tra trước khi gửi")
    await choose(lan, review, "Gửi", "Đã gửi")
    async with db() as session:
        old, new = (await session.scalars(select(Submission).order_by(Submission.id))).all()
    assert old.status is SubmissionStatus.REPLACED and new.answers["participant_count"] == 40
    await admin.expect(f"#{new.id}")
    await admin.press("Đã tiếp nhận")
    await lan.expect(f"đã tiếp nhận hồ sơ #{new.id}")


async def test_an_event_made_on_telegram_is_signed_up_for_on_zalo(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    quick(both)
    db = database(both)
    await zalo_person(db, ZALO_LAN, ZALO_FIRST, "Nguyễn Thị Lan")
    lan = zalo_api.user(ZALO_LAN)
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Lớp sở hữu trí tuệ", seats="2")
    event = await latest_event(db)
    notice = await lan.expect("Lớp sở hữu trí tuệ")
    assert "Đăng ký" in notice.text
    signed = await choose(lan, notice, "Đăng ký", "đăng ký thành công")
    assert "chỗ của bạn đã được giữ" in signed.text and "Hủy đăng ký" in signed.text
    async with db() as session:
        [signup] = (
            await session.scalars(select(EventSignup).where(EventSignup.event_id == event.id))
        ).all()
    assert signup.user_id == ZALO_FIRST and signup.status.value == "confirmed"


async def test_staff_on_zalo_review_what_an_officer_on_telegram_sent(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    db = database(both)
    staff_id = ZALO_FIRST - 1
    await zalo_person(db, ZALO_STAFF, staff_id, "Phạm Minh Đức", role=Role.STAFF)
    duc = zalo_api.user(ZALO_STAFF, "Đức")
    officer = await registered_officer(api, 2001)
    await fill_activity_report(officer, attach=False)
    await officer.press("Gửi")
    await officer.expect("Đã gửi")
    async with db() as session:
        [stored] = (await session.scalars(select(Submission))).all()
    # The new submission's card reaches staff on Zalo too (by the outbox, in its own time);
    # they review from the list: /hoso typed, the submission opened by its number.
    card = await duc.expect(f"#{stored.id}")
    assert "Đã tiếp nhận" in card.text and "Yêu cầu bổ sung" in card.text
    await duc.send("hồ sơ")
    listed = await duc.expect(f"#{stored.id}")
    opened = await choose(duc, listed, f"#{stored.id}", "Trạng thái: chờ tiếp nhận")
    assert "Hội thảo khởi nghiệp" in opened.text
    await choose(duc, opened, "Đã tiếp nhận")
    await officer.expect(f"đã tiếp nhận hồ sơ #{stored.id}")
    async with db() as session:
        accepted = await session.get(Submission, stored.id)
        assert accepted is not None and accepted.status is SubmissionStatus.ACCEPTED
        assert accepted.reviewed_by == staff_id

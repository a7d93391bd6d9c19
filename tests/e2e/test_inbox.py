"""The staff inbox (/hoso) end to end: filters, pages, a submission opened whole and reviewed
from there, its versions and what a revision changed, and who may use it."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI, FakeUser, Sent
from handlers.inbox import InboxPage, Turn
from storage.models import (
    AuditEntry,
    RegistrationStatus,
    Role,
    Submission,
    SubmissionStatus,
    User,
)
from tests.e2e.flows import registered_officer
from tests.e2e.test_forms import fill_activity_report
from tests.harness import ADMIN_ID, RunningBot
from tests.status_data import HANOI, local, report

Db = async_sessionmaker[AsyncSession]

CAU_GIAY = HANOI.search("cau giay").units[0]
HOA_XA = HANOI.search("hoa xa").units[0]
OFFICER_CG, OFFICER_HX = 4001, 4002
WAITING, ACCEPTED, REVISE, REPLACED = (
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.ACCEPTED,
    SubmissionStatus.NEEDS_REVISION,
    SubmissionStatus.REPLACED,
)


def finding(day: str) -> dict[str, Any]:
    return {
        "inspection_date": day,
        "facility_name": "Cửa hàng Minh Anh",
        "facility_address": "12 Trần Phú",
        "facility_type": "business",
        "check_areas": ["measurement"],
        "result": "no_violation",
    }


class Seeder:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def officers(self) -> None:
        for user_id, unit, name in (
            (OFFICER_CG, CAU_GIAY, "Nguyễn Văn An"),
            (OFFICER_HX, HOA_XA, "Trần Thị Bình"),
        ):
            self.session.add(
                User(
                    id=user_id,
                    full_name=name,
                    unit_code=unit.code,
                    role=Role.OFFICER,
                    status=RegistrationStatus.APPROVED,
                    locale="vi",
                )
            )
        await self.session.flush()

    async def add(
        self,
        form: str,
        unit_code: str,
        at: datetime,
        answers: dict[str, Any],
        status: SubmissionStatus = WAITING,
        **extra: Any,
    ) -> int:
        officer = OFFICER_CG if unit_code == CAU_GIAY.code else OFFICER_HX
        item = Submission(
            form_id=form,
            form_version=1,
            unit_code=unit_code,
            officer_id=officer,
            period=answers.get("period") if form == "activity_report" else None,
            answers=answers,
            status=status,
            draft_token=str(uuid.uuid4()),
            submitted_at=at,
            **extra,
        )
        self.session.add(item)
        await self.session.flush()
        return item.id


def refs(text: str) -> list[int]:
    """The submissions a list shows, in its order."""
    return [int(n) for n in re.findall(r"<b>#(\d+)</b>", text)]


async def ask(staff: FakeUser, command: str, answer: str = "<b>Hồ sơ</b>") -> Sent:
    await staff.send(command)
    return await staff.expect(answer)


async def test_filters_by_state_period_unit_form_and_combined(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    async with db() as session:
        seed = Seeder(session)
        await seed.officers()
        rpt, insp = "activity_report", "inspection"
        cg, hx = CAU_GIAY.code, HOA_XA.code
        cg_oct = await seed.add(rpt, cg, local(28, 10, 9), report("2026-10", ["other"]), ACCEPTED)
        cg_nov = await seed.add(rpt, cg, local(20, 11, 9), report("2026-11", ["other"]))
        hx_nov = await seed.add(rpt, hx, local(21, 11, 9), report("2026-11", ["other"]))
        cg_insp = await seed.add(insp, cg, local(22, 11, 9), finding("2026-11-21"), REVISE)
        hx_insp = await seed.add(insp, hx, local(25, 10, 9), finding("2026-10-24"))
        hx_old = await seed.add(rpt, hx, local(2, 10, 9), report("2026-10", ["other"]), REPLACED)
        hx_oct = await seed.add(
            rpt, hx, local(3, 10, 9), report("2026-10", ["other"]), ACCEPTED, replaces_id=hx_old
        )
        await session.commit()
    staff = api.user(ADMIN_ID, "Admin", "Sở")

    everything = await ask(staff, "/hoso")
    # Waiting first, then the rest; newest first in each; replaced versions left out.
    assert refs(everything.text) == [hx_insp, hx_nov, cg_nov, hx_oct, cg_insp, cg_oct]
    assert "6 hồ sơ, 3 chờ tiếp nhận · trang 1/1" in everything.text
    assert "Báo cáo hoạt động KH&amp;CN" in everything.text and "Phường Cầu Giấy" in everything.text

    waiting = await ask(staff, "/hoso chờ")
    assert refs(waiting.text) == [hx_insp, hx_nov, cg_nov]
    assert "chờ tiếp nhận" in waiting.text
    # Each row is a button that opens the submission.
    assert waiting.buttons[:3] == [
        f"⏳ #{hx_insp} · {HOA_XA.name}",
        f"⏳ #{hx_nov} · {HOA_XA.name}",
        f"⏳ #{cg_nov} · {CAU_GIAY.name}",
    ]

    # A month holds the reports of that month and the findings inspected in it.
    november = await ask(staff, "/hoso 11/2026")
    assert refs(november.text) == [hx_nov, cg_nov, cg_insp]
    assert "Hồ sơ</b> — tháng 11/2026" in november.text

    unit = await ask(staff, "/hoso CAU GIAY")
    assert refs(unit.text) == [cg_nov, cg_insp, cg_oct]
    assert unit.text.startswith("<b>Hồ sơ</b> — Phường Cầu Giấy\n")
    assert refs((await ask(staff, "/hoso Cầu Giấy")).text) == [cg_nov, cg_insp, cg_oct]

    combined = await ask(staff, "/hoso chờ 11/2026 cau giay")
    assert refs(combined.text) == [cg_nov]
    assert refs((await ask(staff, "/hoso Hòa Xá đã tiếp nhận tháng 10/2026")).text) == [hx_oct]
    assert refs((await ask(staff, "/hoso kiểm tra")).text) == [hx_insp, cg_insp]
    assert refs((await ask(staff, "/hoso bổ sung")).text) == [cg_insp]
    assert refs((await ask(staff, "/hoso đã thay thế")).text) == [hx_old]

    empty = await ask(staff, "/hoso bổ sung hoa xa")
    assert empty.text.startswith("<b>Hồ sơ</b> — cần bổ sung · Xã Hòa Xá\n")
    assert refs(empty.text) == [] and "Không có hồ sơ nào phù hợp" in empty.text

    unknown = await ask(staff, "/hoso xyz", "xyz")
    assert "Không có đơn vị nào có tên chứa “xyz”" in unknown.text and "cau giay" in unknown.text
    month = await ask(staff, "/hoso 13/2026", "13")
    assert "Không có tháng 13" in month.text


async def test_a_finding_is_listed_in_the_month_of_its_inspection(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """Sent on 02/11 about an inspection on 30/10: October's, as in /thongke and /xuat."""
    async with db() as session:
        seed = Seeder(session)
        await seed.officers()
        late = await seed.add("inspection", CAU_GIAY.code, local(2, 11, 9), finding("2026-10-30"))
        await session.commit()
    staff = api.user(ADMIN_ID, "Admin", "Sở")

    assert refs((await ask(staff, "/hoso 10/2026")).text) == [late]
    assert refs((await ask(staff, "/hoso 11/2026")).text) == []


async def test_paging_across_pages_is_stable_when_new_submissions_arrive(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    async with db() as session:
        seed = Seeder(session)
        await seed.officers()
        ids = []
        for day in range(1, 21):  # 20 inspections, the 5 latest still waiting
            status = WAITING if day > 15 else ACCEPTED
            ids.append(
                await seed.add(
                    "inspection", CAU_GIAY.code, local(day, 11, 9), finding("2026-11-01"), status
                )
            )
        await session.commit()
    expected = list(reversed(ids[15:])) + list(reversed(ids[:15]))
    staff = api.user(ADMIN_ID, "Admin", "Sở")

    first = await ask(staff, "/hoso")
    assert refs(first.text) == expected[:8]
    assert "20 hồ sơ, 5 chờ tiếp nhận · trang 1/3" in first.text
    assert "Sau ➡️" in first.buttons and "⬅️ Trước" not in first.buttons
    assert first.message is not None
    page_one = dict(first.message)  # the message as it was, to press its Sau again later

    # A new submission arrives: the list already shown does not shift under its buttons.
    async with db() as session:
        await Seeder(session).add(
            "inspection", CAU_GIAY.code, local(26, 11, 9), finding("2026-11-25")
        )
        await session.commit()

    await staff.press("Sau")
    second = await staff.expect("trang 2/3")
    assert second.method == "editMessageText"
    assert refs(second.text) == expected[8:16]
    assert "⬅️ Trước" in second.buttons and "Sau ➡️" in second.buttons
    await staff.press("Sau")
    third = await staff.expect("trang 3/3")
    assert refs(third.text) == expected[16:]
    assert "Sau ➡️" not in third.buttons
    await staff.press("Trước")
    again = await staff.expect("trang 2/3")
    assert refs(again.text) == expected[8:16]
    await staff.press("Trước")
    assert refs((await staff.expect("trang 1/3")).text) == expected[:8]

    # The old page-1 buttons still page the same list.
    next_data = next(
        b["callback_data"]
        for row in page_one["reply_markup"]["inline_keyboard"]
        for b in row
        if "Sau" in b["text"]
    )
    await staff.press_data(page_one, next_data)
    assert refs((await staff.expect("trang 2/3")).text) == expected[8:16]
    # Past the end (the rows it was shown after are gone): the first page, not a dead end.
    await staff.press_data(
        page_one, InboxPage(turn=Turn.NEXT, group=1, row_id=0, max_id=max(ids)).pack()
    )
    assert refs((await staff.expect("trang 1/3")).text) == expected[:8]
    # A new /hoso sees the new one, first.
    fresh = await ask(staff, "/hoso")
    assert "21 hồ sơ, 6 chờ tiếp nhận" in fresh.text and refs(fresh.text)[0] == max(ids) + 1


async def _audit_count(db: Db, action: str) -> int:
    async with db() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            )
            or 0
        )


async def test_review_from_the_inbox_then_the_revision_its_versions_and_changes(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 4101)
    await fill_activity_report(lan)
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    async with db() as session:
        first = await session.scalar(select(Submission))
        assert first is not None
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.expect(f"#{first.id}")  # the card pushed when it arrived, left aside

    # Opened from the list: the whole submission, then its photo and file as media.
    await ask(staff, "/hoso chờ")
    await staff.press(f"#{first.id} · Phường Cầu Giấy")
    opened = await staff.expect("Trạng thái: <b>chờ tiếp nhận</b>")
    for shown in ("Nguyễn Thị Lan", "Hội thảo khởi nghiệp", "1.500.000 đ", "2 ảnh, tệp"):
        assert shown in opened.text, shown
    photo = await staff.expect(f"#{first.id} · Ảnh / tài liệu đính kèm (1/2)")
    assert photo.method == "sendPhoto" and photo.params["photo"] == "AgACphotoA"
    document = await staff.expect(f"#{first.id} · Ảnh / tài liệu đính kèm (2/2) · ke_hoach.pdf")
    assert document.method == "sendDocument" and document.params["document"] == "BQACdocB"

    # Yêu cầu bổ sung from the inbox: the same comment dialog as the card.
    await staff.press("Yêu cầu bổ sung")
    await staff.expect("Cán bộ cần bổ sung hoặc sửa gì")
    await staff.send("/hoso")  # a command is not taken as the comment: it runs, the question waits
    await staff.expect("1 hồ sơ, 1 chờ tiếp nhận")
    await staff.send("Bổ sung số người tham gia")
    await staff.expect("Đã yêu cầu bổ sung")
    notice = await lan.expect("Sở đề nghị bổ sung")
    assert "Bổ sung số người tham gia" in notice.text
    async with db() as session:
        asked = await session.get(Submission, first.id)
        assert asked is not None and asked.status is REVISE
        assert asked.staff_comment == "Bổ sung số người tham gia"

    # The officer revises: one answer changes.
    await lan.press("Mở ra để sửa")
    await lan.expect("vui lòng kiểm tra")
    await lan.press("Sửa")
    await lan.expect("")
    await lan.press("Số người tham gia")
    await lan.expect("Số người tham gia")
    await lan.send("40")
    await lan.expect("vui lòng kiểm tra")
    await lan.press("Gửi")
    await lan.expect("Đã gửi")
    async with db() as session:
        newest = await session.scalar(select(Submission).order_by(Submission.id.desc()))
        assert newest is not None and newest.replaces_id == first.id
    # Its card reaches the admin through the outbox a moment after "Đã gửi": wait for it, so
    # that the newest "Đã tiếp nhận" button below is the inbox's.
    await api.wait_for(
        lambda e: (
            e.chat_id == ADMIN_ID
            and e.method == "sendMessage"
            and bool(e.buttons)
            and e.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            == f"review:accept:{newest.id}"
        )
    )

    await ask(staff, "/hoso cau giay")
    await staff.press(f"#{newest.id} · Phường Cầu Giấy")
    revision = await staff.expect("Phiên bản 2/2")
    assert f"Thay đổi so với #{first.id}" in " ".join(revision.buttons)
    await staff.press(f"Thay đổi so với #{first.id}")
    changed = await staff.expect(f"#{newest.id} thay đổi gì so với #{first.id}")
    assert "Sở đã yêu cầu: <i>Bổ sung số người tham gia</i>" in changed.text
    assert "• <b>Số người tham gia</b>\n   trước: —\n   nay: 40" in changed.text
    assert "Kinh phí" not in changed.text  # unchanged answers are only counted
    assert "câu trả lời khác giữ nguyên" in changed.text

    await staff.press("Các phiên bản (2)")
    versions = await staff.expect("Các phiên bản Báo cáo hoạt động KH&amp;CN")
    assert f"1. 🗂 <b>#{first.id}</b>" in versions.text
    assert "đã có bản mới thay thế\n   <i>Bổ sung số người tham gia</i>" in versions.text
    assert f"2. ⏳ <b>#{newest.id}</b>" in versions.text

    # Đã tiếp nhận from the inbox, twice: one decision, one message to the officer.
    await staff.press("Đã tiếp nhận")
    refreshed = await staff.expect("Trạng thái: <b>đã tiếp nhận</b>")
    await staff.expect("Đã đánh dấu là đã tiếp nhận")  # the press's answer, once it is done
    assert refreshed.method == "editMessageText" and "Đã tiếp nhận" not in refreshed.buttons
    # The admin never registered (ADMIN_IDS): named by their Telegram name, not their id.
    assert f"({ADMIN_ID}," not in refreshed.text and "Admin Sở" in refreshed.text
    await lan.expect(f"Sở đã tiếp nhận hồ sơ #{newest.id}")
    assert refreshed.message is not None
    accept_data = next(
        b["callback_data"]
        for row in revision.params["reply_markup"]["inline_keyboard"]
        for b in row
        if "Đã tiếp nhận" in b["text"]
    )
    await staff.press_data(refreshed.message, accept_data)
    await staff.expect("Hồ sơ này đã được xử lý rồi")
    # The card that arrived with it says who accepted it and when, and loses its buttons;
    # its old button refuses too: the same decision.
    card = await api.wait_for(  # the card pushed to the admin, with the cards' own button
        lambda e: (
            e.chat_id == ADMIN_ID
            and e.method == "sendMessage"
            and bool(e.buttons)
            and e.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            == f"review:accept:{newest.id}"
        )
    )
    assert card.message is not None
    closed = await api.wait_for(
        lambda e: (
            e.chat_id == ADMIN_ID
            and e.method == "editMessageText"
            and e.params["message_id"] == card.message["message_id"]
        )  # type: ignore[index]
    )
    assert "đã tiếp nhận lúc" in closed.text and not closed.buttons
    await staff.press_data(
        card.message, card.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    await staff.expect("Hồ sơ này đã được xử lý rồi")
    async with db() as session:
        accepted = await session.get(Submission, newest.id)
        assert accepted is not None and accepted.status is ACCEPTED
        assert accepted.reviewed_by == ADMIN_ID
    assert await _audit_count(db, "submission.accept") == 1
    assert await _audit_count(db, "submission.revise") == 1
    told = [e for e in lan.since(0) if "Sở đã tiếp nhận hồ sơ" in e.text]
    assert len(told) == 1
    # The admin reads both decisions in the audit log, in words, not as action codes.
    await staff.send("/nhatky")
    log = await staff.expect("Nhật ký thao tác")
    assert f"đã tiếp nhận hồ sơ #{newest.id}" in log.text
    assert "đã yêu cầu bổ sung hồ sơ #" in log.text and "submission." not in log.text


async def test_an_officer_is_refused_and_staff_have_it_in_menu_and_help(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await registered_officer(api, 4201)
    await lan.send("/hoso")
    refusal = await lan.expect("Lệnh này chỉ dành cho chuyên viên Sở")
    # An inbox button, forged or forwarded, opens nothing for an officer either.
    assert refusal.message is not None
    await lan.press_data(refusal.message, "ibo:1")
    await lan.expect("Lựa chọn này không còn hiệu lực")
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/help")
    assert "/hoso — Hồ sơ: xem, lọc, tiếp nhận, lịch sử" in (await staff.expect("/hoso")).text
    [menu] = [c for key, c in api.commands.items() if str(ADMIN_ID) in key]
    assert "hoso" in [c["command"] for c in menu]

    # A staff member granted the role by an earlier version gets the new menu at start-up,
    # and may use the inbox (staff, not only admins). (Such a row is approved: migration 0007
    # approves the staff an admin granted without a registration.)
    async with db() as session:
        session.add(
            User(
                id=4202,
                full_name="Phạm Thu Hà",
                role=Role.STAFF,
                status=RegistrationStatus.APPROVED,
                locale="vi",
            )
        )
        await session.commit()
    await running.restart()
    [menu] = [c for key, c in api.commands.items() if "4202" in key]
    assert "hoso" in [c["command"] for c in menu]
    ha = api.user(4202, "Hà", "Phạm")
    await ha.send("/hoso")
    assert "Chưa có đơn vị nào gửi hồ sơ" in (await ha.expect("<b>Hồ sơ</b>")).text

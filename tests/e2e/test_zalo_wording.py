"""Zalo has no buttons: what the bot says there never asks to press one ("bấm", "nút")."""

from __future__ import annotations

import re

from bot.emulator import FakeBotAPI
from bot.zalo.fake import FakeZaloAPI, ZaloUser
from tests.e2e.event_flows import create_event, quick
from tests.e2e.test_zalo import ZALO_LAN, database
from tests.e2e.test_zalo_together import (
    ZALO_FIRST,
    choose,
    report_on_zalo,
    zalo_person,
)
from tests.harness import ADMIN_ID, RunningBot

PRESS = re.compile(r"bấm|nút", re.IGNORECASE)


def pressing(lan: ZaloUser) -> list[str]:
    """What Lan was sent that speaks of pressing a button."""
    return [sent.text for sent in lan.api.chat(ZALO_LAN) if PRESS.search(sent.text)]


async def test_nothing_sent_on_zalo_asks_to_press_a_button(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    quick(both)
    db = database(both)
    await zalo_person(db, ZALO_LAN, ZALO_FIRST, "Nguyễn Thị Lan")
    lan = zalo_api.user(ZALO_LAN)
    staff = api.user(ADMIN_ID, "Admin", "Sở")

    # A conference for the unit: attend, then change who attends, all typed.
    await create_event(
        staff,
        title="Hội nghị tổng kết KH&CN 2026",
        kind="Hội nghị",
        seats=None,
        units=[("cau giay", "Phường Cầu Giấy")],
    )
    notice = await lan.expect("Sở trân trọng kính mời")
    recorded = await choose(lan, notice, "Tham dự", "Người tham dự: Nguyễn Thị Lan")
    assert "Gõ số thứ tự để chọn." in recorded.text
    assert recorded.text.count("Gõ số thứ tự để chọn.") == 1
    await choose(lan, recorded, "Đổi người tham dự", "Ai của đơn vị bạn tham dự")
    await lan.send("Nguyễn Văn An, Trần Thị Hoa")
    await lan.expect("Người tham dự: Nguyễn Văn An, Trần Thị Hoa")

    # A report sent back for revision, then /cuatoi.
    review = await report_on_zalo(lan)
    sent = await choose(lan, review, "Gửi", "Đã gửi")
    reference = re.search(r"#\d+", sent.text)
    assert reference is not None
    card = await staff.expect(reference.group(0))
    while "Kinh phí" not in card.text:  # the event's own card has a number too
        card = await staff.expect(reference.group(0))
    await staff.press("Yêu cầu bổ sung")
    await staff.expect("cần bổ sung hoặc sửa gì")
    await staff.send("Bổ sung số người tham gia")
    await staff.expect("Đã yêu cầu bổ sung")
    told = await lan.expect("Sở đề nghị bổ sung")
    assert "Mở ra để sửa" in told.text
    await lan.send("của tôi")
    await lan.expect("Sửa")

    # /kiemtra up to the location: typed coordinates, as the hint says.
    await lan.send("kiểm tra")
    day = await lan.expect("Ngày kiểm tra")
    await choose(lan, day, "Hôm qua", "Tên cơ sở")
    await lan.send("Cửa hàng xăng dầu số 5")
    await lan.expect("Địa chỉ")
    await lan.send("12 Trần Duy Hưng")
    kinds = await lan.expect("Loại cơ sở")
    areas = await choose(lan, kinds, "Cửa hàng xăng dầu", "Nội dung kiểm tra")
    await lan.send(number_of_line(areas.text, "Đo lường"))
    results = await lan.expect("Kết quả")
    await choose(lan, results, "Không phát hiện vi phạm", "Ảnh hiện trường")
    await lan.send("bỏ qua")
    where = await lan.expect("Vị trí")
    assert "vĩ độ, kinh độ" in where.text and "📎" not in where.text
    await lan.send("gần chợ")
    wrong = await lan.expect("vĩ độ, kinh độ")
    assert "📎" not in wrong.text
    await lan.send("21.0245, 105.8412")
    await lan.expect("Ghi chú")

    assert pressing(lan) == []


def number_of_line(text: str, label: str) -> str:
    return next(
        line.split(".")[0].strip()
        for line in text.splitlines()
        if line[:1].isdigit() and label in line
    )

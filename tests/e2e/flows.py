"""Whole conversations reused by several end-to-end tests."""

from __future__ import annotations

from bot.emulator import FakeBotAPI, FakeUser
from tests.harness import ADMIN_ID


async def register(
    user: FakeUser,
    *,
    name: str = "Nguyễn Thị Lan",
    unit_query: str = "cau giay",
    unit: str = "Phường Cầu Giấy",
    position: str = "Công chức Văn hóa - Xã hội",
    phone: str = "0912 345 678",
) -> None:
    """Register through /dangky as an officer would, up to the confirmation."""
    await user.send("/dangky")
    await user.expect("Họ và tên của bạn")
    await user.send(name)
    await user.expect("xã, phường nào")
    await user.send(unit_query)
    await user.expect("Bấm chọn đơn vị")
    await user.press(unit)
    await user.expect("Chức vụ của bạn")
    await user.send(position)
    await user.expect("Số điện thoại để Sở liên hệ")
    await user.share_contact(phone.replace(" ", "").replace("0", "84", 1))
    await user.expect("Vui lòng kiểm tra thông tin đăng ký")
    await user.press("Gửi")
    await user.expect("Đã gửi đăng ký")


async def approve(api: FakeBotAPI, user: FakeUser, admin: FakeUser | None = None) -> None:
    """The admin presses Duyệt on the registration card of `user`."""
    admin = admin or api.user(ADMIN_ID, "Admin", "Sở")
    card = await api.wait_for(
        lambda e: e.chat_id == admin.id and f"(ID {user.id})" in e.text and bool(e.buttons)
    )
    message = api.message(ADMIN_ID, card.message["message_id"]) if card.message else None
    assert message is not None
    button = next(
        b for row in message["reply_markup"]["inline_keyboard"] for b in row if "Duyệt" in b["text"]
    )
    await admin.press_data(message, button["callback_data"])
    await user.expect("đã được duyệt")


async def registered_officer(api: FakeBotAPI, user_id: int, **details: str) -> FakeUser:
    officer = api.user(user_id)
    await register(officer, **details)
    await approve(api, officer)
    return officer


# A department's own form (a file of FORMS_DIR), with a question asked only after an answer.
WATER_SURVEY = """
id: water_survey
title: {vi: Khảo sát nước sạch, en: Clean water survey}
fields:
  - type: integer
    name: households
    label: {vi: Số hộ dùng nước sạch, en: Households with clean water}
    required: yes
    constraint: . >= 0
  - type: yes_no
    name: has_plant
    label: {vi: "Có trạm cấp nước không?", en: "Is there a water plant?"}
    required: yes
  - type: text
    name: plant_name
    label: {vi: Tên trạm, en: Plant name}
    required: yes
    relevant: ${has_plant} = 'yes'
  - type: decimal
    name: coverage
    label: {vi: Tỷ lệ hộ dùng nước sạch (%), en: Share of households (%)}
    required: yes
    constraint: . >= 0 and . <= 100
    constraint_message: {vi: Tỷ lệ phải từ 0 đến 100., en: Between 0 and 100.}
  - type: phone
    name: plant_phone
    label: {vi: Số điện thoại của trạm, en: Plant phone}
    required: no
"""

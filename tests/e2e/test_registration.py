"""Registration by an officer and its approval, through the fake Bot API, as a user does it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI, FakeUser
from storage.models import AuditEntry, RegistrationStatus, User
from tests.e2e.flows import approve, register
from tests.harness import ADMIN_ID, RunningBot

Db = async_sessionmaker[AsyncSession]


async def _user(db: Db, user_id: int) -> User | None:
    async with db() as session:
        return await session.get(User, user_id)


async def test_officer_registers_and_admin_approves(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = api.user(1001)
    await register(lan, unit_query="Cầu Giấy")
    stored = await _user(db, 1001)
    assert stored is not None
    assert (stored.full_name, stored.unit_code, stored.phone) == (
        "Nguyễn Thị Lan",
        "167",
        "+84912345678",
    )
    assert stored.status is RegistrationStatus.PENDING

    admin = api.user(ADMIN_ID)
    card = await admin.expect("Đăng ký mới")
    assert "Phường Cầu Giấy" in card.text and "0912 345 678" in card.text
    await approve(api, lan, admin)
    edited = await admin.expect("đã duyệt lúc")
    assert edited.method == "editMessageText"
    stored = await _user(db, 1001)
    assert stored is not None and stored.status is RegistrationStatus.APPROVED
    async with db() as session:
        entries = (await session.scalars(select(AuditEntry))).all()
    assert [(e.actor_id, e.action, e.target) for e in entries] == [
        (ADMIN_ID, "registration.approve", "1001")
    ]
    # The officer's own command menu was set on approval.
    assert any('"chat_id": 1001' in key for key in api.commands)

    await lan.send("/start")
    assert "cán bộ phụ trách KH&CN" in (await lan.expect("Xin chào")).text


async def test_rejection_lets_the_officer_register_again(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = api.user(1002)
    await register(lan)
    admin = api.user(ADMIN_ID)
    await admin.expect("Đăng ký mới")
    await admin.press("Từ chối")
    await api.wait_for(
        lambda e: e.chat_id == ADMIN_ID and any("Thông tin chưa đúng" in b for b in e.buttons)
    )
    await admin.press("Thông tin chưa đúng")
    await lan.expect("Sở đã từ chối đăng ký của bạn")
    await register(lan, unit_query="hoa xa", unit="Xã Hòa Xá")
    stored = await _user(db, 1002)
    assert stored is not None
    assert stored.status is RegistrationStatus.PENDING and stored.unit_code is not None


@pytest.mark.parametrize(
    ("spelling"),
    ["cau giay", "CAU GIAY", "P. Cầu Giấy", "Phường Cầu Giấy", "cầu giấy", "caugiay"],
)
async def test_unit_found_by_any_spelling(
    api: FakeBotAPI, running: RunningBot, spelling: str
) -> None:
    lan = api.user(1003)
    await lan.send("/dangky")
    await lan.send("Nguyễn Thị Lan")
    await lan.expect("xã, phường nào")
    await lan.send(spelling)
    choices = await lan.expect("Bấm chọn đơn vị")
    assert "Phường Cầu Giấy" in choices.buttons


async def test_every_wrong_input_is_answered_and_nothing_is_lost(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = api.user(1004)
    await lan.send("/dangky")
    await lan.expect("Họ và tên của bạn")
    # Step 1: full name
    await lan.send_sticker()
    await lan.expect("gõ họ và tên bằng chữ")
    await lan.send("   ")
    await lan.expect("Vui lòng nhập họ và tên")
    await lan.send("A" * 81)
    await lan.expect("quá dài")
    await lan.send("Lan123")
    await lan.expect("chỉ gồm chữ cái")
    await lan.send("Lan")
    await lan.expect("đầy đủ cả họ và tên")
    await lan.send("nguyễn thị lan")
    await lan.expect("xã, phường nào")
    # Step 2: unit
    await lan.send_photo()
    await lan.expect("gõ một phần tên đơn vị")
    await lan.send("khong co xa nay")
    await lan.expect("Không có đơn vị nào khớp")
    await lan.send("an")
    await lan.expect("gõ thêm vài chữ")
    await lan.send("hoa xa")
    await lan.expect("Bấm chọn đơn vị")
    await lan.press("Xã Hòa Xá")
    await lan.expect("Chức vụ của bạn")
    # Step 3: position
    await lan.send_location(21.0, 105.8)
    await lan.expect("gõ chức vụ bằng chữ")
    await lan.send("x")
    await lan.expect("Vui lòng nhập chức vụ")
    await lan.send("C" * 101)
    await lan.expect("quá dài")
    await lan.send("Phó Chủ tịch UBND xã")
    asked = await lan.expect("Số điện thoại để Sở liên hệ")
    assert "bấm nút bên dưới để chia sẻ, hoặc gõ số" in asked.text
    assert any(b.get("request_contact") for b in lan.reply_keyboard())
    # Step 4: phone
    await lan.send("12345")
    await lan.expect("không phải số điện thoại Việt Nam")
    await lan.send_sticker()
    await lan.expect("bấm nút bên dưới")
    await lan.share_contact("84987654321", user_id=5555)
    await lan.expect("của chính bạn")
    await lan.share_contact("+14155550100")
    await lan.expect("không phải số điện thoại Việt Nam")
    await lan.send("+84 987 654 321")
    review = await lan.expect("Vui lòng kiểm tra")
    # Everything typed before the mistakes is still there.
    for value in ("Nguyễn Thị Lan", "Xã Hòa Xá", "Phó Chủ tịch UBND xã", "0987 654 321"):
        assert value in review.text
    await lan.send("gửi")
    await lan.expect("bấm một trong các nút")
    await lan.press("Gửi")
    await lan.expect("Đã gửi đăng ký")
    stored = await _user(db, 1004)
    assert stored is not None and stored.phone == "+84987654321"


STEP_PROMPTS = [
    [],
    ["Nguyễn Thị Lan"],
    ["Nguyễn Thị Lan", "@unit"],
    ["Nguyễn Thị Lan", "@unit", "Công chức"],
]


@pytest.mark.parametrize("answers", STEP_PROMPTS, ids=["name", "unit", "position", "phone"])
@pytest.mark.parametrize("how", ["command", "button"])
async def test_cancel_at_every_step(
    api: FakeBotAPI, running: RunningBot, db: Db, answers: list[str], how: str
) -> None:
    lan = api.user(1005)
    await lan.send("/dangky")
    await lan.expect("Họ và tên")
    for answer in answers:
        if answer == "@unit":
            await lan.send("cau giay")
            await lan.expect("Bấm chọn")
            await lan.press("Phường Cầu Giấy")
            await lan.expect("Chức vụ của bạn")
        else:
            await lan.send(answer)
            await lan.expect("bước")
    if how == "command":
        await lan.send("/huy")
    else:
        await lan.press("Hủy")
    if answers:  # what was entered would be lost: asked first, the same for both
        await lan.expect("Hủy? Những gì bạn đã nhập sẽ mất")
        await lan.press("Có, hủy")
    await lan.expect("Đã hủy đăng ký")
    assert not lan.reply_keyboard()  # the phone step's share button is gone too
    assert await _user(db, 1005) is None
    await lan.send("Nguyễn Thị Lan")
    await lan.expect("chưa hiểu")  # no dialog any more


async def test_back_and_edit_keep_answers(api: FakeBotAPI, running: RunningBot, db: Db) -> None:
    lan = api.user(1006)
    await lan.send("/dangky")
    await lan.send("Nguyễn Thị Lan")
    await lan.expect("xã, phường nào")
    await lan.press("Quay lại")
    await lan.expect("Họ và tên của bạn")
    await lan.send("Trần Văn Bình")
    await lan.expect("xã, phường nào")
    await lan.send("cau giay")
    await lan.expect("Bấm chọn")
    await lan.press("Phường Cầu Giấy")
    await lan.expect("Chức vụ của bạn")
    await lan.send("Công chức")
    await lan.expect("Số điện thoại để Sở")
    await lan.send("0912345678")
    await lan.expect("Vui lòng kiểm tra")
    await lan.press("Sửa")
    await lan.expect("")  # the review's buttons turn into the list of fields
    await lan.press("Chức vụ")
    await lan.expect("Chức vụ của bạn")
    await lan.send("Phó Chủ tịch UBND phường")
    review = await lan.expect("Vui lòng kiểm tra")
    assert "Trần Văn Bình" in review.text and "Phó Chủ tịch UBND phường" in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi đăng ký")
    stored = await _user(db, 1006)
    assert stored is not None and stored.position == "Phó Chủ tịch UBND phường"


async def test_restart_mid_dialog_goes_on(api: FakeBotAPI, running: RunningBot, db: Db) -> None:
    lan = api.user(1007)
    await lan.send("/dangky")
    await lan.send("Nguyễn Thị Lan")
    await lan.send("cau giay")
    await lan.expect("Bấm chọn")
    await lan.press("Phường Cầu Giấy")
    await lan.expect("Chức vụ của bạn")

    await running.restart()

    await lan.send("Công chức")
    await lan.expect("Số điện thoại để Sở liên hệ")
    await lan.send("0912 345 678")
    review = await lan.expect("Vui lòng kiểm tra")
    assert "Nguyễn Thị Lan" in review.text and "Phường Cầu Giấy" in review.text
    await lan.press("Gửi")
    await lan.expect("Đã gửi đăng ký")


async def test_same_update_twice_and_double_tap_store_one(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = api.user(1008)
    await lan.send("/dangky")
    await lan.send("Nguyễn Thị Lan", times=2)  # Telegram delivered the update twice
    await lan.expect("xã, phường nào")
    await lan.send("cau giay")
    await lan.expect("Bấm chọn")
    await lan.press("Phường Cầu Giấy")
    await lan.expect("Chức vụ của bạn")
    await lan.send("Công chức")
    await lan.expect("Số điện thoại để Sở")
    await lan.send("0912 345 678")
    await lan.expect("Vui lòng kiểm tra")
    start = len(api.sent)
    message, button = lan.find_button("Gửi")
    await lan.press_data(message, button["callback_data"], times=2)  # the same update twice
    await lan.press_data(message, button["callback_data"])  # and a second tap
    # The confirmation comes from the outbox, the refusal of the second tap straight away.
    await api.wait_for(lambda e: e.chat_id == lan.id and "Đã gửi đăng ký" in e.text, after=start)
    await lan.expect("Lựa chọn này không còn hiệu lực")
    await api.wait_for(lambda e: e.chat_id == ADMIN_ID and "Đăng ký mới" in e.text, after=start)
    # A barrier: once /help is answered, every earlier update of this user was handled.
    await lan.send("/help")
    await lan.expect("Các lệnh")
    confirmations = [e for e in lan.since(start) if "Đã gửi đăng ký" in e.text]
    assert len(confirmations) == 1
    questions = [e for e in lan.since(0) if "xã, phường nào" in e.text]
    assert len(questions) == 1
    cards = [e for e in api.sent[start:] if e.chat_id == ADMIN_ID and "Đăng ký mới" in e.text]
    assert len(cards) == 1
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(User)) >= 1
        assert (await session.get(User, 1008)) is not None

    await lan.send("/dangky")
    await lan.expect("đang chờ duyệt")


async def test_roles_are_enforced_politely(api: FakeBotAPI, running: RunningBot) -> None:
    stranger = api.user(1009)
    await stranger.send("/duyet")
    await stranger.expect("dành cho cán bộ đã đăng ký")
    await stranger.send("/phanquyen")
    await stranger.expect("dành cho cán bộ đã đăng ký")
    await stranger.send("/baocao")
    await stranger.expect("/dangky")

    officer = api.user(1010)
    await register(officer)
    await approve(api, officer)
    await officer.send("/duyet")
    await officer.expect("chỉ dành cho chuyên viên Sở")
    await officer.send("/phanquyen")
    await officer.expect("chỉ dành cho quản trị viên")
    await officer.send("/dangky")
    await officer.expect("Bạn đã đăng ký")
    # A forged Duyệt button from an officer changes nothing.
    admin = api.user(ADMIN_ID)
    card = await admin.expect("Đăng ký mới")
    assert card.message is not None
    await officer.press_data(
        card.message, card.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    )
    await officer.expect("Lựa chọn này không còn hiệu lực")


async def test_admin_grants_staff_role_and_staff_approves(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    chi = api.user(1011, "Chi", "Lê")
    await chi.send("/start")
    await chi.expect("Xin chào")
    admin = api.user(ADMIN_ID)
    await admin.send("/phanquyen 1011")
    await admin.expect("chưa đăng ký (mới mở bot)")
    await admin.press("Cấp quyền")
    await admin.expect("Cấp quyền chuyên viên Sở cho")
    await admin.press("Xác nhận")
    await admin.expect("Xong: Chi Lê (id 1011) — chuyên viên Sở.")
    await chi.expect("Bạn đã được cấp quyền chuyên viên Sở")
    await chi.send("/duyet")
    await chi.expect("Không có đăng ký nào")

    lan = api.user(1012)
    await register(lan)
    await chi.send("/duyet")
    await chi.expect("Có 1 đăng ký")
    await chi.expect("Đăng ký mới")
    await chi.press("Duyệt")
    await lan.expect("đã được duyệt")
    async with db() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions == ["role.grant_staff", "registration.approve"]


async def test_language_switch_to_english(api: FakeBotAPI, running: RunningBot) -> None:
    lan = api.user(1013)
    await lan.send("/ngonngu")
    await lan.expect("Chọn ngôn ngữ")
    await lan.press("English")
    await lan.expect("Language: English")
    await lan.send("/help")
    assert "/dangky — Register" in (await lan.expect("Commands")).text


async def test_unknown_things_are_answered(api: FakeBotAPI, running: RunningBot) -> None:
    lan: FakeUser = api.user(1014)
    await lan.send("xin chào")
    await lan.expect("chưa hiểu")
    await lan.send("/khongco")
    await lan.expect("Không có lệnh này")
    await lan.send_sticker()
    await lan.expect("chưa hiểu")


async def test_a_burst_of_users_is_all_answered(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    """200 people type at the same moment: every one is answered and their dialog stored.

    (Two pooled connections per update once deadlocked the pool past ~16 updates at once.)
    """
    people = [api.user(50_000 + n) for n in range(200)]
    for person in people:
        await person.send("/dangky")
    for person in people:
        await person.expect("Họ và tên của bạn")
    for person in people:
        await person.send("Nguyễn Văn An")
    for person in people:
        await person.expect("xã, phường nào")
    assert not [e for e in api.sent if "Xin lỗi" in e.text]


async def test_an_update_delivered_again_after_a_restart_is_handled_once(
    api: FakeBotAPI, running: RunningBot
) -> None:
    """Polling confirms updates only with its next request: a bot that stops in between
    gets the last ones again after its restart. Its memory is gone; the database knows."""
    lan = api.user(1040)
    await lan.send("/dangky")
    await lan.expect("Họ và tên")
    answer = lan._message(text="Nguyễn Thị Lan")
    update_id = await api.push(answer)
    await lan.expect("xã, phường nào")
    await running.restart()
    await api.push({**answer, "update_id": update_id})
    # A barrier: once /help is answered, the update before it was dealt with.
    await lan.send("/help")
    await lan.expect("Các lệnh")
    texts = [e.text for e in lan.since(0)]
    assert sum("Bạn công tác tại xã, phường nào" in text for text in texts) == 1
    # Handled again, the full name would have been taken for a unit's name.
    assert not any("khớp với" in text for text in texts)
    # The dialog is where it was: waiting for the unit.
    await lan.send("cau giay")
    await lan.expect("Bấm chọn")


async def _at_unit_step(api: FakeBotAPI, user_id: int) -> FakeUser:
    officer = api.user(user_id)
    await officer.send("/dangky")
    await officer.send("Nguyễn Thị Lan")
    await officer.expect("xã, phường nào")
    return officer


@pytest.mark.parametrize(
    ("query", "district", "formed"),
    [
        (
            "quan dong da",
            "Quận Đống Đa",
            ["Phường Đống Đa", "Phường Kim Liên", "Phường Láng", "Phường Ô Chợ Dừa"],
        ),
        ("Huyện Sóc Sơn", "Huyện Sóc Sơn", ["Xã Sóc Sơn", "Xã Đa Phúc", "Xã Nội Bài"]),
    ],
)
async def test_an_old_district_says_districts_are_gone_and_offers_its_units(
    api: FakeBotAPI, running: RunningBot, db: Db, query: str, district: str, formed: list[str]
) -> None:
    lan = await _at_unit_step(api, 1010)
    await lan.send(query)
    answer = await lan.expect("không còn cấp huyện")
    assert district in answer.text and "01/07/2025" in answer.text
    assert set(formed) <= set(answer.buttons)
    assert "Phường Cầu Giấy" not in answer.buttons
    await lan.press(formed[0])
    await lan.expect("Chức vụ của bạn")


async def test_a_typo_offers_the_nearest_names(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await _at_unit_step(api, 1011)
    await lan.send("zzzz qqqq")
    await lan.expect("Không có đơn vị nào khớp")
    await lan.send("Cau Giai")
    answer = await lan.expect("gần giống")
    assert "Cau Giai" in answer.text and "Phường Cầu Giấy" in answer.buttons
    await lan.press("Phường Cầu Giấy")
    await lan.expect("Chức vụ của bạn")


async def test_many_matches_are_listed_when_they_fit_on_a_screen(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await _at_unit_step(api, 1012)
    await lan.send("hoa")
    answer = await lan.expect("Bấm chọn đơn vị")
    units = [label for label in answer.buttons if label.startswith(("Phường ", "Xã "))]
    assert len(units) == 12 and {"Xã Hòa Xá", "Phường Hoàn Kiếm", "Xã Hòa Lạc"} <= set(units)
    await lan.send("an")
    await lan.expect("Có 33 đơn vị khớp")


async def test_an_old_ward_offers_the_units_it_went_into(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    lan = await _at_unit_step(api, 1013)
    await lan.send("Phường Dịch Vọng Hậu")
    answer = await lan.expect("địa bàn cũ nay thuộc")
    assert "Phường Dịch Vọng Hậu (Quận Cầu Giấy)" in answer.text
    assert "Phường Cầu Giấy" in answer.buttons
    await lan.press("Phường Cầu Giấy")
    await lan.expect("Chức vụ của bạn")

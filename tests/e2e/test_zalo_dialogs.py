"""Zalo, as an officer or staff member who can only type: photos, bad input, numbers that
survive a restart, command words inside dialogs, the menu, progress, Zalo's own 429s."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI
from bot.zalo.choices import screen_numbers
from bot.zalo.fake import FakeZaloAPI, ZaloFault, ZaloSent, ZaloUser
from bot.zalo.photos import PhotoStore
from storage.database import create_sessionmaker
from storage.models import (
    Account,
    Attachment,
    Delivery,
    DeliveryState,
    RegistrationStatus,
    Role,
    Submission,
    User,
)
from storage.repositories.accounts import ZALO_FIRST_ID
from storage.repositories.broadcasts import enqueue_notice
from tests.e2e.broadcasting import add_officers, unit_code
from tests.harness import ADMIN_ID, RunningBot

LAN = "f0e1d2c3b4a596877869"
PHOTO = b"\xff\xd8\xff\xe0" + b"JFIF photo of the training session" * 40


def database(bot: RunningBot) -> async_sessionmaker[AsyncSession]:
    assert bot.app is not None
    return create_sessionmaker(bot.app.engine)


async def zalo_officer(
    bot: RunningBot, zalo_api: FakeZaloAPI, zalo_id: str = LAN, n: int = 0
) -> tuple[ZaloUser, int]:
    """An approved officer of Phường Cầu Giấy who uses Zalo (registration has its tests)."""
    assert bot.app is not None
    db = database(bot)
    user_id = ZALO_FIRST_ID - 100 - n
    await add_officers(db, unit_code(bot.app.units, "cau giay"), user_id, 1)
    async with db() as session:
        session.add(Account(messenger="zalo", external_id=zalo_id, user_id=user_id))
        await session.commit()
    return zalo_api.user(zalo_id, "Lan Nguyễn"), user_id


def number_of(sent: ZaloSent, label: str) -> str:
    """The number typed to choose `label` on a numbered screen."""
    return next(
        line.split(".")[0].strip()
        for line in sent.text.splitlines()
        if line[:1].isdigit() and label in line
    )


async def report_up_to_files(lan: ZaloUser) -> None:
    """/baocao typed, every question answered, up to the files."""
    await lan.send("báo cáo")
    await lan.expect("Kỳ báo cáo")
    await lan.send("1")
    await lan.expect("Lĩnh vực")
    await lan.send("1")
    await lan.expect("Số hoạt động đã thực hiện")
    await lan.send("3")
    await lan.expect("Số người tham gia")
    await lan.send("bỏ qua")
    await lan.expect("Nội dung chính")
    await lan.send("Tập huấn chuyển đổi số cho người dân")
    await lan.expect("Kinh phí đã sử dụng")
    await lan.send("bỏ qua")
    await lan.expect("Khó khăn, vướng mắc")
    await lan.send("bỏ qua")
    await lan.expect("Kiến nghị, đề xuất")
    await lan.send("bỏ qua")
    await lan.expect("Ảnh / tài liệu đính kèm")


async def send_the_review(lan: ZaloUser) -> None:
    await lan.send("xong")
    review = await lan.expect("Gửi")
    await lan.send(number_of(review, "Gửi"))
    await lan.expect("Đã gửi")


async def test_a_zalo_photo_is_kept_and_reaches_telegram_staff(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    assert both.app is not None and both.app.zalo is not None
    lan, officer = await zalo_officer(both, zalo_api)
    await report_up_to_files(lan)
    # Too large for the bot's limit: said plainly, and the step stays (nothing taken).
    both.app.zalo.photo_limit = len(PHOTO) - 1
    await lan.send_photo(PHOTO)
    await lan.expect("quá lớn")
    # Zalo no longer has it (gone, or refused): asked again, still on the step.
    both.app.zalo.photo_limit = 20 * 1024 * 1024
    url = await lan.send_photo(PHOTO, caption="Lớp tập huấn")
    await lan.expect("Đã nhận 1")
    zalo_api.photos.clear()
    lost = f"{zalo_api.base_url}/photos/nothing-here.jpg"
    await lan.api.push(lan._update("message.image.received", photo_url=lost))
    await lan.expect("Không lấy được ảnh")
    await send_the_review(lan)
    # Kept on disk as it arrived, even though Zalo has dropped it since.
    kept = PhotoStore(both.settings.files_dir).kept(url)
    assert kept is not None and kept.read_bytes() == PHOTO
    async with database(both)() as session:
        submission = await session.scalar(
            select(Submission).where(Submission.officer_id == officer)
        )
        assert submission is not None
        files = (
            await session.scalars(
                select(Attachment).where(Attachment.submission_id == submission.id)
            )
        ).all()
    assert [(f.messenger, f.file_id, f.caption, f.size) for f in files] == [
        ("zalo", url, "Lớp tập huấn", len(PHOTO))
    ]
    # The staff card on Telegram carries the photo itself, uploaded from the kept copy.
    photo = await api.wait_for(lambda e: e.chat_id == ADMIN_ID and e.method == "sendPhoto")
    assert isinstance(photo.params["photo"], dict)
    assert photo.params["photo"]["content"] == PHOTO
    assert "Lớp tập huấn" in photo.text


async def test_a_zalo_photo_that_times_out_is_asked_again(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    assert both.app is not None and both.app.zalo is not None
    lan, _ = await zalo_officer(both, zalo_api)
    await report_up_to_files(lan)
    both.app.zalo.photo_timeout = 0.2
    zalo_api.photo_delay = 2.0
    await lan.send_photo(PHOTO)
    await lan.expect("không đến kịp")
    zalo_api.photo_delay = 0.0
    await lan.send_photo(PHOTO)
    await lan.expect("Đã nhận 1")
    await send_the_review(lan)


async def test_bad_input_on_zalo_says_why_and_shows_the_question_again(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    """/baocao typed on Zalo with a bad answer at three steps: each time a short message and
    the question again in the same message (no buttons above to look at), nothing lost."""
    lan, officer = await zalo_officer(both, zalo_api)
    await lan.send("báo cáo")
    await lan.expect("Kỳ báo cáo")
    # An impossible month.
    await lan.send("13/2026")
    again = await lan.expect("Kỳ báo cáo")
    assert again.text.index("tháng") < again.text.index("Kỳ báo cáo"), again.text
    assert "1. " in again.text  # the choices, to type a number
    await lan.send("1")
    await lan.expect("Lĩnh vực")
    await lan.send("1, 3")
    await lan.expect("Số hoạt động đã thực hiện")
    # A malformed number.
    await lan.send("12 hoạt động")
    again = await lan.expect("Số hoạt động đã thực hiện")
    assert again.text.startswith("Vui lòng nhập một số nguyên"), again.text
    await lan.send("12")
    await lan.expect("Số người tham gia")
    await lan.send("40")
    await lan.expect("Nội dung chính")
    # A sticker where text is asked.
    await lan.send_sticker()
    again = await lan.expect("Nội dung chính")
    assert again.text.index("Vui lòng") < again.text.index("Nội dung chính"), again.text
    await lan.send("Tập huấn chuyển đổi số cho người dân")
    await lan.expect("Kinh phí đã sử dụng")
    for question in ("Khó khăn, vướng mắc", "Kiến nghị, đề xuất", "Ảnh / tài liệu đính kèm"):
        await lan.send("bỏ qua")
        await lan.expect(question)
    await lan.send("bỏ qua")
    review = await lan.expect("Gửi")
    await lan.send(number_of(review, "Gửi"))
    await lan.expect("Đã gửi")
    async with database(both)() as session:
        submission = await session.scalar(
            select(Submission).where(Submission.officer_id == officer)
        )
    assert submission is not None
    answers = submission.answers
    assert answers["areas"] == ["communication", "innovation"]
    assert answers["activity_count"] == 12 and answers["participant_count"] == 40
    assert answers["main_content"] == "Tập huấn chuyển đổi số cho người dân"
    assert submission.period is not None


async def test_numbered_buttons_survive_a_restart(both: RunningBot, zalo_api: FakeZaloAPI) -> None:
    """Registration's unit list is buttons (numbered on Zalo): a restart between the list and
    the typed number does not forget what the number stands for."""
    new = zalo_api.user("0a1b2c3d4e5f60718293", "Bình Trần")
    await new.send("đăng ký")
    await new.expect("Họ và tên của bạn")
    await new.send("Trần Văn Bình")
    await new.expect("xã, phường nào")
    await new.send("cau giay")
    shown = await new.expect("Phường Cầu Giấy")
    await both.restart()
    await new.send(number_of(shown, "Phường Cầu Giấy"))
    await new.expect("Chức vụ của bạn")


async def test_a_notice_in_the_middle_of_a_dialog_does_not_renumber_it(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    lan, officer = await zalo_officer(both, zalo_api)
    await lan.send("báo cáo")
    screen = await lan.expect("Kỳ báo cáo")
    options = screen_numbers(screen.text)
    assert options >= 2
    async with database(both)() as session:
        await enqueue_notice(
            session,
            created_by=ADMIN_ID,
            text="Hội nghị tổng kết năm",
            recipients=[officer],
            buttons={"inline_keyboard": [[{"text": "Đăng ký", "callback_data": "nothing"}]]},
        )
        await session.commit()
    notice = await lan.expect("Hội nghị tổng kết năm")
    # The notice's button comes after the dialog's own numbers, which keep their meaning.
    assert f"{options + 1}. Đăng ký" in notice.text, notice.text
    await both.restart()
    # Its number presses it, after a restart too (an old button here: said so)...
    await lan.send(str(options + 1))
    await lan.expect("không còn")
    # ...and the dialog's numbers are the dialog's.
    await lan.send("1")
    await lan.expect("Lĩnh vực")


async def test_a_command_word_typed_as_an_answer_is_the_answer(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    """Inside a dialog "báo cáo" is what the officer wrote, not /baocao; "hủy" still leaves."""
    lan, _ = await zalo_officer(both, zalo_api)
    await lan.send("báo cáo")
    await lan.expect("Kỳ báo cáo")
    for answer, question in (
        ("1", "Lĩnh vực"),
        ("1", "Số hoạt động đã thực hiện"),
        ("2", "Số người tham gia"),
        ("bỏ qua", "Nội dung chính"),
        ("Báo cáo", "Kinh phí đã sử dụng"),
        ("bỏ qua", "Khó khăn, vướng mắc"),
        ("bỏ qua", "Kiến nghị, đề xuất"),
        ("thống kê", "Ảnh / tài liệu đính kèm"),
    ):
        await lan.send(answer)
        await lan.expect(question)
    await lan.send("hủy")
    sure = await lan.expect("Hủy?")
    await lan.send(number_of(sure, "Có, hủy"))
    await lan.expect("Đã hủy")
    # Outside the dialog the same words are commands again.
    await lan.send("báo cáo")
    await lan.expect("Kỳ báo cáo")


async def test_a_message_that_means_nothing_gets_a_menu_of_words_by_role(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    assert both.app is not None
    lan, _ = await zalo_officer(both, zalo_api)
    await lan.send("xin chào")
    menu = await lan.expect("Bạn có thể gõ")
    assert "• báo cáo — " in menu.text and "• trạng thái — " in menu.text
    assert "thông báo" not in menu.text and "/help" not in menu.text
    # Typed as shown, it works.
    await lan.send("trạng thái")
    await lan.expect("Phường Cầu Giấy")
    staff_id = ZALO_FIRST_ID - 500
    db = database(both)
    async with db() as session:
        session.add(
            User(
                id=staff_id,
                full_name="Chuyên viên Sở",
                role=Role.STAFF,
                status=RegistrationStatus.APPROVED,
            )
        )
        await session.flush()
        session.add(Account(messenger="zalo", external_id="5" * 20, user_id=staff_id))
        await session.commit()
    staff = zalo_api.user("5" * 20, "Chuyên viên")
    await staff.send("?")
    menu = await staff.expect("Bạn có thể gõ")
    assert "• thông báo — " in menu.text and "• hồ sơ — " in menu.text
    assert "• báo cáo — " not in menu.text and "phân quyền" not in menu.text
    guest = zalo_api.user("6" * 20, "Khách")
    await guest.send("alo")
    menu = await guest.expect("Bạn có thể gõ")
    assert "• đăng ký — " in menu.text and "báo cáo" not in menu.text


async def test_zalo_429_holds_back_zalo_only(
    both: RunningBot, api: FakeBotAPI, zalo_api: FakeZaloAPI
) -> None:
    """Zalo's quota answers 429 (retry after 5 s): Zalo's copies wait it out, Telegram's
    don't; everyone gets one copy."""
    assert both.app is not None
    db = database(both)
    unit = unit_code(both.app.units, "cau giay")
    on_zalo = []
    for n in range(4):
        _, user_id = await zalo_officer(both, zalo_api, f"{n:020d}", n)
        on_zalo.append(user_id)
    on_telegram = await add_officers(db, unit, 8001, 4)
    # Zalo asks for a 5 s wait: long beside four Telegram sends, even on a loaded machine.
    zalo_api.flood_limit, zalo_api.flood_retry_after = 2, 5
    async with db() as session:
        await enqueue_notice(
            session,
            created_by=ADMIN_ID,
            text="Lịch họp giao ban",
            recipients=[*on_zalo, *on_telegram],
        )
        await session.commit()
    for n in range(4):
        await api.wait_for(lambda e, n=n: e.chat_id == 8001 + n and "giao ban" in e.text)
    assert zalo_api.too_many >= 1
    # Telegram's copies went out while Zalo's were still held by the 429: not all there yet.
    assert len([s for s in zalo_api.sent if "giao ban" in s.text]) < 4
    for n in range(4):
        await zalo_api.wait_for(lambda s, n=n: s.chat_id == f"{n:020d}" and "giao ban" in s.text)
    assert sorted(s.chat_id for s in zalo_api.sent if "giao ban" in s.text) == [
        f"{n:020d}" for n in range(4)
    ]
    assert len([e for e in api.sent if "giao ban" in e.text]) == 4


async def test_zalo_error_codes_as_documented(both: RunningBot, zalo_api: FakeZaloAPI) -> None:
    """404 on a send: the person can't be reached (not retried); 403 is Zalo's "internal
    server error": tried again, then delivered."""
    assert both.app is not None
    gone, gone_id = await zalo_officer(both, zalo_api, "7" * 20, 1)
    busy, busy_id = await zalo_officer(both, zalo_api, "8" * 20, 2)
    zalo_api.faults += [
        ZaloFault("sendMessage", 404, "Not found", times=5, chat_id=gone.id),
        ZaloFault("sendMessage", 403, "Internal server error", times=1, chat_id=busy.id),
    ]
    db = database(both)
    async with db() as session:
        notice = await enqueue_notice(
            session, created_by=ADMIN_ID, text="Nhắc lịch", recipients=[gone_id, busy_id]
        )
        await session.commit()
    await busy.expect("Nhắc lịch")
    async with db() as session:
        for _ in range(200):
            states = dict(
                (
                    await session.execute(
                        select(Delivery.chat_id, Delivery.state).where(
                            Delivery.notice_id == notice.id
                        )
                    )
                ).all()
            )
            if DeliveryState.PENDING not in states.values() and len(states) == 2:
                if all(s is not DeliveryState.SENDING for s in states.values()):
                    break
            await asyncio.sleep(0.05)
            session.expire_all()
    assert states == {gone_id: DeliveryState.UNREACHABLE, busy_id: DeliveryState.SENT}
    assert [p["chat_id"] for m, p in zalo_api.requests if m == "sendMessage"].count(gone.id) == 1


async def test_the_review_on_zalo_numbers_each_thing_once_and_says_what_to_type(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    """The review's answers keep their numbers (typed, one changes that answer), the actions
    come after them, the edit menu numbers each answer once, and nothing says "press"."""
    lan, officer = await zalo_officer(both, zalo_api)
    await report_up_to_files(lan)
    await lan.send("xong")  # Done with nothing sent: an optional files step, so no files
    review = await lan.expect("Gửi")
    assert "bấm" not in review.text.lower() and "nút" not in review.text, review.text
    assert number_of(review, "Gửi") == "10" and number_of(review, "Sửa") == "11", review.text
    numbers = [line.split(".")[0] for line in review.text.splitlines() if line[:1].isdigit()]
    assert len(numbers) == len(set(numbers)), review.text
    await lan.send("abc")
    refused = await lan.expect("Gửi")
    assert refused.text.startswith("Vui lòng gõ số"), refused.text
    await lan.send("3")  # the third answer, to change it
    await lan.expect("Số hoạt động đã thực hiện")
    await lan.send("4")
    review = await lan.expect("Gửi")
    assert "3. Số hoạt động đã thực hiện: 4" in review.text, review.text
    await lan.send(number_of(review, "Sửa"))
    menu = await lan.expect("Lĩnh vực")
    assert "2. Lĩnh vực" in menu.text and "2. 2." not in menu.text, menu.text
    await lan.send("quay lại")
    review = await lan.expect("Gửi")
    await lan.send(number_of(review, "Gửi"))
    await lan.expect("Đã gửi")
    async with database(both)() as session:
        submission = await session.scalar(
            select(Submission).where(Submission.officer_id == officer)
        )
    assert submission is not None and submission.answers["activity_count"] == 4


async def test_choose_several_and_files_on_zalo_say_what_to_type(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    lan, _ = await zalo_officer(both, zalo_api)
    await lan.send("báo cáo")
    await lan.expect("Kỳ báo cáo")
    await lan.send("1")
    areas = await lan.expect("Lĩnh vực")
    assert "bấm" not in areas.text.lower(), areas.text
    await lan.send("1")
    for question in ("Số hoạt động đã thực hiện",):
        await lan.expect(question)
    await lan.send("3")
    await lan.expect("Số người tham gia")
    await lan.send("bỏ qua")
    await lan.expect("Nội dung chính")
    await lan.send("Tập huấn")
    for question in ("Kinh phí đã sử dụng", "Khó khăn, vướng mắc", "Kiến nghị, đề xuất"):
        await lan.expect(question)
        await lan.send("bỏ qua")
    files = await lan.expect("Ảnh / tài liệu đính kèm")
    assert "bấm" not in files.text.lower() and "«xong»" in files.text, files.text
    await lan.send_photo(PHOTO)
    received = await lan.expect("Đã nhận 1")
    assert "bấm" not in received.text.lower() and "gõ «xong»" in received.text, received.text
    await send_the_review(lan)

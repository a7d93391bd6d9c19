"""`make demo`: the terminal rendering, a scripted chat through the front end, and the command."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit import PromptSession
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot.demo.people import ADMIN_ID, FIRST_NEW_ID, OFFICER_ID
from bot.demo.session import DemoSession, telegram_phone
from bot.demo.terminal import run_prompt, run_script
from bot.demo.transcript import ChatView, ChoiceKind, Fragments, html_fragments, plain
from bot.emulator import Sent
from bot.i18n import create_i18n
from storage.models import RegistrationStatus
from storage.repositories import users

ROOT = Path(__file__).resolve().parent.parent
FAST = {"throttle_rate": 10_000, "throttle_burst": 10_000}  # scripts type faster than people


@pytest.fixture
def vi() -> Iterator[None]:
    """The demo's own words come from the catalogue, as in the running demo."""
    i18n = create_i18n("vi")
    with i18n.context(), i18n.use_locale("vi"):
        yield


def sent(method: str, message_id: int = 7, **params: Any) -> Sent:
    return Sent(method, 1, params, {"message_id": message_id, "text": params.get("text", "")})


def texts(lines: list[Fragments]) -> list[str]:
    return [plain(line) for line in lines]


def inline(*rows: list[tuple[str, str]]) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]}


# --- the transcript renderer ---------------------------------------------------------------


def test_telegram_html_is_rendered_as_styles(vi: None) -> None:
    fragments = html_fragments(
        '<b>Đăng ký mới</b> &amp; <i>nghiêng</i> <code>/dangky</code> <a href="https://sokhcn.vn">Sở</a>'
    )
    assert plain(fragments) == "Đăng ký mới & nghiêng /dangky Sở (https://sokhcn.vn)"
    assert ("class:b", "Đăng ký mới") in fragments
    assert ("class:i", "nghiêng") in fragments
    assert ("class:code", "/dangky") in fragments
    lines = ChatView().render(sent("sendMessage", text="<b>Một</b>\n\n<i>Hai</i>\nBa"))
    assert texts(lines) == ["🤖 Một", "", "   Hai", "   Ba"]


def test_inline_buttons_are_numbered_across_one_answer(vi: None) -> None:
    view = ChatView()
    first = view.render(
        sent(
            "sendMessage",
            1,
            text="Kiểm tra",
            reply_markup=inline([("✅ Gửi", "s"), ("✏️ Sửa", "e")], [("❌ Hủy", "c")]),
        )
    )
    second = view.render(
        sent("sendMessage", 2, text="Hoặc", reply_markup=inline([("⬅️ Quay lại", "b")]))
    )
    assert texts(first) == ["🤖 Kiểm tra", "   [a] ✅ Gửi   [b] ✏️ Sửa", "   [c] ❌ Hủy"]
    assert texts(second) == ["🤖 Hoặc", "   [d] ⬅️ Quay lại"]
    pressed = view.choice("B")
    assert pressed is not None and (pressed.kind, pressed.data, pressed.message_id) == (
        ChoiceKind.CALLBACK,
        "e",
        1,
    )
    # A message without buttons keeps the letters; the person's next input starts again at a.
    view.new_turn()
    view.render(sent("sendMessage", 3, text="Sai rồi"))
    assert view.choice("d") is not None
    again = view.render(
        sent("sendMessage", 4, text="Chọn", reply_markup=inline([("Phường Cầu Giấy", "u")]))
    )
    assert texts(again)[1] == "   [a] Phường Cầu Giấy" and view.choice("b") is None
    # Numbers and words press nothing: they are what the person types.
    assert view.index("1") is None and view.index("ab") is None and view.index("a ") == 0


def test_reply_keyboard_shows_the_contact_button(vi: None) -> None:
    view = ChatView()
    keyboard = {
        "keyboard": [
            [{"text": "📱 Chia sẻ số điện thoại của tôi", "request_contact": True}],
            [{"text": "❌ Hủy"}],
        ]
    }
    lines = view.render(sent("sendMessage", text="Số điện thoại?", reply_markup=keyboard))
    assert texts(lines) == [
        "🤖 Số điện thoại?",
        "   ⌨  [a] 📱 Chia sẻ số điện thoại của tôi  (:contact)",
        "      [b] ❌ Hủy",
    ]
    assert [c.kind for c in view.choices if c] == [ChoiceKind.CONTACT, ChoiceKind.TEXT]
    # Once the bot removes the keyboard, its letters press nothing.
    view.render(
        sent(
            "sendMessage",
            text="Số điện thoại: 0912 345 678 ✓",
            reply_markup={"remove_keyboard": True},
        )
    )
    assert view.choices == [None, None]


def test_edits_files_and_toasts(vi: None) -> None:
    view = ChatView()
    edit = view.render(sent("editMessageText", text="Đơn vị: <b>Phường Cầu Giấy</b> ✓"))
    assert texts(edit) == ["🤖 ✏️  (đã sửa tin nhắn trước) Đơn vị: Phường Cầu Giấy ✓"]
    buttons = view.render(
        Sent(
            "editMessageReplyMarkup",
            1,
            {"message_id": 7, "reply_markup": inline([("Họ tên", "f")])},
            {"message_id": 7, "text": "<b>Vui lòng kiểm tra</b>\nHọ tên: Lan"},
        )
    )
    assert texts(buttons) == [
        "🤖 ✏️  (nút mới dưới tin nhắn trước: Vui lòng kiểm tra)",
        "   [a] Họ tên",
    ]
    assert view.render(sent("editMessageReplyMarkup", reply_markup=None)) == []
    upload = {"filename": "bao-cao-thang-11.xlsx", "content": b"x" * 2048}
    document = view.render(
        sent("sendDocument", document="attach://k1", k1=upload, caption="Báo cáo <b>tháng 11</b>")
    )
    assert texts(document) == ["🤖 📎 tệp: bao-cao-thang-11.xlsx (2 KB)", "   Báo cáo tháng 11"]
    photo = view.render(sent("sendPhoto", photo="AgACphoto1"))
    assert texts(photo) == ["🤖 🖼  ảnh: AgACphoto1"]
    view.file_names["U1"] = "hiện trường.jpg"  # sent from disk with :photo, now sent back
    assert texts(view.render(sent("sendPhoto", photo="U1"))) == ["🤖 🖼  ảnh: hiện trường.jpg"]
    toast = view.render(Sent("answerCallbackQuery", 1, {"text": "Đã duyệt."}))
    assert texts(toast) == ["🤖 💬 Đã duyệt."]
    assert view.render(Sent("answerCallbackQuery", 1, {})) == []


def test_typed_numbers_become_telegram_contacts() -> None:
    assert telegram_phone("0912 345 678") == "84912345678"
    assert telegram_phone("+84 912 345 678") == "84912345678"


# --- a scripted chat through the front end -------------------------------------------------


async def _lines(*typed: str) -> AsyncIterator[str]:
    for line in typed:
        yield line + "\n"


def assert_in_order(transcript: list[str], expected: list[str]) -> None:
    """Every expected piece appears in a line of its own, in this order."""
    position = 0
    for piece in expected:
        for index in range(position, len(transcript)):
            if piece in transcript[index]:
                position = index + 1
                break
        else:
            shown = "\n".join(transcript[max(0, position - 5) :])
            raise AssertionError(f"{piece!r} not found after line {position}:\n{shown}")


REGISTRATION = [
    "/start",
    ":as new",
    "/dangky",
    "Phạm Văn Đức",
    "cau giay",
    "a",
    "Công chức Văn hóa - Xã hội",
    ":contact 0987 654 321",
    "a",
    ":as admin",
    "a",
    f":as {FIRST_NEW_ID}",
    "/start",
    ":quit",
    "/help",  # after :quit: never read
]

EXPECTED = [
    "Nguyễn Thị Lan › /start",
    "🤖 Xin chào Nguyễn Thị Lan!",
    f"── Người đang gõ: Phạm Văn Đức (người dùng mới), id {FIRST_NEW_ID} ──",
    "Phạm Văn Đức › /dangky",
    "🤖 Đăng ký · bước 1/4",
    "   [a] ❌ Hủy",
    "Phạm Văn Đức › Phạm Văn Đức",
    "🤖 Đăng ký · bước 2/4",
    "   [a] ⬅️ Quay lại   [b] ❌ Hủy",
    "Phạm Văn Đức › cau giay",
    "   [a] Phường Cầu Giấy",
    "   [b] ⬅️ Quay lại   [c] ❌ Hủy",
    "Phạm Văn Đức › a",
    "👆 Phường Cầu Giấy",
    "🤖 ✏️  (đã sửa tin nhắn trước) Đăng ký · bước 2/4",
    "   ✓ Phường Cầu Giấy",
    "🤖 Đăng ký · bước 3/4",
    "🤖 Đăng ký · bước 4/4",
    "   ⌨  [a] 📱 Chia sẻ số điện thoại của tôi  (:contact)",
    "   [b] ⬅️ Quay lại   [c] ❌ Hủy",
    "📱 đã chia sẻ số điện thoại: 0987 654 321",
    "   Vui lòng kiểm tra thông tin đăng ký",
    "   Số điện thoại: 0987 654 321",
    "   [a] ✅ Gửi   [b] ✏️ Sửa",
    "👆 ✅ Gửi",
    "🤖 ✅ Đã gửi đăng ký",
    "🔔 Tin mới cho Trần Văn Minh (quản trị viên): Đăng ký mới (gõ :as admin để xem)",
    "── Người đang gõ: Trần Văn Minh (quản trị viên), id 100000 ──",
    "🤖 Đăng ký mới",
    "   Họ tên: Phạm Văn Đức",
    "   [a] ✅ Duyệt   [b] ⛔ Từ chối",
    "👆 ✅ Duyệt",
    "🤖 ✏️  (đã sửa tin nhắn trước) Đăng ký mới",
    "đã duyệt lúc",
    "🤖 💬 Đã duyệt.",  # the press is answered once its handler is done
    "🔔 Tin mới cho Phạm Văn Đức (người dùng mới): ✅ Đăng ký của bạn đã được duyệt",
    f"── Người đang gõ: Phạm Văn Đức (người dùng mới), id {FIRST_NEW_ID} ──",
    "🤖 ✅ Đăng ký của bạn đã được duyệt",
    "Phạm Văn Đức › /start",
    "🤖 Xin chào Phạm Văn Đức! Bạn là cán bộ phụ trách KH&CN",
    "Phạm Văn Đức › :quit",
]


async def test_register_and_approve_through_the_front_end(tmp_path: Path) -> None:
    transcript: list[str] = []
    demo = DemoSession(
        tmp_path / "demo.db", lambda line: transcript.append(plain(line)), echo=True, **FAST
    )
    await demo.start()
    try:
        await run_script(demo, _lines(*REGISTRATION))
        async with demo.app.sessionmaker() as session:
            officer = await users.get_user(session, FIRST_NEW_ID)
            assert officer is not None
            assert (officer.full_name, officer.phone, officer.status) == (
                "Phạm Văn Đức",
                "+84987654321",
                RegistrationStatus.APPROVED,
            )
    finally:
        await demo.stop()
    assert_in_order(transcript, EXPECTED)
    notice = next(line for line in transcript if line.startswith("🔔 Tin mới cho Phạm Văn Đức"))
    assert notice.endswith(f"(gõ :as {FIRST_NEW_ID} để xem)")
    # Each answer comes before the next line is typed: nothing is left over at the end.
    assert transcript[-1] == "Phạm Văn Đức › :quit"


async def test_demo_commands_numbers_and_files(tmp_path: Path) -> None:
    picture = tmp_path / "hiện trường.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0 a tiny jpeg")
    transcript: list[str] = []
    demo = DemoSession(tmp_path / "demo.db", lambda line: transcript.append(plain(line)), **FAST)
    await demo.start()
    try:
        await run_script(
            demo,
            _lines(
                "/ngonngu",
                "7",  # a number is sent as a message, never a button
                ":text 1",  # a number sent as it is, though button 1 exists
                f':photo "{picture}"',
                ":photo /khong/co/anh.jpg",
                ":location",
                ":as",
                ":as nobody",
                ":nonsense",
            ),
        )
    finally:
        await demo.stop()
    assert_in_order(
        transcript,
        [
            "   [a] Tiếng Việt   [b] English",
            "🤖",  # the answer to "7"
            "🤖",  # the answer to "1"
            "📎 hiện trường.jpg",
            "Không đọc được /khong/co/anh.jpg",
            "📍 đã chia sẻ vị trí: 21.0288, 105.8525",
            f":as officer    Nguyễn Thị Lan (cán bộ), id {OFFICER_ID}  ←",
            f":as admin      Trần Văn Minh (quản trị viên), id {ADMIN_ID}",
            "Ai? Gõ :as officer",
            "Bản dùng thử không có lệnh :nonsense",
        ],
    )
    # The bot got the photo's bytes, as it would download them from Telegram.
    assert picture.read_bytes() in demo.api.files.values()
    # Neither "7" nor ":text 1" pressed a button: the language stayed Vietnamese.
    assert not any("English" in line and "Ngôn ngữ" in line for line in transcript)


async def test_a_restarted_demo_resumes_and_new_users_stay_new(tmp_path: Path) -> None:
    transcript: list[str] = []
    for _ in range(2):
        demo = DemoSession(
            tmp_path / "demo.db", lambda line: transcript.append(plain(line)), **FAST
        )
        await demo.start()
        try:
            await run_script(demo, _lines(":as new", "/start"))
        finally:
            await demo.stop()
    assert_in_order(transcript, [f"id {FIRST_NEW_ID} ──", f"id {FIRST_NEW_ID + 1} ──"])


async def test_the_prompt_takes_vietnamese_as_typed(tmp_path: Path) -> None:
    transcript: list[str] = []
    demo = DemoSession(tmp_path / "demo.db", lambda line: transcript.append(plain(line)), **FAST)
    await demo.start()
    try:
        with create_pipe_input() as keys:
            keys.send_text(":as new\r/dangky\rNguyễn Thị Lan\rcầu giấy\ra\r:quit\r")
            prompt: PromptSession[str] = PromptSession(input=keys, output=DummyOutput())
            await asyncio.wait_for(run_prompt(demo, prompt), timeout=30)
        async with demo.app.sessionmaker() as session:
            assert await users.get_user(session, FIRST_NEW_ID) is None  # not sent yet
    finally:
        await demo.stop()
    assert_in_order(
        transcript,
        [
            "🤖 Đăng ký · bước 2/4",
            "   [a] Phường Cầu Giấy",
            "👆 Phường Cầu Giấy",
            "🤖 Đăng ký · bước 3/4",
        ],
    )


# --- the command ---------------------------------------------------------------------------


def test_python_m_bot_demo_in_a_pipe(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ADMIN_IDS", "BOT_TOKEN"}
    }
    env.update(PYTHONPATH=str(ROOT), THROTTLE_RATE="1000", THROTTLE_BURST="1000")
    typed = [
        ":as new",
        "/dangky",
        "Phạm Văn Đức",
        "Cầu Giấy",
        "a",
        "Công chức",
        ":contact",
        "a",
        ":as admin",
        "a",
        ":quit",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--fresh", "--database", "chat/demo.db"],
        input="\n".join(typed) + "\n",
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert_in_order(
        out,
        [
            "Dùng thử khcn-bot",
            "Phạm Văn Đức › Phạm Văn Đức",
            "   [a] Phường Cầu Giấy",
            "🤖 Đăng ký · bước 3/4",
            "🤖 ✅ Đã gửi đăng ký",
            "🔔 Tin mới cho Trần Văn Minh (quản trị viên): Đăng ký mới",
            "   [a] ✅ Duyệt   [b] ⛔ Từ chối",
            "🤖 💬 Đã duyệt.",
            "✅ Đăng ký của bạn đã được duyệt",
        ],
    )
    assert (tmp_path / "chat" / "demo.db").exists()
    assert not (tmp_path / "data").exists()
    assert "Traceback" not in result.stderr


def test_a_piped_script_is_not_taken_for_a_flood(tmp_path: Path) -> None:
    """Piped lines come faster than a person types: each still gets its answer."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ADMIN_IDS", "BOT_TOKEN"}
        and not key.startswith("THROTTLE_")
    }
    env.update(PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--fresh", "--database", "demo.db"],
        input="/huy\n" * 25 + ":quit\n",
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Không có thao tác nào để hủy.") == 25, result.stdout
    assert "quá nhanh" not in result.stdout


async def test_a_restarted_demo_still_answers(tmp_path: Path) -> None:
    """`make demo`, :quit, `make demo` again, /start: answered (update_ids go on)."""
    transcript: list[str] = []
    for _ in range(2):
        demo = DemoSession(
            tmp_path / "demo.db", lambda line: transcript.append(plain(line)), **FAST
        )
        await demo.start()
        try:
            await run_script(demo, _lines("/start", "/help"))
        finally:
            await demo.stop()
    assert sum("🤖 Xin chào Nguyễn Thị Lan!" in line for line in transcript) == 2
    assert sum(line.startswith("   /huy") for line in transcript) == 2  # /help, twice


MENU = list(
    enumerate(
        (
            "Kỳ báo cáo",
            "Lĩnh vực",
            "Số hoạt động đã thực hiện",
            "Số người tham gia",
            "Nội dung chính",
            "Kinh phí đã sử dụng",
            "Khó khăn, vướng mắc",
            "Kiến nghị, đề xuất",
            "Ảnh / tài liệu đính kèm",
        ),
        start=1,
    )
)


async def test_a_screen_from_before_a_restart_is_edited_in_the_next_run(tmp_path: Path) -> None:
    """The demo left at a /baocao review; after `make demo` again, Sửa (edited in place) shows
    its menu, and the new messages do not take the ids of the ones from before."""
    transcript: list[str] = []
    database = tmp_path / "demo.db"
    lines = [
        _lines("/baocao", "b", "a", "xong", "3", "bỏ qua", "Tuyên truyền", "bỏ qua"),
        _lines("bỏ qua", "bỏ qua", "bỏ qua"),
        _lines("b"),
    ]
    ids: list[set[int]] = []
    for script in lines:
        demo = DemoSession(database, lambda line: transcript.append(plain(line)), **FAST)
        await demo.start()
        try:
            await run_script(demo, script)
            ids.append(
                {e.message["message_id"] for e in demo.api.sent if e.method == "sendMessage"}
            )
        finally:
            await demo.stop()
    assert ids[0].isdisjoint(ids[1])
    # The review was sent by the run before, and its buttons kept: Sửa ([b]) edits its
    # buttons into the list of answers.
    assert "(nút mới dưới tin nhắn trước: Báo cáo hoạt động KH&CN)" in transcript[-11]
    assert transcript[-10:] == [f"   [{'abcdefghi'[n - 1]}] {n}. {label}" for n, label in MENU] + [
        "   [j] ⬅️ Quay lại"
    ]


async def test_xuat_in_the_demo_saves_the_workbook_and_says_where(tmp_path: Path) -> None:
    transcript: list[str] = []
    database = tmp_path / "data" / "demo.db"
    demo = DemoSession(database, lambda line: transcript.append(plain(line)), **FAST)
    await demo.start()
    try:
        await run_script(demo, _lines(":as admin", "/xuat 11/2026"))
    finally:
        await demo.stop()
    saved = list((tmp_path / "data" / "exports").glob("*.xlsx"))
    assert len(saved) == 1 and saved[0].read_bytes().startswith(b"PK")
    assert any(f"💾 Tệp đã được lưu tại {saved[0]}" in line for line in transcript)


def test_export_demo_writes_the_demos_data(tmp_path: Path) -> None:
    database = tmp_path / "data" / "demo.db"

    async def make_demo() -> None:
        demo = DemoSession(database, lambda line: None, **FAST)
        await demo.start()
        await demo.stop()

    asyncio.run(make_demo())
    out = tmp_path / "x.xlsx"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "export",
            "--period",
            "11/2026",
            "--out",
            str(out),
            "--demo",
            str(database),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"PK")


async def test_zalo_in_the_demo_is_text_only_and_typed(tmp_path: Path) -> None:
    """`:zalo`: the officer's Zalo account (a report step by typed numbers), someone new on
    Zalo registering by typing only, and `:telegram` back."""
    transcript: list[str] = []
    demo = DemoSession(
        tmp_path / "demo.db", lambda line: transcript.append(plain(line)), echo=True, **FAST
    )
    await demo.start()
    try:
        await run_script(
            demo,
            _lines(
                ":zalo",
                "báo cáo",
                "1",
                ":as new",
                "đăng ký",
                "Phạm Văn Đức",
                "cau giay",
                "1",
                "Công chức Văn hóa - Xã hội",
                "0987 654 321",
                "1",
                ":telegram",
                "/start",
            ),
        )
    finally:
        await demo.stop()
    assert_in_order(
        transcript,
        [
            "Nguyễn Thị Lan (Zalo) › báo cáo",
            "bước 1/",
            "1. Tháng 11",
            "Nguyễn Thị Lan (Zalo) › 1",
            "bước 2/",
            "Gõ số thứ tự",
            "── Đang dùng Zalo: Đỗ Thị Ngọc",
            "Đỗ Thị Ngọc (Zalo) › đăng ký",
            "Họ và tên của bạn",
            "1. Phường Cầu Giấy",
            "Hoặc gõ: «quay lại», «hủy»",  # the engine's numbered text, as every dialog's
            "Số điện thoại",
            "Vui lòng kiểm tra thông tin đăng ký",
            "Đã gửi đăng ký",
            "Nguyễn Thị Lan › /start",
            "🤖 Xin chào Nguyễn Thị Lan!",
        ],
    )
    # The admin, on Telegram, is told of the registration made on Zalo.
    assert any(line.startswith("🔔 Tin mới cho Trần Văn Minh") for line in transcript)
    # Zalo shows no markup and no buttons: every screen there is plain, numbered text.
    assert not any("[1]" in sent.text or "<b>" in sent.text for sent in demo.zalo_api.sent)


async def test_zalo_linked_by_lienket_is_the_same_account_again_after_a_restart(
    tmp_path: Path,
) -> None:
    """`:zalo` for someone who linked Zalo with /lienket types on that linked account again
    (later in the run and after a restart), not on a stranger's new Zalo account."""
    database = tmp_path / "demo.db"
    transcript: list[str] = []
    demo = DemoSession(database, lambda line: transcript.append(plain(line)), echo=True, **FAST)
    await demo.start()
    try:
        await run_script(demo, _lines(*REGISTRATION[:-2], "/lienket"))
        code = next(line for line in transcript if "Mã liên kết" in line).split()[-1]
        await run_script(demo, _lines(":zalo", f"lien ket {code}", ":telegram", ":zalo"))
        await run_script(demo, _lines("trang thai"))
    finally:
        await demo.stop()
    demo = DemoSession(database, lambda line: transcript.append(plain(line)), echo=True, **FAST)
    await demo.start()
    try:
        await run_script(demo, _lines(f":as {FIRST_NEW_ID}", ":zalo", "trang thai"))
    finally:
        await demo.stop()
    linked = transcript.index(next(line for line in transcript if "Đã liên kết" in line))
    after = transcript[linked:]
    assert_in_order(
        after,
        ["(Zalo) › trang thai", "📌 Phường Cầu Giấy", "(Zalo) › trang thai", "📌 Phường Cầu Giấy"],
    )
    assert not any("Tôi chưa hiểu" in line for line in after)


# --- typed numbers, restarts, leaving ------------------------------------------------------

# /kiemtra up to its choose-several step ("Nội dung kiểm tra": [a]…[h], [j] ✅ Xong).
INSPECTION = ["/kiemtra", "a", "Cơ sở Minh An", "Số 1 Cầu Giấy", "a", "a"]


async def test_a_typed_number_is_the_answer_never_a_button(tmp_path: Path) -> None:
    """At "Số lỗi vi phạm" ([a] Quay lại, [b] Hủy) a typed 2 is two violations, not the
    2nd button; on a choice screen a typed 2 picks the 2nd choice, as the dialogs read it."""
    transcript: list[str] = []
    demo = DemoSession(
        tmp_path / "demo.db", lambda line: transcript.append(plain(line)), echo=True, **FAST
    )
    await demo.start()
    try:
        await run_script(demo, _lines(*INSPECTION, "j", "2", "2", "quay lại"))
    finally:
        await demo.stop()
    assert_in_order(
        transcript,
        [
            "   Kết quả",
            "   [a] Không phát hiện vi phạm",
            "Nguyễn Thị Lan › 2",
            "   Số lỗi vi phạm",
            "   [a] ⬅️ Quay lại   [b] ❌ Hủy",
            "Nguyễn Thị Lan › 2",
            "   Mô tả vi phạm",
            "Nguyễn Thị Lan › quay lại",
            "   Số lỗi vi phạm",
            "   Câu trả lời hiện tại: 2",
        ],
    )
    assert not any("👆" in line and "Hủy" in line for line in transcript)
    assert not any("Đã hủy" in line for line in transcript)


async def test_buttons_on_screen_are_pressed_after_a_restart(tmp_path: Path) -> None:
    """`make demo` left at a choose-several step: after a restart [j] is still ✅ Xong."""
    database = tmp_path / "demo.db"
    transcript: list[str] = []
    for script in (INSPECTION, ["j"]):
        demo = DemoSession(database, lambda line: transcript.append(plain(line)), **FAST)
        await demo.start()
        try:
            await run_script(demo, _lines(*script))
        finally:
            await demo.stop()
    assert transcript[-1].endswith("[c] ⬅️ Quay lại   [d] ❌ Hủy")
    assert_in_order(transcript, ["👆 ✅ Xong (1)", "   Kết quả", "   [a] Không phát hiện vi phạm"])
    assert not any("Vui lòng chọn" in line or "chưa hiểu" in line for line in transcript)
    # --fresh starts over: no buttons from before either.
    demo = DemoSession(database, lambda line: transcript.append(plain(line)), fresh=True, **FAST)
    await demo.start()
    try:
        assert demo.current.view.choices == []
    finally:
        await demo.stop()


async def test_the_end_of_a_script_waits_for_a_notice_being_sent(tmp_path: Path) -> None:
    """A script that ends right after Gửi on /thongbao: the notice goes out, and its
    progress card ends with the report, before the demo leaves."""
    transcript: list[str] = []
    demo = DemoSession(tmp_path / "demo.db", lambda line: transcript.append(plain(line)), **FAST)
    await demo.start()
    try:
        await run_script(
            demo, _lines(":as staff", "/thongbao", "Họp giao ban thứ Hai", "b", "a", "a")
        )
    finally:
        await demo.stop()
    assert_in_order(
        transcript,
        [
            "👆 ✅ Gửi",
            "🔔 Tin mới cho Nguyễn Thị Lan (cán bộ): Họp giao ban thứ Hai",
            "✅ Đã gửi xong thông báo #1",
            "✅ đã nhận: 1",
        ],
    )


async def test_people_of_an_earlier_run_show_by_their_registered_name(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    transcript: list[str] = []
    for script in (REGISTRATION, [f":as {FIRST_NEW_ID}"]):
        demo = DemoSession(database, lambda line: transcript.append(plain(line)), **FAST)
        await demo.start()
        try:
            await run_script(demo, _lines(*script))
        finally:
            await demo.stop()
    assert transcript[-1] == f"── Người đang gõ: Phạm Văn Đức (người dùng), id {FIRST_NEW_ID} ──"

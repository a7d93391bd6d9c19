"""The report forms as dialogs of `bot.dialogs` (bot/forms/dialog.py), without aiogram or a
database: every field kind, the issue's navigation rules on /baocao and /kiemtra, and both
forms driven to their end by typing only, through the plain-text renderer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.dialogs import plain
from bot.dialogs.engine import (
    CANCEL,
    REVIEW,
    CaptionedFile,
    DialogState,
    Input,
    NavInput,
    Reply,
    Screen,
    handle,
    start,
)
from bot.dialogs.model import Context, Dialog, Nav
from bot.forms import load_definitions
from bot.forms.dialog import form_dialog
from bot.forms.inputs import ChoiceInput, FileInput, TextInput

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
CTX = Context(now=NOW, gettext=lambda s: s, extra={"unit_name": "Phường Ba Đình"})
FORMS = load_definitions()
REPORT = form_dialog(FORMS["activity_report"], "vi")
INSPECTION = form_dialog(FORMS["inspection"], "vi")


class Run:
    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog
        first = start(dialog, CTX, {"token": "t"})
        assert first.state is not None and first.screen is not None
        self.state: DialogState | None = first.state
        self.screen: Screen = first.screen
        self.last: Reply = first

    def feed(self, given: Input, *, seq: int | None = None) -> Reply:
        assert self.state is not None
        reply = handle(self.dialog, self.state, given, CTX, seq=seq)
        self.last, self.state = reply, reply.state
        if reply.screen is not None:
            self.screen = reply.screen
        return reply

    def type(self, text: str) -> Reply:
        """Typed as on a text-only messenger: numbers and words read on the current screen."""
        return self.feed(plain.parse(text, self.screen))

    def nav(self, word: Nav) -> Reply:
        return self.feed(NavInput(word))

    @property
    def at(self) -> str:
        assert self.state is not None
        return self.state.at

    @property
    def answers(self) -> dict[str, Any]:
        assert self.state is not None
        return self.state.answers


def report_to_step_6(run: Run) -> None:
    run.type("1")  # tháng 11/2026
    run.type("1")  # areas: communication (typed numbers choose at once)
    assert run.at == "activity_count"
    run.type("3")
    run.type("120")
    run.type("Tuyên truyền về đo lường")
    assert run.at == "budget_used"
    assert (run.screen.k, run.screen.n) == (6, 9)


def test_back_twice_then_an_answer_shows_the_next_step() -> None:
    """The issue's repro: Quay lại twice to step 4, type 12 → step 5, not step 6."""
    run = Run(REPORT)
    report_to_step_6(run)
    run.type("quay lại")
    run.type("quay lại")
    assert run.at == "participant_count" and run.screen.k == 4
    run.type("12")
    assert run.at == "main_content" and (run.screen.k, run.screen.n) == (5, 9)
    assert run.screen.current == "Tuyên truyền về đo lường"
    run.type("giữ nguyên")
    assert run.at == "budget_used" and run.answers["participant_count"] == 12


def test_skip_is_offered_after_going_back_and_clears_the_answer() -> None:
    run = Run(REPORT)
    report_to_step_6(run)
    run.type("quay lại")
    run.type("quay lại")
    assert run.at == "participant_count"
    assert Nav.SKIP in run.screen.nav and Nav.KEEP in run.screen.nav
    run.type("bỏ qua")
    assert run.answers["participant_count"] is None and run.at == "main_content"
    run = Run(REPORT)
    report_to_step_6(run)
    run.type("quay lai")  # without diacritics
    assert run.at == "main_content" and Nav.SKIP not in run.screen.nav  # required


def test_the_counter_counts_the_steps_that_will_be_asked() -> None:
    run = Run(REPORT)
    assert (run.screen.k, run.screen.n) == (1, 9)
    run.type("1")
    run.type("1, 10")  # communication and digital transformation
    assert run.at == "digital_activities" and (run.screen.k, run.screen.n) == (3, 10)
    run.type("quay lại")
    assert (run.screen.k, run.screen.n) == (2, 10)
    seen: list[tuple[int, int]] = []
    lines = ["giữ nguyên", "1", "2", "bỏ qua", "Nội dung", "bỏ qua", "2", "bỏ qua", "bỏ qua"]
    for line in lines:
        run.type(line)
        if run.at != REVIEW:
            seen.append((run.screen.k, run.screen.n))
    assert all(n == 10 for _k, n in seen) and [k for k, _n in seen] == sorted(k for k, _n in seen)
    assert run.at == REVIEW


def test_month_alone_is_asked_back_with_the_likely_month() -> None:
    run = Run(REPORT)
    run.type("9")
    assert run.at == "period" and "Which year" in run.screen.text
    assert run.screen.options[0].key == "2026-09"
    run.type("1")
    assert run.answers["period"] == "2026-09" and run.at == "areas"


def inspection_to_address(run: Run) -> None:
    run.type("1")  # today
    run.type("Cơ sở A")
    run.type("Số 1 Tràng Tiền")
    assert run.at not in ("inspection_date", "facility_name", "facility_address")


def test_a_changed_answer_in_kiemtra_re_asks_what_follows() -> None:
    """The issue's repro: fixing the date after two wrong answers shows them again to fix."""
    run = Run(INSPECTION)
    inspection_to_address(run)
    at = run.at
    run.type("quay lại")
    run.type("quay lại")
    run.type("quay lại")
    assert run.at == "inspection_date"
    run.type("2")  # yesterday
    assert run.at == "facility_name" and run.screen.current == "Cơ sở A"
    run.type("Cơ sở B")
    assert run.at == "facility_address" and run.screen.current == "Số 1 Tràng Tiền"
    run.type("Số 2 Hàng Bài")
    assert run.at == at
    assert run.answers["facility_name"] == "Cơ sở B"


def test_a_changed_result_drops_the_answers_no_longer_asked() -> None:
    run = Run(INSPECTION)
    _shown, end = drive(INSPECTION, INSPECTION_LINES[:-1])
    assert end.state is not None and end.state.at == REVIEW
    run.state, run.screen = end.state, end.screen or run.screen
    fine = run.answers["fine_amount"]
    assert fine == 1_500_000
    run.feed(ChoiceInput("edit:result"))
    run.feed(ChoiceInput("no_violation"))
    assert "fine_amount" not in run.answers and "violation_count" not in run.answers
    assert run.at == REVIEW


def test_an_old_button_is_refused_and_the_current_screen_shown() -> None:
    run = Run(INSPECTION)
    old = run.screen.seq
    run.type("1")
    reply = run.feed(ChoiceInput("yesterday"), seq=old)
    assert reply.stale and "This button is old" in reply.notices[0]
    assert run.at == "facility_name" and run.answers["inspection_date"] == "2026-11-27"


def test_huy_asks_first_when_answers_would_be_lost() -> None:
    run = Run(INSPECTION)
    assert run.type("hủy").cancelled  # nothing to lose
    run = Run(INSPECTION)
    run.type("1")
    run.type("/huy")
    assert run.at == CANCEL
    run.type("2")  # No, go on
    assert run.at == "facility_name"
    run.type("huy")
    assert run.type("1").cancelled


def test_resume_after_a_restart_from_json() -> None:
    run = Run(REPORT)
    report_to_step_6(run)
    assert run.state is not None
    saved = json.loads(json.dumps(run.state.to_dict()))
    restored = DialogState.from_dict(saved)
    reply = handle(REPORT, restored, TextInput("1.500.000"), CTX)
    assert reply.state is not None and reply.state.answers["budget_used"] == 1_500_000


def test_files_are_collected_until_done_with_their_captions() -> None:
    run = Run(INSPECTION)
    _shown, end = drive(INSPECTION, INSPECTION_LINES[:10])
    assert end.state is not None and end.state.at == "photos"
    run.state, run.screen = end.state, end.screen or run.screen
    for n in range(2):
        photo = FileInput(f"f{n}", f"u{n}", "photo", 1000)
        run.feed(CaptionedFile(photo, f"ảnh {n}"))
    run.feed(CaptionedFile(FileInput("f0", "u0", "photo", 1000), ""))  # the same again
    assert "Received 2 of at most 5" in run.screen.text and Nav.DONE in run.screen.nav
    run.type("xong")
    assert [f["caption"] for f in run.answers["photos"]] == ["ảnh 0", "ảnh 1"]
    assert run.at == "location"
    run.type("21.0285, 105.8542")
    assert run.answers["location"] == {"lat": 21.0285, "lon": 105.8542}


def drive(dialog: Dialog, lines: Sequence[str]) -> tuple[list[str], Reply]:
    run = Run(dialog)
    shown = [plain.render(run.screen, CTX.gettext)]
    for line in lines:
        reply = run.type(line)
        assert not (reply.notices and reply.state is not None and reply.screen is None), (
            line,
            reply.notices,
        )
        if reply.state is None:
            return shown, reply
        shown.append(plain.render(run.screen, CTX.gettext))
    return shown, run.last


REPORT_LINES = [
    "11/2026",
    "1, 11",
    "Hội thảo",  # other area
    "3",
    "bo qua",
    "Tuyên truyền",
    "1,5 triệu",
    "2",
    "bỏ qua",
    "bỏ qua",
    "1",  # ✅ Submit
]
INSPECTION_LINES = [
    "hôm nay",
    "Cơ sở A",
    "Số 1 Tràng Tiền",
    "1",  # production
    "1, 2",  # measurement, product quality
    "2",  # violation
    "2",  # violations
    "Cân sai",
    "3",  # handling: fine
    "1,5 triệu",
    "bỏ qua",  # photos
    "bỏ qua",  # location
    "bỏ qua",  # notes
    "1",  # ✅ Submit
]


def test_plain_text_drives_the_activity_report_to_its_end() -> None:
    shown, end = drive(REPORT, REPORT_LINES)
    assert end.finished is not None, shown[-1]
    assert end.finished["period"] == "2026-11"
    assert end.finished["areas"] == ["communication", "other"]
    assert end.finished["budget_used"] == 1_500_000
    assert end.finished["difficulties"] == ["small_budget"]
    assert end.finished["participant_count"] is None
    assert any("1. tháng 11/2026" in screen.lower() for screen in shown)
    assert any("«quay lại»" in screen and "«bỏ qua»" in screen for screen in shown)
    assert not any("<b>" in screen or "&amp;" in screen for screen in shown)
    assert any("Phường Ba Đình" in screen for screen in shown)


def test_plain_text_drives_the_inspection_to_its_end() -> None:
    shown, end = drive(INSPECTION, INSPECTION_LINES)
    assert end.finished is not None, shown[-1]
    assert end.finished["inspection_date"] == "2026-11-27"
    assert end.finished["fine_amount"] == 1_500_000
    assert end.finished["photos"] is None and end.finished["location"] is None
    assert not any("<b>" in screen or "&amp;" in screen for screen in shown)


def test_skip_typed_on_a_required_question_is_refused_not_taken_as_the_answer() -> None:
    """A user without buttons types «bỏ qua» where nothing may be skipped: told so, kept there."""
    run = Run(REPORT)
    run.type("1")  # tháng 11/2026
    run.type("1")
    run.type("3")
    run.type("120")
    assert run.at == "main_content" and Nav.SKIP not in run.screen.nav
    for typed in ("bỏ qua", "Bo qua"):
        reply = run.type(typed)
        assert run.at == "main_content" and "main_content" not in run.answers
        assert reply.notices == ("This question can't be skipped.",)


def test_back_to_a_choose_several_question_starts_from_the_answer_given() -> None:
    """Ticking one more area after going back adds it; the two chosen before stay ticked."""
    run = Run(REPORT)
    run.type("1")  # tháng 11/2026
    run.type("1, 10")  # communication, digital transformation
    assert run.at == "digital_activities"
    run.nav(Nav.BACK)
    assert run.at == "areas"
    ticked = [option.key for option in run.screen.options if option.selected]
    assert ticked == ["communication", "digital_transformation"]
    run.feed(ChoiceInput("innovation"), seq=run.state.seq if run.state else None)  # a press
    run.type("xong")
    assert run.answers["areas"] == ["communication", "innovation", "digital_transformation"]

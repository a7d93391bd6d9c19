"""The dialog engine on its own (no aiogram, no database): each navigation rule, on the
event-creation dialog and on a small dialog whose questions depend on each other."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.broadcast.dialog import COMPOSE
from bot.dialogs import plain
from bot.dialogs.engine import (
    CANCEL,
    REVIEW,
    DialogState,
    Input,
    NavInput,
    Reply,
    Screen,
    asked,
    handle,
    start,
    start_at,
)
from bot.dialogs.model import Context, Dialog, Expect, Kind, Nav, Option, Step
from bot.dialogs.units import DirectoryLookup
from bot.domain.events import EventKind
from bot.domain.text import Text
from bot.domain.units import UnitDirectory, units_of_province
from bot.events.dialog import EDIT_EVENT, NEW_EVENT, answers_of
from bot.forms.inputs import ChoiceInput, ChoicesInput, TextInput, UnsupportedInput

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
CTX = Context(
    now=NOW, gettext=lambda s: s, units=DirectoryLookup(UnitDirectory(units_of_province(1)))
)


class Run:
    """A dialog driven input by input, keeping the last screen."""

    def __init__(self, dialog: Dialog, ctx: Context = CTX) -> None:
        self.dialog, self.ctx = dialog, ctx
        first = start(dialog, ctx, {"token": "t"})
        assert first.state is not None and first.screen is not None
        self.state: DialogState | None = first.state
        self.screen: Screen = first.screen
        self.last: Reply = first

    def feed(self, given: Input, *, seq: int | None = None) -> Reply:
        assert self.state is not None
        reply = handle(self.dialog, self.state, given, self.ctx, seq=seq)
        self.last = reply
        self.state = reply.state
        if reply.screen is not None:
            self.screen = reply.screen
        return reply

    def type(self, text: str) -> Reply:
        return self.feed(TextInput(text))

    def choose(self, key: str) -> Reply:
        return self.feed(ChoiceInput(key))

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


def to_seats(run: Run, kind: str = "course") -> None:
    run.choose(kind)
    run.type("Lớp đo lường")
    run.type("30/11/2026 08:00")
    run.type("11:30")
    run.type("Hội trường")
    assert run.at == "seats"


def to_review(run: Run) -> None:
    to_seats(run)
    run.type("20")
    run.type("29/11/2026")
    run.choose("all")
    run.type("Mang máy tính.")
    assert run.at == REVIEW


def test_an_answer_after_going_back_moves_to_the_next_question() -> None:
    run = Run(NEW_EVENT)
    to_seats(run)
    run.nav(Nav.BACK)
    assert run.at == "place" and run.screen.current == "Hội trường"
    run.nav(Nav.BACK)
    assert run.at == "ends"
    run.type("12:00")
    assert run.at == "place"  # not seats: nothing is skipped
    assert Nav.KEEP in run.screen.nav
    run.nav(Nav.KEEP)
    assert run.at == "seats"
    assert run.answers["ends"].startswith("2026-11-30T12:00")


def test_a_changed_answer_checks_again_what_depended_on_it() -> None:
    run = Run(NEW_EVENT)
    to_review(run)
    run.choose("edit:starts")
    run.type("02/12/2026 08:00")  # the end (30/11 11:30) is now before the start
    assert "ends" not in run.answers and run.at == "ends"
    assert run.answers["deadline"].startswith("2026-11-29T17:00")  # still right: kept
    run.type("11:00")
    assert run.at == REVIEW
    # A deadline after the new start is dropped and asked again.
    run.choose("edit:starts")
    run.type("28/11/2026 14:00")  # the end (02/12 11:00) is still after it: kept
    assert run.at == "deadline" and "deadline" not in run.answers
    run.type("28/11/2026 08:00")
    assert run.at == REVIEW
    # Workshop → course with the seats skipped: the seats are asked again.
    run = Run(NEW_EVENT)
    to_seats(run, kind="workshop")
    run.nav(Nav.SKIP)
    run.type("29/11/2026")
    run.choose("all")
    run.nav(Nav.SKIP)
    assert run.at == REVIEW and run.answers["seats"] is None
    run.choose("edit:kind")
    run.choose("course")
    assert run.at == "seats" and "seats" not in run.answers


def test_relevance_drops_answers_no_longer_asked() -> None:
    def violation(answers: Mapping[str, Any]) -> bool:
        return answers.get("found") == "yes"

    dialog = Dialog(
        "check",
        "Check",
        (
            Step(
                "found",
                Kind.CHOOSE_ONE,
                "Found",
                Text("Violation?"),
                options=(Option("yes", "Yes"), Option("no", "No")),
            ),
            Step(
                "what", Kind.TEXT, "What", Text("What?"), relevant=violation, depends_on=("found",)
            ),
            Step("fine", Kind.NUMBER, "Fine", Text("Fine?"), relevant=violation, required=False),
            Step("note", Kind.TEXT, "Note", Text("Note?"), required=False),
        ),
        review=lambda answers, ctx: str(answers),
        confirm_label="Send",
    )
    run = Run(dialog)
    assert (run.screen.k, run.screen.n) == (1, 2)
    run.choose("yes")
    assert (run.screen.k, run.screen.n) == (2, 4)
    run.type("Hết hạn")
    run.type("12")
    run.nav(Nav.SKIP)
    assert run.at == REVIEW
    run.choose("edit:found")
    run.choose("no")
    assert run.at == REVIEW and set(run.answers) == {"found", "note"}
    run.choose("edit:found")
    run.choose("yes")  # asked again, not kept silently
    assert run.at == "what" and (run.screen.k, run.screen.n) == (2, 4)


def test_skip_on_every_optional_question_also_after_going_back() -> None:
    run = Run(NEW_EVENT)
    to_review(run)
    run.nav(Nav.BACK)
    assert run.at == "description" and Nav.SKIP in run.screen.nav
    assert run.screen.current == "Mang máy tính."
    run.nav(Nav.SKIP)
    assert run.at == REVIEW and run.answers["description"] is None
    run = Run(NEW_EVENT)
    to_seats(run)
    assert Nav.SKIP not in run.screen.nav  # a course must say its seats
    reply = run.nav(Nav.SKIP)
    assert reply.notices == ("This question can't be skipped.",) and run.at == "seats"


def test_the_counter_never_contradicts_itself() -> None:
    run = Run(NEW_EVENT)
    seen: list[tuple[int, int]] = [(run.screen.k, run.screen.n)]
    for given in (
        ChoiceInput("course"),
        TextInput("Lớp"),
        TextInput("30/11/2026 08:00"),
        TextInput("11:30"),
        TextInput("Phòng 301"),
        TextInput("10"),
        TextInput("29/11/2026"),
        ChoiceInput("units"),
        TextInput("cau giay"),
    ):
        run.feed(given)
        assert run.screen.n == len(asked(NEW_EVENT, run.answers))
        seen.append((run.screen.k, run.screen.n))
    assert [k for k, _n in seen] == [1, 2, 3, 4, 5, 6, 7, 8, 8, 8]
    assert {n for _k, n in seen} == {9}
    run.nav(Nav.BACK)
    run.nav(Nav.BACK)
    assert (run.screen.k, run.screen.n) == (7, 9)


def test_an_old_screens_button_is_refused_and_the_current_screen_shown() -> None:
    run = Run(NEW_EVENT)
    old = run.screen.seq
    run.choose("course")
    before = run.state
    reply = run.feed(NavInput(Nav.BACK), seq=old)
    assert reply.stale and reply.notices[0].startswith("This button is old")
    assert reply.state is not None and before is not None
    assert reply.state.answers == before.answers and reply.state.at == "title"
    assert reply.screen is not None and reply.screen.seq > before.seq


def test_cancel_asks_first_when_answers_would_be_lost() -> None:
    run = Run(NEW_EVENT)
    assert run.nav(Nav.CANCEL).cancelled  # nothing entered: at once
    run = Run(NEW_EVENT)
    to_seats(run)
    run.nav(Nav.CANCEL)
    assert run.at == CANCEL and [o.key for o in run.screen.options] == ["yes", "no"]
    run.choose("no")
    assert run.at == "seats" and run.answers["place"] == "Hội trường"
    run.nav(Nav.CANCEL)
    reply = run.choose("yes")
    assert reply.cancelled and reply.state is None


def test_state_survives_json_and_goes_on() -> None:
    run = Run(NEW_EVENT)
    to_seats(run)
    assert run.state is not None
    stored = json.loads(json.dumps(run.state.to_dict()))
    run.state = DialogState.from_dict(stored)
    run.type("25")
    assert run.at == "deadline" and run.answers["seats"] == 25


def test_confirm_checks_every_answer_again() -> None:
    run = Run(NEW_EVENT)
    to_review(run)
    later = Context(
        now=datetime(2026, 11, 29, 18, 0, tzinfo=TZ), gettext=CTX.gettext, units=CTX.units
    )
    assert run.state is not None
    reply = handle(NEW_EVENT, run.state, ChoiceInput("confirm"), later)
    assert reply.finished is None and reply.state is not None
    assert reply.state.at == "deadline" and "already in the past" in reply.notices[0]
    finished = handle(NEW_EVENT, run.state, ChoiceInput("confirm"), CTX)
    assert finished.finished is not None and finished.finished["invite"] == "all"


def test_wrong_kind_of_input_is_explained() -> None:
    run = Run(NEW_EVENT)
    assert run.type("lớp học").notices == ("Please press one of the buttons above.",)
    run.choose("course")
    run.type("Lớp")
    run.type("30/11/2026 08:00")
    reply = run.feed(UnsupportedInput("sticker"))
    assert reply.notices == ("Please type the end as text, for example 11:30.",)
    assert run.at == "ends"


def test_units_are_searched_chosen_and_removed() -> None:
    run = Run(NEW_EVENT)
    to_seats(run)
    run.type("10")
    run.type("29/11/2026")
    run.choose("units")
    assert run.screen.expects is Expect.CHOICES
    assert Nav.DONE not in run.screen.nav
    run.type("cau giay")
    code = run.screen.options[0].key
    assert run.choose(code).in_place and run.screen.options[0].selected
    run.type("ba dinh")
    run.feed(ChoicesInput((run.screen.options[0].key,)))
    run.nav(Nav.DONE)
    assert (
        run.at == "description"
        and len(run.answers["invite"]) == 2
        and code in run.answers["invite"]
    )


# --- the plain-text renderer ------------------------------------------------------------------


def drive_by_typing(dialog: Dialog, lines: Sequence[str]) -> tuple[list[str], Reply]:
    """Type each line as a text-only messenger would; every screen rendered as plain text."""
    run = Run(dialog)
    shown = [plain.render(run.screen, CTX.gettext)]
    for line in lines:
        reply = run.feed(plain.parse(line, run.screen))
        if reply.state is None:
            return shown, reply
        shown.append(plain.render(run.screen, CTX.gettext))
    return shown, run.last


def test_plain_text_drives_event_creation_to_its_end() -> None:
    shown, end = drive_by_typing(
        NEW_EVENT,
        [
            "1",
            "Lớp đo lường",
            "30/11/2026 08:00",
            "11:30",
            "Hội trường",
            "quay lai",
            "giu nguyen",
            "20",
            "1",
            "2",
            "cau giay",
            "1",
            "xong",
            "Bo qua",
            "1",
        ],
    )
    assert end.finished is not None and end.finished["seats"] == 20
    assert end.finished["description"] is None
    assert any("1. Training course" in screen for screen in shown)
    assert any("«quay lại», «bỏ qua»" in screen for screen in shown)
    assert any("[x] " in screen for screen in shown)
    assert not any("<b>" in screen or "&amp;" in screen for screen in shown)
    assert any("Please check the event before publishing" in screen for screen in shown)


def test_plain_words_with_and_without_diacritics() -> None:
    run = Run(NEW_EVENT)
    to_seats(run, kind="workshop")
    for typed, word in (
        ("Quay lại", Nav.BACK),
        ("QUAY LAI", Nav.BACK),
        ("bỏ qua", Nav.SKIP),
        ("hủy", Nav.CANCEL),
        ("/huy", Nav.CANCEL),
        ("Huy", Nav.CANCEL),
    ):
        assert plain.parse(typed, run.screen) == NavInput(word), typed
    assert plain.parse("12", run.screen) == TextInput("12")


def test_plain_text_drives_the_notice_composer_to_its_end() -> None:
    extra = {
        "kinds": [("officers", "Tất cả cán bộ · 2"), ("staff", "Chuyên viên Sở · 1")],
        "people": 2,
    }
    ctx = Context(now=NOW, gettext=CTX.gettext, units=CTX.units, extra=extra)
    run = Run(COMPOSE, ctx)
    shown = [plain.render(run.screen, ctx.gettext)]
    for line in [
        "Họp <b>giao ban</b>",
        "bo qua",
        "quay lai",
        "giu nguyen",
        "3",  # chosen units
        "cau giay",
        "1",
        "xong",
        "5",  # ⏰ send later
        "31/12/2026 08:00",
        "1",  # send
    ]:
        reply = run.feed(plain.parse(line, run.screen))
        if reply.state is None:
            break
        shown.append(plain.render(run.screen, ctx.gettext))
    assert run.last.finished is not None
    assert run.last.finished["content"] == {"text": "Họp <b>giao ban</b>"}
    assert run.last.finished["attach"] is None and len(run.last.finished["audience"]) == 1
    assert run.last.finished["send_at"].startswith("2026-12-31T08:00")
    assert any("1. Tất cả cán bộ · 2" in screen for screen in shown)
    assert any("⏰ Send later" in screen for screen in shown)


def test_plain_text_drives_an_event_edit_to_its_end() -> None:
    class Stored:
        kind = EventKind.WORKSHOP
        title, place, seats, description = "Hội thảo", "Phòng 301", 30, None
        starts_at = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)
        ends_at = datetime(2026, 11, 30, 11, 0, tzinfo=TZ)
        signup_deadline = datetime(2026, 11, 29, 17, 0, tzinfo=TZ)

    first = start_at(EDIT_EVENT, CTX, answers_of(Stored, TZ), "seats", {"event_id": 1})
    assert first.state is not None and first.screen is not None
    screen_text = plain.render(first.screen, CTX.gettext)
    assert "Current answer: 30" in screen_text and "«bỏ qua»" in screen_text
    reply = handle(EDIT_EVENT, first.state, plain.parse("bỏ qua", first.screen), CTX)
    assert reply.finished is not None and reply.finished["seats"] is None
    cancelled = handle(EDIT_EVENT, first.state, plain.parse("huy", first.screen), CTX)
    assert cancelled.cancelled  # nothing typed to lose: no question first


def test_editing_one_stored_value_offers_no_back_and_refuses_one() -> None:
    """Event editing has no review to go back to: Back is not offered (Hủy leaves), and a
    Back that comes anyway (typed, or an old button) is refused, not a crash."""

    class Stored:
        kind = EventKind.COURSE
        title, place, seats, description = "Lớp đo lường", "Hội trường", 30, None
        starts_at = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)
        ends_at = datetime(2026, 11, 30, 11, 0, tzinfo=TZ)
        signup_deadline = datetime(2026, 11, 29, 17, 0, tzinfo=TZ)

    for name in ("title", "ends", "description"):
        first = start_at(EDIT_EVENT, CTX, answers_of(Stored, TZ), name, {"event_id": 1})
        assert first.state is not None and first.screen is not None
        assert Nav.BACK not in first.screen.nav and Nav.CANCEL in first.screen.nav
        refused = handle(EDIT_EVENT, first.state, NavInput(Nav.BACK), CTX)
        assert refused.state == first.state and refused.notices and refused.screen is None
    # Editing from a review still goes back to it.
    run = Run(NEW_EVENT)
    to_review(run)
    run.choose("edit:place")
    assert Nav.BACK in run.screen.nav
    run.nav(Nav.BACK)
    assert run.at == REVIEW and run.answers["place"] == "Hội trường"

"""Every dialog of the bot, driven to its end by typing only, through the plain renderer.

What a user of a text-only messenger (Zalo, the terminal demo) sees and does: each screen
is rendered by `bot.dialogs.plain.render` in Vietnamese, and the user answers by typing a
number, several numbers, a navigation word or a value — never a button. The dialogs are
found where the bot finds them: the Telegram front end's registry (`handlers.dialogs`:
every `register(DialogSpec(...))`, and the forms through its resolvers), so a dialog ported
later is driven here as soon as it is registered. A dialog that needs more than the clock
and the units (counts its front end looks up, answers to edit) gets one entry in `SETUPS`;
a step whose answer the generic samples don't satisfy gets one in `SAMPLES`.

No bot runs and no database is used: the engine's `start` / `handle` with a `Context`.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.dialogs import engine, plain
from bot.dialogs.engine import REVIEW, CaptionedFile, Input, Reply, Screen
from bot.dialogs.model import Context, Dialog, Expect, Kind, Nav
from bot.dialogs.units import DirectoryLookup
from bot.domain.events import EventKind
from bot.domain.units import UnitDirectory, units_of_province
from bot.events.dialog import EDITABLE, answers_of
from bot.forms import load_definitions
from bot.forms.definition import parse_definition
from bot.forms.dialog import dialog_id
from bot.forms.inputs import FileInput
from bot.grants import Person, Standing
from handlers import all_routers
from handlers.dialogs import SPECS, spec_of
from tests.e2e.flows import WATER_SURVEY

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
LOCALES = Path(__file__).resolve().parent.parent / "locales"
UNITS = DirectoryLookup(UnitDirectory(units_of_province(1)))


class Vietnamese:
    """The bot's Vietnamese catalogue; remembers every msgid it had no translation for."""

    def __init__(self) -> None:
        self.untranslated: set[str] = set()
        self.catalogue = gettext.translation("messages", LOCALES, ["vi"])
        self.catalogue.add_fallback(_Missing(self.untranslated))

    def __call__(self, msgid: str) -> str:
        return self.catalogue.gettext(msgid)


class _Missing(gettext.NullTranslations):
    def __init__(self, missing: set[str]) -> None:
        super().__init__()
        self.missing = missing

    def gettext(self, message: str) -> str:
        # A form's own texts are Vietnamese already (its definition has them per language);
        # a bare "{text}" only places a text that is.
        words = re.sub(r"{\w+}", "", message)
        if re.search(r"[A-Za-z]", words) and not VIETNAMESE & set(message.lower()):
            self.missing.add(message)
        return message


# --- which dialogs, and how each is started -------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What a dialog needs besides the clock and the units to be started as the bot does."""

    extra: Mapping[str, Any] = field(default_factory=dict)  # what its front end looks up
    # Dialogs that change one stored value (event editing) start on that value's step:
    # the stored answers, and each step that can be edited is started on in turn.
    answers: Mapping[str, Any] | None = None
    edited: Sequence[str] = ()


class StoredEvent:
    kind = EventKind.COURSE
    title, place, seats, description = "Lớp đo lường", "Hội trường", 30, None
    starts_at = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)
    ends_at = datetime(2026, 11, 30, 11, 30, tzinfo=TZ)
    signup_deadline = datetime(2026, 11, 29, 17, 0, tzinfo=TZ)


SETUPS: dict[str, Setup] = {
    "compose_notice": Setup(
        extra={
            "kinds": [("officers", "Tất cả cán bộ · 2"), ("staff", "Chuyên viên Sở · 1")],
            "people": 2,
        }
    ),
    "edit_event": Setup(answers=answers_of(StoredEvent, TZ), edited=EDITABLE),
    "deadline_rule": Setup(extra={"rule_day": 5}),
    "deadline_month": Setup(extra={"period": "2026-12", "rule_day": 5}),
    "review_comment": Setup(extra={"ref": "#12"}),
    "reject_registration": Setup(extra={"name": "Nguyễn Thị Lan"}),
    "grant_role": Setup(
        extra={
            "person": Person(
                6301,
                "Nguyễn Thị Lan",
                Standing.OFFICER,
                unit="Phường Cầu Giấy",
                phone="0912 345 678",
            )
        }
    ),
}
FORM_EXTRA = {"unit_name": "Phường Ba Đình", "lang": "vi"}


def registered_dialogs() -> list[Dialog]:
    """Every dialog the Telegram front end runs: those registered, and one per form."""
    all_routers()  # imports every handler module, each of which registers its dialogs
    forms = load_definitions()
    survey = parse_definition(yaml.safe_load(WATER_SURVEY))  # a department's own (FORMS_DIR)
    forms[survey.id] = survey
    found = [spec.dialog for spec in SPECS.values()]
    for form_id in forms:
        spec = spec_of(dialog_id(form_id, "vi"), {"forms": forms})
        assert spec is not None, form_id
        found.append(spec.dialog)
    return found


DIALOGS = registered_dialogs()


def setup_of(dialog: Dialog) -> Setup:
    if dialog.id.startswith("form:"):
        return Setup(extra=FORM_EXTRA)
    return SETUPS.get(dialog.id, Setup())


# --- what the user types ----------------------------------------------------------------------

# By step name, tried first (add a line when a new dialog's step needs a particular answer).
SAMPLES: dict[str, Sequence[str]] = {
    "full_name": ("Nguyễn Văn An",),
    "position": ("Chuyên viên",),
    "title": ("Lớp đo lường",),
    "place": ("Hội trường",),
    "starts": ("30/11/2026 08:00",),
    "ends": ("11:30",),
}
# By kind, tried in order until one is taken (the way a user reads the refusal and retries).
BY_KIND: dict[Kind, Sequence[str]] = {
    Kind.TEXT: ("Nội dung mẫu", "3", "1.500.000", "25/11/2026", "0912 345 678"),
    Kind.NUMBER: ("20", "3"),
    Kind.DATE: ("25/11/2026", "hôm nay"),
    Kind.DATETIME: ("30/11/2026 08:00", "11:30", "29/11/2026 17:00"),
    Kind.LOCATION: ("21.0285, 105.8542",),
    Kind.CONTACT: ("0912 345 678",),
    Kind.UNIT: ("cau giay",),
    Kind.AUDIENCE: ("cau giay",),
    Kind.FILE: (),
    Kind.CHOOSE_ONE: (),
    Kind.CHOOSE_MANY: (),
}
PHOTO = CaptionedFile(FileInput("AgACsample", "usample", "photo", 1000), "")

STEP = re.compile(r"bước (\d+)/(\d+)")
HTML = re.compile(r"</?[a-z][a-z0-9]*(\s[^>]*)?>|&(amp|lt|gt|quot|#\d+);")
VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def numbers_to_type(screen: Screen, policy: str) -> str | None:
    """A choice typed as a number: the first option, or (policy "last") the last one —
    for a choice of several, all of them — so that the questions asked only after some
    answers are asked too."""
    if not screen.options:
        return None
    if screen.step == REVIEW:
        keys = [option.key for option in screen.options]
        return str(keys.index("confirm") + 1)
    count = len(screen.options)
    if screen.expects is Expect.CHOICES:
        return ", ".join(str(n) for n in range(1, count + 1)) if policy == "last" else "1"
    return str(count) if policy == "last" else "1"


# --- driving ----------------------------------------------------------------------------------


@dataclass
class Drive:
    dialog: Dialog
    ctx: Context
    policy: str
    shown: list[tuple[Screen, str]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    answers: Mapping[str, Any] = field(default_factory=dict)

    def show(self, screen: Screen) -> None:
        self.shown.append((screen, plain.render(screen, self.ctx.gettext)))

    def attempts(self, screen: Screen) -> Iterator[Input]:
        """What this user types on this screen, the likeliest first."""
        step = self.dialog.step(screen.step) if screen.step != REVIEW else None
        picked = [o for o in screen.options if o.selected]
        if Nav.DONE in screen.nav and (picked or (step is not None and step.collect)):
            yield plain.parse("xong", screen)
            return
        if step is not None and step.kind is Kind.FILE and not step.is_required(self.answers):
            yield plain.parse("bỏ qua", screen)  # a file can't be typed
            return
        number = numbers_to_type(screen, self.policy)
        if number is not None:
            yield plain.parse(number, screen)
        if step is None:
            return
        for line in (*SAMPLES.get(step.name, ()), *BY_KIND[step.kind]):
            yield plain.parse(line, screen)
        if step.kind is Kind.FILE:
            yield PHOTO  # a photo is sent, not typed: the only way past a required one

    def run(self, first: Reply, limit: int = 80) -> Reply:
        assert first.state is not None and first.screen is not None
        state, screen, reply = first.state, first.screen, first
        self.show(screen)
        for _turn in range(limit):
            self.answers = state.answers
            for given in self.attempts(screen):
                reply = engine.handle(self.dialog, state, given, self.ctx)
                if reply.state is None:
                    return reply
                if reply.screen is not None:
                    break
                # Refused: told why, in words, and kept on the same screen.
                assert reply.notices and reply.state == state, (screen.step, given)
                self.refusals.extend(reply.notices)
            else:
                raise AssertionError(
                    f"{self.dialog.id}: nothing typed was taken on {screen.step!r}; add an "
                    f"answer to SAMPLES\n{self.shown[-1][1]}"
                )
            assert reply.state is not None and reply.screen is not None
            state, screen = reply.state, reply.screen
            self.show(screen)
        raise AssertionError(f"{self.dialog.id} did not end in {limit} inputs")


def drives(dialog: Dialog, policy: str) -> Iterator[tuple[Drive, Reply]]:
    """The dialog from its start to its end (an editing dialog: from each of its steps)."""
    setup = setup_of(dialog)
    gettext_vi = Vietnamese()
    ctx = Context(now=NOW, gettext=gettext_vi, units=UNITS, lang="vi", extra=setup.extra)
    if setup.answers is None:
        drive = Drive(dialog, ctx, policy)
        yield drive, drive.run(engine.start(dialog, ctx, {"token": "t"}))
        return
    for name in setup.edited:
        drive = Drive(dialog, ctx, policy)
        first = engine.start_at(dialog, ctx, setup.answers, name, {"event_id": 1})
        yield drive, drive.run(first)


def ids(dialog: Dialog) -> str:
    return dialog.id


@pytest.mark.parametrize("policy", ["first", "last"])
@pytest.mark.parametrize("dialog", DIALOGS, ids=ids)
def test_every_dialog_is_driven_to_its_end_by_typing(dialog: Dialog, policy: str) -> None:
    for drive, end in drives(dialog, policy):
        assert end.finished is not None, drive.shown[-1][1]
        assert drive.shown
        check_screens(drive)
        assert isinstance(drive.ctx.gettext, Vietnamese)
        assert not drive.ctx.gettext.untranslated, drive.ctx.gettext.untranslated
        assert all(VIETNAMESE & set(text.lower()) for text in drive.refusals), drive.refusals


def check_screens(drive: Drive) -> None:
    """What a text-only user reads on each screen, and the counter along the way."""
    counters: list[tuple[str, int, int]] = []
    for screen, text in drive.shown:
        assert not HTML.search(text), text
        assert VIETNAMESE & set(text.lower()), text
        for number, option in enumerate(screen.options, start=1):
            mark = "[x] " if option.selected else ""
            assert f"{number}. {mark}{option.label}" in text, (option, text)
        words = [drive.ctx.gettext(plain.NAV_NAMES[word]) for word in screen.nav]
        assert all(f"«{word}»" in text for word in words), text
        if screen.nav:
            assert "Hoặc gõ:" in text, text
        if screen.expects is Expect.CHOICES and screen.options:
            assert "1, 3" in text, text  # how to type several at once
        if screen.step == REVIEW:
            continue
        found = STEP.search(text)
        step = drive.dialog.step(screen.step)
        if step.on_demand:
            continue
        if (screen.k, screen.n) == (1, 1):
            assert found is None, text  # one question: no "bước 1/1"
            continue
        assert found is not None, text
        k, n = int(found.group(1)), int(found.group(2))
        assert 1 <= k <= n, text
        counters.append((screen.step, k, n))
    assert_counter_goes_up_to_n(counters, drive)


def assert_counter_goes_up_to_n(counters: list[tuple[str, int, int]], drive: Drive) -> None:
    """A new question is one further on; the last question asked is n of n."""
    for (before, k1, _n1), (after, k2, _n2) in pairwise(counters):
        if before != after:
            assert k2 == k1 + 1, (drive.dialog.id, counters)
    if counters and setup_of(drive.dialog).answers is None:
        _step, k, n = counters[-1]
        assert k == n, (drive.dialog.id, counters)


def test_every_registered_dialog_is_driven() -> None:
    """The registry is where the dialogs come from: each registered one is in the list."""
    assert {spec.dialog.id for spec in SPECS.values()} <= {d.id for d in DIALOGS}
    assert {"new_event", "edit_event", "compose_notice"} <= {d.id for d in DIALOGS}
    forms = {d.id for d in DIALOGS if d.id.startswith("form:")}
    assert forms >= {
        "form:activity_report:vi",
        "form:inspection:vi",
        "form:water_survey:vi",
    }


def test_the_last_choices_reach_the_questions_asked_only_after_some_answers() -> None:
    """Typed numbers reach the branches: the inspection's violation and fine are asked."""
    inspection = next(d for d in DIALOGS if d.id == "form:inspection:vi")
    (drive, end), *_rest = drives(inspection, "last")
    asked = {screen.step for screen, _text in drive.shown}
    assert {"violation_count", "fine_amount"} <= asked
    assert end.finished is not None and end.finished["fine_amount"] is not None
    (drive, end), *_rest = drives(inspection, "first")
    assert "fine_amount" not in {screen.step for screen, _text in drive.shown}

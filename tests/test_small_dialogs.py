"""The small dialogs' definitions on the engine alone (no aiogram, no database): the report
deadline, Yêu cầu bổ sung, the reason of Từ chối and the role grant."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.dialogs.engine import REVIEW, NavInput, handle, start
from bot.dialogs.model import Context, Nav
from bot.domain.text import N_
from bot.forms.inputs import ChoiceInput, TextInput
from bot.grants import GRANT, Change, Person, Standing, available
from bot.rejections import REJECT, typed_reason
from bot.review_comment import COMMENT
from bot.status.deadline_dialog import MONTH, RULE, USE_RULE, parse_rule_day
from tests.test_dialog_engine import CTX, Run


def ctx(**extra: Any) -> Context:
    return replace(CTX, extra=extra)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("5", 5),
        ("ngày 5", 5),
        ("Ngày 5 hằng tháng", 5),
        ("ngay 31 hang thang", 31),
        ("hằng tháng ngày 10", 10),
        ("ngày 32", None),
        ("0", None),
        ("năm", None),
    ],
)
def test_the_rule_day_is_read_however_typed(typed: str, day: int | None) -> None:
    assert parse_rule_day(typed) == day


def test_a_months_deadline_offers_the_rule_back_only_when_it_has_its_own_date() -> None:
    plain = Run(MONTH, ctx(period="2026-12", rule_day=5))
    assert [o.key for o in plain.screen.options] == []
    assert plain.screen.text.endswith(
        "\nNow: 05/01/2027, the monthly deadline (day 5 of every month)."
    )
    own = Run(MONTH, ctx(period="2026-12", rule_day=5, own_due="2027-01-08", own_days=2))
    assert [(o.key, o.label) for o in own.screen.options] == [
        (USE_RULE, "↩️ Use the monthly deadline (05/01/2027)")
    ]
    done = own.choose(USE_RULE)  # no reminder question: the rule's own applies
    assert done.finished == {"due": USE_RULE}


def test_a_past_or_impossible_deadline_keeps_the_question() -> None:
    run = Run(MONTH, ctx(period="2026-11"))
    assert "is not a real date" in run.type("31/02/2026").notices[0]
    assert "can't be in the past" in run.type("26/11/2026").notices[0]
    assert run.at == "due"
    run.type("27/11/2026")  # today is still possible
    assert run.at == "days" and [o.key for o in run.screen.options] == [str(d) for d in range(1, 8)]
    assert run.choose("5").finished == {"due": "2026-11-27", "days": "5"}


def test_the_rule_starts_on_the_reminder_when_the_day_was_typed_with_the_command() -> None:
    ctx_ = ctx(rule_day=None)
    reply = start(RULE, ctx_, answers={"day": 5})
    assert reply.state is not None and reply.state.at == "days"
    assert reply.screen is not None and "step 2 of 2" in reply.screen.header


def test_the_comment_and_the_reason_are_one_question_that_says_what_is_wrong() -> None:
    comment = Run(COMMENT, ctx(ref="#7"))
    assert comment.screen.header == N_("Ask for a revision")  # no "step 1 of 1"
    assert "#7" in comment.screen.text and comment.screen.nav == (Nav.CANCEL,)
    assert comment.type("  ok ").notices  # 2 characters
    assert comment.type("Bổ  sung\nsố người").finished == {"comment": "Bổ sung số người"}
    cancelled = Run(COMMENT, ctx(ref="#7")).nav(Nav.CANCEL)
    assert cancelled.cancelled and cancelled.state is None  # nothing typed: no question first

    pressed = Run(REJECT, ctx(name="Lan", group=True))
    assert "reply to this message" in pressed.screen.text
    assert pressed.choose("phone").finished == {"reason": "phone"}
    typed = Run(REJECT, ctx(name="Lan")).type("Đơn vị đã có cán bộ")
    assert typed.finished is not None
    assert typed_reason(typed.finished["reason"]) == "Đơn vị đã có cán bộ"
    assert typed_reason("phone") is None


OFFICER = Person(6301, "Lan", Standing.OFFICER, unit="Phường Cầu Giấy", phone="0912 345 678")


@pytest.mark.parametrize(
    ("standing", "changes", "refused"),
    [
        (Standing.ADMIN, (), True),
        (Standing.DEACTIVATED, (Change.ON,), False),
        (Standing.STAFF, (Change.TAKE, Change.OFF), False),
        (Standing.OFFICER, (Change.STAFF_KEEP, Change.STAFF_ONLY, Change.OFF), False),
        (Standing.PENDING, (Change.OFF,), True),
        (Standing.REJECTED, (Change.OFF,), True),
        (Standing.OPENED, (Change.STAFF, Change.OFF), False),
    ],
)
def test_rights_go_only_to_approved_people(
    standing: Standing, changes: tuple[Change, ...], refused: bool
) -> None:
    offered, why_not = available(replace(OFFICER, standing=standing))
    assert offered == changes and (why_not is not None) == refused


def test_the_grant_is_checked_again_at_confirm_with_the_person_as_they_are_now() -> None:
    run = Run(GRANT, ctx(person=OFFICER))
    assert [o.key for o in run.screen.options] == ["staff_keep", "staff_only", "off"]
    assert "Role: officer of Phường Cầu Giấy" in run.screen.text
    run.choose("staff_keep")
    assert run.at == REVIEW and "while they stay the officer of" in run.screen.text
    # Meanwhile another admin deactivated her: Xác nhận goes back to what is possible now.
    assert run.state is not None
    now = ctx(person=replace(OFFICER, standing=Standing.DEACTIVATED))
    reply = handle(GRANT, run.state, ChoiceInput("confirm"), now)
    assert reply.finished is None and reply.state is not None and reply.state.at == "change"
    assert reply.notices == ("Nothing to change.",)
    assert reply.screen is not None and [o.key for o in reply.screen.options] == ["on"]
    # Nothing typed is lost by cancelling a grant: no question first.
    assert handle(GRANT, reply.state, NavInput(Nav.CANCEL), now).cancelled
    assert handle(GRANT, reply.state, TextInput("hello"), now).notices

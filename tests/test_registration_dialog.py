"""Registration's definition on the engine alone (no aiogram, no database): the phone step,
the stored application, and that a new question is a change to the definition only."""

from __future__ import annotations

from dataclasses import replace

from bot.dialogs import plain
from bot.dialogs.engine import REVIEW
from bot.dialogs.model import Kind, Nav, Step
from bot.domain.text import Text
from bot.forms.inputs import FOREIGN_CONTACT, ContactInput, UnsupportedInput
from bot.registration.dialog import REGISTRATION, Application, intro, registration
from tests.test_dialog_engine import CTX, Run


def to_phone(run: Run) -> None:
    run.type("nguyễn thị lan")
    run.type("cau giay")
    assert run.screen.text.startswith("Press the unit")
    run.choose("167")
    run.type("Công chức")
    assert run.at == "phone"


def test_a_shared_contact_is_verified_and_a_typed_number_is_not() -> None:
    run = Run(REGISTRATION)
    to_phone(run)
    run.feed(ContactInput("84912345678"))
    assert run.at == REVIEW
    assert run.answers["phone"] == {"phone": "+84912345678", "verified": True}
    assert "Phone: 0912 345 678\n" not in run.screen.text  # the last line: no newline after it
    assert run.screen.text.endswith("Phone: 0912 345 678")
    run.choose("menu")
    run.choose("edit:phone")
    run.type("+84 987 654 321")
    assert run.answers["phone"] == {"phone": "+84987654321", "verified": False}
    assert run.screen.text.endswith("Phone: 0987 654 321 (unverified)")
    finished = run.choose("confirm").finished
    assert finished is not None
    assert Application.of(finished) == Application(
        "Nguyễn Thị Lan", "167", "Công chức", "+84987654321", phone_verified=False
    )


def test_wrong_phones_are_refused_with_what_is_expected() -> None:
    run = Run(REGISTRATION)
    to_phone(run)
    said = {
        "12345": "That is not a Vietnamese phone number.",
        "+1 415 555 0100": "That is not a Vietnamese phone number.",
    }
    for typed, message in said.items():
        assert run.type(typed).notices[0].startswith(message)
    assert run.feed(ContactInput("+14155550100")).notices[0].startswith("That number is not")
    assert (
        run.feed(UnsupportedInput(FOREIGN_CONTACT))
        .notices[0]
        .startswith("Please share your own number")
    )
    assert run.feed(UnsupportedInput("sticker")).notices[0].startswith("Please press the button")
    assert run.at == "phone" and "phone" not in run.answers


def test_without_buttons_the_phone_step_speaks_of_typing_only() -> None:
    """Zalo (`typed`): no share button to press, so neither the question nor a refusal
    mentions one; Telegram's question offers the button."""
    telegram = Run(REGISTRATION)
    to_phone(telegram)
    assert "press the button below to share it, or type it" in telegram.screen.text
    zalo = Run(REGISTRATION, replace(CTX, typed=True))
    to_phone(zalo)
    assert "Your phone number, so the department can reach you: type it" in zalo.screen.text
    said = [
        zalo.type("12345").notices[0],
        zalo.feed(UnsupportedInput("sticker")).notices[0],
        zalo.feed(UnsupportedInput("photo")).notices[0],
    ]
    assert said[0] == (
        "That is not a Vietnamese phone number. Please type your number like 0912 345 678."
    )
    assert said[1] == said[2] == "Please type your phone number, like 0912 345 678."
    assert not [s for s in [zalo.screen.text, *said] if "button" in s]
    zalo.type("0912 345 678")
    assert zalo.answers["phone"] == {"phone": "+84912345678", "verified": False}


def test_every_question_is_required_and_counted() -> None:
    run = Run(REGISTRATION)
    assert (run.screen.k, run.screen.n) == (1, 4)
    assert plain.parse("bỏ qua", run.screen) == plain.parse("bo qua", run.screen)
    assert run.nav(Nav.SKIP).notices == ("This question can't be skipped.",)
    assert intro(CTX) == (
        "Registration takes 4 short steps. You can go back at any step, or cancel with /huy."
    )


def test_a_new_question_is_a_change_to_the_definition_only() -> None:
    """A question whose answer depends on the unit, and an optional one, added as data: the
    engine re-asks the first when the unit changes, offers Skip on the second (also after
    going back) and counts both."""
    commune_role = Step(
        "commune_role",
        Kind.TEXT,
        "Role in the commune",
        Text("Your role in your commune?"),
        depends_on=("unit",),  # no `check`: a changed unit drops the answer
    )
    email = Step("email", Kind.TEXT, "E-mail", Text("Your e-mail, if any?"), required=False)
    steps = list(REGISTRATION.steps)
    steps[2:2] = [commune_role]
    steps.append(email)
    extended = replace(registration(steps), id="registration+")
    run = Run(extended)
    assert (run.screen.k, run.screen.n) == (1, 6)
    run.type("Nguyễn Thị Lan")
    run.type("cau giay")
    run.choose("167")
    assert run.at == "commune_role" and (run.screen.k, run.screen.n) == (3, 6)
    run.type("Phụ trách KH&CN")
    run.type("Công chức")
    run.feed(ContactInput("84912345678"))
    assert run.at == "email" and Nav.SKIP in run.screen.nav
    run.nav(Nav.SKIP)
    assert run.at == REVIEW and run.answers["email"] is None
    run.nav(Nav.BACK)
    assert run.at == "email" and Nav.SKIP in run.screen.nav  # after going back too
    run.type("lan@example.vn")
    assert "E-mail: lan@example.vn" in run.screen.text  # the review shows it, as data
    run.choose("menu")
    run.choose("edit:unit")
    run.type("hoa xa")
    run.choose(next(o.key for o in run.screen.options if o.label == "Xã Hòa Xá"))
    # The answer that depended on the unit was dropped, so it is asked again before the review;
    # the others are kept.
    assert run.at == "commune_role" and "commune_role" not in run.answers
    assert run.answers["position"] == "Công chức"
    run.type("Phó Chủ tịch")
    assert run.at == REVIEW

"""Đăng ký as data: the questions an officer answers to register, run by `bot.dialogs`.

```mermaid
stateDiagram-v2
    [*] --> full_name: /dangky (a guest: handlers.registration)
    full_name --> unit: a valid full name
    unit --> unit: part of a name typed → the matching units (old names, typos too)
    unit --> position: a unit pressed (or its number typed)
    position --> phone: a valid position
    phone --> review: the contact shared (verified), or a Vietnamese number typed
    review --> full_name: ✏️ Sửa → the answer to change, then the review again
    review --> [*]: Gửi (stored as pending, approvers told, committed, then confirmed)
```
Back, Skip, Keep, Cancel, old buttons and the step counter are the engine's. Adding a
question is adding a `Step` here, and — when its answer is stored — a field of `Application`
(and of the `users` table); the handler stores an `Application` whatever it holds.
The rules of each answer are `bot.domain.registration`'s.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.dialogs.engine import asked
from bot.dialogs.model import Context, Dialog, Kind, Step
from bot.domain import registration as rules
from bot.domain.phone import format_phone, parse_phone
from bot.domain.text import N_, Text
from bot.forms.inputs import (
    FOREIGN_CONTACT,
    ChoiceInput,
    ContactInput,
    TextInput,
    UnsupportedInput,
)
from bot.forms.results import Checked, Invalid, Valid


def _checked(answer: rules.Answer) -> Checked:
    if isinstance(answer, rules.Invalid):
        return Invalid(answer.reason)
    return Valid(answer.value)


def _phone(given: Any, _answers: Mapping[str, Any], ctx: Context) -> Checked | None:
    """A shared contact is the person's own number (verified); a typed one is not. Where
    there is no share button (Zalo), the messages speak of typing only."""
    if isinstance(given, ContactInput):
        raw = given.phone
        phone = parse_phone(raw if raw.startswith("+") else "+" + raw.lstrip("0"))
        if phone is None:
            return Invalid(
                Text(
                    N_(
                        "That number is not a Vietnamese phone number. "
                        "Please type your Vietnamese number."
                    )
                )
            )
        return Valid({"phone": phone, "verified": True})
    if isinstance(given, TextInput):
        typed = _checked(rules.parse_typed_phone(given.text))
        if isinstance(typed, Valid):
            return Valid({"phone": typed.value, "verified": False})
        if ctx.typed:
            return Invalid(
                Text(
                    N_(
                        "That is not a Vietnamese phone number. "
                        "Please type your number like 0912 345 678."
                    )
                )
            )
        return typed
    if isinstance(given, UnsupportedInput) and given.kind == FOREIGN_CONTACT:
        return Invalid(Text(N_("Please share your own number with the button below, or type it.")))
    if ctx.typed and not isinstance(given, ChoiceInput):  # a sticker, a photo, a place
        return Invalid(TYPE_THE_NUMBER)
    return None  # not a phone at all: the step's `expected` says what is


TYPE_THE_NUMBER = Text(N_("Please type your phone number, like 0912 345 678."))


def _phone_prompt(_answers: Mapping[str, Any], ctx: Context) -> Text:
    if ctx.typed:  # Zalo: no share button
        return Text(
            N_(
                "Your phone number, so the department can reach you: type it "
                "(for example 0912 345 678)."
            )
        )
    return Text(
        N_(
            "Your phone number, so the department can reach you: press the button below "
            "to share it, or type it (for example 0912 345 678)."
        )
    )


def phone_label(value: Mapping[str, Any], ctx: Context) -> str:
    """`0912 345 678`, or `0912 345 678 (unverified)` for a number typed, not shared."""
    shown = format_phone(str(value["phone"]))
    return shown if value.get("verified") else f"{shown} {ctx.gettext('(unverified)')}"


STEPS = (
    Step(
        "full_name",
        Kind.TEXT,
        N_("Full name"),
        Text(N_("What is your full name? For example: Nguyễn Văn An.")),
        parse=lambda text, _a, _ctx: _checked(rules.parse_full_name(text)),
        expected=Text(N_("Please type your full name as text, for example: Nguyễn Văn An.")),
    ),
    Step(
        "unit",
        Kind.UNIT,
        N_("Unit"),
        Text(
            N_(
                "Which commune or ward do you work for? Type part of its name, "
                "for example: Cầu Giấy, or Hoa Xa."
            )
        ),
        show=lambda code, ctx: (ctx.units.name(code) if ctx.units else None) or code,
        expected=Text(N_("Please type part of your unit's name, for example: Cầu Giấy.")),
    ),
    Step(
        "position",
        Kind.TEXT,
        N_("Position"),
        Text(N_("What is your position? For example: Công chức Văn hóa - Xã hội.")),
        parse=lambda text, _a, _ctx: _checked(rules.parse_position(text)),
        expected=Text(N_("Please type your position as text.")),
    ),
    Step(
        "phone",
        Kind.CONTACT,
        N_("Phone"),
        _phone_prompt,
        take=_phone,
        show=phone_label,
        expected=Text(
            N_(
                "Please press the button below to share your phone number, "
                "or type it like 0912 345 678."
            )
        ),
    ),
)


def review_of(steps: Sequence[Step]) -> Callable[[Mapping[str, Any], Context], str]:
    """The review of these steps' answers, as the department will read them."""

    def review(answers: Mapping[str, Any], ctx: Context) -> str:
        _ = ctx.gettext
        lines = [_("<b>Please check your registration</b>")]
        for step in (s for s in steps if s.name in answers):
            value = answers[step.name]
            if value is None:
                shown = _("— (skipped)")
            else:
                shown = step.show(value, ctx) if step.show is not None else str(value)
            lines.append(f"{_(step.label)}: {html.escape(shown, quote=False)}")
        return "\n".join(lines)

    return review


def registration(steps: Sequence[Step] = STEPS) -> Dialog:
    return Dialog(
        id="registration",
        title=N_("Registration"),
        steps=tuple(steps),
        review=review_of(steps),
        confirm_label=N_("✅ Submit"),
        cancelled=N_("Registration cancelled. Nothing was sent. You can start again with /dangky."),
        edit_menu=True,
    )


REGISTRATION = registration()

INTRO = N_(
    "Registration takes {count} short steps. You can go back at any step, or cancel with /huy."
)


def intro(ctx: Context) -> str:
    return ctx.gettext(INTRO).format(count=len(asked(REGISTRATION, {})))


@dataclass(frozen=True)
class Application:
    """What a finished registration stores (pending until staff approve it)."""

    full_name: str
    unit_code: str
    position: str
    phone: str
    phone_verified: bool

    @classmethod
    def of(cls, answers: Mapping[str, Any]) -> Application:
        return cls(
            full_name=answers["full_name"],
            unit_code=answers["unit"],
            position=answers["position"],
            phone=answers["phone"]["phone"],
            phone_verified=bool(answers["phone"]["verified"]),
        )

"""How a form's question, its buttons and the review screen look in Telegram."""

from __future__ import annotations

from typing import Any

from aiogram import html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _

from bot.callback_ids import SmallInt
from bot.clock import Clock
from bot.forms import (
    Field,
    FormDefinition,
    can_skip,
    options,
    previous_field,
    relevant_fields,
    render_message,
    render_submission,
    render_value,
)


class FormCb(CallbackData, prefix="f"):
    """A button of the form dialog; `i` is the index of the field it belongs to (stale check)."""

    a: str
    i: SmallInt = -1
    v: str = ""


def _btn(text: str, action: str, index: int = -1, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=FormCb(a=action, i=index, v=value).pack())


def question_text(form: FormDefinition, field: Field, answers: dict[str, Any], lang: str) -> str:
    asked = relevant_fields(form, answers)
    number = asked.index(field) + 1 if field in asked else len(asked)
    lines = [
        f"<i>{html.quote(form.title.get(lang))} · {number}/{len(asked)}</i>",
        f"<b>{html.quote(field.label.get(lang))}</b>",
    ]
    if field.hint is not None:
        lines.append(f"<i>{html.quote(field.hint.get(lang))}</i>")
    if not field.required:
        lines.append(_("(optional)"))
    if field.name in answers and answers[field.name] is not None:
        current = render_value(field, answers[field.name], lang)
        lines.append(_("Current answer: {value}").format(value=html.quote(current)))
    return "\n".join(lines)


def nav_row(
    form: FormDefinition, field: Field, answers: dict[str, Any], index: int
) -> list[InlineKeyboardButton]:
    row = []
    if previous_field(form, answers, field.name) is not None:
        row.append(_btn(_("⬅️ Back"), "back", index))
    if field.name in answers:
        row.append(_btn(_("↪️ Keep"), "keep", index))
    elif can_skip(field):
        row.append(_btn(_("⏭ Skip"), "skip", index))
    row.append(_btn(_("❌ Cancel"), "cancel", index))
    return row


def question_markup(
    form: FormDefinition,
    field: Field,
    answers: dict[str, Any],
    index: int,
    pending: list[Any],
    lang: str,
    clock: Clock,
    suggested: tuple[str, ...] = (),
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    offered = options(field, clock.today())
    # What the engine thinks a typed answer meant (a month without its year), first.
    rows.extend(
        [_btn(render_value(field, value, lang), "pick", index, value)]
        for value in suggested
        if value not in {o.value for o in offered}
    )
    if field.type == "select_multiple":
        for option in offered:
            mark = "✓ " if option.value in pending else ""
            label = mark + render_message(option.label, lang, _)
            rows.append([_btn(label, "toggle", index, option.value)])
        rows.append([_btn(_("✅ Done"), "done", index)])
    elif field.type in ("photo", "document"):
        if pending:
            rows.append([_btn(_("✅ Done ({count})").format(count=len(pending)), "done", index)])
    else:
        buttons = [
            _btn(render_message(option.label, lang, _), "pick", index, option.value)
            for option in offered
        ]
        # Long labels (choices) one per row; short ones (Có/Không, Hôm nay/Hôm qua) side by side.
        if field.type == "select_one":
            rows.extend([b] for b in buttons)
        elif buttons:
            rows.append(buttons)
    rows.append(nav_row(form, field, answers, index))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def share_keyboard(field: Field) -> ReplyKeyboardMarkup | None:
    """Location and phone fields get Telegram's share button under the keyboard."""
    if field.type == "location":
        button = KeyboardButton(text=_("📍 Send my location"), request_location=True)
    elif field.type == "phone":
        button = KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)
    else:
        return None
    return ReplyKeyboardMarkup(keyboard=[[button]], resize_keyboard=True, one_time_keyboard=True)


def review_text(form: FormDefinition, answers: dict[str, Any], lang: str, unit_name: str) -> str:
    lines = [
        _("<b>{title}</b> — please check before sending").format(
            title=html.quote(form.title.get(lang))
        ),
        _("Unit: {value}").format(value=html.quote(unit_name)),
        "",
    ]
    for number, (label, value) in enumerate(render_submission(form, answers, lang), start=1):
        lines.append(f"{number}. {html.quote(label)}: <b>{html.quote(value)}</b>")
    return "\n".join(lines)


def review_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_btn(_("✅ Submit"), "send"), _btn(_("✏️ Edit"), "edit")],
            [_btn(_("❌ Cancel"), "cancel")],
        ]
    )


def edit_markup(form: FormDefinition, answers: dict[str, Any], lang: str) -> InlineKeyboardMarkup:
    rows = [
        [_btn(f"{n}. {field.label.get(lang)}", "field", form.index(field.name))]
        for n, field in enumerate(relevant_fields(form, answers), start=1)
    ]
    rows.append([_btn(_("⬅️ Back"), "review")])
    return InlineKeyboardMarkup(inline_keyboard=rows)

"""The guided dialog over a form definition: what to ask next, accept or refuse an answer, the result.

State is a plain `dict[str, Any]` of answers by field name whose values are
JSON (see `bot.forms.fields`), so a front end keeps it in the FSM data as is.
A key present with None means "skipped". Functions never mutate the dict they
are given; they return a new one.

Relevance depends only on earlier answers, so the dialog is a walk through the
fields in order: the next field is the first relevant one without an answer.
Changing an answer (Back, or "edit field N" from the review) drops the answers
that stopped being relevant, and later answers whose constraint no longer holds,
so the walk then asks exactly what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from bot.domain.text import N_, Text
from bot.forms.fields import parse_input
from bot.forms.inputs import RawInput
from bot.forms.model import Field, FormDefinition
from bot.forms.render import render_value
from bot.forms.results import Checked, Invalid

Answers = dict[str, Any]

NOT_ACCEPTED = Text(N_("This answer is not accepted here; please check it."))


@dataclass(frozen=True)
class Accepted:
    """The answer was taken: the new answers (stale ones dropped) and the stored value."""

    answers: Answers
    value: Any


def is_relevant(field: Field, answers: Mapping[str, Any]) -> bool:
    return field.relevant is None or field.relevant.holds(answers)


def prune(form: FormDefinition, answers: Mapping[str, Any]) -> Answers:
    """Keep only answers to fields that exist and are relevant given the answers kept before them."""
    kept: Answers = {}
    for field in form.fields:
        if field.name in answers and is_relevant(field, kept):
            kept[field.name] = answers[field.name]
    return kept


def relevant_fields(form: FormDefinition, answers: Mapping[str, Any]) -> list[Field]:
    """The fields that are asked given these answers, in order (answered or not)."""
    kept = prune(form, answers)
    return [f for f in form.fields if is_relevant(f, kept)]


def next_field(form: FormDefinition, answers: Mapping[str, Any]) -> Field | None:
    """The first relevant field without an answer, or None when the form is complete."""
    kept = prune(form, answers)
    return next((f for f in form.fields if f.name not in kept and is_relevant(f, kept)), None)


def is_complete(form: FormDefinition, answers: Mapping[str, Any]) -> bool:
    return next_field(form, answers) is None


def previous_field(
    form: FormDefinition, answers: Mapping[str, Any], current: str | None
) -> Field | None:
    """The relevant field before `current` (for Back); with `current` None (the review), the last one."""
    end = len(form.fields) if current is None else form.index(current)
    earlier = [f for f in relevant_fields(form, answers) if form.index(f.name) < end]
    return earlier[-1] if earlier else None


def can_skip(field: Field) -> bool:
    """Only optional fields offer Skip."""
    return not field.required


def answered_fields(form: FormDefinition, answers: Mapping[str, Any]) -> list[Field]:
    """The relevant fields that have an answer (or were skipped), in order: the review's numbered list."""
    kept = prune(form, answers)
    return [f for f in form.fields if f.name in kept]


def validate(
    form: FormDefinition, answers: Mapping[str, Any], name: str, raw: RawInput, *, today: date
) -> Checked:
    """Is `raw` a valid answer to field `name`? The type's parse, then the field's constraint."""
    field = narrowed(form.field(name), answers)
    checked = parse_input(field, raw, today)
    if isinstance(checked, Invalid) or _constraint_holds(field, checked.value, answers, today):
        return checked
    return Invalid(field.constraint_message or NOT_ACCEPTED)


def narrowed(field: Field, answers: Mapping[str, Any]) -> Field:
    """The field with only the choices its `choice_filter` lets through, given the answers."""
    if not field.choice_filter:
        return field
    kept = tuple(
        choice
        for choice in field.choices
        if all(
            choice.column(column) == _scalar(answers.get(ref))
            for column, ref in field.choice_filter
        )
    )
    return replace(field, choices=kept)


def _scalar(value: Any) -> str:
    return "" if value is None else str(value)


def answer(
    form: FormDefinition, answers: Mapping[str, Any], name: str, raw: RawInput, *, today: date
) -> Accepted | Invalid:
    """Record `raw` as the answer to `name`; an Invalid leaves the caller's answers as they were.

    Raises ValueError when `name` is not asked given these answers (a stale button).
    """
    _require_relevant(form, answers, name)
    checked = validate(form, answers, name, raw, today=today)
    if isinstance(checked, Invalid):
        return checked
    return Accepted(_drop_stale(form, {**answers, name: checked.value}, name, today), checked.value)


def skip(form: FormDefinition, answers: Mapping[str, Any], name: str, *, today: date) -> Answers:
    """Record that optional field `name` was skipped (None). Raises ValueError for a required field."""
    field = form.field(name)
    if not can_skip(field):
        raise ValueError(f"field {name!r} of form {form.id!r} is required and can't be skipped")
    _require_relevant(form, answers, name)
    return _drop_stale(form, {**answers, name: None}, name, today)


def submission(form: FormDefinition, answers: Mapping[str, Any]) -> list[tuple[Field, Any]]:
    """The finished form: (field, value) for every relevant field, None for a skipped one.

    Raises ValueError naming the first missing field when the form is not complete.
    """
    missing = next_field(form, answers)
    if missing is not None:
        raise ValueError(f"form {form.id!r} is not complete: {missing.name!r} has no answer")
    kept = prune(form, answers)
    return [(f, kept[f.name]) for f in form.fields if f.name in kept]


def render_submission(
    form: FormDefinition, answers: Mapping[str, Any], lang: str
) -> list[tuple[str, str]]:
    """(label, shown value) per answered field in `lang`, e.g. ("Kinh phí đã sử dụng", "1.500.000 đ")."""
    return [
        (field.title(lang), render_value(field, value, lang))
        for field, value in submission(form, answers)
    ]


def _require_relevant(form: FormDefinition, answers: Mapping[str, Any], name: str) -> None:
    field = form.field(name)
    if not is_relevant(field, prune(form, answers)):
        raise ValueError(f"field {name!r} of form {form.id!r} is not asked given these answers")


def _constraint_holds(field: Field, value: Any, answers: Mapping[str, Any], today: date) -> bool:
    return field.constraint is None or field.constraint.holds(answers, current=value, today=today)


def _drop_stale(form: FormDefinition, answers: Answers, changed: str, today: date) -> Answers:
    """Prune irrelevant answers, and later answers whose constraint the change has broken."""
    position = form.index(changed)
    kept: Answers = {}
    for index, field in enumerate(form.fields):
        if field.name not in answers or not is_relevant(field, kept):
            continue
        value = answers[field.name]
        if index > position and value is not None:
            if not _constraint_holds(field, value, kept, today):
                continue
        kept[field.name] = value
    return kept

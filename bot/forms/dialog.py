"""A form definition (YAML, `FORMS_DIR`) as a `bot.dialogs` dialog: one Step per Field.

Pure: no aiogram, no SQL. The form's own rules stay where they are (`bot.forms`: the
parsers, the constraints, the labels); this module only says how each field is asked:

- `required` → Skip offered when it is not; `relevant` → the step's `relevant`;
- choices keep their stable names as option keys (what a button carries and a typed
  number selects); yes/no is a choice of `yes` / `no` stored as True / False;
- a date or month offers its ready-made answers (today, this month...) and takes typed text;
  a month typed without its year is asked back with the likely month as an option;
- photo / document fields of several files collect them (with their captions) until Done;
- a constraint that reads other answers (`${x}`) is checked again when one of them changes,
  and the answer dropped — so asked again — when it no longer holds.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from bot.dialogs.engine import CaptionedFile
from bot.dialogs.model import Answers, Context, Dialog, Gettext, Kind, Option, Step
from bot.domain.text import N_, Text
from bot.forms import fields as form_fields
from bot.forms.engine import is_relevant, narrowed, render_submission, validate
from bot.forms.inputs import ChoiceInput, FileInput, RawInput, TextInput
from bot.forms.localized import Localized, render_message
from bot.forms.model import SELECT_TYPES, Field, FormDefinition, Note
from bot.forms.render import render_value
from bot.forms.results import Checked, Invalid, Valid

PREFIX = "form:"
# A messenger without location sharing (Zalo): the place is typed as coordinates.
TYPED_LOCATION = N_(
    "Type the location as latitude, longitude (a map app shows them), for example "
    "21.0285, 105.8542."
)

_KINDS: dict[str, Kind] = {
    "select_one": Kind.CHOOSE_ONE,
    "yes_no": Kind.CHOOSE_ONE,
    "select_multiple": Kind.CHOOSE_MANY,
    "photo": Kind.FILE,
    "document": Kind.FILE,
    "location": Kind.LOCATION,
    "phone": Kind.CONTACT,
}


def dialog_id(form_id: str, lang: str) -> str:
    return f"{PREFIX}{form_id}:{lang}"


def _as_raw(given: Any) -> RawInput:
    if isinstance(given, CaptionedFile):
        file = given.file
        return FileInput(
            file.file_id,
            file.file_unique_id,
            file.kind,
            file.size,
            file.mime_type,
            file.file_name,
            caption=given.caption or file.caption,
            messenger=file.messenger,
        )
    raw: RawInput = given
    return raw


_OUTPUT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _filled(form: FormDefinition, text: str, answers: Mapping[str, Any], lang: str) -> str:
    """XLSForm text may show earlier answers (`Chào ${ten}`): escaped, with the answers put in."""

    def value(name: str) -> str:
        if answers.get(name) is None:
            return ""
        try:
            return html.escape(render_value(form.field(name), answers[name], lang))
        except KeyError:
            return html.escape(str(answers[name]))

    # split() alternates the literal text and the names captured between `${` and `}`.
    parts = _OUTPUT.split(text)
    return "".join(
        html.escape(part) if index % 2 == 0 else value(part) for index, part in enumerate(parts)
    )


def notes_text(
    form: FormDefinition, notes: tuple[Note, ...], answers: Mapping[str, Any], lang: str
) -> list[str]:
    """The notes and group headings to show now (those whose condition holds).

    A heading the import made is bold already (`<b>`): the only markup kept.
    """
    shown = []
    for note in notes:
        if note.relevant is None or note.relevant.holds(answers):
            text = _filled(form, note.text.get(lang), answers, lang)
            shown.append(text.replace("&lt;b&gt;", "<b>").replace("&lt;/b&gt;", "</b>"))
    return shown


def _step(form: FormDefinition, field: Field, lang: str) -> Step:
    many_files = field.type in ("photo", "document") and field.max_count > 1

    def prompt(answers: Answers, ctx: Context) -> Text:
        lines = notes_text(form, field.notes, answers, lang)
        lines.append(f"<b>{_filled(form, field.label.get(lang), answers, lang)}</b>")
        if ctx.typed and field.type == "location":
            # The definition's hint tells how to share one (📎 → Location): text can't.
            lines.append(f"<i>{ctx.gettext(TYPED_LOCATION)}</i>")
        elif field.hint is not None:
            lines.append(f"<i>{_filled(form, field.hint.get(lang), answers, lang)}</i>")
        if not field.required:
            lines.append(ctx.gettext("(optional)"))
        return Text("{text}", {"text": "\n".join(lines)})

    def offered(answers: Answers, ctx: Context) -> list[Option]:
        ready = form_fields.options(narrowed(field, answers), ctx.today)
        if field.default is not None and field.type not in SELECT_TYPES:
            ready = [form_fields.Option(field.default, Localized.of({lang: field.default})), *ready]
        due = ctx.extra.get("due_month")
        if field.type == "month" and due:  # the period now due first (the front end knows it)
            ready = sorted(ready, key=lambda o: o.value != due)
        return [Option(o.value, render_message(o.label, lang, ctx.gettext)) for o in ready]

    def take(given: Any, answers: Mapping[str, Any], ctx: Context) -> Checked | None:
        if field.type == "select_multiple" and isinstance(given, ChoiceInput):
            return None  # a toggle: the engine keeps the draft
        if many_files and isinstance(given, FileInput | CaptionedFile):
            return None  # collected until Done (`add`)
        if (
            isinstance(given, ChoiceInput)
            and given.value == field.default
            and field.type not in SELECT_TYPES
        ):
            given = TextInput(given.value)  # the default, pressed: read as if typed
        return validate(form, answers, field.name, _as_raw(given), today=ctx.today)

    def check(value: Any, answers: Mapping[str, Any], ctx: Context) -> Checked:
        if field.constraint is None or field.constraint.holds(
            answers, current=value, today=ctx.today
        ):
            return Valid(value)
        return Invalid(field.constraint_message or form_fields_not_accepted())

    def add(files: list[Any], given: Any, ctx: Context) -> Checked:
        return form_fields.add_file(field, files, _as_raw(given))

    def show(value: Any, ctx: Context) -> str:
        return render_value(field, value, lang)

    depends = tuple(
        name
        for name in (field.constraint.references if field.constraint is not None else ())
        if name != field.name
    )
    return Step(
        name=field.name,
        kind=_KINDS.get(field.type, Kind.TEXT),
        label=field.title(lang),
        prompt=prompt,
        required=field.required,
        relevant=lambda answers: is_relevant(field, answers),
        depends_on=tuple(sorted(depends)),
        check=check,
        options=offered,
        show=show,
        expected=None,
        max_length=field.max_length,
        take=take,
        add=add if many_files else None,
        collect=field.max_count if many_files else 0,
        required_message=field.required_message,
    )


def form_fields_not_accepted() -> Text:
    from bot.forms.engine import NOT_ACCEPTED

    return NOT_ACCEPTED


def review_text(form: FormDefinition, answers: Mapping[str, Any], ctx: Context, lang: str) -> str:
    """The review: the department's request when revising (`ctx.extra["staff_comment"]`), the
    unit (`ctx.extra["unit_name"]`), each answer numbered. (The form's title is the screen's
    header already.)"""
    _ = ctx.gettext
    unit = str(ctx.extra.get("unit_name", ""))
    comment = ctx.extra.get("staff_comment")
    lines = [
        *([staff_request(str(comment), _), ""] if comment else []),
        _("🔎 Please check before sending"),
        # An admin trying an imported form has no unit: no empty "Unit:" line then.
        *([_("Unit: {value}").format(value=html.escape(unit))] if unit else []),
        "",
    ]
    for number, (label, value) in enumerate(render_submission(form, answers, lang), start=1):
        lines.append(f"{number}. {html.escape(label)}: <b>{html.escape(value)}</b>")
    closing = notes_text(form, form.closing, answers, lang)
    return "\n".join([*lines, *([""] if closing else []), *closing])


def staff_request(comment: str, _: Gettext) -> str:
    """What the department asked for, above a reopened submission's screens."""
    return _("📝 The department asks for a revision: <i>{comment}</i>").format(
        comment=html.escape(comment)
    )


def form_dialog(form: FormDefinition, lang: str) -> Dialog:
    """The dialog that fills in `form`, in `lang` (labels and hints come from the definition)."""
    return Dialog(
        id=dialog_id(form.id, lang),
        title=form.title.get(lang),
        steps=tuple(_step(form, field, lang) for field in form.fields),
        review=lambda answers, ctx: review_text(form, answers, ctx, lang),
        confirm_label="✅ Submit",
        cancelled="Cancelled. Nothing was sent.",
        edit_menu=True,
        numbered_review=True,
        data={"form": form.id},
    )

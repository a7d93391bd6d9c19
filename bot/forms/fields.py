"""Per field type: which raw inputs it accepts, the JSON value it stores, and what it says otherwise.

Every type answers an input of the wrong kind (a sticker where a number is
expected, text where a photo is expected) with its `expected` message, so the
user always learns what to send.

Stored values: text → str; integer → int; decimal → float; money → int dong;
date → `yyyy-mm-dd`; time → `HH:MM`; datetime → `yyyy-mm-ddTHH:MM`; month → `yyyy-mm`;
select_one → choice name;
select_multiple → list of choice names in the definition's order; yes_no → bool;
photo / document → list of file dicts (`file_id`, `file_unique_id`, `type`,
`size`, `mime_type`, `file_name`); location → `{"lat": .., "lon": ..}`;
phone → E.164 string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.folding import fold
from bot.domain.phone import parse_phone
from bot.domain.text import CAPTION_MAX, N_, Text, clean_text
from bot.forms import dates, numbers, times
from bot.forms.inputs import (
    ChoiceInput,
    ChoicesInput,
    ContactInput,
    FileInput,
    FilesInput,
    LocationInput,
    RawInput,
    TextInput,
)
from bot.forms.localized import INTERFACE_LANGUAGES, Localized, Message
from bot.forms.model import Field
from bot.forms.results import Checked, Invalid, Valid

YES_NO_LABELS = {"vi": ("Có", "Không"), "en": ("Yes", "No")}
_YES = {"yes", "y", "co", "c", "dung", "u", "uh", "ok", "true", "1"}
_NO = {"no", "n", "khong", "ko", "k", "kg", "sai", "false", "0"}

TEXT_EMPTY = Text(N_("The answer can't be empty; please type some text."))
CHOOSE_AT_LEAST_ONE = Text(N_("Please choose at least one option."))
BAD_LOCATION = Text(
    N_("That is not a valid location: latitude must be -90…90 and longitude -180…180.")
)

_EXPECTED: dict[str, Text] = {
    "text": Text(N_("Please type your answer as text.")),
    "integer": numbers.INTEGER_EXPECTED,
    "decimal": numbers.DECIMAL_EXPECTED,
    "money": numbers.MONEY_EXPECTED,
    "select_one": Text(N_("Please choose one of the options (press a button or type its number).")),
    "select_multiple": Text(
        N_("Please choose one or more of the options (buttons, or numbers such as 1, 3).")
    ),
    "yes_no": Text(N_("Please answer yes or no.")),
    "photo": Text(N_("Please send a photo.")),
    "document": Text(N_("Please send a file or a photo.")),
    "location": Text(
        N_("Please share a location (📎 → Location), or type it as latitude, longitude.")
    ),
    "phone": Text(
        N_("Please enter a Vietnamese phone number, for example 0912 345 678, or share a contact.")
    ),
}


@dataclass(frozen=True)
class Option:
    """A ready-made answer a front end can offer as a button (or a numbered line)."""

    value: str
    label: Message


def expected(field: Field, today: date) -> Text:
    """What this field wants, said plainly: the answer to any input of the wrong kind."""
    if field.type == "date":
        return dates.date_expected(today)
    if field.type == "month":
        return dates.month_expected(today)
    if field.type == "time":
        return times.TIME_EXPECTED
    if field.type == "datetime":
        return times.datetime_expected(today)
    return _EXPECTED[field.type]


def parse_input(field: Field, raw: RawInput, today: date) -> Checked:
    """Turn `raw` into the field's stored value, or say what is expected (the type only, no constraint).

    Typed text loses invisible control characters first (`clean_text`), whatever the type.
    """
    if isinstance(raw, TextInput):
        raw = TextInput(clean_text(raw.text))
    return _PARSERS[field.type](field, raw, today)


def options(field: Field, today: date) -> list[Option]:
    """Buttons to offer: the choices, Có/Không, Today/Yesterday, this month/previous month."""
    if field.type in ("select_one", "select_multiple"):
        return [Option(c.name, c.label) for c in field.choices]
    if field.type == "yes_no":
        return [
            Option("yes", _yes_no_label(True)),
            Option("no", _yes_no_label(False)),
        ]
    if field.type == "date":
        offered = [
            Option(dates.TODAY, Text(N_("Today"))),
            Option(dates.YESTERDAY, Text(N_("Yesterday"))),
        ]
    elif field.type == "month":
        offered = [
            Option(
                month,
                Localized.of(
                    {lang: dates.format_month(month, lang) for lang in INTERFACE_LANGUAGES}
                ),
            )
            for month in (dates.month_of(today), dates.previous_month(today))
        ]
    else:
        return []
    return [
        o for o in offered if isinstance(parse_input(field, ChoiceInput(o.value), today), Valid)
    ]


def toggle_choice(field: Field, selected: Sequence[str], name: str) -> list[str]:
    """Add or remove `name` in a select_multiple draft; the result keeps the definition's order.

    An unknown name (a button left over from another question) changes nothing.
    """
    if field.choice(name) is None:
        return [c.name for c in field.choices if c.name in selected]
    chosen = set(selected) ^ {name}
    return [c.name for c in field.choices if c.name in chosen]


def add_file(field: Field, files: Sequence[Mapping[str, Any]], raw: RawInput) -> Checked:
    """Add one file to a photo/document draft of up to `max_count` files; the same file twice counts once."""
    checked = _one_file(field, raw)
    if isinstance(checked, Invalid):
        return checked
    new = checked.value
    current = [dict(f) for f in files]
    if any(f.get("file_unique_id") == new["file_unique_id"] for f in current):
        return Valid(current)
    if len(current) >= field.max_count:
        return Invalid(_too_many(field))
    return Valid([*current, new])


def _yes_no_label(value: bool) -> Localized:
    return Localized.of({lang: pair[0 if value else 1] for lang, pair in YES_NO_LABELS.items()})


def _too_many(field: Field) -> Text:
    return Text(N_("At most {max} files can be attached here."), {"max": field.max_count})


# --- parsers per type ----------------------------------------------------------


def _text(field: Field, raw: RawInput, today: date) -> Checked:
    if not isinstance(raw, TextInput):
        return Invalid(expected(field, today))
    # Phones may send decomposed Vietnamese; store one form (NFC) so search and export agree.
    value = clean_text(raw.text).strip()
    if not value:
        return Invalid(TEXT_EMPTY)
    if len(value) < field.min_length:
        return Invalid(
            Text(
                N_("That is too short: please write at least {min} characters."),
                {"min": field.min_length},
            )
        )
    if len(value) > field.max_length:
        return Invalid(
            Text(
                N_("That is too long ({length} characters); at most {max} are allowed."),
                {"length": len(value), "max": field.max_length},
            )
        )
    if field.numbers_only and not _NUMBERS_ONLY.fullmatch(value):
        return Invalid(NUMBERS_ONLY)
    return Valid(value)


# XLSForm's `numbers` appearance of a text question: what ODK's numeric keyboard can type.
_NUMBERS_ONLY = re.compile(r"[0-9 .,+\-]+")
NUMBERS_ONLY = Text(N_("Please type digits only (a code or a number such as 0912 345 678)."))


def _number_parser(parse: Callable[[str], Checked]) -> Callable[[Field, RawInput, date], Checked]:
    def parser(field: Field, raw: RawInput, today: date) -> Checked:
        if not isinstance(raw, TextInput | ChoiceInput):
            return Invalid(expected(field, today))
        return parse(raw.text if isinstance(raw, TextInput) else raw.value)

    return parser


def _date(field: Field, raw: RawInput, today: date) -> Checked:
    if not isinstance(raw, TextInput | ChoiceInput):
        return Invalid(expected(field, today))
    text = raw.text if isinstance(raw, TextInput) else raw.value
    no_future = field.max is not None and field.max.relative and field.max.days_from_today <= 0
    checked = dates.parse_date(text, today, no_future=no_future)
    if isinstance(checked, Invalid):
        return checked
    value = date.fromisoformat(checked.value)
    if field.max is not None and value > (limit := field.max.resolve(today)):
        if field.max.relative and field.max.days_from_today == 0:
            return Invalid(Text(N_("The date can't be in the future.")))
        return Invalid(
            Text(N_("The date can't be after {date}."), {"date": limit.strftime("%d/%m/%Y")})
        )
    if field.min is not None and value < (limit := field.min.resolve(today)):
        return Invalid(
            Text(N_("The date can't be before {date}."), {"date": limit.strftime("%d/%m/%Y")})
        )
    return checked


def _time(field: Field, raw: RawInput, today: date) -> Checked:
    if not isinstance(raw, TextInput | ChoiceInput):
        return Invalid(expected(field, today))
    return times.parse_time(raw.text if isinstance(raw, TextInput) else raw.value)


def _datetime(field: Field, raw: RawInput, today: date) -> Checked:
    if not isinstance(raw, TextInput | ChoiceInput):
        return Invalid(expected(field, today))
    return times.parse_datetime(raw.text if isinstance(raw, TextInput) else raw.value, today)


def _month(field: Field, raw: RawInput, today: date) -> Checked:
    if not isinstance(raw, TextInput | ChoiceInput):
        return Invalid(expected(field, today))
    text = raw.text if isinstance(raw, TextInput) else raw.value
    no_future = field.max is not None and field.max.relative and field.max.days_from_today <= 0
    checked = dates.parse_month(text, today, no_future=no_future)
    if isinstance(checked, Invalid):
        return checked
    offered = (dates.month_of(today), dates.previous_month(today))
    if isinstance(raw, TextInput) and dates.without_year(text) and checked.value not in offered:
        # `11` in November is the month on the button; `4` could be April of this year or of
        # the last, a button's number, a quarter: a month of a possibly wrong year is never
        # taken silently, the likely one is offered as a button.
        within = _month(field, ChoiceInput(checked.value), today)
        if isinstance(within, Invalid):
            return within
        return Invalid(
            Text(
                N_(
                    'Which year? "{typed}" alone does not say. If you mean {period}, press '
                    "the button below; otherwise type the month with its year, for example "
                    "{example}."
                ),
                {
                    "typed": text.strip(),
                    "period": _mm_yyyy(checked.value),
                    "example": _mm_yyyy(checked.value),
                },
            ),
            suggestions=(checked.value,),
        )
    if field.max is not None and checked.value > (
        limit := dates.month_of(field.max.resolve(today))
    ):
        if field.max.relative and limit == dates.month_of(today):
            return Invalid(Text(N_("The period can't be in the future.")))
        return Invalid(Text(N_("The period can't be after {period}."), {"period": _mm_yyyy(limit)}))
    if field.min is not None and checked.value < (
        limit := dates.month_of(field.min.resolve(today))
    ):
        return Invalid(
            Text(N_("The period can't be before {period}."), {"period": _mm_yyyy(limit)})
        )
    return checked


def _mm_yyyy(month: str) -> str:
    return dates.format_month(month, "en")


def _match_choice(field: Field, text: str) -> str | None:
    """A choice by its number in the list (1-based), its name, or its label in any language."""
    folded = fold(text).rstrip(".")
    if folded.isdigit() and 1 <= int(folded) <= len(field.choices):
        return field.choices[int(folded) - 1].name
    for choice in field.choices:
        if folded == fold(choice.name) or any(folded == fold(t) for _, t in choice.label.texts):
            return choice.name
    return None


def _select_one(field: Field, raw: RawInput, today: date) -> Checked:
    if isinstance(raw, ChoiceInput) and field.choice(raw.value) is not None:
        return Valid(raw.value)
    if isinstance(raw, TextInput) and (name := _match_choice(field, raw.text)) is not None:
        return Valid(name)
    return Invalid(expected(field, today))


def _select_multiple(field: Field, raw: RawInput, today: date) -> Checked:
    if isinstance(raw, ChoicesInput):
        names: list[str | None] = list(raw.values)
    elif isinstance(raw, ChoiceInput):
        names = [raw.value]
    elif isinstance(raw, TextInput):
        # `1, 3`, `1 3`, `1;3` or labels separated by `;` / new lines (labels may hold commas).
        text = raw.text.strip()
        parts = (
            re.split(r"[,;\s]+", text)
            if re.fullmatch(r"[\d,;\s]+", text)
            else re.split(r"[;\n]+", text)
        )
        names = [_match_choice(field, p) for p in parts if p.strip()]
    else:
        return Invalid(expected(field, today))
    if any(name is None or field.choice(name) is None for name in names):
        return Invalid(expected(field, today))
    if not names:
        return Invalid(CHOOSE_AT_LEAST_ONE)
    return Valid([c.name for c in field.choices if c.name in names])


def _yes_no(field: Field, raw: RawInput, today: date) -> Checked:
    if isinstance(raw, TextInput | ChoiceInput):
        word = fold(raw.text if isinstance(raw, TextInput) else raw.value).rstrip(".!")
        if word in _YES:
            return Valid(True)
        if word in _NO:
            return Valid(False)
    return Invalid(expected(field, today))


def _one_file(field: Field, raw: RawInput) -> Checked:
    """One FileInput → a stored file dict, checking the kind and the size."""
    wrong = Invalid(_EXPECTED[field.type])
    if not isinstance(raw, FileInput):
        return wrong
    is_image = raw.kind == "photo" or (raw.mime_type or "").startswith("image/")
    if field.type == "photo" and not is_image:
        return wrong
    if raw.size is not None and raw.size > field.max_size_mb * 1024 * 1024:
        return Invalid(
            Text(
                N_("The file is too large ({size} MB); the limit is {max} MB."),
                {"size": math.ceil(raw.size / 1024 / 1024), "max": field.max_size_mb},
            )
        )
    stored: dict[str, Any] = {
        "file_id": raw.file_id,
        "file_unique_id": raw.file_unique_id,
        "type": raw.kind,
        "size": raw.size,
        "mime_type": raw.mime_type,
        "file_name": raw.file_name,
    }
    caption = clean_text(raw.caption or "").strip()[:CAPTION_MAX]
    if caption:
        stored["caption"] = caption
    if raw.messenger != "telegram":
        stored["messenger"] = raw.messenger
    return Valid(stored)


def _files(field: Field, raw: RawInput, today: date) -> Checked:
    if isinstance(raw, FileInput):
        return add_file(field, [], raw)
    if not isinstance(raw, FilesInput):
        return Invalid(expected(field, today))
    collected: list[dict[str, Any]] = []
    for item in raw.files:
        size = item.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
            return Invalid(expected(field, today))
        try:
            file = FileInput(
                file_id=str(item["file_id"]),
                file_unique_id=str(item["file_unique_id"]),
                kind="photo" if item.get("type") == "photo" else "document",
                size=size,
                mime_type=item.get("mime_type"),
                file_name=item.get("file_name"),
                caption=item.get("caption"),
                messenger=str(item.get("messenger") or "telegram"),
            )
        except (KeyError, TypeError):
            return Invalid(expected(field, today))
        added = add_file(field, collected, file)
        if isinstance(added, Invalid):
            return added
        collected = added.value
    if not collected:
        return Invalid(expected(field, today))
    return Valid(collected)


def _location(field: Field, raw: RawInput, today: date) -> Checked:
    if isinstance(raw, TextInput):
        match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*", raw.text)
        if match is None:
            return Invalid(expected(field, today))
        raw = LocationInput(float(match.group(1)), float(match.group(2)))
    if not isinstance(raw, LocationInput):
        return Invalid(expected(field, today))
    lat, lon = float(raw.lat), float(raw.lon)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return Invalid(BAD_LOCATION)
    return Valid({"lat": lat, "lon": lon})


def _phone(field: Field, raw: RawInput, today: date) -> Checked:
    if isinstance(raw, TextInput):
        text = raw.text
    elif isinstance(raw, ContactInput):
        text = raw.phone
    else:
        return Invalid(expected(field, today))
    phone = parse_phone(text)
    return Valid(phone) if phone is not None else Invalid(expected(field, today))


_PARSERS: dict[str, Callable[[Field, RawInput, date], Checked]] = {
    "text": _text,
    "integer": _number_parser(numbers.parse_integer),
    "decimal": _number_parser(numbers.parse_decimal),
    "money": _number_parser(numbers.parse_money),
    "date": _date,
    "month": _month,
    "time": _time,
    "datetime": _datetime,
    "select_one": _select_one,
    "select_multiple": _select_multiple,
    "yes_no": _yes_no,
    "photo": _files,
    "document": _files,
    "location": _location,
    "phone": _phone,
}

"""The shape of a loaded form: a definition, its fields and their choices (immutable values)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

from bot.domain.text import Text
from bot.forms.expressions import Expression
from bot.forms.localized import Localized

FieldType = Literal[
    "text",
    "integer",
    "decimal",
    "money",
    "date",
    "time",
    "datetime",
    "month",
    "select_one",
    "select_multiple",
    "yes_no",
    "photo",
    "document",
    "location",
    "phone",
]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
SELECT_TYPES = ("select_one", "select_multiple")
FILE_TYPES = ("photo", "document")

DEFAULT_MAX_LENGTH = 1000
# Telegram lets a bot download files up to 20 MB through getFile.
DEFAULT_MAX_SIZE_MB = 20

_BOUND = re.compile(r"^today(?:\s*([+-])\s*(\d+))?$")


@dataclass(frozen=True)
class DateBound:
    """`min` / `max` of a date or month field: `today`, `today-30`, or a fixed ISO date."""

    fixed: date | None = None
    days_from_today: int = 0

    @classmethod
    def parse(cls, spec: str) -> DateBound:
        """Raise ValueError when `spec` is neither `today[±N]` nor `yyyy-mm-dd` / `yyyy-mm`."""
        text = spec.strip().lower()
        match = _BOUND.match(text)
        if match:
            sign, days = match.groups()
            return cls(days_from_today=(-1 if sign == "-" else 1) * int(days or 0))
        if re.fullmatch(r"\d{4}-\d{2}", text):
            text += "-01"
        return cls(fixed=date.fromisoformat(text))

    @property
    def relative(self) -> bool:
        return self.fixed is None

    def resolve(self, today: date) -> date:
        return self.fixed if self.fixed is not None else today + timedelta(self.days_from_today)


@dataclass(frozen=True)
class Choice:
    name: str
    label: Localized
    # XLSForm's extra columns of the choices sheet, read by a `choice_filter`.
    columns: tuple[tuple[str, str], ...] = ()

    def column(self, key: str) -> str:
        return dict(self.columns).get(key, "")


@dataclass(frozen=True)
class Note:
    """Text shown above a question (an XLSForm note, or the heading of the group it opens)."""

    text: Localized
    relevant: Expression | None = None


@dataclass(frozen=True)
class Placement:
    """Where an imported field sits in its XLSForm: the name there, its groups, its repeat."""

    name: str
    groups: tuple[str, ...] = ()
    repeat: str | None = None  # the repeat's name; the field is asked once per entry
    entry: int = 0  # 1, 2, ... inside a repeat
    repeat_label: Localized | None = None  # the repeat's label ("Thành viên")


@dataclass(frozen=True)
class Computed:
    """A value the bot fills in, never asked: an XLSForm calculate or a metadata type."""

    name: str
    kind: str  # calculate, start, end, today, deviceid, username, phonenumber, ...
    expression: Expression | None = None
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Field:
    """One question. Type-specific settings are ignored by the other types (the loader refuses them)."""

    name: str
    type: FieldType
    label: Localized
    hint: Localized | None = None
    required: bool = False
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: Localized | None = None
    list_name: str | None = None
    choices: tuple[Choice, ...] = ()
    min_length: int = 1  # text
    max_length: int = DEFAULT_MAX_LENGTH  # text
    max_count: int = 1  # photo, document
    max_size_mb: int = DEFAULT_MAX_SIZE_MB  # photo, document
    min: DateBound | None = None  # date, month
    max: DateBound | None = None  # date, month
    # Imported from XLSForm (bot.forms.xlsform); empty for YAML definitions.
    default: str | None = None  # offered as a ready-made answer
    notes: tuple[Note, ...] = ()
    choice_filter: tuple[tuple[str, str], ...] = ()  # (choice column, field it must equal)
    placement: Placement | None = None
    required_message: Localized | None = None  # said when a required question is skipped
    numbers_only: bool = False  # text typed as digits (XLSForm's `numbers` appearance)

    def choice(self, name: str) -> Choice | None:
        return next((c for c in self.choices if c.name == name), None)

    def title(self, lang: str) -> str:
        """The label, and for a question of a repeat its entry: `Thành viên 2 — Họ tên`, so
        that the answers of different entries can be told apart on a review."""
        place = self.placement
        if place is None or place.repeat is None or place.repeat_label is None:
            return self.label.get(lang)
        return f"{place.repeat_label.get(lang)} {place.entry} — {self.label.get(lang)}"


@dataclass(frozen=True)
class FormDefinition:
    """A whole form. `period_field` names the month field when there is one report per unit and period."""

    id: str
    title: Localized
    fields: tuple[Field, ...]
    version: int = 1
    period_field: str | None = None
    source: str = ""
    # Imported from XLSForm: the XLSForm version text, the values filled in by the bot,
    # the data columns in the workbook's order (field or computed names), notes after the
    # last question, and what was adapted for a chat (said to the admin at import).
    xlsform_version: str = ""
    computed: tuple[Computed, ...] = ()
    columns: tuple[str, ...] = ()
    closing: tuple[Note, ...] = ()
    adapted: tuple[Text, ...] = ()
    units: tuple[str, ...] | None = None  # published to these units only; None: to everyone
    trial: bool = False  # an import not yet published, tried by the admin: Gửi stores nothing

    def offered_to(self, unit_code: str | None) -> bool:
        return not self.trial and (self.units is None or (unit_code or "") in self.units)

    def field(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(f"form {self.id!r} has no field {name!r}")

    def index(self, name: str) -> int:
        return self.fields.index(self.field(name))

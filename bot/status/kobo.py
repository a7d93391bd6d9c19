"""An imported XLSForm form's answers laid out as KoboToolbox exports them (issue 16).

Kobo's default export is "XML values and headers" without group prefixes: one column
per question, headed by its `name`, holding what ODK stores (a choice's `name`, not its
label); a select_multiple is its choice names separated by spaces, then one 0/1 column
per choice headed `question/choice`; a geopoint is `lat lon alt precision`, then
`_q_latitude`, `_q_longitude`, `_q_altitude`, `_q_precision`; calculate and metadata
(start, end, today, deviceid...) are columns where the workbook puts them; notes are not
columns. Each repeat is a sheet of its own, one row per entry, whose `_parent_index` is
the `_index` of its submission's row. A department's analysis written against a Kobo
export therefore reads ours.

The columns come from the form alone, so a form nobody has filled still has its headers.
No database and no spreadsheet library here: `bot.status.export` writes the cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.forms.model import Field, FormDefinition

# Kobo's own trailing columns, in its order; ours fill those they have a meaning for.
TRAILING = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)
# What the department needs beside Kobo's: which unit sent it.
UNIT_COLUMNS = ("_unit_code", "_unit")
REPEAT_TRAILING = (
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
    "_submission__uuid",
    "_submission__submission_time",
    "_submission__validation_status",
    "_submission__notes",
    "_submission__status",
    "_submission__submitted_by",
    "__version__",
    "_submission__tags",
)
_GEO_PARTS = ("latitude", "longitude", "altitude", "precision")


@dataclass(frozen=True)
class Column:
    """One data column: `key` is the answer's name (inside a repeat, without `__k`)."""

    header: str
    key: str
    field: Field | None = None  # None: a calculate or metadata value
    part: str = ""  # a choice name (its 0/1 column) or a geopoint part


@dataclass(frozen=True)
class Table:
    """A sheet's data columns: the form's (`repeat` None) or one repeat's."""

    name: str
    columns: tuple[Column, ...]
    repeat: str | None = None


@dataclass(frozen=True)
class Layout:
    main: Table
    repeats: tuple[Table, ...]


def is_xlsform(form: FormDefinition) -> bool:
    """A form read from a workbook: it knows its columns in the workbook's order."""
    return bool(form.columns)


def layout(form: FormDefinition) -> Layout:
    """The columns of the form's sheet and of each of its repeats, in the workbook's order."""
    computed = {c.name for c in form.computed}
    fields = {f.name: f for f in form.fields}
    main: list[Column] = []
    repeats: dict[str, list[Column]] = {}
    for name in form.columns:
        if name in computed:
            main.append(Column(name, name))
            continue
        field = fields.get(name)
        if field is None:
            continue
        place = field.placement
        if place is not None and place.repeat is not None:
            columns = repeats.setdefault(place.repeat, [])
            if place.entry == 1:
                columns.extend(_columns(field, place.name))
            continue
        main.extend(_columns(field, place.name if place else name))
    return Layout(
        Table(form.id, tuple(main)),
        tuple(Table(name, tuple(columns), name) for name, columns in repeats.items()),
    )


def _columns(field: Field, name: str) -> list[Column]:
    own = Column(name, name, field)
    if field.type == "select_multiple":
        return [own, *(Column(f"{name}/{c.name}", name, field, c.name) for c in field.choices)]
    if field.type == "location":
        return [own, *(Column(f"_{name}_{part}", name, field, part) for part in _GEO_PARTS)]
    return [own]


def entries(table: Table, answers: Mapping[str, Any], most: int) -> list[int]:
    """The entries (1, 2, ...) of a repeat that were asked in this submission.

    An entry was asked when one of its answers is stored, or when "add another?" was
    answered yes before it (its questions may all have been skipped).
    """
    assert table.repeat is not None
    keys = {c.key for c in table.columns}
    asked = []
    for entry in range(1, most + 1):
        stored = any(f"{key}__{entry}" in answers for key in keys)
        wanted = answers.get(f"{table.repeat}__more{entry - 1}") is True
        # Entry 1 is asked whenever the repeat is; its "add another?" says so when all was skipped.
        first = entry == 1 and f"{table.repeat}__more1" in answers
        if stored or wanted or first:
            asked.append(entry)
    return asked


def value(column: Column, answers: Mapping[str, Any], entry: int = 0) -> Any:
    """The cell of `column`: XML values, numbers as numbers, a date as a `date`."""
    stored = answers.get(f"{column.key}__{entry}" if entry else column.key)
    if stored is None:
        return None
    field = column.field
    if field is None:
        return stored
    kind = field.type
    if kind == "select_multiple":
        chosen = [str(name) for name in stored]
        if column.part:
            return 1 if column.part in chosen else 0
        return " ".join(chosen)
    if kind == "location":
        lat, lon = float(stored["lat"]), float(stored["lon"])
        # A chat gives no altitude or accuracy: 0, as ODK writes when the phone gives none.
        parts = {"latitude": lat, "longitude": lon, "altitude": 0, "precision": 0}
        return parts[column.part] if column.part else f"{lat} {lon} 0 0"
    if kind == "integer":
        return int(stored)
    if kind in ("decimal", "money"):
        return float(stored) if kind == "decimal" else int(stored)
    if kind == "date":
        return date.fromisoformat(str(stored))
    if kind == "yes_no":
        return "yes" if stored else "no"
    return str(stored)


def validation_status(state: str) -> str | None:
    """Kobo's `_validation_status` for a review state: approved, on hold, or not reviewed."""
    return {
        "accepted": "validation_status_approved",
        "needs_revision": "validation_status_on_hold",
    }.get(state)

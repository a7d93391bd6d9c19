"""The participants of an event as an Excel workbook, the way staff print and file it.

One row per answer, grouped by unit (by its name), confirmed first, then the waiting
list in its order; for a conference, the units' answers and a second sheet of the
invited units that have not answered. Headers are in the reader's language.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.domain.events import EventKind, SignupStatus
from bot.domain.units import UnitDirectory
from bot.events.render import status_label
from bot.people import phone_label
from storage.models import Event, EventSignup, User

Gettext = Callable[[str], str]
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
STATUS_ORDER = {
    SignupStatus.CONFIRMED: 0,
    SignupStatus.WAITING: 1,
    SignupStatus.ABSENT: 2,
    SignupStatus.CANCELLED: 3,
}
Row = tuple[EventSignup, User]


def unit_name(code: str | None, units: UnitDirectory) -> str:
    unit = units.get(code or "")
    return unit.name if unit else (code or "")


def by_unit(rows: Sequence[Row], units: UnitDirectory) -> list[Row]:
    """Grouped by unit name, then confirmed before waiting before absent, then press order."""
    return sorted(
        rows,
        key=lambda row: (
            unit_name(row[0].unit_code, units).casefold(),
            STATUS_ORDER[row[0].status],
            row[0].seq,
        ),
    )


def file_name(event: Event) -> str:
    return f"su-kien-{event.id}-danh-sach.xlsx"


def _text(value: str) -> str:
    # Characters XML can't hold would abort the file; "=" must not become a formula.
    clean = str(ILLEGAL_CHARACTERS_RE.sub("", value))
    return "'" + clean if clean.startswith("=") else clean


def _header(sheet: Any, headers: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(headers))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def participants_workbook(
    event: Event,
    rows: Sequence[Row],
    positions: dict[int, int],
    not_answered: Sequence[str],
    units: UnitDirectory,
    _: Gettext,
    tz: tzinfo,
) -> bytes:
    """The .xlsx file's bytes."""
    conference = event.kind is EventKind.CONFERENCE
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Participants")[:31]
    headers = [
        _("No."),
        _("Unit"),
        _("Full name"),
        _("Position"),
        _("Phone"),
        _("Status"),
        _("Waiting position"),
    ]
    widths = [6, 28, 26, 26, 16, 16, 10]
    if conference:
        headers.append(_("Who attends"))
        widths.append(30)
    headers.append(_("Answered at") if conference else _("Signed up at"))
    widths.append(18)
    _header(sheet, headers, widths)
    for number, (signup, person) in enumerate(by_unit(rows, units), start=1):
        values: list[object] = [
            number,
            _text(unit_name(signup.unit_code, units)),
            _text(person.full_name or person.telegram_name or str(person.id)),
            _text(person.position or ""),
            phone_label(person.phone, person.phone_verified, _) if person.phone else "",
            status_label(signup.status, event.kind, _),
            positions.get(signup.id) if signup.status is SignupStatus.WAITING else None,
        ]
        if conference:
            values.append(_text(signup.attendees or ""))
        # Excel has no time zones: the department's local time, as people read it.
        answered = signup.updated_at if conference else signup.created_at
        values.append(answered.astimezone(tz).replace(tzinfo=None))
        sheet.append(values)
        sheet.cell(row=sheet.max_row, column=len(values)).number_format = DATETIME_FORMAT
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{sheet.max_row}"
    if conference:
        missing = workbook.create_sheet(_("Not answered")[:31])
        _header(missing, [_("No."), _("Unit")], [6, 36])
        for number, code in enumerate(
            sorted(not_answered, key=lambda c: unit_name(c, units).casefold()), start=1
        ):
            missing.append([number, _text(unit_name(code, units))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

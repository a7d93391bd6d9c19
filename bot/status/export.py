"""/xuat and `python -m bot export`: one Excel workbook for a period.

Sheets: a summary by unit first (what people open first), then one per form — a row
per live submission, a column per field with the form's Vietnamese labels, dates as
date cells (`dd/mm/yyyy`), money as numbers shown `#,##0 "đ"`, choices by label — then
any extra sheets (issue 6 adds the sign-ups sheet, `bot.events.period_sheet`, through
`ExtraSheet`). The summary counts each unit's event sign-ups too.

XlsxWriter's constant-memory mode streams rows to a temporary file, and rows come from
the database in batches, so memory stays flat however many rows there are. (openpyxl's
write-only mode does the same but took 9-10 s for a year of 126 units, ~50,000 rows and
a million cells, against the 10 s target; XlsxWriter writes it in about half that.) The CPU work
(turning answers into cells, zipping the file) runs in a worker thread so the bot
keeps answering other users meanwhile.
"""

from __future__ import annotations

import asyncio
import re
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from typing import IO, Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from xlsxwriter import Workbook
from xlsxwriter.format import Format

from bot.domain import status as rules
from bot.domain.periods import Period, short_month
from bot.domain.units import UnitEntry
from bot.forms import Field, FormDefinition, render_value
from bot.status import kobo
from bot.status.figures import due_months, span
from bot.status.render import state_label
from storage.models import Submission, SubmissionStatus, User
from storage.repositories import imported_forms
from storage.repositories import status as queries
from storage.repositories.status import LIVE, as_utc

Gettext = Callable[[str], str]
Progress = Callable[[int, int], None]

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
ISO_DATE_FORMAT = "yyyy-mm-dd"  # an imported form's dates, as Kobo writes them
MONTH_FORMAT = "mm/yyyy"
# Excel shows the thousands separator of the reader's locale: dots for a Vietnamese reader.
MONEY_FORMAT = '#,##0 "đ"'
BATCH = 2000
SHEET_TITLE_MAX = 31


class ExtraSheet(Protocol):
    """A sheet another capability adds to the export (issue 6: sign-ups)."""

    def title(self, _: Gettext) -> str: ...

    def headers(self, _: Gettext) -> list[str]: ...

    async def count(self, session: AsyncSession, period: Period, tz: ZoneInfo) -> int: ...

    def rows(
        self, session: AsyncSession, period: Period, tz: ZoneInfo, _: Gettext
    ) -> AsyncIterator[list[Any]]: ...


@dataclass(frozen=True)
class ExportResult:
    """What was written: rows per sheet title, and how many of them are submissions."""

    rows: dict[str, int]
    submissions: int


def file_name(period: Period) -> str:
    return f"khcn-{period.key}.xlsx"


@dataclass(frozen=True)
class Styled:
    """A value shown with one of the workbook's number formats ("money", "date", ...)."""

    value: Any
    style: str


class _Sheet:
    """A streamed sheet: a styled header row, then typed cells row by row.

    Strings are always written as text, never parsed as formulas, so an answer typed
    as `=HYPERLINK(...)` stays what the officer typed (no formula injection).
    """

    def __init__(
        self,
        book: _Book,
        title: str,
        headers: Sequence[str],
        widths: Sequence[int],
    ) -> None:
        self.book = book
        self.sheet = book.workbook.add_worksheet(title)
        for index, width in enumerate(widths):
            self.sheet.set_column(index, index, width)
        self.sheet.freeze_panes(1, 0)
        self.columns = len(headers)
        self.rows = 0
        for column, text in enumerate(headers):
            self.sheet.write_string(0, column, text, book.styles["header"])

    def cell(self, value: Any, style: str | None = None) -> Any:
        return value if style is None else Styled(value, style)

    def append(self, values: Sequence[Any]) -> None:
        self.rows += 1
        row, sheet, styles = self.rows, self.sheet, self.book.styles
        for column, value in enumerate(values):
            if value is None or value == "":
                continue  # an empty cell, not an empty string
            if isinstance(value, Linked):
                # Relative to the workbook: the files' folder extracted beside it.
                sheet.write_url(row, column, f"external:{value.target}", string=value.text)
                continue
            if isinstance(value, Styled):
                style, value = styles[value.style], value.value
            else:
                style = None
            if isinstance(value, str):
                # XlsxWriter escapes control characters itself (as _xHHHH_).
                sheet.write_string(row, column, value, style)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, column, value, style or styles["datetime"])
            elif isinstance(value, date):
                sheet.write_datetime(row, column, value, style or styles["date"])
            else:
                sheet.write_number(row, column, value, style)

    def finish(self) -> None:
        if self.rows:
            self.sheet.autofilter(0, 0, self.rows, self.columns - 1)


class _Book:
    """The workbook and its few cell styles."""

    def __init__(self, out: IO[bytes] | str) -> None:
        # constant_memory: each row goes to a temporary file as soon as the next begins.
        self.workbook = Workbook(out, {"constant_memory": True})
        add = self.workbook.add_format
        self.styles: dict[str, Format] = {
            "header": add(
                {
                    "bold": True,
                    "bg_color": "#DDEBF7",
                    "text_wrap": True,
                    "valign": "top",
                    "border": 1,
                }
            ),
            "date": add({"num_format": DATE_FORMAT}),
            "iso_date": add({"num_format": ISO_DATE_FORMAT}),
            "datetime": add({"num_format": DATETIME_FORMAT}),
            "month": add({"num_format": MONTH_FORMAT}),
            "money": add({"num_format": MONEY_FORMAT}),
            "bold": add({"bold": True}),
            "bold_money": add({"bold": True, "num_format": MONEY_FORMAT}),
        }


def _sheet_title(text: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "-", text).strip()[:SHEET_TITLE_MAX] or "Sheet"
    base, number = title, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        number += 1
    taken.add(title.lower())
    return title


_UNSAFE = re.compile(r'[\\/:*?"<>|#%&\x00-\x1f]+')


def _safe(name: str) -> str:
    """A file or folder name that every system and a spreadsheet link accept."""
    return _UNSAFE.sub("-", name).strip(" .-") or "_"


def file_names(field: Field, files: Sequence[dict[str, Any]]) -> list[str]:
    """Each attachment's name: its own, or `anh-2.jpg` / `tep-3` when Telegram gave none."""
    names = []
    for number, file in enumerate(files, start=1):
        own = file.get("file_name")
        if own:
            names.append(f"{number}-{_safe(str(own))}")
        elif file.get("type") == "photo":
            names.append(f"{number}-anh.jpg")
        else:
            names.append(f"{number}-tep")
    return names


def submission_folder(unit_name: str, submission_id: int, form_title: str) -> str:
    """`Phường Cầu Giấy/12 - Báo cáo hoạt động KH-CN`: the zip's folders, by unit and submission."""
    return f"{_safe(unit_name)}/{submission_id} - {_safe(form_title)}"


@dataclass(frozen=True)
class Linked:
    """A cell that opens a file of the files' folder (`--files`) when clicked."""

    text: str
    target: str


def _field_cell(sheet: _Sheet, field: Field, value: Any, lang: str) -> Any:
    if value is None:
        return None
    kind = field.type
    if kind in ("integer",):
        return int(value)
    if kind == "decimal":
        return float(value)
    if kind == "money":
        return sheet.cell(int(value), "money")
    if kind == "date":
        return sheet.cell(date.fromisoformat(str(value)), "date")
    if kind == "month":
        year, month = str(value).split("-")
        return sheet.cell(date(int(year), int(month), 1), "month")
    return sheet.cell(render_value(field, value, lang))


@dataclass
class _Context:
    period: Period
    units: dict[str, UnitEntry]
    tz: ZoneInfo
    lang: str
    gettext: Gettext
    progress: Progress | None
    total: int
    done: int = 0
    # The folder the files were written to (`--files`), relative to the workbook: cells link there.
    files_folder: str | None = None
    taken: set[str] = dataclass_field(default_factory=set)  # sheet titles, lower case

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(self.done, self.total)


def _form_filter(form: FormDefinition, period: Period, tz: ZoneInfo) -> dict[str, Any]:
    """Reports by their period; other forms by the day they are about (an inspection's
    date), or when they were sent if they have none."""
    if form.period_field:
        return {"months": period.months}
    return {"dated": queries.dated_in(form.id, span(period, tz))}


def _form_query(form: FormDefinition, ctx: _Context) -> Any:
    """The live submissions of `form` in the period, in the sheet's order."""
    scope = _form_filter(form, ctx.period, ctx.tz)
    query = (
        select(
            Submission.id,
            Submission.unit_code,
            User.full_name,
            Submission.submitted_at,
            Submission.status,
            Submission.answers,
            Submission.draft_token,
            Submission.form_version,
        )
        .outerjoin(User, User.id == Submission.officer_id)
        .where(Submission.form_id == form.id, LIVE)
    )
    if "months" in scope:
        return query.where(Submission.period.in_(scope["months"])).order_by(
            Submission.period, Submission.unit_code, Submission.id
        )
    return query.where(scope["dated"]).order_by(Submission.submitted_at, Submission.id)


async def _write_form(
    session: AsyncSession, book: _Book, title: str, form: FormDefinition, ctx: _Context
) -> int:
    if kobo.is_xlsform(form):
        return await _write_kobo(session, book, title, form, ctx)
    _ = ctx.gettext
    fields = list(form.fields)
    headers = [
        _("Reference"),
        _("Unit"),
        _("Unit code"),
        _("Officer"),
        _("Sent at"),
        _("State"),
        *(f.label.get(ctx.lang) for f in fields),
    ]
    widths = [10, 28, 11, 24, 17, 16, *(_width(f) for f in fields)]
    sheet = _Sheet(book, title, headers, widths)
    query = _form_query(form, ctx)
    states = {s: state_label(s, _) for s in SubmissionStatus}

    def write(batch: Sequence[Any]) -> None:
        for ident, unit_code, officer, sent, status, answers, *_rest in batch:
            unit = ctx.units.get(unit_code)
            unit_name = unit.name if unit else unit_code
            local = as_utc(sent).astimezone(ctx.tz).replace(tzinfo=None)
            sheet.append(
                [
                    ident,
                    sheet.cell(unit.name if unit else unit_code),
                    unit_code,
                    sheet.cell(officer or ""),
                    sheet.cell(local, "datetime"),
                    states[SubmissionStatus(status)],
                    *(
                        _files_cell(f, answers.get(f.name), ident, unit_name, form, ctx)
                        if f.type in ("photo", "document") and answers.get(f.name)
                        else _field_cell(sheet, f, answers.get(f.name), ctx.lang)
                        for f in fields
                    ),
                ]
            )

    result = await session.stream(query.execution_options(yield_per=BATCH))
    async for partition in result.partitions():
        await asyncio.to_thread(write, partition)
        ctx.advance(len(partition))
    sheet.finish()
    return sheet.rows


async def _write_kobo(
    session: AsyncSession, book: _Book, title: str, form: FormDefinition, ctx: _Context
) -> int:
    """An imported form as KoboToolbox exports it (`bot.status.kobo`): its sheet, then one
    sheet per repeat."""
    _ = ctx.gettext
    shape = kobo.layout(form)
    main = _Sheet(
        book,
        title,
        [c.header for c in shape.main.columns] + [*kobo.TRAILING, *kobo.UNIT_COLUMNS],
        [_kobo_width(c) for c in shape.main.columns]
        + [10, 38, 20, 26, 8, 16, 24, 12, 8, 8]
        + [11, 28],
    )
    repeats = [
        (
            table,
            _Sheet(
                book,
                _sheet_title(table.name, ctx.taken),
                [c.header for c in table.columns] + list(kobo.REPEAT_TRAILING),
                [_kobo_width(c) for c in table.columns]
                + [8, 20, 8, 10, 38, 20, 26, 8, 16, 24]
                + [12, 8],
            ),
        )
        for table in shape.repeats
    ]
    versions = await imported_forms.versions(session, form.id)
    states = {s: state_label(s, _) for s in SubmissionStatus}
    entries_max = max((f.placement.entry for f in form.fields if f.placement), default=0)

    def cell(
        sheet: _Sheet,
        column: kobo.Column,
        answers: dict[str, Any],
        entry: int,
        ident: int,
        unit_name: str,
    ) -> Any:
        field = column.field
        key = f"{column.key}__{entry}" if entry else column.key
        if field is not None and field.type in ("photo", "document"):
            files = answers.get(key)
            return _files_cell(field, files, ident, unit_name, form, ctx) if files else None
        found = kobo.value(column, answers, entry)
        return sheet.cell(found, "iso_date") if isinstance(found, date) else found

    def write(batch: Sequence[Any]) -> None:
        for ident, unit_code, officer, sent, status, answers, uuid, revision in batch:
            unit = ctx.units.get(unit_code)
            unit_name = unit.name if unit else unit_code
            state = SubmissionStatus(status)
            submitted = as_utc(sent).replace(tzinfo=None).isoformat(timespec="seconds")
            version = versions.get(revision, form.xlsform_version)
            index = main.rows + 1
            about = [
                ident,
                uuid,
                submitted,
                kobo.validation_status(state.value),
                None,
                states[state],
                officer or "",
                version,
                None,
            ]
            main.append(
                [
                    *(cell(main, c, answers, 0, ident, unit_name) for c in shape.main.columns),
                    *about,
                    index,
                    unit_code,
                    unit_name,
                ]
            )
            for table, sheet in repeats:
                for entry in kobo.entries(table, answers, entries_max):
                    sheet.append(
                        [
                            *(
                                cell(sheet, c, answers, entry, ident, unit_name)
                                for c in table.columns
                            ),
                            sheet.rows + 1,
                            title,
                            index,
                            *about,
                        ]
                    )

    result = await session.stream(_form_query(form, ctx).execution_options(yield_per=BATCH))
    async for partition in result.partitions():
        await asyncio.to_thread(write, partition)
        ctx.advance(len(partition))
    for sheet in (main, *(sheet for _table, sheet in repeats)):
        sheet.finish()
    return main.rows


def _kobo_width(column: kobo.Column) -> int:
    if column.field is None:
        return 20
    if column.part:
        return 8 if column.field.type == "select_multiple" else 12
    return _width(column.field)


def _files_cell(
    field: Field,
    files: list[dict[str, Any]],
    ident: int,
    unit_name: str,
    form: FormDefinition,
    ctx: _Context,
) -> Any:
    """The files' names; with the files exported, a link to the file (or to the folder of them)."""
    names = file_names(field, files)
    text = "; ".join(names)
    if ctx.files_folder is None:
        return text
    folder = f"{ctx.files_folder}/{submission_folder(unit_name, ident, form.title.get(ctx.lang))}"
    return Linked(text, f"{folder}/{names[0]}" if len(names) == 1 else folder)


def _width(field: Field) -> int:
    if field.type in ("text", "select_multiple"):
        return 36
    if field.type in ("select_one", "location"):
        return 24
    return 16


async def _write_summary(
    session: AsyncSession, book: _Book, title: str, ctx: _Context, today: date
) -> int:
    _ = ctx.gettext
    due = await due_months(session, ctx.period, today)
    reports = await queries.live_reports(session, rules.REPORT_FORM, due)
    covered = {
        c.unit_code: c
        for c in rules.coverage(ctx.units, due, ((r.unit_code, r.period) for r in reports))
    }
    bounds = span(ctx.period, ctx.tz)
    inspections = await queries.inspections_by_unit(
        session,
        rules.INSPECTION_FORM,
        bounds,
        result_field=rules.INSPECTION_RESULT,
        violation=rules.VIOLATION,
        fine_field=rules.FINE_AMOUNT,
    )
    signups = await queries.signups_by_unit(session, bounds.since, bounds.until)
    officers = await queries.officers_of_units(session)
    headers = [
        _("Unit"),
        _("Unit code"),
        _("Officers"),
        _("Months reported"),
        _("Months due"),
        _("Months not reported"),
        _("Inspection findings"),
        _("With violations"),
        _("Fines (VND)"),
        _("Event sign-ups"),
    ]
    sheet = _Sheet(book, title, headers, [30, 11, 36, 12, 12, 30, 12, 12, 18, 12])
    totals = [0, 0, 0, 0, 0, 0]
    for unit in sorted(ctx.units.values(), key=lambda u: u.key):
        coverage = covered[unit.code]
        checks = inspections.get(unit.code, queries.InspectionTotals(0, 0, 0))
        numbers = [
            len(coverage.reported),
            len(due),
            checks.count,
            checks.with_violation,
            checks.fines,
            signups.get(unit.code, 0),
        ]
        totals = [a + b for a, b in zip(totals, numbers, strict=True)]
        sheet.append(
            [
                sheet.cell(unit.name),
                unit.code,
                sheet.cell("; ".join(o.full_name for o in officers.get(unit.code, []))),
                numbers[0],
                numbers[1],
                ", ".join(short_month(m) for m in coverage.missing),
                numbers[2],
                numbers[3],
                sheet.cell(numbers[4], "money"),
                numbers[5],
            ]
        )
    sheet.append(
        [
            sheet.cell(_("Total"), "bold"),
            None,
            None,
            sheet.cell(totals[0], "bold"),
            sheet.cell(totals[1], "bold"),
            None,
            sheet.cell(totals[2], "bold"),
            sheet.cell(totals[3], "bold"),
            sheet.cell(totals[4], "bold_money"),
            sheet.cell(totals[5], "bold"),
        ]
    )
    sheet.rows -= 1  # the total is not a unit
    sheet.finish()
    return sheet.rows


async def export_workbook(
    session: AsyncSession,
    out: IO[bytes] | str,
    *,
    period: Period,
    forms: dict[str, FormDefinition],
    units: Sequence[UnitEntry],
    today: date,
    tz: ZoneInfo,
    gettext: Gettext,
    lang: str = "vi",
    progress: Progress | None = None,
    extra_sheets: Sequence[ExtraSheet] = (),
    files_folder: str | None = None,
) -> ExportResult:
    """Write the workbook of `period` to `out` (a path or a binary stream).

    With `files_folder` (see `export_files`) each attachment cell links to its file there.
    """
    _ = gettext
    total = 0
    exported = _exported(forms)
    for form in exported:
        total += await queries.submissions_count(session, form.id, **_form_filter(form, period, tz))
    for extra in extra_sheets:
        total += await extra.count(session, period, tz)
    ctx = _Context(
        period, {u.code: u for u in units}, tz, lang, gettext, progress, total, 0, files_folder
    )
    book = _Book(out)
    taken = ctx.taken
    written: dict[str, int] = {}
    summary = _sheet_title(_("Summary"), taken)
    written[summary] = await _write_summary(session, book, summary, ctx, today)
    submissions = 0
    for form in exported:
        title = _sheet_title(form.title.get(lang), taken)
        written[title] = await _write_form(session, book, title, form, ctx)
        submissions += written[title]
    for extra in extra_sheets:
        title = _sheet_title(extra.title(_), taken)
        sheet = _Sheet(book, title, extra.headers(_), [20] * len(extra.headers(_)))
        async for row in extra.rows(session, period, tz, _):
            sheet.append([sheet.cell(v) for v in row])
            ctx.advance(1)
        sheet.finish()
        written[title] = sheet.rows
    await asyncio.to_thread(book.workbook.close)
    return ExportResult(written, submissions)


def _exported(forms: dict[str, FormDefinition]) -> list[FormDefinition]:
    """Every form of the catalogue but an admin's trial of an unpublished import."""
    return [form for form in forms.values() if not form.trial]


Download = Callable[[str], Awaitable[bytes]]


@dataclass(frozen=True)
class FilesResult:
    """What `export_files` put in the zip, and the files Telegram would not give."""

    written: int
    missing: list[str]


async def export_files(
    session: AsyncSession,
    out: IO[bytes] | str,
    *,
    period: Period,
    forms: dict[str, FormDefinition],
    units: Sequence[UnitEntry],
    tz: ZoneInfo,
    download: Download,
    lang: str = "vi",
    root: str = "",
) -> FilesResult:
    """A zip of the period's attachments, `root/<unit>/<id> - <form>/<n>-<name>`, as the workbook
    names and links them. `download` fetches one file by its Telegram file_id (the Bot API's
    getFile, then the file itself: at most 20 MB); a file it can't fetch is listed in
    `thieu-tep.txt` instead of stopping the export."""
    by_code = {u.code: u for u in units}
    written, missing = 0, []
    prefix = f"{root}/" if root else ""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for form in _exported(forms):
            file_fields = [f for f in form.fields if f.type in ("photo", "document")]
            if not file_fields:
                continue
            scope = _form_filter(form, period, tz)
            query = select(Submission.id, Submission.unit_code, Submission.answers).where(
                Submission.form_id == form.id, LIVE
            )
            if "months" in scope:
                query = query.where(Submission.period.in_(scope["months"]))
            else:
                query = query.where(scope["dated"])  # as the form's sheet chooses its rows
            for ident, unit_code, answers in (await session.execute(query)).all():
                unit = by_code.get(unit_code)
                folder = submission_folder(
                    unit.name if unit else unit_code, ident, form.title.get(lang)
                )
                for field in file_fields:
                    files = answers.get(field.name) or []
                    for file, name in zip(files, file_names(field, files), strict=True):
                        path = f"{prefix}{folder}/{name}"
                        try:
                            content = await download(str(file["file_id"]))
                        except Exception as error:  # one lost file is reported, not fatal
                            missing.append(f"{path}: {error}")
                            continue
                        await asyncio.to_thread(archive.writestr, path, content)
                        written += 1
        if missing:
            archive.writestr(f"{prefix}thieu-tep.txt", "\n".join(missing) + "\n")
    return FilesResult(written, missing)

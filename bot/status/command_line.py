"""`python -m bot export --period 11/2026 --out FILE`: the /xuat workbook from the command line."""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from bot.clock import Clock
from bot.domain.periods import Period, parse_period
from bot.domain.text import Text
from bot.settings import Settings


class ProgressBar:
    """`[#########-----------]  45%  22.500/50.000 rows` on a terminal, redrawn in place;
    nothing until the end when the output is a file or a pipe."""

    WIDTH = 30

    def __init__(self, stream: TextIO, label: str, min_interval: float = 0.1) -> None:
        self.stream = stream
        self.label = label
        self.min_interval = min_interval
        self.live = stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.live or (now - self._last < self.min_interval and done < total):
            return
        self._last = now
        share = done / total if total else 1.0
        filled = int(self.WIDTH * share)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {share:4.0%}  {done:,}/{total:,} rows")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


async def export(
    settings: Settings,
    period_text: str | None,
    out: str,
    clock: Clock | None = None,
    *,
    files: bool = False,
) -> int:
    """Write the workbook; 0 on success, 2 for a period that can't be read. No period: the
    month whose report deadline is nearest, as /xuat chooses it.

    With `files`, also `<out>-files.zip`: the attachments by unit and submission, fetched from
    Telegram with the bot's token; extracted beside the workbook, its links open them.
    """
    from bot.domain.units import UnitDirectory, units_of_province
    from bot.events.period_sheet import SignupsSheet
    from bot.form_imports import load_published
    from bot.forms import load_definitions
    from bot.i18n import create_i18n
    from bot.status.export import export_workbook
    from bot.status.figures import current_period
    from storage import migrate
    from storage.database import create_engine, create_sessionmaker, sqlite_path
    from storage.repositories import units as unit_rows

    clock = clock or Clock(settings.tz)
    period: Period | None = None
    if period_text is not None:
        parsed = parse_period(period_text, clock.today())
        if isinstance(parsed, Text):
            print(parsed.render(lambda msgid: msgid), file=sys.stderr)
            return 2
        period = parsed
    # As bot.app.load_forms, without importing the whole bot (aiogram) for a file.
    forms = load_definitions()
    if settings.forms_dir is not None:
        forms.update(load_definitions(settings.forms_dir))
    i18n = create_i18n(settings.default_locale)
    if files and settings.bot_token is None:
        print("--files fetches the attachments from Telegram: set BOT_TOKEN.", file=sys.stderr)
        return 2
    database = sqlite_path(settings.database_url)
    if database is not None and not database.exists():
        # Not made here: an empty file would only hide where the data really is.
        print(
            f"No database at {database}: nothing to export. Start the bot once "
            "(python -m bot run) or apply the migrations (python -m bot migrate), or set "
            "DATABASE_URL to the bot's database; for the demo's data add --demo.",
            file=sys.stderr,
        )
        return 2
    engine = create_engine(settings.database_url)
    # As at the bot's start: the schema brought up to date, the province's units in it.
    await migrate.upgrade(engine)
    # The imported XLSForm forms, as the bot loads them at start: each gets its Kobo sheet.
    await load_published(create_sessionmaker(engine), forms)
    async with create_sessionmaker(engine)() as session:
        await unit_rows.sync_units(
            session, settings.province_code, units_of_province(settings.province_code)
        )
        await session.commit()
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = f"{target.stem}-files"
    progress: ProgressBar | None = None
    started = time.perf_counter()
    try:
        async with create_sessionmaker(engine)() as session:
            if period is None:
                chosen = await current_period(session, clock.today())
                period = chosen.period
                due = chosen.deadline
                print(
                    f"Period {period.label('en')}"
                    + (f" (deadline {due.due_on:%d/%m/%Y})" if due else " (no deadline set)"),
                    file=sys.stderr,
                )
            progress = ProgressBar(sys.stderr, period.label("en"))
            units = UnitDirectory(await unit_rows.active_units(session, settings.province_code))
            result = await export_workbook(
                session,
                str(target),
                period=period,
                forms=forms,
                units=list(units),
                today=clock.today(),
                tz=settings.tz,
                gettext=partial(i18n.gettext, locale=settings.default_locale),
                lang=settings.default_locale,
                progress=progress,
                extra_sheets=[SignupsSheet(list(units))],
                files_folder=folder if files else None,
            )
            if files:
                fetched = await _export_files(
                    settings, session, target, folder, period, forms, units
                )
    finally:
        if progress is not None:
            progress.close()
        await engine.dispose()
    sheets = ", ".join(f"{title}: {rows:,}" for title, rows in result.rows.items())
    if files:
        sheets += f"; {target.with_name(folder + '.zip')}: {fetched.written:,} files"
        if fetched.missing:
            sheets += f", {len(fetched.missing):,} not available (listed in thieu-tep.txt)"
    print(
        f"Wrote {target} ({period.label('en')}) in {time.perf_counter() - started:.1f} s — {sheets}"
    )
    return 0


async def _export_files(
    settings: Settings,
    session: Any,
    target: Path,
    folder: str,
    period: Any,
    forms: Any,
    units: Any,
) -> Any:
    """The attachments' zip beside the workbook, downloaded through the Bot API."""
    from bot.app import create_bot
    from bot.status.export import export_files
    from bot.zalo.photos import PhotoStore, is_zalo_photo

    bot = create_bot(settings, settings.token())
    kept = PhotoStore(settings.files_dir)

    async def download(file_id: str) -> bytes:
        # A Zalo photo (its URL) was kept on disk when it arrived.
        if is_zalo_photo(file_id):
            path = kept.kept(file_id)
            if path is None:
                raise FileNotFoundError(file_id)
            return path.read_bytes()
        content = await bot.download(file_id)
        assert content is not None
        return content.read()

    try:
        return await export_files(
            session,
            str(target.with_name(folder + ".zip")),
            period=period,
            forms=forms,
            units=list(units),
            tz=settings.tz,
            download=download,
            lang=settings.default_locale,
            root=folder,
        )
    finally:
        await bot.session.close()

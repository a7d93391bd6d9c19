"""The command line: `run` (long polling), `demo` (no Telegram), `migrate`, `compile-locales`,
`export` (a period's Excel workbook), `backup` and `restore` (the SQLite database)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.i18n import compile_catalogues
from bot.logs import setup_logging
from bot.settings import MissingToken, Settings, SettingsError, load_settings
from storage.database import DatabaseProblem

log = logging.getLogger("bot")


def _tokens(settings: Settings) -> tuple[str | None, str | None]:
    """(Telegram, Zalo): whichever are set; neither stops with how to get one."""
    telegram, zalo = settings.telegram_token(), settings.zalo_token()
    if telegram is None and zalo is None:
        raise MissingToken
    return telegram, zalo


async def _run(settings: Settings) -> None:
    from bot.app import create_application
    from bot.zalo.serve import poll_zalo

    telegram, zalo = _tokens(settings)
    app = await create_application(settings, telegram, single_consumer=True, zalo_token=zalo)
    try:
        if telegram is None:
            await poll_zalo(app)  # Zalo only
            return
        if app.zalo is not None:
            await app.zalo.client.delete_webhook()
            app.dispatcher.startup.register(app.zalo.start_polling)
            app.dispatcher.shutdown.register(app.zalo.stop)
        await app.bot.delete_webhook(drop_pending_updates=False)
        await app.dispatcher.start_polling(app.bot, handle_signals=True, close_bot_session=False)
    finally:
        await app.close()


async def _webhook(settings: Settings) -> None:
    from bot.app import create_application
    from bot.webhook import serve

    telegram, zalo = _tokens(settings)
    secret = settings.webhook_secret_value() if telegram is not None else ""
    zalo_secret = settings.zalo_webhook_secret_value() if zalo is not None else None
    app = await create_application(settings, telegram, zalo_token=zalo)
    try:
        await serve(app, secret, zalo_secret=zalo_secret)
    finally:
        await app.close()


async def _migrate(settings: Settings) -> None:
    from bot.app import prepare_database
    from storage.database import create_engine

    engine = create_engine(settings.database_url)
    try:
        units = await prepare_database(settings, engine)
    finally:
        await engine.dispose()
    print(f"Database is up to date; {len(units)} units.")


async def import_form(settings: Settings, content: bytes, file: str) -> int:
    """`python -m bot forms import FILE`: import and publish to every officer (once per file)."""
    from bot.app import load_forms, prepare_database
    from bot.form_imports import (
        ImportRefused,
        import_workbook,
        load_published,
        publish,
        same_audience,
    )
    from bot.forms.xlsform import english
    from storage.database import create_engine, create_sessionmaker
    from storage.repositories import imported_forms
    from storage.repositories.audit import SYSTEM_ACTOR

    engine = create_engine(settings.database_url)
    try:
        await prepare_database(settings, engine)
        sessionmaker = create_sessionmaker(engine)
        forms = load_forms(settings)
        await load_published(sessionmaker, forms)
        async with sessionmaker() as session:
            try:
                row, form, new = await import_workbook(
                    session, content, Path(file).name, SYSTEM_ACTOR, forms
                )
            except ImportRefused as error:
                print(error, file=sys.stderr)
                return 1
            current = await imported_forms.in_force(session, form.id)
            if not new and current is row and same_audience(row, None):
                print(f"{form.id} revision {row.revision}: already imported and published.")
                return 0
            publish(row, None, SYSTEM_ACTOR, datetime.now(UTC), session, forms)
            await session.commit()
    finally:
        await engine.dispose()
    print(f"{form.id} revision {row.revision}: {len(form.fields)} questions, published.")
    for line in form.adapted:
        print(f"  adapted: {english(line)}")
    return 0


def _backup(settings: Settings, out: str | None) -> int:
    from storage.backup import backup

    target, checked = backup(settings.database_url, Path(out) if out else None)
    print(
        f"Backed up to {target} (migration {checked.revision}, "
        f"{checked.submissions} submissions; integrity checked)."
    )
    return 0


def _restore(settings: Settings, file: str) -> int:
    from storage.backup import restore

    database, kept, checked = restore(settings.database_url, Path(file))
    print(
        f"Restored {database} from {file} (migration {checked.revision}, "
        f"{checked.submissions} submissions)."
    )
    if kept is not None:
        print(f"The database it replaced is kept as {kept}.")
    print("Start the bot: it brings the database up to date if the backup is older.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="khcn-bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="apply migrations, then serve Telegram and/or Zalo by long polling")
    sub.add_parser("webhook", help="apply migrations, then serve Telegram's webhook (aiohttp)")
    sub.add_parser("migrate", help="apply the database migrations")
    sub.add_parser("compile-locales", help="build the .mo translation files")
    export = sub.add_parser("export", help="write a period's Excel workbook, as /xuat sends it")
    export.add_argument(
        "--period",
        help="11/2026, 'quy 4/2026', 'Q4 2026' or 2026; default: the month whose report "
        "deadline is nearest (November on 01/12)",
    )
    export.add_argument("--out", required=True, help="the .xlsx file to write")
    export.add_argument(
        "--demo",
        nargs="?",
        const="data/demo.db",
        metavar="FILE",
        help="export the demo's data (its SQLite file, default data/demo.db)",
    )
    export.add_argument(
        "--files",
        action="store_true",
        help="also <out>-files.zip: the attachments by unit and submission (needs BOT_TOKEN)",
    )
    backup = sub.add_parser(
        "backup", help="copy the SQLite database, consistently, while the bot runs"
    )
    backup.add_argument("--out", help="the copy to write (default: backups/ beside the database)")
    restore = sub.add_parser(
        "restore", help="put a backup back in place of the database (the bot stopped)"
    )
    restore.add_argument("file", help="the backup to restore")
    demo = sub.add_parser("demo", help="chat with the real bot in this terminal, without Telegram")
    forms = sub.add_parser("forms", help="XLSForm workbooks (ODK, KoboToolbox)")
    forms_sub = forms.add_subparsers(dest="forms_command", required=True)
    imported = forms_sub.add_parser(
        "import", help="import an .xlsx / .xls XLSForm and publish it to every officer"
    )
    imported.add_argument("file", help="the workbook")
    demo.add_argument("--fresh", action="store_true", help="start over with an empty demo database")
    demo.add_argument("--database", help="the demo's SQLite file (default: data/demo.db)")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from bot.demo import main as run_demo

        return run_demo(fresh=args.fresh, database=args.database)
    if args.command == "compile-locales":
        written = compile_catalogues()
        print(f"{len(written)} catalogue(s) compiled.")
        return 0
    try:
        if args.command == "export" and args.demo:
            demo_database = Path(args.demo).resolve()
            settings = load_settings(database_url=f"sqlite+aiosqlite:///{demo_database}")
        else:
            settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    secrets = [
        secret.get_secret_value()
        for secret in (
            settings.bot_token,
            settings.webhook_secret,
            settings.zalo_bot_token,
            settings.zalo_webhook_secret,
        )
        if secret is not None
    ]
    formatter = setup_logging(settings.log_level, secrets)
    try:
        if args.command == "export":
            from bot.status.command_line import export as write_export

            return asyncio.run(write_export(settings, args.period, args.out, files=args.files))
        elif args.command == "forms":
            return asyncio.run(import_form(settings, Path(args.file).read_bytes(), args.file))
        elif args.command == "backup":
            return _backup(settings, args.out)
        elif args.command == "restore":
            return _restore(settings, args.file)
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
        elif args.command == "webhook":
            asyncio.run(_webhook(settings))
        else:
            asyncio.run(_run(settings))
    except (MissingToken, SettingsError) as error:
        print(error, file=sys.stderr)
        return 2
    except DatabaseProblem as error:
        print(formatter.redact(f"khcn-bot stopped: {error}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except Exception as error:  # the last line of defence: a readable error, no token in it
        log.debug("fatal", exc_info=True)
        print(
            formatter.redact(f"khcn-bot stopped: {type(error).__name__}: {error}"), file=sys.stderr
        )
        return 1
    return 0

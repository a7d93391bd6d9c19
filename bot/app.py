"""Assembly of one bot process: database, migrations, units, Bot, Dispatcher and middlewares."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.utils.i18n import I18n
from aiohttp import ClientSession
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.broadcast.pacing import Pacer, SendWindow
from bot.broadcast.worker import BroadcastWorker
from bot.broadcast.worker import install as install_broadcasts
from bot.clock import Clock
from bot.commands import set_default_commands, set_user_commands
from bot.domain.units import UnitDirectory, former_districts, former_wards, units_of_province
from bot.events import reminders as event_reminders
from bot.form_imports import load_published, load_trials
from bot.forms import FormDefinition, load_definitions
from bot.heap import settle_after_start_up, unsettle
from bot.i18n import create_i18n
from bot.linked_telegram import LinkedSender, NoteTelegramUse, TelegramAccounts, ToTelegramChat
from bot.messengers import Messengers, Route
from bot.middlewares.callback_answers import AnswerCallbacks
from bot.middlewares.commit_before_send import CommitBeforeSending
from bot.middlewares.db_session import SessionPerUpdate
from bot.middlewares.dedupe import DropHandledUpdates
from bot.middlewares.errors import ApologiseOnError
from bot.middlewares.i18n import UserLocale
from bot.middlewares.paced_retries import PacedRetries
from bot.middlewares.press_order import PressOrder
from bot.middlewares.throttle import Throttle
from bot.middlewares.under_way import TrackUpdatesUnderWay
from bot.middlewares.user import LoadUser
from bot.roles import Access
from bot.routing import check_filters_in_loop
from bot.settings import Settings
from bot.status import reminders as deadline_reminders
from bot.zalo.front import create_zalo_bot
from bot.zalo.photos import FromDisk, PhotoStore
from bot.zalo.polling import ZaloUpdates
from bot.zalo.session import ZaloSession
from handlers import all_routers
from handlers import events as events_handlers
from storage import migrate
from storage.database import (
    RunningLock,
    check_writable,
    create_engine,
    create_sessionmaker,
    hold_running_lock,
)
from storage.dialog_state import DatabaseStorage
from storage.group_commit import GroupCommit
from storage.isolation import OrderedIsolation
from storage.repositories import audit, users
from storage.repositories import units as unit_rows
from storage.user_cache import UserCache

log = logging.getLogger(__name__)
SHUTDOWN_GRACE_SECONDS = 30


@dataclass
class Application:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    units: UnitDirectory
    bot: Bot
    dispatcher: Dispatcher
    forms: dict[str, FormDefinition]
    clock: Clock
    writer: GroupCommit
    user_cache: UserCache | None
    # The updates being handled: by polling or in webhook requests (TrackUpdatesUnderWay
    # and bot.webhook add and remove them).
    updates_under_way: set[asyncio.Task[Any]] = field(default_factory=set)
    # SQLite: held while this process runs, so that a restore refuses (storage.backup).
    running_lock: RunningLock | None = None
    # Zalo's updates, when ZALO_BOT_TOKEN is set; `bot` is then Zalo's if there is no Telegram.
    zalo: ZaloUpdates | None = None
    telegram: bool = True
    # bot.heap's tuning after start-up: for a process that runs this one application.
    settles_heap: bool = True

    async def close(self) -> None:
        # Polling has stopped taking updates; let those under way finish (and release their
        # locks) before the storage and the database go away.
        await finish_updates_under_way(self.updates_under_way)
        await self.dispatcher.storage.close()
        await self.writer.close()
        if self.user_cache is not None:
            self.user_cache.close()
        await self.dispatcher.fsm.events_isolation.close()
        await self.bot.session.close()
        if self.zalo is not None and self.zalo.bot is not self.bot:
            await self.zalo.bot.session.close()
        await self.engine.dispose()
        if self.running_lock is not None:
            self.running_lock.release()
        # Routers are module-level (aiogram's idiom) and may belong to one dispatcher at a
        # time; letting go of them allows a new Application in the same process (a restart
        # in the tests or the demo). aiogram has no public way (its setter refuses None):
        # an internal, checked by tests/test_aiogram_internals.py.
        for router in self.dispatcher.sub_routers:
            router._parent_router = None
        self.dispatcher.sub_routers.clear()
        if self.settles_heap:
            unsettle()


async def finish_updates_under_way(updates_under_way: set[asyncio.Task[Any]]) -> None:
    """Wait (up to the grace period) for the updates already started: by polling or in
    webhook requests."""
    under_way = list(updates_under_way)
    if under_way:
        await asyncio.wait(under_way, timeout=SHUTDOWN_GRACE_SECONDS)


def _finish_updates_before_shutdown(
    dispatcher: Dispatcher, updates_under_way: set[asyncio.Task[Any]]
) -> None:
    """Make waiting for the updates under way the first shutdown hook.

    aiogram registers the closing of the FSM storage as a shutdown hook of its own, and
    runs the hooks as soon as polling stops, while updates it started may still run. With
    Redis an update finishing after that failed to release its user's lock, which then
    stayed taken until it expired; the other hooks (the broadcast worker, reminders) may
    not stop under an update either.
    """

    async def finish() -> None:
        await finish_updates_under_way(updates_under_way)

    dispatcher.shutdown.register(finish)
    dispatcher.shutdown.handlers.insert(0, dispatcher.shutdown.handlers.pop())


async def prepare_database(settings: Settings, engine: AsyncEngine) -> UnitDirectory:
    """Migrate, bring the units table up to date, and return the searchable unit list."""
    # A read-only or full disk is found now, naming the file, not at the first update.
    check_writable(settings.database_url)
    await migrate.upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session:
        await unit_rows.sync_units(
            session, settings.province_code, units_of_province(settings.province_code)
        )
        await session.commit()
        return UnitDirectory(
            await unit_rows.active_units(session, settings.province_code),
            former_districts(settings.province_code),
            former_wards(settings.province_code),
        )


def _storage(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], single_consumer: bool
) -> tuple[BaseStorage, BaseEventIsolation]:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage
        from redis.asyncio import BlockingConnectionPool, Redis

        # A burst of updates waits for a free connection instead of failing with
        # "Too many connections" (redis-py's plain pool raises past its limit).
        pool = BlockingConnectionPool.from_url(settings.redis_url, max_connections=64, timeout=30)
        redis_storage = RedisStorage(redis=Redis(connection_pool=pool))
        # Several processes: Redis locks keep two updates of one user from running at once.
        return redis_storage, OrderedIsolation(redis_storage.create_isolation())
    # Long polling has exactly one consumer of updates, so its reads may come from memory.
    return DatabaseStorage(sessionmaker, cache=single_consumer), SimpleEventIsolation()


class BotSession(AiohttpSession):
    """aiogram's session, which waits 250 ms on closing for TLS connections to close (as
    aiohttp advises); a plain http:// Bot API (a local server, the tests' fake one) has
    none, so its connections are closed first and there is nothing left to wait for."""

    def __init__(self, api: TelegramAPIServer) -> None:
        super().__init__(api=api)
        self._client: ClientSession | None = None

    async def create_session(self) -> ClientSession:
        self._client = await super().create_session()
        return self._client

    async def close(self) -> None:
        if self._client is not None and not self.api.base.startswith("https://"):
            await self._client.close()  # aiogram then finds it closed and does not wait
        await super().close()


def create_bot(settings: Settings, token: str) -> Bot:
    server = TelegramAPIServer.from_base(settings.telegram_api_base)
    return Bot(
        token,
        session=BotSession(server),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def load_forms(settings: Settings) -> dict[str, FormDefinition]:
    """The built-in forms, then the department's own (FORMS_DIR) added or replacing by id."""
    forms = load_definitions()
    if settings.forms_dir is not None:
        forms.update(load_definitions(settings.forms_dir))
    return forms


async def create_application(
    settings: Settings,
    token: str | None,
    clock: Clock | None = None,
    *,
    single_consumer: bool = False,
    zalo_token: str | None = None,
    settle_heap: bool = True,
) -> Application:
    """`single_consumer`: this process is the only one handling updates (long polling).
    `token` (Telegram) or `zalo_token`, or both: the messengers this process serves.
    `settle_heap`: tune the garbage collector for this application after start-up
    (bot.heap); a process that builds many in turn (the tests) may leave it, as each
    settling collects the whole process's heap."""
    # Forms first: a broken definition must stop start-up before anything else happens.
    forms = load_forms(settings)
    clock = clock or Clock(settings.tz)
    running_lock = hold_running_lock(settings.database_url)
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        units = await prepare_database(settings, engine)
    except BaseException:
        await engine.dispose()
        if running_lock is not None:
            running_lock.release()
        raise
    await load_published(sessionmaker, forms)
    await load_trials(sessionmaker, forms, clock.now())
    i18n = create_i18n(settings.default_locale)
    storage, isolation = _storage(settings, sessionmaker, single_consumer)
    writer = GroupCommit(engine)
    # Long polling has exactly one consumer of updates, so the users' rows may come from
    # memory, as the dialog state does.
    user_cache = UserCache(sessionmaker) if single_consumer else None
    # One pace per messenger for everything the bot sends there: replies (urgent) first.
    pacer, window = Pacer(settings.broadcast_rate), SendWindow(settings.telegram_rate)
    photos = PhotoStore(settings.files_dir)
    zalo_bot = None
    if zalo_token is not None:
        zalo_pacer = Pacer(settings.zalo_broadcast_rate)
        zalo_window = SendWindow(max(1, int(settings.zalo_broadcast_rate * 2)))
        zalo_bot = create_zalo_bot(
            settings, zalo_token, sessionmaker, i18n, zalo_window, zalo_pacer, storage
        )
    linked = TelegramAccounts(sessionmaker, cached=single_consumer)
    if token is not None:
        bot = create_bot(settings, token)
        bot.session.middleware(ToTelegramChat(linked))
        # Photos officers sent on Zalo go to Telegram from the copies kept on disk.
        bot.session.middleware(FromDisk(photos))
        bot.session.middleware(CommitBeforeSending())
        bot.session.middleware(PacedRetries(window, pacer.pause))
        if zalo_bot is not None:  # files officers sent on Telegram, for Zalo links
            assert isinstance(zalo_bot.session, ZaloSession)
            zalo_bot.session.telegram = bot
    else:
        assert zalo_bot is not None, "a Telegram or a Zalo token"
        bot, pacer, window = zalo_bot, zalo_pacer, zalo_window
    messengers = Messengers(
        sessionmaker,
        Route(bot, window) if token is not None else None,
        Route(zalo_bot, zalo_window, zalo_pacer) if zalo_bot is not None else None,
    )
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        # The FSM middleware is registered below, after PressOrder (see there).
        disable_fsm=True,
        settings=settings,
        units=units,
        forms=forms,
        clock=clock,
        messengers=messengers,
        telegram_accounts=linked,
    )
    # Order matters; see the README's "one update, end to end".
    # First, so that shutdown waits for every update started (aiogram keeps no public
    # handle on the tasks it starts), its locks and dialog state included.
    updates_under_way: set[asyncio.Task[Any]] = set()
    dispatcher.update.outer_middleware(TrackUpdatesUnderWay(updates_under_way))
    # A linked Telegram account speaks as its person (/lienket) before anything reads the
    # sender: the dialog state, the user, the throttle.
    dispatcher.update.outer_middleware(LinkedSender(linked))
    dispatcher.startup.register(linked.load)
    # Competing presses (seats of one event) queue in update order before anything awaits;
    # aiogram's FSM middleware reads the dialog state first thing, so this goes before it.
    dispatcher.update.outer_middleware(PressOrder(events_handlers.press_key))
    dispatcher.update.outer_middleware(dispatcher.fsm)
    dispatcher.update.outer_middleware(ApologiseOnError(i18n))
    dispatcher.update.outer_middleware(SessionPerUpdate(sessionmaker, writer))
    dispatcher.update.outer_middleware(
        DropHandledUpdates(sessionmaker, single_consumer=single_consumer)
    )
    dispatcher.update.outer_middleware(NoteTelegramUse())
    dispatcher.update.outer_middleware(LoadUser(settings.admin_ids, user_cache))
    dispatcher.update.outer_middleware(UserLocale(i18n))
    dispatcher.update.outer_middleware(Throttle(settings.throttle_rate, settings.throttle_burst))
    _finish_updates_before_shutdown(dispatcher, updates_under_way)
    # Every press of every router is answered once, after its handler (inner middlewares
    # of the dispatcher apply to the routers included in it).
    dispatcher.callback_query.middleware(AnswerCallbacks())
    dispatcher.include_routers(*all_routers())
    check_filters_in_loop(dispatcher.sub_routers)
    deadline_reminders.install(
        dispatcher,
        sessionmaker=sessionmaker,
        clock=clock,
        units=units,
        i18n=i18n,
        locale=settings.default_locale,
    )
    install_broadcasts(
        dispatcher,
        BroadcastWorker(
            bot,
            sessionmaker,
            i18n,
            settings,
            clock,
            units,
            pacer=pacer,
            window=window,
            messengers=messengers,
        ),
    )
    event_reminders.install(
        dispatcher,
        sessionmaker=sessionmaker,
        clock=clock,
        i18n=i18n,
        locale=settings.default_locale,
    )
    application = Application(
        settings,
        engine,
        sessionmaker,
        i18n,
        units,
        bot,
        dispatcher,
        forms,
        clock,
        writer,
        user_cache,
        updates_under_way,
        running_lock,
        (
            ZaloUpdates(dispatcher, zalo_bot, sessionmaker, photos, i18n)
            if zalo_bot is not None
            else None
        ),
        token is not None,
        settle_heap,
    )

    async def on_startup() -> None:
        await _on_startup(application)

    dispatcher.startup.register(on_startup)
    return application


async def _on_startup(app: Application) -> None:
    if not app.telegram:  # Zalo only: no command menus there
        if app.settles_heap:
            settle_after_start_up()
        return
    await set_default_commands(app.bot, app.i18n)
    async with app.sessionmaker() as session:
        # ADMIN_IDS is the truth at every start (see users.sync_admins).
        for user_id, change in await users.sync_admins(session, app.settings.admin_ids):
            audit.record(session, audit.SYSTEM_ACTOR, change, target=str(user_id))
            log.info("ADMIN_IDS applied: %s %s", change, user_id)
        await session.commit()
        for admin_id in app.settings.admin_ids:
            admin = await users.get_user(session, admin_id)
            locale = (admin.locale if admin else None) or app.settings.default_locale
            await set_user_commands(app.bot, app.i18n, admin_id, Access.ADMIN, locale)
        # A new version may bring staff commands (/hoso): staff menus are set again too.
        for staff_id in await users.staff_and_admin_ids(session):
            member = await users.get_user(session, staff_id)
            if staff_id not in app.settings.admin_ids and member is not None:
                locale = member.locale or app.settings.default_locale
                await set_user_commands(
                    app.bot, app.i18n, staff_id, Access.STAFF, locale, member.is_unit_officer
                )
    if app.settles_heap:
        settle_after_start_up()
    log.info(
        "bot started for province %s with %d units", app.settings.province_code, len(app.units)
    )

"""Every handler and filter of the bot runs in the event loop, none in a worker thread.

aiogram hands a callable that is not a coroutine function to `asyncio.to_thread`; see
`bot.routing` for what that costs and how the bot avoids it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, Dispatcher, F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Chat, Message, Update
from aiogram.types import User as TelegramUser

from bot.routing import check_filters_in_loop
from handlers import all_routers


def _callables(router: Router) -> list[tuple[str, bool]]:
    """(where, runs in the loop) of every handler and filter of `router` and below."""
    found = []
    for name, observer in router.observers.items():
        for check in observer._handler.filters or []:
            found.append((f"{router.name}.{name}: router filter {check.callback}", check.awaitable))
        for handler in observer.handlers:
            where = f"{router.name}.{name} → {getattr(handler.callback, '__name__', handler)}"
            found.append((where, handler.awaitable))
            for check in handler.filters or []:
                found.append((f"{where}: filter {check.callback}", check.awaitable))
    for sub in router.sub_routers:
        found += _callables(sub)
    return found


def test_no_handler_or_filter_of_the_bot_runs_in_a_thread() -> None:
    routers = all_routers()
    check_filters_in_loop(routers)
    found = [item for router in routers for item in _callables(router)]
    assert len(found) > 100  # the walk reached the handlers
    assert [where for where, in_loop in found if not in_loop] == []


class Step(StatesGroup):
    name = State()


async def test_filters_moved_into_the_loop_still_decide_the_same() -> None:
    router = Router()
    seen: list[str] = []

    @router.message(Step.name, F.text, ~F.text.startswith("/"))
    async def answer(message: Message) -> None:
        seen.append(f"answer {message.text}")

    @router.message(lambda message: message.text == "/huy")
    async def cancel(message: Message) -> None:
        seen.append("cancel")

    assert check_filters_in_loop([router]) == 4
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = Bot("42:not-used-no-request-is-made")
    chat = Chat(id=5, type="private")
    person = TelegramUser(id=5, is_bot=False, first_name="Lan")

    def update(n: int, text: str) -> Update:
        message = Message(
            message_id=n, date=datetime.now(UTC), chat=chat, from_user=person, text=text
        )
        return Update(update_id=n, message=message)

    await dispatcher.feed_update(bot, update(1, "Lan"))  # not on the step yet
    await dispatcher.storage.set_state(StorageKey(bot.id, 5, 5), Step.name)
    await dispatcher.feed_update(bot, update(2, "Nguyễn Thị Lan"))
    await dispatcher.feed_update(bot, update(3, "/huy"))
    assert seen == ["answer Nguyễn Thị Lan", "cancel"]
    await bot.session.close()

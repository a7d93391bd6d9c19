"""The two aiogram internals the bot relies on, checked against the installed aiogram.

aiogram has no public API for either (pyproject pins aiogram to the minor version they
were checked against, 3.31; README "aiogram internals"). If an upgrade changes one,
this fails here, naming it, instead of somewhere far away:

* `Router._parent_router`: `bot.app.Application.close` sets it back to None to detach
  the module-level routers from a closed dispatcher (the public setter refuses None), so
  that a new Application can include them (a restart in the tests or the demo).
* `TelegramEventObserver._handler`: holds the router-level filters
  (`router.message.filter(...)`) that `bot.routing` moves into the event loop.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

from aiogram import Dispatcher, F, Router
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.types import Chat, Message

from bot.routing import check_filters_in_loop


def test_a_router_is_detached_by_clearing_its_parent_router() -> None:
    router = Router()
    assert router._parent_router is None
    first = Dispatcher()
    first.include_router(router)
    assert router._parent_router is first
    assert router.parent_router is first  # the public getter reads that attribute
    # What Application.close does:
    router._parent_router = None
    first.sub_routers.clear()
    second = Dispatcher()
    second.include_router(router)  # would raise "already attached" otherwise
    assert router.parent_router is second


def test_router_level_filters_live_on_the_observers_handler_object() -> None:
    router = Router()
    router.message.filter(F.text)
    handler = router.message._handler
    assert isinstance(handler, HandlerObject)
    assert isinstance(handler.filters, list)
    [check] = handler.filters
    assert isinstance(check, FilterObject)
    # bot.routing replaces these two fields of the FilterObject.
    assert "callback" in inspect.signature(FilterObject).parameters
    assert check.awaitable is False
    assert check_filters_in_loop([router]) == 1
    assert check.awaitable is True


async def test_router_level_filters_still_decide_after_the_move() -> None:
    """`check_root_filters` (aiogram's public use of `_handler`) sees the moved filter."""
    router = Router()
    router.message.filter(F.text == "ok")
    check_filters_in_loop([router])

    def message(text: str) -> Message:
        return Message(
            message_id=1, date=datetime.now(UTC), chat=Chat(id=5, type="private"), text=text
        )

    passed, _ = await router.message.check_root_filters(message("ok"))
    refused, _ = await router.message.check_root_filters(message("no"))
    assert (passed, refused) == (True, False)

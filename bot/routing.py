"""The bot's filters are checked in the event loop, not in worker threads.

aiogram runs any filter that is not a coroutine function in a worker thread
(`asyncio.to_thread`), and most filters are not: a dialog state used as one
(`Registration.full_name`), a bare magic filter (`F.text`), a lambda. An update that
reaches a dialog step pays a thread hop for each of them, and the hops contend with
the database threads for the GIL. Measured with `benchmarks/throughput.py`, the three
hops of the registration step cost about a fifth of the bot's updates per second.

Every such filter of this bot is a comparison that never blocks, so each is wrapped in
a coroutine at start-up. `tests/test_routing.py` checks that none is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


def check_filters_in_loop(routers: Iterable[Router]) -> int:
    """Make every plain-callable filter of `routers` a coroutine; returns how many."""
    changed = 0
    for filter_object in _filters(routers):
        if not filter_object.awaitable:
            filter_object.callback = _in_loop(filter_object.callback)
            filter_object.awaitable = True
            changed += 1
    return changed


def _filters(routers: Iterable[Router]) -> Iterator[FilterObject]:
    for router in routers:
        for observer in router.observers.values():
            # Router-level filters (`router.message.filter(...)`) live on the observer's
            # own handler object (an aiogram internal with no public getter, checked by
            # tests/test_aiogram_internals.py).
            yield from observer._handler.filters or []
            for handler in observer.handlers:
                yield from handler.filters or []
        yield from _filters(router.sub_routers)


def _in_loop(check: Callable[..., Any]) -> Callable[..., Any]:
    async def checked_in_loop(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return checked_in_loop

"""Training courses and conferences (issue 6): /sukien for staff, /lophoc for officers.

`press_key` tells `bot.middlewares.press_order.PressOrder` which presses compete for
the seats of one event, so they are decided in the order pressed.
"""

from __future__ import annotations

from aiogram import Router

from bot.events import audience as _audience  # noqa: F401 - registers "signed up for an event"
from handlers.events.common import press_key

__all__ = ["press_key", "routers"]


def routers() -> list[Router]:
    from handlers.events import create, manage, signup

    del create  # imported for its dialog's registration; handlers.dialogs runs it
    return [manage.router, signup.router]

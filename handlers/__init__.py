"""aiogram routers, one module per capability; `all_routers` gives their order."""

from __future__ import annotations

from aiogram import Router


def all_routers() -> list[Router]:
    """Routers in the order they see an update: dialogs first, refusals and fallbacks last."""
    from handlers import approval, common, fallback, registration, roles

    return [
        common.router,
        registration.router,
        approval.router,
        roles.router,
        fallback.router,
    ]

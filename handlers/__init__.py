"""aiogram routers, one module per capability; `all_routers` gives their order."""

from __future__ import annotations

from aiogram import Router


def all_routers() -> list[Router]:
    """Routers in the order they see an update: dialogs first, refusals and fallbacks last."""
    from handlers import approval, common, fallback, registration, reviews, roles
    from handlers.forms import dialog, mine

    return [
        common.router,
        registration.router,
        dialog.router,
        mine.router,
        approval.router,
        reviews.router,
        roles.router,
        fallback.router,
    ]

"""aiogram routers, one module per capability; `all_routers` gives their order."""

from __future__ import annotations

from aiogram import Router


def all_routers() -> list[Router]:
    """Routers in the order they see an update: dialogs first, refusals and fallbacks last."""
    from handlers import (
        approval,
        broadcasts,
        common,
        fallback,
        inbox,
        linking,
        registration,
        reviews,
        roles,
    )
    from handlers import dialogs as engine_dialogs
    from handlers.audit_log import router as audit_log_router
    from handlers.events import routers as event_routers
    from handlers.forms import dialog, imports, mine
    from handlers.gates import router as gates_router
    from handlers.status import deadlines, exports, officer, staff

    return [
        gates_router,
        engine_dialogs.router,  # before common: /huy in a dialog asks first
        common.router,
        linking.router,
        registration.router,
        dialog.router,
        imports.router,
        mine.router,
        approval.router,
        reviews.router,
        roles.router,
        broadcasts.router,
        officer.router,
        staff.router,
        deadlines.router,
        exports.router,
        *event_routers(),
        inbox.router,
        audit_log_router,
        fallback.router,
    ]

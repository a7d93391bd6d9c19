"""/thongbao — staff compose a notice (the dialog is `bot.broadcast.dialog`, run by
`handlers.dialogs`), choose who gets it, preview it, send it now or later, and follow its
delivery."""

from __future__ import annotations

from aiogram import Router

from handlers.broadcasts import compose, history

router = Router(name=__name__)
router.include_routers(compose.router, history.router)

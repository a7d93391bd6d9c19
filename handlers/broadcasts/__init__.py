"""/thongbao — staff compose a notice, choose who gets it, preview it, send it now or later,
and follow its delivery (the composer's diagram is in `dialog.py`)."""

from __future__ import annotations

from aiogram import Router

from handlers.broadcasts import content, history, recipients, sending

router = Router(name=__name__)
router.include_routers(content.router, recipients.router, sending.router, history.router)

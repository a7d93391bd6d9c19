"""The callback data of form buttons outside the dialog: /bieumau's list, /trangthai's button."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.callback_ids import SmallInt


class FormCb(CallbackData, prefix="f"):
    """`a="open"`, `v` = a form id, or `<form>@<yyyy-mm>` with the period chosen."""

    a: str
    i: SmallInt = -1
    v: str = ""

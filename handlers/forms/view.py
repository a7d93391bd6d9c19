"""The callback data of form buttons outside the dialog: /bieumau's list, /trangthai's button."""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData

from bot.callback_ids import SmallInt


class FormAction(enum.StrEnum):
    OPEN = "open"  # start the form (a button of another kind, from before, is refused)


class FormCb(CallbackData, prefix="f"):
    """`form` is a form id, or `<form>@<yyyy-mm>` with the period chosen."""

    action: FormAction
    # Unused since the forms run on `bot.dialogs`; kept so that buttons sent before (in
    # /trangthai's messages) still unpack.
    place: SmallInt = -1
    form: str = ""

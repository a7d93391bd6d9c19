"""The callback data of form buttons outside the dialog: /bieumau's list, /trangthai's button."""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData

from bot.callback_ids import SmallInt


class FormAction(enum.StrEnum):
    OPEN = "open"  # start the form
    TRY = "try"  # an imported form, not published yet: run it for the admin
    PUBLISH = "publish"  # an imported form: offer it to the officers
    PUBLISH_OLDER = "publish_older"  # the same, for a revision older than the newest: confirmed


class FormCb(CallbackData, prefix="f"):
    """`form` is a form id, or `<form>@<yyyy-mm>` with the period chosen (OPEN);
    `imported` the row of an imported form (TRY, PUBLISH, PUBLISH_OLDER)."""

    action: FormAction
    imported: SmallInt = -1
    form: str = ""

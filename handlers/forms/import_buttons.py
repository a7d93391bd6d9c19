"""What an admin can do with an imported revision: try it (again) and publish it.

Offered under the import's summary, under the answer to a workbook sent again, and at the
end of a trial (Gửi or Hủy), so the admin never has to send the workbook again to publish.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.forms.view import FormAction, FormCb


def import_buttons(row_id: int, *, tried: bool = False) -> InlineKeyboardMarkup:
    """▶️ Thử điền (▶️ Thử lại once tried) and 📢 Công bố… for the revision `row_id`."""
    again = _("▶️ Try again") if tried else _("▶️ Try it")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=again, callback_data=FormCb(action=FormAction.TRY, imported=row_id).pack()
                )
            ],
            [
                InlineKeyboardButton(
                    text=_("📢 Publish…"),
                    callback_data=FormCb(action=FormAction.PUBLISH, imported=row_id).pack(),
                )
            ],
        ]
    )

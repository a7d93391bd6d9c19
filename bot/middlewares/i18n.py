"""Pick the catalogue: the language the user chose with /ngonngu, else the default (Vietnamese)."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18nMiddleware

from storage.models import User


class UserLocale(I18nMiddleware):
    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        # Telegram's language_code is deliberately not used: many Vietnamese phones run in
        # English, and the department's officers are served in Vietnamese unless they ask.
        user: User | None = data.get("user")
        if user is not None and user.locale in self.i18n.available_locales:
            return user.locale
        return self.i18n.default_locale

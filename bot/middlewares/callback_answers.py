"""Every button press is answered once, by aiogram's `CallbackAnswerMiddleware`.

A handler does not call `query.answer()`; it sets the injected `CallbackAnswer`
(`callback_answer.text`, `.show_alert`) when the press deserves a toast or an alert,
and the middleware answers after the handler returns. Telegram takes one answer per
press, so when the handler fails this one stays silent: `ApologiseOnError` (outside)
answers with the apology, which the user would otherwise never see.

It is an inner middleware registered once, on the dispatcher (`bot.app`); aiogram
applies a parent's inner middlewares to the handlers of the routers included in it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware


class AnswerCallbacks(CallbackAnswerMiddleware):
    """`CallbackAnswerMiddleware` that leaves a failed press to the apology."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async def silent_on_error(event: TelegramObject, data: dict[str, Any]) -> Any:
            try:
                return await handler(event, data)
            except Exception:
                answer: CallbackAnswer | None = data.get("callback_answer")
                if answer is not None and not answer.answered:
                    answer.disable()
                raise

        return await super().__call__(silent_on_error, event, data)


def alert(answer: CallbackAnswer, text: str) -> None:
    """Answer the press with an alert the user closes (a refusal that needs reading)."""
    answer.text = text
    answer.show_alert = True

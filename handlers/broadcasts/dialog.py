"""What the composer and the notice history share: their button, the audiences' context."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from aiogram.filters.callback_data import CallbackData

from bot.broadcast.audience import Context
from bot.clock import Clock
from bot.forms import FormDefinition

REPORT_FORM = "activity_report"  # preferred when several forms have a period


class ComposerButton(enum.StrEnum):
    HISTORY = "history"  # 📜 the notices sent


class Bc(CallbackData, prefix="bc"):
    action: ComposerButton
    value: str = ""  # unused; kept so that buttons sent before still unpack


def context(clock: Clock, forms: Mapping[str, FormDefinition]) -> Context:
    with_period = [form_id for form_id, form in forms.items() if form.period_field]
    report_form = REPORT_FORM if REPORT_FORM in with_period else next(iter(with_period), None)
    return Context(today=clock.today(), report_form=report_form)

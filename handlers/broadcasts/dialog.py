"""The composer's states, buttons and shared helpers (/thongbao).

```mermaid
stateDiagram-v2
    [*] --> content: /thongbao
    content --> attach: text (short enough to go under a photo)
    content --> caption: a photo or document without text
    content --> audience: a photo or document with text, or a long text
    attach --> audience: a photo / document, or Bỏ qua
    caption --> audience: text, or Bỏ qua
    audience --> units: Chosen units (type, press several, Xong)
    audience --> choice: a kind with a second question (which month...)
    audience --> review: any other kind
    units --> review
    choice --> review
    review --> schedule: Hẹn giờ (dd/mm/yyyy HH:MM)
    schedule --> review
    review --> content: Sửa → Nội dung
    review --> audience: Sửa → Người nhận
    review --> [*]: Gửi (stored, then sent by the worker) or Hủy
```
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton

from bot.broadcast.audience import Audience, Context
from bot.clock import Clock
from bot.forms import FormDefinition
from handlers.keyboards import back_label, button, cancel_label

REPORT_FORM = "activity_report"  # preferred when several forms have a period


class Compose(StatesGroup):
    content = State()
    caption = State()
    attach = State()
    audience = State()
    units = State()
    choice = State()
    review = State()
    schedule = State()


class Bc(CallbackData, prefix="bc"):
    action: str
    value: str = ""


def nav(*, back: str | None = None) -> list[InlineKeyboardButton]:
    """Quay lại (to the step `back` names) and Hủy."""
    row = [button(back_label(), Bc(action="back", value=back))] if back else []
    return [*row, button(cancel_label(), Bc(action="cancel"))]


def context(clock: Clock, forms: Mapping[str, FormDefinition]) -> Context:
    with_period = [form_id for form_id, form in forms.items() if form.period_field]
    report_form = REPORT_FORM if REPORT_FORM in with_period else next(iter(with_period), None)
    return Context(today=clock.today(), report_form=report_form)


def audience_of(data: Mapping[str, Any]) -> Audience | None:
    return Audience.from_json(data.get("audience"))


def send_at_of(data: Mapping[str, Any]) -> datetime | None:
    value = data.get("send_at")
    return datetime.fromisoformat(value) if value else None

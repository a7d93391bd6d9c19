"""The values of an imported form that the bot fills in at Gửi: XLSForm calculate and metadata.

ODK fills `start`, `end`, `today`, `deviceid`, `username`... on the phone; in a chat
the bot knows the equivalents: when the form was opened and sent, the messenger
and the person's id there, their registered name and phone. What it can't know
(a SIM serial, an e-mail) is left empty, as ODK does when a phone doesn't say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.forms.model import FormDefinition


@dataclass(frozen=True)
class Filler:
    """What the bot knows about the filling of one form."""

    started: datetime
    now: datetime
    device: str  # `telegram:123456`: the messenger and the person's id there
    username: str = ""
    phone: str | None = None


def fill_computed(
    form: FormDefinition, answers: Mapping[str, Any], filler: Filler
) -> dict[str, Any]:
    """The answers with every computed value of `form` added (in the workbook's order)."""
    filled = dict(answers)
    known = {
        "start": filler.started.isoformat(timespec="seconds"),
        "end": filler.now.isoformat(timespec="seconds"),
        "today": filler.now.date().isoformat(),
        "deviceid": filler.device,
        "username": filler.username or None,
        "phonenumber": filler.phone,
    }
    for item in form.computed:
        if item.kind == "calculate":
            value = (
                item.expression.evaluate(filled, today=filler.now.date())
                if item.expression is not None
                else None
            )
            filled[item.name] = _plain(value)
        else:
            filled[item.name] = known.get(item.kind)
    return filled


def _plain(value: Any) -> Any:
    """A calculated value as JSON: whole floats as int, as ODK writes `2` rather than `2.0`."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)

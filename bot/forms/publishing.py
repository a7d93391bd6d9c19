"""Publishing an imported form, as data run by `bot.dialogs`: to every officer or to chosen units.

```mermaid
stateDiagram-v2
    [*] --> audience: 📢 Công bố (the import's summary)
    audience --> audience: 🏘 Đơn vị được chọn → type, press several, Xong
    audience --> review: 👥 Tất cả cán bộ, or the units chosen
    review --> [*]: 📢 Công bố (stored, committed, then said) or Hủy
```
The unit search is the engine's (the notice composer's "chosen units"), so a unit is found
however its name is typed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from bot.dialogs.model import Answers, Context, Dialog, Kind, Option, Step
from bot.domain.text import N_, Text

EVERYONE = "all"
UNITS_SHOWN = 8  # units named on the review; the rest are counted


def units_of(answers: Mapping[str, Any]) -> list[str] | None:
    """The chosen unit codes, or None: every officer."""
    chosen = answers.get("audience")
    return [str(code) for code in chosen] if isinstance(chosen, list) else None


def _audiences(_answers: Answers, _ctx: Context) -> Sequence[Option]:
    return [Option(EVERYONE, Text(N_("👥 Every officer")))]


def unit_names(codes: Sequence[str], ctx: Context) -> str:
    names = [(ctx.units.name(code) if ctx.units else None) or code for code in codes]
    more = len(names) - UNITS_SHOWN
    return ", ".join(names[:UNITS_SHOWN]) + (f" (+{more})" if more > 0 else "")


def _review(answers: Mapping[str, Any], ctx: Context) -> str:
    _ = ctx.gettext
    codes = units_of(answers)
    who = (
        _("Every officer")
        if codes is None
        else _("Officers of {n} units: {units}").format(n=len(codes), units=unit_names(codes, ctx))
    )
    return "\n".join(
        [
            _("📢 Publish “{title}”").format(title=html.escape(str(ctx.extra.get("title", "")))),
            _("Who fills it in: {who}").format(who=html.escape(who, quote=False)),
        ]
    )


PUBLISH = Dialog(
    id="publish_form",
    title=N_("Publish a form"),
    steps=(
        Step(
            "audience",
            Kind.AUDIENCE,
            N_("👥 Who fills it in"),
            Text(
                N_("Who should fill in this form? Every officer, or the officers of chosen units.")
            ),
            options=_audiences,
        ),
    ),
    review=_review,
    confirm_label=N_("📢 Publish"),
    cancelled=N_("Cancelled. The form was not published."),
)

"""What a revision changed: field by field, with the form's labels and values as people read them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.forms import FormDefinition, render_value
from bot.forms.render import EMPTY


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _shown(value: Any) -> str:
    return EMPTY if value is None else str(value)


def changes(
    form: FormDefinition | None,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    lang: str,
) -> tuple[list[Change], int]:
    """The changed fields in the form's order, and how many answered fields stayed the same.

    A field the form no longer has (it was changed since) is shown by its name.
    """
    changed: list[Change] = []
    same = 0
    known: set[str] = set()
    for field in form.fields if form is not None else ():
        known.add(field.name)
        old, new = before.get(field.name), after.get(field.name)
        if old == new:
            same += old is not None
            continue
        changed.append(
            Change(
                field.label.get(lang),
                render_value(field, old, lang),
                render_value(field, new, lang),
            )
        )
    for name in sorted((set(before) | set(after)) - known):
        old, new = before.get(name), after.get(name)
        if old == new:
            same += old is not None
        else:
            changed.append(Change(name, _shown(old), _shown(new)))
    return changed, same

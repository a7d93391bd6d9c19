"""An imported workbook row as the form officers fill, and what the import says about it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.forms.model import FormDefinition
from bot.forms.xlsform import english, read_xlsform


def runnable(
    workbook: bytes,
    filename: str,
    revision: int,
    units: Sequence[str] | None,
    *,
    trial: bool = False,
) -> FormDefinition:
    """The form of a stored workbook: its revision is the version submissions record."""
    form = read_xlsform(workbook, filename)
    return replace(
        form,
        version=revision,
        units=tuple(units) if units is not None else None,
        trial=trial,
    )


def summary(form: FormDefinition) -> dict[str, Any]:
    """What the import read, kept beside the workbook (`imported_forms.definition`)."""
    return {
        "id": form.id,
        "title": dict(form.title.texts),
        "version": form.xlsform_version,
        "fields": [{"name": f.name, "type": f.type, "label": f.label.get()} for f in form.fields],
        "computed": [{"name": c.name, "kind": c.kind} for c in form.computed],
        "columns": list(form.columns),
        "adapted": [english(line) for line in form.adapted],
    }


def questions(form: FormDefinition) -> int:
    """Questions of the workbook (a repeated one once; the "add another?" questions not)."""
    seen = set()
    for field in form.fields:
        if field.placement is not None:
            seen.add(field.placement.name)
    return len(seen)

"""Imported XLSForm forms between the database and the running bot's catalogue of forms.

The catalogue is the `forms` dict every handler receives. Published imports join it at
start-up and when an admin publishes; a trial of an unpublished import joins it under
its own key (`trial_<row id>`), so that trying never touches the published version.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.text import N_, Text
from bot.forms.imported import runnable, summary
from bot.forms.model import FormDefinition
from bot.forms.xlsform import XLSFormError, english, read_xlsform
from storage.models import ImportedForm
from storage.repositories import audit, imported_forms

log = logging.getLogger(__name__)
TRIAL_PREFIX = "trial_"
# Trials of the imports of the last two weeks are loaded at start-up, so that an admin's
# trial under way when the bot restarts goes on (its dialog names `trial_<row id>`).
TRIAL_DAYS = timedelta(days=14)
IMPORTED = "imported:"  # the `source` of a form read from the database


def published_form(row: ImportedForm) -> FormDefinition:
    form = runnable(row.workbook, row.filename, row.revision, row.units)
    return replace(form, source=f"{IMPORTED}{row.filename}")


def trial_form(row: ImportedForm) -> FormDefinition:
    form = runnable(row.workbook, row.filename, row.revision, None, trial=True)
    return replace(form, id=f"{TRIAL_PREFIX}{row.id}")


async def load_published(
    sessionmaker: async_sessionmaker[AsyncSession], forms: dict[str, FormDefinition]
) -> None:
    """Add the newest published revision of every imported form to `forms`."""
    async with sessionmaker() as session:
        rows = await imported_forms.published(session)
    for row in rows:
        try:
            forms[row.form_id] = published_form(row)
        except XLSFormError:
            # Read when it was imported; a newer pyxform may refuse it: the others still run.
            log.exception("imported form %s revision %s can't be read", row.form_id, row.revision)


async def load_trials(
    sessionmaker: async_sessionmaker[AsyncSession],
    forms: dict[str, FormDefinition],
    now: datetime,
) -> None:
    """Add the trial form of every recent import to `forms` (never listed nor exported)."""
    async with sessionmaker() as session:
        rows = await imported_forms.imported_since(session, now - TRIAL_DAYS)
    for row in rows:
        try:
            forms[f"{TRIAL_PREFIX}{row.id}"] = trial_form(row)
        except XLSFormError:
            log.exception("imported form %s revision %s can't be read", row.form_id, row.revision)


class ImportRefused(ValueError):
    """The workbook can't be imported: `text` says why (with the row when it is one),
    translatable; str() is the English message."""

    def __init__(self, text: Text) -> None:
        self.text = text
        super().__init__(english(text))


class Imported(NamedTuple):
    """The revision a workbook is; `new` is False when the same bytes were imported before."""

    row: ImportedForm
    form: FormDefinition
    new: bool


async def import_workbook(
    session: AsyncSession,
    content: bytes,
    filename: str,
    by: int,
    forms: dict[str, FormDefinition],
) -> Imported:
    """Read the workbook and store it as a new unpublished revision of its form id, unless
    the very same workbook is already one of its revisions (sent twice): that one is it."""
    try:
        form = read_xlsform(content, filename)
    except XLSFormError as error:
        raise ImportRefused(error.text) from None
    taken = forms.get(form.id)
    if taken is not None and not taken.source.startswith(IMPORTED):
        raise ImportRefused(
            Text(
                N_("{file}: form_id “{id}” is the id of a built-in form; choose another"),
                {"file": filename, "id": form.id},
            )
        )
    while True:
        # The newest revision first, then the same bytes: a concurrent import of this file
        # committed before this look is found by it; one committed after it holds the
        # revision this insert wants, so the insert yields nothing and the loop looks again.
        revision = await imported_forms.newest_revision(session, form.id) + 1
        same = await imported_forms.same_workbook(session, form.id, content)
        if same is not None:
            return Imported(same, form, new=False)
        row = await imported_forms.add(
            session,
            form_id=form.id,
            revision=revision,
            version=form.xlsform_version,
            title=form.title.get(),
            definition=summary(form),
            workbook=content,
            filename=filename,
            imported_by=by,
        )
        if row is not None:
            break
    audit.record(session, by, "form.import", form.id, revision=row.revision, file=filename)
    return Imported(row, form, new=True)


def same_audience(row: ImportedForm, units: list[str] | None) -> bool:
    """Whether `row` is already published to exactly these units (None: everyone)."""
    if row.units is None or units is None:
        return row.units is None and units is None
    return sorted(row.units) == sorted(units)


def publish(
    row: ImportedForm,
    units: list[str] | None,
    by: int,
    at: datetime,
    session: AsyncSession,
    forms: dict[str, FormDefinition],
) -> FormDefinition:
    """Publish `row` (to `units`, or everyone): new submissions use it from now on."""
    imported_forms.publish(row, units, by, at)
    audit.record(
        session, by, "form.publish", row.form_id, revision=row.revision, units=units or "all"
    )
    form = published_form(row)
    forms[row.form_id] = form
    return form

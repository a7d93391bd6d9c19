"""The inbox as text (Telegram HTML): the list, one submission whole, its versions, a revision's
changes. Every function takes `_`, the gettext of the reader's language, and `lang`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.periods import month_label
from bot.forms import FormDefinition, render_value
from bot.inbox.diff import Change
from bot.inbox.filters import InboxFilter, InboxState
from bot.timefmt import local_datetime
from storage.models import Submission, SubmissionStatus
from storage.repositories.inbox import Page

Gettext = Callable[[str], str]
# Telegram refuses messages over 4096 characters; leave room for what HTML adds.
MESSAGE_LIMIT = 3800
ICONS = {
    SubmissionStatus.SUBMITTED: "⏳",
    SubmissionStatus.ACCEPTED: "✅",
    SubmissionStatus.NEEDS_REVISION: "📝",
    SubmissionStatus.REPLACED: "🗂",
}


def state_label(status: SubmissionStatus | InboxState, _: Gettext) -> str:
    return {
        "submitted": _("waiting for review"),
        "accepted": _("accepted"),
        "needs_revision": _("revision asked"),
        "replaced": _("replaced by a newer version"),
    }[str(status)]


def form_title(forms: Mapping[str, FormDefinition], form_id: str, lang: str) -> str:
    form = forms.get(form_id)
    return form.title.get(lang) if form is not None else form_id


def filter_text(
    wanted: InboxFilter,
    forms: Mapping[str, FormDefinition],
    lang: str,
    _: Gettext,
    unit_names: Sequence[str] = (),
) -> str:
    """`waiting for review · Tháng 11/2026 · Báo cáo hoạt động KH&CN · Phường Cầu Giấy`: the
    unit by name when the part typed names one, else the part typed (“hoa”)."""
    parts = []
    if wanted.state is not None:
        parts.append(state_label(wanted.state, _))
    if wanted.period is not None:
        parts.append(wanted.period.label(lang))
    if wanted.form_id is not None:
        parts.append(form_title(forms, wanted.form_id, lang))
    if len(unit_names) == 1:
        parts.append(unit_names[0])
    elif wanted.unit_query:
        parts.append(f"“{wanted.unit_query}”")
    return escape(" · ".join(parts))


@dataclass(frozen=True)
class Row:
    submission: Submission
    unit_name: str


def list_text(
    page: Page,
    rows: Sequence[Row],
    wanted: InboxFilter,
    forms: Mapping[str, FormDefinition],
    tz: ZoneInfo,
    lang: str,
    _: Gettext,
    page_size: int,
    unit_names: Sequence[str] = (),
) -> str:
    title = _("<b>Submissions</b>")
    if not wanted.is_empty:
        title += " — " + filter_text(wanted, forms, lang, _, unit_names)
    if not rows and wanted.is_empty:
        return "\n".join([title, "", _("No unit has sent anything yet.")])
    if not rows:
        return "\n".join(
            [title, "", _("No submission matches."), _("/hoso with nothing after it lists all.")]
        )
    pages = (page.total + page_size - 1) // page_size
    lines = [
        title,
        _("{total} submissions, {waiting} waiting for review · page {page}/{pages}").format(
            total=page.total,
            waiting=page.waiting,
            page=page.position // page_size + 1,
            pages=pages,
        ),
        "",
    ]
    for row in rows:
        item = row.submission
        period = f" · {month_label(item.period, lang)}" if item.period else ""
        lines.append(
            f"{ICONS[item.status]} <b>{item.reference}</b> · {escape(row.unit_name)} · "
            f"{escape(form_title(forms, item.form_id, lang))}{period} · "
            f"{local_datetime(item.submitted_at, tz)}"
        )
    return "\n".join(lines)


def row_button(row: Row) -> str:
    return f"{ICONS[row.submission.status]} {row.submission.reference} · {row.unit_name}"


@dataclass(frozen=True)
class Detail:
    submission: Submission
    form: FormDefinition | None
    unit_name: str
    officer_name: str
    reviewer_name: str | None
    versions: Sequence[Submission]
    file_count: int


def _state_line(detail: Detail, tz: ZoneInfo, _: Gettext) -> str:
    item = detail.submission
    line = _("State: <b>{state}</b>").format(state=state_label(item.status, _))
    if item.reviewed_at is not None and item.status in (
        SubmissionStatus.ACCEPTED,
        SubmissionStatus.NEEDS_REVISION,
    ):
        line += " " + _("({who}, {when})").format(
            who=escape(detail.reviewer_name or str(item.reviewed_by)),
            when=local_datetime(item.reviewed_at, tz),
        )
    return line


def detail_text(detail: Detail, tz: ZoneInfo, lang: str, _: Gettext) -> str:
    """The whole submission: who sent it when, every answer, then its state and version last,
    just above the buttons (and in the last part when it is too long for one message)."""
    item = detail.submission
    lines = [
        _("<b>{title}</b> {ref}").format(
            title=escape(detail.form.title.get(lang) if detail.form else item.form_id),
            ref=item.reference,
        ),
        _("Unit: {value}").format(value=escape(detail.unit_name)),
        _("Officer: {value}").format(value=escape(detail.officer_name)),
        _("Sent at: {value}").format(value=local_datetime(item.submitted_at, tz)),
        "",
    ]
    lines.extend(f"• {escape(label)}: {escape(value)}" for label, value in answers(detail, lang))
    lines.append("")
    if detail.file_count:
        lines.append(_("Its {count} photos and files follow.").format(count=detail.file_count))
    if len(detail.versions) > 1:
        number = [v.id for v in detail.versions].index(item.id) + 1
        lines.append(
            _("Version {number} of {count}").format(number=number, count=len(detail.versions))
        )
    lines.append(_state_line(detail, tz, _))
    if item.status is SubmissionStatus.NEEDS_REVISION and item.staff_comment:
        lines.append(_("Comment: <i>{comment}</i>").format(comment=escape(item.staff_comment)))
    return "\n".join(lines)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` in parts of at most `limit` characters, cut between lines (each line closes its
    own HTML tags); a single longer line is cut where it must."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    parts.append(current)
    return [part for part in parts if part.strip()] or [text[:limit]]


def answers(detail: Detail, lang: str) -> list[tuple[str, str]]:
    """(label, value) of every answered field; fields the form no longer has by their name."""
    stored: dict[str, Any] = detail.submission.answers
    if detail.form is None:
        return [(name, str(value)) for name, value in stored.items() if value is not None]
    shown = []
    known = set()
    for field in detail.form.fields:
        known.add(field.name)
        if field.name in stored:
            shown.append((field.label.get(lang), render_value(field, stored[field.name], lang)))
    shown += [(n, str(v)) for n, v in stored.items() if n not in known and v is not None]
    return shown


def history_text(
    versions: Sequence[Submission],
    title: str,
    unit_name: str,
    tz: ZoneInfo,
    _: Gettext,
) -> str:
    lines = [
        _("<b>Versions of {title}</b> · {unit}").format(
            title=escape(title), unit=escape(unit_name)
        ),
        "",
    ]
    for number, item in enumerate(versions, start=1):
        lines.append(
            f"{number}. {ICONS[item.status]} <b>{item.reference}</b> · "
            f"{local_datetime(item.submitted_at, tz)} · {state_label(item.status, _)}"
        )
        if item.staff_comment and item.status is not SubmissionStatus.ACCEPTED:
            lines.append(f"   <i>{escape(item.staff_comment)}</i>")
    return "\n".join(lines)


def diff_text(
    newer: Submission,
    older: Submission,
    changes: Sequence[Change],
    same: int,
    _: Gettext,
) -> str:
    lines = [
        _("<b>What {new} changed from {old}</b>").format(new=newer.reference, old=older.reference)
    ]
    if older.staff_comment:
        lines.append(_("Asked: <i>{comment}</i>").format(comment=escape(older.staff_comment)))
    lines.append("")
    if not changes:
        lines.append(_("No answer changed."))
    for change in changes:
        lines.append(f"• <b>{escape(change.label)}</b>")
        lines.append(_("   before: {before}").format(before=escape(change.before)))
        lines.append(_("   now: {after}").format(after=escape(change.after)))
    if same:
        lines.append("")
        lines.append(_("{count} other answers unchanged.").format(count=same))
    return "\n".join(lines)

"""The status answers as text (Telegram HTML), for any front end.

Every function takes `_`, the gettext of the reader's language, and `lang`, so the
same words serve Telegram, the terminal demo or a later Zalo adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from html import escape
from zoneinfo import ZoneInfo

from bot.domain import events as event_rules
from bot.domain.deadlines import DefaultPeriod
from bot.domain.events import EventKind, SignupStatus
from bot.domain.periods import Period, PeriodKind, month_label, short_month
from bot.domain.status import format_percent, percent
from bot.events.render import kind_label
from bot.forms.numbers import format_money, group_thousands
from bot.people import phone_label
from bot.status.figures import MissingUnit, ReportState, Statistics, UnitStatus, UpcomingEvent
from storage.models import SubmissionStatus
from storage.repositories.status import InspectionTotals, as_utc

Gettext = Callable[[str], str]
# Telegram refuses messages over 4096 characters; leave room for HTML entities.
MESSAGE_LIMIT = 3800


def state_label(status: SubmissionStatus, _: Gettext) -> str:
    return {
        SubmissionStatus.SUBMITTED: _("sent"),
        SubmissionStatus.ACCEPTED: _("accepted"),
        SubmissionStatus.NEEDS_REVISION: _("needs a revision"),
        SubmissionStatus.REPLACED: _("replaced"),
    }[status]


def _count(value: int, lang: str) -> str:
    return group_thousands(value, "." if lang != "en" else ",")


def inspections_line(totals: InspectionTotals, lang: str, _: Gettext) -> str:
    return _(
        "Inspections: <b>{count}</b>, with violations: <b>{violations}</b>, fines: <b>{fines}</b>"
    ).format(
        count=_count(totals.count, lang),
        violations=_count(totals.with_violation, lang),
        fines=format_money(totals.fines),
    )


def statistics_text(stats: Statistics, lang: str, _: Gettext) -> str:
    """/thongke: units reported (count and %), report states, areas, inspections."""
    lines = [_("📊 <b>Statistics — {period}</b>").format(period=stats.period.label(lang))]
    share = format_percent(percent(stats.complete_units, stats.unit_total), lang)
    if len(stats.due_months) <= 1:
        lines.append(
            _("Units that reported: <b>{done}/{total}</b> ({share})").format(
                done=stats.complete_units, total=stats.unit_total, share=share
            )
        )
    else:
        lines.append(
            _("Units that reported every month: <b>{done}/{total}</b> ({share})").format(
                done=stats.complete_units, total=stats.unit_total, share=share
            )
        )
        lines.append(
            _("Reports received: <b>{received}/{expected}</b> ({months} months)").format(
                received=_count(stats.reports_received, lang),
                expected=_count(stats.reports_expected, lang),
                months=len(stats.due_months),
            )
        )
    if stats.reports_received:
        states = [
            f"{state_label(state, _)} {_count(stats.by_state.get(state, 0), lang)}"
            for state in (
                SubmissionStatus.ACCEPTED,
                SubmissionStatus.SUBMITTED,
                SubmissionStatus.NEEDS_REVISION,
            )
            if stats.by_state.get(state)
        ]
        lines.append(_("Reports by state: {states}").format(states=" · ".join(states)))
    if stats.by_area:
        lines += ["", _("<b>Reports by area</b>")]
        lines += [
            f"• {escape(label.get(lang))}: {_count(count, lang)}" for label, count in stats.by_area
        ]
    lines += ["", inspections_line(stats.inspections, lang, _)]
    if stats.signups is not None:
        # Events that start in the period, and who holds a seat or waits for one.
        lines.append(
            _(
                "Events starting in the period: <b>{events}</b>; sign-ups: "
                "<b>{confirmed}</b> confirmed, <b>{waiting}</b> waiting"
            ).format(
                events=_count(stats.signups.events, lang),
                confirmed=_count(stats.signups.confirmed, lang),
                waiting=_count(stats.signups.waiting, lang),
            )
        )
    return "\n".join(lines)


def missing_texts(
    missing: Sequence[MissingUnit],
    unit_total: int,
    period_label: str,
    multi_month: bool,
    lang: str,
    _: Gettext,
    period_key: str = "",
) -> list[str]:
    """/chuabaocao as one or more messages (a long list is split between lines): the units
    whose officers can be reminded, one a line; those with nobody registered summed up
    (`period_key`, as typed after /xuat, leads to the full list)."""
    if not missing:
        return [
            _("✅ All {total} units have reported for {period}.").format(
                total=unit_total, period=period_label
            )
        ]
    head = _("📋 <b>Not yet reported — {period}</b>: {count}/{total} units").format(
        period=period_label, count=len(missing), total=unit_total
    )
    lines = []
    for item in missing:
        if not item.officers:
            continue
        line = f"• <b>{escape(item.unit.name)}</b>"
        if multi_month:
            months = ", ".join(short_month(m) for m in item.missing)
            line += " " + _("(missing {months})").format(months=months)
        people = "; ".join(
            escape(o.full_name)
            + (f" ({phone_label(o.phone, o.phone_verified, _)})" if o.phone else "")
            for o in item.officers
        )
        lines.append(f"{line} — {people}")
    nobody = [item.unit.name for item in missing if not item.officers]
    if nobody:
        # Before officers register, that is nearly every unit: a hundred lines nobody can act
        # on would bury the few that can be reminded. The export lists them all.
        if lines:
            lines.append("")
        lines.append(_unregistered_summary(nobody, period_key, _))
    return split_message(head, lines)


UNREGISTERED_SHOWN = 5


def typed_period(period: Period) -> str:
    """The period as one types it after a command: `11/2026`, `Q4/2026`, `2026`."""
    if period.kind is PeriodKind.MONTH:
        return f"{period.number}/{period.year}"
    if period.kind is PeriodKind.QUARTER:
        return f"Q{period.number}/{period.year}"
    return str(period.year)


def _unregistered_summary(names: Sequence[str], period_key: str, _: Gettext) -> str:
    """`Chưa có cán bộ đăng ký: 123 đơn vị — A, B, C, D, E và 118 đơn vị khác.`"""
    shown = ", ".join(escape(name) for name in names[:UNREGISTERED_SHOWN])
    rest = len(names) - UNREGISTERED_SHOWN
    if rest > 0:
        shown = _("{names} and {count} more").format(names=shown, count=rest)
    return _(
        "👤 <i>No registered officer</i>: {count} units — {names}. The full list: /xuat {period}"
    ).format(count=len(names), names=shown, period=period_key)


def split_message(head: str, lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages under `limit`, the head on the first, never cutting a line."""
    messages: list[str] = []
    current = head
    for line in lines:
        if len(current) + 1 + len(line) > limit:
            messages.append(current)
            current = line
        else:
            current = f"{current}\n{line}"
    messages.append(current)
    return messages


def _report_line(state: ReportState, today: date, tz: ZoneInfo, lang: str, _: Gettext) -> list[str]:
    title = _("Activity report {period}").format(period=month_label(state.month, lang))
    item = state.submission
    if item is None:
        line = f"• <b>{title}</b>: ❗ " + _("not sent yet")
    else:
        sent_at = as_utc(item.submitted_at).astimezone(tz).strftime("%d/%m/%Y %H:%M")
        mark = "📝" if item.status is SubmissionStatus.NEEDS_REVISION else "✅"
        line = f"• <b>{title}</b>: {mark} " + _("{ref} sent {when}, {state}").format(
            ref=item.reference, when=sent_at, state=state_label(item.status, _)
        )
    lines = [line]
    if item is not None and item.status is SubmissionStatus.NEEDS_REVISION and item.staff_comment:
        lines.append(
            "   "
            + _("The department asks: <i>{comment}</i>").format(comment=escape(item.staff_comment))
        )
    if state.deadline is not None and item is None:
        due = state.deadline.due_on.strftime("%d/%m/%Y")
        if today > state.deadline.due_on:
            lines.append("   " + _("Deadline {date} — overdue").format(date=due))
        else:
            lines.append("   " + _("Deadline {date}").format(date=due))
    return lines


def unit_status_text(
    status: UnitStatus,
    unit_name: str,
    today: date,
    tz: ZoneInfo,
    lang: str,
    _: Gettext,
    titles: Mapping[str, str] | None = None,
) -> str:
    """/trangthai: the unit's reports, what else was sent back for revision (`titles`: form
    titles by id), this month's inspections and the officer's events."""
    titles = titles or {}
    lines = [
        _("📌 <b>{unit}</b> — status on {date}").format(
            unit=escape(unit_name), date=today.strftime("%d/%m/%Y")
        )
    ]
    for state in status.reports:
        lines += _report_line(state, today, tz, lang, _)
    for item in status.sent_back:
        title = titles.get(item.form_id, item.form_id)
        lines.append(
            "• "
            + _("📝 Needs revision: <b>{title}</b> {ref} — /cuatoi").format(
                title=escape(title), ref=item.reference
            )
        )
        if item.staff_comment:
            lines.append(
                "   "
                + _("The department asks: <i>{comment}</i>").format(
                    comment=escape(item.staff_comment)
                )
            )
    period = status.period.label(lang) if status.period is not None else ""
    lines.append(
        "• "
        + _("Inspection findings of {period}: <b>{count}</b>").format(
            period=period, count=status.inspections.count
        )
        + (
            " "
            + _("({violations} with violations)").format(
                violations=status.inspections.with_violation
            )
            if status.inspections.with_violation
            else ""
        )
    )
    if status.upcoming_events:
        lines += ["", _("<b>Your upcoming events</b>")]
        lines += [_upcoming_line(item, tz, _) for item in status.upcoming_events]
    return "\n".join(lines)


def _upcoming_line(item: UpcomingEvent, tz: ZoneInfo, _: Gettext) -> str:
    event = item.event
    kind = escape(kind_label(event.kind, _))
    when = event_rules.format_span(event.starts_at, event.ends_at, _, tz)
    head = f"• <b>{kind}: {escape(event.title)}</b> — {when}"
    if item.status is SignupStatus.CONFIRMED and event.kind is EventKind.CONFERENCE:
        state = _("✅ your unit attends")
    elif item.status is SignupStatus.CONFIRMED:
        state = _("✅ signed up, seat confirmed")
    elif item.status is SignupStatus.WAITING:
        state = _("⏳ waiting list, number {position}").format(position=item.position)
    else:
        state = _("📨 invited — sign up by {deadline} in /lophoc").format(
            deadline=event_rules.format_moment(event.signup_deadline, tz)
        )
    return f"{head}: {state}"


def reminder_text(months: Sequence[str], due_on: date | None, lang: str, _: Gettext) -> str:
    """The reminder officers of a unit that has not reported receive."""
    periods = ", ".join(month_label(m, lang) for m in months)
    text = _(
        "🔔 Reminder from the department: your unit has not sent the activity report "
        "for {periods} yet."
    ).format(periods=periods)
    if due_on is not None:
        text += " " + _("The deadline is {date}.").format(date=due_on.strftime("%d/%m/%Y"))
    return text + "\n" + _("Send it with /baocao; /trangthai shows your unit's status.")


def default_period_line(chosen: DefaultPeriod, command: str, lang: str, _: Gettext) -> str:
    """Says which period a command chose when none was typed, and how to ask for another."""
    example = f"/{command} {short_month(chosen.period.previous().months[0])}"
    if chosen.deadline is None:
        return _(
            "🗓 Period {period} (no report deadline set). For another period, type it after "
            "the command, e.g. {example}."
        ).format(period=chosen.period.label(lang), example=example)
    return _(
        "🗓 Period {period} (deadline {date}). For another period, type it after the "
        "command, e.g. {example}."
    ).format(
        period=chosen.period.label(lang),
        date=chosen.deadline.due_on.strftime("%d/%m/%Y"),
        example=example,
    )

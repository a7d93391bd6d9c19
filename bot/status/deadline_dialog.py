"""Hạn nộp báo cáo as data: the two dialogs of /hanbaocao, run by `bot.dialogs`.

```mermaid
stateDiagram-v2
    [*] --> day: 📅 Hạn hằng tháng (or /hanbaocao ngày 40, not a day)
    day --> day: not a day from 1 to 31 → what is expected
    day --> days: 5, ngày 5, 5 hằng tháng
    [*] --> days: /hanbaocao ngày 5 hằng tháng
    days --> [*]: 1 … 7 days before → the rule stored, committed, confirmed
    [*] --> due: /hanbaocao 11/2026, or ⏰ under /chuabaocao
    due --> due: not a real date, or a past one → what is expected
    due --> days_before: dd/mm/yyyy
    due --> [*]: ↩️ Dùng hạn hằng tháng → the month's own date removed
    days_before --> [*]: 1 … 7 days before → the month's date stored, committed, confirmed
```
What is set now (the rule's day, the month's own date) is the front end's to look up: it
comes in `Context.extra` as `rule_day`, `own_due`, `own_days` and `period` (a month's key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.dialogs.model import Answers, Context, Dialog, Kind, Option, Step
from bot.domain.deadlines import MAX_DUE_DAY, DeadlineRule
from bot.domain.folding import fold
from bot.domain.periods import Period
from bot.domain.status import REMIND_DAYS_CHOICES
from bot.domain.text import N_, Text, lines
from bot.forms.dates import parse_date
from bot.forms.results import Checked, Invalid, Valid

USE_RULE = "rule"  # the month's answer "follow the monthly deadline again"

# `5`, `ngày 5`, `ngay 5 hang thang`, `5 hằng tháng`, `hằng tháng ngày 5` (folded).
_RULE_DAY = re.compile(r"^(?:hang thang\s*)?(?:ngay\s*)?(\d{1,2})(?:\s*hang thang)?$")
DAY_EXPECTED = Text(N_("Please type a day of the month from 1 to 31, for example 5."))
DATE_EXPECTED = Text(N_("Please type the date as dd/mm/yyyy."))
PAST = Text(N_("The deadline can't be in the past; please type today or a later date."))


def fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def parse_rule_day(text: str) -> int | None:
    match = _RULE_DAY.match(fold(text))
    if match is None:
        return None
    day = int(match.group(1))
    return day if 1 <= day <= MAX_DUE_DAY else None


def rule_text(day: int) -> Text:
    """`ngày 5 hằng tháng`: the day of the month following the report's month."""
    return Text(N_("day {day} of every month"), {"day": day})


def _parse_day(text: str, _answers: Mapping[str, Any], _ctx: Context) -> Checked:
    day = parse_rule_day(text)
    return Invalid(DAY_EXPECTED) if day is None else Valid(day)


def _days(_answers: Answers, _ctx: Context) -> Sequence[Option]:
    return [Option(str(days), str(days)) for days in REMIND_DAYS_CHOICES]


def _day_prompt(_answers: Answers, ctx: Context) -> Text:
    now = ctx.extra.get("rule_day")
    return lines(
        Text(
            N_(
                "📅 Each month's report is due on which day of the following month? Type a day "
                "from 1 to 31 (5: the November report is due on 5 December)."
            )
        ),
        Text(N_("Now: day {day}."), {"day": now}) if now else None,
    )


def _period(ctx: Context) -> Period:
    return Period.from_key(str(ctx.extra["period"]))


def _due_prompt(_answers: Answers, ctx: Context) -> Text:
    period = _period(ctx)
    month = period.months[0]
    rule_day, own_due = ctx.extra.get("rule_day"), ctx.extra.get("own_due")
    now: Text | None = None
    if own_due:
        now = Text(
            N_("Now: {date}, reminder {days} days before."),
            {"date": fmt(date.fromisoformat(own_due)), "days": ctx.extra.get("own_days")},
        )
    elif rule_day:
        rule = DeadlineRule(int(rule_day), 0)
        now = Text(
            N_("Now: {date}, the monthly deadline ({rule})."),
            {"date": fmt(rule.due_on(month)), "rule": rule_text(rule.due_day).render(ctx.gettext)},
        )
    return lines(
        Text(
            N_("⏰ Deadline of the activity report for {period}: type the date as dd/mm/yyyy."),
            {"period": period.label(ctx.lang)},
        ),
        now,
    )


def _due_options(_answers: Answers, ctx: Context) -> Sequence[Option]:
    """Back to the monthly deadline: offered when the month has a date of its own."""
    rule_day = ctx.extra.get("rule_day")
    if not (ctx.extra.get("own_due") and rule_day):
        return []
    due = DeadlineRule(int(rule_day), 0).due_on(_period(ctx).months[0])
    return [Option(USE_RULE, Text(N_("↩️ Use the monthly deadline ({date})"), {"date": fmt(due)}))]


def _parse_due(text: str, _answers: Mapping[str, Any], ctx: Context) -> Checked:
    return parse_date(text, ctx.today)


def _check_due(value: Any, _answers: Mapping[str, Any], ctx: Context) -> Checked:
    if value == USE_RULE or date.fromisoformat(str(value)) >= ctx.today:
        return Valid(value)
    return Invalid(PAST)


def _show_due(value: Any, ctx: Context) -> str:
    if value == USE_RULE:
        return ctx.gettext("the monthly deadline")
    return fmt(date.fromisoformat(str(value)))


def _month_days_prompt(answers: Answers, _ctx: Context) -> Text:
    return Text(
        N_("How many days before {date} should the bot remind the units that have not reported?"),
        {"date": fmt(date.fromisoformat(str(answers["due"])))},
    )


def _own_date(answers: Mapping[str, Any]) -> bool:
    return answers.get("due") != USE_RULE


_DAYS_LABEL = N_("Reminder, days before")

RULE = Dialog(
    id="deadline_rule",
    title=N_("Report deadline"),
    steps=(
        Step(
            "day",
            Kind.NUMBER,
            N_("Day of the month"),
            _day_prompt,
            parse=_parse_day,
            expected=DAY_EXPECTED,
        ),
        Step(
            "days",
            Kind.CHOOSE_ONE,
            _DAYS_LABEL,
            Text(
                N_(
                    "How many days before each deadline should the bot remind the units that "
                    "have not reported?"
                )
            ),
            options=_days,
        ),
    ),
    cancelled=N_("Cancelled. The deadlines are unchanged."),
)

MONTH = Dialog(
    id="deadline_month",
    title=N_("Report deadline"),
    steps=(
        Step(
            "due",
            Kind.DATE,
            N_("Deadline"),
            _due_prompt,
            parse=_parse_due,
            check=_check_due,
            options=_due_options,
            show=_show_due,
            expected=DATE_EXPECTED,
        ),
        Step(
            "days",
            Kind.CHOOSE_ONE,
            _DAYS_LABEL,
            _month_days_prompt,
            relevant=_own_date,
            options=_days,
        ),
    ),
    cancelled=N_("Cancelled. The deadlines are unchanged."),
)

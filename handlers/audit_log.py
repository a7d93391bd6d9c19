"""/nhatky — admins read the audit log: who granted, took, approved, rejected, deactivated.

`/nhatky` alone shows the newest entries; `/nhatky 11/2026` one month; `/nhatky 0912 345 678`
or `/nhatky 123456789` what a person did or had done to them; both together narrow further.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callback_ids import RowId
from bot.domain.phone import parse_phone
from bot.domain.text import shorten
from bot.people import person_name
from bot.rejections import REASONS
from bot.roles import Access, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.keyboards import button, inline
from storage.models import AuditEntry, User
from storage.repositories import audit, users

router = Router(name=__name__)
router.message.filter(HasAccess(Access.ADMIN))
router.callback_query.filter(HasAccess(Access.ADMIN))

PAGE = 15
_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{4})$")


class AuditPage(CallbackData, prefix="audit"):
    offset: RowId
    who: str = ""  # the typed person: a phone (E.164) or a Telegram id
    month: str = ""  # 2026-11


class Filters:
    """What the admin typed, understood; `problem` says what was not."""

    def __init__(self) -> None:
        self.who = ""
        self.month = ""
        self.problem: str | None = None


def parse_filters(argument: str) -> Filters:
    filters = Filters()
    rest: list[str] = []
    for token in argument.split():
        found = _MONTH.match(token)
        if found and 1 <= int(found.group(1)) <= 12:
            filters.month = f"{found.group(2)}-{int(found.group(1)):02d}"
        else:
            rest.append(token)
    if rest:
        typed = "".join(rest)
        if typed.isdigit() and not typed.startswith("0"):
            filters.who = typed
        else:
            phone = parse_phone(" ".join(rest))
            if phone is None:
                filters.problem = _(
                    "I did not understand “{value}”. Examples: /nhatky 11/2026, "
                    "/nhatky 0912 345 678, /nhatky 123456789, /nhatky 0912 345 678 11/2026."
                ).format(value=escape(shorten(" ".join(rest), 40)))
            else:
                filters.who = phone
    return filters


def _month_range(month: str, settings: Settings) -> tuple[datetime, datetime]:
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=settings.tz)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=settings.tz)
    # Stored in UTC (SQLite keeps the digits only): compare in UTC.
    return start.astimezone(UTC), end.astimezone(UTC)


# Actions whose target is a person (a Telegram id); the others name a submission, an event, a
# notice or a period, which are shown as they are, never looked up as people.
PERSON_ACTIONS = frozenset(
    {
        "registration.approve",
        "registration.reject",
        "role.grant_staff",
        "role.take_staff",
        "user.deactivate",
        "user.reactivate",
        "role.admin_removed",
        "role.admin_added",
        "account.link",
    }
)


def _target_id(entry: AuditEntry) -> int | None:
    if entry.action not in PERSON_ACTIONS:
        return None
    target = entry.target or ""
    # People who came first on Zalo have negative ids.
    return int(target) if target.removeprefix("-").isdigit() else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _people(session: AsyncSession, who: str) -> list[User]:
    if who.startswith("+"):
        return await users.find_people(session, who)
    found = await users.find_people(session, who)
    if found:
        return found
    phone = parse_phone(who)
    return await users.find_people(session, phone) if phone else []


def _action_text(entry: AuditEntry, actor: str, target: str) -> str:
    details = entry.details or {}
    texts = {
        "registration.approve": _("{actor} approved the registration of {target}"),
        "registration.reject": _("{actor} rejected the registration of {target}"),
        "role.grant_staff": _("{actor} made {target} department staff"),
        "role.take_staff": _("{actor} took the staff role from {target}"),
        "user.deactivate": _("{actor} deactivated {target}"),
        "user.reactivate": _("{actor} reactivated {target}"),
        "role.admin_removed": _("{target} was removed from ADMIN_IDS: now department staff"),
        "role.admin_added": _("{target} was made an admin in ADMIN_IDS"),
        "submission.accept": _("{actor} accepted submission #{target}"),
        "submission.revise": _("{actor} asked for a revision of submission #{target}"),
        "notice.send": _("{actor} sent notice #{target}"),
        "notice.schedule": _("{actor} scheduled notice #{target}"),
        "notice.cancel": _("{actor} stopped notice #{target}"),
        "event_publish": _("{actor} published event #{target}"),
        "event_edit": _("{actor} changed event #{target}"),
        "event_close": _("{actor} closed sign-ups of event #{target}"),
        "event_cancel": _("{actor} cancelled event #{target}"),
        "export": _("{actor} exported {target} to Excel"),
        "deadline.set": _("{actor} set the report deadline of {target}"),
        "deadline.unset": _("{actor} put {target} back on the monthly deadline"),
        "deadline.rule": _("{actor} changed the monthly report deadline"),
        "account.link": _("{target} linked an account on {messenger}"),
        "account.link_failed": _("a wrong link code was typed on {messenger}"),
    }
    text = texts.get(entry.action, "{actor}: " + escape(entry.action) + " {target}")
    if re.fullmatch(r"\d{4}-\d{2}", target):  # a month's key, shown as people write it
        target = f"{target[5:]}/{target[:4]}"
    messenger = {"zalo": "Zalo", "telegram": "Telegram"}.get(str(details.get("messenger")), "")
    line = text.format(actor=actor, target=target, messenger=messenger)
    if entry.action == "role.grant_staff" and details.get("also_officer"):
        line += " " + _("(still their unit's officer)")
    if entry.action == "registration.reject" and details.get("reason"):
        key = str(details["reason"])
        reason = details.get("text") or (_(REASONS[key][0]) if key in REASONS else key)
        line += " — " + _("reason: {reason}").format(reason=escape(shorten(str(reason), 120)))
    return line


async def _render(
    session: AsyncSession, settings: Settings, filters: Filters, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    person_ids: list[int] | None = None
    heading = [_("<b>Audit log</b>")]
    if filters.who:
        people = await _people(session, filters.who)
        if not people:
            return _("Nobody with “{value}” is known to the bot.").format(
                value=escape(filters.who)
            ), None
        person_ids = [p.id for p in people]
        heading.append(
            _("Person: {names}").format(
                names=", ".join(f"{person_name(p)} (id {p.id})" for p in people)
            )
        )
    since = until = None
    if filters.month:
        since, until = _month_range(filters.month, settings)
        year, number = filters.month.split("-")
        heading.append(_("Month: {month}").format(month=f"{number}/{year}"))
    rows, total = await audit.entries(
        session, person_ids=person_ids, since=since, until=until, offset=offset, limit=PAGE
    )
    if total == 0:
        return "\n".join([*heading, _("Nothing recorded.")]), None
    ids = {e.actor_id for e in rows} | {t for e in rows if (t := _target_id(e)) is not None}
    names: dict[int, str] = {}
    for user_id in ids:
        found = await users.get_user(session, user_id)
        names[user_id] = person_name(found) if found is not None else f"id {user_id}"
    lines = [
        *heading,
        _("Entries {first}–{last} of {total}, newest first:").format(
            first=offset + 1, last=offset + len(rows), total=total
        ),
    ]
    for entry in rows:
        actor = (
            _("the bot at start")
            if entry.actor_id == audit.SYSTEM_ACTOR
            else names.get(entry.actor_id, str(entry.actor_id))
        )
        target_id = _target_id(entry)
        target = names.get(target_id, "") if target_id is not None else escape(entry.target or "")
        when = local_datetime(_aware(entry.at), settings.tz)
        lines.append(f"• {when} — {_action_text(entry, actor, target)}")
    buttons = []
    if offset > 0:
        buttons.append(
            button(
                _("⬅️ Newer"),
                AuditPage(offset=max(offset - PAGE, 0), who=filters.who, month=filters.month),
            )
        )
    if offset + len(rows) < total:
        buttons.append(
            button(
                _("Older ➡️"),
                AuditPage(offset=offset + PAGE, who=filters.who, month=filters.month),
            )
        )
    return "\n".join(lines), inline(buttons) if buttons else None


@router.message(Command("nhatky"))
async def show_log(
    message: Message, command: CommandObject, session: AsyncSession, settings: Settings
) -> None:
    """The newest entries, by person and month when given."""
    filters = parse_filters(command.args or "")
    if filters.problem:
        await message.answer(filters.problem)
        return
    text, markup = await _render(session, settings, filters, 0)
    await message.answer(text, reply_markup=markup)


@router.callback_query(AuditPage.filter())
async def page(
    query: CallbackQuery, callback_data: AuditPage, session: AsyncSession, settings: Settings
) -> None:
    """Newer / older entries, same filters."""
    filters = Filters()
    filters.who, filters.month = callback_data.who, callback_data.month
    text, markup = await _render(session, settings, filters, max(callback_data.offset, 0))
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=markup)

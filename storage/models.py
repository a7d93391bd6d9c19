"""Typed SQLAlchemy models; the schema itself is made only by the Alembic migrations."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.events import EventKind, EventStatus, SignupStatus
from bot.domain.status import dated_on


def utcnow() -> datetime:
    return datetime.now(UTC)


def _enum(kind: type[enum.StrEnum]) -> Enum:
    """A StrEnum stored as its values in a short string column (no database-native enum)."""
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class Role(enum.StrEnum):
    OFFICER = "officer"
    STAFF = "staff"
    ADMIN = "admin"


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Unit(Base):
    """A local unit (phường / xã / đặc khu) or a unit the department defines itself."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    province_code: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)


class User(Base):
    """A Telegram user the bot knows: an officer (registered or not yet approved), staff or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    full_name: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    role: Mapped[Role] = mapped_column(
        _enum(Role),
        default=Role.OFFICER,
    )
    status: Mapped[RegistrationStatus | None] = mapped_column(
        _enum(RegistrationStatus),
        index=True,
    )
    locale: Mapped[str | None] = mapped_column(String(8))
    telegram_name: Mapped[str | None] = mapped_column(String(200))
    registered_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Shared through Telegram's contact button (its user_id was the sender's): the person
    # owns the number. A typed number is not verified and every card says so.
    phone_verified: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Staff who stay their unit's officer (the admin chose so when granting the role).
    also_officer: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Deactivated by an admin: no access at all; their submissions stay.
    deactivated_at: Mapped[datetime | None]
    deactivated_by: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def is_unit_officer(self) -> bool:
        """Approved, active, with a unit, and an officer (or staff who stays one)."""
        return (
            self.status is RegistrationStatus.APPROVED
            and self.deactivated_at is None
            and self.unit_code is not None
            and (self.role is Role.OFFICER or (self.role is Role.STAFF and self.also_officer))
        )


def officer_clause() -> ColumnElement[bool]:
    """SQL for "an active officer of a unit": officers, and staff who stay their unit's officer.

    (With the approval status checked beside it.)
    """
    return (
        User.deactivated_at.is_(None)
        & User.unit_code.is_not(None)
        & ((User.role == Role.OFFICER) | ((User.role == Role.STAFF) & User.also_officer))
    )


def staff_clause() -> ColumnElement[bool]:
    """SQL for "has staff rights": admins (rows follow ADMIN_IDS at every start) and approved,
    active staff."""
    return User.deactivated_at.is_(None) & (
        (User.role == Role.ADMIN)
        | ((User.role == Role.STAFF) & (User.status == RegistrationStatus.APPROVED))
    )


class DialogState(Base):
    """aiogram FSM state and data of one key (bot, chat, user...), kept across restarts."""

    __tablename__ = "dialog_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HandledUpdate(Base):
    """An update_id already handled: Telegram may deliver an update twice."""

    __tablename__ = "handled_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AuditEntry(Base):
    """A staff or admin action, kept for the department's record."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_at", "actor_id", "at"),
        Index("ix_audit_log_target_at", "target", "at"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SubmissionStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # đã gửi
    ACCEPTED = "accepted"  # đã tiếp nhận
    NEEDS_REVISION = "needs_revision"  # cần bổ sung
    REPLACED = "replaced"  # a newer version exists


class Submission(Base):
    """One sent form (a report or an inspection finding) of a unit, with its answers as JSON."""

    __tablename__ = "submissions"
    __table_args__ = (
        # One live activity report per unit and period; replaced versions are kept beside it.
        Index(
            "uq_submissions_live_period",
            "form_id",
            "unit_code",
            "period",
            unique=True,
            sqlite_where=text("status != 'replaced' AND period IS NOT NULL"),
            postgresql_where=text("status != 'replaced' AND period IS NOT NULL"),
        ),
        Index("ix_submissions_unit_submitted", "unit_code", "submitted_at"),
        Index("ix_submissions_form_period", "form_id", "period"),
        # Statistics and exports read forms without a period (inspections) by the time sent.
        Index("ix_submissions_form_submitted", "form_id", "submitted_at"),
        # ... and, since issue 14.4, by the date they are about (the inspection date).
        Index("ix_submissions_form_occurred", "form_id", "occurred_on", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int]
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    period: Mapped[str | None] = mapped_column(String(7))
    answers: Mapped[dict[str, Any]]
    status: Mapped[SubmissionStatus] = mapped_column(
        _enum(SubmissionStatus),
        default=SubmissionStatus.SUBMITTED,
    )
    # The draft's id: a double tap on Gửi, or a redelivered update, can't store it twice.
    draft_token: Mapped[str] = mapped_column(String(36), unique=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[datetime | None]
    staff_comment: Mapped[str | None] = mapped_column(Text)
    # The day a form without a period is about (an inspection's date), from its answers:
    # statistics count it in that day's period, not the day it was sent (set on insert).
    occurred_on: Mapped[date | None] = mapped_column(Date)

    @property
    def reference(self) -> str:
        return f"#{self.id}"


class Attachment(Base):
    """A photo or document of a submission: Telegram keeps the file, we keep its ids."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    field_name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    size: Mapped[int | None]
    mime_type: Mapped[str | None] = mapped_column(String(100))
    file_name: Mapped[str | None] = mapped_column(String(255))
    # What the officer typed with the file (Telegram's caption), at most 1,024 characters.
    caption: Mapped[str | None] = mapped_column(Text)
    # Where the file came from: "telegram" (file_id is Telegram's) or "zalo" (file_id is the
    # photo's URL on Zalo, the bytes kept under data/files/zalo/ by file_unique_id).
    messenger: Mapped[str] = mapped_column(
        String(16), default="telegram", server_default="telegram"
    )


class ReportDeadline(Base):
    """The deadline of one month's report (a form with a period), set by staff."""

    __tablename__ = "report_deadlines"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    remind_days_before: Mapped[int]
    set_by: Mapped[int] = mapped_column(BigInteger)
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeadlineReminder(Base):
    """A unit reminded of a month's report: the row is the claim, so it happens once."""

    __tablename__ = "deadline_reminders"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    recipients: Mapped[int]
    reminded_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # waits for send_at (none: as soon as a worker takes it)
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryState(enum.StrEnum):
    PENDING = "pending"  # waiting (not_before: a retry's time)
    CLAIMED = "claimed"  # taken by a worker, not tried yet: back to pending if the worker dies
    SENDING = "sending"  # the request is on its way: if the worker dies now, nobody knows
    SENT = "sent"
    UNREACHABLE = "unreachable"  # 403: blocked the bot, deactivated
    FAILED = "failed"  # 400 (chat not found...) or retries used up
    UNKNOWN = "unknown"  # was on its way when its worker died: may or may not have arrived
    CANCELLED = "cancelled"  # the notice was stopped before it was tried


class Notice(Base):
    """A broadcast notice: what is sent (text, one photo or document, buttons) and its progress."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_status_send_at", "status", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    origin: Mapped[str] = mapped_column(String(32), default="staff")
    # Who enqueues the same notice twice (a double tap, a retried reminder) gets the first.
    key: Mapped[str | None] = mapped_column(String(100), unique=True)
    text: Mapped[str] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(16))
    media_file_id: Mapped[str | None] = mapped_column(String(255))
    buttons: Mapped[dict[str, Any] | None]
    audience: Mapped[dict[str, Any] | None]
    status: Mapped[NoticeStatus] = mapped_column(
        _enum(NoticeStatus),
        default=NoticeStatus.SCHEDULED,
    )
    total: Mapped[int] = mapped_column(default=0)
    send_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancelled_by: Mapped[int | None] = mapped_column(BigInteger)
    # The message the progress bar and the final report are edited into.
    report_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    report_message_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_at: Mapped[datetime | None]


class Delivery(Base):
    """One recipient of a notice and what became of their copy."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notice_id", "chat_id", name="uq_deliveries_notice_chat"),
        Index("ix_deliveries_state_notice", "state", "notice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    unit_code: Mapped[str | None] = mapped_column(String(32))  # at sending time, for the report
    state: Mapped[DeliveryState] = mapped_column(
        _enum(DeliveryState),
        default=DeliveryState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)  # network errors and 5xx, not 429s
    not_before: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime | None]


class UtcDateTime(TypeDecorator[datetime]):
    """An aware time stored in UTC and read back aware on every database.

    SQLite keeps no zone: without this a time comes back naive, and comparing stored
    times with times written in another zone would compare their digits.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime would be stored in an unknown zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Event(Base):
    """A training course, conference or workshop the department announces (issue 6)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_status_starts", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    place: Mapped[str] = mapped_column(String(300))
    seats: Mapped[int | None]
    signup_deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    invite_all: Mapped[bool]
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus), default=EventStatus.OPEN)
    # Bumped (an UPDATE) before every seat decision: that UPDATE is the lock that makes the
    # decisions of one event one at a time, and its value is the press order of sign-ups.
    revision: Mapped[int] = mapped_column(default=0)
    # The creation dialog's id: a double tap on Công bố, or a redelivery, publishes once.
    draft_token: Mapped[str] = mapped_column(String(36), unique=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EventUnit(Base):
    """A unit invited to an event that is not open to every officer."""

    __tablename__ = "event_units"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)


class EventSignup(Base):
    """One officer's sign-up (for a conference: their unit's answer); one row per person."""

    __tablename__ = "event_signups"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_event_signups_event_user"),
        Index("ix_event_signups_event_status_seq", "event_id", "status", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(32))  # the officer's unit then
    status: Mapped[SignupStatus] = mapped_column(_enum(SignupStatus))
    seq: Mapped[int]  # press order within the event: the waiting list's order
    attendees: Mapped[str | None] = mapped_column(String(300))  # conference: who attends
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class EventReminder(Base):
    """A reminder of an event (a day, an hour before): claimed once by setting `sent_at`."""

    __tablename__ = "event_reminders"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recipients: Mapped[int | None]


class ReportDeadlineRule(Base):
    """A form's repeating deadline: each month's report is due on `due_day` of the next month.
    A `report_deadlines` row for a month is the exception to it."""

    __tablename__ = "report_deadline_rules"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_day: Mapped[int]
    remind_days_before: Mapped[int]
    set_by: Mapped[int] = mapped_column(BigInteger)
    set_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class StaffReminder(Base):
    """A unit reminded by staff (Nhắc nhở) of a month's report: the primary key is the claim,
    so two staff members pressing at once remind each unit once."""

    __tablename__ = "staff_reminders"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    reminded_by: Mapped[int] = mapped_column(BigInteger)
    # The name shown to the next staff member who presses (admins need no registration).
    reminded_by_name: Mapped[str] = mapped_column(String(200))
    recipients: Mapped[int]
    reminded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


@event.listens_for(Submission, "before_insert")
@event.listens_for(Submission, "before_update")
def _date_the_submission(_mapper: Any, _connection: Any, target: Submission) -> None:
    """`occurred_on` follows the answers, whoever stores the submission."""
    target.occurred_on = dated_on(target.form_id, target.answers or {})


class OwedMessage(Base):
    """A message the bot owes someone (a staff card, a decision, a confirmation, an edit of a
    card), committed with the change that caused it and sent by the broadcast worker.

    One row is one Bot API call (`method` with `payload`, the chat aside). `after_id` holds it
    back until that row is settled: a card's files after the card, an edit after the message it
    edits (whose `message_id` it then uses). Rows of one card share `card` (what the card is
    about: `submission:12`, `registration:900123`), so a decision can find every copy of it.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_priority", "state", "priority", "id"),
        Index("ix_outbox_card", "card"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    kind: Mapped[str] = mapped_column(String(32))  # what it is, for the logs and the tests
    card: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    after_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    after: Mapped[OwedMessage | None] = relationship(remote_side=[id], lazy="raise")
    priority: Mapped[int] = mapped_column(default=0)  # lower goes first
    state: Mapped[DeliveryState] = mapped_column(
        _enum(DeliveryState),
        default=DeliveryState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]


class ImportedForm(Base):
    """An XLSForm workbook an admin brought (issue 16): one row per version of a form id.

    The workbook is kept as it came and is what the bot runs (read again at start-up);
    `definition` is what the import read from it, for people and exports to look at. The
    newest published revision of a form id is the one officers fill; submissions keep the
    revision they were made with (`Submission.form_version`), so old ones stay readable.
    """

    __tablename__ = "imported_forms"
    __table_args__ = (UniqueConstraint("form_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int]
    version: Mapped[str] = mapped_column(String(64))  # the workbook's own settings version
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    workbook: Mapped[bytes] = mapped_column(LargeBinary)
    filename: Mapped[str] = mapped_column(String(200))
    # None: every officer; otherwise the unit codes it is published to.
    units: Mapped[list[str] | None] = mapped_column(JSON)
    imported_by: Mapped[int] = mapped_column(BigInteger)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_by: Mapped[int | None] = mapped_column(BigInteger)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Account(Base):
    """Where a person can be reached: (messenger, their id there) → users.id.

    Telegram people need no row until they link Zalo (users.id is their Telegram id); people
    who came first on Zalo have users.id below ZALO_FIRST_ID (see migration 0014).
    """

    __tablename__ = "accounts"

    messenger: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))  # Zalo's, for the record
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)


class ZaloUpdate(Base):
    """A Zalo update as received: getUpdates has no offset, so an update taken is Zalo's no more.
    Recorded before it is handled, finished after; the unfinished are handled after a restart."""

    __tablename__ = "zalo_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(index=True)


class LinkCode(Base):
    """A one-time code from /lienket on one messenger, to be typed on the other (one use)."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    messenger: Mapped[str] = mapped_column(String(16))  # where it was given
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)

"""Typed SQLAlchemy models; the schema itself is made only by the Alembic migrations."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    phone: Mapped[str | None] = mapped_column(String(20))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Role.OFFICER,
    )
    status: Mapped[RegistrationStatus | None] = mapped_column(
        Enum(
            RegistrationStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        index=True,
    )
    locale: Mapped[str | None] = mapped_column(String(8))
    telegram_name: Mapped[str | None] = mapped_column(String(200))
    registered_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_approved_officer(self) -> bool:
        return self.status is RegistrationStatus.APPROVED


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
    __table_args__ = (Index("ix_audit_log_actor_at", "actor_id", "at"),)

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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int]
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    period: Mapped[str | None] = mapped_column(String(7))
    answers: Mapped[dict[str, Any]]
    status: Mapped[SubmissionStatus] = mapped_column(
        Enum(
            SubmissionStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=SubmissionStatus.SUBMITTED,
    )
    # The draft's id: a double tap on Gửi, or a redelivered update, can't store it twice.
    draft_token: Mapped[str] = mapped_column(String(36), unique=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[datetime | None]
    staff_comment: Mapped[str | None] = mapped_column(Text)

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

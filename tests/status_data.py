"""A small data set whose statistics can be worked out by hand (see EXPECTED below).

Four units A, B, C, D (the first four Hà Nội units by name); officers of A, B and C
(D has none). The tests' clock is 27/11/2026 10:00 in Hà Nội.

Activity reports            Inspection findings (sent at, local time; counted by inspection date)
  A 10/2026 accepted          C 31/10 23:30  no violation            (dated 31/10: October)
  A 11/2026 accepted          C 01/11 00:30  violation, fine 500.000 (dated 31/10: October)
     (replacing a 02/11 one)  A 10/11 09:00  violation, fine 2.000.000
  B 11/2026 needs revision    A 11/11 08:00  replaced — not counted
  C 10/2026 sent              A 12/11 15:00  no violation
                              B 15/11 14:00  violation, record drawn up (no fine)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.events import EventKind, EventStatus, SignupStatus
from bot.domain.units import UnitDirectory, UnitEntry, units_of_province
from storage.models import (
    Event,
    EventSignup,
    RegistrationStatus,
    Role,
    Submission,
    SubmissionStatus,
    User,
)
from tests.harness import TZ

HANOI = UnitDirectory(units_of_province(1))
A, B, C, D = list(HANOI)[:4]
OFFICER_A, OFFICER_B, OFFICER_C = 3001, 3002, 3003


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def report(period: str, areas: list[str], **answers: Any) -> dict[str, Any]:
    return {
        "period": period,
        "areas": areas,
        "activity_count": 3,
        "main_content": "Tập huấn",
        **answers,
    }


def finding(day: str, result: str, **answers: Any) -> dict[str, Any]:
    return {
        "inspection_date": day,
        "facility_name": "Cửa hàng Minh Anh",
        "facility_address": "12 Trần Phú",
        "facility_type": "business",
        "check_areas": ["measurement"],
        "result": result,
        **answers,
    }


@dataclass(frozen=True)
class Seeded:
    report_a_nov: int
    report_b_nov: int
    finding_a_fined: int


async def seed(db: async_sessionmaker[AsyncSession]) -> Seeded:
    async with db() as session:
        for user_id, unit, name, phone in (
            (OFFICER_A, A, "Nguyễn Văn An", "+84912000001"),
            (OFFICER_B, B, "Trần Thị Bình", "+84912000002"),
            (OFFICER_C, C, "Lê Văn Cường", None),
        ):
            session.add(
                User(
                    id=user_id,
                    full_name=name,
                    phone=phone,
                    unit_code=unit.code,
                    role=Role.OFFICER,
                    status=RegistrationStatus.APPROVED,
                    locale="vi",
                )
            )
        await session.flush()

        def add(
            form: str,
            unit: UnitEntry,
            officer: int,
            at: datetime,
            answers: dict[str, Any],
            status: SubmissionStatus = SubmissionStatus.SUBMITTED,
            **extra: Any,
        ) -> Submission:
            item = Submission(
                form_id=form,
                form_version=1,
                unit_code=unit.code,
                officer_id=officer,
                period=answers.get("period") if form == "activity_report" else None,
                answers=answers,
                status=status,
                draft_token=str(uuid.uuid4()),
                submitted_at=at,
                **extra,
            )
            session.add(item)
            return item

        rpt, insp = "activity_report", "inspection"
        add(
            rpt,
            A,
            OFFICER_A,
            local(28, 10, 9),
            report("2026-10", ["food_safety"]),
            SubmissionStatus.ACCEPTED,
        )
        old = add(
            rpt,
            A,
            OFFICER_A,
            local(2, 11, 9),
            report("2026-11", ["food_safety"]),
            SubmissionStatus.REPLACED,
        )
        await session.flush()
        a_nov = add(
            rpt,
            A,
            OFFICER_A,
            local(3, 11, 9),
            report(
                "2026-11",
                ["food_safety", "innovation"],
                budget_used=1_500_000,
                participant_count=40,
            ),
            SubmissionStatus.ACCEPTED,
            replaces_id=old.id,
        )
        b_nov = add(
            rpt,
            B,
            OFFICER_B,
            local(20, 11, 16),
            report("2026-11", ["food_safety"], main_content='=HYPERLINK("http://x.example")'),
            SubmissionStatus.NEEDS_REVISION,
            staff_comment="Bổ sung số người tham gia",
        )
        add(rpt, C, OFFICER_C, local(30, 10, 10), report("2026-10", ["environment"]))
        add(insp, C, OFFICER_C, local(31, 10, 23, 30), finding("2026-10-31", "no_violation"))
        add(
            insp,
            C,
            OFFICER_C,
            local(1, 11, 0, 30),
            finding(
                "2026-10-31",
                "violation",
                violation_count=1,
                violation_description="Cân sai",
                handling=["fine"],
                fine_amount=500_000,
            ),
        )
        fined = add(
            insp,
            A,
            OFFICER_A,
            local(10, 11, 9),
            finding(
                "2026-11-10",
                "violation",
                violation_count=2,
                violation_description="Không niêm yết giá",
                handling=["fine"],
                fine_amount=2_000_000,
            ),
        )
        add(
            insp,
            A,
            OFFICER_A,
            local(11, 11, 8),
            finding(
                "2026-11-11",
                "violation",
                violation_count=1,
                violation_description="x",
                handling=["fine"],
                fine_amount=9_000_000,
            ),
            SubmissionStatus.REPLACED,
        )
        add(insp, A, OFFICER_A, local(12, 11, 15), finding("2026-11-12", "no_violation"))
        add(
            insp,
            B,
            OFFICER_B,
            local(15, 11, 14),
            finding(
                "2026-11-15",
                "violation",
                violation_count=1,
                violation_description="Nhãn",
                handling=["record"],
            ),
        )
        await session.commit()
        return Seeded(a_nov.id, b_nov.id, fined.id)


@dataclass(frozen=True)
class SeededEvents:
    course: int
    workshop: int


async def seed_events(db: async_sessionmaker[AsyncSession]) -> SeededEvents:
    """Events on top of `seed` (clock: 27/11/2026 10:00):

    course    30/11 08:00, 1 seat, open to all: A confirmed, B waiting, C cancelled
    workshop  02/12 08:00 (December), open to all, sign-ups until 01/12 17:00: nobody yet
    cancelled 28/11 08:00 conference, A had answered — counted nowhere
    """

    def event(title: str, kind: EventKind, start: datetime, **extra: Any) -> Event:
        item = Event(
            kind=kind,
            title=title,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="Hội trường Sở KH&CN",
            seats=extra.pop("seats", None),
            signup_deadline=start - timedelta(hours=15),
            invite_all=True,
            draft_token=str(uuid.uuid4()),
            created_by=1,
            **extra,
        )
        session.add(item)
        return item

    def signup(item: Event, user: int, unit: UnitEntry, status: SignupStatus, seq: int) -> None:
        session.add(
            EventSignup(
                event_id=item.id,
                user_id=user,
                unit_code=unit.code,
                status=status,
                seq=seq,
                created_at=local(20 + seq, 11, 9),
            )
        )

    async with db() as session:
        course = event("Lớp tập huấn sở hữu trí tuệ", EventKind.COURSE, local(30, 11, 8), seats=1)
        workshop = event("Hội thảo chuyển đổi số", EventKind.WORKSHOP, local(2, 12, 8))
        cancelled = event(
            "Hội nghị sơ kết",
            EventKind.CONFERENCE,
            local(28, 11, 8),
            status=EventStatus.CANCELLED,
        )
        await session.flush()
        signup(course, OFFICER_A, A, SignupStatus.CONFIRMED, 1)
        signup(course, OFFICER_B, B, SignupStatus.WAITING, 2)
        signup(course, OFFICER_C, C, SignupStatus.CANCELLED, 3)
        signup(cancelled, OFFICER_A, A, SignupStatus.CONFIRMED, 1)
        await session.commit()
        return SeededEvents(course.id, workshop.id)

"""Fifty officers press Đăng ký on a 30-seat course at the same moment: exactly 30 get a seat,
20 wait in the order they pressed, nobody is in twice, and each is told the truth."""

from __future__ import annotations

import re

from bot.emulator import FakeBotAPI
from tests.e2e.event_flows import (
    BA_DINH,
    CAU_GIAY,
    HOAN_KIEM,
    Db,
    button_data,
    create_event,
    latest_event,
    quick,
    seed_officers,
    signups,
)
from tests.harness import ADMIN_ID, RunningBot

OFFICERS = 50
SEATS = 30


async def test_fifty_press_at_once_for_thirty_seats(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(running)
    units = (CAU_GIAY, BA_DINH, HOAN_KIEM)
    officers = await seed_officers(
        db,
        [(3001 + n, f"Cán Bộ Số {n + 1}", units[n % len(units)]) for n in range(OFFICERS)],
        api,
    )
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await create_event(staff, title="Lớp bồi dưỡng đông người", seats=str(SEATS))
    event = await latest_event(db)
    notices = [await officer.expect("Sở trân trọng kính mời") for officer in officers]

    # The burst: every press is queued before the bot polls, so the bot gets them as one
    # batch of updates and handles them concurrently, as it would fifty real presses.
    # The officers press in an order unlike their ids.
    order = sorted(range(OFFICERS), key=lambda n: (n * 17) % OFFICERS)
    pressed: list[tuple[int, int]] = []  # (update id, officer id), in the order pressed
    for n in order:
        notice = notices[n]
        assert notice.message is not None
        data = button_data(notice.params["reply_markup"], "Đăng ký")
        update_id = await officers[n].press_data(notice.message, data)
        pressed.append((update_id, officers[n].id))
    assert [u for u, _o in pressed] == sorted(u for u, _o in pressed)
    in_order = [officer_id for _u, officer_id in pressed]

    told = {officers[n].id: await officers[n].expect("Lớp bồi dưỡng đông người</b>") for n in order}

    rows = await signups(db, event.id)
    assert len(rows) == OFFICERS and len({user for user, _s, _q in rows}) == OFFICERS
    confirmed = [user for user, status, _seq in rows if status == "confirmed"]
    waiting = [user for user, status, _seq in rows if status == "waiting"]  # by seq
    assert len(confirmed) == SEATS and len(waiting) == OFFICERS - SEATS
    assert set(confirmed) == set(in_order[:SEATS])
    assert waiting == in_order[SEATS:]
    for user in confirmed:
        assert "chỗ của bạn đã được giữ" in told[user].text, told[user].text
    for position, user in enumerate(waiting, start=1):
        found = re.search(r"vị trí <b>(\d+)</b> trong danh sách chờ", told[user].text)
        assert found is not None and int(found.group(1)) == position, told[user].text

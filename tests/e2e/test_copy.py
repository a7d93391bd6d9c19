"""Vietnamese wording that officers and staff meet: grammatical, no English calques, one word
for a submission (hồ sơ)."""

from __future__ import annotations

from bot.emulator import FakeBotAPI
from tests.e2e.flows import registered_officer
from tests.e2e.test_forms import fill_activity_report
from tests.harness import ADMIN_ID, RunningBot


async def test_phanquyen_usage_and_report_confirmation_read_naturally(
    api: FakeBotAPI, running: RunningBot
) -> None:
    admin = api.user(ADMIN_ID)
    await admin.send("/phanquyen")
    usage = await admin.expect("/phanquyen 0912 345 678")
    assert "Người đó phải từng mở bot ít nhất một lần" in usage.text
    assert "cần đã" not in usage.text

    lan = await registered_officer(api, 2090)
    await fill_activity_report(lan, attach=False)
    await lan.press("Gửi")
    sent = await lan.expect("Đã gửi. Mã số")
    assert "Sở đã được thông báo" in sent.text and "nhận được thông báo" not in sent.text

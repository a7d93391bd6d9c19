from bot.emulator import FakeBotAPI
from tests.harness import RunningBot


async def test_start_greets_unknown_user(api: FakeBotAPI, running: RunningBot) -> None:
    lan = api.user(1001)
    await lan.send("/start")
    reply = await lan.expect("/dangky")
    assert "Sở Khoa học" in reply.text or "Department" in reply.text

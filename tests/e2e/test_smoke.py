import gc

from bot.emulator import FakeBotAPI
from bot.heap import YOUNG_COLLECTION_EVERY
from tests.harness import RunningBot


async def test_start_greets_unknown_user(api: FakeBotAPI, running: RunningBot) -> None:
    lan = api.user(1001)
    await lan.send("/start")
    reply = await lan.expect("/dangky")
    assert "Sở Khoa học" in reply.text or "Department" in reply.text


async def test_the_heap_is_settled_after_start_up_and_let_go_at_shutdown(
    api: FakeBotAPI, database_url: str
) -> None:
    """bot.heap, as a bot process does it (the harness leaves it out elsewhere: see there)."""
    bot = RunningBot(api, database_url, settle_heap=True)
    await bot.start()
    try:
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY
        lan = api.user(1002)
        await lan.send("/start")
        await lan.expect("/dangky")
    finally:
        await bot.stop()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold()[0] != YOUNG_COLLECTION_EVERY

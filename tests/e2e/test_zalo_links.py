"""Files on Zalo as links: the webhook server keeps what Zalo cannot carry and serves it."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import openpyxl
import pytest

from bot.app import Application, create_application
from bot.clock import Clock
from bot.settings import load_settings
from bot.webhook import serve
from bot.zalo.fake import FakeZaloAPI
from bot.zalo.links import content_disposition
from storage.database import create_sessionmaker
from storage.models import Role
from tests.e2e.test_webhook import free_port, wait_until
from tests.e2e.test_zalo_together import ZALO_FIRST, ZALO_STAFF, zalo_person
from tests.harness import ADMIN_ID, NOW, TZ, RunningBot

ZALO_SECRET = "zalo-webhook-secret-0123456789"
LINK = re.compile(r"(https?://\S+/tai/[A-Za-z0-9_-]{32})")


@pytest.fixture
async def zalo_webhook(
    zalo_api: FakeZaloAPI, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Application, int]]:
    """Zalo only, by webhook; PUBLIC_URL left unset: it comes from ZALO_WEBHOOK_URL's origin."""
    port = free_port()
    settings = load_settings(
        database_url=database_url,
        zalo_api_base=zalo_api.base_url,
        admin_ids=str(ADMIN_ID),
        throttle_rate=10_000,
        throttle_burst=10_000,
        webhook_host="127.0.0.1",
        webhook_port=port,
        zalo_webhook_url=f"http://127.0.0.1:{port}/zalo/webhook",
        zalo_webhook_secret=ZALO_SECRET,
        files_dir=str(tmp_path / "files"),
    )
    app = await create_application(settings, None, Clock(TZ, fixed=NOW), zalo_token=zalo_api.token)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, "", stop, zalo_secret=ZALO_SECRET))
    try:
        await wait_until(lambda: zalo_api.webhook is not None or task.done())
        yield app, port
    finally:
        stop.set()
        await task
        await app.close()


async def test_staff_on_zalo_download_the_export_by_its_link_until_it_expires(
    zalo_api: FakeZaloAPI, zalo_webhook: tuple[Application, int]
) -> None:
    app, port = zalo_webhook
    await zalo_person(
        create_sessionmaker(app.engine),
        ZALO_STAFF,
        ZALO_FIRST - 1,
        "Phạm Minh Đức",
        role=Role.STAFF,
    )
    duc = zalo_api.user(ZALO_STAFF, "Đức")
    await duc.send("xuat 11/2026")
    sent = await duc.expect("tải về")
    assert "khcn-2026-11" in sent.text and ".xlsx" in sent.text
    assert "04/12/2026" in sent.text  # 7 days from 27/11/2026
    found = LINK.search(sent.text)
    assert found is not None
    url = found.group(1)
    assert url.startswith(f"http://127.0.0.1:{port}/tai/")
    async with aiohttp.ClientSession() as client:
        async with client.get(url) as answer:
            assert answer.status == 200
            assert answer.content_type == (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            assert "attachment" in answer.headers["Content-Disposition"]
            assert "khcn-2026-11.xlsx" in answer.headers["Content-Disposition"]
            content = await answer.read()
        book = openpyxl.load_workbook(io.BytesIO(content))
        assert len(book.sheetnames) >= 2
        # Unknown tokens, other paths, and an attempt to climb out: 404.
        base = f"http://127.0.0.1:{port}/tai/"
        for wrong in ["A" * 32, "..%2F..%2Fetc%2Fpasswd", "%2e%2e/khcn-bot.db", url[-31:]]:
            async with client.get(base + wrong) as answer:
                assert answer.status == 404, wrong
        # Eight days later the link is gone, and so are its bytes.
        app.clock.fixed = NOW + timedelta(days=8)
        async with client.get(url) as answer:
            assert answer.status == 404
    assert not any((app.settings.files_dir / "links").iterdir())


async def test_without_a_public_address_the_line_says_how_to_get_the_file(
    both: RunningBot, zalo_api: FakeZaloAPI
) -> None:
    assert both.app is not None
    await zalo_person(
        create_sessionmaker(both.app.engine),
        ZALO_STAFF,
        ZALO_FIRST - 1,
        "Phạm Minh Đức",
        role=Role.STAFF,
    )
    duc = zalo_api.user(ZALO_STAFF, "Đức")
    await duc.send("xuat 11/2026")
    sent = await duc.expect("python -m bot export")
    assert "Telegram" in sent.text and ".xlsx" in sent.text and "/tai/" not in sent.text


def test_a_vietnamese_file_name_survives_in_content_disposition() -> None:
    header = content_disposition("Danh sách hội nghị Đà Nẵng.xlsx")
    assert header.startswith('attachment; filename="Danh_sach_hoi_nghi_Da_Nang.xlsx"')
    assert "filename*=UTF-8''Danh%20s%C3%A1ch%20h%E1%BB%99i%20ngh%E1%BB%8B%20" in header

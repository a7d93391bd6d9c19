"""Start-up: settings that name what is wrong, a clear word without a token, no token in logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logs import REDACTED, RedactingFormatter
from bot.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "987654321:AAHsecretSECRETsecret_0123456789abcd"


def test_defaults_are_the_embedded_set_up(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "BOT_TOKEN", "ADMIN_IDS", "PROVINCE_CODE", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url.startswith("sqlite+aiosqlite:///data/")
    assert settings.province_code == 1 and settings.default_locale == "vi"
    assert settings.timezone == "Asia/Ho_Chi_Minh" and settings.admin_ids == frozenset()
    assert settings.telegram_api_base == "https://api.telegram.org"


def test_admin_ids_are_read_from_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", " 11, 22 ,33")
    assert load_settings(_env_file=None).admin_ids == frozenset({11, 22, 33})


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS"),
        ("PROVINCE_CODE", "999", "PROVINCE_CODE"),
        ("PROVINCE_CODE", "ha noi", "PROVINCE_CODE"),
        ("TIMEZONE", "Mars/Base", "TIMEZONE"),
        ("DEFAULT_LOCALE", "fr", "DEFAULT_LOCALE"),
        ("STAFF_CHAT_ID", "group", "STAFF_CHAT_ID"),
        ("TELEGRAM_API_BASE", "api.telegram.org", "TELEGRAM_API_BASE"),
    ],
)
def test_a_wrong_value_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert named in str(error.value)


def test_the_token_is_never_shown() -> None:
    settings = load_settings(_env_file=None, bot_token=TOKEN)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())
    formatter = RedactingFormatter([TOKEN], "%(message)s")
    try:
        raise RuntimeError(f"Cannot connect to https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed: %s", (TOKEN,), sys.exc_info()
        )
    text = formatter.format(record)
    assert TOKEN not in text and TOKEN.split(":")[1] not in text and REDACTED in text


def _run_bot(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN_", "DATABASE_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_a_token_says_how_to_get_one(tmp_path: Path) -> None:
    result = _run_bot(
        "run",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db",
        BOT_TOKEN="",
        ZALO_BOT_TOKEN="",
    )
    assert result.returncode == 2
    # How to get either token: Telegram's from @BotFather, Zalo's from Zalo Bot Creator.
    assert "@BotFather" in result.stderr and "Zalo Bot Creator" in result.stderr
    # Vietnamese first, then the same in English.
    assert result.stderr.index("Chưa có BOT_TOKEN") < result.stderr.index("Neither BOT_TOKEN")
    assert "Chạy lại `make run`" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_a_wrong_setting_names_it(tmp_path: Path) -> None:
    result = _run_bot("run", ADMIN_IDS="1,two", BOT_TOKEN=TOKEN)
    assert result.returncode == 2
    assert "ADMIN_IDS" in result.stderr and "Traceback" not in result.stderr
    assert TOKEN not in result.stderr


def test_unreachable_api_fails_without_showing_the_token(tmp_path: Path) -> None:
    result = _run_bot(
        "run",
        BOT_TOKEN=TOKEN,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db",
        TELEGRAM_API_BASE="http://127.0.0.1:9",  # nothing listens on the discard port
    )
    assert result.returncode == 1
    assert "khcn-bot stopped" in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    assert TOKEN.split(":")[1] not in result.stderr + result.stdout


def test_migrate_command(tmp_path: Path) -> None:
    result = _run_bot("migrate", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/m.db")
    assert result.returncode == 0, result.stderr
    assert "126 units" in result.stdout


def test_a_malformed_token_is_named_not_shown(tmp_path: Path) -> None:
    result = _run_bot(
        "run", BOT_TOKEN="not a token", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db"
    )
    assert result.returncode == 2
    assert "BOT_TOKEN is malformed" in result.stderr and "not a token" not in result.stderr

"""Settings from the environment or `.env`; every variable is documented in `.env.example`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

OFFICIAL_API_BASE = "https://api.telegram.org"
SUPPORTED_LOCALES = ("vi", "en")


class Settings(BaseSettings):
    """Everything the bot reads at start-up."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///data/khcn-bot.db"
    redis_url: str | None = None
    telegram_api_base: str = OFFICIAL_API_BASE
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    staff_chat_id: int | None = None
    province_code: int = 1
    default_locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "INFO"
    forms_dir: Path | None = None
    # Files the bot keeps itself (photos officers send on Zalo, which gives only a URL).
    files_dir: Path = Path("data/files")
    throttle_rate: float = Field(
        default=3.0, gt=0, description="messages per second a user may send"
    )
    throttle_burst: int = Field(default=10, ge=1)
    # Broadcast delivery (bot/broadcast): Telegram takes about 30 messages a second in all.
    broadcast_rate: float = Field(default=25.0, gt=0, le=30, description="messages per second")
    broadcast_lease: float = Field(default=60.0, ge=3, le=3600, description="seconds")
    # Everything the bot sends (replies, cards, notices) keeps within this many messages a
    # second in all: Telegram's limit. Only a local Bot API server without it may allow more.
    telegram_rate: int = Field(default=30, ge=1, description="messages per second")
    # And at most one message a second to one chat (Telegram's limit again); the worker
    # spaces what it sends to one chat by this much.
    telegram_chat_interval: float = Field(default=1.0, ge=0, le=60, description="seconds")
    # Webhook mode (`python -m bot webhook`), for several processes behind a load balancer.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_path: str = "/telegram/webhook"
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    webhook_drop_pending_updates: bool = False
    # Zalo Bot Platform (bot/zalo): officers live in Zalo since Telegram was blocked in 2025.
    zalo_bot_token: SecretStr | None = None
    zalo_api_base: str = "https://bot-api.zapps.me"
    zalo_webhook_secret: SecretStr | None = None
    zalo_webhook_path: str = "/zalo/webhook"
    zalo_webhook_url: str | None = None  # the public address Zalo posts to (on this server)
    # The webhook server's public address: files owed to Zalo users (which Zalo cannot
    # carry) are links under it (bot/zalo/links.py). Defaults to ZALO_WEBHOOK_URL's origin.
    public_url: str | None = None
    # Zalo publishes no per-second limit for bots; this pace is a cautious one, and a 429 is
    # waited out all the same.
    zalo_broadcast_rate: float = Field(default=10.0, gt=0, le=30, description="messages per second")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            ids = set()
            for part in parts:
                if not part.lstrip("-").isdigit():
                    raise ValueError(
                        f"'{part}' is not a Telegram user id (expected numbers separated by commas)"
                    )
                ids.add(int(part))
            return frozenset(ids)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("province_code")
    @classmethod
    def _known_province(cls, value: int) -> int:
        from vietnam_provinces import Province, ProvinceCode

        try:
            Province.from_code(ProvinceCode(value))
        except ValueError:
            raise ValueError(
                f"unknown province code {value} (Hà Nội is 1, TP. Hồ Chí Minh is 79)"
            ) from None
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @field_validator("webhook_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("expected a path starting with /")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("expected the public https:// address Telegram will post to")
        return value

    @field_validator("public_url")
    @classmethod
    def _public(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("expected the webhook server's public https:// address")
        return value.rstrip("/") if value is not None else None

    @field_validator("telegram_api_base", "zalo_api_base")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// address")
        return value.rstrip("/")

    def public_address(self) -> str | None:
        """Where the webhook server is reached from outside: PUBLIC_URL, else ZALO_WEBHOOK_URL's origin."""
        if self.public_url:
            return self.public_url
        if self.zalo_webhook_url:
            parts = urlsplit(self.zalo_webhook_url)
            return f"{parts.scheme}://{parts.netloc}"
        return None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def webhook_secret_value(self) -> str:
        """The secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token: required for webhooks."""
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise SettingsError(
                "Wrong setting: WEBHOOK_SECRET: set 16 to 256 letters, digits, _ or - "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return secret

    def zalo_token(self) -> str | None:
        """The Zalo bot token (never shown), or None when the bot does not serve Zalo."""
        if self.zalo_bot_token is None or not self.zalo_bot_token.get_secret_value().strip():
            return None
        token = self.zalo_bot_token.get_secret_value().strip()
        if any(c.isspace() for c in token) or "/" in token:
            raise SettingsError(
                "Wrong setting: ZALO_BOT_TOKEN is malformed: copy it whole as Zalo Bot Creator gave it."
            )
        return token

    def telegram_token(self) -> str | None:
        """The Telegram token, or None when the bot does not serve Telegram."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            return None
        return self.token()

    def zalo_webhook_secret_value(self) -> str:
        """The secret Zalo sends back in X-Bot-Api-Secret-Token: required for Zalo's webhook."""
        secret = self.zalo_webhook_secret.get_secret_value() if self.zalo_webhook_secret else ""
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise SettingsError(
                "Wrong setting: ZALO_WEBHOOK_SECRET: set 16 to 256 letters, digits, _ or - "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return secret

    def token(self) -> str:
        """The bot token, or an error that says how to get one (and never shows it)."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise MissingToken
        token = self.bot_token.get_secret_value().strip()
        bot_id, colon, secret = token.partition(":")
        if not colon or not bot_id.isdigit() or not secret or any(c.isspace() for c in token):
            raise SettingsError(
                "Wrong setting: BOT_TOKEN is malformed: it should look like 123456789:AA... "
                "as @BotFather gave it."
            )
        return token


class MissingToken(RuntimeError):
    """Neither BOT_TOKEN nor ZALO_BOT_TOKEN was configured. Said in Vietnamese first, then in English, since it
    comes before any language setting matters and the person at the terminal may read
    either."""

    def __str__(self) -> str:
        return (
            "Chưa có BOT_TOKEN (Telegram) hay ZALO_BOT_TOKEN (Zalo): cần ít nhất một mã.\n"
            '  Zalo: trong Zalo, tìm "Zalo Bot Creator", tạo bot và nhận mã truy cập;\n'
            "     ghi vào tệp .env:  ZALO_BOT_TOKEN=...\n"
            "  Telegram:\n"
            "  1. Trong Telegram, mở @BotFather, gửi /newbot và trả lời các câu hỏi;\n"
            "     BotFather sẽ gửi lại một mã dạng 123456789:AA...\n"
            "  2. Ghi mã đó vào tệp .env bên cạnh Makefile:  BOT_TOKEN=123456789:AA...\n"
            "     (sao chép .env.example thành .env để có đủ các thiết lập khác), hoặc export BOT_TOKEN.\n"
            "  3. Chạy lại `make run`.  Muốn dùng thử bot mà không cần Telegram: `make demo`.\n"
            "\n"
            "Neither BOT_TOKEN (Telegram) nor ZALO_BOT_TOKEN (Zalo) is set: one at least.\n"
            '  Zalo: in Zalo, find "Zalo Bot Creator", create a bot and take its token;\n'
            "     put it in .env:  ZALO_BOT_TOKEN=...  (both tokens: both messengers at once)\n"
            "  Telegram:\n"
            "  1. In Telegram, open @BotFather, send /newbot and follow its questions;\n"
            "     it answers with a token like 123456789:AA...\n"
            "  2. Put it in a file named .env beside the Makefile:  BOT_TOKEN=123456789:AA...\n"
            "     (copy .env.example to .env for every other setting), or export BOT_TOKEN.\n"
            "  3. Run `make run` again.  To try the bot without Telegram, run `make demo`."
        )


class SettingsError(RuntimeError):
    """A setting has a wrong value; the message names the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = str(problem["loc"][0]).upper() if problem["loc"] else "?"
            message = str(problem["msg"]).removeprefix("Value error, ")
            lines.append(f"{name}: {message}")
        raise SettingsError("Wrong setting: " + "; ".join(lines)) from None

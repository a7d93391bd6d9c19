"""Logging set-up that never lets the bot token through, whatever the message or traceback says."""

from __future__ import annotations

import logging
import sys

REDACTED = "<BOT_TOKEN>"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str) -> None:
        super().__init__(fmt)
        # The token's secret half is redacted too: it may appear alone in a URL or a repr.
        parts = {s for s in secrets if s}
        parts |= {s.split(":", 1)[1] for s in secrets if ":" in s and len(s.split(":", 1)[1]) > 8}
        self._secrets = sorted(parts, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


def setup_logging(level: str, secrets: list[str]) -> RedactingFormatter:
    formatter = RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Alembic announces its plugins at INFO on every start; only its migrations are news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return formatter

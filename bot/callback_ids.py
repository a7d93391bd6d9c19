"""Bounded integer fields for callback data: a forged button is refused like a stale one.

Callback data comes back from the client, so anyone can send any text in it. An id above
the database's integer range (32-bit for row ids on PostgreSQL, 64-bit for Telegram ids
and in SQLite) made the driver raise OverflowError or DataError and the user got an
apology. With these types the value fails validation when the data is unpacked, the
CallbackData filter does not match, and the press reaches the "no longer active" answer
(`handlers/fallback.py`) like any button of a finished dialog.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# `Integer` primary keys: 32-bit signed on PostgreSQL. 0 is the "none" some buttons carry.
RowId = Annotated[int, Field(ge=0, le=2**31 - 1)]
# Telegram user and chat ids (`BigInteger` columns).
TelegramId = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
# Small counts and indexes (days, a field's position); -1 means "none".
SmallInt = Annotated[int, Field(ge=-1, le=100_000)]

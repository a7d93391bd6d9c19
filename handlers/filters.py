"""Filters shared by the dialogs."""

from __future__ import annotations

from aiogram import F

# Commands are not answers: typed in the middle of a dialog, a command reaches its own
# router and the dialog waits where it was.
NOT_A_COMMAND = ~F.text.startswith("/")

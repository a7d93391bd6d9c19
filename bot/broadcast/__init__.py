"""Broadcast notices: the audience, the content, the worker that delivers them, the reports.

Other features send through it with `enqueue_notice` (storage.repositories.broadcasts):
store the notice and its recipients in the caller's session, commit, and a worker of any
bot process delivers it within Telegram's limits.
"""

from __future__ import annotations

from storage.repositories.broadcasts import enqueue_notice

__all__ = ["enqueue_notice"]

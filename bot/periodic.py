"""A check that runs every few seconds in the background, for as long as the bot runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

log = logging.getLogger(__name__)


class PeriodicCheck:
    """Calls `run_once` every `every` seconds between `start()` and `stop()`."""

    name = "periodic-check"
    every: float

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> Any:
        raise NotImplementedError

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a bad check must not end the checks for good
                log.exception("%s failed", self.name)
            await asyncio.sleep(self.every)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

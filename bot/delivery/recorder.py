"""The outcome recorder: writes what the sends did, in batches, and never drops a write.

Whatever finished while the previous write ran goes in the next one (group commit). A write
that fails (a locked database, a dropped connection) is tried again at once, with a short
backoff, not when the next outcome happens to arrive: a row whose outcome is not written
before its lease runs out would be sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import Metrics
from storage import outbox
from storage.models import DeliveryStatus

logger = logging.getLogger(__name__)

# Outcomes wait at most this long for the next write, so that a fast fan-out writes them in
# batches; it bounds what a crash can double.
RECORD_EVERY = 0.02
# Retries of a failed write: 0.05, 0.1, 0.2 … 2 s, well inside any lease.
FIRST_RETRY = 0.05
LONGEST_RETRY = 2.0


class OutcomeRecorder:
    """Writes delivery outcomes (dicts for `outbox.record`) as they come."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], metrics: Metrics | None = None
    ) -> None:
        self.sessions = sessions
        self.metrics = metrics
        self.failures = 0
        self._rows: list[dict[str, Any]] = []
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()
        self._written = asyncio.Event()
        self._written.set()
        self._failed = asyncio.Event()

    def add(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        self._written.clear()
        self._ready.set()

    async def run(self) -> None:
        """Write outcomes until cancelled."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            await self._write_until_done()
            await asyncio.sleep(RECORD_EVERY)

    async def _write_until_done(self) -> None:
        delay = FIRST_RETRY
        while True:
            try:
                await self.flush()
                return
            except Exception:
                self.failures += 1
                self._failed.set()
                logger.exception("recording delivery outcomes failed; again in %.2f s", delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, LONGEST_RETRY)

    async def flush(self) -> None:
        async with self._lock:
            rows, self._rows = self._rows, []
            if rows:
                try:
                    async with self.sessions.begin() as session:
                        await outbox.record(session, rows)
                except BaseException:
                    # Kept for the next write: dropping them would send those messages again.
                    self._rows[:0] = rows
                    raise
                self._count(rows)
            if not self._rows:
                self._written.set()

    def _count(self, rows: list[dict[str, Any]]) -> None:
        """Count the outcomes written: a row written pending is a send to try again."""
        if self.metrics is None:
            return
        for status, count in Counter(DeliveryStatus(row["status"]) for row in rows).items():
            outcome = "retried" if status is DeliveryStatus.PENDING else status.value
            self.metrics.delivered(outcome, count)

    async def written(self) -> None:
        """Wait until every outcome added so far is in the database."""
        await self._written.wait()

    async def a_write_failed(self) -> None:
        """Wait until a write has failed at least once."""
        await self._failed.wait()

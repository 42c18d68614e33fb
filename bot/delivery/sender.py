"""The sender: drains the outbox at Telegram's pace, sends the digests that are due.

One outbox for channels and people. Rows are leased (so several processes can share the
work), sent within the limits of `Pacer` by the instant sender (bot/delivery/instant.py) and
the digest sender (bot/delivery/digests.py), and their outcomes are written by the recorder
(bot/delivery/recorder.py). A crash therefore repeats at most the messages in flight: sent,
but not yet recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.digests import DigestSender
from bot.delivery.instant import InstantSender
from bot.delivery.outlets import ChannelLost, Publisher, Recipient, SenderSettings
from bot.delivery.pacing import Limits, Pacer
from bot.delivery.recorder import OutcomeRecorder
from bot.metrics import Metrics
from bot.news.formatter import PostStyle
from storage import outbox

__all__ = ["Publisher", "Recipient", "Sender", "SenderSettings"]

logger = logging.getLogger(__name__)

# On shutdown, how long the sends in flight may take to finish and be recorded.
SETTLE_SECONDS = 10.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Sender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        style: PostStyle,
        *,
        limits: Limits | None = None,
        settings: SenderSettings | None = None,
        clock: Callable[[], datetime] = _utcnow,
        pacer: Pacer | None = None,
        channel_lost: ChannelLost | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings or SenderSettings()
        self.clock = clock
        # One pacer per token in the process: the handlers' replies share it (PacedRateLimiter).
        self.pacer = pacer or Pacer(limits or Limits(), asyncio.get_running_loop().time)
        self.recorder = OutcomeRecorder(sessions, metrics)
        # Set while this process may send: always, alone on a database; while it is the
        # elected sender, with several (bot/roles.py). Cleared, no new send starts.
        self._sending = asyncio.Event()
        self._sending.set()
        self.instant = InstantSender(
            sessions, publisher, style, self.pacer, self.recorder, self.settings, clock,
            channel_lost=channel_lost, wake=self.wake, active=self._sending.is_set,
            metrics=metrics,
        )  # fmt: skip
        self.digests = DigestSender(
            sessions, publisher, style, self.pacer, self.settings, clock,
            channel_lost=channel_lost, active=self._sending.is_set, metrics=metrics,
        )  # fmt: skip
        self._wake = asyncio.Event()
        self._between_rounds = asyncio.Event()  # set while no round is leasing or starting
        self._between_rounds.set()
        self._next_digest_check = datetime.min.replace(tzinfo=UTC)

    @property
    def sending(self) -> bool:
        return self._sending.is_set()

    def pause(self) -> None:
        """Start no send from now on (this process is no longer the sender); the sends in
        flight finish and are recorded."""
        self._sending.clear()

    def resume(self) -> None:
        """Send again (this process was elected the sender)."""
        self._sending.set()
        self.wake()

    def wake(self) -> None:
        """New deliveries were planned: look at the outbox now."""
        self._wake.set()

    async def run(self) -> None:
        """Drain the outbox until cancelled; then let the sends in flight finish and record."""
        recorder = asyncio.create_task(self.recorder.run())
        try:
            while True:
                await self._sending.wait()
                self._between_rounds.clear()
                try:
                    # Not waiting for a batch's last sends: the next lease overlaps them.
                    sent = await self.instant.drain_once()
                    if self.clock() >= self._next_digest_check:
                        self._next_digest_check = self.clock() + self.settings.digest_check
                        sent += await self.send_digests()
                except Exception:
                    logger.exception("sender round failed; retrying shortly")
                    sent = 0
                finally:
                    self._between_rounds.set()
                if sent == 0:
                    await self._idle()
        finally:
            # The sends in flight finish and are recorded before the recorder stops, so that a
            # graceful stop doubles nothing.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.settle(), SETTLE_SECONDS)
            recorder.cancel()

    async def drain_once(self, *, settle: bool = True) -> int:
        """Send what is due now, within the limits; return how many rows were attempted.

        With `settle`, return only once those sends are done and recorded.
        """
        attempted = await self.instant.drain_once()
        if settle:
            await self.settle()
        return attempted

    async def send_digests(self) -> int:
        sent = await self.digests.send_due()
        if self.digests.more_waiting:
            self._next_digest_check = self.clock()  # the rest in the next round
        return sent

    async def stand_down(self) -> None:
        """Stop sending and wait until nothing of this process's is in flight: the round
        under way gives its rows back, the sends started finish, every outcome is written.
        After it, this process's leases can be ended (bot/roles.py) without doubling."""
        self.pause()
        async with asyncio.timeout(SETTLE_SECONDS):
            await self._between_rounds.wait()
            await self.settle()

    async def settle(self) -> None:
        """Wait for the sends in flight, and record every outcome."""
        await self.instant.settle()
        await self.recorder.flush()

    async def _idle(self) -> None:
        async with self.sessions() as session:
            due = await outbox.next_due_at(session)
        wait = self.settings.idle_seconds
        if due is not None:
            wait = min(wait, max(0.05, (due - self.clock()).total_seconds()))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)

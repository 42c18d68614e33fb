"""Roles on one database: every process polls, one is the sender (DESIGN §7).

Telegram's limits are per token, so one process at a time sends for it: the one holding a
PostgreSQL advisory lock, taken on a connection of its own. When that process dies or loses its
connection, PostgreSQL drops the lock and another process takes it within a second or two.
Before the new sender starts, it waits out the time the old one needs to notice that it lost
(`TAKEOVER_GRACE`), then ends the old one's leases: what the old one sent but did not record
is sent again, nothing else. On SQLite one process owns the database and is the sender.

Every process also writes a heartbeat row (storage/processes.py) every HEARTBEAT_SECONDS. From
the live count the sender leaves REPLY_HEADROOM_PER_SECOND of the global rate to the other
processes, whose replies to commands keep to an equal share of that room.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from storage import outbox, processes
from storage.models import utcnow

logger = logging.getLogger(__name__)

# How often a process tries to become the sender, and the sender checks its lock's connection.
ELECTION_SECONDS = 1.0
# A check of the lock's connection that takes longer than this counts as a lost connection:
# the connection is dropped, and PostgreSQL frees the lock with it.
CHECK_TIMEOUT = 2.0
# A new sender starts this long after it took the lock: by then a sender that lost its
# connection has noticed (its next check fails within ELECTION_SECONDS + CHECK_TIMEOUT), and
# starts no more sends. One second of margin against a slow event loop.
TAKEOVER_GRACE = ELECTION_SECONDS + CHECK_TIMEOUT + 1.0
# A process silent for this many heartbeats is not counted; for ten, its row is deleted.
LIVE_BEATS = 3
FORGET_BEATS = 10
# Writes on the way out (the last beat, the row's deletion) give up after this: a database
# that does not answer must not hold a stopping process past its stop timeout.
GOODBYE_SECONDS = 2.0

Listener = Callable[[bool], Awaitable[None]]


def sender_lock_key(bot_id: int) -> int:
    """The advisory lock of the token's sender: a signed 64-bit key of ours and the bot's."""
    digest = hashlib.blake2b(f"nashra-sender:{bot_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Roles:
    """This process among those on the database: whether it is the sender, how many live."""

    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        *,
        bot_id: int,
        heartbeat_seconds: float,
        clock: Callable[[], datetime] = utcnow,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.engine = engine
        # Stops this process's sending and waits for its sends in flight and their outcomes:
        # before its leases are ended with the others' (it may have been the sender until a
        # moment ago), and before it gives the lock up or says it is no longer the sender.
        self.settle = settle
        self.sessions = sessions
        self.key = sender_lock_key(bot_id)
        self.heartbeat = timedelta(seconds=heartbeat_seconds)
        self.clock = clock
        self.process_id = uuid.uuid4().hex
        self.started_at = clock()
        self.shared = engine.dialect.name == "postgresql"  # several processes may run
        self.is_sender = False
        self.live = 1  # processes heard from lately, this one included
        self.elected_at: datetime | None = None
        self._listeners: list[Listener] = []
        self._on_live: list[Callable[[int], None]] = []
        self._lock_connection: AsyncConnection | None = None
        self._holds_lock = False
        self._tasks: list[asyncio.Task[None]] = []

    def on_change(self, listener: Listener) -> None:
        """Call `listener(True)` when this process becomes the sender, `(False)` when not."""
        self._listeners.append(listener)

    def on_live(self, listener: Callable[[int], None]) -> None:
        """Call `listener(count)` after each heartbeat, with the live processes."""
        self._on_live.append(listener)

    async def start(self) -> None:
        """Beat once, then elect (at once on SQLite) and keep beating, in the background."""
        await self._beat()
        if not self.shared:
            await self._become_sender()
        else:
            # The first try now, so that a process alone on the database sends at once; a
            # takeover that must wait for the last sender waits in the background.
            with contextlib.suppress(Exception):
                await self._elect_once(waiting=False)
            self._tasks.append(asyncio.create_task(self._elect(), name="nashra-election"))
        self._tasks.append(asyncio.create_task(self._keep_beating(), name="nashra-heartbeat"))

    async def close(self) -> None:
        """Stop: give the lock up (another process takes over at once) and the row."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.is_sender:
            await self._set_sender(False)
        await self._drop_lock_connection()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(GOODBYE_SECONDS), self.sessions.begin() as session:
                await processes.forget(session, self.process_id)

    # ------------------------------------------------------------------ the election

    async def _elect(self) -> None:
        while True:
            try:
                await self._elect_once()
            except Exception:
                logger.exception("the sender election failed; trying again")
            await asyncio.sleep(ELECTION_SECONDS)

    async def _elect_once(self, *, waiting: bool = True) -> None:
        try:
            held = await asyncio.wait_for(self._hold_lock(), CHECK_TIMEOUT)
        except (Exception, TimeoutError) as exc:
            logger.warning("the sender lock's connection failed: %r", exc)
            held = False
            await self._drop_lock_connection()
        if held and not self.is_sender:
            await self._take_over(waiting=waiting)
        elif not held and self.is_sender:
            logger.warning("this process lost the sender lock; it stops sending")
            await self._set_sender(False)

    async def _hold_lock(self) -> bool:
        """Whether this process holds the sender lock now: taken if free, checked if held."""
        if self._lock_connection is None:
            connection = await self.engine.connect()
            self._lock_connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            self._holds_lock = False
            # A host that vanishes (power, a network cut) leaves no socket to close: the
            # server finds the connection dead in seconds, not after the kernel's two hours,
            # and frees the lock.
            await processes.keep_alive(self._lock_connection)
        if self._holds_lock:
            await processes.ping(self._lock_connection)
        else:
            self._holds_lock = await processes.try_lock(self._lock_connection, self.key)
        return self._holds_lock

    async def _take_over(self, *, waiting: bool) -> None:
        if await self._other_sender_seen():
            if not waiting:
                return  # the next round of the election takes over, after the grace
            # The last sender may still be finishing its round: it stops at its next check.
            logger.info("took the sender lock; sending in %.0f s", TAKEOVER_GRACE)
            await asyncio.sleep(TAKEOVER_GRACE)
            # Still ours after the wait? (The connection may have gone meanwhile.)
            if not await asyncio.wait_for(self._hold_lock(), CHECK_TIMEOUT):
                return
        await self._become_sender()

    async def _other_sender_seen(self) -> bool:
        """Whether another process said lately that it was the sender."""
        async with self.sessions() as session:
            alive = await processes.live(session, self.clock() - LIVE_BEATS * self.heartbeat)
        return any(r.role == processes.SENDER and r.id != self.process_id for r in alive)

    async def _become_sender(self) -> None:
        if self.settle is not None:
            await self.settle()
        async with self.sessions.begin() as session:
            released = await outbox.release_leases(session, self.clock())
        if released:
            logger.info("took over %d deliveries leased by the previous sender", released)
        await self._set_sender(True)

    async def _set_sender(self, sender: bool) -> None:
        self.is_sender = sender
        self.elected_at = self.clock() if sender else None
        logger.info("this process is %s", "the sender" if sender else "not the sender")
        for listener in self._listeners:
            try:
                await listener(sender)
            except Exception:
                logger.exception("a listener of the sender election failed")
        if not sender and self.settle is not None:
            # Its sends finish and are recorded while its row still says sender: a successor
            # that sees the row waits before it ends the leases.
            try:
                await self.settle()
            except (Exception, TimeoutError):
                logger.exception("the sends in flight did not settle")
        with contextlib.suppress(Exception, TimeoutError):
            async with asyncio.timeout(GOODBYE_SECONDS):
                await self._beat()  # the others see the new role at once

    async def _drop_lock_connection(self) -> None:
        connection, self._lock_connection = self._lock_connection, None
        self._holds_lock = False
        if connection is not None:
            # Invalidated, not returned to the pool: closing the socket is what frees the lock
            # in PostgreSQL, whatever state the connection was in.
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()

    # ------------------------------------------------------------------ the heartbeat

    async def _keep_beating(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat.total_seconds())
            try:
                await self._beat()
            except Exception:
                logger.exception("the heartbeat failed; trying again")

    async def _beat(self) -> None:
        now = self.clock()
        async with self.sessions.begin() as session:
            await processes.beat(
                session,
                self.process_id,
                host=socket.gethostname(),
                pid=os.getpid(),
                role=processes.SENDER if self.is_sender else processes.WORKER,
                started_at=self.started_at,
                now=now,
            )
            await processes.forget_silent(session, now - FORGET_BEATS * self.heartbeat)
            alive = await processes.live(session, now - LIVE_BEATS * self.heartbeat)
        self.live = max(1, len(alive))
        for listener in self._on_live:
            listener(self.live)

    async def sender_elected(self) -> bool:
        """Whether some process is the sender (this one, or a live one with that role)."""
        return self.is_sender or await self._other_sender_seen()


def share_of_rate(*, sender: bool, live: int, rate: float, headroom: float) -> float:
    """The global rate one process paces itself to: the sender all of it when alone, all but
    the headroom with others live; each other process an equal share of the headroom."""
    others = max(0, live - 1)
    if sender:
        return rate - headroom if others else rate
    return headroom / max(1, others)

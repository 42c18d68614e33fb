"""The sender: drains the outbox at Telegram's pace and records every outcome.

One outbox for channels and people. Rows are leased (so several processes can share the
work), sent within the limits of `Pacer`, and their outcomes are written by a recorder that
commits whatever finished while its previous write ran (group commit). A crash therefore
repeats at most the messages in flight: sent, but not yet recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.pacing import Limits, Pacer
from bot.errors import DeliveryError, SendOutcome
from bot.news.digest import DigestItem, digest_due, format_digest
from bot.news.formatter import Post, PostSource, PostStyle, format_post
from storage import catalog, outbox, readers
from storage.articles import articles_by_ids
from storage.models import Article, Chat, ChatKind, DeliveryStatus

logger = logging.getLogger(__name__)


class Publisher(Protocol):
    async def send(self, chat_id: int, post: Post, *, silent: bool = False) -> int: ...

    async def send_text(self, chat_id: int, html: str, *, silent: bool = False) -> int: ...


@dataclass(frozen=True)
class SenderSettings:
    batch: int = 500
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    first_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(hours=1)
    concurrency: int = 32
    idle_seconds: float = 5.0  # longest sleep when the outbox is empty
    digest_check: timedelta = timedelta(seconds=30)

    @classmethod
    def for_rate(cls, rate: float, lease: timedelta) -> SenderSettings:
        """Settings that let a sender reach `rate` messages per second."""
        return cls(
            # A batch must be sent well within its lease, or another process could take it.
            batch=max(10, min(500, int(rate * lease.total_seconds() / 2))),
            lease=lease,
            # Sends in flight: the rate times Telegram's answer time (up to about 200 ms).
            concurrency=max(32, min(256, int(rate / 5))),
        )


@dataclass(frozen=True)
class Recipient:
    """What sending needs to know of a chat."""

    kind: ChatKind
    zone: ZoneInfo
    quiet_start: int | None
    quiet_end: int | None

    def quiet(self, now: datetime) -> bool:
        """Inside the reader's quiet hours (minutes after local midnight; may wrap)."""
        if self.quiet_start is None or self.quiet_end is None:
            return False
        local = now.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= minute < self.quiet_end
        return minute >= self.quiet_start or minute < self.quiet_end


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    article_id: int
    chat_id: int
    recipient: Recipient
    attempts: int


def _utcnow() -> datetime:
    return datetime.now(UTC)


def post_source(article: Article) -> PostSource:
    return PostSource(
        headline=article.headline,
        original_title=article.original_title,
        text=article.text,
        summary=article.summary,
        link=article.link or article.canonical_link or "",
        source_domain=article.source_domain,
        fetched_at=article.fetched_at,
        categories=[category.name for category in article.categories],
    )


# Outcomes wait at most this long for the next write, so that a fast fan-out writes them in
# batches; it bounds what a crash can double (see the module docstring).
RECORD_EVERY = 0.02
DIGESTS_PER_ROUND = 20
# On shutdown, how long the sends in flight may take to finish and be recorded.
SETTLE_SECONDS = 10.0


class _Recorder:
    """Writes delivery outcomes in batches: whatever finished while the last write ran."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._rows: list[dict[str, Any]] = []
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()

    def add(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        self._ready.set()

    async def run(self) -> None:
        """Write outcomes as they come: each write takes what finished since the last one."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            try:
                await self.flush()
            except Exception:
                logger.exception("recording delivery outcomes failed; trying again")
            await asyncio.sleep(RECORD_EVERY)

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
    ) -> None:
        self.sessions = sessions
        self.publisher = publisher
        self.style = style
        self.settings = settings or SenderSettings()
        self.clock = clock
        self.pacer = Pacer(limits or Limits(), asyncio.get_running_loop().time)
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self._recorder = _Recorder(sessions)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._next_digest_check = datetime.min.replace(tzinfo=UTC)

    def wake(self) -> None:
        """New deliveries were planned: look at the outbox now."""
        self._wake.set()

    async def run(self) -> None:
        """Drain the outbox until cancelled; then let the sends in flight finish and record."""
        recorder = asyncio.create_task(self._recorder.run())
        try:
            while True:
                try:
                    # Not waiting for a batch's last sends: the next lease overlaps them.
                    sent = await self.drain_once(settle=False)
                    if self.clock() >= self._next_digest_check:
                        self._next_digest_check = self.clock() + self.settings.digest_check
                        sent += await self.send_digests()
                except Exception:
                    logger.exception("sender round failed; retrying shortly")
                    sent = 0
                if sent == 0:
                    await self._idle()
        finally:
            # The sends in flight finish and are recorded before the recorder stops, so that a
            # graceful stop doubles nothing.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.settle(), SETTLE_SECONDS)
            recorder.cancel()

    async def settle(self) -> None:
        """Wait for the sends in flight, and record every outcome."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self._recorder.flush()

    async def _idle(self) -> None:
        async with self.sessions() as session:
            due = await outbox.next_due_at(session)
        wait = self.settings.idle_seconds
        if due is not None:
            wait = min(wait, max(0.05, (due - self.clock()).total_seconds()))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)

    # ----------------------------------------------------------------- instant deliveries

    async def drain_once(self, *, settle: bool = True) -> int:
        """Send what is due now, within the limits; return how many rows were attempted.

        With `settle`, return only once those sends are done and recorded.
        """
        jobs = await self._lease()
        if not jobs:
            return 0
        posts = await self._posts({job.article_id for job in jobs})
        postponed: dict[int, datetime] = {}
        queued: dict[int, int] = {}
        attempted = 0
        for job in jobs:
            wait = self.pacer.chat_ready_in(job.chat_id)
            if wait > 0:
                # Not this chat's turn yet: give the row back for when it will be.
                turn = queued.get(job.chat_id, 0)
                queued[job.chat_id] = turn + 1
                delay = wait + turn * self.pacer.interval(job.recipient.kind)
                postponed[job.delivery_id] = self.clock() + timedelta(seconds=delay)
                continue
            await asyncio.sleep(self.pacer.global_ready_in())
            if self.pacer.chat_ready_in(job.chat_id) > 0:  # a 429 moved things on
                postponed[job.delivery_id] = self.clock()
                continue
            self.pacer.take(job.chat_id, job.recipient.kind)
            await self._slots.acquire()
            task = asyncio.create_task(self._deliver(job, posts.get(job.article_id)))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            attempted += 1
        if settle:
            await self.settle()
        if postponed:
            async with self.sessions.begin() as session:
                for delivery_id, when in postponed.items():
                    await outbox.reschedule(session, [delivery_id], when)
        self.pacer.forget(self.pacer.clock() - 60)
        return attempted

    async def _lease(self) -> list[_Job]:
        async with self.sessions.begin() as session:
            rows = await outbox.lease_due(
                session, self.clock(), limit=self.settings.batch, lease=self.settings.lease
            )
            recipients = await self._recipients(session, {row.chat_id for row in rows})
            jobs = []
            for row in rows:
                recipient = recipients.get(row.chat_id)
                if recipient is None:  # the chat was deactivated after planning
                    row.status = DeliveryStatus.DROPPED
                    row.last_error = "chat is inactive"
                    continue
                jobs.append(_Job(row.id, row.article_id, row.chat_id, recipient, row.attempts))
            return jobs

    async def _recipients(self, session: AsyncSession, ids: set[int]) -> dict[int, Recipient]:
        chats = await catalog.active_chats(session, ids)
        return {chat.id: self._recipient(chat) for chat in chats}

    def _recipient(self, chat: Chat) -> Recipient:
        zone = ZoneInfo(chat.timezone) if chat.timezone else self.style.timezone
        return Recipient(chat.kind, zone, chat.quiet_start, chat.quiet_end)

    async def _posts(self, article_ids: set[int]) -> dict[int, Post]:
        async with self.sessions() as session:
            articles = await articles_by_ids(session, article_ids)
        return {aid: format_post(post_source(a), self.style) for aid, a in articles.items()}

    async def _deliver(self, job: _Job, post: Post | None) -> None:
        try:
            if post is None:
                self._record(job, DeliveryStatus.DROPPED, error="article was deleted")
                return
            silent = job.recipient.quiet(self.clock())
            try:
                message_id = await self.publisher.send(job.chat_id, post, silent=silent)
            except DeliveryError as exc:
                await self._failed(job, exc, post.text)
            else:
                self._record(job, DeliveryStatus.SENT, message_id=message_id)
        except Exception:
            # A failure here must not take the other sends down; the lease brings the row back.
            logger.exception("delivery %s failed unexpectedly", job.delivery_id)
        finally:
            self._slots.release()

    def _record(
        self,
        job: _Job,
        status: DeliveryStatus,
        *,
        message_id: int | None = None,
        error: str | None = None,
        attempts: int | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        now = self.clock()
        self._recorder.add(
            {
                "delivery_id": job.delivery_id,
                "status": status,
                "last_error": error,
                "message_id": message_id,
                "sent_at": now if status is DeliveryStatus.SENT else None,
                "attempts": job.attempts if attempts is None else attempts,
                "next_attempt_at": next_attempt_at or now,
            }
        )

    async def _failed(self, job: _Job, error: DeliveryError, text: str) -> None:
        now = self.clock()
        reason = str(error)
        if error.outcome is SendOutcome.RATE_LIMITED:
            seconds = error.retry_after or 1.0
            self.pacer.pause(seconds)
            logger.warning("Telegram rate limit: pausing all sends for %.1f s", seconds)
            self._record(
                job, DeliveryStatus.PENDING, error=reason,
                next_attempt_at=now + timedelta(seconds=seconds),
            )  # fmt: skip
        elif error.outcome is SendOutcome.CHAT_GONE:
            async with self.sessions.begin() as session:
                await catalog.deactivate_chat(session, job.chat_id, reason)
            logger.warning("chat %s deactivated: %s", job.chat_id, reason)
        elif error.outcome is SendOutcome.MIGRATED and error.new_chat_id is not None:
            async with self.sessions.begin() as session:
                await catalog.migrate_chat(session, job.chat_id, error.new_chat_id)
                await outbox.reschedule(session, [job.delivery_id], now)
            logger.info("chat %s moved to %s", job.chat_id, error.new_chat_id)
            self.wake()
        elif error.outcome is SendOutcome.REJECTED:
            # A malformed message is our bug: keep what was sent so it can be fixed.
            logger.error("Telegram rejected delivery %s: %s", job.delivery_id, reason)
            self._record(
                job, DeliveryStatus.FAILED, error=f"{reason}\n---\n{text}",
                attempts=job.attempts + 1,
            )  # fmt: skip
        else:
            attempts = job.attempts + 1
            if attempts >= self.settings.max_attempts:
                logger.error("delivery %s gave up after %d attempts", job.delivery_id, attempts)
                self._record(job, DeliveryStatus.DEAD, error=reason, attempts=attempts)
                return
            backoff = min(
                self.settings.first_backoff * 2 ** (attempts - 1), self.settings.max_backoff
            )
            self._record(
                job, DeliveryStatus.PENDING, error=reason, attempts=attempts,
                next_attempt_at=now + backoff,
            )  # fmt: skip

    # ----------------------------------------------------------------- digests

    async def send_digests(self) -> int:
        """Send the digests that are due, a few per round so that instant sends go on between
        them; return how many messages went."""
        now = self.clock()
        async with self.sessions() as session:
            waiting = await readers.digests_waiting(session)
        due = [
            chat
            for chat in waiting
            if digest_due(
                chat.delivery_mode.value, now=now, last=chat.last_digest_at,
                digest_hour=chat.digest_hour, zone=self._recipient(chat).zone,
            )
        ]  # fmt: skip
        if len(due) > DIGESTS_PER_ROUND:
            self._next_digest_check = now  # the rest in the next round
        sent = 0
        for chat in due[:DIGESTS_PER_ROUND]:
            sent += await self._send_digest(chat, now)
        return sent

    async def _send_digest(self, chat: Chat, now: datetime) -> int:
        """One reader's digest. It is claimed first (one sender sends it); each part's rows are
        recorded as it goes, so a failure never sends a part twice, and what a failed part
        listed waits for the next digest."""
        async with self.sessions.begin() as session:
            if not await readers.claim_digest(session, chat.id, chat.last_digest_at, now):
                return 0
            held = await readers.held_deliveries(session, chat.id)
            articles = await articles_by_ids(session, (article for _, article in held))
        listed = [(d, a) for d, article_id in held if (a := articles.get(article_id)) is not None]
        items = [
            DigestItem(a.headline, a.link or "", a.source_domain, [c.name for c in a.categories])
            for _, a in listed
        ]
        parts = format_digest(items, chat.delivery_mode.value, chat.language)
        recipient = self._recipient(chat)
        sent = 0
        for part in parts:
            rows = [listed[index][0] for index in part.items]
            pause = max(self.pacer.global_ready_in(), self.pacer.chat_ready_in(chat.id))
            await asyncio.sleep(pause)
            self.pacer.take(chat.id, ChatKind.PRIVATE)
            try:
                message_id = await self.publisher.send_text(
                    chat.id, part.text, silent=recipient.quiet(now)
                )
            except DeliveryError as exc:
                await self._digest_failed(chat, rows, exc, part.text, now, sent)
                return sent
            async with self.sessions.begin() as session:
                await readers.finish_held(
                    session, rows, DeliveryStatus.SENT, now, message_id=message_id
                )
            sent += 1
        return sent

    async def _digest_failed(
        self, chat: Chat, rows: list[int], error: DeliveryError, text: str, now: datetime,
        sent: int,
    ) -> None:  # fmt: skip
        logger.warning("digest for %s stopped: %s", chat.id, error)
        async with self.sessions.begin() as session:
            if error.outcome is SendOutcome.REJECTED:
                # Our bug: keep the text, and never send that part again.
                await readers.finish_held(
                    session, rows, DeliveryStatus.FAILED, now, error=f"{error}\n---\n{text}"
                )
            elif error.outcome is SendOutcome.CHAT_GONE:
                await catalog.deactivate_chat(session, chat.id, str(error))
            elif sent == 0:
                # Nothing went out (429, network): due again at the next check.
                await readers.unclaim_digest(session, chat.id, chat.last_digest_at, now)
        if error.outcome is SendOutcome.RATE_LIMITED:
            self.pacer.pause(error.retry_after or 1.0)

"""The sender: drains the outbox at Telegram's pace and records every outcome.

Each leased row is sent at most once per lease, and its outcome is committed right after the
send, so a crash repeats at most the messages that were in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.pacing import Limits, Pacer
from bot.errors import DeliveryError, SendOutcome
from bot.news.formatter import Post, PostSource, PostStyle, format_post
from storage import catalog, outbox
from storage.articles import articles_by_ids
from storage.models import Article, Chat, ChatKind, Delivery, DeliveryStatus

logger = logging.getLogger(__name__)


class Publisher(Protocol):
    async def send(self, chat_id: int, post: Post, *, silent: bool = False) -> int: ...


@dataclass(frozen=True)
class SenderSettings:
    batch: int = 200
    lease: timedelta = timedelta(minutes=2)
    max_attempts: int = 8
    first_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(hours=1)
    concurrency: int = 16
    idle_seconds: float = 5.0  # longest sleep when the outbox is empty


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    article_id: int
    chat_id: int
    kind: ChatKind
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

    def wake(self) -> None:
        """New deliveries were planned: look at the outbox now."""
        self._wake.set()

    async def run(self) -> None:
        """Drain the outbox until cancelled."""
        while True:
            try:
                sent = await self.drain_once()
            except Exception:
                logger.exception("sender round failed; retrying shortly")
                sent = 0
            if sent == 0:
                await self._idle()

    async def _idle(self) -> None:
        async with self.sessions() as session:
            due = await outbox.next_due_at(session)
        wait = self.settings.idle_seconds
        if due is not None:
            wait = min(wait, max(0.05, (due - self.clock()).total_seconds()))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)

    async def drain_once(self) -> int:
        """Send what is due now, within the limits; return how many rows were attempted."""
        jobs = await self._lease()
        if not jobs:
            return 0
        posts = await self._posts({job.article_id for job in jobs})
        postponed: dict[int, datetime] = {}
        queued: dict[int, int] = {}
        attempted = 0
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                wait = self.pacer.chat_ready_in(job.chat_id)
                if wait > 0:
                    # Not this chat's turn yet: give the row back for when it will be.
                    turn = queued.get(job.chat_id, 0)
                    queued[job.chat_id] = turn + 1
                    interval = self._interval(job.kind)
                    postponed[job.delivery_id] = self.clock() + timedelta(
                        seconds=wait + turn * interval
                    )
                    continue
                await asyncio.sleep(self.pacer.global_ready_in())
                if self.pacer.chat_ready_in(job.chat_id) > 0:  # a 429 moved things on
                    postponed[job.delivery_id] = self.clock()
                    continue
                self.pacer.take(job.chat_id, job.kind)
                await self._slots.acquire()
                group.create_task(self._deliver(job, posts.get(job.article_id)))
                attempted += 1
        if postponed:
            async with self.sessions.begin() as session:
                for delivery_id, when in postponed.items():
                    await outbox.reschedule(session, [delivery_id], when)
        self.pacer.forget(self.pacer.clock() - 60)
        return attempted

    def _interval(self, kind: ChatKind) -> float:
        limits = self.pacer.limits
        return limits.private_interval if kind is ChatKind.PRIVATE else limits.group_interval

    async def _lease(self) -> list[_Job]:
        async with self.sessions.begin() as session:
            rows = await outbox.lease_due(
                session, self.clock(), limit=self.settings.batch, lease=self.settings.lease
            )
            kinds = await self._chat_kinds(session, {row.chat_id for row in rows})
            jobs = []
            for row in rows:
                kind = kinds.get(row.chat_id)
                if kind is None:  # the chat was deactivated after planning
                    row.status = DeliveryStatus.DROPPED
                    row.last_error = "chat is inactive"
                    continue
                jobs.append(_Job(row.id, row.article_id, row.chat_id, kind, row.attempts))
            return jobs

    @staticmethod
    async def _chat_kinds(session: AsyncSession, ids: set[int]) -> dict[int, ChatKind]:
        if not ids:
            return {}
        query = select(Chat.id, Chat.kind).where(Chat.id.in_(ids), Chat.active.is_(True))
        return {chat_id: kind for chat_id, kind in (await session.execute(query)).all()}

    async def _posts(self, article_ids: set[int]) -> dict[int, Post]:
        async with self.sessions() as session:
            articles = await articles_by_ids(session, article_ids)
        return {aid: format_post(post_source(a), self.style) for aid, a in articles.items()}

    async def _deliver(self, job: _Job, post: Post | None) -> None:
        try:
            if post is None:
                await self._finish(job, DeliveryStatus.DROPPED, error="article was deleted")
                return
            try:
                message_id = await self.publisher.send(job.chat_id, post)
            except DeliveryError as exc:
                await self._failed(job, exc, post)
            else:
                await self._finish(job, DeliveryStatus.SENT, message_id=message_id)
        except Exception:
            # A failure to record must not take the other sends down; the lease brings the
            # row back.
            logger.exception("recording delivery %s failed", job.delivery_id)
        finally:
            self._slots.release()

    async def _finish(
        self,
        job: _Job,
        status: DeliveryStatus,
        *,
        message_id: int | None = None,
        error: str | None = None,
        attempts: int | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status, "last_error": error}
        if message_id is not None:
            values.update(message_id=message_id, sent_at=self.clock())
        if attempts is not None:
            values["attempts"] = attempts
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        async with self.sessions.begin() as session:
            await session.execute(
                update(Delivery).where(Delivery.id == job.delivery_id).values(**values)
            )

    async def _failed(self, job: _Job, error: DeliveryError, post: Post) -> None:
        now = self.clock()
        reason = str(error)
        if error.outcome is SendOutcome.RATE_LIMITED:
            seconds = error.retry_after or 1.0
            self.pacer.pause(seconds)
            logger.warning("Telegram rate limit: pausing all sends for %.1f s", seconds)
            await self._finish(
                job,
                DeliveryStatus.PENDING,
                error=reason,
                next_attempt_at=now + timedelta(seconds=seconds),
            )
        elif error.outcome is SendOutcome.CHAT_GONE:
            async with self.sessions.begin() as session:
                await catalog.deactivate_chat(session, job.chat_id, reason)
            logger.warning("chat %s deactivated: %s", job.chat_id, reason)
        elif error.outcome is SendOutcome.MIGRATED and error.new_chat_id is not None:
            async with self.sessions.begin() as session:
                await catalog.migrate_chat(session, job.chat_id, error.new_chat_id)
                await session.execute(
                    update(Delivery)
                    .where(Delivery.id == job.delivery_id)
                    .values(next_attempt_at=now)
                )
            logger.info("chat %s moved to %s", job.chat_id, error.new_chat_id)
            self.wake()
        elif error.outcome is SendOutcome.REJECTED:
            # A malformed message is our bug: keep what was sent so it can be fixed.
            logger.error("Telegram rejected delivery %s: %s", job.delivery_id, reason)
            await self._finish(
                job,
                DeliveryStatus.FAILED,
                error=f"{reason}\n---\n{post.text}",
                attempts=job.attempts + 1,
            )
        else:
            attempts = job.attempts + 1
            if attempts >= self.settings.max_attempts:
                await self._finish(job, DeliveryStatus.DEAD, error=reason, attempts=attempts)
                logger.error("delivery %s gave up after %d attempts", job.delivery_id, attempts)
                return
            backoff = min(
                self.settings.first_backoff * 2 ** (attempts - 1), self.settings.max_backoff
            )
            await self._finish(
                job,
                DeliveryStatus.PENDING,
                error=reason,
                attempts=attempts,
                next_attempt_at=now + backoff,
            )

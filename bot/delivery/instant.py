"""The instant sender: one message per article (or broadcast) and chat, at Telegram's pace.

A round leases a batch of due rows, formats each article once (one that cannot be formatted
fails its own rows and nothing else), and starts the sends within the limits of the Pacer
while the lease lasts; whatever it cannot start in time it gives back. The first send of an
article is awaited before the others start, so a message Telegram rejects as malformed costs
one send, not one per recipient.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import outlets
from bot.delivery.outlets import ChannelLost, Publisher, Recipient, SenderSettings, retire_chat
from bot.delivery.pacing import Pacer
from bot.delivery.recorder import OutcomeRecorder
from bot.errors import DeliveryError, SendOutcome
from bot.metrics import Metrics
from bot.news.formatter import Post, PostStyle, format_post, post_source
from storage import broadcasts, catalog, outbox, stories
from storage.articles import articles_by_ids
from storage.models import Article, ChatKind, Delivery, DeliveryMode, DeliveryStatus

logger = logging.getLogger(__name__)

PENDING = DeliveryStatus.PENDING

# Articles whose message Telegram has accepted once; bounded, a cache of the recent ones.
PROVEN_KEPT = 10_000
# A global pause longer than this ends the round: the rows go back rather than wait leased.
LONGEST_PAUSE = 2.0  # seconds
# Edits of sent posts (naming a story's other outlets) leased per round, after the sends.
EDITS_PER_ROUND = 50
# An edit that failed for a passing reason is tried again after this; a post whose story has
# left the same-story window is not edited any more.
EDIT_RETRY = timedelta(minutes=5)
EDIT_WINDOW = timedelta(hours=72)
# Telegram's answer to an edit that changes nothing: the post says it already.
NOT_MODIFIED = "message is not modified"

# Telegram unreachable or failing (a network error, a 5xx) on this many sends in a row, none
# accepted between them: an outage, not the messages. Sending pauses (1 s, doubling up to a
# minute, one probe after each pause) and the rows wait without spending their attempts, so
# that an outage of any length loses nothing and sending resumes on its own.
OUTAGE_AFTER = 5
OUTAGE_FIRST_PAUSE = 1.0  # seconds
OUTAGE_LONGEST_PAUSE = 60.0

# What a delivery sends: ("article", id) or ("broadcast", id).
Subject = tuple[str, int]


@dataclass(frozen=True)
class Job:
    """One leased delivery, ready to send."""

    delivery_id: int
    article_id: int | None
    chat_id: int
    recipient: Recipient
    attempts: int
    token: str
    thread_id: int | None = None  # the forum topic it goes to
    broadcast_id: int | None = None
    summary_chars: int | None = None  # its binding's summary length; None: the style's
    # An edit of the sent post `edit_of` (its message id), not a send; as_photo: its caption.
    edit_of: int | None = None
    as_photo: bool = False
    sent_at: datetime | None = None
    leased_at: datetime | None = None  # when the edit was leased

    @property
    def subject(self) -> Subject:
        if self.broadcast_id is not None:
            return ("broadcast", self.broadcast_id)
        assert self.article_id is not None  # the table's check: exactly one is set
        return ("article", self.article_id)


@dataclass
class _Round:
    """One leased batch: its token, its deadline, what it learnt on the way."""

    token: str
    deadline: float  # loop time after which no send of it starts
    posts: dict[tuple[int, int | None], Post]  # (article id, summary length) → its post
    malformed: set[Subject]
    # Chats that refused the bot during the round (403): their rows are dropped with the chat,
    # and none of them is sent, however soon the chat's next turn comes.
    gone: set[int] = field(default_factory=set)
    broadcasts: dict[int, str] = field(default_factory=dict)  # id → its HTML


class InstantSender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        style: PostStyle,
        pacer: Pacer,
        recorder: OutcomeRecorder,
        settings: SenderSettings,
        clock: Callable[[], datetime],
        *,
        channel_lost: ChannelLost | None = None,
        wake: Callable[[], None] = lambda: None,
        active: Callable[[], bool] = lambda: True,
        metrics: Metrics | None = None,
    ) -> None:
        self.sessions = sessions
        self.active = active  # False: this process is no longer the sender
        # Outcomes written by the recorder are counted there; the others here (`_count`).
        self.metrics = metrics
        self.publisher = publisher
        self.style = style
        self.pacer = pacer
        self.recorder = recorder
        self.settings = settings
        self.clock = clock
        self.channel_lost = channel_lost
        self.wake = wake
        self.in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._proven: set[Subject] = set()
        self.failing = 0  # sends in a row that found Telegram unreachable or failing
        # Pauses of the outage so far (each failed probe doubles the next), and the loop time
        # the current one ends: the sends of one burst failing together count one step.
        self.outage_steps = 0
        self._outage_ends = 0.0

    async def drain_once(self) -> int:
        """Start the sends of what is due now, within the limits; return how many started."""
        if not self.active():
            return 0
        loop_now = self.pacer.clock()
        token = uuid.uuid4().hex
        jobs = await self._lease(token)
        jobs += await self._lease_edits(token)
        if not jobs:
            return 0
        deadline = loop_now + self.settings.sending_window
        batch = _Round(token, deadline, {}, set())
        await self._format(
            batch, {(j.article_id, j.summary_chars) for j in jobs if j.article_id is not None}
        )
        await self._broadcasts(batch, {j.broadcast_id for j in jobs if j.broadcast_id is not None})
        return await self._send_all(batch, jobs)

    async def _send_all(self, batch: _Round, jobs: list[Job]) -> int:
        postponed: dict[int, datetime] = {}
        queued: dict[int, int] = {}
        attempted = 0
        abandoned: list[int] = []  # edits of a post that cannot be formatted or reached
        for index, job in enumerate(jobs):
            if job.subject in batch.malformed or job.chat_id in batch.gone:
                # Failed with its article (or broadcast), or dropped with its chat.
                if job.edit_of is not None:
                    abandoned.append(job.delivery_id)
                continue
            wait = self.pacer.chat_ready_in(job.chat_id)
            if wait > 0:
                # Not this chat's turn yet: give the row back for when it will be.
                turn = queued.get(job.chat_id, 0)
                queued[job.chat_id] = turn + 1
                delay = wait + turn * self.pacer.interval(job.recipient.kind)
                postponed[job.delivery_id] = self.clock() + timedelta(seconds=delay)
                continue
            pause = self.pacer.global_ready_in()
            if not self.active():
                # Deposed (another process is the sender now): the rest goes back at once.
                self._give_back_rest(jobs[index:], postponed, 0.0)
                break
            if pause > LONGEST_PAUSE or self.pacer.clock() + pause >= batch.deadline:
                # A long 429, or a lease about to run out (another sender may take these rows
                # soon): the rest goes back to the outbox, due when sending may go on.
                self._give_back_rest(jobs[index:], postponed, pause)
                break
            started = await self._start(batch, job)
            if started is None:  # the lease ran out while waiting for a slot
                self._give_back_rest(jobs[index:], postponed, self.pacer.global_ready_in())
                break
            if not started:  # a 429 moved this chat's turn on
                postponed[job.delivery_id] = self.clock()
                continue
            attempted += 1
        if postponed or abandoned:
            async with self.sessions.begin() as session:
                await outbox.give_back_each(session, postponed, batch.token)
                for delivery_id in abandoned:
                    await stories.finish_edit(session, delivery_id, batch.token, self.clock())
        self.pacer.forget(self.pacer.clock() - 60)
        return attempted

    def _give_back_rest(
        self, rest: list[Job], postponed: dict[int, datetime], pause: float
    ) -> None:
        logger.info("giving %d deliveries back for %.1f s", len(rest), pause)
        when = self.clock() + timedelta(seconds=pause)
        for job in rest:
            postponed.setdefault(job.delivery_id, when)

    async def _start(self, batch: _Round, job: Job) -> bool | None:
        """Take a concurrency slot, wait for the global turn, book the chat's slot and send:
        in the background once the article's message has been accepted, else now, so that a
        malformed message is known before it goes to others. None when the lease ran out
        meanwhile, False when the chat may not get a message yet."""
        await self._slots.acquire()
        try:
            await self.pacer.turn()
        except BaseException:
            self._slots.release()
            raise
        # Both waits can be long (sends in flight, a 429 pause arriving meanwhile): a send
        # that starts now must still end, and be recorded, inside the row's lease, and be
        # this process's to start.
        if self.pacer.clock() >= batch.deadline or not self.active():
            self._slots.release()
            return None
        if self.pacer.chat_ready_in(job.chat_id) > 0:
            self._slots.release()
            return False
        self.pacer.take(job.chat_id, job.recipient.kind)
        if job.subject not in self._proven:
            await self._deliver(batch, job)
            return True
        task = asyncio.create_task(self._deliver(batch, job))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)
        return True

    async def settle(self) -> None:
        """Wait for the sends in flight."""
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)

    # ------------------------------------------------------------------ preparing

    async def _lease(self, token: str) -> list[Job]:
        now = self.clock()
        async with self.sessions.begin() as session:
            rows = await outbox.lease_due(
                session, now, limit=self.settings.batch, lease=self.settings.lease, token=token
            )
            chats = {
                c.id: c for c in await catalog.active_chats(session, {r.chat_id for r in rows})
            }
            jobs, digest_rows = [], []
            finished: list[DeliveryStatus] = []
            for row in rows:
                chat = chats.get(row.chat_id)
                if chat is None:  # the chat was deactivated after planning
                    _finish(row, DeliveryStatus.DROPPED, "chat is inactive")
                    finished.append(DeliveryStatus.DROPPED)
                elif (
                    row.article_id is not None  # a broadcast goes as it is, digest or not
                    and chat.kind is ChatKind.PRIVATE
                    and chat.delivery_mode is not DeliveryMode.INSTANT
                ):
                    digest_rows.append(row.id)  # the reader chose a digest since
                else:
                    try:
                        recipient = Recipient.of(chat, self.style.timezone)
                    except Exception as exc:
                        logger.exception("delivery %s cannot be prepared", row.id)
                        _finish(row, DeliveryStatus.FAILED, f"could not prepare: {exc!r}")
                        finished.append(DeliveryStatus.FAILED)
                        continue
                    jobs.append(Job(row.id, row.article_id, row.chat_id, recipient,
                                    row.attempts, token, thread_id=row.message_thread_id,
                                    broadcast_id=row.broadcast_id,
                                    summary_chars=row.summary_chars))  # fmt: skip
            await session.flush()
            await outbox.hold_leased(session, digest_rows, token)
        for status in finished:
            self._count(status.value)
        return jobs

    async def _lease_edits(self, token: str) -> list[Job]:
        """Sent posts to edit: their story has been told by another outlet since."""
        now = self.clock()
        async with self.sessions.begin() as session:
            rows = await stories.lease_edits(
                session, now, limit=EDITS_PER_ROUND, lease=self.settings.lease, token=token
            )
            chats = {
                c.id: c for c in await catalog.active_chats(session, {r.chat_id for r in rows})
            }
            jobs: list[Job] = []
            for row in rows:
                chat = chats.get(row.chat_id)
                if chat is None or row.article_id is None or row.message_id is None:
                    await stories.finish_edit(session, row.id, token, now)
                    continue
                recipient = Recipient.of(chat, self.style.timezone)
                jobs.append(Job(row.id, row.article_id, row.chat_id, recipient, row.attempts,
                                token, thread_id=row.message_thread_id,
                                summary_chars=row.summary_chars, edit_of=row.message_id,
                                as_photo=row.as_photo, sent_at=row.sent_at,
                                leased_at=now))  # fmt: skip
        return jobs

    async def _format(self, batch: _Round, wanted: set[tuple[int, int | None]]) -> None:
        """Format each article on its own, once per summary length its rows ask for, naming
        its story's other outlets: one that cannot be formatted fails its rows."""
        async with self.sessions() as session:
            articles = await articles_by_ids(session, {article_id for article_id, _ in wanted})
            outlets = await stories.other_outlets(session, articles)
        jobs = [
            ((article_id, length), articles[article_id], outlets.get(article_id, ()))
            for article_id, length in wanted
            if article_id in articles
        ]
        # Summaries are CPU (a few milliseconds an article): off the event loop, which keeps
        # serving updates and the sends in flight meanwhile.
        posts, broken = await asyncio.to_thread(self._posts, jobs)
        batch.posts.update(posts)
        if broken:
            failed = 0
            async with self.sessions.begin() as session:
                for article_id, reason in broken.items():
                    failed += await outbox.fail_article(
                        session, article_id, reason, self.clock(), token=batch.token
                    )
            self._count("failed", failed)
            batch.malformed |= {("article", article_id) for article_id in broken}

    def _posts(
        self, jobs: Sequence[tuple[tuple[int, int | None], Article, Sequence[tuple[str, str]]]]
    ) -> tuple[dict[tuple[int, int | None], Post], dict[int, str]]:
        """The posts of (article, length) pairs, and the articles that cannot be formatted
        with why."""
        posts: dict[tuple[int, int | None], Post] = {}
        broken: dict[int, str] = {}
        for key, article, also in jobs:
            if key[0] in broken:
                continue
            try:
                posts[key] = self._post(article, key[1], also)
            except Exception as exc:
                logger.exception("article %s cannot be formatted", key[0])
                broken[key[0]] = f"could not format the article: {exc!r}"
        return posts, broken

    def _post(self, article: Article, length: int | None, also: Sequence[tuple[str, str]]) -> Post:
        """The article's post, summarised at its binding's length (None: the bot's)."""
        style = self.style if length is None else replace(self.style, summary_max_chars=length)
        return format_post(replace(post_source(article), also=also), style)

    async def _broadcasts(self, batch: _Round, broadcast_ids: set[int]) -> None:
        """The broadcasts' texts, sent as their authors previewed them."""
        if broadcast_ids:
            async with self.sessions() as session:
                batch.broadcasts = await broadcasts.texts(session, broadcast_ids)

    # ------------------------------------------------------------------ sending

    async def _deliver(self, batch: _Round, job: Job) -> None:
        try:
            if job.chat_id in batch.gone:
                return  # the chat refused an earlier send of the round: dropped with it
            silent = job.recipient.quiet(self.clock())
            if job.broadcast_id is not None:
                html = batch.broadcasts.get(job.broadcast_id)
                if html is None:
                    gone = Outcome(DeliveryStatus.DROPPED, error="broadcast was deleted")
                    self._record(job, gone)
                    return
                sending = _as_sent(self.publisher.send_text(job.chat_id, html, silent=silent))
            elif job.edit_of is not None:
                await self._edit(batch, job)
                return
            else:
                post = batch.posts.get((job.article_id or 0, job.summary_chars))
                if post is None:
                    self._record(job, Outcome(DeliveryStatus.DROPPED, error="article was deleted"))
                    return
                html = post.text
                sending = self.publisher.send(
                    job.chat_id, post, silent=silent, thread_id=job.thread_id
                )
            try:
                sent = await sending
            except DeliveryError as exc:
                await self._failed(batch, job, exc, html)
            else:
                done = Outcome(DeliveryStatus.SENT, message_id=sent.message_id,
                               as_photo=sent.as_photo)  # fmt: skip
                self.failing = self.outage_steps = 0
                self._record(job, done)
                self._prove(job.subject)
        except Exception:
            # A failure here must not take the other sends down; the lease brings the row back.
            logger.exception("delivery %s failed unexpectedly", job.delivery_id)
        finally:
            self._slots.release()

    async def _edit(self, batch: _Round, job: Job) -> None:
        """Edit a sent post to its text now (naming its story's other outlets). Done when
        Telegram takes it or says nothing changed; given up when the message cannot be edited;
        tried again later after a passing failure, within the same-story window."""
        assert job.edit_of is not None
        post = batch.posts.get((job.article_id or 0, job.summary_chars))
        again: datetime | None = None
        if post is not None:
            try:
                await self.publisher.edit(job.chat_id, job.edit_of, post, as_photo=job.as_photo)
            except DeliveryError as exc:
                again = await self._edit_failed(batch, job, exc)
        async with self.sessions.begin() as session:
            await stories.finish_edit(
                session, job.delivery_id, job.token, self.clock(), leased_at=job.leased_at,
                again_at=again,
            )  # fmt: skip

    async def _edit_failed(self, batch: _Round, job: Job, error: DeliveryError) -> datetime | None:
        """When to try a failed edit again, or None to give it up."""
        now = self.clock()
        if NOT_MODIFIED in str(error).lower():
            return None
        outcome = error.outcome
        if outcome in (SendOutcome.RATE_LIMITED, SendOutcome.REFUSED):
            seconds = error.retry_after or 1.0
            if outcome is SendOutcome.RATE_LIMITED:
                self.pacer.too_many(job.chat_id, job.recipient.kind, seconds)
            else:
                self.pacer.pause(seconds)
            return now + timedelta(seconds=seconds)
        if outcome is SendOutcome.CHAT_GONE:
            batch.gone.add(job.chat_id)
            dropped = await retire_chat(self.sessions, job.chat_id, str(error), self.channel_lost)
            self._count("chat_gone", dropped)
            return None
        recent = job.sent_at is None or job.sent_at > now - EDIT_WINDOW
        if outcome is SendOutcome.RETRY and recent:
            logger.info("edit of delivery %s failed, again later: %s", job.delivery_id, error)
            return now + EDIT_RETRY
        logger.warning("edit of delivery %s given up: %s", job.delivery_id, error)
        return None

    def _prove(self, subject: Subject) -> None:
        if len(self._proven) >= PROVEN_KEPT:
            self._proven.clear()
        self._proven.add(subject)

    def _record(self, job: Job, outcome: Outcome) -> None:
        self.recorder.add(outcome.row(job, self.clock()))

    def _count(self, outcome: str, deliveries: int = 1) -> None:
        """Count outcomes written here, not by the recorder."""
        if self.metrics is not None:
            self.metrics.delivered(outcome, deliveries)

    async def _failed(self, batch: _Round, job: Job, error: DeliveryError, text: str) -> None:
        now = self.clock()
        reason = str(error)
        outcome = error.outcome
        if outcome in (SendOutcome.RATE_LIMITED, SendOutcome.REFUSED):
            seconds = error.retry_after or 1.0
            if outcome is SendOutcome.RATE_LIMITED:
                self.pacer.too_many(job.chat_id, job.recipient.kind, seconds)
                logger.warning("Telegram rate limit for %s: %.1f s", job.chat_id, seconds)
            else:
                self.pacer.pause(seconds)
                logger.error("%s", reason)
            later = now + timedelta(seconds=seconds)
            self._record(job, Outcome(PENDING, error=reason, next_attempt_at=later))
        elif outcome is SendOutcome.CHAT_GONE:
            batch.gone.add(job.chat_id)
            dropped = await retire_chat(self.sessions, job.chat_id, reason, self.channel_lost)
            self._count("chat_gone", dropped)
        elif outcome is SendOutcome.MIGRATED and error.new_chat_id is not None:
            async with self.sessions.begin() as session:
                await catalog.migrate_chat(session, job.chat_id, error.new_chat_id)
                await outbox.give_back(session, [job.delivery_id], now, job.token)
            logger.info("chat %s moved to %s", job.chat_id, error.new_chat_id)
            self._count("migrated")
            self.wake()
        elif outcome is SendOutcome.MALFORMED:
            await self._malformed(batch, job, reason, text)
        elif outcome is SendOutcome.REJECTED:
            logger.error("Telegram rejected delivery %s: %s", job.delivery_id, reason)
            kept = f"{reason}\n---\n{text}"
            self._record(job, Outcome(DeliveryStatus.FAILED, error=kept, attempts=job.attempts + 1))
        else:
            self.failing += 1
            if self.failing >= OUTAGE_AFTER:
                self._wait_out_outage(job, reason)
            else:
                self._retry_later(job, reason)

    async def _malformed(self, batch: _Round, job: Job, reason: str, text: str) -> None:
        """The message itself is wrong (our bug): it would fail for everyone. This row keeps
        the text to debug; every other row of the article fails with a pointer to it."""
        kind, subject_id = job.subject
        logger.error("Telegram rejected %s %s: %s", kind, subject_id, reason)
        batch.malformed.add(job.subject)
        now = self.clock()
        kept = Outcome(DeliveryStatus.FAILED, error=f"{reason}\n---\n{text}",
                       attempts=job.attempts + 1).row(job, now)  # fmt: skip
        others = f"{reason} (the message is kept on delivery #{job.delivery_id})"
        async with self.sessions.begin() as session:
            await outbox.record(session, [kept])
            fail = outbox.fail_broadcast if kind == "broadcast" else outbox.fail_article
            failed = await fail(session, subject_id, others, now, token=job.token)
        self._count("failed", 1 + failed)

    def _wait_out_outage(self, job: Job, reason: str) -> None:
        """Telegram is down or failing for everyone: pause, and keep the row's attempts."""
        now = self.pacer.clock()
        if now >= self._outage_ends:  # the first failure, or a probe after a pause failed
            doublings = min(self.outage_steps, 10)
            self.outage_steps += 1
            seconds = min(OUTAGE_FIRST_PAUSE * 2**doublings, OUTAGE_LONGEST_PAUSE)
            self._outage_ends = now + seconds
            self.pacer.pause(seconds)
            logger.error("Telegram is unreachable or failing (%s); sends pause %.0f s",
                         reason, seconds)  # fmt: skip
        later = self.clock() + timedelta(seconds=self._outage_ends - now)
        self._record(job, Outcome(PENDING, error=reason, next_attempt_at=later))

    def _retry_later(self, job: Job, reason: str) -> None:
        attempts = job.attempts + 1
        if attempts >= self.settings.max_attempts:
            logger.error("delivery %s gave up after %d attempts", job.delivery_id, attempts)
            self._record(job, Outcome(DeliveryStatus.DEAD, error=reason, attempts=attempts))
            return
        backoff = min(self.settings.first_backoff * 2 ** (attempts - 1), self.settings.max_backoff)
        later = self.clock() + backoff
        self._record(job, Outcome(PENDING, error=reason, attempts=attempts, next_attempt_at=later))


async def _as_sent(message_id: Awaitable[int]) -> outlets.Sent:
    return outlets.Sent(await message_id)


def _finish(row: Delivery, status: DeliveryStatus, reason: str) -> None:
    row.status = status
    row.last_error = reason
    row.lease_token = None


@dataclass(frozen=True)
class Outcome:
    """What a send did to its row; `attempts` unchanged unless given."""

    status: DeliveryStatus
    message_id: int | None = None
    error: str | None = None
    attempts: int | None = None
    next_attempt_at: datetime | None = None
    as_photo: bool = False

    def row(self, job: Job, now: datetime) -> dict[str, Any]:
        """A row for `outbox.record`."""
        return {
            "delivery_id": job.delivery_id,
            "token": job.token,
            "status": self.status,
            "last_error": self.error,
            "message_id": self.message_id,
            "sent_at": now if self.status is DeliveryStatus.SENT else None,
            "attempts": job.attempts if self.attempts is None else self.attempts,
            "next_attempt_at": self.next_attempt_at or now,
            "as_photo": self.as_photo,
        }

"""The digest sender: a reader's held articles as one message (or a few parts) an hour or a day.

A digest is claimed first (one sender sends it) with its rows leased, so that a reader who goes
back to instant delivery meanwhile does not get them twice. Each part's rows are recorded as it
goes, so a part is never sent twice; a 429 in the middle waits and sends the rest.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.outlets import ChannelLost, Publisher, Recipient, SenderSettings, retire_chat
from bot.delivery.pacing import Pacer
from bot.errors import DeliveryError, SendOutcome
from bot.metrics import Metrics
from bot.news.digest import DigestItem, DigestPart, digest_due, format_digest
from bot.news.formatter import PostStyle
from storage import outbox
from storage.articles import articles_by_ids
from storage.models import Article, Chat, ChatKind, DeliveryStatus

logger = logging.getLogger(__name__)

DIGESTS_PER_ROUND = 20
# A part answered 429 is sent again after retry_after, this many times at most, and only
# when Telegram asks for a short wait; otherwise the rest waits for the next digest.
PART_TRIES = 3
LONGEST_WAIT = 30.0  # seconds
_RETRY = SendOutcome.RETRY


@dataclass
class _Claim:
    """One digest taken for sending: when, until when parts may start (loop time, moved on
    each time the lease is renewed), its token."""

    chat_id: int
    now: datetime
    deadline: float
    token: str


class DigestSender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        style: PostStyle,
        pacer: Pacer,
        settings: SenderSettings,
        clock: Callable[[], datetime],
        *,
        channel_lost: ChannelLost | None = None,
        active: Callable[[], bool] = lambda: True,
        metrics: Metrics | None = None,
    ) -> None:
        self.sessions = sessions
        self.active = active  # False: this process is no longer the sender
        self.metrics = metrics
        self.publisher = publisher
        self.style = style
        self.pacer = pacer
        self.settings = settings
        self.clock = clock
        self.channel_lost = channel_lost
        self.more_waiting = False

    async def send_due(self) -> int:
        """Send the digests that are due, a few per round so that instant sends go on between
        them; return how many messages went. One reader's failure never stops the others."""
        now = self.clock()
        async with self.sessions() as session:
            waiting = await outbox.digests_waiting(session)
        self.more_waiting = False
        sent = started = 0
        for chat in waiting:
            if not self.active():
                break  # deposed: the next sender sends the rest
            try:
                if not self._due(chat, now):
                    continue
                if started == DIGESTS_PER_ROUND:
                    self.more_waiting = True
                    break
                started += 1
                sent += await self._send_digest(chat)
            except Exception:
                logger.exception("the digest for %s failed", chat.id)
        return sent

    def _due(self, chat: Chat, now: datetime) -> bool:
        zone = Recipient.of(chat, self.style.timezone).zone
        return digest_due(
            chat.delivery_mode.value, now=now, last=chat.last_digest_at,
            digest_hour=chat.digest_hour, zone=zone,
        )  # fmt: skip

    async def _send_digest(self, chat: Chat) -> int:
        # Read for this digest, not for the round: the digests before it may have taken
        # minutes (parts at the reader's pace, 429s), and both the rows' lease in the database
        # and the time after which no part starts are counted from here.
        now = self.clock()
        deadline = self.pacer.clock() + self.settings.sending_window
        token = uuid.uuid4().hex
        async with self.sessions.begin() as session:
            claimed = await outbox.claim_digest(
                session, chat.id, chat.last_digest_at, now, token=token, lease=self.settings.lease
            )
            if not claimed:
                return 0
            held = await outbox.held_deliveries(session, chat.id, token)
            articles = await articles_by_ids(session, (article for _, article in held))
        try:
            claim = _Claim(chat.id, now, deadline, token)
            return await self._send_parts(chat, claim, held, articles)
        finally:
            async with self.sessions.begin() as session:
                await outbox.release_digest(session, chat.id, token, self.clock())

    async def _send_parts(
        self, chat: Chat, claim: _Claim, held: list[tuple[int, int]], articles: dict[int, Article]
    ) -> int:
        listed = [(d, a) for d, article_id in held if (a := articles.get(article_id)) is not None]
        items = [
            DigestItem(a.headline, a.link or "", a.source_domain, [c.name for c in a.categories])
            for _, a in listed
        ]
        parts = format_digest(items, chat.delivery_mode.value, chat.language)
        now, token = claim.now, claim.token
        silent = Recipient.of(chat, self.style.timezone).quiet(now)
        sent = 0
        for part in parts:
            if not self.active():
                break  # deposed: the rest stays held for the next digest, by the next sender
            rows = [listed[index][0] for index in part.items]
            try:
                message_id = await self._send_part(claim, part, silent)
            except DeliveryError as exc:
                await self._digest_failed(chat, rows, exc, part.text, now, sent, token)
                return sent
            async with self.sessions.begin() as session:
                await outbox.finish_held(
                    session, rows, DeliveryStatus.SENT, now, token=token, message_id=message_id
                )
            self._count("sent", len(rows))
            sent += 1
        return sent

    async def _send_part(self, claim: _Claim, part: DigestPart, silent: bool) -> int:
        """Send one part at the reader's pace; a short 429 is waited out and the part resent.

        The rows are leased for the digest, and the lease is renewed as parts go (a long
        digest, a 429 waited out), so that no part starts past it: a reader going instant
        would then get the same articles one by one as well."""
        chat_id = claim.chat_id
        for attempt in range(1, PART_TRIES + 1):
            wait = self._wait(chat_id)
            if self.pacer.clock() + wait >= claim.deadline:
                # Renewed from now, the lease must outlast the wait, and be renewed again
                # after it (below) before the part starts.
                if wait >= self.settings.lease.total_seconds() - self.settings.record_allowance:
                    raise DeliveryError("the wait is longer than the digest's lease", _RETRY)
                await self._keep(claim)
            await self.pacer.turn(chat_id)
            if self.pacer.clock() >= claim.deadline:  # a pause came while waiting for the turn
                await self._keep(claim)
            self.pacer.take(chat_id, ChatKind.PRIVATE)
            try:
                return await self.publisher.send_text(chat_id, part.text, silent=silent)
            except DeliveryError as exc:
                seconds = exc.retry_after or 1.0
                limited = exc.outcome is SendOutcome.RATE_LIMITED
                if not limited or attempt == PART_TRIES or seconds > LONGEST_WAIT:
                    raise
                self.pacer.too_many(chat_id, ChatKind.PRIVATE, seconds)
                logger.info("digest for %s: 429, the part goes again in %.1f s", chat_id, seconds)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _keep(self, claim: _Claim) -> None:
        """Renew the digest's lease from now; raise when its rows are no longer held by it."""
        async with self.sessions.begin() as session:
            held = await outbox.renew_held(
                session, claim.chat_id, claim.token, self.clock() + self.settings.lease
            )
        if not held:
            raise DeliveryError("the digest's lease ran out", _RETRY)
        claim.deadline = self.pacer.clock() + self.settings.sending_window

    def _wait(self, chat_id: int) -> float:
        return max(self.pacer.global_ready_in(), self.pacer.chat_ready_in(chat_id))

    async def _digest_failed(
        self, chat: Chat, rows: list[int], error: DeliveryError, text: str, now: datetime,
        sent: int, token: str,
    ) -> None:  # fmt: skip
        logger.warning("digest for %s stopped: %s", chat.id, error)
        if error.outcome is SendOutcome.CHAT_GONE:
            dropped = await retire_chat(self.sessions, chat.id, str(error), self.channel_lost)
            self._count("chat_gone", dropped)
            return
        rejected = error.outcome in (SendOutcome.MALFORMED, SendOutcome.REJECTED)
        async with self.sessions.begin() as session:
            if rejected:
                # Our bug: keep the text, and never send that part again.
                await outbox.finish_held(
                    session, rows, DeliveryStatus.FAILED, now, token=token,
                    error=f"{error}\n---\n{text}",
                )  # fmt: skip
            elif sent == 0:
                # Nothing went out (429, network): due again at the next check.
                await outbox.unclaim_digest(session, chat.id, chat.last_digest_at, now)
        if rejected:
            self._count("failed", len(rows))
        if error.outcome in (SendOutcome.RATE_LIMITED, SendOutcome.REFUSED):
            self.pacer.pause(error.retry_after or 1.0)

    def _count(self, outcome: str, deliveries: int) -> None:
        if self.metrics is not None:
            self.metrics.delivered(outcome, deliveries)

"""WebSub (PubSubHubbub): feeds that name a hub are pushed to us instead of polled hourly.

- Discovery: a poll finds the hub and the topic (rel="self", else the feed's URL) in the
  feed's links or its `Link:` header (FeedOutcome.hub/.topic); `discovered` then subscribes
  the feed once: a pending row with a fresh secret and an unguessable callback token, then
  the subscribe request to the hub, through the fetcher's address guard.
- Verification: the hub GETs <callback>/<token>?hub.mode=…&hub.topic=…&hub.challenge=…;
  the challenge is echoed only for a pending subscribe (or a renewal) of that token with
  the same topic, or an unsubscribe we asked for; anything else gets 404.
- Notification: the hub POSTs the feed's new body to <callback>/<token>, signed with
  X-Hub-Signature: <sha1|sha256|sha384|sha512>=<hex HMAC of the raw body with the secret>.
  A missing or wrong signature is refused with 403 and nothing is stored. The spec lets a
  subscriber answer 2xx to a bad signature to hide the check from brute force, but an HMAC
  cannot be brute-forced over HTTP, and a refusal shows a hub whose secret went stale in
  its own logs and ours (nashra_websub_notifications{outcome="bad_signature"}).
  A good one goes through the poller's parse, dedupe and planning (Poller.ingest).
- Renewal: `renew` (a job every minute) takes the rows whose `renew_at` has come — a tenth
  of the lease (at most a day) before it ends, a pending subscribe the hub never verified,
  a failed request's retry, an unsubscribe — leased as the poller leases feeds, so with
  several processes only one renews a row.
- A pushed feed (active, lease not over) is polled every WEBSUB_POLL_SECONDS; a failing
  hub leaves the feed pending with its error, polled at its normal interval.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import FeedError, ParseError
from bot.feeds.fetch import Fetcher
from bot.feeds.poller import FeedOutcome, Poller
from bot.metrics import Metrics
from storage import websub as store
from storage.models import LINK_CHARS, HubSubscription, utcnow

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature"
DIGESTS: Mapping[str, Callable[[], hashlib._Hash]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
RETRY_FIRST = timedelta(minutes=5)  # a hub that failed, or never verified, is asked again
RETRY_LONGEST = timedelta(hours=12)
VERIFY_WAIT = timedelta(minutes=10)  # a pending request the hub has not verified by then
ERROR_CHARS = 500
RENEW_BATCH = 100


@dataclass(frozen=True)
class WebSubSettings:
    # The public base URL, to which the token is appended; None: no public URL, so no
    # subscription (every feed is polled, as without WebSub).
    callback: str | None
    lease_seconds: int = 864_000
    max_bytes: int = 2_000_000
    renew_lease: timedelta = timedelta(minutes=5)  # a renewal round's hold on its rows
    # The secret goes to the hub in the request: over HTTPS only (the spec's rule), unless
    # ALLOW_PRIVATE_FEEDS=true (a hub on one's own network, the tests' fake hub).
    http_hubs: bool = False


@dataclass(frozen=True)
class Answer:
    """What the callback answers the hub."""

    status: int
    text: str = ""


def sign(secret: str, body: bytes, algorithm: str = "sha256") -> str:
    """The X-Hub-Signature a hub sends with `body` (the fake hub signs with it too)."""
    digest = hmac.new(secret.encode(), body, DIGESTS[algorithm]).hexdigest()
    return f"{algorithm}={digest}"


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """A signature of one of the spec's algorithms that matches, compared in constant time."""
    if not header:
        return False
    algorithm, _, given = header.strip().partition("=")
    if algorithm.lower() not in DIGESTS:
        return False
    expected = sign(secret, body, algorithm.lower()).partition("=")[2]
    return hmac.compare_digest(given.strip().lower().encode(), expected.encode())


def retry_after(failures: int) -> timedelta:
    """5 min doubling to 12 h: a hub that is down is not hammered."""
    exponent = min(max(failures - 1, 0), 16)
    return min(RETRY_FIRST * 2**exponent, RETRY_LONGEST)


class WebSub:
    """The subscriber: subscribes discovered feeds, answers the hub's callbacks, renews."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        fetcher: Fetcher,
        poller: Poller,
        settings: WebSubSettings,
        *,
        wake: Callable[[], None] = lambda: None,
        metrics: Metrics | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.fetcher = fetcher
        self.poller = poller
        self.settings = settings
        self.wake = wake
        self.metrics = metrics
        self.clock = clock
        # Told when a notification was stored (a test or the bench waits on it).
        self.listeners: list[Callable[[int, FeedOutcome], Awaitable[None] | None]] = []

    @property
    def enabled(self) -> bool:
        return self.settings.callback is not None

    def callback_of(self, token: str) -> str:
        return f"{self.settings.callback}/{token}"

    # ------------------------------------------------------------------ subscribing

    async def discovered(self, outcomes: Iterable[FeedOutcome]) -> None:
        """Subscribe the polled feeds that name a hub and are not subscribed to it yet."""
        if not self.enabled:
            return
        for outcome in outcomes:
            if outcome.hub is None or outcome.error:
                continue
            topic = outcome.topic or outcome.url
            if len(outcome.hub) > LINK_CHARS or len(topic) > LINK_CHARS:
                logger.warning("feed %s: hub or topic too long to subscribe", outcome.url)
                continue
            try:
                await self.subscribe(outcome.feed_id, outcome.hub, topic)
            except Exception:  # one feed's hub never stops the others, nor the poll
                logger.exception("could not subscribe feed %s at %s", outcome.url, outcome.hub)

    async def subscribe(self, feed_id: int, hub: str, topic: str) -> bool:
        """Ask `hub` to push `topic` for the feed, unless that subscription exists (any
        state: the renewal job retries it). False: nothing was asked."""
        if not hub.lower().startswith("https://") and not self.settings.http_hubs:
            logger.info("feed %d: hub %s is not HTTPS; not subscribed (polled)", feed_id, hub)
            return False
        now = self.clock()
        async with self.sessions.begin() as session:
            row = await store.of_feed(session, feed_id)
            if row is not None and (row.hub, row.topic) == (hub, topic):
                return False
            row = await store.want(
                session, feed_id, hub=hub, topic=topic,
                secret=secrets.token_urlsafe(32), token=secrets.token_urlsafe(32),
                now=now, retry=VERIFY_WAIT,
            )  # fmt: skip
            request = _Request(
                row.id, row.hub, row.topic, row.secret, row.token, "subscribe", row.renew_at
            )
        await self._send(request)
        return True

    async def renew(self) -> int:
        """One renewal round: renew, retry or unsubscribe the rows that are due; how many."""
        if not self.enabled:
            return 0
        now = self.clock()
        async with self.sessions.begin() as session:
            rows = await store.lease_due(
                session, now, limit=RENEW_BATCH, lease=self.settings.renew_lease
            )
            requests = [await self._due(session, row, now) for row in rows]
        for request in requests:
            if request is not None:
                await self._send(request)
        return len(rows)

    async def _due(
        self, session: AsyncSession, row: HubSubscription, now: datetime
    ) -> _Request | None:
        if row.state == store.UNSUBSCRIBING:
            # The hub never verified: give up a day after the unsubscribe began (created_at,
            # which retries do not move).
            if now - row.created_at > timedelta(days=1):
                await store.forget(session, row)
                return None
            mode = "unsubscribe"
        else:
            mode = "subscribe"
        return _Request(row.id, row.hub, row.topic, row.secret, row.token, mode, row.renew_at)

    async def _send(self, request: _Request) -> None:
        """The request to the hub; a failure is recorded on the row and retried later."""
        form = {
            "hub.mode": request.mode,
            "hub.topic": request.topic,
            "hub.callback": self.callback_of(request.token),
        }
        if request.mode == "subscribe":
            form["hub.secret"] = request.secret
            form["hub.lease_seconds"] = str(self.settings.lease_seconds)
        try:
            status, text = await self.fetcher.post_form(request.hub, form)
            error = None if 200 <= status < 300 else f"hub answered HTTP {status}: {text[:200]}"
        except FeedError as exc:
            error = f"hub unreachable: {exc}"
        if error is None:
            logger.info("WebSub: asked %s to %s %s", request.hub, request.mode, request.topic)
            await self._accepted(request)
            return
        logger.warning("WebSub %s of %s at %s failed: %s", request.mode, request.topic,
                       request.hub, error)  # fmt: skip
        async with self.sessions.begin() as session:
            row = await session.get(HubSubscription, request.id)
            if row is not None and row.token == request.token:
                store.failed(row, self.clock(), error[:ERROR_CHARS], retry_after(row.failures + 1))

    async def _accepted(self, request: _Request) -> None:
        """The hub took the request (2xx): until it verifies, the row says so and is asked
        again on a back-off, not every round, unseen. A row the verification already
        reached (its renew_at moved, maybe while we wrote) is left alone: one guarded
        UPDATE."""
        async with self.sessions.begin() as session:
            failures = await session.scalar(
                select(HubSubscription.failures).where(HubSubscription.id == request.id)
            )
            if failures is None:
                return
            await session.execute(
                update(HubSubscription)
                .where(
                    HubSubscription.id == request.id,
                    HubSubscription.token == request.token,
                    HubSubscription.renew_at == request.renew_at,
                    HubSubscription.failures == failures,
                )
                .values(
                    failures=failures + 1,
                    renew_at=self.clock() + retry_after(failures + 1),
                    last_error=f"hub accepted the {request.mode}, not verified yet",
                )
            )

    # ------------------------------------------------------------------ the callback

    async def verify(self, token: str, query: Mapping[str, str]) -> Answer:
        """The hub's verification GET: the challenge for a request we made, else 404."""
        mode, topic = query.get("hub.mode", ""), query.get("hub.topic", "")
        now = self.clock()
        async with self.sessions.begin() as session:
            row = await store.by_token(session, token, lock=True)
            if row is None or row.topic != topic:
                logger.warning("WebSub: verification of %s for a topic never asked for: %r",
                               mode or "nothing", topic[:200])  # fmt: skip
                return Answer(404, "no such subscription")
            if mode == "denied":
                reason = query.get("hub.reason", "")[:200]
                store.denied(row, now, f"hub denied the subscription: {reason}", RETRY_LONGEST)
                return Answer(200, "")
            challenge = query.get("hub.challenge", "")
            if not challenge:
                return Answer(404, "no challenge")
            if mode == "subscribe" and row.state in (store.PENDING, store.ACTIVE):
                lease = _lease(query.get("hub.lease_seconds"), self.settings.lease_seconds)
                store.activate(row, now, lease)
                logger.info("WebSub: %s pushes %s (lease %d s)", row.hub, row.topic, lease)
                return Answer(200, challenge)
            if mode == "unsubscribe" and row.state == store.UNSUBSCRIBING:
                await store.forget(session, row)
                return Answer(200, challenge)
        return Answer(404, "not a request we made")

    async def notify(self, token: str, body: bytes, signature: str | None) -> Answer:
        """The hub's notification: checked, then stored as a poll's body would be."""
        async with self.sessions() as session:
            row = await store.by_token(session, token)
            found = None if row is None else (row.feed_id, row.secret, row.state)
        if found is None or found[0] is None or found[2] == store.UNSUBSCRIBING:
            return self._refused("unknown", 404, "no such subscription")
        feed_id, secret, _state = found
        assert feed_id is not None
        if not signature_ok(secret, body, signature):
            logger.warning("WebSub: a notification for feed %d with a %s signature; refused",
                           feed_id, "wrong" if signature else "missing")  # fmt: skip
            return self._refused("bad_signature", 403, "bad signature")
        try:
            outcome = await self.poller.ingest(feed_id, body)
        except ParseError as exc:
            logger.warning("WebSub: feed %d's notification does not parse: %s", feed_id, exc)
            return self._refused("failed", 400, "not a feed")
        except Exception:
            logger.exception("WebSub: feed %d's notification could not be stored", feed_id)
            return self._refused("failed", 500, "not stored")
        if outcome is None:  # paused or disabled: a 4xx would make some hubs drop us
            return self._refused("discarded", 202, "feed not polled; discarded")
        await self._noted(token)
        if outcome.planned or outcome.same_story or outcome.shared:
            self.wake()
        if self.metrics is not None:
            self.metrics.notified("taken")
        for listener in self.listeners:
            result = listener(feed_id, outcome)
            if result is not None:
                await result
        return Answer(204)

    def too_large(self) -> Answer:
        return self._refused("too_large", 413, "body too large")

    def _refused(self, outcome: str, status: int, text: str) -> Answer:
        if self.metrics is not None:
            self.metrics.notified(outcome)
        return Answer(status, text)

    async def _noted(self, token: str) -> None:
        async with self.sessions.begin() as session:
            row = await store.by_token(session, token)
            if row is not None:
                row.last_notified_at = self.clock()


@dataclass(frozen=True)
class _Request:
    id: int
    hub: str
    topic: str
    secret: str
    token: str
    mode: str
    renew_at: datetime  # the row's when the request was made (to tell a verified row)


def _lease(given: str | None, asked: int) -> int:
    """The lease the hub granted (hub.lease_seconds), else the one we asked for."""
    try:
        seconds = int(given or asked)
    except ValueError:
        seconds = asked
    return max(60, min(seconds, 86_400 * 365))

"""The process's Prometheus metrics (issue 10), for `/metrics` (bot/web.py).

One `Metrics` per process, built by the composition root and passed to what it measures
(None there means not measured). Each owns its registry, not prometheus-client's global one:
tests run several bots in one process. The names are a contract with the operators'
dashboards and alerts; the README's "Production" section lists what to watch.

Counters and histograms are kept as things happen; the gauges that describe the database
(failing and disabled feeds, the outbox's due rows) are read from it at scrape time by
`refresh`, so every process reports the same truth whichever of them is scraped.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import outbox, stats
from storage.models import utcnow

# What a poll of one feed came to (`poll_outcome`).
POLL_OUTCOMES = ("new", "unchanged", "not_modified", "failed", "disabled")
# What a delivery came to, as the sender records it (`delivered`): sent; retried later
# (a 429, a passing failure); failed (Telegram rejected the message); dead (retries ran out);
# dropped (its chat, article or broadcast went away); chat_gone (the chat refuses the bot);
# migrated (the group became a supergroup: sent there instead).
# A hub's notification (WebSub): taken, or refused for a signature, an unknown callback,
# a body over the cap, or one that could not be stored.
NOTIFICATION_OUTCOMES = (
    "taken", "bad_signature", "unknown", "too_large", "failed", "discarded",
)  # fmt: skip
DELIVERY_OUTCOMES = ("sent", "retried", "failed", "dead", "dropped", "chat_gone", "migrated")
# Fetches of a feed take from milliseconds to the fetch timeout (20 s by default).
FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)
# Parsing a feed in a worker: a few milliseconds, a second for a huge one.
PARSE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# A Bot API send: tens of milliseconds when Telegram is well, up to the send timeout.
SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The instruments of one process, in a registry of its own."""

    # What generate_latest writes, as prometheus-client's own server labels it: the text
    # format every Prometheus reads (our names need none of 1.0.0's escaping).
    content_type = CONTENT_TYPE_PLAIN_0_0_4

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.feed_polls = Counter(
            "nashra_feed_polls", "Polls of one feed, by outcome", ["outcome"], registry=registry
        )
        self.feeds_failing = Gauge(
            "nashra_feeds_failing",
            "Feeds whose last polls failed (not disabled, not paused), read at scrape time",
            registry=registry,
        )
        self.feeds_disabled = Gauge(
            "nashra_feeds_disabled",
            "Feeds disabled after too many failures in a row, read at scrape time",
            registry=registry,
        )
        self.fetch_seconds = Histogram(
            "nashra_fetch_seconds", "Time to fetch one feed (answered or failed)",
            buckets=FETCH_BUCKETS, registry=registry,
        )  # fmt: skip
        self.parse_seconds = Histogram(
            "nashra_parse_seconds", "Time to parse one feed's body, in a worker",
            buckets=PARSE_BUCKETS, registry=registry,
        )  # fmt: skip
        self.articles_stored = Counter(
            "nashra_articles_stored", "New articles stored by polls", registry=registry
        )
        self.deliveries = Counter(
            "nashra_deliveries", "Deliveries by outcome, as the sender recorded them",
            ["outcome"], registry=registry,
        )  # fmt: skip
        self.outbox_due = Gauge(
            "nashra_outbox_due",
            "Pending deliveries due now (not leased by a sender), read at scrape time",
            registry=registry,
        )
        self.outbox_oldest_due_seconds = Gauge(
            "nashra_outbox_oldest_due_seconds",
            "Seconds since the longest-waiting due delivery became due (0 when none)",
            registry=registry,
        )
        self.send_seconds = Histogram(
            "nashra_send_seconds", "Bot API request latency of the sender's sends and edits",
            buckets=SEND_BUCKETS, registry=registry,
        )  # fmt: skip
        self.telegram_429 = Counter(
            "nashra_telegram_429",
            "429 Too Many Requests answers from Telegram (sender and handler replies)",
            registry=registry,
        )
        self.sender = Gauge(
            "nashra_sender", "1 when this process is the elected sender, else 0", registry=registry
        )
        self.processes_live = Gauge(
            "nashra_processes_live",
            "Nashra processes alive on this database (heartbeats)",
            registry=registry,
        )
        self.notifications = Counter(
            "nashra_websub_notifications", "WebSub notifications received, by outcome",
            ["outcome"], registry=registry,
        )  # fmt: skip
        # Every labelled series shows from the first scrape, at 0: a rate() of a series that
        # appears only with its first event misses that event.
        for outcome in POLL_OUTCOMES:
            self.feed_polls.labels(outcome=outcome)
        for outcome in DELIVERY_OUTCOMES:
            self.deliveries.labels(outcome=outcome)
        for outcome in NOTIFICATION_OUTCOMES:
            self.notifications.labels(outcome=outcome)

    # ------------------------------------------------------------------ events

    def poll_outcome(self, outcome: str) -> None:
        """A feed was polled: one of POLL_OUTCOMES."""
        self.feed_polls.labels(outcome=outcome).inc()

    def notified(self, outcome: str) -> None:
        """A hub's notification: one of NOTIFICATION_OUTCOMES."""
        self.notifications.labels(outcome=outcome).inc()

    def stored(self, articles: int) -> None:
        if articles:
            self.articles_stored.inc(articles)

    def delivered(self, outcome: str, count: int = 1) -> None:
        """`count` deliveries came to `outcome` (one of DELIVERY_OUTCOMES)."""
        if count:
            self.deliveries.labels(outcome=outcome).inc(count)

    def rate_limited(self) -> None:
        """Telegram answered 429."""
        self.telegram_429.inc()

    def set_sender(self, elected: bool) -> None:
        self.sender.set(1 if elected else 0)

    def set_processes(self, live: int) -> None:
        self.processes_live.set(live)

    # ------------------------------------------------------------------ scrape

    async def refresh(
        self, sessions: async_sessionmaker[AsyncSession], now: datetime | None = None
    ) -> None:
        """Read the gauges that describe the database (one short read-only session)."""
        now = now or utcnow()
        async with sessions() as session:
            failing, disabled = await stats.feed_health(session)
            due, oldest = await outbox.due_now(session, now)
        self.feeds_failing.set(failing)
        self.feeds_disabled.set(disabled)
        self.outbox_due.set(due)
        waited = (now - oldest).total_seconds() if oldest is not None else 0.0
        self.outbox_oldest_due_seconds.set(max(0.0, waited))

    def render(self) -> bytes:
        """The registry in Prometheus's text format (`content_type`)."""
        return generate_latest(self.registry)

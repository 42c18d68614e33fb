"""The poller: takes the feeds that are due, fetches them concurrently, stores what is new.

Every feed is polled on its own schedule. One tick:
1. leases the due feeds (one short transaction);
2. fetches them concurrently (the Fetcher bounds concurrency overall and per host);
3. parses changed bodies in worker processes;
4. stores each feed's new entries, oldest first, and plans their deliveries, in one
   transaction per feed, so a crash leaves either all of a feed's poll or none of it.
A failing feed backs off exponentially and is disabled after a long run of failures; one bad
feed never stops a tick.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import lazyload

from bot.delivery.planner import Keywords, NewArticle, plan_deliveries
from bot.errors import FeedError
from bot.feeds.fetch import Fetcher
from bot.feeds.parse import Entry, ParsedFeed
from bot.feeds.workers import ParserPool
from bot.news.categorise import Categoriser, CategoryRule
from bot.news.dedupe import source_domain
from storage import articles as article_store
from storage import catalog
from storage.feeds import lease_due_feeds
from storage.models import Feed

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
POSTED_LANGUAGES = frozenset({"ar"})


@dataclass(frozen=True)
class PollSettings:
    interval: timedelta = timedelta(seconds=300)
    max_failures: int = 20
    summary_chars: int = 400
    batch: int = 500  # feeds leased per tick
    writers: int = 4  # feeds storing at once (each holds a database connection)
    lease: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class FeedState:
    """What a poll needs of a feed, read in the lease transaction."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    primed: bool
    interval: timedelta
    category_ids: tuple[int, ...]


@dataclass
class FeedOutcome:
    feed_id: int
    url: str
    new: int = 0
    planned: int = 0
    not_modified: bool = False
    error: str | None = None
    disabled: bool = False


@dataclass
class TickReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)

    @property
    def new_articles(self) -> int:
        return sum(outcome.new for outcome in self.outcomes)

    @property
    def planned(self) -> int:
        return sum(outcome.planned for outcome in self.outcomes)

    @property
    def disabled(self) -> list[FeedOutcome]:
        return [outcome for outcome in self.outcomes if outcome.disabled]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Rules:
    """What decides an article's categories and audience, loaded once per tick."""

    categoriser: Categoriser
    keywords: Keywords


async def load_categoriser(session: AsyncSession) -> Categoriser:
    """The categoriser for the categories as they are now in the database."""
    rules = [
        CategoryRule(row.id, row.name, tuple(row.aliases or ()), tuple(row.keywords or ()))
        for row in await catalog.all_categories(session)
    ]
    return Categoriser(rules)


class Poller:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        fetcher: Fetcher,
        parsers: ParserPool,
        settings: PollSettings | None = None,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.sessions = sessions
        self.fetcher = fetcher
        self.parsers = parsers
        self.settings = settings or PollSettings()
        self.clock = clock
        self._tick_lock = asyncio.Lock()
        # Storing is bounded apart from fetching: a feed holds a database connection only
        # while it writes, and never waits for the pool longer than its own write.
        self._writers = asyncio.Semaphore(self.settings.writers)

    async def tick(self) -> TickReport:
        """Poll every due feed once; return what happened to each."""
        async with self._tick_lock:
            now = self.clock()
            async with self.sessions.begin() as session:
                feeds = await lease_due_feeds(
                    session, now, limit=self.settings.batch, lease=self.settings.lease
                )
                states = [self._state(feed) for feed in feeds]
                rules = _Rules(await load_categoriser(session), await Keywords.load(session))
            outcomes = await asyncio.gather(*(self._poll(state, rules) for state in states))
            report = TickReport(list(outcomes))
            if states:
                logger.info(
                    "polled %d feeds: %d new articles, %d deliveries planned, %d errors",
                    len(states),
                    report.new_articles,
                    report.planned,
                    sum(1 for outcome in outcomes if outcome.error),
                )
            return report

    def _state(self, feed: Feed) -> FeedState:
        seconds = feed.poll_interval_seconds
        return FeedState(
            id=feed.id,
            url=feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            body_hash=feed.body_hash,
            primed=feed.primed,
            interval=timedelta(seconds=seconds) if seconds else self.settings.interval,
            category_ids=tuple(category.id for category in feed.categories),
        )

    async def _poll(self, state: FeedState, rules: _Rules) -> FeedOutcome:
        outcome = FeedOutcome(state.id, state.url)
        try:
            result = await self.fetcher.fetch(
                state.url, etag=state.etag, last_modified=state.last_modified
            )
            fetched_at = self.clock()
            body_hash = hashlib.sha256(result.body).hexdigest() if result.body else None
            parsed: ParsedFeed | None = None
            if result.not_modified or (body_hash is not None and body_hash == state.body_hash):
                outcome.not_modified = True
            else:
                parsed = await self.parsers.parse(
                    result.body, fetched_at, self.settings.summary_chars
                )
            async with self._writers, self.sessions.begin() as session:
                feed = await session.get(Feed, state.id, options=[lazyload(Feed.categories)])
                if feed is None:  # deleted while we fetched
                    return outcome
                if parsed is not None:
                    await self._store(session, feed, state, parsed, rules, outcome)
                    feed.body_hash = body_hash
                    feed.primed = True
                    feed.last_error = parsed.warning
                else:
                    feed.last_error = None
                feed.etag = result.etag or feed.etag
                feed.last_modified = result.last_modified or feed.last_modified
                feed.error_count = 0
                feed.last_polled_at = feed.last_success_at = fetched_at
                feed.next_poll_at = fetched_at + state.interval
        except FeedError as exc:
            await self._failed(state, str(exc), outcome)
        except Exception as exc:  # one bad feed never stops a tick
            # Our fault or the database's, not the feed's: recorded, retried at the next
            # interval, and not counted towards disabling the feed.
            logger.exception("unexpected error polling feed %s", state.url)
            reason = f"internal error: {type(exc).__name__}: {exc}"
            await self._failed(state, reason, outcome, count=False)
        return outcome

    async def _store(
        self,
        session: AsyncSession,
        feed: Feed,
        state: FeedState,
        parsed: ParsedFeed,
        rules: _Rules,
        outcome: FeedOutcome,
    ) -> None:
        entries = await self._new_entries(session, state.id, parsed.entries)
        if not entries:
            return
        fallback_domain = source_domain(parsed.link) or source_domain(state.url) or ""
        rows = [
            {
                "feed_id": state.id,
                "key": entry.key,
                "canonical_link": entry.canonical_link,
                "link": entry.link,
                "original_title": entry.title,
                "headline": entry.title,
                "text": entry.text,
                "summary": entry.summary,
                "source_domain": source_domain(entry.link) or fallback_domain,
                "language": entry.language,
                "published_at": entry.published_at,
                "fetched_at": self.clock(),
            }
            for entry in entries
        ]
        ids = await article_store.insert_articles(session, rows)
        tagged: list[tuple[int, list[int]]] = []
        for entry in entries:
            article_id = ids.get(entry.key)
            if article_id is None:
                continue  # stored by a concurrent poll of a feed sharing the link
            categories = rules.categoriser.categorise(
                defaults=state.category_ids, labels=entry.labels, terms=entry.terms
            )
            tagged.append((article_id, categories))
        await article_store.tag_articles(
            session, [(article, category) for article, cats in tagged for category in cats]
        )
        outcome.new = len(tagged)
        categories_of = dict(tagged)
        if feed.primed:
            # Non-Arabic entries are kept for the archive but not posted: Nashra publishes
            # Arabic news (Urdu, Persian and Hebrew feeds look alike but are not).
            postable = [
                NewArticle(ids[entry.key], categories_of[ids[entry.key]], entry.terms)
                for entry in entries
                if entry.key in ids and entry.language in POSTED_LANGUAGES
            ]
            outcome.planned = await plan_deliveries(session, postable, self.clock(), rules.keywords)

    @staticmethod
    async def _new_entries(
        session: AsyncSession, feed_id: int, entries: Sequence[Entry]
    ) -> list[Entry]:
        """Entries not seen before: not by key in this feed, not by link in any feed."""
        keys = await article_store.known_keys(session, feed_id, (e.key for e in entries))
        links = await article_store.known_links(session, (e.canonical_link for e in entries))
        fresh: list[Entry] = []
        for entry in entries:
            if entry.key in keys or (entry.canonical_link and entry.canonical_link in links):
                continue
            if entry.canonical_link:
                links.add(entry.canonical_link)
            fresh.append(entry)
        return fresh

    async def _failed(
        self, state: FeedState, reason: str, outcome: FeedOutcome, *, count: bool = True
    ) -> None:
        outcome.error = reason
        now = self.clock()
        async with self._writers, self.sessions.begin() as session:
            feed = await session.get(Feed, state.id, options=[lazyload(Feed.categories)])
            if feed is None:
                return
            feed.last_error = reason
            feed.last_polled_at = now
            if not count:
                feed.next_poll_at = now + state.interval
                return
            feed.error_count += 1
            backoff = min(state.interval * 2 ** (feed.error_count - 1), MAX_BACKOFF)
            feed.next_poll_at = now + backoff
            if feed.error_count >= self.settings.max_failures:
                feed.disabled = True
                outcome.disabled = True
        logger.warning(
            "feed %s failed (%s)%s", state.url, reason, " — disabled" if outcome.disabled else ""
        )

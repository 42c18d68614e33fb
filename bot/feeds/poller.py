"""The poller: takes the feeds that are due, fetches them concurrently, stores what is new.

Every feed is polled on its own schedule. One tick:
1. leases the due feeds (one short transaction);
2. fetches them concurrently (the Fetcher bounds concurrency overall and per host);
3. parses changed bodies in worker processes, and reads the article pages of the thin entries
   it will post (bot/feeds/pages.py), before any transaction;
4. stores each feed's new entries, oldest first, and plans their deliveries, in one
   transaction per feed, so a crash leaves either all of a feed's poll or none of it.
An entry whose link is already stored (another feed's copy of the story) is not stored again:
the article joins this feed's categories and reaches their chats too.
No floods: a poll posts at most `max_posts` entries (the newest), and none published more than
`max_entry_age` before the poll; the others are stored only.
A failing feed backs off exponentially and is disabled after a long run of failures, whether
they are the feed's (`max_failures`) or ours (`max_internal_failures`); one bad feed never
stops a tick.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import lazyload

from bot.delivery.planner import Keywords, NewArticle, plan_deliveries
from bot.errors import FeedError
from bot.feeds.fetch import Fetcher
from bot.feeds.pages import PageReader
from bot.feeds.parse import Entry, ParsedFeed
from bot.feeds.story_desk import Candidate, StoryDesk
from bot.feeds.workers import ParserPool
from bot.metrics import Metrics
from bot.news.categorise import Categoriser, CategoryRule
from bot.news.dedupe import source_domain
from bot.news.stories import Fingerprint
from storage import articles as article_store
from storage import catalog, stories, websub
from storage.articles import StoredArticle
from storage.feeds import lease_due_feeds, lease_feed, next_due
from storage.models import DOMAIN_CHARS, ETAG_CHARS, LAST_MODIFIED_CHARS, LINK_CHARS, Feed

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
# Posted to every follower; an entry in another language only to the channel and group
# bindings that take it (the planner decides).
POSTED_LANGUAGES = frozenset({"ar"})


@dataclass(frozen=True)
class PollSettings:
    interval: timedelta = timedelta(seconds=300)
    max_failures: int = 20
    max_internal_failures: int = 10
    max_posts: int = 10  # entries of one feed posted per poll, at most
    max_entry_age: timedelta = timedelta(hours=48)
    summary_chars: int = 400
    batch: int = 500  # feeds leased per tick
    writers: int = 4  # feeds storing at once (each holds a database connection)
    lease: timedelta = timedelta(minutes=10)
    # A feed its hub pushes (WebSub) is polled this often only, in case a push was lost.
    pushed_interval: timedelta = timedelta(hours=1)
    # WebSub is configured (a public callback URL): without it no hub can reach us, so a
    # leftover active subscription must not slow its feed down to pushed_interval.
    websub: bool = False


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
    shared: int = 0  # articles stored from another feed that now reach this feed's chats too
    planned: int = 0
    same_story: int = 0  # new articles telling a story stored before (not sent again)
    too_long: int = 0  # entries skipped: a value longer than its column
    too_old: int = 0  # stored, not posted: published long before this poll
    over_limit: int = 0  # stored, not posted: beyond max_posts in this poll
    not_modified: bool = False
    error: str | None = None
    internal: bool = False  # the error was ours, not the feed's
    failures: int = 0  # failures in a row of the error's kind
    disabled: bool = False
    # WebSub: the hub and topic the feed (or its Link: header) names, None for none.
    hub: str | None = None
    topic: str | None = None

    @property
    def kind(self) -> str:
        """The poll in one word, as `nashra_feed_polls_total` counts it."""
        if self.disabled:
            return "disabled"
        if self.error:
            return "failed"
        if self.not_modified:
            return "not_modified"  # a 304, or the same body again
        return "new" if self.new else "unchanged"


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
    def shared(self) -> int:
        return sum(outcome.shared for outcome in self.outcomes)

    @property
    def same_story(self) -> int:
        return sum(outcome.same_story for outcome in self.outcomes)

    @property
    def disabled(self) -> list[FeedOutcome]:
        return [outcome for outcome in self.outcomes if outcome.disabled]

    @property
    def too_long(self) -> int:
        return sum(outcome.too_long for outcome in self.outcomes)

    @property
    def too_old(self) -> int:
        return sum(outcome.too_old for outcome in self.outcomes)

    @property
    def over_limit(self) -> int:
        return sum(outcome.over_limit for outcome in self.outcomes)


def backoff(interval: timedelta, failures: int) -> timedelta:
    """The wait after `failures` failures in a row: doubling from the interval, up to a day.

    The exponent is clamped, or a long run (MAX_FEED_FAILURES=40) overflows timedelta.
    """
    exponent = min(max(failures - 1, 0), 32)
    seconds = interval.total_seconds() * 2.0**exponent
    return timedelta(seconds=min(seconds, MAX_BACKOFF.total_seconds()))


def link_header_hub(links: Sequence[str]) -> tuple[str | None, str | None]:
    """The hub and the topic of HTTP Link headers (`<url>; rel="hub"`, RFC 8288), if any."""
    found: dict[str, str] = {}
    for header in links:
        for part in header.split(","):
            target, _, params = part.partition(";")
            url = target.strip().removeprefix("<").removesuffix(">").strip()
            for param in params.split(";"):
                name, _, value = param.strip().partition("=")
                if name.strip().lower() != "rel" or not url.startswith(("http://", "https://")):
                    continue
                for rel in value.strip().strip('"').lower().split():
                    if rel in ("hub", "self"):
                        found.setdefault(rel, url)
    return found.get("hub"), found.get("self")


def _fits(value: str | None, limit: int) -> bool:
    return value is None or len(value) <= limit


def _too_long(entry: Entry) -> str | None:
    """Why an entry cannot be stored as it is, or None."""
    if not (_fits(entry.link, LINK_CHARS) and _fits(entry.canonical_link, LINK_CHARS)):
        return f"link longer than {LINK_CHARS} characters"
    if not _fits(source_domain(entry.link), DOMAIN_CHARS):
        return f"host name longer than {DOMAIN_CHARS} characters"
    return None


def _header(name: str, value: str | None, limit: int, url: str) -> str | None:
    """A validator header worth storing, or None: an oversize one is dropped, not stored."""
    if value is None or len(value) <= limit:
        return value
    logger.warning("feed %s sent a %s of %d characters; not kept", url, name, len(value))
    return None


def _first_of_each_link(entries: Sequence[Entry]) -> list[Entry]:
    """One entry per canonical link: the later ones are copies of the first."""
    links: set[str] = set()
    first: list[Entry] = []
    for entry in entries:
        if entry.canonical_link:
            if entry.canonical_link in links:
                continue
            links.add(entry.canonical_link)
        first.append(entry)
    return first


@dataclass(frozen=True)
class _Candidate:
    """An article this poll may post: new, or another feed's copy now reaching this one."""

    entry: Entry
    article: NewArticle
    copy: bool = False  # stored from another feed: it may have more categories than these


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


def fallback_domain(parsed: ParsedFeed, url: str) -> str:
    """The source an entry without a link of its own is credited to: the feed's site, else
    the feed's own address ("" when that does not fit the column)."""
    domain = source_domain(parsed.link) or source_domain(url) or ""
    return domain if len(domain) <= DOMAIN_CHARS else ""


def article_values(entry: Entry, fallback: str, fetched_at: datetime) -> dict[str, Any]:
    """An entry's article as the poller stores it, but for its feed, key and index terms
    (`nashra preview`, /preview and /addfeed build their unsaved articles from it too)."""
    return {
        "canonical_link": entry.canonical_link,
        "link": entry.link,
        "original_title": entry.title,
        "headline": entry.title,
        "text": entry.text,
        "summary": entry.summary,
        "source_domain": source_domain(entry.link) or fallback,
        "language": entry.language,
        "published_at": entry.published_at,
        "fetched_at": fetched_at,
        "image_url": entry.image,
        "full_text": entry.full_text,
        "page_error": entry.page_error,
    }


class Poller:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        fetcher: Fetcher,
        parsers: ParserPool,
        settings: PollSettings | None = None,
        *,
        pages: PageReader | None = None,
        clock: Callable[[], datetime] = _utcnow,
        stories: StoryDesk | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.sessions = sessions
        self.metrics = metrics
        self.stories = stories or StoryDesk()
        self.fetcher = fetcher
        self.parsers = parsers
        self.settings = settings or PollSettings()
        self.pages = pages  # None: entries keep their feed's text, however thin
        self.clock = clock
        self._tick_lock = asyncio.Lock()
        # Storing is bounded apart from fetching: a feed holds a database connection only
        # while it writes, and never waits for the pool longer than its own write.
        self._writers = asyncio.Semaphore(self.settings.writers)
        self._rescheduled: list[Callable[[], None]] = []

    def on_reschedule(self, listener: Callable[[], None]) -> None:
        """Call `listener` whenever a feed's next poll may have moved (the schedule's wake)."""
        self._rescheduled.append(listener)

    def reschedule(self) -> None:
        """A feed was added, resumed, enabled, polled or given another interval."""
        for listener in self._rescheduled:
            listener()

    async def next_due(self) -> datetime | None:
        """When the earliest polled feed is due next (None: no feed to poll)."""
        async with self.sessions() as session:
            return await next_due(session)

    async def tick(self) -> TickReport:
        """Poll every due feed once; return what happened to each."""
        async with self._tick_lock:
            now = self.clock()
            async with self.sessions.begin() as session:
                feeds = await lease_due_feeds(
                    session, now, limit=self.settings.batch, lease=self.settings.lease
                )
                pushed = await self.pushed(session, [feed.id for feed in feeds], now)
                states = [self._state(feed, feed.id in pushed) for feed in feeds]
                rules = _Rules(await load_categoriser(session), await Keywords.load(session))
            outcomes = await asyncio.gather(*(self._poll(state, rules) for state in states))
            report = TickReport(list(outcomes))
            if states:
                logger.info(
                    "polled %d feeds: %d new articles (%d telling a story stored before), "
                    "%d deliveries planned, %d errors; "
                    "not posted: %d too old, %d over the per-poll limit; %d entries skipped "
                    "(too long)",
                    len(states),
                    report.new_articles,
                    report.same_story,
                    report.planned,
                    sum(1 for outcome in outcomes if outcome.error),
                    report.too_old,
                    report.over_limit,
                    report.too_long,
                )
            return report

    async def poll_feed(self, feed_id: int) -> FeedOutcome | None:
        """Poll one feed now, whatever its schedule (an operator's «حدّث الآن»); None when it
        is gone, disabled or paused."""
        now = self.clock()
        async with self.sessions.begin() as session:
            feed = await lease_feed(session, feed_id, now, self.settings.lease)
            if feed is None:
                return None
            pushed = await self.pushed(session, [feed.id], now)
            state = self._state(feed, feed.id in pushed)
            rules = _Rules(await load_categoriser(session), await Keywords.load(session))
        try:
            return await self._poll(state, rules)
        finally:
            self.reschedule()  # its next poll is an interval from now

    async def pushed(self, session: AsyncSession, feed_ids: list[int], now: datetime) -> set[int]:
        """The feeds a hub pushes now; none when WebSub is not configured (no route)."""
        if not self.settings.websub:
            return set()
        return await websub.pushed(session, feed_ids, now)

    def _state(self, feed: Feed, pushed: bool = False) -> FeedState:
        seconds = feed.poll_interval_seconds
        interval = timedelta(seconds=seconds) if seconds else self.settings.interval
        if pushed:  # its hub pushes it: a poll now and then is the safety net
            interval = max(interval, self.settings.pushed_interval)
        return FeedState(
            id=feed.id,
            url=feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            body_hash=feed.body_hash,
            primed=feed.primed,
            interval=interval,
            category_ids=tuple(category.id for category in feed.categories),
        )

    async def _poll(self, state: FeedState, rules: _Rules) -> FeedOutcome:
        outcome = await self._poll_once(state, rules)
        if self.metrics is not None:
            self.metrics.poll_outcome(outcome.kind)
            self.metrics.stored(outcome.new)
        return outcome

    async def _poll_once(self, state: FeedState, rules: _Rules) -> FeedOutcome:
        outcome = FeedOutcome(state.id, state.url)
        try:
            started = time.perf_counter()
            try:
                result = await self.fetcher.fetch(
                    state.url, etag=state.etag, last_modified=state.last_modified
                )
            finally:
                if self.metrics is not None:
                    self.metrics.fetch_seconds.observe(time.perf_counter() - started)
            fetched_at = self.clock()
            body_hash = hashlib.sha256(result.body).hexdigest() if result.body else None
            parsed: ParsedFeed | None = None
            if result.not_modified or (body_hash is not None and body_hash == state.body_hash):
                outcome.not_modified = True
            else:
                started = time.perf_counter()
                parsed = await self.parsers.parse(
                    result.body, fetched_at, self.settings.summary_chars
                )
                if self.metrics is not None:
                    self.metrics.parse_seconds.observe(time.perf_counter() - started)
                parsed = await self._with_pages(state, parsed)
                # Discovery only from a parsed body (an unchanged one says nothing new, and
                # the stored subscription stands); one rule, the spec's: the Link header
                # first, the hub and its topic taken together from the same place.
                header_hub, header_topic = link_header_hub(result.links)
                if header_hub is not None:
                    outcome.hub, outcome.topic = header_hub, header_topic
                else:
                    outcome.hub, outcome.topic = parsed.hub, parsed.topic
            etag = _header("ETag", result.etag, ETAG_CHARS, state.url)
            last_modified = _header(
                "Last-Modified", result.last_modified, LAST_MODIFIED_CHARS, state.url
            )
            # The same-story desk, when a poll takes it, is held until the commit.
            async with AsyncExitStack() as desk, self._writers, self.sessions.begin() as session:
                feed = await session.get(Feed, state.id, options=[lazyload(Feed.categories)])
                if feed is None:  # deleted while we fetched
                    return outcome
                if parsed is not None:
                    skipped = await self._store(session, feed, state, parsed, rules, outcome, desk)
                    feed.body_hash = body_hash
                    feed.primed = True
                    feed.last_error = "; ".join(filter(None, [parsed.warning, skipped])) or None
                else:
                    feed.last_error = None
                # A validator too long to keep names this body as much as the old one did
                # not: neither is sent again.
                feed.etag = etag if result.etag else feed.etag
                feed.last_modified = last_modified if result.last_modified else feed.last_modified
                feed.error_count = feed.internal_error_count = 0
                feed.failing_since = None
                feed.last_polled_at = feed.last_success_at = fetched_at
                feed.next_poll_at = fetched_at + state.interval
        except FeedError as exc:
            await self._failed(state, str(exc), outcome)
        except Exception as exc:  # one bad feed never stops a tick
            # Our fault or the database's, not the feed's: counted apart, with its own limit.
            logger.exception("unexpected error polling feed %s", state.url)
            reason = f"internal error: {type(exc).__name__}: {exc}"
            await self._failed(state, reason, outcome, internal=True)
        return outcome

    async def ingest(self, feed_id: int, body: bytes) -> FeedOutcome | None:
        """A body the feed's hub pushed (WebSub): parsed, deduplicated, stored and planned as
        a poll's, in one transaction, without touching the feed's schedule or validators
        (a notification may carry only the new entries). None: the feed is gone or not
        polled (disabled, paused). A body that does not parse raises ParseError."""
        async with self.sessions() as session:
            feed = await session.get(Feed, feed_id)
            if feed is None or feed.disabled or feed.paused:
                return None
            state = self._state(feed)
            rules = _Rules(await load_categoriser(session), await Keywords.load(session))
        outcome = FeedOutcome(state.id, state.url)
        fetched_at = self.clock()
        parsed = await self.parsers.parse(body, fetched_at, self.settings.summary_chars)
        parsed = await self._with_pages(state, parsed)
        async with AsyncExitStack() as desk, self._writers, self.sessions.begin() as session:
            feed = await session.get(Feed, state.id, options=[lazyload(Feed.categories)])
            if feed is None:
                return None
            await self._store(session, feed, state, parsed, rules, outcome, desk)
            feed.primed = True
        if self.metrics is not None:
            self.metrics.stored(outcome.new)
        return outcome

    async def _with_pages(self, state: FeedState, parsed: ParsedFeed) -> ParsedFeed:
        """The parsed feed with the article pages of its thin entries that this poll will
        post: the feed is primed, the entry is new, in a posted language, recent, and among
        the `max_posts` newest (the choices of _store and _plan, made ahead from a short
        read). Fetched before the store's transaction: no connection waits on the web."""
        if self.pages is None or not state.primed:
            return parsed
        entries = [entry for entry in parsed.entries if _too_long(entry) is None]
        async with self.sessions() as session:
            known = await article_store.known_keys(session, state.id, (e.key for e in entries))
            entries = [entry for entry in entries if entry.key not in known]
            if not any(self.pages.wants(entry) for entry in entries):
                return parsed
            links = (entry.canonical_link for entry in entries)
            stored = await article_store.stored_by_links(session, links)
        # As _plan orders its candidates: the new articles, then other feeds' copies.
        fresh = [entry for entry in entries if entry.canonical_link not in stored]
        copies = [entry for entry in entries if entry.canonical_link in stored]
        oldest = self.clock() - self.settings.max_entry_age
        postable = [
            entry
            for entry in fresh + copies
            if entry.language in POSTED_LANGUAGES and entry.published_at >= oldest
        ]
        postable.sort(key=lambda entry: entry.published_at)
        posted = postable[-self.settings.max_posts :]
        new = [entry for entry in reversed(posted) if entry.canonical_link not in stored]
        read = await self.pages.read(new)  # the newest first: they are what the budget buys
        if not read:
            return parsed
        return replace(parsed, entries=[read.get(entry.key, entry) for entry in parsed.entries])

    def _storable(
        self, entries: Sequence[Entry], outcome: FeedOutcome
    ) -> tuple[list[Entry], str | None]:
        """The entries that fit their columns, and what was skipped, for the feed's record."""
        fitting: list[Entry] = []
        reasons: list[str] = []
        for entry in entries:
            reason = _too_long(entry)
            if reason is None:
                fitting.append(entry)
                continue
            logger.warning("feed %s: entry %r skipped: %s", outcome.url, entry.title[:80], reason)
            reasons.append(f"{reason} ({(entry.link or '')[:80]}…)")
        outcome.too_long = len(reasons)
        if not reasons:
            return fitting, None
        return fitting, f"{len(reasons)} entries skipped: " + "; ".join(reasons[:3])

    async def _store(
        self,
        session: AsyncSession,
        feed: Feed,
        state: FeedState,
        parsed: ParsedFeed,
        rules: _Rules,
        outcome: FeedOutcome,
        desk: AsyncExitStack,
    ) -> str | None:
        """Store the poll's new entries and plan what may be posted; return what was skipped."""
        entries, skipped = self._storable(parsed.entries, outcome)
        known = await article_store.known_keys(session, state.id, (e.key for e in entries))
        entries = [entry for entry in entries if entry.key not in known]
        if not entries:
            return skipped
        stored = await article_store.stored_by_links(session, (e.canonical_link for e in entries))
        fresh = _first_of_each_link([e for e in entries if e.canonical_link not in stored])
        # Only what this poll may post is fingerprinted (0.7 ms an article, in the workers):
        # an article that reached no chat is no story to send once, so a first poll, an old
        # entry and one over the per-poll limit are not.
        oldest = self.clock() - self.settings.max_entry_age
        recent = [e for e in fresh if feed.primed and e.published_at >= oldest]
        told = sorted(recent, key=lambda e: e.published_at)[-self.settings.max_posts :]
        made = await self.parsers.fingerprints([(entry.title, entry.text) for entry in told])
        prints = [
            Candidate(entry.key, print_, entry.published_at)
            for entry, print_ in zip(told, made, strict=True)
        ]
        decided: dict[str, int | str | None] = {}
        if prints:
            await desk.enter_async_context(self.stories.deciding())
            await self.stories.catch_up(session, self.clock())
            decided = self.stories.decide(prints)
        fingerprints = {candidate.key: candidate.fingerprint for candidate in prints}
        ids = await self._insert(session, state, parsed, fresh, fingerprints)
        new = [entry for entry in fresh if entry.key in ids]
        story_of = await self._join_stories(session, decided, ids)
        outcome.same_story = len(story_of)
        copies = await self._copies(session, state, entries, ids, stored)
        candidates = self._tag_new(state, rules, new, ids, story_of)
        candidates += self._tag_copies(state, rules, copies)
        await article_store.tag_articles(
            session,
            [(c.article.id, category) for c in candidates for category in c.article.categories],
        )
        outcome.new = len(new)
        outcome.shared = len(candidates) - len(new)
        if feed.primed:
            await self._plan(session, candidates, rules, outcome)
        return skipped

    @staticmethod
    async def _copies(
        session: AsyncSession,
        state: FeedState,
        entries: list[Entry],
        ids: dict[str, int],
        stored: dict[str, StoredArticle],
    ) -> list[tuple[Entry, StoredArticle]]:
        """The entries not inserted, each with the article stored under its link, remembered.

        Their link was stored before, meanwhile (a concurrent poll of a feed sharing it), or by
        an earlier entry of this body.
        """
        late = [entry for entry in entries if entry.key not in ids]
        missing = [entry.canonical_link for entry in late if entry.canonical_link not in stored]
        stored = {**stored, **await article_store.stored_by_links(session, missing)}
        copies = [
            (entry, stored[entry.canonical_link])
            for entry in late
            if entry.canonical_link is not None and entry.canonical_link in stored
        ]
        await article_store.record_feed_entries(
            session, [(state.id, entry.key, article.id) for entry, article in copies]
        )
        return copies

    async def _insert(
        self,
        session: AsyncSession,
        state: FeedState,
        parsed: ParsedFeed,
        entries: list[Entry],
        prints: Mapping[str, Fingerprint],
    ) -> dict[str, int]:
        fallback = fallback_domain(parsed, state.url)
        now = self.clock()
        rows = [
            {
                "feed_id": state.id,
                "key": entry.key,
                **article_values(entry, fallback, now),
                "fingerprint": print_.to_bytes() if (print_ := prints.get(entry.key)) else None,
                # The index's terms, from the parser's worker (headline = original title).
                article_store.TITLE_TERMS: entry.title_terms,
                article_store.TEXT_TERMS: entry.text_terms,
            }
            for entry in entries
        ]
        return await article_store.insert_articles(session, rows)

    @staticmethod
    async def _join_stories(
        session: AsyncSession, decided: Mapping[str, int | str | None], ids: Mapping[str, int]
    ) -> dict[int, int]:
        """Record which inserted articles tell an earlier story; return article id → the
        story's first article."""
        earlier = {found for found in decided.values() if isinstance(found, int)}
        roots = await stories.roots(session, earlier)
        story_of: dict[int, int] = {}
        for key, found in decided.items():
            if key not in ids or found is None:
                continue
            root = roots.get(found) if isinstance(found, int) else ids.get(found)
            if root is not None and root != ids[key]:
                story_of[ids[key]] = root
        await stories.set_story(session, story_of.items())
        return story_of

    @staticmethod
    def _tag_new(
        state: FeedState,
        rules: _Rules,
        entries: list[Entry],
        ids: dict[str, int],
        story_of: Mapping[int, int],
    ) -> list[_Candidate]:
        return [
            _Candidate(
                entry,
                NewArticle(
                    ids[entry.key],
                    rules.categoriser.categorise(
                        defaults=state.category_ids, labels=entry.labels, terms=entry.terms
                    ),
                    entry.terms,
                    entry.language,
                    story=story_of.get(ids[entry.key]),
                ),
            )
            for entry in entries
        ]

    @staticmethod
    def _tag_copies(
        state: FeedState, rules: _Rules, copies: list[tuple[Entry, StoredArticle]]
    ) -> list[_Candidate]:
        """Another feed's articles that this feed carries too: they join its categories.

        A second link of the same story in this very feed (another key) is only remembered.
        """
        candidates: list[_Candidate] = []
        seen: set[int] = set()
        for entry, article in copies:
            if article.feed_id == state.id or article.id in seen:
                continue
            seen.add(article.id)
            categories = rules.categoriser.categorise(
                defaults=state.category_ids, labels=entry.labels, terms=entry.terms
            )
            article_now = NewArticle(article.id, categories, entry.terms, entry.language)
            candidates.append(_Candidate(entry, article_now, copy=True))
        return candidates

    async def _plan(
        self,
        session: AsyncSession,
        candidates: list[_Candidate],
        rules: _Rules,
        outcome: FeedOutcome,
    ) -> None:
        """Plan deliveries of what this poll may post: recent, and not a flood. Entries
        that are not Arabic go only where a binding takes their language (the planner's
        rule): Urdu, Persian and Hebrew feeds look alike but are not Arabic."""
        oldest = self.clock() - self.settings.max_entry_age
        recent = [c for c in candidates if c.entry.published_at >= oldest]
        outcome.too_old = len(candidates) - len(recent)
        recent.sort(key=lambda candidate: candidate.entry.published_at)  # stable: oldest first
        posted = recent[-self.settings.max_posts :]
        outcome.over_limit = len(recent) - len(posted)
        if outcome.too_old or outcome.over_limit:
            logger.info(
                "feed %s: %d new entries stored without posting: %d published more than %s "
                "ago, %d over the limit of %d posts per poll",
                outcome.url,
                outcome.too_old + outcome.over_limit,
                outcome.too_old,
                self.settings.max_entry_age,
                outcome.over_limit,
                self.settings.max_posts,
            )
        # Another feed's article is planned with every category it has now: the chats that
        # had it keep their one row (unique per article and chat), the new ones get theirs.
        copied = [c.article.id for c in posted if c.copy]
        everything = await article_store.categories_of(session, copied)
        # Another feed's article tells its story too (its own, or as a copy): a chat that has
        # the story from another of its articles does not get this one as well.
        roots = await stories.roots(session, copied)
        articles = [
            replace(c.article, categories=everything[c.article.id], story=roots[c.article.id])
            if c.copy
            else c.article
            for c in posted
        ]
        outcome.planned = await plan_deliveries(session, articles, self.clock(), rules.keywords)

    async def _failed(
        self, state: FeedState, reason: str, outcome: FeedOutcome, *, internal: bool = False
    ) -> None:
        outcome.error = reason
        outcome.internal = internal
        try:
            await self._record_failure(state, reason, outcome)
        except Exception:  # the database itself is down: the lease gives the feed back
            logger.exception("could not record the failure of feed %s", state.url)
            return
        logger.warning(
            "feed %s failed (%s)%s", state.url, reason, " — disabled" if outcome.disabled else ""
        )

    async def _record_failure(self, state: FeedState, reason: str, outcome: FeedOutcome) -> None:
        now = self.clock()
        async with self._writers, self.sessions.begin() as session:
            feed = await session.get(Feed, state.id, options=[lazyload(Feed.categories)])
            if feed is None:
                return
            feed.last_error = reason
            feed.last_polled_at = now
            if feed.failing_since is None:
                feed.failing_since = now
            if outcome.internal:
                feed.internal_error_count += 1
                outcome.failures = feed.internal_error_count
                limit = self.settings.max_internal_failures
            else:
                feed.error_count += 1
                outcome.failures = feed.error_count
                limit = self.settings.max_failures
            feed.next_poll_at = now + backoff(state.interval, outcome.failures)
            if outcome.failures >= limit:
                feed.disabled = True
                outcome.disabled = True

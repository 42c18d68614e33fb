"""The operators' sources: adding feeds from Telegram, their list and card, their state.

`/addfeed URL [categories…]` fetches and parses first, through the poller's own fetcher (its
address guard applies) and parser; a web page is searched for its feeds (its
`<link rel="alternate">` and the usual paths), each candidate fetched and parsed too. A feed
is stored with its categories only once it is known to work, and polled at once: that first
poll records its entries without posting them (no backlog flood). Every change is written to
the audit log in the transaction that makes it. Nothing here chooses words: the handlers do.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import opml
from bot.admins import Person
from bot.errors import AddressNotAllowed, FeedError, ParseError
from bot.feeds.fetch import Fetcher, FetchResult
from bot.feeds.pages import PageReader
from bot.feeds.parse import ParsedFeed
from bot.feeds.poller import FeedOutcome, Poller
from bot.feeds.workers import ParserPool
from bot.news.dedupe import source_domain
from bot.news.formatter import Post, PostStyle
from bot.preview import FeedPreview, preview_feed, read_pages
from bot.text.arabic import normalise
from storage import admins as audit
from storage import catalog
from storage import feeds as feed_store
from storage import websub as websub_store
from storage.models import FEED_NAME_CHARS, LINK_CHARS, Category, Feed, utcnow

logger = logging.getLogger(__name__)

# The audit log's names of the actions.
FEED_ADD = "feed.add"
FEED_REMOVE = "feed.remove"
FEED_PAUSE = "feed.pause"
FEED_RESUME = "feed.resume"
FEED_ENABLE = "feed.enable"
FEED_CATEGORIES = "feed.categories"
FEED_INTERVAL = "feed.interval"

# Where sites keep their feed when a page does not link it.
COMMON_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml")
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})
MAX_CANDIDATES = 12  # feeds of one page tried, linked ones first
CHECKS_AT_ONCE = 4  # candidates (or OPML outlines) fetched at the same time
ACTIVITY_DAYS = 7  # "articles per day" is counted over this many days
# The intervals a feed's card offers (seconds); None is the deployment's POLL_INTERVAL_SECONDS.
INTERVALS: tuple[int | None, ...] = (300, 900, 3600, 21600, None)


class FeedProblem(enum.Enum):
    """Why a URL was not added (the handlers' text keys are `addfeed_<value>`)."""

    BAD_URL = "bad_url"
    URL_TOO_LONG = "url_too_long"
    UNKNOWN_CATEGORIES = "unknown_categories"
    ALREADY = "already"
    PRIVATE = "private"
    TIMEOUT = "timeout"
    HTTP = "http"
    UNREACHABLE = "unreachable"
    TOO_LARGE = "too_large"
    NOT_A_FEED = "not_a_feed"
    FAILED = "failed"


def feed_title(name: str | None, url: str) -> str:
    """What a feed is called: the operator's name for it, else its site's domain."""
    return name or source_domain(url) or url


class Health(enum.Enum):
    NEW = "new"  # not polled yet
    OK = "ok"
    FAILING = "failing"
    PAUSED = "paused"
    DISABLED = "disabled"


def problem_of(error: FeedError) -> FeedProblem:
    """The kind of a fetch or parse failure, from the fetcher's and the parser's errors."""
    if isinstance(error, AddressNotAllowed):
        return FeedProblem.PRIVATE
    if isinstance(error, ParseError):
        return FeedProblem.NOT_A_FEED
    message = str(error)
    kinds = (
        ("timed out", FeedProblem.TIMEOUT),
        ("HTTP ", FeedProblem.HTTP),
        ("network error", FeedProblem.UNREACHABLE),
        ("body larger", FeedProblem.TOO_LARGE),
        ("not a valid URL", FeedProblem.BAD_URL),
        ("not an http(s) URL", FeedProblem.BAD_URL),
    )
    for prefix, kind in kinds:
        if message.startswith(prefix):
            return kind
    return FeedProblem.FAILED


class _FeedLinks(HTMLParser):
    """The `<link rel="alternate" type="application/rss+xml|atom+xml" href>` of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href", "").strip():
            self.hrefs.append(values["href"].strip())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def feed_candidates(page: bytes, page_url: str) -> list[str]:
    """The feeds a page may have: its linked ones (resolved against the page's URL), then
    the common paths of its site; http(s) only, each once, no longer than the URL column,
    at most MAX_CANDIDATES."""
    finder = _FeedLinks()
    try:
        finder.feed(page[:1_000_000].decode("utf-8", errors="replace"))
        finder.close()
    except Exception:  # a page too broken to read still has the common paths
        logger.info("could not read the links of %s", page_url)
    linked = [urljoin(page_url, href) for href in finder.hrefs]
    common = [urljoin(page_url, path) for path in COMMON_PATHS]
    found: list[str] = []
    for url in [*linked, *common]:
        url = url.split("#", 1)[0]
        usable = urlsplit(url).scheme in {"http", "https"} and len(url) <= LINK_CHARS
        if usable and url != page_url and url not in found:
            found.append(url)
    return found[:MAX_CANDIDATES]


@dataclass(frozen=True)
class Checked:
    """A URL that fetched and parsed as a feed."""

    url: str
    parsed: ParsedFeed
    fetched_at: datetime

    @property
    def title(self) -> str:
        return self.parsed.title or source_domain(self.url) or self.url


@dataclass(frozen=True)
class FeedLine:
    """A feed as /feeds and its card show it."""

    id: int
    url: str
    name: str | None
    health: Health
    last_error: str | None
    failing_since: datetime | None
    failures: int
    last_article_at: datetime | None
    per_day: float
    interval: int | None  # seconds; None: the deployment's default
    categories: tuple[tuple[int, str], ...]
    # Its hub pushes its new entries (WebSub): polled only now and then.
    pushed: bool = False

    @property
    def title(self) -> str:
        return feed_title(self.name, self.url)


@dataclass(frozen=True)
class FeedsPage:
    lines: list[FeedLine]
    offset: int
    limit: int
    next_offset: int | None
    total: int


@dataclass
class AddResult:
    """What /addfeed did: the feed added, several found to choose from, or why nothing."""

    url: str
    problem: FeedProblem | None = None
    detail: str | None = None  # the fetcher's or parser's words, or the unknown names
    feed: FeedLine | None = None
    entries: int = 0
    post: Post | None = None  # its newest entry, as it would be posted
    candidates: list[Checked] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)  # for the one chosen of them
    found_on: str | None = None  # the page it was found on

    @property
    def added(self) -> bool:
        return self.feed is not None


@dataclass(frozen=True)
class PreviewResult:
    """What /preview found: the entries as they would be posted, several feeds on a page to
    choose from, or why the URL cannot be read."""

    url: str
    shown: FeedPreview | None = None
    candidates: list[Checked] = field(default_factory=list)
    problem: FeedProblem | None = None
    detail: str | None = None


@dataclass
class ImportReport:
    """What an OPML import did with each of its feeds."""

    total: int
    added: list[AddResult] = field(default_factory=list)
    already: list[AddResult] = field(default_factory=list)
    failed: list[AddResult] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.added) + len(self.already) + len(self.failed)


@dataclass(frozen=True)
class PollReport:
    """A poll an operator asked for: what it found, and the feed after it."""

    feed: FeedLine
    outcome: FeedOutcome | None  # None: not polled (paused, disabled or gone)


def feed_state(feed: Feed) -> dict[str, Any]:
    """A feed as the audit log keeps it, before or after a change."""
    return {
        "id": feed.id,
        "url": feed.url,
        "name": feed.name,
        "categories": sorted(category.name for category in feed.categories),
        "paused": feed.paused,
        "disabled": feed.disabled,
        "interval": feed.poll_interval_seconds,
    }


def _health(feed: Feed) -> Health:
    if feed.disabled:
        return Health.DISABLED
    if feed.paused:
        return Health.PAUSED
    if feed.error_count or feed.internal_error_count:
        return Health.FAILING
    return Health.OK if feed.primed else Health.NEW


def _words(raw: Sequence[str]) -> list[str]:
    """Category words as typed: "سوريا_محلي", "#سياسة", "سياسة،اقتصاد" split and cleaned."""
    words: list[str] = []
    for part in raw:
        for piece in part.replace("،", ",").split(","):
            words += piece.replace("_", " ").replace("#", " ").split()
    return words


class SourceService:
    """Feeds added, listed, paused, edited, polled and removed by the operators."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        fetcher: Fetcher,
        parsers: ParserPool,
        poller: Poller,
        style: PostStyle,
        *,
        pages: PageReader | None = None,
        summary_chars: int = 400,
        wake: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        # Called after a pushed feed's removal: the services start a renewal round.
        self.left: Callable[[], None] = lambda: None
        self.sessions = sessions
        self.fetcher = fetcher
        self.parsers = parsers
        self.poller = poller
        self.style = style
        self.pages = pages  # thin entries are previewed with their article page's text
        self.summary_chars = summary_chars
        self.wake = wake  # the sender: deliveries were planned
        self.clock = clock
        self._checks = asyncio.Semaphore(CHECKS_AT_ONCE)

    # ------------------------------------------------------------------ checking

    async def _fetch(self, url: str) -> FetchResult:
        async with self._checks:
            return await self.fetcher.fetch(url)

    async def _parse(self, url: str, result: FetchResult) -> Checked:
        fetched_at = self.clock()
        parsed = await self.parsers.parse(result.body, fetched_at, self.summary_chars)
        if not parsed.entries and parsed.warning:
            # Broken XML that yields nothing: an operator adding it would wait for nothing.
            raise ParseError(f"no entries, and the XML is broken ({parsed.warning})")
        return Checked(url, parsed, fetched_at)

    async def check(self, url: str) -> Checked:
        """Fetch and parse the URL as a feed; raise FeedError with the reason."""
        return await self._parse(url, await self._fetch(url))

    async def _try(self, url: str) -> Checked | None:
        try:
            return await self.check(url)
        except FeedError:
            return None
        except Exception:  # a candidate that breaks the parser is no candidate
            logger.exception("checking the feed candidate %s failed", url)
            return None

    async def find(self, url: str) -> Checked | list[Checked]:
        """The feed at the URL, or the feeds found on the page there (none: ParseError)."""
        result = await self._fetch(url)
        try:
            return await self._parse(url, result)
        except ParseError as not_a_feed:
            candidates = feed_candidates(result.body, result.url)
            found = [c for c in await asyncio.gather(*map(self._try, candidates)) if c]
            if not found:
                raise not_a_feed from None
            # The same feed under two addresses (a link and a common path) is offered once.
            unique: dict[tuple[str, int], Checked] = {}
            for checked in found:
                unique.setdefault((checked.title, len(checked.parsed.entries)), checked)
            return list(unique.values())

    # ------------------------------------------------------------------ adding

    async def _labels(self) -> dict[str, Category]:
        """Every category by its normalised name and aliases."""
        async with self.sessions() as session:
            rows = await catalog.all_categories(session)
        labels: dict[str, Category] = {}
        for category in rows:
            for label in (category.name, *(category.aliases or ())):
                if key := normalise(label):
                    labels.setdefault(key, category)
        return labels

    async def _categories(self, words: Sequence[str]) -> tuple[list[Category], list[str]]:
        """The categories named by these words (names or aliases, several words each), and
        the words that name none."""
        labels = await self._labels()
        words = _words(words)
        found: list[Category] = []
        unknown: list[str] = []
        start = 0
        while start < len(words):
            for end in range(len(words), start, -1):  # the longest name first
                named = labels.get(normalise(" ".join(words[start:end])))
                if named is not None:
                    if named not in found:
                        found.append(named)
                    start = end
                    break
            else:
                unknown.append(words[start])
                start += 1
        return found, unknown

    async def add(self, actor: Person, url: str, category_words: Sequence[str]) -> AddResult:
        """Check the URL and, if it is a feed (or a page with one feed), store it."""
        url = url.strip()
        if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).netloc:
            return AddResult(url, FeedProblem.BAD_URL)
        if len(url) > LINK_CHARS:
            return AddResult(url, FeedProblem.URL_TOO_LONG, str(LINK_CHARS))
        categories, unknown = await self._categories(category_words)
        if unknown:
            return AddResult(url, FeedProblem.UNKNOWN_CATEGORIES, "، ".join(unknown))
        if await self._stored(url):
            return AddResult(url, FeedProblem.ALREADY)
        try:
            found = await self.find(url)
        except FeedError as exc:
            return AddResult(url, problem_of(exc), str(exc))
        if isinstance(found, list) and len(found) > 1:
            return AddResult(url, candidates=found, category_ids=[c.id for c in categories])
        checked = found[0] if isinstance(found, list) else found
        result = await self.store(actor, checked, categories)
        if checked.url != url:
            result.found_on = url
        return result

    async def add_candidate(
        self, actor: Person, url: str, category_ids: Sequence[int]
    ) -> AddResult:
        """Add one of the feeds a page offered (checked again: time has passed)."""
        if await self._stored(url):
            return AddResult(url, FeedProblem.ALREADY)
        try:
            checked = await self.check(url)
        except FeedError as exc:
            return AddResult(url, problem_of(exc), str(exc))
        async with self.sessions() as session:
            rows = await catalog.all_categories(session)
        categories = [category for category in rows if category.id in category_ids]
        return await self.store(actor, checked, categories)

    async def _stored(self, url: str) -> bool:
        async with self.sessions() as session:
            return await feed_store.feed_by_url(session, url) is not None

    async def store(
        self,
        actor: Person,
        checked: Checked,
        categories: Sequence[Category],
        *,
        preview: bool = True,
    ) -> AddResult:
        """Store a checked feed (audited), prime it with a first poll, and preview it."""
        if len(checked.url) > LINK_CHARS:  # where a redirect or a page led, past the column
            return AddResult(checked.url, FeedProblem.URL_TOO_LONG, str(LINK_CHARS))
        name = checked.parsed.title[:FEED_NAME_CHARS] or None
        try:
            async with self.sessions.begin() as session:
                if await feed_store.feed_by_url(session, checked.url) is not None:
                    return AddResult(checked.url, FeedProblem.ALREADY)
                stored = list(await catalog.all_categories(session))
                chosen = [c for c in stored if c.id in {category.id for category in categories}]
                feed = await feed_store.add_feed(
                    session, checked.url, name=name, categories=chosen, now=self.clock()
                )
                await self._record(session, actor, FEED_ADD, None, feed_state(feed))
                feed_id = feed.id
        except IntegrityError:  # another operator added it at the same moment
            return AddResult(checked.url, FeedProblem.ALREADY)
        # The first poll records the entries without posting them.
        await self.poller.poll_feed(feed_id)
        line = await self.line(feed_id)
        shown = await self._preview(checked) if preview else None
        post = shown.items[0].post if shown and shown.items else None
        return AddResult(checked.url, feed=line, entries=len(checked.parsed.entries), post=post)

    async def _preview(self, checked: Checked, limit: int = 1) -> FeedPreview:
        """The newest entries as the feed's channels would get them."""
        parsed = await read_pages(checked.parsed, limit, self.pages)  # no connection held
        async with self.sessions() as session:
            return await preview_feed(
                session, parsed, checked.url, checked.fetched_at, self.style, limit
            )

    async def preview(self, url: str, limit: int) -> PreviewResult:
        """/preview URL: the feed's newest entries as they would be posted, where they would
        go; or the feeds found on the page there; or why it cannot be read. Nothing is
        stored, and the fetcher's address guard applies."""
        url = url.strip()
        if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).netloc:
            return PreviewResult(url, problem=FeedProblem.BAD_URL)
        if len(url) > LINK_CHARS:
            return PreviewResult(url, problem=FeedProblem.URL_TOO_LONG, detail=str(LINK_CHARS))
        try:
            found = await self.find(url)
        except FeedError as exc:
            return PreviewResult(url, problem=problem_of(exc), detail=str(exc))
        if isinstance(found, list) and len(found) > 1:
            return PreviewResult(url, candidates=found)
        checked = found[0] if isinstance(found, list) else found
        return PreviewResult(url, shown=await self._preview(checked, limit))

    async def _record(
        self, session: AsyncSession, actor: Person, action: str, before: Any, after: Any
    ) -> None:
        await audit.record(
            session, actor_id=actor.user_id, actor_name=actor.name, action=action,
            before=before, after=after, at=self.clock(),
        )  # fmt: skip

    # ------------------------------------------------------------------ the list

    async def _lines(self, session: AsyncSession, feeds: Sequence[Feed]) -> list[FeedLine]:
        since = self.clock() - timedelta(days=ACTIVITY_DAYS)
        activity = await feed_store.article_activity(session, [f.id for f in feeds], since)
        pushed = await self.poller.pushed(session, [f.id for f in feeds], self.clock())
        lines = []
        for feed in feeds:
            newest, recent = activity.get(feed.id, (None, 0))
            lines.append(
                FeedLine(
                    id=feed.id,
                    url=feed.url,
                    name=feed.name,
                    health=_health(feed),
                    last_error=feed.last_error,
                    failing_since=feed.failing_since,
                    failures=max(feed.error_count, feed.internal_error_count),
                    last_article_at=newest,
                    per_day=recent / ACTIVITY_DAYS,
                    interval=feed.poll_interval_seconds,
                    categories=tuple((c.id, c.name) for c in feed.categories),
                    pushed=feed.id in pushed,
                )
            )
        return lines

    async def page(self, offset: int, limit: int) -> FeedsPage:
        """A page of every feed, the earliest added first."""
        async with self.sessions() as session:
            total = await feed_store.feed_count(session)
            feeds = await feed_store.feeds_page(session, offset, limit)
            lines = await self._lines(session, feeds)
        more = offset + limit if offset + limit < total else None
        return FeedsPage(lines, offset, limit, more, total)

    async def troubled(self, limit: int) -> tuple[list[FeedLine], int]:
        """Feeds failing now or disabled after failing (at most `limit`), and how many."""
        async with self.sessions() as session:
            feeds, total = await feed_store.troubled_feeds(session, limit)
            return await self._lines(session, feeds), total

    async def line(self, feed_id: int) -> FeedLine | None:
        async with self.sessions() as session:
            feed = await feed_store.feed_by_id(session, feed_id)
            return None if feed is None else (await self._lines(session, [feed]))[0]

    async def categories(self) -> list[tuple[int, str]]:
        async with self.sessions() as session:
            return [(c.id, c.name) for c in await catalog.all_categories(session)]

    # ------------------------------------------------------------------ changes

    async def _change(
        self, actor: Person, feed_id: int, action: str, apply: Callable[[Feed], bool]
    ) -> FeedLine | None:
        """Apply a change to the feed and audit it (when `apply` says it changed anything)."""
        async with self.sessions.begin() as session:
            feed = await feed_store.feed_by_id(session, feed_id)
            if feed is None:
                return None
            before = feed_state(feed)
            if apply(feed):
                await session.flush()
                await self._record(session, actor, action, before, feed_state(feed))
        return await self.line(feed_id)

    async def pause(self, actor: Person, feed_id: int) -> FeedLine | None:
        def paused(feed: Feed) -> bool:
            changed, feed.paused = not feed.paused, True
            return changed

        return await self._change(actor, feed_id, FEED_PAUSE, paused)

    async def resume(self, actor: Person, feed_id: int) -> FeedLine | None:
        """Poll the feed again, due at once."""
        now = self.clock()

        def resumed(feed: Feed) -> bool:
            changed, feed.paused = feed.paused, False
            if changed:
                feed.next_poll_at = now
            return changed

        line = await self._change(actor, feed_id, FEED_RESUME, resumed)
        self.poller.reschedule()
        return line

    async def set_interval(
        self, actor: Person, feed_id: int, seconds: int | None
    ) -> FeedLine | None:
        def interval(feed: Feed) -> bool:
            changed = feed.poll_interval_seconds != seconds
            feed.poll_interval_seconds = seconds
            return changed

        line = await self._change(actor, feed_id, FEED_INTERVAL, interval)
        self.poller.reschedule()
        return line

    async def toggle_category(
        self, actor: Person, feed_id: int, category_id: int
    ) -> FeedLine | None:
        """The category joins the feed's defaults, or leaves them (None: no such feed)."""
        async with self.sessions.begin() as session:
            category = await session.get(Category, category_id)
            feed = await feed_store.feed_by_id(session, feed_id)
            if feed is None or category is None:
                return None
            before = feed_state(feed)
            if category in feed.categories:
                feed.categories.remove(category)
            else:
                feed.categories.append(category)
            await session.flush()
            await self._record(session, actor, FEED_CATEGORIES, before, feed_state(feed))
        return await self.line(feed_id)

    async def remove(self, actor: Person, feed_id: int) -> FeedLine | None:
        """Delete the feed and its articles (audited); None when it was gone already."""
        line = await self.line(feed_id)
        async with self.sessions.begin() as session:
            feed = await feed_store.feed_by_id(session, feed_id)
            if feed is None or line is None:
                return None
            before = feed_state(feed)
            # Its hub is told to stop pushing (WebSub), by the next renewal round.
            unsubscribe = await websub_store.leave_feed(session, feed_id, self.clock())
            if not await feed_store.remove_feed(session, feed_id):
                return None  # another admin removed it meanwhile
            await self._record(session, actor, FEED_REMOVE, before, None)
        if unsubscribe:
            self.left()
        return line

    async def poll_now(self, feed_id: int) -> PollReport | None:
        """Poll the feed now (the sender is woken for what it planned)."""
        outcome = await self.poller.poll_feed(feed_id)
        if outcome is not None and (outcome.planned or outcome.same_story or outcome.shared):
            self.wake()
        line = await self.line(feed_id)
        return None if line is None else PollReport(line, outcome)

    async def retry(self, actor: Person, feed_id: int) -> PollReport | None:
        """Enable a disabled feed again (its failures forgotten, audited) and poll it."""

        def enabled(feed: Feed) -> bool:
            if not feed.disabled:
                return False
            feed.disabled = False
            feed.error_count = feed.internal_error_count = 0
            feed.next_poll_at = self.clock()
            return True

        if await self._change(actor, feed_id, FEED_ENABLE, enabled) is None:
            return None
        return await self.poll_now(feed_id)

    # ------------------------------------------------------------------ OPML

    async def import_opml(
        self,
        actor: Person,
        data: bytes,
        progress: Callable[[int, int], Awaitable[None]] | None = None,
    ) -> ImportReport:
        """Add every feed of an OPML file that works (checked as /addfeed checks, a few at a
        time), filed under the categories its folders and `category` name (the unknown ones
        are left out); `progress(done, total)` after each. OpmlError: not a readable OPML."""
        outlines: list[opml.Outline] = []
        seen: set[str] = set()
        for outline in opml.parse_opml(data):  # a URL listed twice is imported once
            if outline.url not in seen:
                seen.add(outline.url)
                outlines.append(outline)
        labels = await self._labels()
        report = ImportReport(total=len(outlines))

        async def one(outline: opml.Outline) -> None:
            chosen = list(
                dict.fromkeys(
                    labels[key] for name in outline.categories if (key := normalise(name)) in labels
                )
            )
            result = await self._import_one(actor, outline.url, chosen)
            if result.added:
                report.added.append(result)
            elif result.problem is FeedProblem.ALREADY:
                report.already.append(result)
            else:
                report.failed.append(result)
            if progress is not None:
                await progress(report.done, report.total)

        await asyncio.gather(*map(one, outlines))
        return report

    async def _import_one(self, actor: Person, url: str, categories: list[Category]) -> AddResult:
        if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).netloc:
            return AddResult(url, FeedProblem.BAD_URL)
        if len(url) > LINK_CHARS:
            return AddResult(url, FeedProblem.URL_TOO_LONG, str(LINK_CHARS))
        if await self._stored(url):
            return AddResult(url, FeedProblem.ALREADY)
        try:
            checked = await self.check(url)
        except FeedError as exc:
            return AddResult(url, problem_of(exc), str(exc))
        except Exception as exc:  # one bad outline never stops an import
            logger.exception("importing the feed %s failed", url)
            return AddResult(url, FeedProblem.FAILED, type(exc).__name__)
        return await self.store(actor, checked, categories, preview=False)

    async def export_opml(self, title: str) -> tuple[bytes, int]:
        """Every feed as OPML, in folders by category; and how many there are."""
        async with self.sessions() as session:
            feeds = await feed_store.all_feeds(session)
            exported = [
                opml.ExportedFeed(
                    feed.url,
                    feed_title(feed.name, feed.url),
                    sorted(category.name for category in feed.categories),
                )
                for feed in feeds
            ]
        return opml.render_opml(exported, title), len(exported)

"""Searching the archive: a reader's query in, a page of articles out.

Ranking a news archive (DESIGN.md §2): exact all-time relevance over common words costs
seconds at a million articles, so a search takes the newest `recent_matches` articles that
match, newest first (an index walk the engines do in milliseconds), and ranks only those:
relevance (each required word weighs its inverse document frequency, ten times more when the
title has it) blended with recency. The same ranking on both engines: the index says which
words each candidate's title has, and the rest is computed here. Words that a large
share of the archive has (its own stopwords, from `search_terms`) are not required, unless
the query has nothing else.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import SearchTimeout
from bot.news.formatter import PostSource
from bot.news.search import ParsedQuery, parse_query
from bot.text.arabic import prefix_variants, tokens
from storage import search as index
from storage.models import utcnow

# Results on one page at most (Telegram's inline answers take 50).
MAX_PAGE = 50
# A search has one deadline (monotonic), which every statement's limit is taken from; asyncio
# abandons it this little past the deadline, should the engine not have cut it off (waiting
# for a connection from the pool, say).
_GUARD = 0.05
# Weight of recency next to relevance (the best match of a search has relevance 1): a fresh
# text hit stays below an old title hit, and among hits alike the newer comes first.
RECENCY_WEIGHT = 0.3
# A query word in the title weighs this many times the same word in the text only.
TITLE_WEIGHT = 10.0
# How long an archive size or a term's document frequency is used before it is read again,
# and how many terms' frequencies are kept.
_CACHE_SECONDS = 60.0
_CACHE_TERMS = 50_000


@dataclass(frozen=True)
class SearchSettings:
    """How searches run; from SEARCH_* settings (bot/services.py)."""

    timeout: float = 0.8  # seconds; an inline answer must come within one
    recent_matches: int = 300  # K: the newest matches that are ranked
    stopword_share: float = 0.1  # a term in more than this share of articles is a stopword
    # A half-typed word matches its most frequent completions, this many at most.
    prefix_completions: int = 64
    # Below this many articles, shares say nothing and no word is a stopword.
    stopword_min_articles: int = 1000
    recency_half_life: timedelta = timedelta(days=3)


@dataclass(frozen=True)
class _Plan:
    """How a query is searched: the match, whether to rank it, about how many articles match
    (None when unknown), and the weight of each of the match's groups."""

    match: index.Match
    rank: bool
    expected: int | None
    weights: tuple[float, ...]


def _idf(df: int, size: int) -> float:
    """A word's weight: BM25's inverse document frequency (rarer words weigh more)."""
    return math.log(1 + (size - df + 0.5) / (df + 0.5))


@dataclass(frozen=True)
class Hit:
    """One article found, ready for the formatter."""

    article_id: int
    source: PostSource
    published_at: datetime  # aware UTC
    image_url: str | None  # None until articles store images


@dataclass(frozen=True)
class SearchPage:
    hits: tuple[Hit, ...]
    offset: int
    next_offset: int | None  # None at the end
    query: ParsedQuery


class SearchService:
    """Searches and latest headlines, each in its own read-only transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: SearchSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        # Archive size and document frequencies change slowly next to searches: read at most
        # once a minute, they save every search two queries (and on SQLite two trips to the
        # connection's thread).
        self._size: tuple[float, int] | None = None
        self._frequencies: dict[str, tuple[float, int]] = {}
        self._completed: dict[tuple[str, ...], tuple[float, tuple[tuple[str, int], ...]]] = {}

    # The time limit is a parameter (api.md): it is the engines' own (statement_timeout, an
    # SQLite interrupt), which asyncio.timeout around the call could not give.
    async def search(
        self,
        raw: str,
        *,
        offset: int = 0,
        limit: int = 5,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> SearchPage:
        """One page of the articles that match `raw` (the latest within its filters when it
        has no words). Raises SearchTimeout when cut off; `timeout` defaults to
        SEARCH_TIMEOUT_SECONDS."""
        query = parse_query(raw)
        offset, limit = max(0, offset), max(1, min(limit, MAX_PAGE))
        seconds = self.settings.timeout if timeout is None else timeout
        return await self._within(seconds, lambda s: self._page(s, query, offset, limit))

    async def _within(
        self, seconds: float, work: Callable[[AsyncSession], Awaitable[SearchPage]]
    ) -> SearchPage:
        """Run `work` in a read transaction that ends by one deadline, `seconds` from now."""
        deadline = time.monotonic() + seconds
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(loop.time() + seconds + _GUARD):
                async with self.sessions.begin() as session:
                    async with index.time_limit(session, deadline=deadline):
                        return await work(session)
        except TimeoutError:
            raise SearchTimeout(f"search cut off after {seconds:g} s") from None

    async def latest(
        self,
        *,
        category: str | None = None,
        offset: int = 0,
        limit: int = 5,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> SearchPage:
        """The newest articles, of one category (matched by the start of its name) or all.
        Raises SearchTimeout when cut off, as search does."""
        name = " ".join(tokens(category or ""))
        query = ParsedQuery(
            terms=(), prefix=None, categories=(name,) if name else (), sources=(), text=name
        )
        offset, limit = max(0, offset), max(1, min(limit, MAX_PAGE))
        seconds = self.settings.timeout if timeout is None else timeout
        return await self._within(seconds, lambda s: self._page(s, query, offset, limit))

    async def _page(
        self, session: AsyncSession, query: ParsedQuery, offset: int, limit: int
    ) -> SearchPage:
        filters = index.Filters(
            category_ids=(
                await index.category_ids_by_prefix(session, query.categories)
                if query.categories
                else None
            ),
            sources=query.sources or None,
        )
        if query.empty:
            ids = await index.latest_ids(session, filters, offset=offset, limit=limit + 1)
        else:
            plan = await self._match(session, query)
            # Unranked (only common words), the newest matches are the page: no more are read.
            wanted = self.settings.recent_matches if plan.rank else offset + limit + 1
            found = await index.newest_matches(
                session,
                plan.match,
                filters,
                limit=wanted,
                rank=plan.rank,
                expected=plan.expected,
                newest_id=await self._archive_size(session),
            )
            ranked = self._rank(found, plan.weights) if plan.rank else [c.article_id for c in found]
            ids = ranked[offset : offset + limit + 1]
        more = len(ids) > limit
        hits = await self._hits(session, ids[:limit])
        return SearchPage(hits, offset, offset + limit if more else None, query)

    async def _match(self, session: AsyncSession, query: ParsedQuery) -> _Plan:
        """What the engine must find, whether it is worth ranking, about how many articles
        match, and the weight of each required word."""
        typed = None
        completions = None
        completed: tuple[tuple[str, int], ...] = ()
        if query.prefix is not None:
            typed = (query.terms[-1], prefix_variants(query.prefix))
            completed = await self._completions(session, typed[1])
            completions = tuple(term for term, _ in completed)
        plain = query.terms[:-1] if typed is not None else query.terms
        size = await self._archive_size(session)
        if size < self.settings.stopword_min_articles:
            match = index.Match(plain, typed, completions)
            return _Plan(match, True, None, (1.0,) * len(match.groups))
        frequencies = await self._document_frequencies(session, query.terms)
        most = self.settings.stopword_share * size
        kept = tuple(term for term in plain if frequencies.get(term, 0) <= most)
        # About how many articles have every required word, taken as independent: the share
        # of each (a half-typed word's, its completions' together) multiplied. The rarest
        # word's own count overestimated it, and PostgreSQL's first window of newest ids,
        # sized from it, fell short and was widened in a third of the searches.
        # A half-typed word counts as the articles of its completions together, both here and
        # for its weight (its own string is seldom a term: as such it would weigh the most).
        dfs = {term: frequencies.get(term, 0) for term in kept}
        if typed is not None:
            others = sum(df for term, df in completed if term != typed[0])
            dfs[typed[0]] = min(size, frequencies.get(typed[0], 0) + others)
        expected = round(size * math.prod(df / size for df in dfs.values()))
        if kept or typed is not None:
            match = index.Match(kept, typed, completions)
            weights = tuple(_idf(dfs[term], size) for term, _ in match.groups)
            return _Plan(match, True, expected, weights)
        # Only common words: all of them required, newest first.
        expected = min(frequencies.get(term, 0) for term in plain)
        return _Plan(index.Match(plain), False, expected, ())

    async def _completions(
        self, session: AsyncSession, prefixes: tuple[str, ...]
    ) -> tuple[tuple[str, int], ...]:
        """The half-typed word's most frequent completions and their document frequencies,
        read at most once a minute."""
        now = time.monotonic()
        cached = self._completed.get(prefixes)
        if cached is None or now - cached[0] > _CACHE_SECONDS:
            if len(self._completed) > _CACHE_TERMS:
                self._completed.clear()
            found = await index.completions(
                session, prefixes, limit=self.settings.prefix_completions
            )
            self._completed[prefixes] = cached = (now, found)
        return cached[1]

    async def _archive_size(self, session: AsyncSession) -> int:
        now = time.monotonic()
        if self._size is None or now - self._size[0] > _CACHE_SECONDS:
            self._size = (now, await index.archive_size(session))
        return self._size[1]

    async def _document_frequencies(
        self, session: AsyncSession, terms: Sequence[str]
    ) -> dict[str, int]:
        now = time.monotonic()
        cached = {t: hit for t in terms if (hit := self._frequencies.get(t)) is not None}
        missing = [t for t in terms if t not in cached or now - cached[t][0] > _CACHE_SECONDS]
        if missing:
            if len(self._frequencies) > _CACHE_TERMS:
                self._frequencies.clear()
            found = await index.document_frequencies(session, missing)
            for term in missing:
                self._frequencies[term] = cached[term] = (now, found.get(term, 0))
        return {term: df for term, (_, df) in cached.items()}

    def _rank(self, found: Sequence[index.Candidate], weights: Sequence[float]) -> list[int]:
        """Relevance (each required word's weight, TITLE_WEIGHT times more when the title has
        it) blended with recency; the best match of the search has relevance 1."""
        if not found:
            return []
        title_bonus = [
            (1 << bit, weight * (TITLE_WEIGHT - 1)) for bit, weight in enumerate(weights)
        ]
        base = sum(weights)

        def relevance(candidate: index.Candidate) -> float:
            hits = candidate.title_hits
            return base + sum(bonus for bit, bonus in title_bonus if hits & bit)

        scores = [relevance(candidate) for candidate in found]
        best = max(scores) or 1.0
        now = self.clock().timestamp()
        decay = math.log(2) / self.settings.recency_half_life.total_seconds()
        ranked = sorted(
            zip(scores, found, strict=True),
            key=lambda pair: (
                pair[0] / best
                + RECENCY_WEIGHT * math.exp(-decay * max(0.0, now - pair[1].published)),
                pair[1].article_id,
            ),
            reverse=True,
        )
        return [candidate.article_id for _, candidate in ranked]

    @staticmethod
    async def _hits(session: AsyncSession, ids: Sequence[int]) -> tuple[Hit, ...]:
        articles = await index.page_articles(session, ids)
        return tuple(
            Hit(article.id, _post_source(article), article.published_at, None)
            for article in (articles[article_id] for article_id in ids if article_id in articles)
        )


def _post_source(article: index.PageArticle) -> PostSource:
    """What the formatter needs, as bot/news/formatter.post_source takes it from an Article."""
    return PostSource(
        headline=article.headline,
        original_title=article.original_title,
        text=article.text,
        summary=article.summary,
        link=article.link,
        source_domain=article.source_domain,
        fetched_at=article.fetched_at,
        categories=article.categories,
    )

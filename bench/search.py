"""Search benchmark: 200 mixed queries over a generated archive of Arabic articles.

    python -m bench.search [--articles 1000000] [--words 150] [--queries 200]
                           [--postgres postgresql+asyncpg://user@host/db] [--no-sqlite]
                           [--keep] [--save-queries FILE]
    python -m bench.search --queries-file FILE [--reuse-sqlite FILE]
                           [--postgres URL --reuse-postgres SCHEMA]   (a kept archive)

1. Generate the archive (fixed seed: every run stores the same articles): Arabic news
   vocabulary (bench/vocabulary.py) with its clitic forms and a long tail of foreign names,
   Zipf word frequencies, diacritics in a share of the articles, ids in time order
   (published_at increasing), categories and sources. The articles are loaded in bulk into the
   schema as it was before the search index (revision BASE_REVISION): SQLAlchemy executemany on
   SQLite, COPY on PostgreSQL (a new schema in the given database, dropped afterwards).
2. Build the index by migrating to head (the search migration indexes existing rows): build
   time, and its size (what each table and index grew by).
3. Queries, all warm (one unmeasured pass of ours first): Nashra's `SearchService.search`, and
   in the same run on the same queries the baselines: `LIKE '%word%'` over the raw headline
   and text (newest first; the first `--like-queries`, as each costs seconds at 1M) and plain
   relevance over all matches on the same index (FTS5 `ORDER BY bm25`, PostgreSQL
   `ORDER BY ts_rank_cd`; the first `--rank-queries`). Baselines fetch ids only; ours returns
   the hits ready to format, so the ratios are conservative.

Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, column, insert, table, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench import vocabulary
from bench.schemas import scratch_schema
from bot.news.search import parse_query
from bot.search import TITLE_WEIGHT, SearchService, SearchSettings
from bot.text.arabic import prefix_variants
from storage import search as search_index
from storage.db import make_engine, make_sessions, upgrade
from storage.models import Article, article_categories
from storage.search import Match

# Articles are loaded into the schema as it was before the search index, and the index is then
# built by the migration to head, as it is for an existing archive.
BASE_REVISION = "0004"
CHUNK = 5000
SEED = 7
# ts_rank_cd's weights {D, C, B, A}, as ours ranks: a title hit (A) counts ten text hits (B).
TS_WEIGHTS = "{0, 0, 0.1, 1.0}"

FATHA, DAMMA, KASRA, SUKUN, SHADDA, TANWEEN_FATH = "\u064e\u064f\u0650\u0652\u0651\u064b"
_LONG_VOWELS = frozenset("اوىي")

FUNCTION_SHARE = 0.3  # of the words of a text; titles have fewer
TITLE_FUNCTION_SHARE = 0.12
FOREIGN_NAMES = 20_000
# The foreign names continue the Zipf ranks after the real words, damped so that they are about
# 3 % of the content words (undamped, 20,000 names would take a third of every text).
FOREIGN_WEIGHT = 0.03
ZIPF_EXPONENT = 1.0
# Zipf-Mandelbrot offset of the content words: the function words are the head of the
# distribution, so the most frequent noun is about 0.5 % of the words, as in news text.
ZIPF_OFFSET = 50
# Words of at least this lemma rank are rare (at 1M articles, each in under 0.1 % of them).
RARE_RANK = 1500


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def diacritise(word: str, rng: random.Random) -> str:
    """The word with vowel marks on some letters, as news writes them for emphasis or clarity."""
    out: list[str] = []
    for index, letter in enumerate(word):
        out.append(letter)
        last = index == len(word) - 1
        if letter in _LONG_VOWELS or not "\u0621" <= letter <= "\u064a":
            if last and letter == "ا" and len(word) > 3 and rng.random() < 0.5:
                out.append(TANWEEN_FATH)  # انسحاباً
            continue
        roll = rng.random()
        if roll < 0.06:
            out.append(SHADDA + FATHA)
        elif roll < 0.4:
            out.append(rng.choice((FATHA, DAMMA, KASRA, SUKUN)))
    return "".join(out)


def with_marks(word: str, rng: random.Random) -> str:
    """The word with at least one mark (a query "with diacritics")."""
    marked = diacritise(word, rng)
    return marked if marked != word else word[0] + FATHA + word[1:]


@dataclass(frozen=True)
class Word:
    form: str
    rank: int  # Zipf rank of the word's lemma among its kind (function or content words)


@dataclass(frozen=True)
class Query:
    kind: str
    text: str


QUERY_KINDS = ("rare", "common", "2 words", "3 words", "diacritics", "prefix")


def _weighted(pairs: Sequence[tuple[Word, float]]) -> tuple[list[Word], list[float]]:
    words = [word for word, _ in pairs]
    cumulative: list[float] = []
    total = 0.0
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return words, cumulative


class Archive:
    """The generated archive: articles made in order from one seeded random stream."""

    def __init__(
        self, args: argparse.Namespace, feeds: Sequence[tuple[int, str]], categories: Sequence[int]
    ) -> None:
        self.count: int = args.articles
        self.words: int = args.words
        self.diacritics: float = args.diacritics
        self.end: datetime = args.end
        self.span = timedelta(days=args.days)
        self.rng = random.Random(args.seed)
        self.feeds = list(feeds)
        self.feed_weights = [1 / (rank + 2) for rank in range(len(feeds))]
        self.categories = list(categories)
        self.category_weights = [1 / (rank + 1.5) for rank in range(len(categories))]

        lemmas: list[tuple[str, str]] = []
        seen: set[str] = set()
        for kind, words in (
            ("noun", vocabulary.NOUNS),
            ("verb", vocabulary.VERBS),
            ("adjective", vocabulary.ADJECTIVES),
            ("name", vocabulary.PLACES),
            ("name", vocabulary.FIRST_NAMES),
            ("name", vocabulary.FAMILY_NAMES),
            ("name", vocabulary.ORGANISATIONS),
        ):
            for word in words:
                if word not in seen:
                    seen.add(word)
                    lemmas.append((word, kind))
        self.rng.shuffle(lemmas)
        real = len(lemmas)
        lemmas += [(name, "name") for name in vocabulary.foreign_names(FOREIGN_NAMES, self.rng)]

        function = [
            (Word(word, rank), 1 / (rank + 1) ** ZIPF_EXPONENT)
            for rank, word in enumerate(dict.fromkeys(vocabulary.FUNCTION_WORDS))
        ]
        content: list[tuple[Word, float]] = []
        for rank, (lemma, kind) in enumerate(lemmas):
            forms = vocabulary.surface_forms(lemma, kind)
            share = sum(weight for _, weight in forms)
            damping = 1 if rank < real else FOREIGN_WEIGHT
            lemma_weight = damping / (rank + 1 + ZIPF_OFFSET) ** ZIPF_EXPONENT
            content += [(Word(form, rank), lemma_weight * weight / share) for form, weight in forms]
        self.lemmas = lemmas
        function_total = sum(weight for _, weight in function)
        content_total = sum(weight for _, weight in content)

        def mix(function_share: float) -> tuple[list[Word], list[float]]:
            scale_function = function_share / function_total
            scale_content = (1 - function_share) / content_total
            return _weighted(
                [(w, x * scale_function) for w, x in function]
                + [(w, x * scale_content) for w, x in content]
            )

        self.body_words, self.body_cumulative = mix(FUNCTION_SHARE)
        self.title_words, self.title_cumulative = mix(TITLE_FUNCTION_SHARE)
        self.function_words = frozenset(word.form for word, _ in function)
        self.vocabulary_size = len(function) + len(content)

    def published_at(self, index: int) -> datetime:
        return self.end - self.span + self.span * (index + 1) / self.count

    def chunk(
        self, start: int, count: int
    ) -> tuple[list[dict[str, Any]], list[tuple[int, int]], list[list[Word]]]:
        """Articles start … start + count - 1: rows, (article id, category id), title words."""
        rng = self.rng
        lengths = [max(12, int(rng.gauss(self.words, self.words / 3))) for _ in range(count)]
        body = rng.choices(self.body_words, cum_weights=self.body_cumulative, k=sum(lengths))
        title_lengths = [rng.randint(6, 12) for _ in range(count)]
        titles = rng.choices(
            self.title_words, cum_weights=self.title_cumulative, k=sum(title_lengths)
        )
        feeds = rng.choices(self.feeds, weights=self.feed_weights, k=count)
        rows: list[dict[str, Any]] = []
        tags: list[tuple[int, int]] = []
        title_words: list[list[Word]] = []
        body_at = title_at = 0
        for offset in range(count):
            article_id = start + offset + 1
            words = body[body_at : body_at + lengths[offset]]
            body_at += lengths[offset]
            heading = titles[title_at : title_at + title_lengths[offset]]
            title_at += title_lengths[offset]
            title_words.append(heading)
            marked = rng.random() < self.diacritics
            title = self._text(heading, marked, sentences=False)
            article_text = self._text(words, marked, sentences=True)
            feed_id, domain = feeds[offset]
            when = self.published_at(start + offset)
            link = f"https://www.{domain}/archives/{article_id}"
            rows.append(
                {
                    "id": article_id,
                    "feed_id": feed_id,
                    "key": f"a{article_id}",
                    "canonical_link": link,
                    "link": link,
                    "original_title": title,
                    "headline": title,
                    "text": article_text,
                    "summary": article_text[: article_text.find(".", 120) + 1 or 200],
                    "source_domain": domain,
                    "language": "ar",
                    "published_at": when,
                    "fetched_at": when,
                }
            )
            first = rng.choices(self.categories, weights=self.category_weights)[0]
            tags.append((article_id, first))
            if rng.random() < 0.3:
                second = rng.choice(self.categories)
                if second != first:
                    tags.append((article_id, second))
        return rows, tags, title_words

    def _text(self, words: Sequence[Word], marked: bool, *, sentences: bool) -> str:
        rng = self.rng
        forms = [
            diacritise(w.form, rng) if marked and rng.random() < 0.35 else w.form for w in words
        ]
        if not sentences:
            return " ".join(forms)
        parts: list[str] = []
        at = 0
        while at < len(forms):
            length = rng.randint(8, 22)
            sentence = forms[at : at + length]
            at += length
            if len(sentence) > 6 and rng.random() < 0.4:
                comma = rng.randint(3, len(sentence) - 3)
                sentence[comma] += "،"
            parts.append(" ".join(sentence) + ".")
        return " ".join(parts)


def make_queries(archive: Archive, sources: dict[int, list[Word]], count: int) -> list[Query]:
    """`count` queries in a fixed mix, most of them taken from the titles of stored articles."""
    rng = random.Random(archive.count * 31 + 5)
    shares = {
        "rare": 0.2,
        "common": 0.15,
        "2 words": 0.2,
        "3 words": 0.15,
        "diacritics": 0.15,
        "prefix": 0.15,
    }
    plan: list[str] = []
    for kind, share in shares.items():
        plan += [kind] * round(share * count)
    plan = (plan + ["2 words"] * count)[:count]
    titles = [
        [w for w in words if w.form not in archive.function_words]
        for _, words in sorted(sources.items())
    ]
    titles = [words for words in titles if len(words) >= 3]
    common = [lemma for lemma, kind in archive.lemmas[:40] if kind != "verb"]
    queries: list[Query] = []
    for number, kind in enumerate(plan):
        words = titles[number % len(titles)]
        if kind == "rare":
            rarest = max(_with_rare(titles, number), key=lambda w: w.rank)
            text_ = rarest.form
        elif kind == "common":
            text_ = rng.choice(common)
        elif kind in ("2 words", "3 words"):
            size = 2 if kind == "2 words" else 3
            at = rng.randint(0, len(words) - size)
            text_ = " ".join(w.form for w in words[at : at + size])
        elif kind == "diacritics":
            at = rng.randint(0, len(words) - 2)
            chosen = words[at : at + rng.randint(1, 2)]
            text_ = " ".join(with_marks(w.form, rng) for w in chosen)
        else:
            at = rng.randint(0, len(words) - 2)
            first, last = words[at], words[at + 1]
            cut = half_typed(last.form, rng)
            text_ = cut if rng.random() < 0.4 else f"{first.form} {cut}"
        queries.append(Query(kind, text_))
    rng.shuffle(queries)
    return queries


_ARTICLES = ("وال", "بال", "فال", "لل", "ال")


def half_typed(word: str, rng: random.Random) -> str:
    """The start of a word as typed so far: 2 to 4 letters past its article (والمع, حل)."""
    start = next((len(a) for a in _ARTICLES if word.startswith(a) and len(word) > len(a) + 2), 0)
    return word[: start + rng.randint(2, max(2, min(4, len(word) - start - 1)))]


def _with_rare(titles: Sequence[list[Word]], start: int) -> list[Word]:
    """The first title from `start` on (round) that has a rare word, or the start's."""
    for step in range(len(titles)):
        words = titles[(start + step) % len(titles)]
        if any(w.rank >= RARE_RANK for w in words):
            return words
    return titles[start % len(titles)]


# --- the databases -------------------------------------------------------------------------------


Sessions = async_sessionmaker[AsyncSession]


@dataclass
class Backend:
    name: str
    engine: AsyncEngine
    sessions: Sessions
    label: str
    cleanup: Callable[[], Awaitable[None]]
    load_seconds: float = 0.0
    build_seconds: float = 0.0
    sizes_before: dict[str, int] = field(default_factory=dict)
    sizes_after: dict[str, int] = field(default_factory=dict)
    timings: dict[str, list[float | None]] = field(default_factory=dict)
    found: dict[str, list[bool]] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


async def sqlite_backend(stack: AsyncExitStack, keep: bool) -> Backend:
    if keep:
        folder = tempfile.mkdtemp(prefix="nashra-search-bench-")
    else:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="nashra-search-bench-"))
    engine = make_engine(f"sqlite+aiosqlite:///{folder}/search.db")
    async with engine.connect() as connection:
        version = (await connection.execute(text("SELECT sqlite_version()"))).scalar_one()
    where = f", kept in {folder}/search.db" if keep else ""
    return Backend(
        "SQLite", engine, make_sessions(engine), f"SQLite {version} (WAL{where})", engine.dispose
    )


async def postgres_backend(url: str, keep: bool) -> Backend:
    schema = await scratch_schema(url, f"nashra_search_bench_{os.getpid()}", keep=keep)
    return Backend(
        "PostgreSQL", schema.engine, make_sessions(schema.engine), schema.label, schema.cleanup
    )


async def kept_backends(args: argparse.Namespace) -> list[Backend]:
    """The archives a run with --keep left (--reuse-sqlite FILE, --reuse-postgres SCHEMA)."""
    backends: list[Backend] = []
    if args.reuse_sqlite:
        engine = make_engine(f"sqlite+aiosqlite:///{args.reuse_sqlite}")
        label = f"SQLite (WAL, kept in {args.reuse_sqlite})"
        backends.append(Backend("SQLite", engine, make_sessions(engine), label, engine.dispose))
    if args.reuse_postgres:
        if not args.postgres:
            raise SystemExit("--reuse-postgres needs --postgres URL")
        engine = make_engine(
            args.postgres, connect_args={"server_settings": {"search_path": args.reuse_postgres}}
        )
        label = f"PostgreSQL (schema {args.reuse_postgres}, kept)"
        backends.append(Backend("PostgreSQL", engine, make_sessions(engine), label, engine.dispose))
    if not backends:
        raise SystemExit(
            "--queries-file reuses a kept archive: give --reuse-sqlite or --reuse-postgres"
        )
    return backends


# The tables as they were at BASE_REVISION: the ORM models describe the head, whose later columns
# (feeds.paused, …) the base schema does not have yet.
_FEEDS = table(
    "feeds",
    column("id", Integer),
    column("url", String),
    column("name", String),
    column("primed", Boolean),
    column("error_count", Integer),
    column("internal_error_count", Integer),
    column("disabled", Boolean),
    column("next_poll_at", DateTime(timezone=True)),
    column("created_at", DateTime(timezone=True)),
)
_CATEGORIES = table(
    "categories",
    column("id", Integer),
    column("name", String),
    column("aliases", JSON),
    column("keywords", JSON),
    column("created_at", DateTime(timezone=True)),
)


async def prepare(backend: Backend) -> tuple[list[tuple[int, str]], list[int]]:
    """The schema before the index, the sources' feeds and the categories."""
    await upgrade(backend.engine, BASE_REVISION)
    now = datetime.now(UTC)
    async with backend.sessions.begin() as session:
        feeds = (
            await session.execute(
                insert(_FEEDS).returning(_FEEDS.c.id, _FEEDS.c.name),
                [
                    {
                        "url": f"https://www.{domain}/feed/",
                        "name": domain,
                        "primed": True,
                        "error_count": 0,
                        "internal_error_count": 0,
                        "disabled": False,
                        "next_poll_at": now,
                        "created_at": now,
                    }
                    for domain in vocabulary.SOURCES
                ],
            )
        ).all()
        categories = (
            await session.execute(
                insert(_CATEGORIES).returning(_CATEGORIES.c.id),
                [
                    {"name": name, "aliases": [], "keywords": [], "created_at": now}
                    for name in vocabulary.CATEGORIES
                ],
            )
        ).scalars()
        return [(int(id_), str(name)) for id_, name in feeds], list(categories)


ARTICLE_COLUMNS = (
    "id",
    "feed_id",
    "key",
    "canonical_link",
    "link",
    "original_title",
    "headline",
    "text",
    "summary",
    "source_domain",
    "language",
    "published_at",
    "fetched_at",
)


async def load(backend: Backend, rows: list[dict[str, Any]], tags: list[tuple[int, int]]) -> None:
    started = time.perf_counter()
    async with backend.engine.begin() as connection:
        if backend.dialect == "postgresql":
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.copy_records_to_table(
                "articles",
                columns=ARTICLE_COLUMNS,
                records=[tuple(row[c] for c in ARTICLE_COLUMNS) for row in rows],
            )
            await raw.copy_records_to_table(
                "article_categories", columns=("article_id", "category_id"), records=tags
            )
        else:
            await connection.execute(insert(Article), rows)
            await connection.execute(
                insert(article_categories),
                [{"article_id": a, "category_id": c} for a, c in tags],
            )
    backend.load_seconds += time.perf_counter() - started


async def finish_load(backend: Backend) -> None:
    """What an archive that grew over time has: sequences past the ids, statistics."""
    async with backend.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        if backend.dialect == "postgresql":
            await autocommit.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('articles', 'id'), max(id)) FROM articles"
                )
            )
            await autocommit.execute(text("VACUUM ANALYZE"))
        else:
            await autocommit.execute(text("ANALYZE"))
            await autocommit.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


async def relation_sizes(backend: Backend) -> dict[str, int]:
    """Bytes per table and index (PostgreSQL: tables with their indexes and TOAST)."""
    if backend.dialect == "postgresql":
        query = (
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
        )
    else:
        query = "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"
    async with backend.engine.connect() as connection:
        if backend.dialect == "sqlite":
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return {name: int(size) for name, size in (await connection.execute(text(query))).all()}


async def build_index(backend: Backend) -> None:
    backend.sizes_before = await relation_sizes(backend)
    started = time.perf_counter()
    await upgrade(backend.engine)
    backend.build_seconds = time.perf_counter() - started
    await finish_load(backend)
    backend.sizes_after = await relation_sizes(backend)


def index_growth(backend: Backend) -> list[tuple[str, int]]:
    grown = [
        (name, size - backend.sizes_before.get(name, 0))
        for name, size in backend.sizes_after.items()
    ]
    return sorted(((n, g) for n, g in grown if g > 0), key=lambda item: -item[1])


async def generate(
    args: argparse.Namespace, backends: list[Backend]
) -> tuple[Archive, list[Query], float]:
    """Generate the archive into every backend; the queries; the generation time."""
    ids_and_categories = [await prepare(backend) for backend in backends]
    feeds, categories = ids_and_categories[0]
    if any(other != ids_and_categories[0] for other in ids_and_categories):
        raise RuntimeError("the backends numbered the feeds or categories differently")
    archive = Archive(args, feeds, categories)
    sources = set(
        random.Random(args.seed + 1).sample(range(args.articles), min(args.articles, args.queries))
    )
    query_titles: dict[int, list[Word]] = {}
    generating = 0.0
    for start in range(0, args.articles, CHUNK):
        began = time.perf_counter()
        rows, tags, titles = archive.chunk(start, min(CHUNK, args.articles - start))
        generating += time.perf_counter() - began
        for offset, words in enumerate(titles):
            if start + offset in sources:
                query_titles[start + offset] = words
        for backend in backends:
            await load(backend, rows, tags)
        if (start // CHUNK) % 20 == 19:
            log(f"generated {start + len(rows):,} of {args.articles:,} articles")
    for backend in backends:
        await finish_load(backend)
    return archive, make_queries(archive, query_titles, args.queries), generating


# --- the measurements ----------------------------------------------------------------------------


def _words(raw: str) -> list[str]:
    return [word for word in "".join(c if c.isalnum() else " " for c in raw).split() if word]


async def like_baseline(backend: Backend, query: Query, limit: int) -> bool:
    """Newest articles whose raw headline or text contains every word as typed."""
    words = _words(query.text)
    if backend.dialect == "postgresql":
        marks = [f"(headline LIKE ${i} OR text LIKE ${i})" for i in range(1, len(words) + 1)]
    else:
        marks = ["(headline LIKE ? OR text LIKE ?)"] * len(words)
    sql = f"SELECT id FROM articles WHERE {' AND '.join(marks)} ORDER BY id DESC LIMIT {limit}"
    params = [f"%{word}%" for word in words]
    if backend.dialect == "sqlite":
        params = [p for p in params for _ in (0, 1)]
    return await _fetch(backend, sql, params)


async def _fetch(backend: Backend, sql: str, params: Sequence[Any]) -> bool:
    async with backend.engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        if backend.dialect == "postgresql":
            return bool(await raw.fetch(sql, *params))
        async with raw.execute(sql, tuple(params)) as cursor:
            return bool(await cursor.fetchall())


@dataclass
class Method:
    name: str
    run: Callable[[Backend, Query, int], Awaitable[bool]]
    queries: int


def engine_match(query: Query) -> Match:
    """The query as the index matches it, made as ours makes it (bot/news/search.py)."""
    parsed = parse_query(query.text)
    if parsed.prefix is None:
        return Match(parsed.terms)
    return Match(parsed.terms[:-1], (parsed.terms[-1], prefix_variants(parsed.prefix)))


async def rank_baseline(backend: Backend, query: Query, limit: int) -> bool:
    """Plain relevance over all matches of the same index: bm25 (SQLite), ts_rank_cd."""
    match = engine_match(query)
    if match.empty:
        return False
    table = search_index.SEARCH_TABLE
    if backend.dialect == "postgresql":
        sql = (
            f"SELECT article_id FROM {table} WHERE document @@ CAST($1 AS tsquery) "
            f"ORDER BY ts_rank_cd('{TS_WEIGHTS}', document, CAST($1 AS tsquery)) DESC "
            f"LIMIT {limit}"
        )
        return await _fetch(backend, sql, [search_index.tsquery_literal(match)])
    sql = (
        f"SELECT rowid FROM {table} WHERE {table} MATCH ? "
        f"ORDER BY bm25({table}, {TITLE_WEIGHT}, 1.0) LIMIT {limit}"
    )
    return await _fetch(backend, sql, [search_index.fts5_expression(match)])


def search_settings(args: argparse.Namespace) -> SearchSettings:
    """Ours as deployed, except the time limit: a slow query is measured, not cut off."""
    defaults = SearchSettings()
    return SearchSettings(
        timeout=args.timeout,
        recent_matches=args.recent_matches or defaults.recent_matches,
        stopword_share=args.stopword_share or defaults.stopword_share,
    )


def methods(backend: Backend, args: argparse.Namespace) -> list[Method]:
    service = SearchService(backend.sessions, search_settings(args))

    async def ours(_: Backend, query: Query, limit: int) -> bool:
        page = await service.search(query.text, limit=limit)
        return bool(page.hits)

    rank = "ts_rank_cd" if backend.dialect == "postgresql" else "bm25"
    return [
        Method("warm-up", ours, args.queries),
        Method("ours", ours, args.queries),
        Method(rank, rank_baseline, args.rank_queries),
        Method("LIKE", like_baseline, args.like_queries),
    ]


async def measure(backend: Backend, method: Method, queries: Sequence[Query], limit: int) -> None:
    timings: list[float | None] = []
    found: list[bool] = []
    for number, query in enumerate(queries):
        if number >= method.queries:
            timings.append(None)
            continue
        started = time.perf_counter()
        hit = await method.run(backend, query, limit)
        timings.append(time.perf_counter() - started)
        found.append(hit)
    backend.timings[method.name] = timings
    backend.found[method.name] = found
    log(f"{backend.name}: {method.name} done")


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _bytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


def report(
    args: argparse.Namespace,
    archive: Archive | None,
    queries: Sequence[Query],
    backends: Sequence[Backend],
    generating: float,
) -> str:
    settings = search_settings(args)
    lines = [
        f"\nSearch over {args.articles:,} generated Arabic articles "
        f"({args.words} words of text on average, "
        f"{f'{archive.vocabulary_size:,}' if archive else 'the kept archive’s'} word forms, "
        f"{args.diacritics:.0%} with diacritics), {len(queries)} queries, limit {args.limit}; "
        f"ours with K = {settings.recent_matches:,} newest matches, stopword share "
        f"{settings.stopword_share:g}",
        f"Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; generation {generating:,.1f} s",
        "",
        "| backend | load | index build | index size | grown |",
        "| --- | --- | --- | --- | --- |",
    ]
    for b in backends:
        growth = index_growth(b)
        detail = ", ".join(f"{name} {_bytes(size)}" for name, size in growth[:4])
        lines.append(
            f"| {b.label} | {b.load_seconds:,.1f} s | {b.build_seconds:,.1f} s | "
            f"{_bytes(sum(s for _, s in growth))} | {detail} |"
        )
    lines += [
        "",
        "| backend | method | queries | found | p50 | p95 | max | ours p95 on them | ratio |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for b in backends:
        ours = b.timings.get("ours")
        for name, timings in b.timings.items():
            if name == "warm-up":
                continue
            measured = [t for t in timings if t is not None]
            if not measured:
                continue
            found = sum(b.found[name])
            mine = (
                [o for o, t in zip(ours, timings, strict=True) if t is not None and o is not None]
                if ours
                else []
            )
            ours_p95 = percentile(mine, 0.95) if mine else None
            ratio = (
                f"{percentile(measured, 0.95) / ours_p95:,.1f}×"
                if ours_p95 and name != "ours"
                else ""
            )
            lines.append(
                f"| {b.name} | {name} | {len(measured)} | {found} | "
                f"{_ms(statistics.median(measured))} | {_ms(percentile(measured, 0.95))} | "
                f"{_ms(max(measured))} | {_ms(ours_p95) if ours_p95 else ''} | {ratio} |"
            )
    lines += ["", "Ours by kind of query (p95):", ""]
    lines.append("| backend | " + " | ".join(QUERY_KINDS) + " |")
    lines.append("| --- |" + " --- |" * len(QUERY_KINDS))
    for b in backends:
        timings = b.timings.get("ours", [])
        cells = []
        for kind in QUERY_KINDS:
            values = [
                t
                for t, q in zip(timings, queries, strict=False)
                if q.kind == kind and t is not None
            ]
            cells.append(_ms(percentile(values, 0.95)) if values else "")
        lines.append(f"| {b.name} | " + " | ".join(cells) + " |")
    targets = {"SQLite": 0.020, "PostgreSQL": 0.050}
    deployed = SearchSettings().timeout
    lines.append("")
    for b in backends:
        measured = [t for t in b.timings.get("ours", []) if t is not None]
        if not measured:
            continue
        p95 = percentile(measured, 0.95)
        verdict = "within" if p95 <= targets[b.name] else "over"
        slow = sum(t > deployed for t in measured)
        lines.append(
            f"{b.name}: ours p95 {_ms(p95)}, {verdict} the target of {_ms(targets[b.name])}; "
            f"{slow} of {len(measured)} over the deployed time limit of {deployed:g} s"
        )
        missed = [q for q, hit in zip(queries, b.found["ours"], strict=True) if not hit]
        if missed:
            shown = ", ".join(f"{q.text!r} ({q.kind})" for q in missed[:10])
            lines.append(f"{b.name}: ours found nothing for {len(missed)}: {shown}")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> str:
    async with AsyncExitStack() as stack:
        backends: list[Backend] = []
        profiles: list[str] = []
        if args.queries_file:
            backends = await kept_backends(args)
        else:
            if not args.no_sqlite:
                backends.append(await sqlite_backend(stack, args.keep))
            if args.postgres:
                backends.append(await postgres_backend(args.postgres, args.keep))
        for backend in backends:
            stack.push_async_callback(backend.cleanup)
        archive: Archive | None = None
        if args.queries_file:
            # A kept archive: the index is brought up to date by the migrations it lacks.
            text_ = await asyncio.to_thread(Path(args.queries_file).read_text, encoding="utf-8")
            queries = [Query(**query) for query in json.loads(text_)]
            generating = 0.0
        else:
            names = ", ".join(b.name for b in backends)
            log(f"generating {args.articles:,} articles into {names}")
            archive, queries, generating = await generate(args, backends)
        if args.save_queries:
            saved = json.dumps([vars(q) for q in queries], ensure_ascii=False, indent=0)
            await asyncio.to_thread(Path(args.save_queries).write_text, saved, encoding="utf-8")
        # One backend at a time, so that the other's work does not slow the measurement.
        for backend in backends:
            log(f"{backend.name}: building the index")
            await build_index(backend)
            log(f"{backend.name}: index built in {backend.build_seconds:,.1f} s; queries")
            for method in methods(backend, args):
                await measure(backend, method, queries, args.limit)
            if args.profile:
                profiles.append(await profile_ours(backend, queries, args))
            if backend is not backends[-1]:
                # A long run's figures so far, in case the rest does not finish.
                done = backends[: backends.index(backend) + 1]
                log(report(args, archive, queries, done, generating))
        return report(args, archive, queries, backends, generating) + "".join(profiles)


async def profile_ours(backend: Backend, queries: Sequence[Query], args: argparse.Namespace) -> str:
    """One more pass of ours under cProfile: the top functions by own time. Own times are
    reliable; cumulative times of coroutines are not (greenlet switches)."""
    service = SearchService(backend.sessions, search_settings(args))
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        await service.search(query.text, limit=args.limit)
    profiler.disable()
    profiler.dump_stats(f"{args.profile}.{backend.dialect}")
    out = io.StringIO()
    out.write(f"\n--- profile: ours on {backend.name}, {len(queries)} queries, by own time ---\n")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    return out.getvalue()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=150, help="words of text per article")
    parser.add_argument(
        "--diacritics",
        type=float,
        default=0.1,
        help="share of the articles written with diacritics",
    )
    parser.add_argument("--days", type=int, default=730, help="the archive's span")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--limit", type=int, default=5, help="results per query")
    parser.add_argument(
        "--like-queries",
        type=int,
        default=40,
        help="queries measured with the LIKE baseline (the first N)",
    )
    parser.add_argument(
        "--rank-queries",
        type=int,
        default=200,
        help="queries measured with the bm25 / ts_rank_cd baseline",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--recent-matches", type=int, help="ours: SEARCH_RECENT_MATCHES")
    parser.add_argument("--stopword-share", type=float, help="ours: SEARCH_STOPWORD_SHARE")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="ours: the time limit of one search"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also measure PostgreSQL (postgresql+asyncpg://…): a new schema in "
        "that database, dropped afterwards",
    )
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--keep", action="store_true", help="keep the SQLite file and the PostgreSQL schema"
    )
    parser.add_argument(
        "--save-queries", metavar="FILE", help="write the queries as JSON (kind, text)"
    )
    parser.add_argument(
        "--queries-file",
        metavar="FILE",
        help="measure a kept archive (--reuse-sqlite / --reuse-postgres) on these saved "
        "queries: no generation; the build is the migrations the archive lacks",
    )
    parser.add_argument("--reuse-sqlite", metavar="FILE", help="a kept SQLite archive")
    parser.add_argument("--reuse-postgres", metavar="SCHEMA", help="a kept PostgreSQL schema")
    parser.add_argument(
        "--profile", metavar="FILE", help="profile one more pass of ours (FILE.sqlite, …)"
    )
    args = parser.parse_args(argv)
    # The archive ends at midnight: runs on one day store the same articles at the same times.
    args.end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    print(asyncio.run(run(parse_args(argv))))


if __name__ == "__main__":
    main()

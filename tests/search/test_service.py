"""SearchService on SQLite and PostgreSQL: ranking, filters, pages, stopwords, time limits and
hostile queries."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import SearchTimeout
from bot.search import SearchService, SearchSettings
from storage import catalog
from storage import search as index
from storage.articles import tag_articles
from storage.db import make_engine, make_sessions, upgrade
from storage.feeds import add_feed
from tests.factories import article_row, store_articles

NOW = datetime(2026, 1, 11, 12, tzinfo=UTC)
# Tests do not race the production limit (0.8 s) on a loaded machine: only the cut-off tests
# pass a short one.
GENEROUS_TIMEOUT = 30.0


def service(sessions: async_sessionmaker[AsyncSession], **settings: Any) -> SearchService:
    settings.setdefault("timeout", GENEROUS_TIMEOUT)
    return SearchService(sessions, SearchSettings(**settings), clock=lambda: NOW)


def test_the_tests_search_with_a_generous_time_limit() -> None:
    assert service(async_sessionmaker()).settings.timeout >= GENEROUS_TIMEOUT


async def store(
    sessions: async_sessionmaker[AsyncSession],
    articles: list[tuple[str, str]],
    *,
    domain: str = "enabbaladi.net",
    category: str | None = None,
    hours_ago: float = 1.0,
) -> list[int]:
    """Store (title, text) articles, the first the oldest, one minute apart."""
    async with sessions.begin() as session:
        feed = await add_feed(session, f"https://{domain}/feed/{category}/{hours_ago}", now=NOW)
        categories = await catalog.ensure_categories(session, [category] if category else [])
        start = NOW - timedelta(hours=hours_ago)
        rows = [
            article_row(
                feed.id,
                f"{domain}-{category}-{n}",
                when=start + timedelta(minutes=n),
                title=title,
                text=body,
                link=f"https://{domain}/{category}/{hours_ago}/{n}",
            )
            for n, (title, body) in enumerate(articles)
        ]
        return await store_articles(session, rows, categories)


def ids(page: Any) -> list[int]:
    return [hit.article_id for hit in page.hits]


async def test_title_hits_rank_above_text_hits_and_recency_breaks_ties(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [old_title] = await store(sessions, [("انسحاب قسد من حلب", "تفاصيل الخبر")], hours_ago=200)
    [text_hit, new_title, other] = await store(
        sessions,
        [
            ("تفاهمات سياسية جديدة", "وتحدث المسؤول عن الانسحاب من المدينة"),
            ("الانسحاب يكتمل", "تفاصيل الخبر"),
            ("أسعار الذهب", "ارتفاع"),
        ],
    )
    page = await service(sessions).search("انسحاب ")
    assert ids(page) == [new_title, old_title, text_hit]
    assert other not in ids(page)
    hit = page.hits[0]
    assert hit.source.headline == "الانسحاب يكتمل"
    assert hit.source.source_domain == "enabbaladi.net"
    assert hit.published_at.tzinfo is not None
    assert hit.image_url is None


async def test_pages_to_the_end(sessions: async_sessionmaker[AsyncSession]) -> None:
    stored = await store(sessions, [(f"حلب خبر رقم {n}", "") for n in range(12)])
    search = service(sessions)
    seen: list[int] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        page = await search.search("حلب ", offset=offset, limit=5)
        assert page.offset == offset
        seen += ids(page)
        offset = page.next_offset
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(stored)
    assert seen[:2] == stored[::-1][:2]  # alike in relevance: the newest first


async def test_empty_query_is_the_latest_and_filters_apply(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    politics = await store(sessions, [("حلب سياسة", ""), ("دمشق", "")], category="سياسة")
    local = await store(
        sessions, [("حلب محلي", ""), ("حمص", "")], category="سوريا محلي", domain="hashtagsyria.com"
    )
    search = service(sessions)
    assert ids(await search.search("")) == [*local[::-1], *politics[::-1]]
    assert ids(await search.search("#سيا")) == politics[::-1]  # the start of a category's name
    assert ids(await search.search("#سوريا_محلي")) == local[::-1]
    assert ids(await search.search("#سياسة حلب ")) == [politics[0]]
    assert ids(await search.search("@hashtagsyria.com حلب ")) == [local[0]]
    assert ids(await search.search("@www.hashtagsyria.com")) == local[::-1]
    assert ids(await search.search("#رياضة")) == []  # no such category: nothing, not everything
    assert ids(await search.latest(category="سوريا")) == local[::-1]
    page = await search.latest(limit=3)
    assert ids(page) == [*local[::-1], politics[1]]
    assert page.next_offset == 3
    assert (await search.latest(offset=3, limit=3)).next_offset is None


async def test_common_words_are_not_required_unless_alone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # "خبر" is in every article; "حلب" in a few.
    stored = await store(
        sessions, [(f"خبر {'حلب' if n % 5 == 0 else 'عاجل'}", "") for n in range(20)]
    )
    search = service(sessions, stopword_min_articles=10, stopword_share=0.5)
    aleppo = [stored[n] for n in range(20) if n % 5 == 0][::-1]
    assert ids(await search.search("خبر حلب ", limit=10)) == aleppo
    # Only common words: all required, newest first.
    assert ids(await search.search("خبر ", limit=3)) == stored[::-1][:3]
    # "عاجل" is common too, but the two together are still required, not dropped.
    both = ids(await search.search("خبر عاجل ", limit=20))
    assert both == [stored[n] for n in range(20) if n % 5 != 0][::-1]


async def test_a_half_typed_word_matches_as_a_prefix(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [withdrawal, blockade] = await store(sessions, [("الانسحاب من حلب", ""), ("انسداد", "")])
    search = service(sessions)
    assert ids(await search.search("انسح")) == [withdrawal]
    assert set(ids(await search.search("بالانس"))) == {withdrawal, blockade}
    assert ids(await search.search("انسح ")) == []  # a finished word is a word
    assert ids(await search.search("حلب الانسحاب")) == [withdrawal]


async def test_a_half_typed_word_means_its_most_frequent_completions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The prefix is not left to the engine (which merges every completion's whole posting
    list): the word's most frequent indexed completions are matched, SEARCH_PREFIX_COMPLETIONS
    at most."""
    stored = await store(
        sessions,
        [("انسحاب من حلب", ""), ("انسحاب القوات", ""), ("انسداد الطرق", "")],
    )
    [withdrawal, forces, blockade] = stored
    assert set(ids(await service(sessions).search("انس", limit=10))) == set(stored)
    # One completion allowed: the most frequent, «انسحاب» (two articles), not «انسداد».
    narrow = service(sessions, prefix_completions=1)
    assert set(ids(await narrow.search("انس", limit=10))) == {withdrawal, forces}
    assert blockade not in ids(await narrow.search("انس", limit=10))


async def test_a_half_typed_word_weighs_as_its_completions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The rarer word in the title ranks first, half-typed or not: the half-typed word's
    weight comes from its completions' articles (its own string «انس» is no term, and as one
    it would weigh the most)."""
    [withdrawal_title, aleppo_title] = await store(
        sessions, [("انسحاب القوات", "من حلب"), ("حلب اليوم", "انسحاب")]
    )
    await store(sessions, [(f"خبر {n}", "انسحاب") for n in range(6)], hours_ago=2)
    search = service(sessions, stopword_min_articles=1, stopword_share=0.99)
    for query in ("حلب انس", "حلب انسحاب"):
        assert ids(await search.search(query, limit=2)) == [aleppo_title, withdrawal_title]


# Every hostile input named in issue 7, and the sensible answer: the latest articles when
# nothing is left to look for, the article when its words are all that is left, else nothing.
HOSTILE = [
    ("", "latest"),
    ("   \t\n ", "latest"),
    ("حلب " * 250, "aleppo"),
    ("!!! ؟؟ … ،،", "latest"),
    ('"', "latest"),
    ('"حلب', "aleppo"),
    ("*", "latest"),
    ("حلب*", "aleppo"),
    ("AND", "none"),  # a word like any other
    ("حلب AND OR NOT قسد", "none"),
    ("NEAR(حلب قسد, 2)", "none"),
    ("NEAR(حلب", "none"),
    ("-حلب", "aleppo"),
    ("قسد:حلب", "aleppo"),
    ("^حلب", "aleppo"),
    ("حلب & قسد | !انسحاب", "aleppo"),
    ("حلب <-> قسد", "aleppo"),
    ("'حلب':* & !", "aleppo"),
    ("'; DROP TABLE articles; --", "none"),
    ("1' OR '1'='1", "none"),
    ("\u202eحلب\u202c", "aleppo"),
    ("ح\u200bل\u200cب\u200d", "aleppo"),
    ("🔥🇸🇾 حلب 👍", "aleppo"),
    ("\x00\x1b[2J", "none"),
    ("#", "latest"),
    ("@", "latest"),
    ("#'--", "latest"),
    ("@evil.com'--", "none"),  # a source that has no articles
]


@pytest.mark.parametrize(("raw", "answer"), HOSTILE)
async def test_hostile_queries_get_a_sensible_page(
    sessions: async_sessionmaker[AsyncSession], raw: str, answer: str
) -> None:
    [aleppo, other] = await store(sessions, [("انسحاب قسد من حلب", ""), ("أسعار الذهب", "")])
    page = await service(sessions).search(raw)
    expected = {"latest": [other, aleppo], "aleppo": [aleppo], "none": []}[answer]
    assert ids(page) == expected
    assert page.next_offset is None
    assert len(page.query.text) <= 256


async def test_a_slow_search_is_cut_off_and_the_database_stays_usable(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    stored = await store(sessions, [(f"حلب خبر {n}", "حلب " * 20) for n in range(300)])
    search = service(sessions)
    async with sessions() as session:
        postgres = session.bind.dialect.name == "postgresql"
    if postgres:
        # A writer's lock holds the search up, whatever the machine's speed.
        blocker = sessions()
        await blocker.execute(text("LOCK TABLE article_search IN ACCESS EXCLUSIVE MODE"))
        try:
            with pytest.raises(SearchTimeout):
                await search.search("حلب ", timeout=0.2)
        finally:
            await blocker.rollback()
            await blocker.close()
    else:
        # Past the deadline from the start: the first look at the clock interrupts (SQLite
        # looks every 1,000 steps of its virtual machine, and ranking 300 rows takes more).
        with pytest.raises(SearchTimeout):
            await search.search("حلب ", timeout=1e-9)
    page = await search.search("حلب ", limit=3)
    assert ids(page) == stored[::-1][:3]
    # Many at once, each in its own transaction.
    pages = await asyncio.gather(*(search.search(f"خبر {n} ") for n in range(5)))
    assert all(page.hits for page in pages)


async def test_a_category_gained_later_filters_without_reindexing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [article] = await store(sessions, [("انسحاب قسد من حلب", "")])
    search = service(sessions)
    assert ids(await search.search("#سياسة قسد ")) == []
    async with sessions.begin() as session:
        [politics] = await catalog.ensure_categories(session, ["سياسة"])
        await tag_articles(session, [(article, politics.id)])
    assert ids(await search.search("#سياسة قسد ")) == [article]
    assert ids(await search.latest(category="سياسة")) == [article]


async def test_matches_older_than_the_first_window_are_found(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """PostgreSQL looks among the newest ids first, in a window sized from the document
    frequencies; matches further back are found when it falls short."""
    old = await store(sessions, [(f"خبر عن حلب {n}", "") for n in range(10)], hours_ago=5)
    await store(sessions, [(f"خبر عن دمشق {n}", "") for n in range(40)])
    search = service(sessions, stopword_min_articles=10, stopword_share=0.99, recent_matches=2)
    page = await search.search("خبر حلب ", limit=5)
    assert ids(page) == old[::-1][:2]  # the two newest matches, ranked


@pytest.mark.parametrize("bitmap_from", [0, 10_000])
async def test_a_wide_window_finds_the_same_matches(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch, bitmap_from: int
) -> None:
    """A window wider than _BITMAP_FROM ids is planned without the walk of the id index
    (PostgreSQL, SET LOCAL for that statement): the same matches, and the transaction's later
    statements (the page) plan as usual."""
    monkeypatch.setattr(index, "_BITMAP_FROM", bitmap_from)
    old = await store(sessions, [(f"خبر عن حلب {n}", "") for n in range(10)], hours_ago=5)
    await store(sessions, [(f"خبر عن دمشق {n}", "") for n in range(40)])
    search = service(sessions, stopword_min_articles=10, stopword_share=0.99, recent_matches=2)
    page = await search.search("خبر حلب ", limit=5)
    assert ids(page) == old[::-1][:2]
    assert [hit.source.headline for hit in page.hits] == ["خبر عن حلب 9", "خبر عن حلب 8"]


FUZZ_PIECES = ['"', "*", "AND", "OR", "NOT", "NEAR(", "-", ":", "^", "&", "|", "!", "<->",
               "(", ")", "'", ";", "--", "#", "@", "_", ".", "\\", "%", "\u202e", "\u200b",
               "\u200f", "\x00", "ﻻ", "ﷲ", "ـ", "ً", "🔥", "حلب", "ال", "و", "قسد", "x" * 70,
               "١٢", " ", " ", "\t"]  # fmt: skip


async def test_random_queries_never_raise(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A fixed sample of queries glued together from query syntax, marks and words."""
    [aleppo] = await store(sessions, [("انسحاب قسد من حلب", "")])
    search = service(sessions)
    rng = random.Random(11)
    for _ in range(150):
        raw = "".join(rng.choices(FUZZ_PIECES, k=rng.randint(0, 12)))
        page = await search.search(raw, offset=rng.choice([0, 5, 10**6]), limit=rng.randint(1, 60))
        assert set(ids(page)) <= {aleppo}


async def test_the_statements_of_a_search_share_one_deadline(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Each statement gets the time that remains, not the whole limit again: two statements
    that each fit in the limit but not together are cut off (the second, or the first on a
    slow machine)."""
    async with sessions() as session:
        postgres = session.bind.dialect.name == "postgresql"
    # A statement long enough for the engine to look at the clock (SQLite: every 1,000 steps).
    long_sql = (
        "SELECT pg_sleep(0.3)"
        if postgres
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)"
        " SELECT count(*) FROM n"
    )

    async def two_statements() -> None:
        async with sessions.begin() as session, index.time_limit(session, 0.5):
            await session.execute(text(long_sql))
            if not postgres:
                await asyncio.sleep(0.6)  # the rest of the search's own time
            await session.execute(text(long_sql))

    with pytest.raises(SearchTimeout):
        await two_statements()
    async with sessions.begin() as session, index.time_limit(session, 30):
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_a_search_waiting_for_a_connection_is_abandoned_at_its_deadline(
    database_url: str,
) -> None:
    engine = make_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=60)
    try:
        await upgrade(engine)
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            with pytest.raises(SearchTimeout):
                await service(make_sessions(engine)).search("حلب ", timeout=0.2)
        page = await service(make_sessions(engine)).search("حلب ")
        assert page.hits == ()
    finally:
        await engine.dispose()


async def test_latest_headlines_have_the_same_deadline(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=60)
    try:
        await upgrade(engine)
        sessions = make_sessions(engine)
        [article] = await store(sessions, [("انسحاب قسد من حلب", "")], category="سياسة")
        search = service(sessions)
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            with pytest.raises(SearchTimeout):
                await search.latest(category="سياسة", timeout=0.2)
        if engine.dialect.name == "postgresql":
            # The engine's own limit: a writer's lock holds the walk up.
            blocker = sessions()
            await blocker.execute(text("LOCK TABLE article_categories IN ACCESS EXCLUSIVE MODE"))
            try:
                with pytest.raises(SearchTimeout):
                    await search.latest(category="سياسة", timeout=0.2)
            finally:
                await blocker.rollback()
                await blocker.close()
        assert ids(await search.latest(category="سياسة")) == [article]
    finally:
        await engine.dispose()


async def test_latest_of_rare_and_several_categories(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Taken from each category's own index: a rare old category under many newer articles,
    an article in two matching categories once, pages across categories, a source within."""
    [rare] = await store(sessions, [("خبر نادر", "")], category="علوم", hours_ago=50)
    local = await store(sessions, [(f"خبر محلي {n}", "") for n in range(30)], category="سوريا محلي")
    world = await store(
        sessions, [(f"خبر دولي {n}", "") for n in range(3)], category="سوريا دولي", hours_ago=0.2
    )
    async with sessions.begin() as session:
        [both] = await catalog.ensure_categories(session, ["سوريا دولي"])
        await tag_articles(session, [(local[-1], both.id)])
    search = service(sessions)
    assert ids(await search.latest(category="علوم")) == [rare]
    newest = [*world[::-1], local[-1], *local[-2::-1]]
    seen: list[int] = []
    offset: int | None = 0
    while offset is not None:
        page = await search.latest(category="سوريا", offset=offset, limit=7)
        seen += ids(page)
        offset = page.next_offset
    assert seen == newest
    assert ids(await search.search("#سوريا @enabbaladi.net", limit=4)) == newest[:4]
    assert ids(await search.search("#علوم @hashtagsyria.com")) == []
    assert ids(await search.search("@enabbaladi.net", offset=33)) == [rare]

"""SearchService on SQLite and PostgreSQL: ranking, filters, pages, stopwords, time limits and
hostile queries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import SearchTimeout
from bot.search import SearchService, SearchSettings
from storage import catalog
from storage.articles import tag_articles
from storage.feeds import add_feed
from tests.factories import article_row, store_articles

NOW = datetime(2026, 1, 11, 12, tzinfo=UTC)


def service(sessions: async_sessionmaker[AsyncSession], **settings: Any) -> SearchService:
    return SearchService(sessions, SearchSettings(**settings), clock=lambda: NOW)


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

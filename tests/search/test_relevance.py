"""Recall@5 = 1.0 over the relevance set (tests/search/corpus.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.search import SearchService, SearchSettings
from storage import catalog
from storage.articles import insert_articles, tag_articles
from storage.feeds import add_feed
from tests.factories import article_row
from tests.search.corpus import FILLERS, QUERIES, STORIES, Story

START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = START + timedelta(days=30)


def test_the_set_is_large_enough_and_covers_every_variant_class() -> None:
    assert len(STORIES) + len(FILLERS) >= 200
    assert len(QUERIES) >= 40
    keys = {story.key for story in STORIES}
    assert all(set(query.expected) <= keys for query in QUERIES)
    covers = " ".join(query.covers for query in QUERIES)
    for variant in ["diacritics", "hamza", "alef maqsura", "ta marbuta", "tatweel", "digits",
                    "bi + al", "wa", "fa + al", "ha (", "prefix", "category", "source",
                    "Persian", "ligature", "Latin", "words"]:  # fmt: skip
        assert variant in covers, variant


async def store_corpus(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Every article, in a fixed shuffled order (ids and dates in that order); key → id."""
    articles: list[Story] = [*STORIES, *FILLERS]
    random.Random(7).shuffle(articles)
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://news.example/feed", now=START)
        names = sorted({story.category for story in articles})
        categories = {c.name: c.id for c in await catalog.ensure_categories(session, names)}
        rows = [
            article_row(
                feed.id,
                story.key,
                when=START + timedelta(hours=n),
                title=story.headline,
                text=story.text,
                link=f"https://{story.source}/{story.key}",
            )
            for n, story in enumerate(articles)
        ]
        ids = await insert_articles(session, rows)
        await tag_articles(session, [(ids[s.key], categories[s.category]) for s in articles])
    return ids


@pytest.mark.parametrize(
    "settings",
    [
        SearchSettings(),
        # The same set with the archive's stopwords in force: words in over 10 % of the
        # articles ("في", "من") are not required.
        SearchSettings(stopword_min_articles=100, stopword_share=0.1),
    ],
    ids=["plain", "stopwords"],
)
async def test_recall_at_5_is_one(
    sessions: async_sessionmaker[AsyncSession], settings: SearchSettings
) -> None:
    ids = await store_corpus(sessions)
    search = SearchService(sessions, settings, clock=lambda: NOW)
    misses: list[str] = []
    hits = Counter[str]()
    for query in QUERIES:
        typed = [query.text]
        if not query.covers.startswith("prefix"):
            typed.append(query.text + " ")  # the word finished, not a prefix any more
        for text in typed:
            page = await search.search(text, limit=5)
            found = {hit.article_id for hit in page.hits}
            for key in query.expected:
                if ids[key] in found:
                    hits[key] += 1
                else:
                    names = [hit.source.headline[:30] for hit in page.hits]
                    misses.append(f"{text!r} ({query.covers}): {key} not in {names}")
    assert misses == [], "\n".join(misses)
    assert sum(hits.values()) > len(QUERIES)

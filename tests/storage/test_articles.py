"""Article storage over bodies larger than one statement can bind (PostgreSQL: 32,767)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import catalog
from storage.articles import (
    StoredArticle,
    categories_of,
    insert_articles,
    known_keys,
    record_feed_entries,
    stored_by_links,
    tag_articles,
)
from storage.feeds import add_feed
from tests.factories import article_row

NOW = datetime(2026, 1, 11, tzinfo=UTC)
MORE_THAN_ONE_STATEMENT_BINDS = 40_000


async def test_lookups_of_more_values_than_one_statement_binds(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    keys = [f"k{n}" for n in range(MORE_THAN_ONE_STATEMENT_BINDS)]
    links = [f"https://x.sy/{n}" for n in range(MORE_THAN_ONE_STATEMENT_BINDS)]
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://x.sy/feed", now=NOW)
        await insert_articles(session, [article_row(feed.id, "k7", when=NOW, link=links[7])])
        assert await known_keys(session, feed.id, keys) == {"k7"}
        assert list(await stored_by_links(session, links)) == [links[7]]


async def test_inserts_and_tags_of_thousands_of_rows(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # 3,000 rows of 12 columns: 36,000 values, more than one statement binds.
    rows = 3000
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://x.sy/feed", now=NOW)
        other = await add_feed(session, "https://y.sy/feed", now=NOW)
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        ids = await insert_articles(
            session, [article_row(feed.id, f"k{n}", when=NOW) for n in range(rows)]
        )
        assert len(ids) == rows
        await tag_articles(session, [(article, category.id) for article in ids.values()])
        await record_feed_entries(
            session, [(other.id, key, article) for key, article in ids.items()]
        )
        assert len(await known_keys(session, other.id, ids)) == rows
        tagged = await categories_of(session, ids.values())
        assert all(found == [category.id] for found in tagged.values())


async def test_a_copy_in_another_feed_is_known_by_its_key_there(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        one = await add_feed(session, "https://a.sy/feed", now=NOW)
        two = await add_feed(session, "https://b.sy/feed", now=NOW)
        ids = await insert_articles(
            session, [article_row(one.id, "a1", when=NOW, link="https://x.sy/1")]
        )
        await record_feed_entries(session, [(two.id, "b1", ids["a1"])] * 2)  # once is kept
        assert await known_keys(session, two.id, ["a1", "b1"]) == {"b1"}
        assert await known_keys(session, one.id, ["a1", "b1"]) == {"a1"}
        assert await stored_by_links(session, ["https://x.sy/1", None]) == {
            "https://x.sy/1": StoredArticle(ids["a1"], one.id)
        }

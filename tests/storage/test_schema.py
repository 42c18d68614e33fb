"""The schema on SQLite and PostgreSQL: migrations match the models, constraints hold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage import catalog, outbox
from storage.articles import insert_articles
from storage.db import downgrade, upgrade
from storage.feeds import add_feed
from storage.models import Base, Chat, ChatKind, Delivery, DeliveryStatus, article_categories
from storage.search import include_name
from tests.factories import article_row, store_articles

PENDING = DeliveryStatus.PENDING

NOW = datetime(2026, 1, 11, tzinfo=UTC)


def article(feed_id: int, key: str, link: str | None) -> dict[str, object]:
    return article_row(feed_id, key, when=NOW, title="عنوان", link=link, text="")


async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"include_name": include_name}),
                Base.metadata,
            )
        )
    assert diff == []


async def test_downgrade_and_upgrade_again(engine: AsyncEngine) -> None:
    await downgrade(engine, "base")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert set(tables) <= {"alembic_version"}
    await upgrade(engine)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert {"feeds", "articles", "deliveries", "chats", "categories"} <= set(tables)


async def test_keys_are_unique_per_feed_and_links_across_feeds(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        one = await add_feed(session, "https://a.example/feed", now=NOW)
        two = await add_feed(session, "https://b.example/feed", now=NOW)
        first = await insert_articles(session, [article(one.id, "k", "https://x.sy/1")])
        # Same key in another feed is another article; the same link anywhere is skipped.
        again = await insert_articles(
            session,
            [
                article(two.id, "k", "https://x.sy/2"),
                article(two.id, "k2", "https://x.sy/1"),
                article(one.id, "k", "https://x.sy/3"),
            ],
        )
    assert list(first) == ["k"]
    assert list(again) == ["k"]


async def test_one_delivery_per_article_and_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        ids = await insert_articles(session, [article(feed.id, "k", "https://x.sy/1")])
        await catalog.upsert_chat(session, -100, ChatKind.CHANNEL)
        await outbox.plan(session, [(ids["k"], -100, 0, PENDING)], NOW)
        await outbox.plan(
            session, [(ids["k"], -100, 0, PENDING), (ids["k"], -100, 1, PENDING)], NOW
        )
    async with sessions() as session:
        assert len((await session.scalars(Delivery.__table__.select())).all()) == 1
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(Delivery(article_id=ids["k"], chat_id=-100, next_attempt_at=NOW))


async def test_chat_ids_are_64_bit(sessions: async_sessionmaker[AsyncSession]) -> None:
    big = -1009876543210987
    async with sessions.begin() as session:
        await catalog.upsert_chat(session, big, ChatKind.CHANNEL)
    async with sessions() as session:
        chat = await session.get(Chat, big)
        assert chat is not None
        assert chat.created_at.tzinfo is not None


async def test_upgrading_through_a_table_copy_keeps_what_refers_to_the_table(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """0014 copies `articles` on SQLite (batch mode, to add a foreign key): the old table's
    drop must not cascade to the deliveries, categories and index rows that refer to it."""
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        ids = await store_articles(session, [article(feed.id, "k", "https://a.example/1")],
                                   [category])  # fmt: skip
        await catalog.upsert_chat(session, -100, ChatKind.CHANNEL)
        await outbox.plan(session, [(ids[0], -100, 0, PENDING)], NOW)
    await downgrade(engine, "0013")
    await upgrade(engine)
    async with sessions() as session:
        assert (await session.scalars(select(Delivery.article_id))).all() == ids
        assert await session.scalar(select(func.count()).select_from(article_categories)) == 1

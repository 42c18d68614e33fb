"""Articles: what is already known, and storing what is new."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignore
from storage.models import Article, article_categories


async def known_keys(session: AsyncSession, feed_id: int, keys: Iterable[str]) -> set[str]:
    wanted = list(set(keys))
    if not wanted:
        return set()
    query = select(Article.key).where(Article.feed_id == feed_id, Article.key.in_(wanted))
    return set((await session.scalars(query)).all())


async def known_links(session: AsyncSession, links: Iterable[str | None]) -> set[str]:
    wanted = list({link for link in links if link})
    if not wanted:
        return set()
    query = select(Article.canonical_link).where(Article.canonical_link.in_(wanted))
    return {link for link in (await session.scalars(query)).all() if link}


async def insert_articles(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert articles, skipping any that another poll stored meanwhile; return key → id."""
    if not rows:
        return {}
    statement = insert_ignore(session, Article).returning(Article.id, Article.key)
    result = await session.execute(statement, list(rows))
    return {key: article_id for article_id, key in result.all()}


async def tag_articles(session: AsyncSession, pairs: Iterable[tuple[int, int]]) -> None:
    """Record (article id, category id) pairs."""
    rows = [{"article_id": article, "category_id": category} for article, category in pairs]
    if rows:
        await session.execute(insert_ignore(session, article_categories), rows)


async def articles_by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, Article]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    found = (await session.scalars(select(Article).where(Article.id.in_(wanted)))).all()
    return {article.id: article for article in found}

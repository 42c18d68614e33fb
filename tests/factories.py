"""Stored things for tests: articles, readers and channels, built one way everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from storage import catalog
from storage.articles import insert_articles, tag_articles
from storage.models import Category, Chat, ChatKind, DeliveryMode


def article_row(
    feed_id: int,
    key: str,
    *,
    when: datetime,
    title: str = "عنوان الخبر",
    link: str | None = "auto",
    text: str = "نص الخبر.",
    **overrides: Any,
) -> dict[str, Any]:
    """One row of `articles` as the poller stores it; `link="auto"` makes a unique one."""
    if link == "auto":
        link = f"https://news.example.sy/{feed_id}/{key}"
    domain = urlsplit(link).hostname if link else None
    row: dict[str, Any] = {
        "feed_id": feed_id,
        "key": key,
        "canonical_link": link,
        "link": link,
        "original_title": title,
        "headline": title,
        "text": text,
        "summary": text,
        "source_domain": domain or "news.example.sy",
        "language": "ar",
        "published_at": when,
        "fetched_at": when,
    }
    row.update(overrides)
    return row


async def store_articles(
    session: AsyncSession,
    rows: Iterable[dict[str, Any]],
    categories: Iterable[Category] = (),
) -> list[int]:
    """Insert the rows, tag each with the categories; the ids in the rows' order."""
    rows = list(rows)
    ids = await insert_articles(session, rows)
    ordered = [ids[row["key"]] for row in rows]
    await tag_articles(session, [(a, c.id) for a in ordered for c in categories])
    return ordered


async def reader(
    session: AsyncSession,
    chat_id: int,
    categories: Iterable[Category] = (),
    *,
    mode: DeliveryMode = DeliveryMode.INSTANT,
    quiet: tuple[int, int] | None = None,
    language: str | None = None,
) -> Chat:
    """A reader's private chat following the categories."""
    chat = await catalog.upsert_chat(session, chat_id, ChatKind.PRIVATE)
    chat.delivery_mode = mode
    chat.quiet_start, chat.quiet_end = quiet or (None, None)
    chat.language = language
    await catalog.subscribe(session, chat_id, list(categories))
    return chat


async def channel(
    session: AsyncSession,
    chat_id: int,
    categories: Iterable[Category] = (),
    *,
    kind: ChatKind = ChatKind.CHANNEL,
    title: str | None = "قناة",
) -> Chat:
    """A channel (or group) bound to the categories."""
    chat = await catalog.upsert_chat(session, chat_id, kind, title=title)
    await catalog.subscribe(session, chat_id, list(categories))
    return chat

"""Articles: what is already known, and storing what is new."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from storage import search
from storage.dialect import insert_ignore
from storage.models import Article, FeedEntry, article_categories

# Values per statement. PostgreSQL (asyncpg) binds at most 32,767 parameters in one
# statement and SQLite 32,766: a feed body with more entries than that must not fail its
# poll, so every lookup and insert over a body's entries goes in chunks.
CHUNK = 1000

_T = TypeVar("_T")

# Keys of a row that are not columns: the search index's terms of the headline and of the
# text (bot/text/arabic.py document_terms), when the caller has them already (the poller
# gets them from its parser workers); computed here when absent.
TITLE_TERMS = "title_terms"
TEXT_TERMS = "text_terms"
_NOT_COLUMNS = (TITLE_TERMS, TEXT_TERMS)


def _chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StoredArticle(NamedTuple):
    """What the poller needs to know of an article stored before: whose it is."""

    id: int
    feed_id: int


async def known_keys(session: AsyncSession, feed_id: int, keys: Iterable[str]) -> set[str]:
    """The keys this feed has seen: its own articles' and its copies of other articles."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        query = union(
            select(Article.key).where(Article.feed_id == feed_id, Article.key.in_(chunk)),
            select(FeedEntry.key).where(FeedEntry.feed_id == feed_id, FeedEntry.key.in_(chunk)),
        )
        found.update((await session.scalars(query)).all())
    return found


async def stored_by_links(
    session: AsyncSession, links: Iterable[str | None]
) -> dict[str, StoredArticle]:
    """Canonical link → the article stored under it, from any feed."""
    wanted = sorted({link for link in links if link})
    found: dict[str, StoredArticle] = {}
    for chunk in _chunks(wanted):
        query = select(Article.canonical_link, Article.id, Article.feed_id).where(
            Article.canonical_link.in_(chunk)
        )
        for link, article_id, feed_id in (await session.execute(query)).all():
            found[link] = StoredArticle(article_id, feed_id)
    return found


async def insert_articles(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert articles, skipping any that another poll stored meanwhile; return key → id.

    Rows keep their order (oldest entry first): article ids are the posting order. Each new
    article is indexed for search in the same transaction, so it is searchable as soon as it
    is stored, and never stored without being searchable.
    """
    ids: dict[str, int] = {}
    docs: list[search.Document] = []
    for chunk in _chunks(rows):
        # render_nulls: the ORM would otherwise leave out each row's None values and run one
        # statement (compiled anew) per pattern of them (a picture or none, a page error or
        # none): hundreds per poll of a large feed.
        statement = (
            insert_ignore(session, Article)
            .returning(Article.id, Article.key, Article.feed_id)
            .execution_options(render_nulls=True)
        )
        columns = [{k: v for k, v in row.items() if k not in _NOT_COLUMNS} for row in chunk]
        result = await session.execute(statement, columns)
        inserted = {(feed_id, key): article_id for article_id, key, feed_id in result.all()}
        ids.update({key: article_id for (_, key), article_id in inserted.items()})
        docs += [
            search.document(
                inserted[row["feed_id"], row["key"]],
                row["headline"],
                row.get("original_title", ""),
                row.get("text", ""),
                row["published_at"],
                terms=_given_terms(row),
            )
            for row in chunk
            if (row["feed_id"], row["key"]) in inserted
        ]
    # Indexed once for the whole call: the document frequencies in one upsert, in term order
    # (storage/search.py index_statements).
    await search.index_articles(session, sorted(docs, key=lambda doc: doc.article_id))
    return ids


def _given_terms(row: dict[str, Any]) -> tuple[Sequence[str], Sequence[str]] | None:
    """The row's precomputed index terms, when it has them and they fit its headline (the
    title indexed is the headline alone only when the original title is the same)."""
    title, text = row.get(TITLE_TERMS), row.get(TEXT_TERMS)
    if title is None or text is None or row.get("original_title", "") not in ("", row["headline"]):
        return None
    return title, text


async def record_feed_entries(
    session: AsyncSession, entries: Iterable[tuple[int, str, int]]
) -> None:
    """Remember (feed id, key, article id): the feed's entry is that article."""
    rows = [
        {"feed_id": feed_id, "key": key, "article_id": article_id}
        for feed_id, key, article_id in entries
    ]
    for chunk in _chunks(rows):
        await session.execute(insert_ignore(session, FeedEntry), list(chunk))


async def tag_articles(session: AsyncSession, pairs: Iterable[tuple[int, int]]) -> None:
    """Record (article id, category id) pairs (in key order, so that two polls tagging one
    article cannot deadlock)."""
    rows = [{"article_id": article, "category_id": category} for article, category in sorted(pairs)]
    for chunk in _chunks(rows):
        await session.execute(insert_ignore(session, article_categories), list(chunk))


async def categories_of(session: AsyncSession, ids: Iterable[int]) -> dict[int, list[int]]:
    """Article id → its category ids (in id order)."""
    wanted = sorted(set(ids))
    found: dict[int, list[int]] = {article_id: [] for article_id in wanted}
    table = article_categories.c
    for chunk in _chunks(wanted):
        query = (
            select(table.article_id, table.category_id)
            .where(table.article_id.in_(chunk))
            .order_by(table.article_id, table.category_id)
        )
        for article_id, category_id in (await session.execute(query)).all():
            found[article_id].append(category_id)
    return found


async def articles_by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, Article]:
    wanted = sorted(set(ids))
    found: dict[int, Article] = {}
    for chunk in _chunks(wanted):
        rows = (await session.scalars(select(Article).where(Article.id.in_(chunk)))).all()
        found.update({article.id: article for article in rows})
    return found

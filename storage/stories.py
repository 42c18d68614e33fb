"""Same story, several outlets: the fingerprints that decide, the chats that have a story, the
edits that name the other outlets.

A story is its first article (the root) and every article whose `story_id` names it. What
decides whether a new article tells a story again is in the database (its fingerprint, stored
with it), so that every process decides the same way; `lock_stories` makes the decisions of all
processes sequential on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, case, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.models import Article, Chat, ChatKind, Delivery, DeliveryStatus, Feed, UTCDateTime

# PostgreSQL advisory lock key of the same-story decision (any constant: ours alone).
STORY_LOCK = 0x4E415348_5354  # "NASHST"
# Deliveries whose chat has the story: sent, about to be, or held for the reader's digest.
HAS_STORY = (DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.HELD)
# Telegram lets a bot edit its messages in a private chat for 48 hours; a margin for the
# queue and the clocks (channels and groups have no such limit).
PRIVATE_EDIT_WINDOW = timedelta(hours=47)
_CHUNK = 1000


class StoredPrint(NamedTuple):
    """An article's fingerprint as stored, with what the index needs beside it."""

    id: int
    fingerprint: bytes
    published_at: datetime


async def lock_stories(session: AsyncSession) -> None:
    """Hold the same-story decision until the transaction ends (PostgreSQL: an advisory
    transaction lock, so that two processes storing one story at once decide in turn; SQLite
    takes one writer at a time anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORY_LOCK})


async def fingerprints_since(
    session: AsyncSession, published_after: datetime, *, after_id: int = 0
) -> list[StoredPrint]:
    """The stored fingerprints of articles published after `published_after` with an id above
    `after_id`, in id order."""
    query = (
        select(Article.id, Article.fingerprint, Article.published_at)
        .where(
            Article.id > after_id,
            Article.fingerprint.is_not(None),
            Article.published_at >= published_after,
        )
        .order_by(Article.id)
    )
    return [StoredPrint(*row) for row in (await session.execute(query)).all()]


async def last_article_id(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.max(Article.id))) or 0)


async def roots(session: AsyncSession, article_ids: Iterable[int]) -> dict[int, int]:
    """Article id → the first article of its story (itself when it is the first)."""
    wanted = sorted(set(article_ids))
    found: dict[int, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(Article.id, Article.story_id).where(Article.id.in_(chunk))
        for article_id, story_id in (await session.execute(query)).all():
            found[article_id] = story_id or article_id
    return found


async def set_story(session: AsyncSession, pairs: Iterable[tuple[int, int]]) -> None:
    """Stage (article id, root id): the article tells the root's story again."""
    for article_id, root_id in pairs:
        await session.execute(
            update(Article).where(Article.id == article_id).values(story_id=root_id)
        )


class StoryDelivery(NamedTuple):
    """A chat that has a story: the delivery that brought it there."""

    delivery_id: int
    chat_id: int
    status: DeliveryStatus
    article_id: int


async def chats_with(
    session: AsyncSession, story_roots: Iterable[int], chat_ids: Iterable[int]
) -> dict[int, dict[int, StoryDelivery]]:
    """Root id → {chat id: its earliest delivery of the story} among these chats."""
    root_ids = sorted(set(story_roots))
    chats = sorted(set(chat_ids))
    found: dict[int, dict[int, StoryDelivery]] = {root: {} for root in root_ids}
    if not root_ids or not chats:
        return found
    root = func.coalesce(Article.story_id, Article.id)
    for start in range(0, len(chats), _CHUNK):
        query = (
            select(root, Delivery.chat_id, Delivery.id, Delivery.status, Delivery.article_id)
            .join(Article, Article.id == Delivery.article_id)
            .where(
                or_(Article.id.in_(root_ids), Article.story_id.in_(root_ids)),
                Delivery.chat_id.in_(chats[start : start + _CHUNK]),
                Delivery.status.in_(HAS_STORY),
            )
            .order_by(Delivery.id)
        )
        for root_id, chat_id, delivery_id, status, article_id in await session.execute(query):
            delivery = StoryDelivery(delivery_id, chat_id, status, article_id)
            found[root_id].setdefault(chat_id, delivery)
    return found


async def request_edits(session: AsyncSession, delivery_ids: Iterable[int], now: datetime) -> int:
    """Mark posts to edit now (they will name the story's other outlets); return how many.

    Sent posts, and pending ones too: a send in flight may have been formatted before this
    copy was stored (its edit then finds nothing to change). A reader's post past Telegram's
    edit window, and a post held for a digest or sent in one, are left as they are.
    """
    ids = sorted(set(delivery_ids))
    if not ids:
        return 0
    private = select(Chat.id).where(Chat.kind == ChatKind.PRIVATE)
    editable = or_(
        Delivery.status == DeliveryStatus.PENDING,
        Delivery.chat_id.not_in(private),
        Delivery.sent_at >= now - PRIVATE_EDIT_WINDOW,
    )
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(ids),
            Delivery.status.in_((DeliveryStatus.SENT, DeliveryStatus.PENDING)),
            Delivery.in_digest.is_(False),  # its message is the digest's, not this post
            editable,
        )
        .values(edit_due_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def lease_edits(
    session: AsyncSession, now: datetime, *, limit: int, lease: timedelta, token: str
) -> Sequence[Delivery]:
    """Take sent posts due for an edit, and hold them for `lease` (as lease_due does)."""
    query = (
        select(Delivery)
        .where(
            Delivery.status == DeliveryStatus.SENT,
            Delivery.edit_due_at <= now,
            Delivery.message_id.is_not(None),
            Delivery.in_digest.is_(False),
            # Not held by a lease, nor given back for later (a chat's turn, a 429).
            Delivery.next_attempt_at <= now,
        )
        .order_by(Delivery.edit_due_at, Delivery.id)
        .limit(limit)
    )
    return await outbox.hold(session, query, now, lease=lease, token=token)


async def finish_edit(
    session: AsyncSession,
    delivery_id: int,
    token: str,
    now: datetime,
    *,
    leased_at: datetime | None = None,
    again_at: datetime | None = None,
) -> None:
    """An edit is done (or given up): the row is free now. `again_at`: try it again then.

    An edit asked for after the row was leased (`leased_at`: another outlet stored while this
    edit was on its way, formatted without it) is kept, due as it was asked.
    """
    again = bindparam("again", again_at, type_=UTCDateTime())
    due = (
        case(
            (
                Delivery.edit_due_at > bindparam("leased", leased_at, type_=UTCDateTime()),
                Delivery.edit_due_at,
            ),
            else_=again,
        )  # fmt: skip
        if leased_at is not None
        else again
    )
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.lease_token == token)
        .values(edit_due_at=due, lease_token=None, next_attempt_at=now)
    )


async def other_outlets(
    session: AsyncSession, article_ids: Iterable[int], *, limit: int = 4
) -> dict[int, list[tuple[str, str]]]:
    """Article id → the other outlets of its story, oldest first, as (name, link): one per
    source, not its own, at most `limit` (a post names three, then «وغيرها»)."""
    wanted = sorted(set(article_ids))
    found: dict[int, list[tuple[str, str]]] = {article_id: [] for article_id in wanted}
    if not wanted:
        return found
    own = await session.execute(
        select(
            Article.id, func.coalesce(Article.story_id, Article.id), Article.source_domain
        ).where(Article.id.in_(wanted))
    )
    by_root: dict[int, list[tuple[int, str]]] = {}
    for article_id, root_id, domain in own.all():
        by_root.setdefault(root_id, []).append((article_id, domain))
    members = (
        select(
            func.coalesce(Article.story_id, Article.id),
            Article.id,
            Article.source_domain,
            Feed.name,
            Article.link,
            Article.canonical_link,
        )
        .join(Feed, Feed.id == Article.feed_id)
        .where(or_(Article.id.in_(by_root), Article.story_id.in_(by_root)))
        .order_by(Article.published_at, Article.id)
    )
    stories: dict[int, list[tuple[int, str, str, str]]] = {}
    for root_id, member_id, domain, name, link, canonical in await session.execute(members):
        stories.setdefault(root_id, []).append(
            (member_id, domain, name or domain, link or canonical or "")
        )
    for root_id, articles in by_root.items():
        for article_id, domain in articles:
            seen = {domain}
            outlets = found[article_id]
            for member_id, member_domain, name, link in stories.get(root_id, ()):
                if member_id == article_id or member_domain in seen or not link:
                    continue
                seen.add(member_domain)
                outlets.append((name, link))
                if len(outlets) == limit:
                    break
    return found


def story_roots(decided: Mapping[str, int | None], ids: Mapping[str, int]) -> list[tuple[int, int]]:
    """(article id, root id) of the inserted articles that tell an earlier story."""
    return [
        (ids[key], root)
        for key, root in decided.items()
        if root is not None and key in ids and ids[key] != root
    ]

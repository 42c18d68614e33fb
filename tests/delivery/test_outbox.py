"""The outbox's leases on both backends: a stale sender changes nothing; retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery.retention import prune_outbox
from storage import catalog, outbox
from storage.feeds import add_feed
from storage.models import ChatKind, Delivery, DeliveryStatus
from tests.factories import article_row, store_articles

NOW = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
CHANNEL = -1003000000001
LEASE = timedelta(seconds=60)


async def plan(
    sessions: async_sessionmaker[AsyncSession], count: int, when: datetime = NOW
) -> list[int]:
    async with sessions.begin() as session:
        feed = await add_feed(session, f"https://x.sy/feed/{when.timestamp()}", now=when)
        await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL)
        rows = [article_row(feed.id, f"k{when.timestamp()}-{n}", when=when) for n in range(count)]
        ids = await store_articles(session, rows)
        await outbox.plan(session, [(a, CHANNEL, 0, DeliveryStatus.PENDING) for a in ids], when)
    async with sessions() as session:
        query = select(Delivery.id).where(Delivery.article_id.in_(ids)).order_by(Delivery.id)
        return list((await session.scalars(query)).all())


def sent(delivery_id: int, token: str) -> dict[str, object]:
    return {
        "delivery_id": delivery_id, "token": token, "status": DeliveryStatus.SENT,
        "last_error": None, "message_id": 7, "sent_at": NOW, "attempts": 0,
        "next_attempt_at": NOW, "as_photo": False,
    }  # fmt: skip


async def test_a_stale_sender_cannot_overwrite_a_row_another_sender_owns(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [delivery_id] = await plan(sessions, 1)
    async with sessions.begin() as session:
        await outbox.lease_due(session, NOW, limit=10, lease=LEASE, token="stale")
    later = NOW + LEASE + timedelta(seconds=1)  # the first lease ran out
    async with sessions.begin() as session:
        [row] = await outbox.lease_due(session, later, limit=10, lease=LEASE, token="owner")
    async with sessions.begin() as session:
        await outbox.record(session, [sent(delivery_id, "stale")])
        await outbox.give_back(session, [delivery_id], NOW, "stale")
    async with sessions() as session:
        row = await session.get(Delivery, delivery_id)
        assert row is not None
        assert (row.status, row.lease_token) == (DeliveryStatus.PENDING, "owner")
        assert row.next_attempt_at == later + LEASE
    async with sessions.begin() as session:
        await outbox.record(session, [sent(delivery_id, "owner")])
    async with sessions() as session:
        row = await session.get(Delivery, delivery_id)
        assert row is not None
        assert (row.status, row.message_id, row.lease_token) == (DeliveryStatus.SENT, 7, None)


async def test_retention_deletes_old_sent_and_failed_rows_in_batches(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    old = NOW - timedelta(days=31)
    old_ids = await plan(sessions, 9, when=old)
    recent_ids = await plan(sessions, 2, when=NOW - timedelta(days=29))
    kept_status = [DeliveryStatus.PENDING, DeliveryStatus.HELD, DeliveryStatus.DEAD,
                   DeliveryStatus.DROPPED]  # fmt: skip
    statuses = [DeliveryStatus.SENT] * 3 + [DeliveryStatus.FAILED] * 2 + kept_status
    async with sessions.begin() as session:
        for delivery_id, status in zip(old_ids + recent_ids, statuses + [DeliveryStatus.SENT] * 2,
                                       strict=True):  # fmt: skip
            await session.execute(
                update(Delivery).where(Delivery.id == delivery_id).values(status=status)
            )
    assert await prune_outbox(sessions, NOW, timedelta(days=30), batch=2) == 5
    async with sessions() as session:
        left = (await session.execute(select(Delivery.id, Delivery.status))).all()
    assert sorted(i for i, _ in left) == old_ids[5:] + recent_ids
    assert await prune_outbox(sessions, NOW, timedelta(days=30), batch=2) == 0


async def test_deliveries_are_indexed_by_chat(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        indexes = await connection.run_sync(lambda sync: inspect(sync).get_indexes("deliveries"))
    by_name = {index["name"]: index["column_names"] for index in indexes}
    assert by_name["ix_deliveries_chat_id"] == ["chat_id"]


async def test_failing_an_article_leaves_rows_another_sender_holds(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # One article for four channels: leased by this batch, by another sender, by nobody, and
    # by a sender whose lease ran out.
    leases = {"mine": NOW + LEASE, "theirs": NOW + LEASE, None: NOW, "gone": NOW - LEASE}
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://x.sy/feed", now=NOW)
        [article] = await store_articles(session, [article_row(feed.id, "k", when=NOW)])
        chats = [CHANNEL - n for n in range(len(leases))]
        for chat_id in chats:
            await catalog.upsert_chat(session, chat_id, ChatKind.CHANNEL)
        await outbox.plan(session, [(article, c, 0, DeliveryStatus.PENDING) for c in chats], NOW)
        for chat_id, (token, until) in zip(chats, leases.items(), strict=True):
            await session.execute(
                update(Delivery).where(Delivery.chat_id == chat_id)
                .values(lease_token=token, next_attempt_at=until)
            )  # fmt: skip
    async with sessions.begin() as session:
        assert await outbox.fail_article(session, article, "malformed", NOW, token="mine") == 3
    async with sessions() as session:
        rows = (await session.scalars(select(Delivery).order_by(Delivery.chat_id.desc()))).all()
    assert [(row.status, row.lease_token) for row in rows] == [
        (DeliveryStatus.FAILED, None),
        (DeliveryStatus.PENDING, "theirs"),  # its sender will learn the same on its own
        (DeliveryStatus.FAILED, None),
        (DeliveryStatus.FAILED, None),
    ]

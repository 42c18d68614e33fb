"""A failed outcome write is tried again at once, not when the next outcome comes.

The failure is real: a trigger that refuses every update of `deliveries`, created while the
message is on its way and dropped once a write has failed.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery.botapi import BotApiPublisher
from bot.delivery.outlets import Sent
from bot.delivery.sender import Sender
from bot.news.formatter import Post, PostStyle
from storage import catalog, outbox
from storage.feeds import add_feed
from storage.models import ChatKind, Delivery, DeliveryStatus
from tests.factories import article_row, store_articles
from tests.fakes.telegram import FakeTelegram
from tests.support import FrozenClock

NOW = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
CHANNEL = -1004000000001

REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse_outcomes BEFORE UPDATE ON deliveries "
        "BEGIN SELECT RAISE(ABORT, 'outcomes refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_outcomes() RETURNS trigger AS "
        "$$ BEGIN RAISE EXCEPTION 'outcomes refused'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_outcomes BEFORE UPDATE ON deliveries "
        "FOR EACH ROW EXECUTE FUNCTION refuse_outcomes()",
    ],
}
ACCEPT = {
    "sqlite": ["DROP TRIGGER refuse_outcomes"],
    "postgresql": [
        "DROP TRIGGER refuse_outcomes ON deliveries",
        "DROP FUNCTION refuse_outcomes()",
    ],
}


async def execute(engine: AsyncEngine, statements: list[str]) -> None:
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))


class RefusingOutcomes:
    """The real publisher; before the message goes, the database starts refusing writes."""

    def __init__(self, publisher: BotApiPublisher, engine: AsyncEngine) -> None:
        self.publisher = publisher
        self.engine = engine

    async def send(
        self, chat_id: int, post: Post, *, silent: bool = False, thread_id: int | None = None
    ) -> Sent:
        await execute(self.engine, REFUSE[self.engine.dialect.name])
        return await self.publisher.send(chat_id, post, silent=silent, thread_id=thread_id)

    async def send_text(self, chat_id: int, html: str, *, silent: bool = False) -> int:
        return await self.publisher.send_text(chat_id, html, silent=silent)


async def test_a_failed_outcome_write_is_retried_until_it_is_written(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://x.sy/feed", now=NOW)
        await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL)
        [article] = await store_articles(session, [article_row(feed.id, "k", when=NOW)])
        await outbox.plan(session, [(article, CHANNEL, 0, DeliveryStatus.PENDING)], NOW)
    sender = Sender(
        sessions, RefusingOutcomes(publisher, engine), PostStyle(), clock=FrozenClock(NOW)
    )
    recorder = asyncio.create_task(sender.recorder.run())
    try:
        assert await sender.drain_once(settle=False) == 1
        await asyncio.wait_for(sender.recorder.a_write_failed(), 10)
        await execute(engine, ACCEPT[engine.dialect.name])
        # No other outcome arrives: the recorder must try again by itself.
        await asyncio.wait_for(sender.recorder.written(), 10)
    finally:
        recorder.cancel()
        await asyncio.gather(recorder, return_exceptions=True)
    async with sessions() as session:
        [row] = (await session.scalars(select(Delivery))).all()
    assert row.status is DeliveryStatus.SENT
    assert sender.recorder.failures >= 1
    assert len(telegram.sent(CHANNEL)) == 1

"""Edits of sent posts that name a story's other outlets, against the fake Telegram server: done
once, given up when Telegram cannot edit the message, tried again after a passing failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.botapi import BotApiPublisher
from bot.delivery.instant import EDIT_RETRY
from storage import stories
from storage.feeds import add_feed
from storage.models import ChatKind, Delivery, DeliveryStatus
from tests.delivery.test_photos import plan_article as plan_photo
from tests.delivery.test_sender import CHANNEL, make_sender, plan_articles
from tests.factories import article_row, store_articles
from tests.fakes.telegram import FakeTelegram
from tests.news.test_captions import LONG
from tests.support import FrozenClock

NOW = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
ALSO = "وردت أيضاً في: سانا"


async def sent_story(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> tuple[int, FrozenClock]:
    """A post sent to the channel, then another outlet's copy of its story, stored: the post is
    due for an edit. Return the delivery's id and the clock."""
    telegram.add_chat(CHANNEL, "channel")
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL)
    clock = FrozenClock(NOW)
    assert await make_sender(sessions, publisher, clock).drain_once() == 1
    async with sessions.begin() as session:
        [row] = (await session.scalars(select(Delivery))).all()
        feed = await add_feed(session, "https://sana.sy/feed", now=NOW)
        feed.name = "سانا"
        copy = article_row(feed.id, "copy", when=NOW, link="https://sana.sy/news/1")
        [copy_id] = await store_articles(session, [copy])
        await stories.set_story(session, [(copy_id, row.article_id)])
        assert await stories.request_edits(session, [row.id], NOW) == 1
    return row.id, clock


async def edit_state(sessions: async_sessionmaker[AsyncSession], delivery_id: int) -> tuple:
    async with sessions() as session:
        row = await session.get(Delivery, delivery_id)
        assert row is not None
        return row.status, row.edit_due_at, row.lease_token


async def test_a_sent_post_is_edited_once_to_name_the_other_outlet(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    delivery_id, clock = await sent_story(sessions, telegram, publisher)
    sender = make_sender(sessions, publisher, clock)
    assert await sender.drain_once() == 1
    [post] = telegram.sent(CHANNEL)
    assert ALSO in post.text
    assert post.edit_date is not None
    assert await edit_state(sessions, delivery_id) == (DeliveryStatus.SENT, None, None)
    assert await sender.drain_once() == 0  # done: not edited again
    assert len(telegram.calls_of("editMessageText")) == 1


async def test_an_edit_that_changes_nothing_is_done(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    delivery_id, clock = await sent_story(sessions, telegram, publisher)
    sender = make_sender(sessions, publisher, clock)
    assert await sender.drain_once() == 1
    async with sessions.begin() as session:  # asked again (a send in flight, say)
        await stories.request_edits(session, [delivery_id], NOW)
    # Another sender (the first one's pacer has just booked the channel's next slot).
    again = make_sender(sessions, publisher, clock)
    assert await again.drain_once() == 1  # Telegram: "message is not modified"
    assert await edit_state(sessions, delivery_id) == (DeliveryStatus.SENT, None, None)


@pytest.mark.parametrize(
    "description",
    ["Bad Request: message to edit not found", "Bad Request: message can't be edited"],
)
async def test_an_edit_telegram_cannot_make_is_given_up_and_the_post_stays_sent(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
    description: str,
) -> None:
    delivery_id, clock = await sent_story(sessions, telegram, publisher)
    telegram.fail_next("editMessageText", 400, description)
    sender = make_sender(sessions, publisher, clock)
    assert await sender.drain_once() == 1
    assert await edit_state(sessions, delivery_id) == (DeliveryStatus.SENT, None, None)
    clock.now += timedelta(hours=1)
    assert await sender.drain_once() == 0


@pytest.mark.parametrize(("status", "wait"), [(500, EDIT_RETRY), (429, timedelta(seconds=7))])
async def test_an_edit_that_failed_for_a_passing_reason_is_made_later(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
    status: int,
    wait: timedelta,
) -> None:
    delivery_id, clock = await sent_story(sessions, telegram, publisher)
    parameters = {"retry_after": 7} if status == 429 else None
    telegram.fail_next("editMessageText", status, parameters=parameters)
    sender = make_sender(sessions, publisher, clock)
    assert await sender.drain_once() == 1
    assert await edit_state(sessions, delivery_id) == (DeliveryStatus.SENT, NOW + wait, None)
    assert ALSO not in telegram.sent(CHANNEL)[0].text
    clock.now = NOW + wait
    # Time has passed: a sender whose pacer keeps no pause (as after a restart).
    assert await make_sender(sessions, publisher, clock).drain_once() == 1
    assert ALSO in telegram.sent(CHANNEL)[0].text
    assert await edit_state(sessions, delivery_id) == (DeliveryStatus.SENT, None, None)


async def test_a_photo_post_is_edited_in_its_caption(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    await plan_photo(sessions, CHANNEL, text=LONG[0])
    clock = FrozenClock(NOW)
    assert await make_sender(sessions, publisher, clock).drain_once() == 1
    async with sessions.begin() as session:
        [row] = (await session.scalars(select(Delivery))).all()
        assert row.as_photo
        feed = await add_feed(session, "https://sana.sy/feed", now=NOW)
        feed.name = "سانا"
        copy_row = article_row(feed.id, "c", when=NOW, link="https://sana.sy/news/2")
        [copy] = await store_articles(session, [copy_row])
        await stories.set_story(session, [(copy, row.article_id)])
        await stories.request_edits(session, [row.id], NOW)
    assert await make_sender(sessions, publisher, clock).drain_once() == 1
    [message] = telegram.sent(CHANNEL)
    assert ALSO in message.caption
    assert telegram.calls_of("editMessageText") == []
    assert await edit_state(sessions, row.id) == (DeliveryStatus.SENT, None, None)

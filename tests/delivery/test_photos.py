"""Photo posts through the fake Telegram server: an article with a picture goes as a photo
captioned with the post (within 1024 characters), as text previewing the picture when the post
is too long for a caption, and as text, once, when Telegram refuses the picture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import poll_feeds
from bot.delivery.botapi import BotApiPublisher
from bot.delivery.pacing import Limits
from bot.delivery.sender import Sender, SenderSettings
from bot.news.formatter import TELEGRAM_CAPTION_LIMIT, PostStyle
from bot.text.arabic import split_sentences
from storage import catalog, outbox
from storage.feeds import add_feed
from storage.models import Chat, ChatKind, Delivery, DeliveryStatus
from tests.factories import article_row, channel, store_articles
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import FakeTelegram, utf16_len
from tests.news.test_captions import LONG
from tests.support import FrozenClock, make_settings, running_bot
from tests.test_end_to_end import make_due, operator

CHANNEL = -1002000000001
READER = 4242
NOW = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
PICTURE = "https://cdn.example.sy/photos/aleppo.jpg"
LINK = "https://news.example.sy/1/k0"
HEADLINE = "حلب تشهد انسحاباً كاملاً لقوات سوريا الديمقراطية"
# Four long sentences of one story: their summary is too long for a caption.
SENTENCES = LONG
DISCLAIMER_END = "لا يتحمل موقعنا مضمونه بأي شكل من الأشكال."


async def plan_article(
    sessions: async_sessionmaker[AsyncSession],
    chat_id: int,
    kind: ChatKind = ChatKind.CHANNEL,
    **article: Any,
) -> None:
    """One article, with a picture unless told otherwise, planned for one chat."""
    async with sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, "https://news.example.sy/feed", now=NOW)
        await channel(session, chat_id, [category], kind=kind)
        values = {"title": HEADLINE, "text": " ".join(SENTENCES), "image_url": PICTURE} | article
        [article_id] = await store_articles(
            session, [article_row(feed.id, "k0", when=NOW, **values)], [category]
        )
        await outbox.plan(session, [(article_id, chat_id, 0, DeliveryStatus.PENDING)], NOW)


def make_sender(sessions: async_sessionmaker[AsyncSession], publisher: BotApiPublisher) -> Sender:
    return Sender(
        sessions, publisher, PostStyle(inline_mode=True, summary_max_chars=3000),
        limits=Limits(group_interval=0.05, private_interval=0.05),
        settings=SenderSettings(max_attempts=3), clock=FrozenClock(NOW),
    )  # fmt: skip


async def the_delivery(sessions: async_sessionmaker[AsyncSession]) -> Delivery:
    async with sessions() as session:
        [row] = (await session.scalars(select(Delivery))).all()
        return row


async def test_a_channel_gets_a_photo_captioned_within_the_limit(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    await plan_article(sessions, CHANNEL)
    assert await make_sender(sessions, publisher).drain_once() == 1
    [message] = telegram.sent(CHANNEL)
    assert telegram.photo_address(message) == PICTURE
    assert message.text == ""
    # The summary shrank to whole sentences; headline, disclaimer, link and tags stay.
    assert utf16_len(message.caption) <= TELEGRAM_CAPTION_LIMIT
    lines = message.caption.split("\n\n")
    assert lines[0] == HEADLINE
    kept = split_sentences(lines[1])
    assert 1 <= len(kept) < len(SENTENCES)
    assert kept == [sentence for sentence in SENTENCES if sentence in kept]
    assert DISCLAIMER_END in message.caption
    assert lines[-2] == "المصدر: news.example.sy"
    assert lines[-1] == "#سياسة"
    assert {entity["type"] for entity in message.extra["caption_entities"]} >= {"bold", "text_link"}
    assert message.reply_markup is not None  # «اقرأ المزيد»
    assert message.reply_markup["inline_keyboard"][0][0]["url"] == LINK
    row = await the_delivery(sessions)
    assert (row.status, row.as_photo, row.message_id) == (
        DeliveryStatus.SENT, True, message.message_id,
    )  # fmt: skip
    assert telegram.calls_of("sendMessage") == []


async def test_a_reader_gets_the_photo_with_read_more_and_share(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_user(READER, "قارئ")
    await plan_article(sessions, READER, ChatKind.PRIVATE, text=SENTENCES[0])
    assert await make_sender(sessions, publisher).drain_once() == 1
    [message] = telegram.sent(READER)
    assert telegram.photo_address(message) == PICTURE
    assert SENTENCES[0] in message.caption
    assert [button["text"] for button in message.reply_markup["inline_keyboard"][0]] == [
        "اقرأ المزيد", "شارك",
    ]  # fmt: skip
    assert (await the_delivery(sessions)).as_photo


async def test_a_post_too_long_for_a_caption_goes_as_text_previewing_the_picture(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    # The disclaimer quotes the outlet's title: with this one, headline, disclaimer and link
    # alone are over 1024 characters.
    await plan_article(sessions, CHANNEL, original_title="عنوان الخبر الأصلي الطويل " * 45)
    assert await make_sender(sessions, publisher).drain_once() == 1
    [message] = telegram.sent(CHANNEL)
    assert "photo" not in message.extra
    assert utf16_len(message.text) > TELEGRAM_CAPTION_LIMIT
    assert message.params["link_preview_options"] == {"url": PICTURE, "prefer_large_media": True}
    assert all(sentence in message.text for sentence in SENTENCES)  # 4096 characters, not 1024
    row = await the_delivery(sessions)
    assert (row.status, row.as_photo) == (DeliveryStatus.SENT, False)
    assert telegram.calls_of("sendPhoto") == []


async def test_a_refused_picture_sends_the_text_post_once(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    telegram.refuse_photo(PICTURE, "failed to get HTTP URL content")
    await plan_article(sessions, CHANNEL)
    sender = make_sender(sessions, publisher)
    assert await sender.drain_once() == 1
    [refused] = telegram.calls_of("sendPhoto")
    assert refused.status == 400
    [message] = telegram.sent(CHANNEL)
    assert "photo" not in message.extra
    assert message.text.startswith(HEADLINE)
    assert SENTENCES[-1] in message.text  # the whole post, not the caption
    assert message.params["link_preview_options"] == {"url": LINK}  # the article's page
    row = await the_delivery(sessions)
    assert (row.status, row.as_photo, row.message_id, row.attempts) == (
        DeliveryStatus.SENT, False, message.message_id, 0,
    )  # fmt: skip
    # Nothing is left to send: no second copy, no second try of the picture.
    assert await sender.drain_once() == 0
    assert len(telegram.calls_of("sendPhoto")) == 1
    assert len(telegram.calls_of("sendMessage")) == 1


@pytest.mark.parametrize(
    "description",
    [
        "Bad Request: not enough rights to send photos to the chat",
        "Bad Request: wrong HTTP URL specified",
    ],
)
async def test_a_photo_the_chat_does_not_take_goes_as_text_and_keeps_the_chat(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
    description: str,
) -> None:
    """A group that takes no photos from the bot still takes its posts: not retired."""
    telegram.add_chat(CHANNEL, "channel")
    telegram.fail_next("sendPhoto", status=400, description=description)
    await plan_article(sessions, CHANNEL)
    assert await make_sender(sessions, publisher).drain_once() == 1
    [message] = telegram.sent(CHANNEL)
    assert message.text.startswith(HEADLINE)
    row = await the_delivery(sessions)
    assert (row.status, row.as_photo) == (DeliveryStatus.SENT, False)
    async with sessions() as session:
        chat = await session.get(Chat, CHANNEL)
        assert chat is not None
        assert chat.active


async def test_other_errors_of_a_photo_are_those_of_any_send(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    telegram.fail_next("sendPhoto", status=502)
    await plan_article(sessions, CHANNEL)
    assert await make_sender(sessions, publisher).drain_once() == 1
    row = await the_delivery(sessions)
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)  # retried later
    assert row.next_attempt_at is not None
    assert row.next_attempt_at > NOW
    assert telegram.sent(CHANNEL) == []
    assert telegram.calls_of("sendMessage") == []  # a picture Telegram took is no fallback


async def test_a_feed_entry_with_a_picture_is_posted_as_a_photo(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    telegram.add_chat(CHANNEL, "channel", title="أخبار سوريا")
    yesterday = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)

    def entry(n: int) -> dict[str, str]:
        return {
            "title": f"انسحاب القوات من الحي رقم {n}",
            "link": f"https://www.enabbaladi.net/archives/{n}",
            "guid": f"https://www.enabbaladi.net/?p={n}",
            "description": (
                f'<p><img src="/wp-content/uploads/{n}.jpg" width="800" height="450"/>'
                f"أعلنت الجهات المعنية انسحاب القوات من الحي رقم {n}. وقال مصدر إن الوضع هادئ.</p>"
            ),
            "pubDate": format_datetime(yesterday + timedelta(minutes=n), usegmt=True),
        }

    url = feed_server.set("enab.xml", rss([entry(1)]))
    settings = make_settings(
        bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
        database_url=database_url, parse_workers=0,
    )  # fmt: skip
    assert await operator(settings, "feed", "add", url, "--category", "سوريا محلي") == 0
    assert await operator(settings, "channel", "add", str(CHANNEL), "--category", "سوريا محلي") == 0
    async with running_bot(settings) as application:
        await poll_feeds(application)  # the first poll records, posts nothing
        feed_server.set("enab.xml", rss([entry(2), entry(1)]))
        await make_due(application)
        assert (await poll_feeds(application)).planned == 1
        await telegram.wait_for(lambda: len(telegram.sent(CHANNEL)) == 1, timeout=15)
    [message] = telegram.sent(CHANNEL)
    assert telegram.photo_address(message) == "https://www.enabbaladi.net/wp-content/uploads/2.jpg"
    assert message.caption.startswith("انسحاب القوات من الحي رقم 2")
    assert "وقال مصدر إن الوضع هادئ." in message.caption

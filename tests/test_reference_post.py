"""The reference article (shared/seed/aleppo-article.txt), from a feed to the channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.botapi import BotApiPublisher
from bot.delivery.pacing import Limits
from bot.delivery.sender import Sender
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poller import Poller
from bot.feeds.workers import ParserPool
from bot.news.formatter import PostStyle
from storage import catalog
from storage.feeds import add_feed
from storage.models import ChatKind
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import FakeTelegram
from tests.support import FrozenClock, seed_dir

ORIGINAL_TITLE = 'من النفير العام إلى التفاهم.. انسحاب "قسد" تماماً من حلب'
DISCLAIMER = (
    'هذا الخبر بعنوان "من النفير العام إلى التفاهم.. انسحاب "قسد" تماماً من حلب" نشر أولاً '
    "على موقع hashtagsyria.com وتم جلبه من مصدره الأصلي بتاريخ ١١ كانون الثاني ٢٠٢٦."
)
SECOND_LINE = (
    "لا يتحمل موقعنا مضمونه بأي شكل من الأشكال. "
    "بإمكانكم الإطلاع على تفاصيل هذا الخبر من خلال مصدره الأصلي."
)
CHANNEL = -1003000000001
FETCHED = datetime(2026, 1, 11, 8, 15, tzinfo=UTC)


def reference_page() -> tuple[list[str], list[str]]:
    """The page's body paragraphs and its category labels."""
    lines = [line for line in (seed_dir() / "aleppo-article.txt").read_text().splitlines()]
    lines = [line.strip() for line in lines if line.strip()]
    assert lines[1].startswith("هذا الخبر بعنوان")
    assert lines[1] == DISCLAIMER
    assert lines[2] == SECOND_LINE
    labels = [line for line in lines[3:] if len(line) < 20]
    body = [line for line in lines[3:] if len(line) >= 20]
    return body, labels


async def test_reference_article_is_posted_with_the_exact_disclaimer(
    sessions: async_sessionmaker[AsyncSession],
    feed_server: FeedServer,
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    body, labels = reference_page()
    older = {"title": "خبر سابق", "guid": "old", "link": "https://hashtagsyria.com/old"}
    url = feed_server.set("hashtag.xml", rss([older], link="https://hashtagsyria.com/"))
    telegram.add_chat(CHANNEL, "channel", title="نشرة سوريا")
    async with sessions.begin() as session:
        categories = await catalog.ensure_categories(session, ["سياسة", "سوريا محلي"])
        await add_feed(session, url, now=FETCHED - timedelta(hours=1))
        await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL)
        await catalog.subscribe(session, CHANNEL, categories[:1])
    clock = FrozenClock(FETCHED - timedelta(hours=1))
    async with Fetcher(FetchLimits(allow_private=True)) as fetcher:
        poller = Poller(sessions, fetcher, ParserPool(workers=0), clock=clock)
        await poller.tick()  # the first poll records the old entry without posting it
        reference = {
            "title": ORIGINAL_TITLE,
            "guid": "https://hashtagsyria.com/?p=164913",
            "link": "https://www.hashtagsyria.com/news/aleppo-sdf-withdrawal",
            "description": "".join(f"<p>{paragraph}</p>" for paragraph in body),
            "pubDate": "Sun, 11 Jan 2026 07:40:00 +0200",
            "category": "|".join(labels),
        }
        feed_server.set("hashtag.xml", rss([reference, older], link="https://hashtagsyria.com/"))
        clock.now = FETCHED + timedelta(minutes=10)
        report = await poller.tick()
    assert report.new_articles == 1
    assert report.planned == 1

    # A bot with inline mode on: the post invites sharing.
    sender = Sender(sessions, publisher, PostStyle(inline_mode=True), limits=Limits(), clock=clock)
    assert await sender.drain_once() == 1
    [message] = telegram.sent(CHANNEL)
    lines = message.text.splitlines()
    assert DISCLAIMER in lines
    assert lines[lines.index(DISCLAIMER) + 1] == SECOND_LINE
    assert lines[0] == ORIGINAL_TITLE
    assert "#سياسة #سوريا_محلي" in message.text
    assert message.reply_markup is not None
    [[read_more, share]] = message.reply_markup["inline_keyboard"]
    assert read_more == {"text": "اقرأ المزيد", "url": reference["link"]}
    # «شارك» opens the chat picker with "@bot <headline words>" typed in.
    assert share == {
        "text": "شارك",
        "switch_inline_query": "من النفير العام إلى التفاهم انسحاب قسد تماماً من حلب",
    }
    assert len(message.text) <= 4096
    assert "شهدت مدينة حلب تحولات عسكرية وسياسية بارزة" in message.text  # the lead

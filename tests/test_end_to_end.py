"""From a feed served locally to posts in a channel of the fake Telegram server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from sqlalchemy import select, update

from bot.app import poll_feeds, services_of
from bot.context import NashraApp
from storage.db import make_engine, make_sessions
from storage.models import Delivery, DeliveryStatus, Feed
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings, operator, running_bot

CHANNEL = -1001000000001
DISCLAIMER_END = "لا يتحمل موقعنا مضمونه بأي شكل من الأشكال."
# The bot runs on the real clock and posts only recent entries (MAX_ENTRY_AGE_HOURS).
YESTERDAY = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


def item(n: int) -> dict[str, str]:
    return {
        "title": f"انسحاب القوات من الحي رقم {n}",
        "link": f"https://www.enabbaladi.net/archives/{n}",
        "guid": f"https://www.enabbaladi.net/?p={n}",
        "description": (
            f"<p>أعلنت الجهات المعنية انسحاب القوات من الحي رقم {n}. وقال مصدر إن الوضع هادئ.</p>"
        ),
        "pubDate": format_datetime(YESTERDAY + timedelta(minutes=n), usegmt=True),
    }


async def make_due(application: NashraApp) -> None:
    """Time passes: every feed is due again."""
    async with services_of(application).sessions.begin() as session:
        await session.execute(update(Feed).values(next_poll_at=datetime.now(UTC)))


async def test_new_entries_are_posted_once_in_order_across_a_restart(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    telegram.add_chat(CHANNEL, "channel", title="أخبار سوريا")
    url = feed_server.set("enab.xml", rss([item(1)]))
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        parse_workers=0,
    )
    assert await operator(settings, "feed", "add", url, "--category", "سوريا محلي") == 0
    assert await operator(settings, "channel", "add", str(CHANNEL), "--category", "سوريا محلي") == 0

    async with running_bot(settings) as application:
        first = await poll_feeds(application)
        assert first.new_articles == 1
        assert first.planned == 0

        feed_server.set("enab.xml", rss([item(3), item(2), item(1)]))
        await make_due(application)
        second = await poll_feeds(application)
        assert second.new_articles == 2
        assert second.planned == 2
        await telegram.wait_for(lambda: len(telegram.sent(CHANNEL)) == 2, timeout=15)

    posts = telegram.sent(CHANNEL)
    assert ["رقم 2" in posts[0].text, "رقم 3" in posts[1].text] == [True, True]
    for post in posts:
        assert "نشر أولاً على موقع enabbaladi.net وتم جلبه من مصدره الأصلي بتاريخ" in post.text
        assert DISCLAIMER_END in post.text
        assert "#سوريا_محلي" in post.text

    # A restart, and another poll: the body is unchanged (304), nothing is parsed or sent.
    async with running_bot(settings) as application:
        await make_due(application)
        third = await poll_feeds(application)
        assert third.outcomes[0].not_modified
        assert third.new_articles == 0
        sessions = services_of(application).sessions
        async with sessions() as session:
            statuses = (await session.scalars(select(Delivery.status))).all()
    assert statuses == [DeliveryStatus.SENT, DeliveryStatus.SENT]
    assert feed_server.route("enab.xml").conditional_hits == 1
    assert len(telegram.sent(CHANNEL)) == 2
    assert len(telegram.calls_of("sendMessage")) == 2


async def test_planned_deliveries_survive_a_restart_before_sending(
    telegram: FakeTelegram, feed_server: FeedServer, tmp_path: object
) -> None:
    """Deliveries planned by one process are sent by the next: the outbox is the truth."""
    database_url = f"sqlite+aiosqlite:///{tmp_path}/restart.db"
    telegram.add_chat(CHANNEL, "channel", title="قناة")
    url = feed_server.set("f.xml", rss([item(1)]))
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        parse_workers=0,
    )
    await operator(settings, "feed", "add", url, "--category", "سياسة")
    await operator(settings, "channel", "add", str(CHANNEL), "--category", "سياسة")
    # Plan with a poller outside any running bot (as if the bot died right after planning).
    async with running_bot(settings) as application:
        services = services_of(application)
        assert services.sender_task is not None
        services.sender_task.cancel()
        await poll_feeds(application)
        feed_server.set("f.xml", rss([item(2), item(1)]))
        await make_due(application)
        assert (await poll_feeds(application)).planned == 1
    assert telegram.sent(CHANNEL) == []
    async with running_bot(settings):
        await telegram.wait_for(lambda: len(telegram.sent(CHANNEL)) == 1, timeout=10)
    engine = make_engine(database_url)
    async with make_sessions(engine)() as session:
        assert (await session.scalars(select(Delivery.status))).all() == [DeliveryStatus.SENT]
    await engine.dispose()


async def test_admins_are_told_when_a_failing_feed_is_disabled(
    telegram: FakeTelegram, feed_server: FeedServer, tmp_path: object
) -> None:
    admin = 900
    telegram.add_user(admin, "المشرف")
    url = feed_server.set("broken.xml", rss([item(1)]), status=500)
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/disabled.db",
        parse_workers=0,
        admin_ids=[admin],
        max_feed_failures=2,
    )
    await operator(settings, "feed", "add", url, "--category", "سياسة")
    async with running_bot(settings) as application:
        assert (await poll_feeds(application)).disabled == []
        await make_due(application)
        [disabled] = (await poll_feeds(application)).disabled
        await telegram.wait_for(lambda: len(telegram.sent(admin)) == 1)
    [notice] = telegram.sent(admin)
    assert disabled.url == url
    assert f"أوقفتُ جلب المصدر {url} بعد محاولتين فاشلتين متتاليتين." in notice.text
    assert "500" in notice.text


async def test_an_api_url_ending_in_bot_reaches_the_same_server(
    telegram: FakeTelegram, feed_server: FeedServer, tmp_path: object
) -> None:
    """TELEGRAM_API_BASE_URL in python-telegram-bot's form (…/bot): the handlers' replies, the
    command line's @name look-up and the outbox sender all reach the server, not …/bot/bot."""
    telegram.add_chat(CHANNEL, "channel", title="قناة", username="nashra_news")
    telegram.add_user(501, "سارة")
    url = feed_server.set("f.xml", rss([item(1)]))
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=f"{telegram.base_url}/bot",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot-url.db",
        parse_workers=0,
    )
    await operator(settings, "feed", "add", url, "--category", "سياسة")
    assert await operator(settings, "channel", "add", "@nashra_news", "--category", "سياسة") == 0
    async with running_bot(settings) as application:
        telegram.user_sends(501, "/help")
        await telegram.wait_for(lambda: len(telegram.sent(501)) == 1)
        await poll_feeds(application)
        feed_server.set("f.xml", rss([item(2), item(1)]))
        await make_due(application)
        assert (await poll_feeds(application)).planned == 1
        await telegram.wait_for(lambda: len(telegram.sent(CHANNEL)) == 1, timeout=10)
    # (At shutdown the last long poll is cut short by the final getUpdates: 409, as ever.)
    refused = [call.method for call in telegram.calls if not call.ok]
    assert set(refused) <= {"getUpdates"}
    assert telegram.calls_of("getMe")[0].ok

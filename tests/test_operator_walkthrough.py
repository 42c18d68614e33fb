"""A new operator's first hour, as the README tells it, on a fresh install and through the fake
Telegram server: start the bot, learn their id, become an owner, add a feed and a channel
from Telegram, and see the first post arrive in the channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from bot.app import services_of
from bot.context import NashraApp
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import FakeTelegram, StoredMessage
from tests.handlers.conversation import buttons, press
from tests.support import make_settings, running_bot

OPERATOR = 4242
CHANNEL = -1001990000001
NOW = datetime.now(UTC).replace(microsecond=0)


def entry(n: int) -> dict[str, str]:
    return {
        "title": f"افتتاح مدرسة جديدة في حلب رقم {n}",
        "link": f"https://www.enabbaladi.net/archives/{n}",
        "guid": f"https://www.enabbaladi.net/?p={n}",
        "description": f"<p>افتُتحت مدرسة جديدة في حلب رقم {n} تتسع لخمسمئة طالب.</p>",
        "pubDate": format_datetime(NOW - timedelta(minutes=60 - n), usegmt=True),
        "category": "سوريا محلي",  # the feed's own label: a standard category on a fresh install
    }


@asynccontextmanager
async def bot(telegram: FakeTelegram, database_url: str, **values: Any) -> AsyncIterator[NashraApp]:
    """`make run` with the operator's .env: the poll job off, the test polls as the job would."""
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        parse_workers=0,
        allow_private_feeds=True,  # the feed is served on loopback here
        **values,
    )
    async with running_bot(settings) as application:
        await services_of(application).schedule.stop()  # the test polls when it means to
        yield application


async def send(telegram: FakeTelegram, text: str, replies: int = 1) -> list[StoredMessage]:
    before = len(telegram.sent(OPERATOR))
    telegram.user_sends(OPERATOR, text)
    await telegram.wait_for(lambda: len(telegram.sent(OPERATOR)) >= before + replies, timeout=15)
    return telegram.sent(OPERATOR)[before:]


async def test_a_new_operator_follows_the_readme_to_a_first_post(
    telegram: FakeTelegram, database_url: str, feed_server: FeedServer
) -> None:
    telegram.private_interval = 0.0
    telegram.add_user(OPERATOR, "ليلى", language_code="ar")
    url = feed_server.set("enab.xml", rss([entry(2), entry(1)], title="عنب بلدي"))

    # 1. Started with a token and nothing else: /myid tells the operator their number, and the
    #    admin commands are refused until it is in ADMIN_IDS.
    async with bot(telegram, database_url):
        [myid] = await send(telegram, "/myid")
        assert myid.text == f"رقم حسابك في تيليغرام: {OPERATOR}"
        [refused] = await send(telegram, f"/addfeed {url}")
        assert refused.text == "عذراً، هذا الأمر لمشرفي البوت فقط."

    # 2. ADMIN_IDS=<that number> in .env, and the bot restarted: an owner.
    async with bot(telegram, database_url, admin_ids=[OPERATOR]):
        commands = [c["command"] for c in telegram.get_commands(
            {"type": "chat", "chat_id": OPERATOR}, None
        )]  # fmt: skip
        assert {"addfeed", "addchannel", "feeds", "channels"} <= set(commands)
        [listing] = await send(telegram, "/admin list")
        assert f"ليلى ({OPERATOR}) — مالك" in listing.text

        # 3. The feed, in a standard category (a fresh install has them): its title, its
        #    entries, and its newest entry as it will be posted; nothing is posted yet.
        added, newest = await send(telegram, f"/addfeed {url} سوريا محلي", replies=2)
        assert added.text.startswith("✅ أضفتُ المصدر عنب بلدي")
        assert newest.text.startswith("افتتاح مدرسة جديدة في حلب رقم 2")
        assert "#سوريا_محلي" in newest.text

        # 4. The channel: the bot made its administrator with «نشر الرسائل», then bound.
        telegram.add_chat(CHANNEL, "channel", title="أخبار حلب", username="akhbar_halab")
        [bound] = await send(telegram, "/addchannel @akhbar_halab سوريا محلي")
        assert "أخبار حلب" in bound.text
        assert telegram.sent(CHANNEL) == []  # the entries there before are not posted

        # 5. The next new entry of the feed arrives in the channel, once: polled from the
        #    feed's card in /feeds («حدّث الآن»), as the README says, rather than waiting.
        feed_server.set("enab.xml", rss([entry(3), entry(2), entry(1)], title="عنب بلدي"))
        [listing] = await send(telegram, "/feeds")
        [opened] = [data for data in buttons(listing) if data.startswith("fd:o:")]
        await press(telegram, OPERATOR, listing, opened)
        [card] = [m for m in telegram.sent(OPERATOR) if m.message_id == listing.message_id]
        [poll_now] = [data for data in buttons(card) if data.startswith("fd:poll:")]
        await press(telegram, OPERATOR, card, poll_now)
        await telegram.wait_for(lambda: len(telegram.sent(CHANNEL)) >= 1, timeout=15)
        [post] = telegram.sent(CHANNEL)
        assert post.text.startswith("افتتاح مدرسة جديدة في حلب رقم 3")
        assert "#سوريا_محلي" in post.text
        assert "نشر أولاً على موقع" in post.text
        assert post.reply_markup is not None
        [[read_more, *_]] = post.reply_markup["inline_keyboard"]
        assert read_more["url"] == "https://www.enabbaladi.net/archives/3"
        [channels] = await send(telegram, "/channels")
        assert "أخبار حلب" in channels.text

"""The delivery seams as `nashra run` wires them: one pacer for the token, admin notices."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.app import services_of
from bot.delivery.pacing import Limits, Pacer
from bot.delivery.ratelimit import PacedRateLimiter, chat_kind, is_message
from bot.metrics import Metrics
from bot.services import delivery_limits
from storage import catalog, outbox
from storage.feeds import add_feed
from storage.models import ChatKind, DeliveryStatus
from tests.factories import article_row, store_articles
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings, running_bot

CHANNEL = -1006000000001
ADMINS = [501, 502]
GROUP = -1006000000002


async def test_handler_replies_take_slots_of_the_senders_pacer(telegram: FakeTelegram) -> None:
    telegram.add_user(1, "قارئ")
    # A stopped clock: the slot taken is still ahead however long the request takes (on a
    # busy machine it can take longer than the 34 ms of one slot).
    pacer = Pacer(Limits(), lambda: 1000.0)
    bot = ExtBot(
        telegram.token, base_url=f"{telegram.base_url}/bot", rate_limiter=PacedRateLimiter(pacer)
    )
    async with bot:
        assert pacer.global_ready_in() == 0
        await bot.send_message(1, "أهلاً")
        assert pacer.global_ready_in() > 0  # the reply took the next slot of the global rate
        assert len(telegram.sent(1)) == 1


async def test_a_reply_keeps_the_outbox_a_chats_interval_away_from_that_chat(
    telegram: FakeTelegram,
) -> None:
    telegram.add_user(1, "قارئ")
    telegram.add_chat(GROUP, "supergroup")
    pacer = Pacer(Limits(), asyncio.get_running_loop().time)
    bot = ExtBot(
        telegram.token, base_url=f"{telegram.base_url}/bot", rate_limiter=PacedRateLimiter(pacer)
    )
    async with bot:
        for _ in range(2):
            await bot.send_message(1, "أهلاً")
            await bot.send_message(GROUP, "أهلاً")
        assert pacer.chat_ready_in(1) > 0.5  # the outbox's next message to the reader waits
        assert pacer.chat_ready_in(GROUP) > 2.5  # and to the group (20 a minute)
        assert pacer.reply_ready_in(1) == pacer.reply_ready_in(GROUP) == 0  # replies do not
    assert (len(telegram.sent(1)), len(telegram.sent(GROUP))) == (2, 2)


async def test_a_429_to_a_group_reply_waits_for_that_group_only(telegram: FakeTelegram) -> None:
    telegram.add_chat(GROUP, "supergroup")
    telegram.fail_next("sendMessage", status=429, parameters={"retry_after": 1}, chat_id=GROUP)
    pacer = Pacer(Limits(), asyncio.get_running_loop().time)
    bot = ExtBot(
        telegram.token, base_url=f"{telegram.base_url}/bot", rate_limiter=PacedRateLimiter(pacer)
    )
    async with bot:
        await bot.send_message(GROUP, "أهلاً")  # answered 429, then sent again
    assert len(telegram.sent(GROUP)) == 1
    assert telegram.count_429 == 1
    assert pacer.global_ready_in() < 0.5


async def test_a_429_to_a_reply_is_counted(telegram: FakeTelegram) -> None:
    telegram.add_user(1, "قارئ")
    telegram.fail_next("answerCallbackQuery", status=429, parameters={"retry_after": 1})
    telegram.fail_next("sendMessage", status=429, parameters={"retry_after": 1}, chat_id=1)
    metrics = Metrics()
    pacer = Pacer(Limits(), asyncio.get_running_loop().time)
    limiter = PacedRateLimiter(pacer, metrics)
    bot = ExtBot(telegram.token, base_url=f"{telegram.base_url}/bot", rate_limiter=limiter)
    async with bot:
        await bot.send_message(1, "أهلاً")  # answered 429, then sent again
        with pytest.raises(RetryAfter):  # not a message: not paced, not tried again
            await bot.answer_callback_query("4000000001")
    assert len(telegram.sent(1)) == 1
    assert telegram.count_429 == 2
    assert metrics.registry.get_sample_value("nashra_telegram_429_total") == 2


async def test_the_bot_paces_replies_and_the_sender_with_one_pacer_and_reports_lost_channels(
    telegram: FakeTelegram, database_url: str
) -> None:
    for admin in ADMINS:
        telegram.add_user(admin, "مشرف")
    telegram.add_chat(CHANNEL, "channel", title="أخبار حلب", bot_status="left")
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        parse_workers=0,
        admin_ids=",".join(map(str, ADMINS)),
    )
    async with running_bot(settings) as application:
        services = services_of(application)
        assert services.sender is not None
        limiter = application.bot.rate_limiter
        assert isinstance(limiter, PacedRateLimiter)
        assert limiter.pacer is services.sender.pacer
        assert application.job_queue is not None
        assert application.job_queue.get_jobs_by_name("prune-outbox")  # the retention job
        now = datetime.now(UTC)
        async with services.sessions.begin() as session:
            [category] = await catalog.ensure_categories(session, ["سياسة"])
            await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL, title="أخبار حلب")
            feed = await add_feed(session, "https://x.sy/feed", now=now)
            rows = [article_row(feed.id, f"k{n}", when=now) for n in range(3)]
            ids = await store_articles(session, rows, [category])
            await outbox.plan(session, [(a, CHANNEL, 0, DeliveryStatus.PENDING) for a in ids], now)
        services.sender.wake()
        for admin in ADMINS:
            await telegram.wait_for(lambda admin=admin: bool(telegram.sent(admin)), timeout=10)
        await services.sender.settle()
    for admin in ADMINS:
        [notice] = telegram.sent(admin)
        assert "أخبار حلب" in notice.text
        assert f"nashra channel add {CHANNEL}" in notice.text
        assert "نشر الرسائل" in notice.text
    assert len(telegram.calls_of("sendMessage")) == 1 + len(ADMINS)


@pytest.mark.parametrize("inline_mode", [True, False])
async def test_posts_invite_sharing_only_when_inline_mode_is_on(
    database_url: str, inline_mode: bool
) -> None:
    # getMe's supports_inline_queries, read at start-up; the fake refuses «شارك» without it.
    telegram = FakeTelegram(inline_mode=inline_mode)
    await telegram.start()
    try:
        reader = 4242
        telegram.add_user(reader, "قارئ")
        settings = make_settings(
            bot_token=telegram.token,
            telegram_api_base_url=telegram.base_url,
            database_url=database_url,
            parse_workers=0,
        )
        async with running_bot(settings) as application:
            services = services_of(application)
            assert services.style.inline_mode is inline_mode
            now = datetime.now(UTC)
            async with services.sessions.begin() as session:
                [category] = await catalog.ensure_categories(session, ["سياسة"])
                await catalog.upsert_chat(session, reader, ChatKind.PRIVATE)
                feed = await add_feed(session, "https://x.sy/feed", now=now)
                [article] = await store_articles(
                    session, [article_row(feed.id, "k", when=now, title="عنوان الخبر")], [category]
                )
                await outbox.plan(session, [(article, reader, 0, DeliveryStatus.PENDING)], now)
            services.sender.wake()
            await telegram.wait_for(lambda: bool(telegram.sent(reader)), timeout=10)
            await services.sender.settle()
    finally:
        await telegram.stop()
    [post] = telegram.sent(reader)
    assert post.reply_markup is not None
    [row] = post.reply_markup["inline_keyboard"]
    read_more = {"text": "اقرأ المزيد", "url": "https://news.example.sy/1/k"}
    share = {"text": "شارك", "switch_inline_query": "عنوان الخبر"}
    assert row == ([read_more, share] if inline_mode else [read_more])
    assert [call.ok for call in telegram.calls_of("sendMessage")] == [True]  # sent the first time


def test_the_pacing_margin_is_a_setting_for_chats_only() -> None:
    limits = delivery_limits(make_settings(pacing_margin=0.1, global_rate_per_second=20))
    assert (limits.chat_margin, limits.global_per_second) == (0.1, 20)
    assert delivery_limits(make_settings()).chat_margin == 0.05
    assert make_settings().outbox_retention_days == 30


@pytest.mark.parametrize(
    ("endpoint", "chat_id", "paced", "kind"),
    [
        ("sendMessage", 5, True, ChatKind.PRIVATE),
        ("editMessageText", -1001, True, ChatKind.GROUP),
        ("copyMessage", "@channel", True, ChatKind.GROUP),
        ("sendChatAction", 5, False, ChatKind.PRIVATE),
        ("answerCallbackQuery", None, False, ChatKind.GROUP),
        ("answerInlineQuery", None, False, ChatKind.GROUP),
    ],
)
def test_which_requests_are_paced(
    endpoint: str, chat_id: object, paced: bool, kind: ChatKind
) -> None:
    assert is_message(endpoint) is paced
    assert chat_kind(chat_id) is kind

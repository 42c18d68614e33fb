"""The sender against the fake Telegram server: outcomes of 429, 403, 5xx, migration, 400."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.cli import outbox_report
from bot.config import RECORD_SECONDS
from bot.delivery.botapi import BotApiPublisher
from bot.delivery.outlets import RECORD_ALLOWANCE, SEND_TIMEOUT
from bot.delivery.pacing import Limits
from bot.delivery.sender import Sender, SenderSettings
from bot.errors import ConfigError
from bot.news.formatter import PostStyle
from bot.services import sender_settings
from storage import catalog, outbox
from storage.feeds import add_feed
from storage.models import Chat, ChatKind, Delivery, DeliveryStatus
from tests.factories import article_row, channel, store_articles
from tests.fakes.telegram import FakeTelegram, MemberStatus
from tests.support import FrozenClock, make_settings

PENDING = DeliveryStatus.PENDING

CHANNEL = -1002000000001
GROUP = -4002
SUPERGROUP = -1002000000999
NOW = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)


async def plan_articles(
    sessions: async_sessionmaker[AsyncSession], chat_id: int, kind: ChatKind, count: int = 1
) -> None:
    async with sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, "https://news.example.sy/feed", now=NOW)
        await channel(session, chat_id, [category], kind=kind)
        rows = [
            article_row(feed.id, f"k{n}", when=NOW, title=f"عنوان الخبر {n}") for n in range(count)
        ]
        ids = await store_articles(session, rows, [category])
        await outbox.plan(session, [(i, chat_id, 0, PENDING) for i in ids], NOW)


def make_sender(
    sessions: async_sessionmaker[AsyncSession], publisher: BotApiPublisher, clock: FrozenClock
) -> Sender:
    return Sender(
        sessions, publisher, PostStyle(inline_mode=True),
        limits=Limits(group_interval=0.05, private_interval=0.05),
        settings=SenderSettings(max_attempts=3), clock=clock,
    )  # fmt: skip


async def deliveries(sessions: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    async with sessions() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())


async def test_sent_post_is_recorded_with_its_message_id(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL)
    assert await make_sender(sessions, publisher, FrozenClock(NOW)).drain_once() == 1
    [row] = await deliveries(sessions)
    [message] = telegram.sent(CHANNEL)
    assert row.status is DeliveryStatus.SENT
    assert row.message_id == message.message_id
    assert message.reply_markup is not None  # the "read more" button


async def test_a_readers_post_has_read_more_and_share(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    reader = 4242
    telegram.add_user(reader, "قارئ")
    await plan_articles(sessions, reader, ChatKind.PRIVATE)
    assert await make_sender(sessions, publisher, FrozenClock(NOW)).drain_once() == 1
    [message] = telegram.sent(reader)
    assert message.reply_markup == {
        "inline_keyboard": [
            [
                {"text": "اقرأ المزيد", "url": "https://news.example.sy/1/k0"},
                {"text": "شارك", "switch_inline_query": "عنوان الخبر 0"},
            ]
        ]
    }


async def test_429_waits_and_does_not_count_an_attempt(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL)
    telegram.fail_next("sendMessage", status=429, parameters={"retry_after": 7})
    clock = FrozenClock(NOW)
    sender = make_sender(sessions, publisher, clock)
    await sender.drain_once()
    [row] = await deliveries(sessions)
    assert row.status is DeliveryStatus.PENDING
    assert row.attempts == 0
    assert row.next_attempt_at == NOW + timedelta(seconds=7)
    assert sender.pacer.chat_ready_in(CHANNEL) > 6  # a channel's 429 is the channel's own
    assert telegram.sent(CHANNEL) == []


async def test_403_deactivates_the_chat_and_drops_its_pending_rows(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel", bot_status="left")
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL, count=3)
    # No interval between two messages to the chat: the next article's turn comes while the
    # first one's 403 is being handled (as it does on a slow machine), and still goes nowhere.
    sender = Sender(
        sessions, publisher, PostStyle(inline_mode=True),
        limits=Limits(group_interval=0.0, private_interval=0.0, chat_margin=0.0),
        settings=SenderSettings(max_attempts=3), clock=FrozenClock(NOW),
    )  # fmt: skip
    await sender.drain_once()
    await sender.settle()
    rows = await deliveries(sessions)
    assert {row.status for row in rows} == {DeliveryStatus.DROPPED}
    async with sessions() as session:
        chat = await session.get(Chat, CHANNEL)
        assert chat is not None
        assert not chat.active
        assert chat.deactivated_reason
    assert len(telegram.calls_of("sendMessage")) == 1


async def test_5xx_retries_with_backoff_then_dead_letters(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL)
    telegram.fail_next("sendMessage", status=500, times=1)
    clock = FrozenClock(NOW)
    sender = make_sender(sessions, publisher, clock)
    await sender.drain_once()
    [row] = await deliveries(sessions)
    assert row.status is DeliveryStatus.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(seconds=5)
    assert await sender.drain_once() == 0  # not due yet
    clock.now += timedelta(seconds=5)
    await asyncio.sleep(0.06)  # the channel's pacing slot (real time)
    assert await sender.drain_once() == 1
    [row] = await deliveries(sessions)
    assert row.status is DeliveryStatus.SENT
    assert len(telegram.sent(CHANNEL)) == 1

    await plan_more(sessions)
    telegram.fail_next("sendMessage", status=502, times=10)
    for _ in range(3):
        clock.now += timedelta(hours=1)
        await asyncio.sleep(0.06)
        await sender.drain_once()
    assert (await deliveries(sessions))[-1].status is DeliveryStatus.DEAD
    async with sessions() as session:
        [dead] = await outbox.problems(session)  # what `nashra outbox` shows the operators
    assert dead.attempts == 3
    assert dead.last_error


async def plan_more(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        [existing] = (await session.scalars(select(Delivery))).all()
        article = existing.article_id
        await catalog.upsert_chat(session, CHANNEL - 1, ChatKind.CHANNEL)
        await outbox.plan(session, [(article, CHANNEL - 1, 0, PENDING)], NOW)


async def test_migrated_group_moves_and_gets_the_post(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(GROUP, "group")
    telegram.migrate(GROUP, SUPERGROUP, notify=False)
    await plan_articles(sessions, GROUP, ChatKind.GROUP)
    sender = make_sender(sessions, publisher, FrozenClock(NOW))
    await sender.drain_once()
    await sender.drain_once()
    assert len(telegram.sent(SUPERGROUP)) == 1
    [row] = await deliveries(sessions)
    assert row.chat_id == SUPERGROUP
    assert row.status is DeliveryStatus.SENT
    async with sessions() as session:
        assert await catalog.chat_categories(session, SUPERGROUP) == ["سياسة"]


async def test_rejected_message_is_recorded_and_never_retried(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL)
    telegram.fail_next(
        "sendMessage", status=400, description="Bad Request: can't parse entities: oops"
    )
    clock = FrozenClock(NOW)
    sender = make_sender(sessions, publisher, clock)
    await sender.drain_once()
    clock.now += timedelta(days=1)
    assert await sender.drain_once() == 0
    [row] = await deliveries(sessions)
    assert row.status is DeliveryStatus.FAILED
    assert row.last_error
    assert "can't parse entities" in row.last_error.lower()
    assert "عنوان الخبر 0" in row.last_error  # the text is kept to debug


async def test_channel_posts_are_spaced_so_telegram_never_answers_429(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    telegram.group_per_minute = 60  # one a second, so that the test stays short
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL, count=3)
    sender = Sender(sessions, publisher, PostStyle(), limits=Limits(group_interval=1.0))
    for _ in range(20):
        await sender.drain_once()
        if len(telegram.sent(CHANNEL)) == 3:
            break
        await asyncio.sleep(0.3)
    assert len(telegram.sent(CHANNEL)) == 3
    assert telegram.count_429 == 0
    texts = [m.text for m in telegram.sent(CHANNEL)]
    assert [f"عنوان الخبر {n}" in text for n, text in enumerate(texts)] == [True] * 3


async def test_an_article_that_cannot_be_formatted_fails_alone_and_the_rest_go_out(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    telegram.add_chat(CHANNEL - 1, "channel")
    async with sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, "https://news.example.sy/feed", now=NOW)
        for chat_id in (CHANNEL, CHANNEL - 1):
            await channel(session, chat_id, [category])
        broken = article_row(feed.id, "bad", when=NOW, title="خبر برابط معطوب", link=None)
        broken["link"] = "http://[oops/a"  # feedparser keeps it; urlsplit raises on it
        good = article_row(feed.id, "good", when=NOW, title="خبر سليم")
        ids = await store_articles(session, [broken, good], [category])
        plan = [(a, c, 0, PENDING) for a in ids for c in (CHANNEL, CHANNEL - 1)]
        await outbox.plan(session, plan, NOW)
    clock = FrozenClock(NOW)
    sender = make_sender(sessions, publisher, clock)
    assert await sender.drain_once() == 2
    assert [len(telegram.sent(c)) for c in (CHANNEL, CHANNEL - 1)] == [1, 1]
    assert all("خبر سليم" in m.text for c in (CHANNEL, CHANNEL - 1) for m in telegram.sent(c))
    rows = await deliveries(sessions)
    by_article = {(row.article_id, row.chat_id): row for row in rows}
    for chat_id in (CHANNEL, CHANNEL - 1):
        failed = by_article[(ids[0], chat_id)]
        assert failed.status is DeliveryStatus.FAILED
        assert failed.last_error
        assert "Invalid IPv6 URL" in failed.last_error
        assert by_article[(ids[1], chat_id)].status is DeliveryStatus.SENT
    clock.advance(days=1)
    assert await sender.drain_once() == 0  # never tried again

    async with sessions() as session:
        await outbox_report(session)  # `nashra outbox`
    assert "Invalid IPv6 URL" in capsys.readouterr().out


async def test_a_malformed_message_fails_its_article_at_once_for_one_send(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    channels = [CHANNEL - n for n in range(5)]
    async with sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, "https://news.example.sy/feed", now=NOW)
        for chat_id in channels:
            telegram.add_chat(chat_id, "channel")
            await channel(session, chat_id, [category])
        [article] = await store_articles(session, [article_row(feed.id, "k", when=NOW)], [category])
        await outbox.plan(session, [(article, c, 0, PENDING) for c in channels], NOW)
    telegram.fail_next(
        "sendMessage", status=400, description="Bad Request: can't parse entities: x", times=99
    )
    sender = Sender(
        sessions, publisher, PostStyle(), clock=FrozenClock(NOW),
        settings=SenderSettings(batch=2),  # rows beyond the batch fail too
    )  # fmt: skip
    await sender.drain_once()
    assert len(telegram.calls_of("sendMessage")) == 1
    rows = await deliveries(sessions)
    assert {row.status for row in rows} == {DeliveryStatus.FAILED}
    errors = [row.last_error or "" for row in rows]
    assert all("can't parse entities" in error for error in errors)
    assert sum("عنوان الخبر" in error for error in errors) == 1  # one copy of the text
    assert await sender.drain_once() == 0


async def test_a_429_for_one_channel_pauses_that_channel_only(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    telegram.add_chat(CHANNEL - 1, "channel")
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL)
    async with sessions.begin() as session:
        [row] = (await session.scalars(select(Delivery))).all()
        await catalog.upsert_chat(session, CHANNEL - 1, ChatKind.CHANNEL)
        await outbox.plan(session, [(row.article_id, CHANNEL - 1, 0, PENDING)], NOW)
    telegram.fail_next("sendMessage", status=429, parameters={"retry_after": 30}, chat_id=CHANNEL)
    sender = make_sender(sessions, publisher, FrozenClock(NOW))
    assert await sender.drain_once() == 2
    assert len(telegram.sent(CHANNEL - 1)) == 1  # the other channel went on
    assert sender.pacer.global_ready_in() < 1
    assert sender.pacer.chat_ready_in(CHANNEL) > 29
    first = (await deliveries(sessions))[0]
    assert (first.status, first.attempts) == (PENDING, 0)
    assert first.next_attempt_at == NOW + timedelta(seconds=30)


async def test_a_429_for_a_reader_pauses_everyone_and_gives_the_batch_back(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    for reader in (1, 2):
        telegram.add_user(reader, "قارئ")
    async with sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, "https://news.example.sy/feed", now=NOW)
        [article] = await store_articles(session, [article_row(feed.id, "k", when=NOW)], [category])
        for reader in (1, 2):
            await catalog.upsert_chat(session, reader, ChatKind.PRIVATE)
        await outbox.plan(session, [(article, r, 1, PENDING) for r in (1, 2)], NOW)
    telegram.fail_next("sendMessage", status=429, parameters={"retry_after": 10}, chat_id=1)
    sender = make_sender(sessions, publisher, FrozenClock(NOW))
    await sender.drain_once()
    assert len(telegram.calls_of("sendMessage")) == 1
    assert sender.pacer.global_ready_in() > 9
    rows = await deliveries(sessions)
    assert [(r.status, r.attempts) for r in rows] == [(PENDING, 0), (PENDING, 0)]
    assert rows[0].next_attempt_at == NOW + timedelta(seconds=10)
    assert NOW + timedelta(seconds=9) < rows[1].next_attempt_at <= NOW + timedelta(seconds=10)
    assert [r.lease_token for r in rows] == [None, None]  # given back, not held


@pytest.mark.parametrize(
    ("bot_status", "can_post", "why"),
    [("left", True, "not a member"), ("administrator", False, "administrator rights")],
    ids=["403", "no-rights"],
)
async def test_a_channel_that_goes_away_is_reported_once(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
    bot_status: MemberStatus,
    can_post: bool,
    why: str,
) -> None:
    telegram.add_chat(CHANNEL, "channel", bot_status=bot_status, can_post_messages=can_post)
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL, count=3)
    notices: list[tuple[int, str | None, str]] = []

    async def channel_lost(chat_id: int, title: str | None, reason: str) -> None:
        notices.append((chat_id, title, reason))

    clock = FrozenClock(NOW)
    sender = Sender(
        sessions, publisher, PostStyle(), clock=clock, channel_lost=channel_lost,
        limits=Limits(group_interval=0.05),
    )  # fmt: skip
    await sender.drain_once()
    clock.advance(minutes=1)
    await sender.drain_once()
    [(chat_id, title, reason)] = notices
    assert (chat_id, title) == (CHANNEL, "قناة")
    assert why in reason
    async with sessions() as session:
        chat = await session.get(Chat, CHANNEL)
        assert chat is not None
        assert not chat.active
    assert {row.status for row in await deliveries(sessions)} == {DeliveryStatus.DROPPED}


async def test_rows_whose_lease_would_run_out_are_given_back_unsent(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL)
    sender = Sender(
        sessions, publisher, PostStyle(), clock=FrozenClock(NOW),
        settings=SenderSettings(lease=timedelta(seconds=2), send_timeout=0.5, record_allowance=0.5),
    )  # fmt: skip
    sender.pacer.pause(1.8)  # sending may go on only past the lease's margin
    assert await sender.drain_once() == 0
    assert telegram.calls_of("sendMessage") == []
    [row] = await deliveries(sessions)
    assert (row.status, row.attempts, row.lease_token) == (PENDING, 0, None)
    assert NOW < row.next_attempt_at <= NOW + timedelta(seconds=1.8)  # when sending goes on


def test_the_lease_margin_covers_a_whole_request_and_its_recording() -> None:
    settings = SenderSettings()
    assert settings.lease_margin >= SEND_TIMEOUT + 2  # a send started at the deadline ends
    assert BotApiPublisher("http://127.0.0.1:1", "1:a").timeout == SEND_TIMEOUT
    default = sender_settings(make_settings())  # SENDER_LEASE_SECONDS=60, 30 messages/s
    assert default.lease_margin == settings.lease_margin
    assert default.batch <= 30 * default.sending_window  # a batch starts inside its window
    with pytest.raises(ValueError, match="leaves no time to send"):
        SenderSettings(lease=timedelta(seconds=30))
    with pytest.raises(ConfigError, match="SENDER_LEASE_SECONDS"):
        make_settings(sender_lease_seconds=35)
    short = sender_settings(make_settings(sender_lease_seconds=8, send_timeout_seconds=1))
    assert (short.lease_margin, short.sending_window) == (6, 2)  # what the config allows fits
    assert RECORD_SECONDS == RECORD_ALLOWANCE


async def test_a_send_never_starts_after_its_lease_ran_out_waiting_for_a_slot(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    first, second, third = CHANNEL, CHANNEL - 1, CHANNEL - 2
    await plan_articles(sessions, first, ChatKind.CHANNEL)
    async with sessions.begin() as session:
        [article] = (await session.scalars(select(Delivery.article_id))).all()
        for chat_id in (second, third):
            await catalog.upsert_chat(session, chat_id, ChatKind.CHANNEL)
    for chat_id in (first, second, third):
        telegram.add_chat(chat_id, "channel")
    sender = Sender(
        sessions, publisher, PostStyle(), clock=FrozenClock(NOW), limits=Limits(group_interval=10),
        # One send at a time; no send starts past 1.5 s into a 3 s lease.
        settings=SenderSettings(lease=timedelta(seconds=3), send_timeout=1.0,
                                record_allowance=0.5, concurrency=1),
    )  # fmt: skip
    assert await sender.drain_once() == 1  # the article's message is accepted once
    async with sessions.begin() as session:
        await outbox.plan(session, [(article, c, 0, PENDING) for c in (second, third)], NOW)
    telegram.delay("sendMessage", 2.0)  # the second channel's send holds the only slot 2 s
    assert await sender.drain_once() == 1
    assert (len(telegram.sent(second)), len(telegram.sent(third))) == (1, 0)
    last = (await deliveries(sessions))[-1]
    assert (last.chat_id, last.status, last.attempts, last.lease_token) == (third, PENDING, 0, None)
    assert sender.pacer.chat_ready_in(third) == 0  # no slot was booked for the send not made


async def test_rows_given_back_are_written_in_one_statement(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    await plan_articles(sessions, CHANNEL, ChatKind.CHANNEL, count=4)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        given_back = statement.startswith("UPDATE deliveries SET next_attempt_at")
        if given_back and "lease_token =" in statement.partition("WHERE")[2]:
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        sender = make_sender(sessions, publisher, FrozenClock(NOW))
        assert await sender.drain_once() == 1  # the other three wait for the channel's turn
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert len(statements) == 1
    rows = await deliveries(sessions)
    assert [row.status for row in rows] == [DeliveryStatus.SENT] + [PENDING] * 3
    assert len({row.next_attempt_at for row in rows[1:]}) == 3  # each at its own turn


async def test_a_binding_with_a_short_summary_gets_a_shorter_post_of_the_same_article(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    """One long article to three channels: one bound at 200 characters, one at the default,
    one at 1,000; each gets its own post, whole sentences only."""
    short, default, detailed = CHANNEL, CHANNEL - 1, CHANNEL - 2
    sentences = [
        "قال المتحدث باسم وزارة الخارجية إن جولة المفاوضات الجديدة تبدأ في جنيف يوم الاثنين.",
        "وأضاف أن الوفد الحكومي سيضم خبراء في الاقتصاد والطاقة والنقل إلى جانب الدبلوماسيين.",
        "وتتناول الجولة ملفات الأسرى وإعادة فتح المعابر الحدودية وتبادل الوثائق الرسمية.",
        "وأكدت الأمم المتحدة في بيان منفصل استعدادها لتقديم الدعم الفني لفرق التفاوض.",
        "وكانت الجولة السابقة قد انتهت قبل شهرين دون اتفاق بسبب خلاف على جدول الأعمال.",
        "ويرى محللون أن الضغوط الاقتصادية تدفع الطرفين هذه المرة نحو تسوية مرحلية.",
        "وفي دمشق شهدت الأسواق ارتفاعاً طفيفاً في سعر صرف الليرة بعد إعلان موعد الجولة.",
        "وطالبت منظمات أهلية بإشراك ممثلين عن عائلات المفقودين في اللجان المختصة.",
        "ومن المتوقع أن تستمر المحادثات أسبوعاً كاملاً تعقبه جلسة ختامية مع الوسطاء.",
        "وأشار المتحدث إلى أن نتائج الجولة ستعرض على البرلمان قبل أي توقيع نهائي.",
    ]
    body = " ".join(sentences)
    async with sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, "https://news.example.sy/feed", now=NOW)
        for chat_id in (short, default, detailed):
            telegram.add_chat(chat_id, "channel")
            await channel(session, chat_id, [category])
        # As the parser stores it: the summary at the bot's length, and the whole text.
        row = article_row(feed.id, "long", when=NOW, title="مفاوضات", text=body,
                          summary=" ".join(sentences[:4]))  # fmt: skip
        [article_id] = await store_articles(session, [row], [category])
        plan = [(article_id, chat_id, 0, PENDING) for chat_id in (short, default, detailed)]
        lengths = {(article_id, short): 200, (article_id, detailed): 1000}
        await outbox.plan(session, plan, NOW, lengths=lengths)
    assert await make_sender(sessions, publisher, FrozenClock(NOW)).drain_once() == 3
    posts = {chat_id: telegram.sent(chat_id)[0].text for chat_id in (short, default, detailed)}
    said = {chat_id: [s for s in sentences if s in post] for chat_id, post in posts.items()}
    # Two to four whole sentences, whatever the length allows: 200 holds two, 400 four.
    assert len(said[short]) == 2
    assert len(said[default]) == len(said[detailed]) == 4
    assert len(posts[short]) < len(posts[default]) <= len(posts[detailed])
    for chat_id, post in posts.items():
        # No sentence is cut: the summary is whole sentences of the body, in their order.
        summary = post.split("\n\n")[1]
        assert summary == " ".join(said[chat_id])
    assert {row.summary_chars for row in await deliveries(sessions)} == {200, None, 1000}

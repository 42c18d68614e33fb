"""Fan-out to readers through the fake server: pacing, quiet hours, digests, 429 storms."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.botapi import BotApiPublisher
from bot.delivery.outlets import Sent
from bot.delivery.pacing import Limits
from bot.delivery.planner import NewArticle, plan_deliveries
from bot.delivery.sender import Sender, SenderSettings
from bot.news.formatter import Post, PostStyle
from bot.readers import apply_setting
from storage import catalog, outbox
from storage.feeds import add_feed
from storage.models import Chat, Delivery, DeliveryMode, DeliveryStatus
from tests import factories
from tests.factories import article_row, store_articles
from tests.fakes.telegram import FakeTelegram
from tests.support import FrozenClock

# 10:00 in Damascus (UTC+3).
NOW = datetime(2026, 1, 11, 7, 0, tzinfo=UTC)
CHANNEL = -1005000000001
_batches = itertools.count()


async def publish(
    sessions: async_sessionmaker[AsyncSession],
    readers: list[int],
    *,
    articles: int = 1,
    channel: bool = False,
    mode: DeliveryMode = DeliveryMode.INSTANT,
    quiet: tuple[int, int] | None = None,
) -> None:
    """Readers following سياسة, and `articles` new political articles planned for them."""
    async with sessions.begin() as session:
        [politics] = await catalog.ensure_categories(session, ["سياسة"])
        for chat_id in readers:
            await factories.reader(session, chat_id, [politics], mode=mode, quiet=quiet)
        if channel:
            await factories.channel(session, CHANNEL, [politics])
        batch = next(_batches)
        feed = await add_feed(session, f"https://x.sy/feed/{batch}", now=NOW)
        rows = [
            article_row(
                feed.id, f"k{n}", when=NOW, title=f"خبر سياسي رقم {n}", text="نص.",
                link=f"https://x.sy/{batch}/{n}",
            )
            for n in range(articles)
        ]  # fmt: skip
        ids = await store_articles(session, rows, [politics])
        await plan_deliveries(session, [NewArticle(i, [politics.id], "") for i in ids], NOW)


def sender(
    sessions: async_sessionmaker[AsyncSession],
    publisher: BotApiPublisher,
    clock: FrozenClock | None = None,
    **limits: float,
) -> Sender:
    """A sender on the real clock unless a test needs to move time itself."""
    if clock is None:
        return Sender(sessions, publisher, PostStyle(), limits=Limits(**limits))
    return Sender(sessions, publisher, PostStyle(), limits=Limits(**limits), clock=clock)


async def drain(the_sender: Sender, done: object, rounds: int = 100) -> None:
    for _ in range(rounds):
        await the_sender.drain_once()
        if done():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> list[DeliveryStatus]:
    async with sessions() as session:
        return list((await session.scalars(select(Delivery.status).order_by(Delivery.id))).all())


async def test_one_reader_gets_at_most_one_message_a_second(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=3)
    the_sender = sender(sessions, publisher)
    await drain(the_sender, lambda: len(telegram.sent(1)) == 3)
    sent = telegram.calls_of("sendMessage")
    assert telegram.count_429 == 0
    assert [call.status for call in sent] == [200, 200, 200]
    gaps = [b.time - a.time for a, b in zip(sent, sent[1:], strict=False)]
    assert min(gaps) >= 0.95
    texts = [m.text for m in telegram.sent(1)]
    assert ["رقم 0" in texts[0], "رقم 1" in texts[1], "رقم 2" in texts[2]] == [True] * 3


async def test_channels_go_before_people(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_chat(CHANNEL, "channel")
    for reader in (1, 2, 3):
        telegram.add_user(reader, f"قارئ {reader}")
    await publish(sessions, [1, 2, 3], channel=True)
    await drain(sender(sessions, publisher), lambda: len(telegram.calls_of("sendMessage")) == 4)
    first = telegram.calls_of("sendMessage")[0]
    assert int(first.params["chat_id"]) == CHANNEL


async def test_quiet_hours_send_silently_instead_of_dropping(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "ساهر")
    telegram.add_user(2, "نهاري")
    await publish(sessions, [1], quiet=(9 * 60, 11 * 60))  # 10:00 local is quiet
    await publish(sessions, [2], quiet=(0, 7 * 60))
    the_sender = sender(sessions, publisher, FrozenClock(NOW))
    await drain(the_sender, lambda: len(telegram.calls_of("sendMessage")) == 2)
    [quiet_message] = telegram.sent(1)
    [loud_message] = telegram.sent(2)
    assert quiet_message.disable_notification
    assert not loud_message.disable_notification


async def test_hourly_digest_is_one_message_and_marks_everything_sent(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=5, mode=DeliveryMode.HOURLY)
    clock = FrozenClock(NOW)
    the_sender = sender(sessions, publisher, clock)
    assert await the_sender.drain_once() == 0  # nothing instant
    assert await the_sender.send_digests() == 1
    [digest] = telegram.sent(1)
    assert digest.text.startswith("📰 نشرة الساعة")
    assert all(f"خبر سياسي رقم {n}" in digest.text for n in range(5))
    assert set(await statuses(sessions)) == {DeliveryStatus.SENT}
    # Not again within the hour, even with something new.
    await publish(sessions, [1], articles=1, mode=DeliveryMode.HOURLY)
    assert await the_sender.send_digests() == 0
    clock.now += timedelta(hours=1)
    assert await the_sender.send_digests() == 1
    async with sessions() as session:
        chat = await session.get(Chat, 1)
        assert chat is not None
        assert chat.last_digest_at == clock.now


async def test_a_429_storm_pauses_everyone_and_loses_nothing(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    readers = list(range(1, 11))
    for reader in readers:
        telegram.add_user(reader, f"قارئ {reader}")
    await publish(sessions, readers)
    telegram.fail_next("sendMessage", status=429, parameters={"retry_after": 1}, times=3)
    clock = FrozenClock(NOW)
    the_sender = sender(sessions, publisher, clock)

    async def done() -> bool:
        return sum(len(telegram.sent(r)) for r in readers) == 10

    for _ in range(60):
        await the_sender.drain_once()
        if await done():
            break
        clock.now += timedelta(seconds=1)
        await asyncio.sleep(0.1)
    assert [len(telegram.sent(r)) for r in readers] == [1] * 10
    assert set(await statuses(sessions)) == {DeliveryStatus.SENT}
    async with sessions() as session:
        attempts = (await session.scalars(select(Delivery.attempts))).all()
    assert set(attempts) == {0}  # a 429 is not a failed attempt


async def test_stop_drops_what_was_pending(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    from storage import readers

    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=2)
    async with sessions.begin() as session:
        await readers.stop(session, 1)
    assert await sender(sessions, publisher).drain_once() == 0
    assert telegram.sent(1) == []
    assert set(await statuses(sessions)) == {DeliveryStatus.DROPPED}


async def test_a_digest_part_that_fails_is_not_sent_again_and_nothing_is_lost(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=3, mode=DeliveryMode.HOURLY)
    clock = FrozenClock(NOW)
    the_sender = sender(sessions, publisher, clock)
    telegram.fail_next("sendMessage", status=500)
    assert await the_sender.send_digests() == 0  # nothing went out: due again
    assert set(await statuses(sessions)) == {DeliveryStatus.HELD}
    assert await the_sender.send_digests() == 1
    assert len(telegram.sent(1)) == 1
    assert set(await statuses(sessions)) == {DeliveryStatus.SENT}


async def test_a_rejected_digest_is_recorded_not_retried(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=2, mode=DeliveryMode.DAILY)
    clock = FrozenClock(NOW)  # 10:00 local, after the 08:00 digest hour
    the_sender = sender(sessions, publisher, clock)
    telegram.fail_next("sendMessage", status=400, description="Bad Request: can't parse entities")
    await the_sender.send_digests()
    assert set(await statuses(sessions)) == {DeliveryStatus.FAILED}
    clock.advance(minutes=1)
    assert await the_sender.send_digests() == 0
    assert telegram.sent(1) == []


async def test_choosing_a_digest_holds_what_was_pending(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from bot.readers import apply_setting

    await publish(sessions, [1], articles=2)
    async with sessions.begin() as session:
        await apply_setting(session, 1, "mode", "hourly", NOW)
    assert set(await statuses(sessions)) == {DeliveryStatus.HELD}
    async with sessions.begin() as session:
        await apply_setting(session, 1, "mode", "instant", NOW)
    assert set(await statuses(sessions)) == {DeliveryStatus.PENDING}


async def test_a_revoked_token_holds_everything_without_burning_attempts(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1])
    wrong = BotApiPublisher(telegram.base_url, "1234567:revoked-token")
    try:
        the_sender = sender(sessions, wrong, FrozenClock(NOW))
        await the_sender.drain_once()
        assert the_sender.pacer.global_ready_in() > 30
    finally:
        await wrong.close()
    async with sessions() as session:
        [row] = (await session.scalars(select(Delivery))).all()
    assert row.status is DeliveryStatus.PENDING
    assert row.attempts == 0
    assert row.last_error
    assert "BOT_TOKEN" in row.last_error


async def test_a_long_digest_arrives_in_parts_telegram_accepts(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=250, mode=DeliveryMode.HOURLY)
    the_sender = sender(sessions, publisher)
    sent = await the_sender.send_digests()
    parts = telegram.sent(1)
    assert sent == len(parts) > 1
    assert all(call.status == 200 for call in telegram.calls_of("sendMessage"))
    assert all(len(part.text) <= 4096 for part in parts)
    text = "\n".join(part.text for part in parts)
    assert all(f"خبر سياسي رقم {n} —" in text for n in range(250))
    assert set(await statuses(sessions)) == {DeliveryStatus.SENT}


async def test_a_429_in_the_middle_of_a_digest_waits_and_sends_the_rest(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=250, mode=DeliveryMode.HOURLY)
    telegram.fail_next("sendMessage", status=429, parameters={"retry_after": 1}, after=1)
    the_sender = sender(sessions, publisher)
    sent = await the_sender.send_digests()
    parts = telegram.sent(1)
    assert sent == len(parts) > 1
    assert telegram.count_429 == 1
    text = "\n".join(part.text for part in parts)
    assert all(f"خبر سياسي رقم {n} —" in text for n in range(250))
    assert set(await statuses(sessions)) == {DeliveryStatus.SENT}


SHORT_LEASE = SenderSettings(lease=timedelta(seconds=2), send_timeout=0.5, record_allowance=0.5)


async def test_a_digest_longer_than_its_lease_renews_it_and_sends_every_part(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=400, mode=DeliveryMode.HOURLY)
    # Parts may start only in the first second of a 2 s lease, and go one a second: the
    # digest's four parts take longer than the whole lease.
    the_sender = Sender(sessions, publisher, PostStyle(), settings=SHORT_LEASE)
    sent = await the_sender.send_digests()
    parts = telegram.sent(1)
    assert sent == len(parts) >= 3
    text = "\n".join(part.text for part in parts)
    assert all(f"خبر سياسي رقم {n} —" in text for n in range(400))
    async with sessions() as session:
        rows = (await session.scalars(select(Delivery))).all()
    assert {(row.status, row.lease_token) for row in rows} == {(DeliveryStatus.SENT, None)}


class TakenAway:
    """The real publisher; once a part is out, another sender takes the digest's rows (as if
    this one had stalled past its lease)."""

    def __init__(self, publisher: BotApiPublisher, sessions: async_sessionmaker[AsyncSession]):
        self.publisher = publisher
        self.sessions = sessions

    async def send(
        self, chat_id: int, post: Post, *, silent: bool = False, thread_id: int | None = None
    ) -> Sent:
        return await self.publisher.send(chat_id, post, silent=silent, thread_id=thread_id)

    async def send_text(self, chat_id: int, html: str, *, silent: bool = False) -> int:
        message_id = await self.publisher.send_text(chat_id, html, silent=silent)
        async with self.sessions.begin() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.status == DeliveryStatus.HELD)
                .values(lease_token="elsewhere")
            )
        return message_id


async def test_a_digest_stops_when_its_lease_cannot_be_renewed(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=250, mode=DeliveryMode.HOURLY)
    the_sender = Sender(sessions, TakenAway(publisher, sessions), PostStyle(), settings=SHORT_LEASE)
    # The second part is due after the first second of the lease: renewing finds no row.
    assert await the_sender.send_digests() == 1
    assert len(telegram.sent(1)) == 1
    async with sessions() as session:
        rows = (await session.scalars(select(Delivery))).all()
    # The rows now belong to the other sender: this one neither recorded nor released them.
    assert {(row.status, row.lease_token) for row in rows} == {(DeliveryStatus.HELD, "elsewhere")}


class SwitchingMode:
    """The real publisher; while a digest part is on its way, the reader changes mode."""

    def __init__(
        self,
        publisher: BotApiPublisher,
        sessions: async_sessionmaker[AsyncSession],
        mode: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.publisher = publisher
        self.sessions = sessions
        self.mode = mode
        self.clock = clock

    async def send(
        self, chat_id: int, post: Post, *, silent: bool = False, thread_id: int | None = None
    ) -> Sent:
        return await self.publisher.send(chat_id, post, silent=silent, thread_id=thread_id)

    async def send_text(self, chat_id: int, html: str, *, silent: bool = False) -> int:
        async with self.sessions.begin() as session:
            await apply_setting(session, chat_id, "mode", self.mode, self.clock())
        return await self.publisher.send_text(chat_id, html, silent=silent)


async def test_going_instant_during_a_digest_sends_nothing_twice(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=3, mode=DeliveryMode.HOURLY)
    clock = FrozenClock(NOW)
    switching = SwitchingMode(publisher, sessions, "instant", clock)
    the_sender = Sender(sessions, switching, PostStyle(), clock=clock)
    assert await the_sender.send_digests() == 1
    assert set(await statuses(sessions)) == {DeliveryStatus.SENT}
    assert await the_sender.drain_once() == 0
    assert len(telegram.sent(1)) == 1


async def test_a_failed_digest_goes_out_one_by_one_after_going_instant(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=2, mode=DeliveryMode.HOURLY)
    telegram.fail_next("sendMessage", status=500)
    real_clock = lambda: datetime.now(UTC)  # noqa: E731
    switching = SwitchingMode(publisher, sessions, "instant", real_clock)
    the_sender = Sender(sessions, switching, PostStyle())  # the reader's pace in real time
    assert await the_sender.send_digests() == 0
    assert set(await statuses(sessions)) == {DeliveryStatus.PENDING}  # freed, not lost
    await drain(the_sender, lambda: len(telegram.sent(1)) == 2)
    assert len(telegram.sent(1)) == 2


async def test_choosing_a_digest_leaves_a_row_being_sent_to_its_sender(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=2)
    async with sessions.begin() as session:
        # Another sender holds the first row, its message on the way.
        [leased] = await outbox.lease_due(
            session, NOW, limit=1, lease=timedelta(seconds=60), token="elsewhere"
        )
        await apply_setting(session, 1, "mode", "hourly", NOW)
    assert await statuses(sessions) == [DeliveryStatus.PENDING, DeliveryStatus.HELD]
    the_sender = sender(sessions, publisher, FrozenClock(NOW))
    assert await the_sender.send_digests() == 1
    [digest] = telegram.sent(1)
    assert "رقم 1" in digest.text
    assert "رقم 0" not in digest.text  # the other sender sends that one
    async with sessions() as session:
        row = await session.get(Delivery, leased.id)
        assert row is not None
        assert (row.status, row.lease_token) == (DeliveryStatus.PENDING, "elsewhere")


async def test_a_row_given_back_after_choosing_a_digest_waits_for_the_digest(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=1)
    async with sessions.begin() as session:
        chat = await session.get(Chat, 1)
        assert chat is not None
        chat.delivery_mode = DeliveryMode.HOURLY  # chosen while the row was leased
    the_sender = sender(sessions, publisher, FrozenClock(NOW))
    assert await the_sender.drain_once() == 0
    assert await statuses(sessions) == [DeliveryStatus.HELD]
    assert await the_sender.send_digests() == 1
    assert len(telegram.sent(1)) == 1


async def test_a_reader_who_cannot_be_prepared_fails_alone(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    for reader in (1, 2):
        telegram.add_user(reader, "قارئ")
    await publish(sessions, [1, 2])
    await publish(sessions, [3, 4], mode=DeliveryMode.HOURLY)
    for reader in (3, 4):
        telegram.add_user(reader, "قارئ")
    async with sessions.begin() as session:
        for broken in (1, 3):
            chat = await session.get(Chat, broken)
            assert chat is not None
            chat.timezone = "Mars/Olympus"  # stored before time zones were checked
    the_sender = sender(sessions, publisher, FrozenClock(NOW))
    assert await the_sender.drain_once() == 1
    assert await the_sender.send_digests() == 1
    assert [len(telegram.sent(r)) for r in (1, 2, 3, 4)] == [0, 1, 0, 1]
    async with sessions() as session:
        rows = (await session.scalars(select(Delivery).order_by(Delivery.chat_id))).all()
    assert rows[0].status is DeliveryStatus.FAILED
    assert rows[0].last_error
    assert "Mars/Olympus" in rows[0].last_error


async def test_a_digest_part_never_starts_past_the_digest_lease(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    telegram.add_user(1, "قارئ")
    await publish(sessions, [1], articles=2, mode=DeliveryMode.HOURLY)
    the_sender = Sender(
        sessions, publisher, PostStyle(), clock=FrozenClock(NOW),
        settings=SenderSettings(lease=timedelta(seconds=2), send_timeout=0.5, record_allowance=0.5),
    )  # fmt: skip
    # A pause past the lease less its margin (1.5 s) however long claiming the digest takes:
    # at 1.8 s, a claim slower than 0.3 s on a busy machine left a wait short enough to send.
    the_sender.pacer.pause(5.0)
    assert await the_sender.send_digests() == 0
    assert telegram.calls_of("sendMessage") == []
    async with sessions() as session:
        rows = (await session.scalars(select(Delivery))).all()
        chat = await session.get(Chat, 1)
    assert {(row.status, row.lease_token) for row in rows} == {(DeliveryStatus.HELD, None)}
    assert chat is not None
    assert chat.last_digest_at is None  # due again at the next check


class SlowSwitching(SwitchingMode):
    """Every part takes `takes` of the sender's clock to go out; while it is on its way, the
    reader goes instant."""

    def __init__(
        self,
        publisher: BotApiPublisher,
        sessions: async_sessionmaker[AsyncSession],
        clock: FrozenClock,
        takes: timedelta,
    ) -> None:
        super().__init__(publisher, sessions, "instant", clock)
        self.frozen = clock
        self.takes = takes

    async def send_text(self, chat_id: int, html: str, *, silent: bool = False) -> int:
        self.frozen.now += self.takes
        return await super().send_text(chat_id, html, silent=silent)


async def test_a_later_digest_of_a_long_round_keeps_its_lease_until_its_parts_are_sent(
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegram,
    publisher: BotApiPublisher,
) -> None:
    readers = [1, 2, 3]
    for reader in readers:
        telegram.add_user(reader, "قارئ")
    await publish(sessions, readers, articles=2, mode=DeliveryMode.HOURLY)
    clock = FrozenClock(NOW)
    # Each digest takes 30 s (slow answers, a 429 waited out): by the third, a lease counted
    # from the start of the round has run out while its part is on its way.
    slow = SlowSwitching(publisher, sessions, clock, timedelta(seconds=30))
    the_sender = Sender(sessions, slow, PostStyle(), clock=clock)
    assert await the_sender.send_digests() == 3
    assert set(await statuses(sessions)) == {DeliveryStatus.SENT}
    assert await the_sender.drain_once() == 0  # nothing left to send one by one
    assert [len(telegram.sent(r)) for r in readers] == [1, 1, 1]

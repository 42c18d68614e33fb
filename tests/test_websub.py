"""WebSub (issue 12) through the real process: a feed that names a hub is subscribed on the
public URL, verified, and pushed; the hub's hostile cases are refused and store nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.admins import Person
from bot.app import services_of
from bot.config import Settings
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poller import Poller
from bot.feeds.workers import ParserPool
from bot.metrics import Metrics
from bot.process import NashraProcess
from bot.services import Services, websub_settings
from bot.web import PushRoute, WebServer
from bot.websub import WebSub, WebSubSettings
from storage import websub as websub_store
from storage.feeds import add_feed
from storage.models import Article, Feed, HubSubscription
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.hub import FakeHub
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings, operator
from tests.test_process import free_port, get

CHANNEL = -1001000000012
RECENT = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
OWNER = Person(1, "المشغّل")


def item(n: int) -> dict[str, str]:
    return {
        "title": f"افتتاح المدرسة رقم {n} في حلب بعد ترميمها",
        "link": f"https://news.example.sy/school/{n}",
        "guid": f"https://news.example.sy/?p={n}",
        "description": f"<p>افتتحت المدرسة رقم {n} أبوابها أمام الطلاب بعد أشهر من الترميم.</p>",
        "pubDate": format_datetime(RECENT + timedelta(minutes=n), usegmt=True),
    }


def pushed_feed(numbers: list[int], *, hub: str, topic: str) -> bytes:
    """An RSS feed naming its hub and itself with atom:link, as WordPress's do."""
    links = (
        f'<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="hub" href="{hub}"/>'
        f'<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="{topic}"/>'
    )
    body = rss([item(n) for n in sorted(numbers, reverse=True)])
    return body.replace("<channel>", "<channel>" + links, 1).encode()


def notifications(text: str, outcome: str) -> float:
    """nashra_websub_notifications_total{outcome=…} as /metrics served it."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "nashra_websub_notifications_total":
                if sample.labels == {"outcome": outcome}:
                    return float(sample.value)
    raise AssertionError(f"no notifications of outcome {outcome} in /metrics")


@dataclass
class Pushed:
    process: NashraProcess
    hub: FakeHub
    topic: str
    port: int
    settings: Settings

    @property
    def services(self) -> Services:
        return services_of(self.process.application)

    async def subscription(self) -> HubSubscription:
        async with self.services.sessions() as session:
            row = await session.scalar(select(HubSubscription))
        assert row is not None
        return row

    async def articles(self) -> int:
        async with self.services.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Article)) or 0)

    async def callback(self) -> str:
        return f"http://127.0.0.1:{self.port}/websub/{(await self.subscription()).token}"


@asynccontextmanager
async def pushed_bot(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str, **values: object
) -> AsyncIterator[Pushed]:
    """The bot with a public URL, a channel, and one feed whose hub has verified it."""
    hub = await FakeHub().start()
    try:
        telegram.add_chat(CHANNEL, "channel", title="أخبار حلب")
        port = free_port()
        topic = feed_server.url("aleppo.xml")
        feed_server.set("aleppo.xml", pushed_feed([1], hub=hub.url, topic=topic))
        settings = make_settings(
            bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
            database_url=database_url, parse_workers=0, http_port=port,
            websub_callback_url=f"http://127.0.0.1:{port}/websub", **values,
        )  # fmt: skip
        assert await operator(settings, "feed", "add", topic, "--category", "سوريا محلي") == 0
        assert (
            await operator(settings, "channel", "add", str(CHANNEL), "--category", "سوريا محلي")
            == 0
        )
        process = NashraProcess(settings)
        await process.start()
        try:
            yield Pushed(process, hub, topic, port, settings)
        finally:
            await process.stop()
    finally:
        await hub.stop()


async def test_a_pushed_entry_reaches_the_channel(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    async with pushed_bot(telegram, feed_server, database_url) as bot:
        # The first poll primes the feed and finds its hub; the hub verifies the callback.
        asked = await bot.hub.wait_verified(bot.topic)
        assert asked.callback.startswith(f"http://127.0.0.1:{bot.port}/websub/")
        assert asked.secret
        assert asked.lease_seconds == 864_000
        row = await bot.subscription()
        assert (row.state, row.hub, row.topic, row.last_error) == (
            "active", bot.hub.url, bot.topic, None,
        )  # fmt: skip
        assert row.lease_expires_at is not None
        # The latency path: the hub's notification → the post in the channel (no timing here:
        # bench/websub.py measures it).
        assert await bot.hub.publish(bot.topic, pushed_feed([2, 1], hub="", topic="")) == [204]
        post = await telegram.wait_for_call(
            "sendMessage", where=lambda call: call.params.get("chat_id") == CHANNEL, timeout=15
        )
        assert "المدرسة رقم 2" in post.params["text"]
        # The same body again (a hub's retry): deduplicated, nothing sent twice.
        assert await bot.hub.publish(bot.topic, pushed_feed([2, 1], hub="", topic="")) == [204]
        assert await bot.articles() == 2
        status, text = await get(bot.port, "/metrics")
        assert notifications(text, "taken") == 2.0
        # Every algorithm the spec names is taken.
        for n, algorithm in enumerate(("sha1", "sha384", "sha512"), start=3):
            body = pushed_feed([n], hub="", topic="")
            assert await bot.hub.publish(bot.topic, body, algorithm=algorithm) == [204]
        assert await bot.articles() == 5


async def test_the_hubs_hostile_cases_are_refused_and_store_nothing(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    async with pushed_bot(telegram, feed_server, database_url, websub_max_bytes=100_000) as bot:
        await bot.hub.wait_verified(bot.topic)
        callback = await bot.callback()
        secret = (await bot.subscription()).secret
        stored = await bot.articles()
        body = pushed_feed([7], hub="", topic="")
        # A wrong signature, and none at all.
        assert await bot.hub.post(callback, body, secret=secret, signing="wrong") == 403
        assert await bot.hub.post(callback, body, secret=secret, signing="missing") == 403
        # An algorithm the spec does not name, and a signature that is not hex.
        assert await bot.hub.post(callback, body, secret=secret, algorithm="md5") == 403
        async with aiohttp.ClientSession() as client:
            headers = {"X-Hub-Signature": "sha256=zz"}
            async with client.post(callback, data=body, headers=headers) as answer:
                assert answer.status == 403
        # An unknown subscription: a token never handed out, even rightly signed.
        unknown = callback.rsplit("/", 1)[0] + "/not-a-token"
        assert await bot.hub.post(unknown, body, secret=secret) == 404
        # A huge body, declared, and chunked without a length: refused at the cap.
        huge = body + b" " * 200_000
        assert await bot.hub.post(callback, huge, secret=secret) == 413
        assert await bot.hub.post(callback, huge, secret=secret, chunked=True) == 413
        assert await bot.articles() == stored
        # A verification for a topic we never asked for, on our token and on another.
        assert (await bot.hub.verification(callback, "https://evil.example/feed"))[0] == 404
        assert (await bot.hub.verification(unknown, bot.topic))[0] == 404
        # An unsubscribe we never asked for: the subscription stays.
        assert (await bot.hub.verification(callback, bot.topic, mode="unsubscribe"))[0] == 404
        assert (await bot.subscription()).state == "active"
        status, text = await get(bot.port, "/metrics")
        assert notifications(text, "bad_signature") == 4
        assert notifications(text, "unknown") == 1
        assert notifications(text, "too_large") == 2
        # The right one is still taken.
        assert await bot.hub.post(callback, body, secret=secret) == 204
        assert await bot.articles() == stored + 1


async def test_a_pushed_feed_is_polled_at_the_safety_interval(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    async with pushed_bot(telegram, feed_server, database_url, websub_poll_seconds=7200) as bot:
        await bot.hub.wait_verified(bot.topic)
        feed_id = (await bot.subscription()).feed_id
        assert feed_id is not None
        await bot.services.poller.poll_feed(feed_id)
        async with bot.services.sessions() as session:
            feed = await session.get(Feed, feed_id)
        assert feed is not None
        assert feed.last_polled_at is not None
        assert feed.next_poll_at - feed.last_polled_at == timedelta(seconds=7200)


async def test_removing_the_feed_unsubscribes_it(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    async with pushed_bot(telegram, feed_server, database_url) as bot:
        await bot.hub.wait_verified(bot.topic)
        callback = await bot.callback()
        feed_id = (await bot.subscription()).feed_id
        assert feed_id is not None
        assert await bot.services.sources.remove(OWNER, feed_id) is not None
        asked = await bot.hub.wait_verified(bot.topic, mode="unsubscribe")
        assert asked.callback == callback
        assert bot.hub.subscribers[bot.topic] == {}
        async with bot.services.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(HubSubscription)) == 0
        # A late notification for the removed feed reaches nothing.
        assert await bot.hub.post(callback, pushed_feed([9], hub="", topic=""), secret="x") == 404


async def test_the_operators_command_line_removal_unsubscribes_too(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    async with pushed_bot(telegram, feed_server, database_url) as bot:
        await bot.hub.wait_verified(bot.topic)
        assert await operator(bot.settings, "feed", "remove", bot.topic) == 0
        assert (await bot.subscription()).state == "unsubscribing"
        # The renewal job's round (this one, or the job's own if it came first).
        await bot.services.renew_subscriptions()
        await bot.hub.wait_verified(bot.topic, mode="unsubscribe")
        async with bot.services.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(HubSubscription)) == 0


async def test_a_failing_hub_is_recorded_and_the_feed_polled_as_before(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    hub = await FakeHub(refuse=503).start()
    try:
        topic = feed_server.url("down.xml")
        feed_server.set("down.xml", pushed_feed([1], hub=hub.url, topic=topic))
        port = free_port()
        settings = make_settings(
            bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
            database_url=database_url, parse_workers=0, http_port=port,
            websub_callback_url="https://bot.example.org/push",
        )  # fmt: skip
        assert await operator(settings, "feed", "add", topic) == 0
        process = NashraProcess(settings)
        await process.start()
        try:
            services = services_of(process.application)
            await hub.wait_for(lambda: len(hub.requests) == 1)
            asked = hub.requests[0]
            assert asked.callback.startswith("https://bot.example.org/push/")

            await services.settled()  # the subscribe ran off the poll: its error is written
            async with services.sessions() as session:
                row = await session.scalar(select(HubSubscription))
                assert row is not None
                assert row.feed_id is not None
                assert row.state == "pending"
                assert row.last_error is not None
                assert "HTTP 503" in row.last_error
                assert row.renew_at > datetime.now(UTC)
                # Not pushed: polled at its normal interval.
                assert await websub_store.pushed(session, [row.feed_id], datetime.now(UTC)) == set()
        finally:
            await process.stop()
    finally:
        await hub.stop()


async def test_without_a_public_url_nothing_changes(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    hub = await FakeHub().start()
    try:
        topic = feed_server.url("plain.xml")
        feed_server.set("plain.xml", pushed_feed([1], hub=hub.url, topic=topic))
        settings = make_settings(
            bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
            database_url=database_url, parse_workers=0, http_port=free_port(),
            websub_poll_seconds=7200,
        )  # fmt: skip
        assert await operator(settings, "feed", "add", topic) == 0
        process = NashraProcess(settings)
        await process.start()
        try:
            services = services_of(process.application)
            assert not services.websub.enabled
            now = datetime.now(UTC)
            async with services.sessions.begin() as session:
                feed = await session.scalar(select(Feed))
                assert feed is not None
                # A row left active by a run that had a public URL (finding 2).
                session.add(HubSubscription(
                    feed_id=feed.id, hub=hub.url, topic=topic, secret="s", token="t",
                    state="active", lease_expires_at=now + timedelta(days=5),
                    renew_at=now + timedelta(days=4), failures=0,
                ))  # fmt: skip
            report = await services.poll()  # whatever the schedule did, one more poll
            assert all(outcome.error is None for outcome in report.outcomes)
            await feed_server.wait_for_hits("plain.xml", 1)
            assert hub.requests == []
            await services.poller.poll_feed(feed.id)
            async with services.sessions() as session:
                polled = await session.get(Feed, feed.id)
                lines = await services.sources._lines(session, [polled] if polled else [])
            assert polled is not None
            assert polled.last_polled_at is not None
            assert polled.next_poll_at - polled.last_polled_at == timedelta(
                seconds=settings.poll_interval_seconds
            )  # polled as any feed, not at the pushed feeds' safety interval
            assert [line.pushed for line in lines] == [False]  # no ⚡ in /feeds
        finally:
            await process.stop()
    finally:
        await hub.stop()


@asynccontextmanager
async def subscriber(
    sessions: async_sessionmaker[AsyncSession], clock: list[datetime], *, private: bool = True
) -> AsyncIterator[tuple[WebSub, WebServer, FakeHub]]:
    """The subscriber alone behind a real WebServer, on a clock the test moves."""
    hub = await FakeHub(grant_lease=3600).start()
    fetcher = Fetcher(FetchLimits(allow_private=private))
    poller = Poller(sessions, fetcher, ParserPool(0))
    server = WebServer("127.0.0.1", 0, metrics=Metrics(), ready=run_checks_none)
    websub = WebSub(
        sessions, fetcher, poller, WebSubSettings("http://127.0.0.1:0/websub"),
        clock=lambda: clock[0],
    )  # fmt: skip
    server.push = PushRoute("/websub", 100_000, websub)
    await server.start()
    websub.settings = WebSubSettings(f"http://127.0.0.1:{server.port}/websub", http_hubs=True)
    try:
        yield websub, server, hub
    finally:
        await server.stop()
        await fetcher.close()
        await hub.stop()


async def run_checks_none() -> dict[str, bool]:
    return {}


async def test_a_lease_is_renewed_before_it_ends(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = [datetime.now(UTC)]
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, "https://a.example/feed", now=clock[0])).id
    async with subscriber(sessions, clock) as (websub, _server, hub):
        assert await websub.subscribe(feed_id, hub.url, "https://a.example/feed")
        assert not await websub.subscribe(feed_id, hub.url, "https://a.example/feed")  # once
        await hub.wait_verified("https://a.example/feed")
        async with sessions() as session:
            row = await websub_store.of_feed(session, feed_id)
        assert row is not None
        assert row.lease_expires_at == clock[0] + timedelta(seconds=3600)  # the hub's grant
        assert await websub.renew() == 0  # not due yet
        clock[0] += timedelta(minutes=55)  # six minutes before the end of an hour's lease
        assert await websub.renew() == 1
        await hub.wait_verified("https://a.example/feed", count=2)
        async with sessions() as session:
            renewed = await websub_store.of_feed(session, feed_id)
        assert renewed is not None
        assert renewed.token == row.token  # the same callback, a new lease
        assert renewed.lease_expires_at == clock[0] + timedelta(seconds=3600)
        assert await websub.renew() == 0


async def test_the_subscribe_goes_through_the_address_guard(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = [datetime.now(UTC)]
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, "https://a.example/feed", now=clock[0])).id
    async with subscriber(sessions, clock, private=False) as (websub, _server, hub):
        await websub.subscribe(feed_id, hub.url, "https://a.example/feed")
        assert hub.requests == []  # never contacted
        async with sessions() as session:
            row = await websub_store.of_feed(session, feed_id)
        assert row is not None
        assert row.state == "pending"
        assert row.last_error is not None
        assert row.last_error.startswith("hub unreachable:")
        assert "127.0.0.1" in row.last_error


async def test_an_unchanged_body_discovers_nothing_and_the_header_comes_first(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    """Finding 1: the hub and topic come from a parsed body only (the Link header first, hub
    and topic together); an unchanged body keeps the stored subscription."""
    topic = feed_server.url("self.xml")
    body = pushed_feed([1], hub="https://body-hub.example/", topic=topic)
    url = feed_server.set("flip.xml", body)
    feed_server.route("flip.xml").headers["Link"] = '<https://header-hub.example/>; rel="hub"'
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, url, now=datetime.now(UTC))).id
    fetcher = Fetcher(FetchLimits(allow_private=True))
    try:
        poller = Poller(sessions, fetcher, ParserPool(0))
        first = await poller.poll_feed(feed_id)
        assert first is not None
        assert (first.hub, first.topic) == ("https://header-hub.example/", None)
        again = await poller.poll_feed(feed_id)
        assert again is not None
        assert (again.hub, again.topic) == (None, None)  # not parsed: nothing discovered
    finally:
        await fetcher.close()


async def test_repointing_a_subscription_unsubscribes_the_old_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = [datetime.now(UTC)]
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, "https://a.example/feed", now=clock[0])).id
    async with subscriber(sessions, clock) as (websub, _server, hub):
        assert await websub.subscribe(feed_id, hub.url, "https://a.example/feed")
        await hub.wait_verified("https://a.example/feed")
        async with sessions() as session:
            old = await websub_store.of_feed(session, feed_id)
        assert old is not None
        assert await websub.subscribe(feed_id, hub.url, "https://a.example/other")
        await hub.wait_verified("https://a.example/other")
        async with sessions() as session:
            rows = (await session.scalars(select(HubSubscription))).all()
        leftover = [row for row in rows if row.feed_id is None]
        assert [(row.token, row.topic, row.state) for row in leftover] == [
            (old.token, "https://a.example/feed", "unsubscribing")
        ]
        assert await websub.renew() == 1
        await hub.wait_verified("https://a.example/feed", mode="unsubscribe")
        async with sessions() as session:
            rows = (await session.scalars(select(HubSubscription))).all()
        assert [(row.feed_id, row.topic) for row in rows] == [(feed_id, "https://a.example/other")]


async def test_a_denied_subscription_is_no_longer_pushed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Finding 3: hub.mode=denied on an active row: the feed is polled as before."""
    clock = [datetime.now(UTC)]
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, "https://a.example/feed", now=clock[0])).id
    async with subscriber(sessions, clock) as (websub, server, hub):
        assert await websub.subscribe(feed_id, hub.url, "https://a.example/feed")
        await hub.wait_verified("https://a.example/feed")
        async with sessions() as session:
            assert await websub_store.pushed(session, [feed_id], clock[0]) == {feed_id}
            row = await websub_store.of_feed(session, feed_id)
        assert row is not None
        callback = f"http://127.0.0.1:{server.port}/websub/{row.token}"
        status, _ = await hub.verification(callback, "https://a.example/feed", mode="denied")
        assert status == 200
        async with sessions() as session:
            assert await websub_store.pushed(session, [feed_id], clock[0]) == set()
            denied = await websub_store.of_feed(session, feed_id)
        assert denied is not None
        assert (denied.state, denied.lease_expires_at) == ("pending", None)
        assert denied.last_error is not None
        assert denied.last_error.startswith("hub denied")


async def test_a_push_for_a_paused_feed_is_taken_and_discarded(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    """Finding 9: a 4xx makes some hubs drop the subscription; a paused feed's push gets
    202 and is not stored."""
    async with pushed_bot(telegram, feed_server, database_url) as bot:
        await bot.hub.wait_verified(bot.topic)
        before = await bot.articles()
        feed_id = (await bot.subscription()).feed_id
        async with bot.services.sessions.begin() as session:
            feed = await session.get(Feed, feed_id)
            assert feed is not None
            feed.paused = True
        assert await bot.hub.publish(bot.topic, pushed_feed([7], hub="", topic="")) == [202]
        assert await bot.articles() == before
        status, text = await get(bot.port, "/metrics")
        assert notifications(text, "discarded") == 1.0


async def test_a_request_accepted_but_never_verified_backs_off_and_says_so(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Finding 5: a 2xx with no verification is recorded and retried on a back-off."""
    clock = [datetime.now(UTC)]
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, "https://a.example/feed", now=clock[0])).id
    async with subscriber(sessions, clock) as (websub, _server, hub):
        hub.refuse = 202  # takes the request, never verifies
        assert await websub.subscribe(feed_id, hub.url, "https://a.example/feed")
        async with sessions() as session:
            row = await websub_store.of_feed(session, feed_id)
        assert row is not None
        assert (row.state, row.failures) == ("pending", 1)
        assert row.last_error == "hub accepted the subscribe, not verified yet"
        assert row.renew_at == clock[0] + timedelta(minutes=5)
        clock[0] += timedelta(minutes=5)
        assert await websub.renew() == 1
        async with sessions() as session:
            again = await websub_store.of_feed(session, feed_id)
        assert again is not None
        assert again.failures == 2
        assert again.renew_at == clock[0] + timedelta(minutes=10)  # backing off
        assert await websub.renew() == 0


async def test_an_unsubscribe_the_hub_keeps_failing_is_given_up_after_a_day(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Finding 5: the give-up is measured from when the unsubscribe began, not from the
    last failure."""
    clock = [datetime.now(UTC)]
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, "https://a.example/feed", now=clock[0])).id
    async with subscriber(sessions, clock) as (websub, _server, hub):
        assert await websub.subscribe(feed_id, hub.url, "https://a.example/feed")
        await hub.wait_verified("https://a.example/feed")
        hub.refuse = 500
        async with sessions.begin() as session:
            assert await websub_store.leave_feed(session, feed_id, clock[0])
        for _ in range(24):  # two days of failures, no more than 12 h apart
            clock[0] += timedelta(hours=2, minutes=1)
            await websub.renew()
        async with sessions() as session:
            left = (await session.scalars(select(HubSubscription))).all()
        assert left == []


async def test_a_plain_http_hub_gets_no_secret_unless_private_feeds_are_allowed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Finding 6: hub.secret goes over HTTPS only; http hubs only with ALLOW_PRIVATE_FEEDS."""
    clock = [datetime.now(UTC)]
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, "https://a.example/feed", now=clock[0])).id
    async with subscriber(sessions, clock) as (websub, _server, hub):
        websub.settings = replace(websub.settings, http_hubs=False)
        assert not await websub.subscribe(feed_id, hub.url, "https://a.example/feed")
        assert hub.requests == []
        async with sessions() as session:
            assert await websub_store.of_feed(session, feed_id) is None
    assert websub_settings(make_settings(allow_private_feeds=False)).http_hubs is False
    assert websub_settings(make_settings(allow_private_feeds=True)).http_hubs is True

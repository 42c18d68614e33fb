"""The HTTP server (bot/web.py): /healthz, /readyz, /metrics after real work, the webhook."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
import telegram
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from bot.app import build_application
from bot.delivery.planner import NewArticle, plan_deliveries
from bot.metrics import Metrics
from bot.services import Services
from bot.web import SECRET_HEADER, Webhook, WebServer, run_checks
from storage import catalog
from storage.feeds import add_feed
from storage.models import Feed
from tests import factories
from tests.factories import article_row, store_articles
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings, operator

CHANNEL = -1007000000001
READER = 7001
STRANGER = 7999
SECRET = "w3bhook_Secret-1"
YESTERDAY = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def item(n: int) -> dict[str, str]:
    return {
        "title": f"افتتاح المدرسة رقم {n} في الحي الشرقي",
        "link": f"https://www.enabbaladi.net/archives/{n}",
        "guid": f"https://www.enabbaladi.net/?p={n}",
        "description": f"<p>افتتحت المدرسة رقم {n} أبوابها للطلاب. وقال المدير إن الدوام يبدأ.</p>",
        "pubDate": format_datetime(YESTERDAY + timedelta(minutes=n), usegmt=True),
    }


async def always_ready() -> dict[str, bool]:
    return {"database": True}


@asynccontextmanager
async def serving(
    metrics: Metrics | None = None,
    ready: Callable[[], Awaitable[dict[str, bool]]] = always_ready,
    **options: Any,
) -> AsyncIterator[WebServer]:
    server = WebServer("127.0.0.1", 0, metrics=metrics or Metrics(), ready=ready, **options)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def get(server: WebServer, path: str) -> tuple[int, str, str]:
    """GET `path`: the status, the content type header and the body."""
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, response.headers["Content-Type"], await response.text()


async def scrape(server: WebServer) -> Samples:
    """/metrics, parsed with prometheus-client's parser: (sample name, labels) → value."""
    status, content_type, body = await get(server, "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4")
    samples: Samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


# ----------------------------------------------------------------------- health


async def test_healthz_answers_while_the_loop_runs() -> None:
    async with serving() as server:
        assert await get(server, "/healthz") == (200, "text/plain; charset=utf-8", "ok")


async def test_readyz_is_503_naming_the_check_that_failed() -> None:
    checks = {"database": True, "telegram": True, "sender": False}

    async def ready() -> dict[str, bool]:
        return dict(checks)

    async with serving(ready=ready) as server:
        status, _, body = await get(server, "/readyz")
        assert (status, json.loads(body)) == (503, checks)
        checks["sender"] = True
        status, _, body = await get(server, "/readyz")
        assert (status, json.loads(body)) == (200, checks)


async def test_a_readiness_check_that_hangs_has_failed() -> None:
    never = asyncio.Event()

    async def hangs() -> bool:
        await never.wait()
        return True

    async def answers() -> bool:
        return True

    async def ready() -> dict[str, bool]:
        return await run_checks({"database": answers, "telegram": hangs}, within=0.1)

    async def ready_hanging() -> dict[str, bool]:
        await never.wait()
        return {}

    async with serving(ready=ready) as server:
        status, _, body = await get(server, "/readyz")
        assert (status, json.loads(body)) == (503, {"database": True, "telegram": False})
    async with serving(ready=ready_hanging, check_timeout=0.1) as server:
        status, _, body = await get(server, "/readyz")
        assert (status, json.loads(body)) == (503, {"answered": False})


async def test_metrics_are_served_when_the_database_cannot_be_read() -> None:
    metrics = Metrics()
    metrics.rate_limited()

    async def broken() -> None:
        raise OSError("connection refused")

    async with serving(metrics, refresh=broken) as server:
        samples = await scrape(server)
    assert value(samples, "nashra_telegram_429_total") == 1
    assert value(samples, "nashra_sender") == 0


async def test_the_sender_and_processes_gauges_are_set_by_the_election() -> None:
    metrics = Metrics()
    metrics.set_sender(True)
    metrics.set_processes(3)
    async with serving(metrics) as server:
        samples = await scrape(server)
    assert value(samples, "nashra_sender") == 1
    assert value(samples, "nashra_processes_live") == 3


# ----------------------------------------------------------------------- metrics after work


async def make_due(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        await session.execute(update(Feed).values(next_poll_at=datetime.now(UTC)))


async def until_recorded(server: WebServer, services: Services, sent: int) -> Samples:
    """The scrape once `sent` deliveries are recorded sent and none is due."""
    async with asyncio.timeout(20):  # a hang guard, not a measure
        while True:
            await services.sender.settle()
            samples = await scrape(server)
            done = value(samples, "nashra_deliveries_total", outcome="sent") >= sent
            if done and value(samples, "nashra_outbox_due") == 0:
                return samples
            # A send whose answer is being read is in no list to wait for: look again.
            await asyncio.sleep(0.02)  # noqa: ASYNC110


async def test_metrics_after_a_poll_and_a_fan_out(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    telegram.add_chat(CHANNEL, "channel", title="أخبار المدارس")
    good = feed_server.set("good.xml", rss([item(1)]))
    broken = feed_server.set("broken.xml", "", status=500)
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        parse_workers=0,
        max_feed_failures=2,
    )
    for url in (good, broken):
        assert await operator(settings, "feed", "add", url, "--category", "سوريا محلي") == 0
    assert await operator(settings, "channel", "add", str(CHANNEL), "--category", "سوريا محلي") == 0
    metrics = Metrics()
    bot = telegram_bot(telegram)
    async with bot:
        services = await Services.start(settings, bot, metrics=metrics)
        refresh = lambda: metrics.refresh(services.sessions)  # noqa: E731
        try:
            async with serving(metrics, refresh=refresh) as server:
                first = await services.poll()  # primes the good feed; the broken one fails
                assert (first.new_articles, first.planned) == (1, 0)
                samples = await scrape(server)
                assert value(samples, "nashra_feeds_failing") == 1
                assert value(samples, "nashra_feeds_disabled") == 0

                feed_server.set("good.xml", rss([item(3), item(2), item(1)]))
                # The channel's first post is answered 429: sent again after retry_after.
                telegram.fail_next("sendMessage", 429, parameters={"retry_after": 1},
                                   chat_id=CHANNEL)  # fmt: skip
                await make_due(services.sessions)
                second = await services.poll()  # the broken feed is disabled now
                assert (second.new_articles, second.planned) == (2, 2)
                await telegram.wait_for(lambda: len(telegram.sent(CHANNEL)) == 2, timeout=20)
                samples = await until_recorded(server, services, sent=2)
        finally:
            await services.close()

    assert value(samples, "nashra_articles_stored_total") == 3
    polls = {o: value(samples, "nashra_feed_polls_total", outcome=o) for o in
             ("new", "unchanged", "not_modified", "failed", "disabled")}  # fmt: skip
    assert polls == {"new": 2, "unchanged": 0, "not_modified": 0, "failed": 1, "disabled": 1}
    assert value(samples, "nashra_fetch_seconds_count") == 4
    assert value(samples, "nashra_parse_seconds_count") == 2
    assert value(samples, "nashra_deliveries_total", outcome="sent") == 2
    assert value(samples, "nashra_deliveries_total", outcome="retried") == 1
    assert value(samples, "nashra_deliveries_total", outcome="failed") == 0
    assert value(samples, "nashra_telegram_429_total") == 1 == telegram.count_429
    assert value(samples, "nashra_send_seconds_count") == 3
    assert value(samples, "nashra_outbox_due") == 0
    assert value(samples, "nashra_outbox_oldest_due_seconds") == 0
    assert value(samples, "nashra_feeds_failing") == 0
    assert value(samples, "nashra_feeds_disabled") == 1


def telegram_bot(fake: FakeTelegram) -> telegram.Bot:
    return telegram.Bot(fake.token, base_url=f"{fake.base_url}/bot")


NOW = datetime(2026, 1, 11, 7, 0, tzinfo=UTC)


async def test_the_outbox_gauges_count_the_due_rows_and_the_longest_wait(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        [politics] = await catalog.ensure_categories(session, ["سياسة"])
        for chat_id in (READER, READER + 1, READER + 2):
            await factories.reader(session, chat_id, [politics])
        feed = await add_feed(session, "https://x.sy/feed", now=NOW)
        rows = [article_row(feed.id, "k1", when=NOW, title="خبر سياسي", text="نص.",
                            link="https://x.sy/1")]  # fmt: skip
        ids = await store_articles(session, rows, [politics])
        await plan_deliveries(session, [NewArticle(i, [politics.id], "") for i in ids], NOW)
    metrics = Metrics()
    async with serving(metrics) as server:
        await metrics.refresh(sessions, NOW - timedelta(seconds=1))  # planned, not due yet
        before = await scrape(server)
        await metrics.refresh(sessions, NOW + timedelta(seconds=90))
        after = await scrape(server)
    assert value(before, "nashra_outbox_due") == 0
    assert value(before, "nashra_outbox_oldest_due_seconds") == 0
    assert value(after, "nashra_outbox_due") == 3
    assert value(after, "nashra_outbox_oldest_due_seconds") == 90


# ----------------------------------------------------------------------- webhook


def start_update(user_id: int, text: str = "/start") -> dict[str, Any]:
    return {
        "update_id": 900_001,
        "message": {
            "message_id": 1,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": user_id, "type": "private", "first_name": "غريب"},
            "from": {"id": user_id, "is_bot": False, "first_name": "غريب"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def post(server: WebServer, path: str, body: bytes, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as client,
        client.post(
            f"http://127.0.0.1:{server.port}{path}", data=io.BytesIO(body), headers=headers
        ) as answer,
    ):
        return answer.status


async def test_updates_come_by_webhook_and_a_wrong_secret_is_refused(
    telegram: FakeTelegram, database_url: str
) -> None:
    telegram.add_user(READER, "سارة")
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        parse_workers=0,
    )
    application = build_application(settings)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    delivered: list[int] = []

    async def deliver(data: dict[str, Any]) -> None:
        delivered.append(int(data["update_id"]))
        await application.update_queue.put(Update.de_json(data, application.bot))

    webhook = Webhook("/telegram", SECRET, deliver)
    try:
        async with serving(webhook=webhook) as server:
            url = f"http://127.0.0.1:{server.port}/telegram"
            assert await application.bot.set_webhook(url, secret_token=SECRET)
            telegram.user_sends(READER, "/start")
            reply = await telegram.wait_for_call(
                "sendMessage", where=lambda call: call.params.get("chat_id") == READER, timeout=10
            )
            assert reply.ok
            assert telegram.webhook_posts[-1][1] == 200
            assert telegram.pending_updates == []

            forged = json.dumps(start_update(STRANGER)).encode()
            json_type = {"Content-Type": "application/json"}
            assert await post(server, "/telegram", forged, json_type) == 403
            wrong = json_type | {SECRET_HEADER: SECRET + "x"}
            assert await post(server, "/telegram", forged, wrong) == 403
            right = json_type | {SECRET_HEADER: SECRET}
            assert await post(server, "/telegram", b"{not json", right) == 400
            assert await post(server, "/telegram", b"[1, 2]", right) == 400
            await application.bot.delete_webhook()
    finally:
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
    # Only Telegram's push was taken: the refused requests reached nothing.
    assert len(delivered) == 1
    assert all(call.params.get("chat_id") != STRANGER for call in telegram.calls)


async def test_a_body_over_the_cap_is_refused() -> None:
    async def deliver(data: dict[str, Any]) -> None:
        raise AssertionError("nothing may be delivered")

    async with serving(webhook=Webhook("/hook", SECRET, deliver)) as server:
        body = b'{"update_id": 1, "x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        assert await post(server, "/hook", body, headers) == 413


@pytest.mark.parametrize("path", ["/telegram", "/metrics"])
async def test_without_a_webhook_there_is_no_webhook_route(path: str) -> None:
    async with serving() as server:
        expected = 404 if path == "/telegram" else 405
        assert await post(server, path, b"{}", {SECRET_HEADER: SECRET}) == expected

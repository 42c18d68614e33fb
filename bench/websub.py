"""How long a pushed feed's new entry takes to reach the channel (WebSub, issue 12).

    python -m bench.websub [--rounds 20] [--gap 3.5]

The bot runs as `nashra run` runs it (bot.process.NashraProcess: the poll schedule, the
sender, the HTTP server with the WebSub callback) on SQLite, against the fake Telegram
server, a local feed server and the local hub (tests/fakes/hub.py), all in this process.
The feed names the hub; the first poll subscribes it and the hub verifies the callback.
Each round then publishes a feed body with one new entry through the hub, which POSTs the
signed notification to the callback, and waits for the post in the channel:

- notification → post: from the hub starting its POST to the post in the fake Telegram's
  channel (verify the signature, parse, dedupe, store, plan, wake the sender, pace, send).
  The target is a median under 2 s.
- notification → 2xx: how long the hub waits for our answer (the ingest runs before it).

Rounds are `--gap` seconds apart, beyond the channel's pace (20 a minute, 3 s apart), so
the figure is the push path's and not the pacer's. It prints medians and spreads, and
asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.latency import headline, news_item, spread_line
from bot.process import NashraProcess
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.hub import FakeHub
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings, operator
from tests.test_process import free_port

CHANNEL = -1001000000001
CATEGORY = "سوريا محلي"


@dataclass(frozen=True)
class Round:
    notification_to_post: float
    notification_to_answer: float


def _body(items: list[dict[str, str]], hub: str, topic: str) -> bytes:
    links = (
        f'<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="hub" href="{hub}"/>'
        f'<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="{topic}"/>'
    )
    return rss(items).replace("<channel>", "<channel>" + links, 1).encode()


async def _round(
    telegram: FakeTelegram, hub: FakeHub, topic: str, items: list[dict[str, str]], number: int
) -> Round:
    items.insert(0, news_item(0, number))
    body = _body(items[:10], hub.url, topic)  # a hub sends the feed's newest entries
    marker = headline(0, number)
    started = time.monotonic()
    statuses = await hub.publish(topic, body)
    answered = time.monotonic()
    assert statuses == [204], statuses
    await telegram.wait_for(
        lambda: any(marker in post.text for post in telegram.sent(CHANNEL)), timeout=60
    )
    posted = time.monotonic()
    return Round(posted - started, answered - started)


async def run(args: argparse.Namespace) -> list[Round]:
    telegram = FakeTelegram()
    await telegram.start()
    telegram.add_chat(CHANNEL, "channel", title="أخبار")
    server = await FeedServer().start()
    hub = await FakeHub().start()
    rounds: list[Round] = []
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        settings = make_settings(
            bot_token=telegram.token,
            telegram_api_base_url=telegram.base_url,
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'websub.db'}",
            parse_workers=0,
            allow_private_feeds=True,
            http_port=port,
            websub_callback_url=f"http://127.0.0.1:{port}/websub",
        )
        topic = server.url("pushed.xml")
        items = [news_item(0, 0)]
        server.set("pushed.xml", _body(items, hub.url, topic))
        process = NashraProcess(settings)
        try:
            await operator(settings, "channel", "add", str(CHANNEL), "--category", CATEGORY)
            await operator(settings, "feed", "add", topic, "--category", CATEGORY)
            await process.start()
            await hub.wait_verified(topic)  # the first poll found the hub
            for number in range(1, args.rounds + 1):
                rounds.append(await _round(telegram, hub, topic, items, number))
                await asyncio.sleep(args.gap)
        finally:
            await process.stop()
            await hub.stop()
            await server.stop()
            await telegram.stop()
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--gap", type=float, default=3.5, help="seconds between notifications")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rounds = asyncio.run(run(args))
    print(f"{len(rounds)} notifications through the local hub, {args.gap:g} s apart")
    print(spread_line("notification → post", [r.notification_to_post for r in rounds]))
    print(spread_line("notification → 2xx", [r.notification_to_answer for r in rounds]))
    median = statistics.median(r.notification_to_post for r in rounds)
    print(f"median notification → post: {median:.3f} s (target < 2 s)")


if __name__ == "__main__":
    main()

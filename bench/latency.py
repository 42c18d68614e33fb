"""How long a polled feed's new entry takes to reach the channel, now that there is no tick.

    python -m bench.latency [--rounds 20] [--interval 6] [--feeds 4]

The bot runs as `nashra run` runs it (tests.support.running_bot: post_init, the poll
schedule, the sender) on SQLite, against the fake Telegram server and a local feed server,
both in this process. `--feeds` feeds poll every `--interval` seconds (set on the feeds, as
an operator's per-feed interval is). Each round waits a random part of the interval, adds an
entry to one feed and waits for its post in the channel. For each round it records:

- change → post: what a reader waits. The target is the interval plus at most 2 s; the old
  30 s tick made it the interval plus up to 30 s.
- poll → post: from the feed server answering the poll that saw the entry to the post
  (fetch, parse, store, plan, pace, send).
- late: how long after its due time that poll came (the schedule's own delay).

It prints medians and spreads, and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import select

from bot.app import services_of
from bot.context import NashraApp
from storage import catalog
from storage.feeds import add_feed
from storage.models import Feed
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings, operator, running_bot

CHANNEL = -1001000000001
CATEGORY = "سوريا محلي"
SEED = 20261206


class _Arrivals(list[str]):
    """The feed server's User-Agent list of a route, kept as the times of the requests."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, _item: str) -> None:
        self.times.append(time.monotonic())


@dataclass(frozen=True)
class Round:
    change_to_post: float
    poll_to_post: float
    late: float


def headline(feed: int, number: int) -> str:
    """The headline of entry `number` of feed `feed`: what a round looks for in the channel."""
    return f"خبر رقم {number} من المصدر {feed}: افتتاح جسر جديد في ريف حلب"


def news_item(feed: int, number: int) -> dict[str, str]:
    """Entry `number` of feed `feed`, published a minute ago."""
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    return {
        "title": headline(feed, number),
        "link": f"https://www.source{feed}.example/news/{number}",
        "guid": f"source{feed}-{number}",
        "description": f"<p>افتتحت المحافظة الجسر رقم {number} بعد ترميمه.</p>",
        "pubDate": format_datetime(moment, usegmt=True),
    }


async def _prepare(
    application: NashraApp, server: FeedServer, feeds: int, interval: int
) -> list[list[dict[str, str]]]:
    services = services_of(application)
    bodies: list[list[dict[str, str]]] = []
    async with services.sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, [CATEGORY])
        for feed in range(feeds):
            items = [news_item(feed, 0)]
            bodies.append(items)
            url = server.set(f"f{feed}.xml", rss(items))
            server.route(f"f{feed}.xml").user_agents = _Arrivals()
            await add_feed(session, url, categories=[category], poll_interval_seconds=interval)
    services.poller.reschedule()
    for feed in range(feeds):  # primed: the first poll records, posts nothing
        await server.wait_for_hits(f"f{feed}.xml", 1)
    return bodies


async def _round(
    application: NashraApp,
    telegram: FakeTelegram,
    server: FeedServer,
    bodies: list[list[dict[str, str]]],
    rng: random.Random,
    number: int,
    interval: int,
) -> Round:
    services = services_of(application)
    feed = rng.randrange(len(bodies))
    await asyncio.sleep(rng.uniform(0, interval))
    route = server.route(f"f{feed}.xml")
    arrivals = route.user_agents
    assert isinstance(arrivals, _Arrivals)
    async with services.sessions() as session:
        due = await session.scalar(
            select(Feed.next_poll_at).where(Feed.url == server.url(f"f{feed}.xml"))
        )
    assert due is not None
    bodies[feed].insert(0, news_item(feed, number))
    seen = len(arrivals.times)
    changed = time.monotonic()
    wall_changed = datetime.now(UTC)
    server.set(f"f{feed}.xml", rss(bodies[feed]))
    marker = headline(feed, number)
    await telegram.wait_for(
        lambda: any(marker in post.text for post in telegram.sent(CHANNEL)), timeout=interval + 60
    )
    posted = time.monotonic()
    polled = arrivals.times[seen] if len(arrivals.times) > seen else posted
    # The poll was due at `due` (or right away, when that had passed while we slept).
    due_in = max((due - wall_changed).total_seconds(), 0.0)
    return Round(posted - changed, posted - polled, (polled - changed) - due_in)


def spread_line(name: str, values: list[float]) -> str:
    """One measure: median, quartiles and range."""
    quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return (
        f"{name:<22} median {statistics.median(values):6.3f} s   "
        f"p25 {quartiles[0]:6.3f} s   p75 {quartiles[2]:6.3f} s   "
        f"min {min(values):6.3f} s   max {max(values):6.3f} s"
    )


async def run(args: argparse.Namespace) -> list[Round]:
    telegram = FakeTelegram()
    await telegram.start()
    telegram.add_chat(CHANNEL, "channel", title="أخبار")
    server = await FeedServer().start()
    rng = random.Random(SEED)
    rounds: list[Round] = []
    with tempfile.TemporaryDirectory() as folder:
        settings = make_settings(
            bot_token=telegram.token,
            telegram_api_base_url=telegram.base_url,
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'latency.db'}",
            parse_workers=0,
            allow_private_feeds=True,
        )
        try:
            await operator(settings, "channel", "add", str(CHANNEL), "--category", CATEGORY)
            async with running_bot(settings) as application:
                bodies = await _prepare(application, server, args.feeds, args.interval)
                for number in range(1, args.rounds + 1):
                    rounds.append(
                        await _round(
                            application, telegram, server, bodies, rng, number, args.interval
                        )
                    )
        finally:
            await server.stop()
            await telegram.stop()
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--interval", type=int, default=6, help="each feed's poll interval, s")
    parser.add_argument("--feeds", type=int, default=4)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rounds = asyncio.run(run(args))
    print(f"{len(rounds)} rounds, {args.feeds} feeds polled every {args.interval} s, no tick")
    print(spread_line("change → post", [r.change_to_post for r in rounds]))
    print(spread_line("poll → post", [r.poll_to_post for r in rounds]))
    print(spread_line("poll late by", [r.late for r in rounds]))
    worst = max(r.change_to_post for r in rounds) - args.interval
    print(f"worst change → post beyond the interval: {worst:.2f} s (target ≤ 2 s)")


if __name__ == "__main__":
    main()

"""Fan-out benchmark: one article to 10,000 subscribers through the fake Telegram server.

    python -m bench.fanout [--subscribers 10000] [--window 1500]

The fake server (bench/telegram_server.py) runs in its own process and enforces Telegram's
limits: 30 messages/s overall (1000/s with allow_paid_broadcast), 1 message/s per private
chat, 429 with retry_after beyond them. Four phases, each on the same subscribers:

1. Nashra at 30/s: the first `--window` deliveries of the fan-out (the rate is steady, and
   all 10,000 would take 5.5 minutes): achieved rate as a fraction of 30/s, and 429s.
2. Nashra at 1000/s (PAID_BROADCAST): all deliveries; rate, 429s, and CPU time of this
   process per delivered message (sender, outbox leases, outcome recording, SQLite).
3. and 4. Baseline, in the same run: python-telegram-bot's AIORateLimiter with asyncio.gather
   over the same sends (same text, same button), at 30/s over the same window, and at 1000/s
   over `--baseline-sends` (2,000): with all 10,000 sends gathered at once the baseline made
   no progress in six minutes here (the process spinning at full CPU, no request reaching the
   server), so it is measured on fewer, and given `--baseline-timeout` seconds at most.

Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.delivery.botapi import BotApiPublisher
from bot.delivery.pacing import Limits
from bot.delivery.planner import NewArticle, plan_deliveries
from bot.delivery.sender import Sender, SenderSettings
from bot.news.formatter import PostStyle, format_post, post_source
from storage import catalog
from storage.articles import articles_by_ids
from storage.db import make_engine, make_sessions, upgrade
from storage.dialect import insert_ignore
from storage.feeds import add_feed
from storage.models import Chat, ChatKind, Delivery, DeliveryStatus
from tests.factories import article_row, store_articles

FIRST_USER = 1_000_000
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Phase:
    name: str
    rate: float
    delivered: int
    span: float
    too_many: int
    errors: int
    cpu: float

    @property
    def achieved(self) -> float:
        return (self.delivered - 1) / self.span if self.span > 0 else 0.0

    @property
    def fraction(self) -> float:
        return self.achieved / self.rate

    @property
    def cpu_ms_per_message(self) -> float:
        return 1000 * self.cpu / max(self.delivered, 1)


class Server:
    """The fake Telegram server process."""

    def __init__(self, users: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.telegram_server", "--users", str(users),
             "--first-user", str(FIRST_USER)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        info = json.loads(self._read())
        self.base_url: str = info["base_url"]
        self.token: str = info["token"]

    def _read(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline()

    def command(self, word: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(word + "\n")
        self.process.stdin.flush()
        return dict(json.loads(self._read()))

    def command_quit(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


Sessions = async_sessionmaker[AsyncSession]


async def prepare(database_url: str, subscribers: int) -> tuple[AsyncEngine, Sessions, float]:
    """A database with the subscribers and one planned article; and the planning time."""
    engine = make_engine(database_url)
    await upgrade(engine)
    sessions = make_sessions(engine)
    now = datetime.now(UTC)
    readers = range(FIRST_USER, FIRST_USER + subscribers)
    async with sessions.begin() as session:
        [politics] = await catalog.ensure_categories(session, ["سياسة"])
        await session.execute(
            insert_ignore(session, Chat),
            [{"id": r, "kind": ChatKind.PRIVATE, "active": True, "created_at": now}
             for r in readers],
        )  # fmt: skip
        await catalog.subscribe_many(session, readers, politics)
        feed = await add_feed(session, "https://www.enabbaladi.net/feed/", now=now)
        row = article_row(
            feed.id, "k", when=now,
            title="انسحاب كامل لقوات قسد من حيي الأشرفية والشيخ مقصود في حلب",
            link="https://www.enabbaladi.net/archives/1",
            text="أعلنت قوات سوريا الديمقراطية انسحاب مقاتليها. " * 20,
            summary="أعلنت قوات سوريا الديمقراطية انسحاب مقاتليها من الحيين بعد اشتباكات.",
        )  # fmt: skip
        [article_id] = await store_articles(session, [row], [politics])
    started = time.perf_counter()
    async with sessions.begin() as session:
        await plan_deliveries(session, [NewArticle(article_id, [politics.id], "")], now)
    return engine, sessions, time.perf_counter() - started


async def sent_count(sessions: Sessions) -> int:
    async with sessions() as session:
        query = select(func.count()).where(Delivery.status == DeliveryStatus.SENT)
        return int(await session.scalar(query) or 0)


async def nashra_phase(
    server: Server, name: str, rate: float, subscribers: int, stop_after: int
) -> tuple[Phase, float]:
    with tempfile.TemporaryDirectory() as folder:
        engine, sessions, planning = await prepare(
            f"sqlite+aiosqlite:///{folder}/fanout.db", subscribers
        )
        server.command("reset")
        publisher = BotApiPublisher(server.base_url, server.token, paid_broadcast=rate > 30)
        lease = timedelta(seconds=60)
        sender = Sender(
            sessions, publisher, PostStyle(),
            limits=Limits(global_per_second=rate),
            settings=SenderSettings.for_rate(rate, lease),
        )  # fmt: skip
        cpu_before = cpu_seconds()
        task = asyncio.create_task(sender.run())
        # Polling the outbox is the measurement itself, not a stand-in for an event.
        while await sent_count(sessions) < stop_after:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        cpu = cpu_seconds() - cpu_before
        await publisher.close()
        await engine.dispose()
    stats = server.command("stats")
    return Phase(
        name, rate, stats["delivered"], stats["first_to_last_seconds"], stats["429"],
        stats["other_errors"], cpu,
    ), planning  # fmt: skip


async def baseline_phase(server: Server, name: str, rate: float, count: int) -> Phase:
    """AIORateLimiter + asyncio.gather over the same sends, as many bots do it."""
    with tempfile.TemporaryDirectory() as folder:
        engine, sessions, _ = await prepare(f"sqlite+aiosqlite:///{folder}/post.db", 1)
        async with sessions() as session:
            [article] = (await articles_by_ids(session, [1])).values()
        post = format_post(post_source(article), PostStyle())
        await engine.dispose()
    server.command("reset")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(post.button_text, url=post.button_url)]])
    bot = ExtBot(
        server.token,
        base_url=f"{server.base_url}/bot",
        rate_limiter=AIORateLimiter(overall_max_rate=rate, overall_time_period=1),
        request=HTTPXRequest(connection_pool_size=256),
    )
    paid = {"allow_paid_broadcast": True} if rate > 30 else {}
    cpu_before = cpu_seconds()
    async with bot:
        results = await asyncio.gather(
            *(
                bot.send_message(
                    chat, post.text, parse_mode=ParseMode.HTML, reply_markup=markup, **paid
                )
                for chat in range(FIRST_USER, FIRST_USER + count)
            ),
            return_exceptions=True,
        )
    cpu = cpu_seconds() - cpu_before
    failures = [r for r in results if isinstance(r, TelegramError)]
    stats = server.command("stats")
    phase = Phase(
        name, rate, stats["delivered"], stats["first_to_last_seconds"], stats["429"],
        stats["other_errors"], cpu,
    )  # fmt: skip
    if failures:
        print(f"  {name}: {len(failures)} sends raised (lost without a retry)", file=sys.stderr)
    return phase


def report(phases: list[Phase], planning: float, args: argparse.Namespace) -> None:
    print(f"\nFan-out of one article to {args.subscribers:,} subscribers "
          f"(Python {platform.python_version()}, {os.cpu_count()} cores, SQLite)")  # fmt: skip
    print(f"planning {args.subscribers:,} deliveries: {planning:.2f} s\n")
    print("| phase | configured | delivered | achieved rate | fraction | 429s | CPU per message |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for p in phases:
        print(
            f"| {p.name} | {p.rate:g}/s | {p.delivered:,} | {p.achieved:.1f}/s | "
            f"{p.fraction:.3f} | {p.too_many} | {p.cpu_ms_per_message:.2f} ms |"
        )


async def run(args: argparse.Namespace) -> None:
    server = Server(args.subscribers)
    try:
        phases: list[Phase] = []
        slow, planning = await nashra_phase(
            server, "Nashra sender", 30, args.subscribers, args.window
        )
        phases.append(slow)
        print(f"  done: {slow}", file=sys.stderr)
        fast, _ = await nashra_phase(
            server, "Nashra sender (paid)", args.fast_rate, args.subscribers, args.subscribers
        )
        phases.append(fast)
        print(f"  done: {fast}", file=sys.stderr)
        phases.append(await baseline_phase(server, "AIORateLimiter + gather", 30, args.window))
        print("  done: baseline at 30/s", file=sys.stderr)
        try:
            paid = baseline_phase(
                server, "AIORateLimiter + gather (paid)", args.fast_rate, args.baseline_sends
            )
            phases.append(await asyncio.wait_for(paid, args.baseline_timeout))
        except TimeoutError:
            print(f"  baseline at {args.fast_rate:g}/s did not finish in "
                  f"{args.baseline_timeout:g} s", file=sys.stderr)  # fmt: skip
        report(phases, planning, args)
    finally:
        server.command_quit()
        server.process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--window", type=int, default=1500, help="deliveries measured at 30/s")
    parser.add_argument("--fast-rate", type=float, default=1000)
    parser.add_argument("--baseline-sends", type=int, default=2000)
    parser.add_argument("--baseline-timeout", type=float, default=180)
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # The baseline's lost sends are counted in the report; their tracebacks are noise.
    logging.getLogger("telegram").setLevel(logging.CRITICAL)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()

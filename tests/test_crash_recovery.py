"""kill -9 in the middle of a fan-out: after a restart everyone has the article, and the only
duplicates are the messages that were in flight (sent, but not yet recorded) at the kill."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.delivery.planner import NewArticle, plan_deliveries
from storage import catalog
from storage.db import make_engine, make_sessions, upgrade
from storage.feeds import add_feed
from storage.models import ChatKind, Delivery, DeliveryStatus
from tests.factories import article_row, store_articles
from tests.fakes.telegram import FakeTelegram
from tests.support import REPO

READERS = list(range(10_001, 10_301))  # 300 readers: ten seconds at 30 messages a second


async def prepare(database_url: str) -> None:
    """300 readers of سياسة and one political article planned for them."""
    engine = make_engine(database_url)
    await upgrade(engine)
    now = datetime.now(UTC)
    async with make_sessions(engine).begin() as session:
        [politics] = await catalog.ensure_categories(session, ["سياسة"])
        for reader in READERS:
            await catalog.upsert_chat(session, reader, ChatKind.PRIVATE)
        await catalog.subscribe_many(session, READERS, politics)
        feed = await add_feed(session, "https://x.sy/feed", now=now)
        row = article_row(
            feed.id, "k", when=now, title="انسحاب القوات من حلب", text="نص.", link="https://x.sy/1"
        )
        [article_id] = await store_articles(session, [row], [politics])
        await plan_deliveries(session, [NewArticle(article_id, [politics.id], "")], now)
    await engine.dispose()


async def recorded_sent(database_url: str) -> int:
    engine = make_engine(database_url)
    async with make_sessions(engine)() as session:
        query = select(func.count()).where(Delivery.status == DeliveryStatus.SENT)
        count = int(await session.scalar(query) or 0)
    await engine.dispose()
    return count


async def start_bot(
    telegram: FakeTelegram, database_url: str, cwd: Path
) -> asyncio.subprocess.Process:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}},
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "DATABASE_URL": database_url,
        # Short leases, so that the rows the killed process held come back soon; a send may
        # then take 1 s, and the last 6 s of a lease start no sends.
        "SENDER_LEASE_SECONDS": "8",
        "SEND_TIMEOUT_SECONDS": "1",
        "PARSE_WORKERS": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=cwd, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def delivered(telegram: FakeTelegram) -> int:
    return sum(len(telegram.sent(reader)) for reader in READERS)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
async def test_a_stop_mid_fan_out_loses_nothing(
    telegram: FakeTelegram, tmp_path: Path, stop: signal.Signals
) -> None:
    for reader in READERS:
        telegram.add_user(reader, f"قارئ {reader}")
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    await prepare(database_url)

    bot = await start_bot(telegram, database_url, tmp_path)
    try:
        await telegram.wait_for(lambda: delivered(telegram) >= 100, timeout=30)
    finally:
        bot.send_signal(stop)
        await bot.wait()
    at_kill = delivered(telegram)
    in_flight = at_kill - await recorded_sent(database_url)
    assert 100 <= at_kill < len(READERS)
    if stop is signal.SIGTERM:
        assert in_flight == 0  # a graceful stop finishes and records what it sent

    bot = await start_bot(telegram, database_url, tmp_path)
    try:
        await telegram.wait_for(
            lambda: all(telegram.sent(reader) for reader in READERS), timeout=60
        )
        await asyncio.sleep(0.5)  # let the last outcomes be recorded
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()

    counts = [len(telegram.sent(reader)) for reader in READERS]
    duplicates = sum(counts) - len(READERS)
    print(f"delivered at the kill {at_kill}, in flight {in_flight}, duplicates {duplicates}")
    assert min(counts) == 1  # every reader has the article
    assert duplicates <= in_flight  # only what was in flight at the kill was sent twice
    assert await recorded_sent(database_url) == len(READERS)

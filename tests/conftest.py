"""Shared fixtures: databases (real SQLite and real PostgreSQL), the feed server, settings."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery.botapi import BotApiPublisher
from storage.db import make_engine, make_sessions, upgrade
from tests.fakes.feeds import FeedServer
from tests.fakes.telegram import FakeTelegram

# Opt in to python-telegram-bot's timedelta durations (retry_after), as `nashra` does.
os.environ.setdefault("PTB_TIMEDELTA", "true")

POSTGRES_URL = os.environ.get(
    "DATABASE_URL_TEST", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
_postgres_down: str | None = None


async def _postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers."""
    global _postgres_down
    if _postgres_down is None:
        engine = make_engine(POSTGRES_URL)
        try:
            async with asyncio.timeout(5), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            _postgres_down = ""
        except Exception as exc:
            _postgres_down = f"PostgreSQL at {POSTGRES_URL} does not answer: {exc}"
        finally:
            await engine.dispose()
    return _postgres_down or None


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'nashra.db'}"
    problem = await _postgres_problem()
    if problem:
        print(problem)
        pytest.skip(problem)
    engine = make_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return POSTGRES_URL


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessions(engine)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = await FeedServer().start()
    yield server
    await server.stop()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram Bot API server that python-telegram-bot talks to over HTTP."""
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def publisher(telegram: FakeTelegram) -> AsyncIterator[BotApiPublisher]:
    """The outbox's Bot API client, pointed at the fake server."""
    client = BotApiPublisher(telegram.base_url, telegram.token)
    yield client
    await client.close()

"""Shared fixtures: databases (real SQLite and real PostgreSQL), the feed server, settings."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import URL, make_url, text
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
# Each test run works in its own database, made from POSTGRES_URL's server at the first
# PostgreSQL test and dropped when the run ends: two runs at once (a developer's and CI's)
# cannot drop each other's tables.
_run_url: URL | None = None
_RUN_SUFFIX = "_run"


def _database_of_run(pid: int) -> str:
    return f"{make_url(POSTGRES_URL).database}{_RUN_SUFFIX}{pid}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _make_run_database() -> URL:
    """This run's database, new and empty; those of runs that died are dropped."""
    engine = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    stem = f"{make_url(POSTGRES_URL).database}{_RUN_SUFFIX}"
    try:
        async with asyncio.timeout(10), engine.connect() as connection:
            names = await connection.scalars(
                text("SELECT datname FROM pg_database WHERE starts_with(datname, :stem)"),
                {"stem": stem},
            )
            for name in names.all():
                pid = name.removeprefix(stem)
                if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
                    await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            await connection.execute(text(f'CREATE DATABASE "{_database_of_run(os.getpid())}"'))
    finally:
        await engine.dispose()
    return make_url(POSTGRES_URL).set(database=_database_of_run(os.getpid()))


async def _drop_run_database() -> None:
    engine = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            name = _database_of_run(os.getpid())
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _run_url is not None:
        asyncio.run(_drop_run_database())


async def _postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers (and this run's database is
    made)."""
    global _postgres_down, _run_url
    if _postgres_down is None:
        try:
            _run_url = await _make_run_database()
            _postgres_down = ""
        except Exception as exc:
            _postgres_down = f"PostgreSQL at {POSTGRES_URL} does not answer: {exc}"
    return _postgres_down or None


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'nashra.db'}"
    return await _fresh_postgres()


@pytest.fixture
async def postgres_url() -> str:
    """A fresh, empty PostgreSQL database: for what only PostgreSQL does (several
    processes on one database)."""
    return await _fresh_postgres()


async def _fresh_postgres() -> str:
    problem = await _postgres_problem()
    if problem:
        print(problem)
        pytest.skip(problem)
    assert _run_url is not None
    url = _run_url.render_as_string(hide_password=False)
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return url


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

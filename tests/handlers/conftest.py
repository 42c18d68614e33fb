"""The running bot for conversation tests: on SQLite, or on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.context import NashraApp
from tests.fakes.telegram import FakeTelegram, ManualClock
from tests.handlers.conversation import conversation_bot
from tests.support import FrozenClock


@pytest.fixture
def notice_clock() -> ManualClock:
    """The admin notices' clock: it moves only when a test moves it."""
    return ManualClock()


@pytest.fixture
def wall_clock() -> FrozenClock:
    """The time of day searches date their results by: frozen when the test starts, so
    "منذ ساعتين" stays two hours however long the run takes."""
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
async def app(
    telegram: FakeTelegram, tmp_path: Path, notice_clock: ManualClock, wall_clock: FrozenClock
) -> AsyncIterator[NashraApp]:
    """The bot on SQLite."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'readers.db'}"
    async with conversation_bot(
        telegram, url, clock=notice_clock, wall_clock=wall_clock
    ) as application:
        yield application


@pytest.fixture
async def app_on_both(
    telegram: FakeTelegram, database_url: str, notice_clock: ManualClock, wall_clock: FrozenClock
) -> AsyncIterator[NashraApp]:
    """The bot on SQLite and on PostgreSQL, where column lengths are enforced."""
    async with conversation_bot(
        telegram, database_url, clock=notice_clock, wall_clock=wall_clock
    ) as application:
        yield application


Console = Callable[..., AbstractAsyncContextManager[NashraApp]]


@pytest.fixture
def console(telegram: FakeTelegram, database_url: str) -> Console:
    """The bot with an owner, on both databases, with settings a test may change; the
    background poll is off, so that only the test's polls (and the operators') happen."""

    @asynccontextmanager
    async def start(
        *, wall_clock: FrozenClock | None = None, **values: Any
    ) -> AsyncIterator[NashraApp]:
        """`wall_clock`: the services' time of day (default the real one)."""
        options = {} if wall_clock is None else {"wall_clock": wall_clock}
        async with conversation_bot(
            telegram, database_url, settings=values, background_poll=False, **options
        ) as application:
            yield application

    return start

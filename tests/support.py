"""Helpers for tests: settings from explicit values, the shared corpus, a running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.__main__ import parser
from bot.app import build_application
from bot.config import Settings, load_settings
from bot.context import NashraApp

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FEEDS = SHARED / "feeds"
SEED = SHARED / "seed"
# The sections a fresh install starts with (migration 0007), as the issue names them.
STANDARD_CATEGORIES = [
    "سياسة", "سوريا محلي", "عربي ودولي", "اقتصاد", "رياضة", "ثقافة وفن", "علوم وتكنولوجيا",
    "صحة", "منوعات",
]  # fmt: skip


def corpus_dir() -> Path:
    if not FEEDS.is_dir():
        pytest.skip(f"the shared feed corpus is not at {FEEDS} (put ../shared beside the repo)")
    return FEEDS


def seed_dir() -> Path:
    if not SEED.is_dir():
        pytest.skip(f"the shared seed pages are not at {SEED} (put ../shared beside the repo)")
    return SEED


def make_settings(**values: Any) -> Settings:
    """Settings from explicit values, never from a developer's .env file.

    Private feed addresses are allowed: the tests' feed servers listen on loopback. No article
    page is fetched unless a test asks (PAGES_PER_POLL): the tests' entries link to made-up
    sites, and no test reaches the internet.
    """
    values.setdefault("allow_private_feeds", True)
    values.setdefault("pages_per_poll", 0)
    return load_settings(_env_file=None, **values)


@asynccontextmanager
async def running_bot(settings: Settings, **options: Any) -> AsyncIterator[NashraApp]:
    """Start the bot as `nashra run` does (post_init, long polling), and stop it cleanly;
    `options` go to build_application (e.g. the admin notices' clock)."""
    application = build_application(settings, **options)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def operator(settings: Settings, *argv: str) -> int:
    """Run `nashra ARGV…` as an operator types it; its exit status."""
    return await cli.dispatch(settings, parser().parse_args(list(argv)))


needs_corpus = pytest.mark.skipif(
    not FEEDS.is_dir(),
    reason=f"the shared feed corpus is not at {FEEDS} (put ../shared beside the repo)",
)


class FrozenClock:
    """A clock for the code under test that moves only when the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

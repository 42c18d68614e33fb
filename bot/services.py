"""The application's long-lived services, created at start-up and closed at shutdown.

Handlers reach them through `NashraContext.services`, never through `bot_data` keys.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.delivery.botapi import BotApiPublisher
from bot.delivery.pacing import Limits
from bot.delivery.sender import Sender, SenderSettings
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poller import Poller, PollSettings
from bot.feeds.workers import ParserPool
from bot.news.formatter import PostStyle
from storage.db import make_engine, make_sessions


def post_style(settings: Settings) -> PostStyle:
    return PostStyle(
        locale=settings.locale,
        digits=settings.digits,
        timezone=settings.zone,
        summary_max_chars=settings.summary_max_chars,
    )


def fetch_limits(settings: Settings) -> FetchLimits:
    return FetchLimits(
        timeout_seconds=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        concurrency=settings.fetch_concurrency,
        per_host=settings.fetch_per_host,
        allow_private=settings.allow_private_feeds,
    )


def poll_settings(settings: Settings) -> PollSettings:
    return PollSettings(
        interval=timedelta(seconds=settings.poll_interval_seconds),
        max_failures=settings.max_feed_failures,
        max_internal_failures=settings.max_internal_failures,
        max_posts=settings.max_posts_per_poll,
        max_entry_age=timedelta(hours=settings.max_entry_age_hours),
        summary_chars=settings.summary_max_chars,
    )


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    fetcher: Fetcher
    parsers: ParserPool
    poller: Poller
    style: PostStyle
    publisher: BotApiPublisher | None = field(default=None)
    sender: Sender | None = field(default=None)
    sender_task: asyncio.Task[None] | None = field(default=None)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        engine = make_engine(settings.database_url)
        sessions = make_sessions(engine)
        fetcher = Fetcher(fetch_limits(settings))
        parsers = ParserPool(settings.parse_workers)
        poller = Poller(sessions, fetcher, parsers, poll_settings(settings))
        return cls(settings, engine, sessions, fetcher, parsers, poller, post_style(settings))

    def limits(self) -> Limits:
        return Limits(global_per_second=self.settings.global_rate_per_second)

    def sender_settings(self) -> SenderSettings:
        lease = timedelta(seconds=self.settings.sender_lease_seconds)
        return SenderSettings.for_rate(self.settings.global_rate_per_second, lease)

    async def close(self) -> None:
        if self.sender_task is not None:
            self.sender_task.cancel()
            await asyncio.gather(self.sender_task, return_exceptions=True)
        await self.fetcher.close()
        if self.publisher is not None:
            await self.publisher.close()
        self.parsers.close()
        await self.engine.dispose()


class BotData:
    """`application.bot_data`: holds the services once start-up has built them."""

    services: Services | None = None


class NashraContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Callback context with typed access to the services."""

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are used before start-up finished")
        return services


NashraApp = Application[ExtBot[None], NashraContext, dict[Any, Any], dict[Any, Any], BotData, Any]

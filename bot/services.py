"""The application's long-lived services, created at start-up and closed at shutdown.

Handlers reach them through `NashraContext.services`, never through `bot_data` keys.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.delivery.botapi import BotApiPublisher
from bot.delivery.pacing import Limits
from bot.delivery.retention import prune_outbox
from bot.delivery.sender import Sender, SenderSettings
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poller import Poller, PollSettings
from bot.feeds.workers import ParserPool
from bot.news.formatter import PostStyle
from storage.db import make_engine, make_sessions
from storage.models import utcnow

logger = logging.getLogger(__name__)


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
    )


def poll_settings(settings: Settings) -> PollSettings:
    return PollSettings(
        interval=timedelta(seconds=settings.poll_interval_seconds),
        max_failures=settings.max_feed_failures,
        summary_chars=settings.summary_max_chars,
    )


def delivery_limits(settings: Settings) -> Limits:
    return Limits(
        global_per_second=settings.global_rate_per_second, chat_margin=settings.pacing_margin
    )


@dataclass(frozen=True)
class ChannelLostNotice:
    """Tells every operator (ADMIN_IDS), once, that a channel or group stopped taking posts:
    the sender's `ChannelLost`."""

    send: Callable[[int, str], Awaitable[object]]  # (admin id, plain text)
    admin_ids: Sequence[int]
    describe: Callable[[int, str | None, str], str]  # (chat id, title, reason) → the notice

    async def __call__(self, chat_id: int, title: str | None, reason: str) -> None:
        message = self.describe(chat_id, title, reason)
        for admin_id in self.admin_ids:
            try:
                await self.send(admin_id, message)
            except Exception:
                logger.warning("could not tell admin %s that chat %s went away", admin_id, chat_id)


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
        return delivery_limits(self.settings)

    async def prune_outbox(self) -> int:
        """Delete sent and failed deliveries older than OUTBOX_RETENTION_DAYS."""
        keep = timedelta(days=self.settings.outbox_retention_days)
        return await prune_outbox(self.sessions, utcnow(), keep)

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

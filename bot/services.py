"""The application's long-lived services: started once, closed once.

`Services.start` builds everything the bot runs on (database, fetcher, parsers, poller,
publisher, sender and its task, admin notices, the command menus and the admins); `close`
stops them in reverse. Handlers see them through `bot.context.HandlerServices`, never through
this module.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot

from bot.admins import AdminService
from bot.broadcasts import BroadcastService
from bot.categories import CategoryService
from bot.channels import ChannelService
from bot.config import Settings
from bot.delivery.botapi import BotApiPublisher
from bot.delivery.pacing import Limits, Pacer
from bot.delivery.retention import prune_outbox
from bot.delivery.sender import Sender, SenderSettings
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.pages import PageReader, PageSettings
from bot.feeds.poller import Poller, PollSettings, TickReport
from bot.feeds.schedule import PollSchedule
from bot.feeds.workers import ParserPool, parse_function
from bot.menus import CommandMenus
from bot.metrics import Metrics
from bot.news.formatter import PostStyle
from bot.notices import AdminNotices
from bot.roles import Roles, share_of_rate
from bot.search import SearchService, SearchSettings
from bot.sources import SourceService
from bot.stats import StatsService
from bot.websub import WebSub, WebSubSettings
from storage.db import make_engine, make_sessions, upgrade
from storage.models import utcnow

SENDER_TASK = "nashra-sender"


def post_style(settings: Settings, *, inline_mode: bool = False) -> PostStyle:
    return PostStyle(
        locale=settings.locale,
        digits=settings.digits,
        timezone=settings.zone,
        summary_max_chars=settings.summary_max_chars,
        inline_mode=inline_mode,
    )


async def supports_inline_queries(bot: Bot) -> bool:
    """getMe's supports_inline_queries (inline mode on in @BotFather); unknown is off."""
    await bot.initialize()  # no request when the application has already initialised it
    return bool(bot.bot.supports_inline_queries)


def fetch_limits(settings: Settings) -> FetchLimits:
    return FetchLimits(
        timeout_seconds=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        concurrency=settings.fetch_concurrency,
        per_host=settings.fetch_per_host,
        allow_private=settings.allow_private_feeds,
    )


def page_settings(settings: Settings) -> PageSettings:
    return PageSettings(
        min_chars=settings.fulltext_min_chars,
        per_poll=settings.pages_per_poll,
        timeout_seconds=settings.page_timeout_seconds,
        concurrency=settings.page_concurrency,
        max_bytes=settings.page_max_bytes,
    )


def poll_settings(settings: Settings) -> PollSettings:
    return PollSettings(
        interval=timedelta(seconds=settings.poll_interval_seconds),
        max_failures=settings.max_feed_failures,
        max_internal_failures=settings.max_internal_failures,
        max_posts=settings.max_posts_per_poll,
        max_entry_age=timedelta(hours=settings.max_entry_age_hours),
        summary_chars=settings.summary_max_chars,
        pushed_interval=timedelta(seconds=settings.websub_poll_seconds),
        websub=websub_settings(settings).callback is not None,
    )


def websub_settings(settings: Settings) -> WebSubSettings:
    """WebSub's settings: without a public URL (or an HTTP server), no callback at all."""
    served = settings.http_port is not None
    return WebSubSettings(
        settings.websub_callback if served else None,
        lease_seconds=settings.websub_lease_seconds,
        max_bytes=settings.websub_max_bytes,
        http_hubs=settings.allow_private_feeds,
    )


def search_settings(settings: Settings) -> SearchSettings:
    return SearchSettings(
        timeout=settings.search_timeout_seconds,
        recent_matches=settings.search_recent_matches,
        stopword_share=settings.search_stopword_share,
        prefix_completions=settings.search_prefix_completions,
    )


def delivery_limits(settings: Settings) -> Limits:
    return Limits(
        global_per_second=settings.global_rate_per_second, chat_margin=settings.pacing_margin
    )


def sender_settings(settings: Settings) -> SenderSettings:
    lease = timedelta(seconds=settings.sender_lease_seconds)
    return SenderSettings.for_rate(
        settings.global_rate_per_second, lease, settings.send_timeout_seconds
    )


async def elect(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    bot: Bot,
    sender: Sender,
    clock: Callable[[], datetime],
    metrics: Metrics | None = None,
) -> Roles:
    """Start the election and the heartbeat: the sender sends only while this process is
    elected, and the pacer keeps this process's share of the token's rate."""
    roles = Roles(
        engine,
        sessions,
        bot_id=int(bot.token.partition(":")[0]),
        heartbeat_seconds=settings.heartbeat_seconds,
        clock=clock,
        settle=sender.stand_down,
    )

    def pace(_live: int | None = None) -> None:
        if metrics is not None:
            metrics.set_sender(roles.is_sender)
            metrics.set_processes(roles.live)
        sender.pacer.set_rate(
            share_of_rate(
                sender=roles.is_sender,
                live=roles.live,
                rate=settings.global_rate_per_second,
                headroom=settings.reply_headroom_per_second,
            )
        )

    async def changed(is_sender: bool) -> None:
        pace()
        if is_sender:
            sender.resume()
        else:
            sender.pause()

    sender.pause()  # until elected (at once on SQLite)
    roles.on_change(changed)
    roles.on_live(pace)
    await roles.start()
    return roles


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    fetcher: Fetcher
    parsers: ParserPool
    poller: Poller
    # When the poller runs: when the next feed is due (issue 11: no tick).
    schedule: PollSchedule
    style: PostStyle
    publisher: BotApiPublisher
    sender: Sender
    sender_task: asyncio.Task[None]
    notices: AdminNotices
    search: SearchService
    menus: CommandMenus
    admins: AdminService
    categories: CategoryService
    channels: ChannelService
    sources: SourceService
    # The operators' console: broadcasts, /stats, /preview (issue 8, operations).
    broadcasts: BroadcastService
    stats: StatsService
    # This process among those on the database: the sender, or one that polls (issue 10).
    roles: Roles
    # The process's instruments (bot/metrics.py), which /metrics serves.
    metrics: Metrics
    wall_clock: Callable[[], datetime] = utcnow
    # Feeds pushed by their hub (issue 12); not enabled without a public URL.
    websub: WebSub = field(kw_only=True)
    _background: set[asyncio.Task[object]] = field(default_factory=set)

    def now(self) -> datetime:
        """The time of day, aware UTC: what "منذ ساعتين" counts from."""
        return self.wall_clock()

    @classmethod
    async def start(
        cls,
        settings: Settings,
        bot: Bot,
        *,
        pacer: Pacer | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utcnow,
        metrics: Metrics | None = None,
    ) -> Services:
        """Migrate the database, build every service and start the sender.

        `pacer` is the token's one pacer, shared with the handlers' replies (the
        application's rate limiter); `clock` is the admin notices' and `wall_clock` the
        searches' time of day (a test moves or freezes them); `metrics` is the process's
        one set of instruments, passed to the poller, the publisher and the sender (without
        one, the services count into a set of their own that nothing serves)."""
        metrics = metrics or Metrics()
        # Read once: after /setinline in @BotFather, restart the bot for posts to share.
        inline_mode = await supports_inline_queries(bot)
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
        except BaseException:
            await engine.dispose()
            raise
        sessions = make_sessions(engine)
        fetcher = Fetcher(fetch_limits(settings))
        # One for the process: the poller's polls and the previews share its bounds.
        pages = PageReader(fetcher, page_settings(settings))
        parsers = ParserPool(settings.parse_workers, parse=parse_function(settings.fast_parse))
        style = post_style(settings, inline_mode=inline_mode)
        publisher = BotApiPublisher(
            settings.telegram_api_base_url,
            bot.token,
            paid_broadcast=settings.paid_broadcast,
            timeout_seconds=settings.send_timeout_seconds,
            metrics=metrics,
        )
        menus = CommandMenus(bot)
        admins = AdminService(sessions, settings.admin_ids, menus, clock=wall_clock)
        notices = AdminNotices(
            bot, settings.admin_ids, clock=clock, stored_admins=admins.stored_ids
        )
        sender = Sender(
            sessions,
            publisher,
            style,
            limits=delivery_limits(settings),
            settings=sender_settings(settings),
            pacer=pacer,
            channel_lost=notices.channel_lost,
            metrics=metrics,
        )
        poller = Poller(
            sessions, fetcher, parsers, poll_settings(settings), pages=pages, metrics=metrics
        )
        await poller.stories.load(sessions, wall_clock())
        schedule = PollSchedule(poller.next_due, poller.clock)
        poller.on_reschedule(schedule.changed)
        # The operators' sources: their checks go through the poller's fetcher and parsers.
        sources = SourceService(
            sessions,
            fetcher,
            parsers,
            poller,
            style,
            pages=pages,
            summary_chars=settings.summary_max_chars,
            wake=sender.wake,
            clock=wall_clock,
        )
        broadcasts = BroadcastService(sessions, wake=sender.wake, clock=wall_clock)
        roles = await elect(settings, engine, sessions, bot, sender, wall_clock, metrics)
        websub = WebSub(
            sessions, fetcher, poller, websub_settings(settings), wake=sender.wake, metrics=metrics
        )
        services = cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            fetcher=fetcher,
            parsers=parsers,
            poller=poller,
            schedule=schedule,
            style=style,
            publisher=publisher,
            sender=sender,
            # A plain task, not application.create_task: the application is not running yet
            # during post_init. close() cancels and awaits it.
            sender_task=asyncio.create_task(sender.run(), name=SENDER_TASK),
            notices=notices,
            search=SearchService(sessions, search_settings(settings), clock=wall_clock),
            menus=menus,
            admins=admins,
            categories=CategoryService(sessions, clock=wall_clock),
            channels=ChannelService(
                sessions, bot, clock=wall_clock, summary_chars=settings.summary_max_chars
            ),
            sources=sources,
            broadcasts=broadcasts,
            stats=StatsService(sessions, sources, broadcasts, settings.zone, clock=wall_clock),
            roles=roles,
            metrics=metrics,
            wall_clock=wall_clock,
            websub=websub,
        )
        sources.left = services.renew_soon
        return services

    async def poll(self) -> TickReport:
        """One poll of the due feeds: wake the sender for what was planned, and tell the
        admins of every feed that was disabled."""
        report = await self.poller.tick()
        # Sends, or edits that name another outlet (a story told again, or carried by a feed
        # of another outlet's).
        if report.planned or report.same_story or report.shared:
            self.sender.wake()
        for outcome in report.disabled:
            await self.notices.feed_disabled(
                outcome.url,
                outcome.failures,
                outcome.error,
                internal=outcome.internal,
                feed_id=outcome.feed_id,
            )
        if self.websub.enabled and any(outcome.hub for outcome in report.outcomes):
            # Off the poll: a slow hub never holds the next one.
            self._in_background(self.websub.discovered(report.outcomes))
        return report

    async def renew_subscriptions(self) -> int:
        """One WebSub renewal round (the job's): renew, retry, unsubscribe what is due."""
        return await self.websub.renew()

    def renew_soon(self) -> None:
        """A renewal round now, off the caller (a pushed feed was removed: unsubscribe)."""
        if self.websub.enabled:
            self._in_background(self.websub.renew())

    async def settled(self) -> None:
        """Until the work started off the polls (subscribing, renewing) has ended."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    def _in_background(self, work: Coroutine[object, object, object]) -> None:
        task: asyncio.Task[object] = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def start_polling(self) -> None:
        """Poll whenever a feed is due (bot/feeds/schedule.py), until `close`."""

        async def poll() -> int:
            return len((await self.poll()).outcomes)

        self.schedule.start(poll)

    async def prune_outbox(self) -> int:
        """Delete sent and failed deliveries older than OUTBOX_RETENTION_DAYS."""
        keep = timedelta(days=self.settings.outbox_retention_days)
        return await prune_outbox(self.sessions, utcnow(), keep)

    async def close(self) -> None:
        await self.schedule.stop()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        # The sends in flight settle, then the lock goes (another process takes over).
        await self.roles.close()
        self.sender_task.cancel()
        await asyncio.gather(self.sender_task, return_exceptions=True)
        await self.fetcher.close()
        await self.publisher.close()
        self.parsers.close()
        await self.engine.dispose()

"""The composition root: the only place that builds the Application."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.config import Settings
from bot.context import BotData, NashraApp, NashraContext
from bot.delivery.pacing import Pacer
from bot.delivery.ratelimit import PacedRateLimiter
from bot.feeds.poller import TickReport
from bot.metrics import Metrics
from bot.services import Services, delivery_limits
from bot.updates import PerChatUpdateProcessor
from storage.models import utcnow

logger = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=6)  # the outbox retention job
RENEW_EVERY = timedelta(minutes=1)  # WebSub: renewals, retries, unsubscribes that are due


def build_application(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], datetime] = utcnow,
) -> NashraApp:
    """Build the bot: services are started in post_init and closed in post_shutdown.

    `clock` is what the admin notices count their quiet time with, `wall_clock` the time of
    day searches rank and date their results by (a test freezes them)."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    root = settings.telegram_api_base_url
    # One pacer for the token: the handlers' replies and the sender share the global rate.
    # The event loop's clock is time.monotonic.
    pacer = Pacer(delivery_limits(settings), time.monotonic)
    # The process's instruments: the replies' 429s, and everything Services counts.
    metrics = Metrics()
    application: NashraApp = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=NashraContext, bot_data=BotData))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(PacedRateLimiter(pacer, metrics))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(lambda app: _start_services(app, settings, pacer, metrics, clock, wall_clock))
        .post_shutdown(_stop_services)
        .build()
    )
    handlers.register(application)
    return application


def services_of(application: NashraApp) -> Services:
    services = application.bot_data.services
    if not isinstance(services, Services):
        raise RuntimeError("the application has not started")
    return services


async def _start_services(
    application: NashraApp,
    settings: Settings,
    pacer: Pacer,
    metrics: Metrics,
    clock: Callable[[], float],
    wall_clock: Callable[[], datetime],
) -> None:
    services = await Services.start(
        settings, application.bot, pacer=pacer, metrics=metrics, clock=clock,
        wall_clock=wall_clock,
    )  # fmt: skip
    application.bot_data.services = services
    # The poll runs when the next feed is due (bot/feeds/schedule.py), not on a tick.
    services.start_polling()
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            prune_job,
            interval=PRUNE_EVERY,
            first=60,
            name="prune-outbox",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
    if application.job_queue is not None and services.websub.enabled:
        application.job_queue.run_repeating(
            renew_job, interval=RENEW_EVERY, first=5, name="websub-renew",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )  # fmt: skip
    # The command menu: Arabic for everyone, English for English-speaking Telegram apps;
    # in each owner's and admin's chat, the admin commands too.
    await services.menus.set_default()
    await services.admins.refresh_menus()


async def _stop_services(application: NashraApp) -> None:
    services = application.bot_data.services
    if isinstance(services, Services):
        await services.close()


async def prune_job(context: NashraContext) -> None:
    """The job queue's retention: old sent and failed deliveries leave the outbox."""
    await services_of(context.application).prune_outbox()  # type: ignore[arg-type]


async def renew_job(context: NashraContext) -> None:
    """The job queue's WebSub round: leases to renew, hubs to ask again, feeds removed."""
    await services_of(context.application).renew_subscriptions()  # type: ignore[arg-type]


async def poll_feeds(application: NashraApp) -> TickReport:
    return await services_of(application).poll()

"""The composition root: the only place that builds the Application."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from telegram import BotCommand
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.config import Settings
from bot.delivery.botapi import BotApiPublisher
from bot.delivery.pacing import Pacer
from bot.delivery.ratelimit import PacedRateLimiter
from bot.delivery.sender import Sender
from bot.feeds.poller import TickReport
from bot.services import (
    BotData,
    ChannelLostNotice,
    NashraApp,
    NashraContext,
    Services,
    delivery_limits,
)
from handlers.texts import COMMANDS, text
from storage.db import upgrade

logger = logging.getLogger(__name__)

POLL_TICK = timedelta(seconds=30)  # how often due feeds are looked for
SENDER_TASK = "nashra-sender"
PRUNE_EVERY = timedelta(hours=6)  # the outbox retention job


def build_application(settings: Settings) -> NashraApp:
    """Build the bot: services are created in post_init and closed in post_shutdown."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    root = settings.telegram_api_base_url
    # One pacer for the token: the handlers' replies and the sender share the global rate.
    # The event loop's clock is time.monotonic.
    pacer = Pacer(delivery_limits(settings), time.monotonic)
    application: NashraApp = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=NashraContext, bot_data=BotData))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(PacedRateLimiter(pacer))
        .post_init(lambda app: _start_services(app, settings, pacer))
        .post_shutdown(_stop_services)
        .build()
    )
    handlers.register(application)
    return application


def services_of(application: NashraApp) -> Services:
    services = application.bot_data.services
    if services is None:
        raise RuntimeError("the application has not started")
    return services


async def _start_services(application: NashraApp, settings: Settings, pacer: Pacer) -> None:
    services = Services.build(settings)
    await upgrade(services.engine)
    services.publisher = BotApiPublisher(
        settings.telegram_api_base_url,
        application.bot.token,
        paid_broadcast=settings.paid_broadcast,
    )
    services.sender = Sender(
        services.sessions,
        services.publisher,
        services.style,
        limits=services.limits(),
        settings=services.sender_settings(),
        pacer=pacer,
        channel_lost=ChannelLostNotice(
            lambda admin, message: application.bot.send_message(admin, message, parse_mode=None),
            settings.admin_ids,
            lambda chat_id, title, reason: text(
                "channel_lost", chat=title or str(chat_id), chat_id=chat_id, reason=reason
            ),
        ),
    )
    application.bot_data.services = services
    # A plain task, not application.create_task: the application is not running yet during
    # post_init. Services.close() cancels and awaits it at shutdown.
    services.sender_task = asyncio.create_task(services.sender.run(), name=SENDER_TASK)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            poll_job,
            interval=POLL_TICK,
            first=1,
            name="poll-feeds",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
        application.job_queue.run_repeating(
            prune_job,
            interval=PRUNE_EVERY,
            first=60,
            name="prune-outbox",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
    # The command menu: Arabic for everyone, English for English-speaking Telegram apps.
    await application.bot.set_my_commands([BotCommand(*c) for c in COMMANDS["ar"]])
    await application.bot.set_my_commands(
        [BotCommand(*c) for c in COMMANDS["en"]], language_code="en"
    )


async def _stop_services(application: NashraApp) -> None:
    services = application.bot_data.services
    if services is not None:
        await services.close()


async def poll_job(context: NashraContext) -> None:
    """The job queue's tick: poll due feeds, wake the sender, tell admins of disabled feeds."""
    await poll_feeds(context.application)  # type: ignore[arg-type]


async def prune_job(context: NashraContext) -> None:
    """The job queue's retention: old sent and failed deliveries leave the outbox."""
    await services_of(context.application).prune_outbox()  # type: ignore[arg-type]


async def poll_feeds(application: NashraApp) -> TickReport:
    services = services_of(application)
    report = await services.poller.tick()
    if report.planned and services.sender is not None:
        services.sender.wake()
    for outcome in report.disabled:
        message = text(
            "feed_disabled",
            url=outcome.url,
            count=services.settings.max_feed_failures,
            error=outcome.error,
        )
        for admin_id in services.settings.admin_ids:
            try:
                await application.bot.send_message(admin_id, message, parse_mode=None)
            except TelegramError:
                logger.warning("could not tell admin %s that a feed was disabled", admin_id)
    return report

"""The composition root: the only place that builds the Application."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from telegram import BotCommand
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.config import Settings
from bot.context import BotData, NashraApp, NashraContext
from bot.feeds.poller import TickReport
from bot.services import Services
from bot.text.messages import COMMANDS

logger = logging.getLogger(__name__)

POLL_TICK = timedelta(seconds=30)  # how often due feeds are looked for


def build_application(
    settings: Settings, *, clock: Callable[[], float] = time.monotonic
) -> NashraApp:
    """Build the bot: services are started in post_init and closed in post_shutdown.

    `clock` is what the admin notices count their quiet time with (a test moves it)."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    root = settings.telegram_api_base_url
    application: NashraApp = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=NashraContext, bot_data=BotData))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .post_init(lambda app: _start_services(app, settings, clock))
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
    application: NashraApp, settings: Settings, clock: Callable[[], float]
) -> None:
    application.bot_data.services = await Services.start(settings, application.bot, clock=clock)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            poll_job,
            interval=POLL_TICK,
            first=1,
            name="poll-feeds",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
    # The command menu: Arabic for everyone, English for English-speaking Telegram apps.
    await application.bot.set_my_commands([BotCommand(*c) for c in COMMANDS["ar"]])
    await application.bot.set_my_commands(
        [BotCommand(*c) for c in COMMANDS["en"]], language_code="en"
    )


async def _stop_services(application: NashraApp) -> None:
    services = application.bot_data.services
    if isinstance(services, Services):
        await services.close()


async def poll_job(context: NashraContext) -> None:
    """The job queue's tick: poll the due feeds."""
    await poll_feeds(context.application)  # type: ignore[arg-type]


async def poll_feeds(application: NashraApp) -> TickReport:
    return await services_of(application).poll()

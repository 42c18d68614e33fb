"""What handlers may use: the context type, the application type and the services.

Handlers see the services through this narrow view only; the module that builds the
poller and the sender (bot/services.py) stays out of their imports (DESIGN.md §6).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.admins import AdminService
from bot.broadcasts import BroadcastService
from bot.categories import CategoryService
from bot.channels import ChannelService
from bot.config import Settings
from bot.news.formatter import PostStyle
from bot.notices import AdminNotices
from bot.search import SearchService
from bot.sources import SourceService
from bot.stats import StatsService


class HandlerServices(Protocol):
    """The services a handler may call."""

    @property
    def settings(self) -> Settings: ...

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def notices(self) -> AdminNotices: ...

    @property
    def search(self) -> SearchService: ...

    @property
    def admins(self) -> AdminService: ...  # owners, admins, their menus, the audit log

    @property
    def categories(self) -> CategoryService: ...  # the operators' categories (/categories_admin)

    @property
    def sources(self) -> SourceService: ...  # the feeds: add, list, pause, edit, poll, remove

    @property
    def style(self) -> PostStyle: ...  # how posts are formatted, channels and inline alike

    # Channels and groups: /addchannel, /channels, the bot's membership in them.
    @property
    def channels(self) -> ChannelService: ...

    # The operators' console: operations (issue 8).
    @property
    def broadcasts(self) -> BroadcastService: ...  # /broadcast: drafts, sending, progress

    @property
    def stats(self) -> StatsService: ...  # /stats: the report and its chart

    def now(self) -> datetime: ...  # the time of day (aware UTC) results are dated from


class BotData:
    """`application.bot_data`: holds the services once start-up has built them."""

    services: HandlerServices | None = None


class NashraContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Callback context with typed access to the services."""

    @property
    def services(self) -> HandlerServices:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are used before start-up finished")
        return services


NashraApp = Application[ExtBot[None], NashraContext, dict[Any, Any], dict[Any, Any], BotData, Any]

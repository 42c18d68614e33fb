"""/stats: the health of the news service in one report, and its chart.

Days are calendar days in the deployment's TIMEZONE: "today" began at local midnight, the
week is the last seven days with today, the chart the last fourteen. The report is read in
one session (one snapshot on PostgreSQL's default isolation per query, good enough for
counts an operator glances at); the failing feeds and the broadcasts come from their own
services, so that /stats shows them as /feeds and /broadcast do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import charts
from bot.broadcasts import BroadcastService, Progress
from bot.sources import FeedLine, SourceService, feed_title
from storage import stats as store
from storage.models import utcnow
from storage.stats import ReaderCounts

logger = logging.getLogger(__name__)

WEEK = 7
CHART_DAYS = 14
TROUBLED_SHOWN = 10  # failing feeds listed by name (the rest are counted)


@dataclass(frozen=True)
class Tally:
    """Articles of one source or category: today, and in the week."""

    name: str | None  # None: the articles in no category
    today: int
    week: int


@dataclass(frozen=True)
class Deliveries:
    sent_today: int
    sent_week: int
    failed_week: int
    pending: int
    held: int  # waiting for readers' digests
    oldest_pending: datetime | None  # when the oldest pending one was planned


@dataclass(frozen=True)
class Report:
    at: datetime
    days: list[date]  # the chart's, oldest first; the last is today
    readers: ReaderCounts
    articles_today: int
    articles_week: int
    per_day: list[int]  # articles stored each of `days`
    sources: list[Tally]  # the busiest this week first
    categories: list[Tally]
    per_category: dict[str | None, list[int]]  # articles of each of `days`
    deliveries: Deliveries
    troubled: list[FeedLine]
    troubled_total: int
    broadcasts: list[Progress]

    @property
    def charted(self) -> bool:
        """Whether a chart would show anything: any article in the fourteen days."""
        return any(any(counts) for counts in self.per_category.values())


def day_bounds(now: datetime, zone: ZoneInfo, days: int) -> tuple[list[date], list[datetime]]:
    """The last `days` calendar days in `zone`, today last, and the UTC instants of their
    local midnights (one more: the end of today)."""
    today = now.astimezone(zone).date()
    dates = [today - timedelta(days=days - 1 - i) for i in range(days)]
    ends = [*dates, today + timedelta(days=1)]
    bounds = [datetime.combine(d, time(0), tzinfo=zone).astimezone(UTC) for d in ends]
    return dates, bounds


def _tally(name: str | None, counts: Sequence[int]) -> Tally:
    return Tally(name, counts[-1], sum(counts[-WEEK:]))


def _busiest(tallies: list[Tally]) -> list[Tally]:
    return sorted((t for t in tallies if t.week), key=lambda t: (-t.week, -t.today, t.name or ""))


class StatsService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sources: SourceService,
        broadcasts: BroadcastService,
        zone: ZoneInfo,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.sources = sources
        self.broadcasts = broadcasts
        self.zone = zone
        self.clock = clock

    async def report(self) -> Report:
        now = self.clock()
        days, bounds = day_bounds(now, self.zone, CHART_DAYS)
        async with self.sessions() as session:
            readers = await store.readers(session)
            per_category = await store.articles_by_category(session, bounds)
            per_feed = await store.articles_by_feed(session, bounds)
            sent = await store.deliveries(session, bounds)
        troubled, troubled_total = await self.sources.troubled(TROUBLED_SHOWN)
        by_day = [sum(day) for day in zip(*(feed.counts for feed in per_feed), strict=True)]
        by_day = by_day or [0] * CHART_DAYS
        # Two feeds of one site, both unnamed, are one source to the reader.
        by_source: dict[str, list[int]] = {}
        for feed in per_feed:
            counts = by_source.setdefault(feed_title(feed.name, feed.url), [0] * CHART_DAYS)
            counts[:] = [a + b for a, b in zip(counts, feed.counts, strict=True)]
        deliveries = Deliveries(
            sent.sent[-1], sum(sent.sent[-WEEK:]), sum(sent.failed[-WEEK:]),
            sent.pending, sent.held, sent.oldest_pending,
        )  # fmt: skip
        return Report(
            at=now,
            days=days,
            readers=readers,
            articles_today=by_day[-1],
            articles_week=sum(by_day[-WEEK:]),
            per_day=by_day,
            sources=_busiest([_tally(name, c) for name, c in by_source.items()]),
            categories=_busiest([_tally(n, c) for n, c in per_category.items()]),
            per_category=per_category,
            deliveries=deliveries,
            troubled=troubled,
            troubled_total=troubled_total,
            broadcasts=await self.broadcasts.progress(),
        )

    @staticmethod
    def can_draw() -> bool:
        """Whether /stats can have its chart (the optional extra `charts` is installed)."""
        return charts.available()

    @staticmethod
    async def picture(chart: charts.Chart) -> bytes | None:
        """The chart as a PNG, drawn off the event loop; None without matplotlib."""
        try:
            return await asyncio.to_thread(charts.render, chart)
        except charts.ChartsUnavailable as error:
            logger.info("no chart for /stats: %s", error)
            return None

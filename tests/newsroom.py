"""A news service a few weeks into its life, for /stats: feeds (working, failing, disabled,
paused), articles over three weeks, readers (active, stopped, blocked) and deliveries in
every state. Times are relative to `now`, local noon in Asia/Damascus (the default
TIMEZONE, UTC+3), so that "today" and "this week" never straddle a midnight."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.readers import BLOCKED
from storage import catalog
from storage.feeds import add_feed
from storage.models import ChatKind, Delivery, DeliveryStatus
from storage.readers import STOPPED
from tests.factories import article_row, reader, store_articles

DAMASCUS = ZoneInfo("Asia/Damascus")
ENAB = "https://www.enabbaladi.net/feed"
BBC = "https://feeds.bbci.co.uk/arabic/rss.xml"  # no name: shown by its domain
FAILING = "https://failing.example.sy/rss"
DISABLED = "https://gone.example.sy/rss"
PAUSED = "https://paused.example.sy/rss"  # had errors, but paused: not failing
CHANNEL = -1001000000777
# Readers: two active (one on two categories), one stopped, one blocked; and a channel.
ACTIVE, ACTIVE_TOO, STOPPED_READER, BLOCKED_READER = 701, 702, 703, 704


def local_noon(day: datetime | None = None, zone: ZoneInfo = DAMASCUS) -> datetime:
    """Noon of `day`'s local date (default: today, in the real time)."""
    moment = day or datetime.now(zone)
    return datetime.combine(moment.astimezone(zone).date(), time(12), tzinfo=zone)


async def newsroom(session: AsyncSession, now: datetime) -> None:
    """Stage the whole news service; the numbers it makes are in `EXPECTED`'s comments."""
    politics, economy, sport = await catalog.ensure_categories(
        session, ["سياسة", "اقتصاد", "رياضة"]
    )
    later = now + timedelta(days=1)  # due after the test: the bot never polls these
    enab = await add_feed(session, ENAB, name="عنب بلدي", now=later)
    bbc = await add_feed(session, BBC, now=later)
    failing = await add_feed(session, FAILING, name="مصدر متعثر", now=later)
    failing.error_count, failing.last_error = 3, "HTTP 500"
    failing.failing_since = now - timedelta(hours=5)
    gone = await add_feed(session, DISABLED, name="مصدر معطّل", now=later)
    gone.error_count, gone.disabled, gone.last_error = 20, True, "HTTP 404"
    gone.failing_since = now - timedelta(days=3)
    paused = await add_feed(session, PAUSED, now=later)
    paused.error_count, paused.paused = 2, True

    def at(days: float, key: str, feed_id: int) -> dict[str, object]:
        return article_row(feed_id, key, when=now - timedelta(days=days))

    today = await store_articles(session, [at(0, f"t{i}", enab.id) for i in range(3)], [politics])
    await store_articles(session, [at(3, f"w{i}", enab.id) for i in range(2)], [economy])
    await store_articles(session, [at(10, "old", enab.id)], [politics])  # in the chart only
    await store_articles(session, [at(20, "older", enab.id)], [politics])  # nowhere
    await store_articles(session, [at(0, "b0", bbc.id)])  # in no category
    await store_articles(session, [at(1, "b1", bbc.id)], [politics, sport])

    await reader(session, ACTIVE, [politics])
    await reader(session, ACTIVE_TOO, [politics, economy])
    for chat_id, reason in ((STOPPED_READER, STOPPED), (BLOCKED_READER, BLOCKED)):
        await reader(session, chat_id, [politics])
        await catalog.deactivate_chat(session, chat_id, reason)
    await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL, title="قناة الأخبار")
    await catalog.subscribe(session, CHANNEL, [politics])

    def delivery(status: DeliveryStatus, chat_id: int, article: int, hours: float) -> Delivery:
        made = now - timedelta(hours=hours)
        sent = made if status is DeliveryStatus.SENT else None
        # Due after the test: the bot's sender never takes these.
        return Delivery(article_id=article, chat_id=chat_id, status=status, attempts=1,
                        next_attempt_at=later, created_at=made, sent_at=sent)  # fmt: skip

    session.add_all([
        delivery(DeliveryStatus.SENT, ACTIVE, today[0], 1),
        delivery(DeliveryStatus.SENT, CHANNEL, today[0], 1),
        delivery(DeliveryStatus.SENT, ACTIVE, today[1], 72),  # this week, not today
        delivery(DeliveryStatus.FAILED, CHANNEL, today[1], 48),
        delivery(DeliveryStatus.DEAD, ACTIVE_TOO, today[1], 240),  # before the week
        delivery(DeliveryStatus.PENDING, ACTIVE_TOO, today[0], 2),  # the oldest pending
        delivery(DeliveryStatus.PENDING, ACTIVE_TOO, today[2], 0.5),
        delivery(DeliveryStatus.HELD, ACTIVE, today[2], 1),
        delivery(DeliveryStatus.DROPPED, STOPPED_READER, today[2], 1),  # counted nowhere
    ])  # fmt: skip
    await session.flush()


EXPECTED = {
    "readers": (2, 1, 1),  # active, stopped, blocked
    "readers_by_category": [("سياسة", 2), ("اقتصاد", 1)],
    "articles": (4, 7),  # today, the week
    "sources": [("عنب بلدي", 3, 5), ("feeds.bbci.co.uk", 1, 2)],
    # The busiest in the week first, then the busiest today.
    "categories": [("سياسة", 3, 4), ("اقتصاد", 0, 2), (None, 1, 1), ("رياضة", 0, 1)],
    "deliveries": (2, 3, 1, 2, 1),  # sent today, sent in the week, failed, pending, held
    "oldest_pending": timedelta(hours=2),
    "troubled": ["مصدر معطّل", "مصدر متعثر"],  # the longest failing first
}

"""Feeds' WebSub subscriptions: pending, active (the feed is pushed), unsubscribing.

Rows are leased like feeds: the renewal job takes the rows whose `renew_at` has come and
pushes it past its lease, so with several processes only one renews a subscription (SKIP
LOCKED on PostgreSQL). Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from storage.dialect import supports_skip_locked
from storage.models import HubSubscription

PENDING = "pending"
ACTIVE = "active"
UNSUBSCRIBING = "unsubscribing"


async def of_feed(session: AsyncSession, feed_id: int) -> HubSubscription | None:
    return await session.scalar(select(HubSubscription).where(HubSubscription.feed_id == feed_id))


async def by_token(
    session: AsyncSession, token: str, *, lock: bool = False
) -> HubSubscription | None:
    """The subscription a callback's token names (None: no such subscription)."""
    query = select(HubSubscription).where(HubSubscription.token == token)
    if lock and supports_skip_locked(session):
        query = query.with_for_update()
    return await session.scalar(query)


async def want(
    session: AsyncSession,
    feed_id: int,
    *,
    hub: str,
    topic: str,
    secret: str,
    token: str,
    now: datetime,
    retry: timedelta,
) -> HubSubscription:
    """Stage a pending subscription of the feed at `hub` (a new one, or the feed's old row
    pointed at another hub or topic, with a new secret and token); taken again by the
    renewal job after `retry` if the hub never verifies it. A row pointed elsewhere leaves
    its old hub, topic, secret and token behind as an unsubscribing row (due now), so the
    old hub stops pushing."""
    row = await of_feed(session, feed_id)
    if row is None:
        row = HubSubscription(feed_id=feed_id, failures=0, created_at=now)
        session.add(row)
    elif row.state != UNSUBSCRIBING:
        session.add(
            HubSubscription(
                feed_id=None, hub=row.hub, topic=row.topic, secret=row.secret,
                token=row.token, state=UNSUBSCRIBING, renew_at=now, failures=0,
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        row.token = ""  # freed for the unsubscribing row before the flush
        await session.flush()
    row.failures = 0
    row.last_error = None
    row.hub, row.topic, row.secret, row.token = hub, topic, secret, token
    row.state = PENDING
    row.lease_expires_at = None
    row.renew_at = now + retry
    row.updated_at = now
    await session.flush()
    return row


def renewal_time(now: datetime, lease_seconds: int) -> datetime:
    """When an active lease is renewed: when a tenth of it, or a day, is left (the sooner
    of the two for a long lease, so a hub's hiccup still leaves time to try again)."""
    lease = timedelta(seconds=lease_seconds)
    margin = min(lease / 10, timedelta(days=1))
    return now + lease - margin


def activate(row: HubSubscription, now: datetime, lease_seconds: int) -> None:
    """The hub verified the subscribe: the feed is pushed until the lease ends."""
    row.state = ACTIVE
    row.lease_expires_at = now + timedelta(seconds=lease_seconds)
    row.renew_at = renewal_time(now, lease_seconds)
    row.last_error = None
    row.failures = 0
    row.updated_at = now
    # Written even if unchanged since the row was read: a note of an accepted request may
    # have been stored meanwhile (SQLite has no row lock), and must not outlive this.
    flag_modified(row, "last_error")
    flag_modified(row, "failures")


def failed(row: HubSubscription, now: datetime, reason: str, retry: timedelta) -> None:
    """The hub refused or did not answer: recorded, tried again after `retry` (the caller's
    back-off). An active row whose lease has run out stops being pushed."""
    row.last_error = reason
    row.failures += 1
    row.renew_at = now + retry
    row.updated_at = now
    if row.state == ACTIVE and row.lease_expires_at is not None and row.lease_expires_at <= now:
        row.state = PENDING


def denied(row: HubSubscription, now: datetime, reason: str, retry: timedelta) -> None:
    """The hub denied (or cancelled) the subscription: the feed is not pushed from now on
    and is polled as before; the subscribe is asked again after `retry`."""
    failed(row, now, reason, retry)
    if row.state == ACTIVE:
        row.state = PENDING
    row.lease_expires_at = None


async def leave_feed(session: AsyncSession, feed_id: int, now: datetime) -> bool:
    """The feed is being removed: its subscription, if any, is unsubscribed by the next
    renewal round (due now); the row outlives the feed until the hub verifies. False: the
    feed had none."""
    row = await of_feed(session, feed_id)
    if row is None:
        return False
    row.feed_id = None
    row.state = UNSUBSCRIBING
    row.created_at = now  # an unsubscribing row's created_at: when the unsubscribe began
    row.renew_at = now
    row.updated_at = now
    await session.flush()
    return True


async def forget(session: AsyncSession, row: HubSubscription) -> None:
    await session.execute(delete(HubSubscription).where(HubSubscription.id == row.id))


async def lease_due(
    session: AsyncSession, now: datetime, *, limit: int, lease: timedelta
) -> Sequence[HubSubscription]:
    """The subscriptions to renew, retry or unsubscribe now, leased past `lease`."""
    query = (
        select(HubSubscription)
        .where(HubSubscription.renew_at <= now)
        .order_by(HubSubscription.renew_at, HubSubscription.id)
        .limit(limit)
    )
    if supports_skip_locked(session):
        query = query.with_for_update(skip_locked=True)
    rows = (await session.scalars(query)).all()
    for row in rows:
        row.renew_at = now + lease
    await session.flush()
    return rows


async def pushed(session: AsyncSession, feed_ids: Iterable[int], now: datetime) -> set[int]:
    """Which of the feeds are pushed now: an active subscription whose lease has not ended."""
    ids = list(feed_ids)
    if not ids:
        return set()
    query = select(HubSubscription.feed_id).where(
        HubSubscription.feed_id.in_(ids),
        HubSubscription.state == ACTIVE,
        HubSubscription.lease_expires_at > now,
    )
    return {feed_id for feed_id in (await session.scalars(query)).all() if feed_id is not None}

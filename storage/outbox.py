"""The delivery outbox: planned before anything is sent, leased by senders, never lost.

A row is held by whoever leased it last (`lease_token`, until `next_attempt_at`): the instant
sender for a pending row, the digest sender for a held one. Every write of an outcome names
the token it was leased with, so a sender whose lease ran out changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignore, supports_skip_locked
from storage.models import Broadcast, Chat, ChatKind, Delivery, DeliveryMode, DeliveryStatus

# Outcomes that are history once written: the retention job deletes them after a while.
FINISHED = (DeliveryStatus.SENT, DeliveryStatus.FAILED)


async def plan(
    session: AsyncSession,
    rows: Iterable[tuple[int, int, int, DeliveryStatus]],
    now: datetime,
    *,
    threads: Mapping[tuple[int, int], int] | None = None,
    lengths: Mapping[tuple[int, int], int] | None = None,
) -> None:
    """Stage (article id, chat id, priority, status) deliveries; an existing pair is kept.
    `threads` gives the forum topic of an (article id, chat id) that goes to one, `lengths`
    the summary length of one whose binding has its own.

    Rows keep the caller's order: within a priority, ids are the sending order.
    """
    topics = threads or {}
    summaries = lengths or {}
    values = [
        {
            "article_id": article_id,
            "chat_id": chat_id,
            "priority": priority,
            "status": status,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "message_thread_id": topics.get((article_id, chat_id)),
            "summary_chars": summaries.get((article_id, chat_id)),
        }
        for article_id, chat_id, priority, status in rows
    ]
    if values:
        await session.execute(insert_ignore(session, Delivery), values)


def unleased(now: datetime) -> ColumnElement[bool]:
    """Rows nobody holds: never leased, given back, or whose lease ran out."""
    return or_(Delivery.lease_token.is_(None), Delivery.next_attempt_at <= now)


async def lease_due(
    session: AsyncSession, now: datetime, *, limit: int, lease: timedelta, token: str
) -> Sequence[Delivery]:
    """Take due deliveries, channels first then older articles, and hold them for `lease`.

    A sender that dies mid-send gives its rows back when the lease runs out; that row may then
    be sent again, which is the only way a message can be doubled.
    """
    query = (
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        # A broadcast (no article) after the articles due with it, on both databases.
        .order_by(Delivery.priority, Delivery.article_id.nulls_last(), Delivery.id)
        .limit(limit)
    )
    return await hold(session, query, now, lease=lease, token=token)


async def hold(
    session: AsyncSession,
    query: Select[tuple[Delivery]],
    now: datetime,
    *,
    lease: timedelta,
    token: str,
) -> Sequence[Delivery]:
    """Take the rows of `query` that nobody else is taking (SKIP LOCKED where the database
    has it) and hold them under `token` until now + `lease`."""
    if supports_skip_locked(session):
        query = query.with_for_update(skip_locked=True)
    rows = (await session.scalars(query)).all()
    for row in rows:
        row.next_attempt_at = now + lease
        row.lease_token = token
    await session.flush()
    return rows


async def release_leases(session: AsyncSession, now: datetime) -> int:
    """End every lease now: a sender newly elected takes over from one that died.

    Only the sender leases, and it was elected after the last one lost the election (whose
    sends then stop), so every lease still running is a dead sender's. The rows keep their
    token: an outcome that sender still writes lands only if nobody has leased them since.
    Rows given back for later (no token) keep their time."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.lease_token.is_not(None), Delivery.next_attempt_at > now)
        .values(next_attempt_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


_OUTCOME_COLUMNS = (
    "status", "last_error", "message_id", "sent_at", "attempts", "next_attempt_at", "as_photo",
)  # fmt: skip
_table = Delivery.__table__
# One executemany per write; Core, because the ORM's bulk update costs more per row.
_RECORD = (
    update(_table)  # type: ignore[arg-type]
    .where(_table.c.id == bindparam("delivery_id"), _table.c.lease_token == bindparam("token"))
    .values({**{name: bindparam(name) for name in _OUTCOME_COLUMNS}, "lease_token": None})
)


async def record(session: AsyncSession, outcomes: list[dict[str, Any]]) -> None:
    """Stage the outcomes of sends: dicts with `delivery_id`, the lease `token` the row was
    sent under, and every outcome column. A row leased by someone else since is left alone."""
    if outcomes:
        await session.execute(_RECORD, outcomes)


async def next_due_at(session: AsyncSession) -> datetime | None:
    query = select(func.min(Delivery.next_attempt_at)).where(
        Delivery.status == DeliveryStatus.PENDING
    )
    return await session.scalar(query)


async def due_now(session: AsyncSession, now: datetime) -> tuple[int, datetime | None]:
    """Pending rows due now that no sender holds (a leased row is due only when its lease
    has run out), and when the longest-waiting of them became due."""
    query = select(func.count(), func.min(Delivery.next_attempt_at)).where(
        Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now
    )
    count, oldest = (await session.execute(query)).one()
    return int(count or 0), oldest


async def give_back(
    session: AsyncSession, delivery_ids: Iterable[int], when: datetime, token: str
) -> None:
    """Give leased rows back without counting an attempt (pacing, a 429, a lease too short)."""
    ids = list(delivery_ids)
    if ids:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.lease_token == token)
            .values(next_attempt_at=when, lease_token=None)
        )


_GIVE_BACK = (
    update(_table)  # type: ignore[arg-type]
    .where(_table.c.id == bindparam("delivery_id"), _table.c.lease_token == bindparam("token"))
    .values(next_attempt_at=bindparam("when"), lease_token=None)
)


async def give_back_each(session: AsyncSession, due: dict[int, datetime], token: str) -> None:
    """Give leased rows back, each due at its own time, in one executemany."""
    if due:
        rows = [{"delivery_id": i, "token": token, "when": when} for i, when in due.items()]
        await session.execute(_GIVE_BACK, rows)


async def hold_leased(session: AsyncSession, delivery_ids: Iterable[int], token: str) -> None:
    """Leased rows of readers who chose a digest since they were planned: held for it."""
    ids = list(delivery_ids)
    if ids:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.lease_token == token)
            .values(status=DeliveryStatus.HELD, lease_token=None)
        )


async def fail_article(
    session: AsyncSession, article_id: int, reason: str, now: datetime, *, token: str
) -> int:
    """Telegram rejected the article's message itself: nobody gets it; return how many rows.

    Rows another sender holds under its own lease are left to it (it will learn the same)."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.article_id == article_id,
            Delivery.status == DeliveryStatus.PENDING,
            or_(unleased(now), Delivery.lease_token == token),
        )
        .values(status=DeliveryStatus.FAILED, last_error=reason, next_attempt_at=now,
                lease_token=None)
    )  # fmt: skip
    return result.rowcount or 0  # type: ignore[attr-defined]


async def fail_broadcast(
    session: AsyncSession, broadcast_id: int, reason: str, now: datetime, *, token: str
) -> int:
    """Telegram rejected the broadcast's message itself: nobody gets it (as `fail_article`)."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.broadcast_id == broadcast_id,
            Delivery.status == DeliveryStatus.PENDING,
            or_(unleased(now), Delivery.lease_token == token),
        )
        .values(status=DeliveryStatus.FAILED, last_error=reason, next_attempt_at=now,
                lease_token=None)
    )  # fmt: skip
    return result.rowcount or 0  # type: ignore[attr-defined]


# A broadcast goes to people, after the channels' posts due with it.
BROADCAST_PRIORITY = 1


async def plan_broadcast(session: AsyncSession, broadcast_id: int, now: datetime) -> int:
    """Stage the broadcast's delivery to every active reader (private chat), in one
    statement; return how many. A reader who has it planned already keeps that row."""
    readers = select(
        literal(broadcast_id, Integer),
        Chat.id,
        literal(BROADCAST_PRIORITY, Integer),
        literal(DeliveryStatus.PENDING.value),
        literal(0, Integer),
        literal(now, Delivery.next_attempt_at.type),
        literal(now, Delivery.created_at.type),
    ).where(Chat.active.is_(True), Chat.kind == ChatKind.PRIVATE)
    columns = ["broadcast_id", "chat_id", "priority", "status", "attempts", "next_attempt_at",
               "created_at"]  # fmt: skip
    result = await session.execute(insert_ignore(session, Delivery).from_select(columns, readers))
    return result.rowcount or 0  # type: ignore[attr-defined]


async def broadcast_progress(
    session: AsyncSession, since: datetime
) -> list[tuple[Broadcast, dict[DeliveryStatus, int]]]:
    """Broadcasts sent since `since` or still being sent, the newest first, with their
    deliveries counted by status (one GROUP BY)."""
    waiting = (
        select(Delivery.broadcast_id)
        .where(Delivery.broadcast_id.is_not(None), Delivery.status == DeliveryStatus.PENDING)
        .distinct()
        .scalar_subquery()
    )
    wanted = (
        select(Broadcast)
        .where(Broadcast.sent_at.is_not(None), or_(Broadcast.sent_at >= since,
                                                     Broadcast.id.in_(waiting)))
        .order_by(Broadcast.id.desc())
        .limit(5)
    )  # fmt: skip
    broadcasts = list((await session.scalars(wanted)).all())
    counts: dict[int, dict[DeliveryStatus, int]] = {b.id: {} for b in broadcasts}
    if broadcasts:
        query = (
            select(Delivery.broadcast_id, Delivery.status, func.count())
            .where(Delivery.broadcast_id.in_(list(counts)))
            .group_by(Delivery.broadcast_id, Delivery.status)
        )
        for broadcast_id, status, count in (await session.execute(query)).all():
            counts[broadcast_id][DeliveryStatus(status)] = count
    return [(b, counts[b.id]) for b in broadcasts]


async def counts_by_status(session: AsyncSession) -> dict[str, int]:
    query = select(Delivery.status, func.count()).group_by(Delivery.status)
    return {str(status): count for status, count in (await session.execute(query)).all()}


async def problems(session: AsyncSession, *, limit: int = 20) -> Sequence[Delivery]:
    """The latest deliveries that gave up (dead) or that Telegram rejected (failed)."""
    query = (
        select(Delivery)
        .where(Delivery.status.in_([DeliveryStatus.DEAD, DeliveryStatus.FAILED]))
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def delete_finished(session: AsyncSession, before: datetime, *, limit: int) -> int:
    """Delete at most `limit` sent or failed rows planned before `before`; return how many."""
    oldest = (
        select(Delivery.id)
        .where(Delivery.status.in_(FINISHED), Delivery.created_at < before)
        .order_by(Delivery.id)
        .limit(limit)
        .scalar_subquery()
    )
    result = await session.execute(delete(Delivery).where(Delivery.id.in_(oldest)))
    return result.rowcount or 0  # type: ignore[attr-defined]


# ----------------------------------------------------------------------- digests


async def hold_pending(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """A reader who chose a digest: what waits to be sent one by one waits for the digest.

    Rows a sender holds right now are left to it: holding them too would send them twice.
    A broadcast is not news for the digest: it goes as it is.
    """
    await session.execute(
        update(Delivery)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.article_id.is_not(None),
            unleased(now),
        )
        .values(status=DeliveryStatus.HELD, lease_token=None)
    )


async def release_held(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """A reader back in instant mode gets what was held for the digest, one by one.

    Rows a digest being sent has leased are left to it; it frees what it did not send.
    """
    await session.execute(
        update(Delivery)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.status == DeliveryStatus.HELD,
            unleased(now),
        )
        .values(status=DeliveryStatus.PENDING, next_attempt_at=now, lease_token=None)
    )


async def digests_waiting(session: AsyncSession) -> list[Chat]:
    """Active readers in a digest mode who have held deliveries."""
    held = (
        select(Delivery.chat_id)
        .where(Delivery.status == DeliveryStatus.HELD)
        .distinct()
        .scalar_subquery()
    )
    query = select(Chat).where(
        Chat.active.is_(True),
        Chat.kind == ChatKind.PRIVATE,
        Chat.delivery_mode != DeliveryMode.INSTANT,
        Chat.id.in_(held),
    )
    return list((await session.scalars(query)).all())


async def claim_digest(
    session: AsyncSession,
    chat_id: int,
    last: datetime | None,
    now: datetime,
    *,
    token: str,
    lease: timedelta,
) -> bool:
    """Take the reader's digest for this round, and lease what it will list; False when
    another sender took it first or the reader went back to instant delivery."""
    previous = Chat.last_digest_at.is_(None) if last is None else Chat.last_digest_at == last
    result = await session.execute(
        update(Chat)
        .where(Chat.id == chat_id, previous, Chat.delivery_mode != DeliveryMode.INSTANT)
        .values(last_digest_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    await session.execute(
        update(Delivery)
        .where(Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.HELD, unleased(now))
        .values(lease_token=token, next_attempt_at=now + lease)
    )
    return True


async def renew_held(session: AsyncSession, chat_id: int, token: str, until: datetime) -> bool:
    """Extend the lease of the held rows a digest still holds; False when none is held under
    `token` any more (then another sender has taken them, and this digest must stop)."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.status == DeliveryStatus.HELD,
            Delivery.lease_token == token,
        )
        .values(next_attempt_at=until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def held_deliveries(session: AsyncSession, chat_id: int, token: str) -> list[tuple[int, int]]:
    """(delivery id, article id) leased for the chat's digest, oldest article first."""
    query = (
        select(Delivery.id, Delivery.article_id)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.status == DeliveryStatus.HELD,
            Delivery.lease_token == token,
            Delivery.article_id.is_not(None),  # never a broadcast's row; to be sure
        )
        .order_by(Delivery.article_id)
    )
    rows = (await session.execute(query)).all()
    return [(row[0], row[1]) for row in rows if row[1] is not None]


async def unclaim_digest(
    session: AsyncSession, chat_id: int, last: datetime | None, now: datetime
) -> None:
    """Nothing of the digest went out: it is due again at the next check."""
    await session.execute(
        update(Chat)
        .where(Chat.id == chat_id, Chat.last_digest_at == now)
        .values(last_digest_at=last)
    )


async def finish_held(
    session: AsyncSession,
    delivery_ids: Sequence[int],
    status: DeliveryStatus,
    now: datetime,
    *,
    token: str,
    message_id: int | None = None,
    error: str | None = None,
) -> None:
    """Record the outcome of held deliveries that a digest part listed."""
    if not delivery_ids:
        return
    values: dict[str, object] = {"status": status, "last_error": error, "lease_token": None}
    if status is DeliveryStatus.SENT:
        values.update(sent_at=now, message_id=message_id, in_digest=True)
    await session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(list(delivery_ids)),
            Delivery.status == DeliveryStatus.HELD,
            Delivery.lease_token == token,
        )
        .values(**values)
    )


async def release_digest(session: AsyncSession, chat_id: int, token: str, now: datetime) -> None:
    """The digest is over: what it did not send is free again, for the next digest, or one by
    one if the reader went back to instant delivery meanwhile."""
    instant = (
        select(Chat.id)
        .where(Chat.id == chat_id, Chat.delivery_mode == DeliveryMode.INSTANT)
        .scalar_subquery()
    )
    leftover = (Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.HELD,
                Delivery.lease_token == token)  # fmt: skip
    await session.execute(
        update(Delivery)
        .where(*leftover, Delivery.chat_id.in_(instant))
        .values(status=DeliveryStatus.PENDING, next_attempt_at=now, lease_token=None)
    )
    await session.execute(update(Delivery).where(*leftover).values(lease_token=None))

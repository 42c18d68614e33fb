"""Broadcasts: an operator's message to every reader, as drafted, confirmed and sent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PERSON_NAME_CHARS, Broadcast, BroadcastState, Chat, ChatKind


async def draft(
    session: AsyncSession, text: str, author_id: int, author_name: str | None, now: datetime
) -> Broadcast:
    """Stage a broadcast waiting for its author's confirmation."""
    broadcast = Broadcast(
        text=text,
        author_id=author_id,
        author_name=(author_name or None) and author_name[:PERSON_NAME_CHARS],
        state=BroadcastState.DRAFT,
        readers=0,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def take_draft(
    session: AsyncSession, broadcast_id: int, author_id: int, state: BroadcastState, now: datetime
) -> Broadcast | None:
    """Move the author's draft to `state` (sent or cancelled); None when it is not a draft of
    theirs any more (pressed twice, or by someone else): one press wins, on both databases."""
    values: dict[str, object] = {"state": state}
    if state is BroadcastState.SENT:
        values["sent_at"] = now
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.author_id == author_id,
            Broadcast.state == BroadcastState.DRAFT,
        )
        .values(**values)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return await session.get(Broadcast, broadcast_id, populate_existing=True)


async def texts(session: AsyncSession, broadcast_ids: Iterable[int]) -> dict[int, str]:
    """The HTML of each broadcast, by id."""
    ids = list(broadcast_ids)
    if not ids:
        return {}
    query = select(Broadcast.id, Broadcast.text).where(Broadcast.id.in_(ids))
    return {row[0]: row[1] for row in (await session.execute(query)).all()}


async def active_readers(session: AsyncSession) -> int:
    """How many readers a broadcast would reach now."""
    query = select(func.count()).where(Chat.active.is_(True), Chat.kind == ChatKind.PRIVATE)
    return int(await session.scalar(query) or 0)

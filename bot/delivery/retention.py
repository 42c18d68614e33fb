"""Retention: the outbox keeps its history for a while, not for ever.

10,000 readers and 1,000 articles a day are 10 M rows a day. Sent and failed rows older than
the retention are deleted in bounded batches, each its own short transaction, so that the
sender's writes are never held up for long on either backend.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import outbox

logger = logging.getLogger(__name__)

BATCH = 5_000


async def prune_outbox(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    keep: timedelta,
    *,
    batch: int = BATCH,
) -> int:
    """Delete sent and failed deliveries planned more than `keep` ago; return how many."""
    before = now - keep
    total = 0
    while True:
        async with sessions.begin() as session:
            deleted = await outbox.delete_finished(session, before, limit=batch)
        total += deleted
        if deleted < batch:
            break
    if total:
        logger.info("outbox retention: %d deliveries older than %s deleted", total, before)
    return total

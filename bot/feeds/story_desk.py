"""The same-story desk: which new articles tell a story already stored in the last 72 hours.

The index (bot.news.stories.StoryIndex) lives in memory and is rebuilt from the stored
fingerprints at start; what decides is in the database. A poll that stores new articles takes
the desk (`deciding`): in this process an asyncio lock, on PostgreSQL also an advisory lock, both
held until the poll's transaction has committed. Holding it, the desk first reads the
fingerprints that other polls (of any process) committed since it last looked, so a decision
always sees every earlier article, whichever process stored it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.news.stories import WINDOW, Fingerprint, StoryIndex
from storage import stories

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """A new article to decide on: its entry key, fingerprint and publication time."""

    key: str
    fingerprint: Fingerprint
    published_at: datetime


class StoryDesk:
    def __init__(self) -> None:
        self.index = StoryIndex(WINDOW)
        self._seen = 0  # the highest article id read into the index
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def deciding(self) -> AsyncIterator[None]:
        """Hold the desk in this process; enter it before the transaction that stores, and
        leave it after that transaction has committed or rolled back."""
        async with self._lock:
            yield

    async def load(self, sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
        """Rebuild the index from the database (at start); return how many articles it holds."""
        async with self._lock, sessions() as session:
            await self._read(session, now)
        logger.info("same-story index: %d articles of the last %s", len(self.index), WINDOW)
        return len(self.index)

    async def catch_up(self, session: AsyncSession, now: datetime) -> None:
        """Take the decision lock of every process, then read what was stored since the last
        look; call it inside `deciding`, in the storing transaction."""
        await stories.lock_stories(session)
        await self._read(session, now, locked=True)

    async def _read(self, session: AsyncSession, now: datetime, *, locked: bool = False) -> None:
        """Read the fingerprints stored since the last look. Holding the decision lock, the
        desk has looked at every article up to the newest one stored: an article gets its
        fingerprint only in a transaction holding that lock, so none below it is still to
        come, and the next look starts above it. Else a look that found no fingerprint
        (articles posted from no poll, or published before the window) started from the same
        place again, and read the whole archive above it on every poll."""
        self.index.expire(now)
        since = now - self.index.window
        newest = await stories.last_article_id(session) if locked else 0
        rows = await stories.fingerprints_since(session, since, after_id=self._seen)
        for row in rows:
            try:
                print_ = Fingerprint.from_bytes(row.fingerprint)
            except ValueError as error:
                logger.warning("article %s: fingerprint not read (%s)", row.id, error)
                continue
            self.index.add(row.id, print_, row.published_at)
        if rows:
            self._seen = max(self._seen, rows[-1].id)
        self._seen = max(self._seen, newest)

    def decide(self, candidates: Sequence[Candidate]) -> dict[str, int | str | None]:
        """Entry key → the story its article tells again: a stored article's id, the key of an
        earlier candidate of the same poll that is a story of its own, or None when the story
        is new. The poll's articles join the index at the next catch-up, once committed: an
        article that was rolled back is never found. Candidates of one poll are compared
        through an index of their own too (a poll of 30 new entries is 435 pairs otherwise)."""
        decided: dict[str, int | str | None] = {}
        this_poll = StoryIndex(self.index.window)
        for position, candidate in enumerate(candidates):
            print_, published_at = candidate.fingerprint, candidate.published_at
            found: int | str | None = self.index.earlier_story(print_, published_at)
            if found is None:
                same = this_poll.earlier_story(print_, published_at)
                if same is not None:
                    earlier = candidates[same].key
                    found = decided[earlier] or earlier
            decided[candidate.key] = found
            this_poll.add(position, print_, published_at)
        return decided

    @property
    def size(self) -> int:
        return len(self.index)

"""Where feed parsing runs: worker processes for real polls, a thread when asked for none.

Parsing is the CPU cost of a poll, and a cold poll of many feeds should use every core; the
event loop never parses.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from bot.feeds.parse import ParsedFeed, parse_feed

logger = logging.getLogger(__name__)


class ParserPool:
    """Runs `parse_feed` off the event loop; `workers=0` uses a thread instead of processes."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self._executor: Executor | None = None

    def _pool(self) -> Executor | None:
        if self.workers > 0 and self._executor is None:
            # forkserver: a fork of a process running threads (the event loop's executor,
            # the database driver) may deadlock; the server forks from a clean process.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["bot.feeds.parse"])
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._executor

    async def parse(self, body: bytes, fetched_at: datetime, summary_chars: int) -> ParsedFeed:
        pool = self._pool()
        if pool is None:
            return await asyncio.to_thread(parse_feed, body, fetched_at, summary_chars)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool, parse_feed, body, fetched_at, summary_chars)
        except BrokenProcessPool:
            # A worker died (killed for memory, or crashed on a hostile body): the pool is
            # unusable from now on, so a new one takes over and the body is tried once more.
            logger.warning("a feed parser process died; starting new ones")
            self.close(wait=False)
            pool = self._pool()
            assert pool is not None
            return await loop.run_in_executor(pool, parse_feed, body, fetched_at, summary_chars)

    def close(self, *, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

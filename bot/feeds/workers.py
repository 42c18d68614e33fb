"""Where feed parsing runs: worker processes for real polls, a thread when asked for none.

Parsing is the CPU cost of a poll, and a cold poll of many feeds should use every core; the
event loop never parses.

A worker that dies (killed for memory, or crashed by a hostile body) breaks the whole pool:
every body waiting in it fails at once. Each job leaves a marker file while it runs, so that
only the bodies that were being parsed at that moment are suspects; each of those is tried
once more in a process of its own, and the one that kills that process too is the culprit:
it fails (`ParserCrashed`) and is not parsed again until it changes. The others go on.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from functools import partial
from multiprocessing.context import BaseContext
from typing import Any

from bot.feeds.parse import ParsedFeed, parse_feed
from bot.news.stories import Fingerprint, fingerprint

logger = logging.getLogger(__name__)

ParseFunction = Callable[[bytes, datetime, int], ParsedFeed]


def parse_function(fast: bool) -> ParseFunction:
    """parse_feed, or parse_feed always asking feedparser (FAST_PARSE=false): picklable both."""
    return parse_feed if fast else partial(parse_feed, fast=False)


# Bodies known to kill the parser, by hash; the oldest are forgotten past this many.
REMEMBERED_CULPRITS = 1000
# A body caught again and again in other bodies' crashes gives up after this many pools.
MAX_POOLS_PER_BODY = 3


class ParserCrashed(Exception):
    """A feed body that kills the parser process: our fault to absorb, not the feed's error."""


def _parse_marked(
    parse: ParseFunction, marker: str, body: bytes, fetched_at: datetime, summary_chars: int
) -> ParsedFeed:
    """Runs in a worker: the marker exists exactly while this body is being parsed."""
    os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    try:
        return parse(body, fetched_at, summary_chars)
    finally:
        os.unlink(marker)


def _fingerprints(articles: list[tuple[str, str]]) -> list[Fingerprint]:
    return [fingerprint(headline, text) for headline, text in articles]


def _was_running(marker: str) -> bool:
    """Whether the job of this marker had started and not finished; the marker goes."""
    try:
        os.unlink(marker)
    except FileNotFoundError:
        return False
    return True


def _workers(executor: Executor) -> dict[int, Any]:
    """The pool's worker processes, pid → process: ProcessPoolExecutor's own dict, which its
    manager thread keeps using after shutdown (the executor forgets it)."""
    processes = getattr(executor, "_processes", None)
    return processes if processes is not None else {}


def _kill(workers: dict[int, Any]) -> bool:
    """Kill the workers still alive; whether any was."""
    alive = [process for process in list(workers.values()) if process.is_alive()]
    for process in alive:
        process.kill()
    return bool(alive)


class ParserPool:
    """Runs `parse_feed` off the event loop; `workers=0` uses a thread instead of processes."""

    def __init__(self, workers: int = 2, *, parse: ParseFunction = parse_feed) -> None:
        self.workers = workers
        self.parse_function = parse
        self.restarts = 0  # pools replaced because a worker died
        self._executor: Executor | None = None
        self._markers: str | None = None
        self._tokens = itertools.count()
        self._culprits: dict[str, None] = {}  # body hashes, oldest first
        # Pools given up on (a worker died): their processes are killed on close. A pool that
        # broke while another parse submitted to it can start a worker after the pool's own
        # clean-up terminated the others; that worker waits for work forever, and the pool's
        # manager thread, joining it, kept the interpreter from exiting (seen once in CI).
        self._retired: list[dict[int, Any]] = []

    @staticmethod
    def _context() -> BaseContext:
        # forkserver: a fork of a process running threads (the event loop's executor,
        # the database driver) may deadlock; the server forks from a clean process.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["bot.feeds.parse", "bot.feeds.workers"])
        return context

    def _pool(self) -> Executor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self.workers, mp_context=self._context())
        return self._executor

    def _marker(self) -> str:
        if self._markers is None:
            self._markers = tempfile.mkdtemp(prefix="nashra-parsers-")
        return os.path.join(self._markers, str(next(self._tokens)))

    async def parse(self, body: bytes, fetched_at: datetime, summary_chars: int) -> ParsedFeed:
        if self.workers <= 0:
            return await asyncio.to_thread(self.parse_function, body, fetched_at, summary_chars)
        digest = hashlib.sha256(body).hexdigest()
        if digest in self._culprits:
            raise ParserCrashed("this body killed the feed parser before; not parsed again")
        loop = asyncio.get_running_loop()
        for _ in range(MAX_POOLS_PER_BODY):
            pool, marker = self._pool(), self._marker()
            job = (self.parse_function, marker, body, fetched_at, summary_chars)
            try:
                return await loop.run_in_executor(pool, _parse_marked, *job)
            except BrokenProcessPool:
                self._replace(pool)
                if _was_running(marker):  # being parsed when a worker died: a suspect
                    return await self._parse_alone(digest, body, fetched_at, summary_chars)
                # Never started: caught in another body's crash; the new pool takes it.
        raise ParserCrashed("feed parser processes keep dying; this body was not parsed")

    async def fingerprints(self, articles: list[tuple[str, str]]) -> list[Fingerprint]:
        """The same-story fingerprints of (headline, text) pairs, computed in a worker (they
        stem every word). A worker dying here is not the articles' fault: the pool is replaced
        and they are fingerprinted in a thread."""
        if not articles:
            return []
        if self.workers > 0:
            pool = self._pool()
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    pool, _fingerprints, articles
                )
            except BrokenProcessPool:
                self._replace(pool)
        return await asyncio.to_thread(_fingerprints, articles)

    def _replace(self, broken: Executor) -> None:
        if self._executor is broken:
            logger.warning("a feed parser process died; starting new ones")
            workers = _workers(broken)
            broken.shutdown(wait=False, cancel_futures=True)
            _kill(workers)
            self._retire(workers)
            self._executor = None
            self.restarts += 1

    def _retire(self, workers: dict[int, Any]) -> None:
        """Watch a given-up pool's workers until close; forget pools whose workers are gone."""
        self._retired = [
            kept for kept in self._retired if any(p.is_alive() for p in list(kept.values()))
        ]
        self._retired.append(workers)

    async def _parse_alone(
        self, digest: str, body: bytes, fetched_at: datetime, summary_chars: int
    ) -> ParsedFeed:
        alone = ProcessPoolExecutor(1, mp_context=self._context())
        loop = asyncio.get_running_loop()
        try:
            job = (body, fetched_at, summary_chars)
            return await loop.run_in_executor(alone, self.parse_function, *job)
        except BrokenProcessPool:
            self._culprits[digest] = None
            while len(self._culprits) > REMEMBERED_CULPRITS:
                del self._culprits[next(iter(self._culprits))]
            logger.warning("a feed body killed the parser process twice; it is not parsed again")
            raise ParserCrashed("the feed body kills the parser process") from None
        finally:
            workers = _workers(alone)
            alone.shutdown(wait=False, cancel_futures=True)
            self._retire(workers)  # left to finish, killed on close

    def close(self, *, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None
        for workers in self._retired:
            _kill(workers)
        self._retired.clear()
        if self._markers is not None:
            shutil.rmtree(self._markers, ignore_errors=True)
            self._markers = None

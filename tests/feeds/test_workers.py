"""Parser processes: a body that kills its parser fails alone, and only once per body."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from bot.feeds.workers import ParserCrashed, ParserPool
from tests.fakes.feeds import rss
from tests.fakes.parsers import KILLER, parse_or_die

FETCHED = datetime(2026, 1, 11, 9, 30, tzinfo=UTC)


def body(n: int) -> bytes:
    return rss([{"title": f"خبر {n}", "guid": f"g{n}"}]).encode()


async def test_a_killer_body_fails_alone_and_the_bodies_beside_it_are_parsed() -> None:
    pool = ParserPool(workers=2, parse=parse_or_die)
    try:
        bodies = [body(n) for n in range(12)]
        killer = body(99) + KILLER
        results = await asyncio.gather(
            *(pool.parse(b, FETCHED, 400) for b in [*bodies[:6], killer, *bodies[6:]]),
            return_exceptions=True,
        )
        crashed = [r for r in results if isinstance(r, BaseException)]
        assert len(crashed) == 1
        assert isinstance(crashed[0], ParserCrashed)
        titles = [r.entries[0].title for r in results if not isinstance(r, BaseException)]
        assert titles == [f"خبر {n}" for n in range(12)]
        assert pool.restarts == 1
        # Known now: not handed to a parser process again, so no pool dies for it.
        with pytest.raises(ParserCrashed):
            await pool.parse(killer, FETCHED, 400)
        assert pool.restarts == 1
        assert (await pool.parse(body(1), FETCHED, 400)).entries
    finally:
        pool.close()


async def test_no_workers_parses_in_a_thread() -> None:
    pool = ParserPool(workers=0)
    assert (await pool.parse(body(1), FETCHED, 400)).entries[0].title == "خبر 1"


def test_a_worker_left_in_a_pool_given_up_on_is_killed() -> None:
    """A pool that broke while another parse submitted to it can start a worker after its own
    clean-up terminated the others; that worker would wait for work forever, and the broken
    pool's manager thread, joining it, keep the interpreter from exiting (seen once in CI).
    A pool given up on has its live workers killed, and again on close."""
    pool = ParserPool(workers=1)
    executor = pool._pool()
    stray = pool._context().Process(target=time.sleep, args=(600,))
    stray.start()
    late = pool._context().Process(target=time.sleep, args=(600,))
    try:
        executor._processes[stray.pid] = stray  # type: ignore[attr-defined]
        pool._replace(executor)
        stray.join(timeout=10)
        assert not stray.is_alive()
        # One that joins the given-up pool later still goes on close.
        late.start()
        pool._retired[-1][late.pid] = late
        pool.close()
        late.join(timeout=10)
        assert not late.is_alive()
    finally:
        for process in (stray, late):
            if process.pid is not None and process.is_alive():
                process.kill()
        pool.close()

"""bench/latency.py at a tiny size: a polled feed's new entries reach the channel, each once,
with the schedule alone polling. No timing is asserted."""

from __future__ import annotations

import argparse

from bench.latency import run


async def test_every_round_posts_its_entry() -> None:
    rounds = await run(argparse.Namespace(rounds=2, interval=2, feeds=2))
    assert len(rounds) == 2
    # Each round waited for its own post, which came after its change.
    assert all(measured.change_to_post > 0 for measured in rounds)

"""bench/websub.py at a tiny size: each notification through the local hub reaches the
channel, once. No timing is asserted."""

from __future__ import annotations

import argparse

from bench.websub import run


async def test_every_notification_posts_its_entry() -> None:
    rounds = await run(argparse.Namespace(rounds=2, gap=0))
    assert len(rounds) == 2
    assert all(measured.notification_to_post > 0 for measured in rounds)

"""A feed parser that dies on a marked body, as a parser process killed by a hostile body."""

from __future__ import annotations

import os
from datetime import datetime

from bot.feeds.parse import ParsedFeed, parse_feed

KILLER = b"<!-- this body kills the parser -->"


def parse_or_die(body: bytes, fetched_at: datetime, summary_chars: int) -> ParsedFeed:
    if KILLER in body:
        os._exit(70)
    return parse_feed(body, fetched_at, summary_chars)

"""Pacing to Telegram's limits: a global rate, 1/s per private chat, 20/min per channel.

python-telegram-bot's AIORateLimiter neither paces private chats nor keeps other chats going
during a 429, so the pacing is ours. Times are the event loop's monotonic clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from storage.models import ChatKind


@dataclass(frozen=True)
class Limits:
    global_per_second: float = 30.0
    private_interval: float = 1.0  # seconds between two messages to one person
    group_interval: float = 3.0  # 20 per minute to one group or channel


CATCH_UP = 0.003  # seconds
# The share of a paid-broadcast rate left unused: at a millisecond apart, requests bunch on
# their way (and slots are caught up), and Telegram counts them as they arrive. At 30/s the
# 33 ms spacing absorbs that; measured with bench/fanout.py.
PAID_MARGIN = 0.02
FREE_RATE = 30.0


class Pacer:
    """Says when the next message may go, overall and to one chat."""

    def __init__(self, limits: Limits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self._global_next = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        rate = limits.global_per_second
        self._global_interval = (1.0 + (PAID_MARGIN if rate > FREE_RATE else 0.0)) / rate

    def chat_ready_in(self, chat_id: int) -> float:
        """Seconds until this chat may get a message (0 when it may now)."""
        return max(0.0, self._chat_next.get(chat_id, 0.0) - self.clock())

    def global_ready_in(self) -> float:
        """Seconds until the next message may go to anyone."""
        return max(0.0, max(self._global_next, self._paused_until) - self.clock())

    def interval(self, kind: ChatKind) -> float:
        """Seconds between two messages to one chat of this kind."""
        if kind is ChatKind.PRIVATE:
            return self.limits.private_interval
        return self.limits.group_interval

    def take(self, chat_id: int, kind: ChatKind) -> None:
        """Book a send now, to this chat."""
        now = self.clock()
        # Slots are a fixed grid at the global rate. A sleep overshoots its slot (the event
        # loop wakes at millisecond granularity), so slots missed by at most CATCH_UP are
        # still used: at 1000/s, sleeping for every slot would cap the rate near 600/s.
        start = max(now - CATCH_UP, self._global_next)
        self._global_next = start + self._global_interval
        self._chat_next[chat_id] = max(now, self._chat_next.get(chat_id, 0.0)) + self.interval(kind)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes to anyone for `seconds`."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def forget(self, older_than: float) -> None:
        """Drop chats whose slot is long past, so the table stays small."""
        self._chat_next = {c: t for c, t in self._chat_next.items() if t > older_than}

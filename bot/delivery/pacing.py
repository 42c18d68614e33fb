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


# Paid-broadcast rates only (above FREE_RATE): slots missed by at most CATCH_UP seconds are
# still used, and PAID_MARGIN of the rate is left unused. A message then never goes before its
# slot nor later than CATCH_UP after it, so one second holds at most (1 + CATCH_UP) slots of
# a grid (1 + PAID_MARGIN) wider than the rate: under the limit, with room for requests that
# bunch on their way. At 30/s neither is needed, and neither is used: every message waits
# for its own slot (0 429s measured, bench/fanout.py).
CATCH_UP = 0.003
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
        paid = limits.global_per_second > FREE_RATE
        self._global_interval = (1.0 + (PAID_MARGIN if paid else 0.0)) / limits.global_per_second
        self._catch_up = CATCH_UP if paid else 0.0

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
        # A sleep overshoots its slot (the event loop wakes at millisecond granularity): at
        # 1000/s, losing every overshot slot would cap the rate near 600/s.
        start = max(now - self._catch_up, self._global_next)
        self._global_next = start + self._global_interval
        self._chat_next[chat_id] = max(now, self._chat_next.get(chat_id, 0.0)) + self.interval(kind)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes to anyone for `seconds`."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def forget(self, older_than: float) -> None:
        """Drop chats whose slot is long past, so the table stays small."""
        self._chat_next = {c: t for c, t in self._chat_next.items() if t > older_than}

"""Pacing to Telegram's limits: a global rate, 1/s per private chat, 20/min per channel.

python-telegram-bot's AIORateLimiter neither paces private chats nor keeps other chats going
during a 429, so the pacing is ours, and one Pacer paces everything the process sends with the
token (the sender, and the handlers' replies through `PacedRateLimiter`). Times are the event
loop's monotonic clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

from storage.models import ChatKind


@dataclass(frozen=True)
class Limits:
    global_per_second: float = 30.0
    private_interval: float = 1.0  # seconds between two messages to one person
    group_interval: float = 3.0  # 20 per minute to one group or channel
    # Added to every per-chat interval (not to the global rate): two requests leave exactly an
    # interval apart by our clock, but the first one (a new connection) can arrive later than
    # the second, and Telegram counts arrivals.
    chat_margin: float = 0.05


# Slots missed by at most CATCH_UP seconds are still used, and RATE_MARGIN of the global rate
# is left unused. A sleep overshoots its slot (the event loop wakes at millisecond
# granularity): losing every overshot slot cost about 1 ms of each 33 ms slot at 30/s (0.969
# of the rate, bench/fanout.py) and would cap 1000/s near 600/s. A message then never goes
# before its slot nor later than CATCH_UP after it, so one second holds at most
# (1 + CATCH_UP) seconds of slots on a grid (1 + RATE_MARGIN) wider than the rate: under the
# limit, with room for requests that bunch on their way (20 ms a second at 30/s).
CATCH_UP = 0.003
RATE_MARGIN = 0.02


class Pacer:
    """Says when the next message may go, overall and to one chat."""

    def __init__(self, limits: Limits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self._global_next = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        # Replies to commands book the chat for the outbox only (see take_reply).
        self._replied: dict[int, float] = {}
        self._global_interval = (1.0 + RATE_MARGIN) / limits.global_per_second

    def set_rate(self, per_second: float) -> None:
        """Pace at another global rate from now on: the elected sender leaves room for the
        other processes' replies, and they keep to that room (bot/roles.py)."""
        if per_second != self.limits.global_per_second:
            self.limits = replace(self.limits, global_per_second=per_second)
            self._global_interval = (1.0 + RATE_MARGIN) / per_second

    def chat_ready_in(self, chat_id: int) -> float:
        """Seconds until this chat may get a message from the outbox (0 when it may now)."""
        ready = max(self._chat_next.get(chat_id, 0.0), self._replied.get(chat_id, 0.0))
        return max(0.0, ready - self.clock())

    def reply_ready_in(self, chat_id: int) -> float:
        """Seconds until a reply may go to this chat: after the outbox's booked slot and any
        429 pause of the chat, but not after the replies before it."""
        return max(0.0, self._chat_next.get(chat_id, 0.0) - self.clock())

    def global_ready_in(self) -> float:
        """Seconds until the next message may go to anyone."""
        return max(0.0, max(self._global_next, self._paused_until) - self.clock())

    def interval(self, kind: ChatKind) -> float:
        """Seconds between two messages to one chat of this kind, margin included."""
        if kind is ChatKind.PRIVATE:
            interval = self.limits.private_interval
        else:
            interval = self.limits.group_interval
        return interval * (1.0 + self.limits.chat_margin)

    def take(self, chat_id: int, kind: ChatKind) -> None:
        """Book a send now, to this chat."""
        now = self.take_global()
        self._chat_next[chat_id] = max(now, self._chat_next.get(chat_id, 0.0)) + self.interval(kind)

    def take_reply(self, chat_id: int, kind: ChatKind) -> None:
        """Book a reply to a command now: a global slot, and the chat's next outbox message no
        sooner than an interval after it.

        Replies do not push each other back: a person typing fast (or a busy group) gets each
        answer at once rather than a second or three later per earlier answer; the outbox,
        which can wait, keeps its distance from them.
        """
        now = self.take_global()
        self._replied[chat_id] = now + self.interval(kind)

    def take_global(self) -> float:
        """Book a slot of the global rate now (a reply to a command); return the time."""
        now = self.clock()
        start = max(now - CATCH_UP, self._global_next)  # an overshot slot is still used
        self._global_next = start + self._global_interval
        return now

    def pause(self, seconds: float) -> None:
        """Telegram said 429 for the bot: nothing goes to anyone for `seconds`."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429 for one group or channel: nothing goes to it for `seconds`."""
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), self.clock() + seconds)

    def too_many(self, chat_id: int, kind: ChatKind, seconds: float) -> None:
        """Telegram answered 429 to a send to this chat.

        Telegram's answer is the same for its per-chat and its per-bot limits, so the chat
        decides: a group or channel has a limit of its own (20 a minute) that the bot can hit
        while far under its global rate, so only that chat waits; a private chat's 429 is the
        bot's flood control (the 1/s per person is ours to keep), so everyone waits.
        """
        if kind is ChatKind.PRIVATE:
            self.pause(seconds)
        else:
            self.pause_chat(chat_id, seconds)

    async def turn(self, chat_id: int | None = None, *, reply: bool = False) -> None:
        """Wait until a message (a reply) may go (to this chat); others may book slots
        meanwhile, so the wait is checked again after each sleep."""

        def ready_in() -> float:
            chat = 0.0
            if chat_id is not None:
                chat = self.reply_ready_in(chat_id) if reply else self.chat_ready_in(chat_id)
            return max(chat, self.global_ready_in())

        # Waiting for a point in time, not for an event: a sleep is the right wait here.
        while (wait := ready_in()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    def forget(self, older_than: float) -> None:
        """Drop chats whose slot is long past, so the table stays small."""
        self._chat_next = {c: t for c, t in self._chat_next.items() if t > older_than}
        self._replied = {c: t for c, t in self._replied.items() if t > older_than}

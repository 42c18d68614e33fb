"""When the poller runs: at the moment the next feed is due, not on a fixed tick.

The schedule polls, asks the database when the earliest feed is due next, and sleeps until
then. It wakes early when this process changes a feed's schedule (a feed added, resumed,
enabled, its interval changed, polled now: `Poller.reschedule`). A change made outside this
process (the `nashra feed` command, another process's admin) is seen within `max_sleep` at
the latest; with several processes on PostgreSQL, each wakes when a feed is due and leases
what it can (SKIP LOCKED), so a due feed is polled once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

logger = logging.getLogger(__name__)

# The longest sleep: how soon a change made by another process is seen.
MAX_SLEEP = timedelta(seconds=60)
# The shortest wait when the feeds that are due could not be leased (another process holds
# them in its lease transaction): no busy loop.
BUSY_WAIT = timedelta(seconds=1)
# The first poll waits this long: the bot finishes starting (its menus, the election) first.
FIRST_POLL = timedelta(seconds=1)
# After a failed poll (the database down, say): doubling from this, up to MAX_SLEEP.
FIRST_RETRY = timedelta(seconds=2)

Poll = Callable[[], Awaitable[int]]  # polls the due feeds; how many it polled
NextDue = Callable[[], Awaitable[datetime | None]]


class PollSchedule:
    """Runs `poll` whenever a feed is due, in one task, one poll at a time."""

    def __init__(
        self,
        next_due: NextDue,
        clock: Callable[[], datetime],
        *,
        max_sleep: timedelta = MAX_SLEEP,
        busy_wait: timedelta = BUSY_WAIT,
    ) -> None:
        self._next_due = next_due
        self._clock = clock
        self._max_sleep = max_sleep
        self._busy_wait = busy_wait
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # What the task is sleeping until (None: polling, or not started): tests wait on it.
        self.sleeping_until: datetime | None = None
        self._asleep = asyncio.Event()

    def start(self, poll: Poll) -> None:
        """Poll now, then whenever a feed is due, until `stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(poll), name="nashra-poll-schedule")

    async def stop(self) -> None:
        """Stop polling; a poll under way is cancelled (its feeds' leases give them back)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self.sleeping_until = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def changed(self) -> None:
        """A feed's next poll moved: look again at when the next one is due."""
        self._changed.set()

    async def asleep(self) -> datetime:
        """Wait until the schedule sleeps (its poll done); return until when."""
        while self.sleeping_until is None:
            self._asleep.clear()
            await self._asleep.wait()
        return self.sleeping_until

    async def _run(self, poll: Poll) -> None:
        failures = 0
        await self._sleep(self._clock() + FIRST_POLL, busy=False)
        while True:
            self._changed.clear()
            polled = 0
            try:
                polled = await poll()
                due = await self._next_due()
                failures = 0
            except Exception:
                failures += 1
                wait = min(FIRST_RETRY * 2 ** min(failures - 1, 16), self._max_sleep)
                logger.exception("the poll failed; trying again in %s", wait)
                due = self._clock() + wait
            await self._sleep(due, busy=polled == 0)

    async def _sleep(self, due: datetime | None, *, busy: bool) -> None:
        """Sleep until `due` (capped at max_sleep), or until a feed's schedule changes."""
        now = self._clock()
        until = now + self._max_sleep if due is None else min(due, now + self._max_sleep)
        if busy and until <= now:
            # Due, yet nothing was leased: another process holds those feeds right now.
            until = now + self._busy_wait
        seconds = (until - now).total_seconds()
        if seconds <= 0 or self._changed.is_set():
            await asyncio.sleep(0)  # the next poll at once, but never without yielding
            return
        self.sleeping_until = until
        self._asleep.set()
        try:
            async with asyncio.timeout(seconds):
                await self._changed.wait()
        except TimeoutError:
            pass
        finally:
            self.sleeping_until = None

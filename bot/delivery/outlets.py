"""What the sender needs of the world: a publisher, a word to the operators, a chat's facts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.news.formatter import Post
from storage import catalog
from storage.models import Chat, ChatKind

logger = logging.getLogger(__name__)

# How long one Bot API request may take by default (BotApiPublisher's total timeout,
# SEND_TIMEOUT_SECONDS), and the time an outcome then needs to be written (the recorder
# retries a failed write for a few seconds; bot/config.py's RECORD_SECONDS is the same).
SEND_TIMEOUT = 30.0  # seconds
RECORD_ALLOWANCE = 5.0  # seconds


@dataclass(frozen=True)
class Sent:
    """A post Telegram accepted: its message, and whether it went as a photo."""

    message_id: int
    as_photo: bool = False


class Publisher(Protocol):
    async def send(
        self, chat_id: int, post: Post, *, silent: bool = False, thread_id: int | None = None
    ) -> Sent: ...

    async def send_text(self, chat_id: int, html: str, *, silent: bool = False) -> int: ...

    async def edit(self, chat_id: int, message_id: int, post: Post, *, as_photo: bool) -> None:
        """Make a sent post say what `post` says now (its caption, when it went as a photo)."""
        ...


class ChannelLost(Protocol):
    """Tells the operators that a channel or group no longer takes the bot's posts."""

    async def __call__(self, chat_id: int, title: str | None, reason: str) -> None: ...


@dataclass(frozen=True)
class SenderSettings:
    batch: int = 500
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    first_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(hours=1)
    concurrency: int = 32
    idle_seconds: float = 5.0  # longest sleep when the outbox is empty
    digest_check: timedelta = timedelta(seconds=30)
    send_timeout: float = SEND_TIMEOUT  # the publisher's request timeout
    record_allowance: float = RECORD_ALLOWANCE

    def __post_init__(self) -> None:
        if self.sending_window <= 0:
            raise ValueError(
                f"a lease of {self.lease.total_seconds():g} s leaves no time to send: it must be "
                f"longer than {self.lease_margin:g} s (a request's timeout and its recording)"
            )

    @classmethod
    def for_rate(
        cls, rate: float, lease: timedelta, send_timeout: float = SEND_TIMEOUT
    ) -> SenderSettings:
        """Settings that let a sender reach `rate` messages per second."""
        window = lease.total_seconds() - send_timeout - RECORD_ALLOWANCE
        return cls(
            send_timeout=send_timeout,
            # A batch must be started well within its sending window, or it is given back.
            batch=max(10, min(500, int(rate * window / 2))),
            lease=lease,
            # Sends in flight: the rate times Telegram's answer time (up to about 200 ms).
            concurrency=max(32, min(256, int(rate / 5))),
        )

    @property
    def lease_margin(self) -> float:
        """Seconds before a lease runs out when no send of it starts any more: a send started
        just before may take the whole request timeout, and its outcome must then be written,
        all before the lease ends, or the next drain leases the row and sends it again."""
        return self.send_timeout + self.record_allowance

    @property
    def sending_window(self) -> float:
        """Seconds of a lease in which its sends may start."""
        return self.lease.total_seconds() - self.lease_margin


@dataclass(frozen=True)
class Recipient:
    """What sending needs to know of a chat."""

    kind: ChatKind
    zone: ZoneInfo
    quiet_start: int | None
    quiet_end: int | None

    @classmethod
    def of(cls, chat: Chat, default_zone: ZoneInfo) -> Recipient:
        zone = ZoneInfo(chat.timezone) if chat.timezone else default_zone
        return cls(chat.kind, zone, chat.quiet_start, chat.quiet_end)

    def quiet(self, now: datetime) -> bool:
        """Inside the reader's quiet hours (minutes after local midnight; may wrap)."""
        if self.quiet_start is None or self.quiet_end is None:
            return False
        local = now.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= minute < self.quiet_end
        return minute >= self.quiet_start or minute < self.quiet_end


async def retire_chat(
    sessions: async_sessionmaker[AsyncSession],
    chat_id: int,
    reason: str,
    notice: ChannelLost | None,
) -> int:
    """The chat refuses the bot (403, no rights): deactivate it, and tell the operators once
    when it was a channel or a group. Return how many of its deliveries were dropped."""
    async with sessions.begin() as session:
        chat = await session.get(Chat, chat_id, with_for_update=True)
        first = chat is not None and chat.active
        title = chat.title if chat is not None else None
        kind = chat.kind if chat is not None else ChatKind.PRIVATE
        dropped = await catalog.deactivate_chat(session, chat_id, reason)
    logger.warning("chat %s deactivated: %s", chat_id, reason)
    if first and kind is not ChatKind.PRIVATE and notice is not None:
        try:
            await notice(chat_id, title, reason)
        except Exception:
            logger.exception("could not tell the operators that chat %s went away", chat_id)
    return dropped

"""The handlers' replies, paced by the sender's Pacer: one global rate for the token.

python-telegram-bot calls `process_request` around every Bot API request the handlers make;
messages (sends, copies, forwards, edits) take a slot of the same global rate as the outbox,
so that a burst of commands and a fan-out together stay inside Telegram's 30 a second, and
the outbox's next message to that chat keeps a chat's interval from the reply.
Answers to callback and inline queries are not messages and go at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.pacing import Pacer
from bot.metrics import Metrics
from storage.models import ChatKind

logger = logging.getLogger(__name__)

_MESSAGES = ("send", "copymessage", "forwardmessage", "editmessage")
_NOT_MESSAGES = frozenset({"sendchataction"})
Answer = bool | dict[str, Any] | list[dict[str, Any]]


def is_message(endpoint: str) -> bool:
    name = endpoint.lower()
    return name.startswith(_MESSAGES) and name not in _NOT_MESSAGES


def chat_kind(chat_id: object) -> ChatKind:
    """Telegram's ids: people are positive, groups and channels negative (or @username)."""
    if isinstance(chat_id, int) and chat_id > 0:
        return ChatKind.PRIVATE
    return ChatKind.GROUP


class PacedRateLimiter(BaseRateLimiter[None]):
    """A python-telegram-bot rate limiter backed by the process's Pacer."""

    def __init__(self, pacer: Pacer, metrics: Metrics | None = None) -> None:
        self.pacer = pacer
        self.metrics = metrics  # counts Telegram's 429s to the handlers' requests

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Answer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Answer:
        if not is_message(endpoint):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter:
                self._count_429()
                raise
        chat_id = data.get("chat_id")
        kind = chat_kind(chat_id)
        known = chat_id if isinstance(chat_id, int) else None  # not an @username
        for attempt in (1, 2):
            # A group the outbox was told to leave alone for a while is left alone here too;
            # a person's reply never waits for the outbox's 1/s.
            await self.pacer.turn(known if kind is not ChatKind.PRIVATE else None, reply=True)
            if known is None:
                self.pacer.take_global()
            else:
                # The outbox keeps its distance from the reply, in that chat too (20/min to a
                # group, 1/s to a person); replies do not wait for one another (take_reply).
                self.pacer.take_reply(known, kind)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._count_429()
                seconds = _seconds(exc.retry_after)
                self.pacer.too_many(chat_id if isinstance(chat_id, int) else 0, kind, seconds)
                logger.warning("Telegram rate limit on %s: %.1f s", endpoint, seconds)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _count_429(self) -> None:
        if self.metrics is not None:
            self.metrics.rate_limited()


def _seconds(retry_after: int | timedelta) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)

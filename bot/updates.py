"""Updates of different chats are handled side by side; one chat's updates one at a time.

python-telegram-bot handles updates strictly one after another by default, so a reply that
waits for its pacing slot (a group's 20 a minute, a 429 pause) would hold up every other
person's update behind it, and their button presses could expire before they are answered.
Handling all updates at once instead would let two presses of one person race in the
database. This processor keeps each chat (or, where there is no chat, each user) in order and
lets different chats go concurrently. Inline queries are not kept in order at all: they only
read, and each keystroke of a reader typing "@bot حلب" is a new query that must be answered
within a second, not after the ones before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 64


def conversation_of(update: object) -> int | None:
    """The chat whose updates must stay in order (the user's, where there is no chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within one chat."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # A chat's lock and how many of its updates hold or wait for it; gone at zero.
        self._chats: dict[int | None, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if isinstance(update, Update) and update.inline_query is not None:
            await coroutine
            return
        key = conversation_of(update)
        lock, users = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._chats[key]
            if users == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

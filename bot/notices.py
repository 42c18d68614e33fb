"""Notices to the operators (the owners of ADMIN_IDS and every stored admin): a feed
disabled, a channel lost, an unexpected error.

Plain text, never HTML: what they quote (URLs, exception messages) is not ours to escape
right. An error is told once per distinct error per ten minutes, so a bug that every update
trips does not flood the admins' chats.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.text.messages import plural, text

logger = logging.getLogger(__name__)

REPEAT_AFTER = 600.0  # seconds before the same error is told again
# Notices of the bot added to or removed from chats, per REPEAT_AFTER, at most: of one chat,
# and caused by one person (anyone may add the bot to a group, and remove it, over and over).
MEMBERSHIP_PER_CHAT = 5
MEMBERSHIP_PER_PERSON = 10
SUMMARY_CHARS = 500
RETRY_DATA_PREFIX = "fd:retry:"  # a disabled feed's «إعادة المحاولة»: "fd:retry:<feed id>"


def error_fingerprint(error: BaseException) -> tuple[str, str, str]:
    """What makes two errors the same: their type, where they were raised, their message
    with numbers blurred (a chat id or a count in the message is not another bug)."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return type(error).__qualname__, where, re.sub(r"\d+", "#", str(error))[:SUMMARY_CHARS]


class AdminNotices:
    """Tells every admin, through the bot; a failed notice is logged, never raised."""

    def __init__(
        self,
        bot: Bot,
        admin_ids: Sequence[int],
        *,
        clock: Callable[[], float] = time.monotonic,
        stored_admins: Callable[[], Awaitable[Sequence[int]]] | None = None,
    ) -> None:
        """`admin_ids` are the owners; `stored_admins` reads the admins the owners added
        (asked at each notice, so an admin added a minute ago hears of the next one)."""
        self.bot = bot
        self.admin_ids = list(admin_ids)
        self.clock = clock
        self.stored_admins = stored_admins
        self._told: dict[tuple[str, str, str], float] = {}
        self._memberships: dict[tuple[str, int], list[float]] = {}

    async def recipients(self) -> list[int]:
        """The owners, then the stored admins, each once."""
        stored: Sequence[int] = []
        if self.stored_admins is not None:
            try:
                stored = await self.stored_admins()
            except Exception:  # the database is down: the owners still hear of it
                logger.exception("could not read the admins; telling the owners only")
        return list(dict.fromkeys([*self.admin_ids, *stored]))

    async def tell(self, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Send the plain-text notice (with its buttons, if any) to every operator."""
        for admin_id in await self.recipients():
            try:
                await self.bot.send_message(admin_id, message, parse_mode=None, reply_markup=markup)
            except TelegramError as exc:
                logger.warning("could not notify admin %s: %s", admin_id, exc)

    async def feed_disabled(
        self,
        url: str,
        failures: int,
        error: str | None,
        *,
        internal: bool = False,
        feed_id: int | None = None,
    ) -> None:
        """Say which feed stopped, after how many failures, and whose fault they were; with
        the feed's id, a «إعادة المحاولة» button that enables and polls it again."""
        key = "feed_disabled_internal" if internal else "feed_disabled"
        count = plural("failures_in_a_row", failures, None)
        markup = None
        if feed_id is not None:
            button = InlineKeyboardButton(
                text("feed_retry_button"), callback_data=f"{RETRY_DATA_PREFIX}{feed_id}"
            )
            markup = InlineKeyboardMarkup([[button]])
        await self.tell(text(key, url=url, count=count, error=error), markup)

    async def channel_lost(self, chat_id: int, title: str | None, reason: str) -> None:
        """Say which channel or group stopped taking posts, why, and how to fix it."""
        await self.tell(
            text("channel_lost", chat=title or str(chat_id), chat_id=chat_id, reason=reason)
        )

    async def membership(
        self, chat_id: int, by: int, message: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        """Tell of the bot added to or removed from a chat by someone, unless that chat or
        that person has made MEMBERSHIP_PER_CHAT / MEMBERSHIP_PER_PERSON notices lately
        (then it is logged only: what changed is stored all the same)."""
        now = self.clock()
        limits = {("chat", chat_id): MEMBERSHIP_PER_CHAT, ("by", by): MEMBERSHIP_PER_PERSON}
        for key in limits:
            recent = [t for t in self._memberships.get(key, []) if t > now - REPEAT_AFTER]
            self._memberships[key] = recent
        if any(len(self._memberships[key]) >= most for key, most in limits.items()):
            logger.warning("membership of chat %s changed by %s: admins told enough", chat_id, by)
            return False
        for key in limits:
            self._memberships[key].append(now)
        await self.tell(message, markup)
        return True

    async def error(self, error: BaseException) -> bool:
        """Tell the admins about an unexpected error, unless they heard of it lately."""
        now = self.clock()
        self._forget_before(now - REPEAT_AFTER)
        key = error_fingerprint(error)
        if key in self._told:
            return False
        self._told[key] = now
        summary = f"{type(error).__name__}: {error}"[:SUMMARY_CHARS]
        await self.tell(text("admin_error", error=summary))
        return True

    def _forget_before(self, moment: float) -> None:
        for key in [key for key, told in self._told.items() if told <= moment]:
            del self._told[key]

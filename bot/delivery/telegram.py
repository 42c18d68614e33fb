"""Sending a post through python-telegram-bot; Telegram's errors become DeliveryError here."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.errors import DeliveryError, SendOutcome
from bot.news.formatter import Post

# 400 answers that mean the chat is gone for good, not that the message is wrong.
_GONE = ("chat not found", "have no rights to send", "not enough rights", "need administrator")


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after will become a timedelta; either form is fine here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return _seconds(error.retry_after)


class TelegramPublisher:
    """Publishes posts with a telegram.Bot (the application's, so it shares its connection)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, post: Post, *, silent: bool = False) -> int:
        markup = preview = None
        if post.button_url:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(post.button_text, url=post.button_url)]]
            )
            preview = LinkPreviewOptions(url=post.button_url)
        try:
            message = await self.bot.send_message(
                chat_id,
                post.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_notification=silent,
                link_preview_options=preview,
            )
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            raise DeliveryError(
                f"Telegram asked to wait {seconds:g} s",
                SendOutcome.RATE_LIMITED,
                retry_after=seconds,
            ) from None
        except ChatMigrated as exc:
            raise DeliveryError(
                f"group moved to {exc.new_chat_id}",
                SendOutcome.MIGRATED,
                new_chat_id=exc.new_chat_id,
            ) from None
        except Forbidden as exc:
            raise DeliveryError(exc.message, SendOutcome.CHAT_GONE) from None
        except BadRequest as exc:
            outcome = (
                SendOutcome.CHAT_GONE
                if any(marker in exc.message.lower() for marker in _GONE)
                else SendOutcome.REJECTED
            )
            raise DeliveryError(exc.message, outcome) from None
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            raise DeliveryError(exc.message, SendOutcome.RETRY) from None
        except TelegramError as exc:
            raise DeliveryError(exc.message, SendOutcome.RETRY) from None
        return message.message_id

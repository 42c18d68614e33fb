"""The one error handler: log first, then tell the person and the admins briefly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import NetworkError, TelegramError

from bot.context import NashraContext
from bot.text.messages import text

logger = logging.getLogger(__name__)


async def on_error(update: object, context: NashraContext) -> None:
    """Log the exception, apologise to the person, and notify the admins."""
    error = context.error
    if error is None:
        return
    if update is None and isinstance(error, NetworkError):
        # Telegram unreachable while polling: PTB retries by itself; one line is enough.
        logger.warning("cannot reach Telegram: %s", error)
        return
    logger.error("unhandled error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_message:
        user = update.effective_user
        try:
            await update.effective_message.reply_text(
                text("error", user.language_code if user else None)
            )
        except TelegramError:
            logger.warning("could not tell the user about the error")
    await context.services.notices.error(error)

"""The one error handler: log first, then tell the person and the admins briefly."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import NetworkError, TelegramError

from bot.services import NashraContext
from handlers.texts import text

logger = logging.getLogger(__name__)


async def on_error(update: object, context: NashraContext) -> None:
    """Log the exception, apologise to the person, and notify the admins."""
    if update is None and isinstance(context.error, NetworkError):
        # Telegram unreachable while polling: PTB retries by itself; one line is enough.
        logger.warning("cannot reach Telegram: %s", context.error)
        return
    logger.error("unhandled error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        user = update.effective_user
        try:
            await update.effective_message.reply_text(
                text("error", user.language_code if user else None)
            )
        except TelegramError:
            logger.warning("could not tell the user about the error")
    summary = html.escape(f"{type(context.error).__name__}: {context.error}")[:500]
    for admin_id in context.services.settings.admin_ids:
        try:
            await context.bot.send_message(admin_id, text("admin_error", error=summary))
        except TelegramError:
            logger.warning("could not notify admin %s", admin_id)

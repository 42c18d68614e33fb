"""/start and /help."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.services import NashraContext
from handlers.texts import text


def _language(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user else None


async def start(update: Update, context: NashraContext) -> None:
    """Greet the reader and say what the bot does."""
    if update.effective_message:
        await update.effective_message.reply_text(
            text("welcome", _language(update)), parse_mode=ParseMode.HTML
        )


async def help_command(update: Update, context: NashraContext) -> None:
    """List the commands, one line each."""
    if update.effective_message:
        await update.effective_message.reply_text(text("help", _language(update)))

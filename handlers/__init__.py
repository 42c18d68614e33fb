"""The Telegram edge: every handler is registered here, in order."""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import readers
from handlers.errors import on_error


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach the handlers. Order matters: the first matching handler in a group wins."""
    # The reader's commands (private chats; each answers elsewhere that it is private-only).
    application.add_handler(CommandHandler("start", readers.start))
    application.add_handler(CommandHandler(["categories", "subscribe"], readers.categories))
    application.add_handler(CommandHandler("mysubs", readers.mysubs))
    application.add_handler(CommandHandler(list(readers.KEYWORD_COMMANDS), readers.keyword))
    application.add_handler(CommandHandler("quiet", readers.quiet))
    application.add_handler(CommandHandler("stop", readers.stop))
    application.add_handler(CommandHandler("help", readers.help_command))
    # Buttons, by their callback data.
    application.add_handler(CallbackQueryHandler(readers.on_category, pattern=r"^cat:\d+$"))
    application.add_handler(CallbackQueryHandler(readers.on_screen, pattern=r"^(cats|subs|done)$"))
    application.add_handler(
        CallbackQueryHandler(readers.on_setting, pattern=r"^(mode|hour|quiet):[\w-]+$")
    )
    application.add_handler(CallbackQueryHandler(readers.on_stop, pattern=r"^stop:(yes|no)$"))
    # The bot blocked or unblocked by a reader.
    application.add_handler(ChatMemberHandler(readers.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    # Last: whatever else a reader types in the private chat.
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.COMMAND, readers.unknown_command))
    application.add_handler(MessageHandler(private & ~filters.COMMAND, readers.not_a_command))
    application.add_error_handler(on_error)

"""The Telegram edge: every handler is registered here, in order."""

from __future__ import annotations

import re
from typing import Any

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.news.presenter import PAGE_DATA
from handlers import admin, operations, readers, search
from handlers.errors import on_error

# New messages only: python-telegram-bot also runs handlers on edited messages, and an
# edited "/follow x" must not follow x again (or answer twice).
NEW = filters.UpdateType.MESSAGE
# Callback data is ASCII we wrote; a category id fits the database's integer.
CATEGORY = re.compile(r"^cat:[0-9]{1,9}$", re.ASCII)
SETTING = re.compile(r"^(mode|hour|quiet):[a-z0-9-]{1,16}$", re.ASCII)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach the handlers. Order matters: the first matching handler in a group wins."""
    # The reader's commands (private chats; each answers elsewhere that it is private-only).
    commands = [
        ("start", readers.start),
        (["categories", "subscribe"], readers.categories),
        ("mysubs", readers.mysubs),
        (list(readers.KEYWORD_COMMANDS), readers.keyword),
        ("quiet", readers.quiet),
        ("stop", readers.stop),
        ("help", readers.help_command),
        # Searching works in groups too.
        ("search", search.search_command),
        ("latest", search.latest_command),
    ]
    for names, callback in commands:
        application.add_handler(CommandHandler(names, callback, filters=NEW))
    # Anyone may ask for their own account number (to become an owner, or be made an admin).
    application.add_handler(CommandHandler("myid", admin.myid, filters=NEW))
    # The operators' console (private chats; anyone else is refused). A command forwarded from
    # someone else's chat is not the admin's own: only typed ones run.
    typed_command = NEW & ~filters.FORWARDED
    application.add_handler(CommandHandler("admin", admin.admin_command, filters=typed_command))
    application.add_handler(CommandHandler("audit", admin.audit_command, filters=typed_command))
    # Operations (issue 8): a message to every reader, the numbers, a feed's preview.
    operations_commands = [
        ("broadcast", operations.broadcast_command),
    ]
    for name, callback in operations_commands:
        application.add_handler(CommandHandler(name, callback, filters=typed_command))
    # Buttons, by their callback data; last, any other button (forged or stale) is answered.
    application.add_handler(CallbackQueryHandler(readers.on_category, pattern=CATEGORY))
    application.add_handler(CallbackQueryHandler(readers.on_screen, pattern=r"^(cats|subs|done)$"))
    application.add_handler(CallbackQueryHandler(readers.on_setting, pattern=SETTING))
    application.add_handler(CallbackQueryHandler(readers.on_stop, pattern=r"^stop:(yes|no)$"))
    application.add_handler(CallbackQueryHandler(search.on_page, pattern=PAGE_DATA))
    application.add_handler(CallbackQueryHandler(admin.on_audit_page, pattern=admin.AUDIT_DATA))
    application.add_handler(
        CallbackQueryHandler(operations.on_broadcast, pattern=operations.BROADCAST_DATA)
    )
    application.add_handler(CallbackQueryHandler(readers.stale_button))
    # The bot blocked or unblocked by a reader.
    application.add_handler(ChatMemberHandler(readers.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    # "@bot words" in any chat.
    application.add_handler(InlineQueryHandler(search.inline_query))
    # Last: whatever else a reader sends in the private chat. Plain text the reader typed is
    # a search. A forwarded post is not words to look for: it gets the "not a command"
    # answer. A message sent with "@bot …" (an article the reader chose to share, here or
    # with another inline bot) is content picked, not a request: it is left unanswered.
    # A forwarded message is the person an owner's "/admin add" waits for, if it waits; else
    # it gets the "not a command" answer too.
    private = filters.ChatType.PRIVATE & NEW & ~filters.VIA_BOT
    typed = filters.TEXT & ~filters.FORWARDED
    application.add_handler(MessageHandler(private & filters.FORWARDED, admin.forwarded))
    application.add_handler(MessageHandler(private & filters.COMMAND, readers.unknown_command))
    application.add_handler(MessageHandler(private & typed, search.plain_text))
    application.add_handler(MessageHandler(private, readers.not_a_command))
    application.add_error_handler(on_error)

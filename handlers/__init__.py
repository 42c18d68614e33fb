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
from handlers import admin, categories, channels, operations, prompts, readers, search, sources
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
    application.add_handler(
        CommandHandler("categories_admin", categories.categories_admin, filters=typed_command)
    )
    # Channels and groups. Typed in a group (in a forum, in one of its topics), /addchannel
    # binds that group (that topic).
    in_group = typed_command & filters.ChatType.GROUPS
    application.add_handler(
        CommandHandler("addchannel", channels.addchannel_here, filters=in_group)
    )
    application.add_handler(
        CommandHandler("addchannel", channels.addchannel, filters=typed_command)
    )
    application.add_handler(
        CommandHandler("channels", channels.channels_command, filters=typed_command)
    )
    # The sources (issue 8): /addfeed, /feeds.
    application.add_handler(
        CommandHandler("addfeed", sources.addfeed_command, filters=typed_command)
    )
    application.add_handler(CommandHandler("feeds", sources.feeds_command, filters=typed_command))
    application.add_handler(CommandHandler("export", sources.export_command, filters=typed_command))
    # Operations (issue 8): a message to every reader, the numbers, a feed's preview.
    operations_commands = [
        ("broadcast", operations.broadcast_command),
        ("stats", operations.stats_command),
        ("preview", operations.preview_command),
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
        CallbackQueryHandler(categories.on_button, pattern=categories.CATEGORIES_DATA)
    )
    # «إلغاء» under a question that waits for a typed answer (handlers/prompts.py).
    application.add_handler(CallbackQueryHandler(prompts.on_cancel, pattern=prompts.CANCEL_PATTERN))
    application.add_handler(CallbackQueryHandler(channels.on_button, pattern=channels.BUTTON_DATA))
    # The sources' buttons (issue 8): /feeds and the cards, a page's feeds to choose from.
    feed_buttons = [
        (sources.on_feeds_page, sources.PAGE_DATA),
        (sources.on_feed_screen, sources.SCREEN_DATA),
        (sources.on_feed_change, sources.CHANGE_DATA),
        (sources.on_feed_remove, sources.REMOVE_DATA),
        (sources.on_feed_poll, sources.POLL_DATA),
    ]
    for callback, data in feed_buttons:
        application.add_handler(CallbackQueryHandler(callback, pattern=data))
    application.add_handler(CallbackQueryHandler(sources.on_choice, pattern=sources.CHOICE_DATA))
    application.add_handler(
        CallbackQueryHandler(operations.on_broadcast, pattern=operations.BROADCAST_DATA)
    )
    # A console button of a shape none of the above takes: refused and logged for anyone
    # but an admin. Then any other button is only stale.
    application.add_handler(
        CallbackQueryHandler(admin.on_unknown_button, pattern=admin.CONSOLE_DATA)
    )
    application.add_handler(CallbackQueryHandler(readers.stale_button))
    # The bot blocked or unblocked by a reader; added to or removed from a channel or group.
    application.add_handler(
        ChatMemberHandler(channels.membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
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
    # An OPML file (issue 8), sent or forwarded: its feeds imported (admins only).
    opml_file = filters.Document.FileExtension("opml") | filters.Document.FileExtension("xml")
    application.add_handler(MessageHandler(private & opml_file, sources.opml_document))
    application.add_handler(MessageHandler(private & filters.FORWARDED, admin.forwarded))
    application.add_handler(MessageHandler(private & filters.COMMAND, readers.unknown_command))
    # Plain text answers the question the bot asked in this chat, if one waits (a
    # category's name...); else it is a search.
    answers = {**categories.PROMPTS}
    application.add_handler(
        MessageHandler(private & typed, prompts.first(search.plain_text, answers))
    )
    application.add_handler(MessageHandler(private, readers.not_a_command))
    # Before everything (group -1, which does not stop the others): a command in a private
    # chat is a new request, and ends any question that waited for a typed answer.
    application.add_handler(MessageHandler(private & filters.COMMAND, prompts.on_command), -1)
    # And (group -2) anything but a forward ends an "/admin add" wait for one; "/admin add"
    # itself starts the wait again after this.
    application.add_handler(
        MessageHandler(private & ~filters.FORWARDED, admin.forward_wait_ends), -2
    )
    application.add_error_handler(on_error)

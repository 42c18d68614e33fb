"""The command menu Telegram shows beside the input field.

Everyone sees the readers' commands (the default scope, Arabic, and English for English
Telegram apps). In an admin's private chat with the bot the menu is the readers' commands and
the admins' (`BotCommandScopeChat`, which Telegram prefers over the default), in both
languages; an admin who is removed gets the default menu back.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.text.messages import ADMIN_COMMANDS, COMMANDS

logger = logging.getLogger(__name__)

# (the messages' language, the language_code the menu is set for: None is everyone else)
_LANGUAGES = (("ar", None), ("en", "en"))


class CommandMenus:
    """Sets the menus through the bot; an admin's menu that Telegram refuses is logged."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def set_default(self) -> None:
        """The readers' menu, for everyone."""
        for language, code in _LANGUAGES:
            commands = [BotCommand(*command) for command in COMMANDS[language]]
            await self.bot.set_my_commands(commands, language_code=code)

    async def show_admin(self, user_id: int) -> bool:
        """The admin menu in this person's private chat; False when Telegram refuses it
        (most often: the person has never written to the bot, so it has no chat with them)."""
        scope = BotCommandScopeChat(user_id)
        try:
            for language, code in _LANGUAGES:
                listed = [*COMMANDS[language], *ADMIN_COMMANDS[language]]
                commands = [BotCommand(*command) for command in listed]
                await self.bot.set_my_commands(commands, scope=scope, language_code=code)
        except TelegramError as exc:
            logger.warning("could not set the admin menu of user %s: %s", user_id, exc)
            return False
        return True

    async def hide_admin(self, user_id: int) -> None:
        """Back to the readers' menu in this person's chat."""
        scope = BotCommandScopeChat(user_id)
        try:
            for _, code in _LANGUAGES:
                await self.bot.delete_my_commands(scope=scope, language_code=code)
        except TelegramError as exc:
            logger.warning("could not remove the admin menu of user %s: %s", user_id, exc)

"""The Telegram edge: every handler is registered here, in order."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler

from handlers.errors import on_error
from handlers.start import help_command, start


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach the handlers. Order matters: the first matching handler in a group wins."""
    # Commands anyone can use.
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    # Last: everything that escaped a handler.
    application.add_error_handler(on_error)

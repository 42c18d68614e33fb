"""`nashra`: run the bot, preview a feed, and the operator's bootstrap commands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from bot import cli
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.process import serve

NO_TOKEN = """\
لا يوجد رمز للبوت (BOT_TOKEN).
١. افتح محادثة مع @BotFather في تيليغرام وأرسل /newbot، واتبع الخطوات لتحصل على الرمز.
٢. ضع الرمز في ملف ‎.env‎ بجانب المشروع:  BOT_TOKEN=123456789:AA...
   (انسخ ‎.env.example‎ إلى ‎.env‎ أولاً) أو صدّره متغيراً في البيئة.
٣. شغّل البوت من جديد: nashra run

No bot token (BOT_TOKEN) is set.
1. In Telegram, open a chat with @BotFather, send /newbot and follow the steps to get a token.
2. Put it in a .env file next to the project:  BOT_TOKEN=123456789:AA...
   (copy .env.example to .env first), or export it as an environment variable.
3. Start the bot again: nashra run
"""


class RedactingFormatter(logging.Formatter):
    """Keep the bot token out of every log line, tracebacks included (URLs contain it)."""

    def __init__(self, fmt: str, token: str | None, secret: str | None = None) -> None:
        super().__init__(fmt)
        self.token = token
        self.secret = secret  # the webhook's: whoever has it can send the bot updates

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if self.token:
            line = line.replace(self.token, "<BOT_TOKEN>")
        if self.secret:
            line = line.replace(self.secret, "<WEBHOOK_SECRET>")
        return line


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token, secret)
    )
    logging.basicConfig(level=settings.log_level_number, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # trafilatura logs a page without an article at WARNING and bytes that are not HTML at
    # ERROR: ordinary outcomes for us, which bot.news.extract returns as None to its caller.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="nashra", description="Nashra — Arabic news on Telegram")
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (long polling, or the webhook)")

    preview = commands.add_parser("preview", help="show the posts a feed would give")
    preview.add_argument("feed", help="feed URL or file path")
    preview.add_argument("--limit", type=int, default=3, help="newest entries to show")

    feed = commands.add_parser("feed", help="manage feeds").add_subparsers(
        dest="action", required=True
    )
    feed_add = feed.add_parser("add", help="add a feed")
    feed_add.add_argument("url")
    feed_add.add_argument("--category", action="append", default=[], metavar="NAME")
    feed_add.add_argument("--name")
    feed_add.add_argument("--interval", type=int, metavar="SECONDS", help="poll interval")
    feed.add_parser("list", help="list feeds and their state")
    # Also from Telegram (/feeds); here for a shell.
    for action, what in (
        ("enable", "poll a paused or disabled feed again (its failures forgotten)"),
        ("disable", "stop polling a feed until it is enabled (paused, as /feeds pauses)"),
        ("remove", "delete a feed and its stored articles"),
    ):
        feed.add_parser(action, help=what).add_argument("url")

    channel = commands.add_parser("channel", help="manage channels").add_subparsers(
        dest="action", required=True
    )
    channel_add = channel.add_parser(
        "add", help="bind a channel to categories, or reactivate one (its categories kept)"
    )
    channel_add.add_argument("chat", help="numeric chat id (-100…) or @username")
    channel_add.add_argument("--category", action="append", default=[], metavar="NAME")
    channel.add_parser("list", help="list channels and their categories")

    category = commands.add_parser("category", help="manage categories").add_subparsers(
        dest="action", required=True
    )
    category_add = category.add_parser("add", help="add or update a category")
    category_add.add_argument("name")
    category_add.add_argument("--alias", action="append", default=[], metavar="LABEL")
    category_add.add_argument("--keyword", action="append", default=[], metavar="WORD")
    category.add_parser("list", help="list categories")

    commands.add_parser("outbox", help="deliveries by status; the dead-lettered and rejected")

    db = commands.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply the schema migrations")
    return top


def run(settings: Settings) -> int:
    """Run the bot until interrupted: long polling (when elected) or the webhook."""
    serve(settings)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # python-telegram-bot 22 warns on every RetryAfter unless durations are opted in to
    # timedelta, the type its next major version uses.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"خطأ في الإعدادات / configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings)
    if args.command == "run":
        if settings.bot_token is None:
            print(NO_TOKEN, file=sys.stderr)
            return 2
        return run(settings)
    return asyncio.run(cli.dispatch(settings, args))


if __name__ == "__main__":
    sys.exit(main())

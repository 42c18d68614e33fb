"""Driving the conversation as people would, through the fake Telegram server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.app import services_of
from bot.context import NashraApp
from bot.text.messages import text
from storage import catalog
from storage.models import Chat
from tests.fakes.feeds import FeedServer
from tests.fakes.telegram import FakeTelegram, StoredMessage
from tests.support import make_settings, running_bot

READER = 501
ENGLISH_READER = 502
ADMIN = 900
CATEGORIES = ["سياسة", "اقتصاد", "رياضة", "سوريا محلي"]


@asynccontextmanager
async def conversation_bot(
    telegram: FakeTelegram,
    database_url: str,
    *,
    search_timeout: float = 20.0,
    command_timeout: float = 20.0,
    settings: dict[str, Any] | None = None,
    background_poll: bool = True,
    **options: Any,
) -> AsyncIterator[NashraApp]:
    """The bot with two readers (Arabic, English), an admin, and the standard categories of a
    fresh install (the four that tests use are made sure of, by name). `settings` overrides
    the tests' settings; without `background_poll` only the test's polls (and the
    operators') happen; `options` go to build_application (the clocks)."""
    # Replies to a person typing fast: Telegram tolerates short bursts in a private chat,
    # the fake's strict 1/s would not. Fan-out pacing is tested elsewhere at the real limit.
    telegram.private_interval = 0.0
    telegram.add_user(READER, "سارة", language_code="ar")
    telegram.add_user(ENGLISH_READER, "Sam", language_code="en")
    telegram.add_user(ADMIN, "المشرف", language_code="ar")
    values: dict[str, Any] = {
        "bot_token": telegram.token,
        "telegram_api_base_url": telegram.base_url,
        "database_url": database_url,
        "parse_workers": 0,
        "admin_ids": [ADMIN],
        # A busy machine must not cut off the tests' searches; the cut-off has its own tests.
        "search_timeout_seconds": search_timeout,
        "search_command_timeout_seconds": command_timeout,
    }
    async with running_bot(make_settings(**(values | (settings or {}))), **options) as application:
        telegram.bot_busy = lambda: not _idle(application)
        if not background_poll:
            await services_of(application).schedule.stop()
        async with services_of(application).sessions.begin() as session:
            await catalog.ensure_categories(session, CATEGORIES)
        yield application


async def say(
    telegram: FakeTelegram,
    user: int,
    message: str,
    timeout: float = 5.0,  # noqa: ASYNC109
) -> StoredMessage:
    """The user sends a message; return the bot's answer."""
    before = len(telegram.sent(user))
    telegram.user_sends(user, message)
    await telegram.wait_for(lambda: len(telegram.sent(user)) > before, timeout)
    return telegram.sent(user)[-1]


async def press(telegram: FakeTelegram, user: int, message: StoredMessage, data: str) -> str:
    """The user presses a button; return the bot's toast (answerCallbackQuery text)."""
    query = telegram.press_button(user, message.chat_id, message.message_id, data)
    await telegram.wait_for(lambda: query in telegram.callback_answers)
    await telegram.wait_for(lambda: not telegram.pending_updates)
    await settled(telegram)
    return str(telegram.callback_answers[query].get("text") or "")


async def settled(telegram: FakeTelegram) -> None:
    """Wait until the bot has done what the last update made it do: the edit or message
    that follows a button's answer comes after it, however loaded the machine is."""
    if telegram.bot_busy is not None:
        async with asyncio.timeout(30):  # a hang guard, not a measure
            # python-telegram-bot's queue and processor have no event for this: look again.
            while telegram.bot_busy():  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    # And until the call log stops growing (an update just taken from the queue is in
    # neither the queue nor the processor's count for a moment).
    count = -1
    while count != len(telegram.calls):
        count = len(telegram.calls)
        try:
            await telegram.wait_for(lambda seen=count: len(telegram.calls) > seen, timeout=0.3)
        except TimeoutError:
            return


def _idle(app: NashraApp) -> bool:
    return app.update_queue.empty() and app.update_processor.current_concurrent_updates == 0


async def nothing_being_handled(app: NashraApp) -> None:
    """Wait until no update is queued or being handled (different chats go concurrently)."""
    async with asyncio.timeout(30):  # a hang guard, not a measure
        # python-telegram-bot's queue and processor have no event for this: look again.
        while not _idle(app):  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def handled_so_far(telegram: FakeTelegram, user: int = READER) -> None:
    """Every update this user sent so far has been handled: one chat's updates are handled
    in order, so once the answer to a /help sent now arrives, all before it are done."""
    before = len(telegram.sent(user))
    telegram.user_sends(user, "/help")
    bot = telegram.bot_username
    help_texts = {text("help", "ar", bot=bot), text("help", "en", bot=bot)}
    await telegram.wait_for(lambda: any(m.text in help_texts for m in telegram.sent(user)[before:]))


def buttons(message: StoredMessage) -> dict[str, str]:
    """callback data → label of every button on the message."""
    markup = message.reply_markup or {}
    return {b["callback_data"]: b["text"] for row in markup.get("inline_keyboard", []) for b in row}


async def category_id(app: NashraApp, name: str) -> int:
    async with services_of(app).sessions() as session:
        category = await catalog.category_by_name(session, name)
        assert category is not None
        return category.id


async def reader(app: NashraApp, user: int = READER) -> Chat:
    async with services_of(app).sessions() as session:
        chat = await session.get(Chat, user)
        assert chat is not None
        return chat


async def answers(telegram: FakeTelegram, user: int, message: str, n: int) -> list[StoredMessage]:
    """The user sends a message; return the bot's next `n` messages."""
    before = len(telegram.sent(user))
    telegram.user_sends(user, message)
    await telegram.wait_for(lambda: len(telegram.sent(user)) >= before + n, timeout=15)
    return telegram.sent(user)[before:]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# A site's page (a web page, not a feed): {links} is where its <link rel="alternate"> go.
PAGE = """<!doctype html><html><head><title>موقع</title>{links}</head>
<body><p>صفحة موقع إخباري</p></body></html>"""


def problem_urls(feed_server: FeedServer) -> dict[str, str]:
    """An address for each way a feed the operator names can be wrong (/addfeed, /preview)."""
    return {
        "local file": "/etc/passwd",
        "file URL": "file:///etc/passwd",
        "bad url": "ftp://news.example.sy/feed",
        "status": feed_server.url("missing.xml"),
        "unreachable": f"http://127.0.0.1:{closed_port()}/feed",
        "not a feed": feed_server.set("page", PAGE.format(links=""), content_type="text/html"),
        "broken": feed_server.set("broken.xml", "<rss><channel><item><title>خبر"),
        "too large": feed_server.set("big.xml", "<rss>" + " " * 20_000 + "</rss>"),
    }

"""Updates of different chats go side by side; one chat's updates stay in order."""

from __future__ import annotations

import asyncio

from telegram import Chat, InlineQuery, Message, Update, User

from bot.context import NashraApp
from bot.updates import PerChatUpdateProcessor, conversation_of
from tests.fakes.telegram import FakeTelegram
from tests.handlers.conversation import READER, say

GROUP = -100_777


async def test_a_reply_waiting_for_its_group_does_not_hold_up_other_chats(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    telegram.add_chat(GROUP, "supergroup")
    # The group's reply is answered 429: it waits four seconds for that group's slot.
    telegram.fail_next("sendMessage", status=429, parameters={"retry_after": 4}, chat_id=GROUP)
    telegram.user_sends_in(GROUP, READER, "/start")
    await telegram.wait_for(lambda: telegram.count_429 == 1)
    await say(telegram, READER, "/help")  # answered while the group's reply waits
    await telegram.wait_for(lambda: len(telegram.sent(GROUP)) == 1, timeout=15)
    delivered = [str(c.params["chat_id"]) for c in telegram.calls_of("sendMessage") if c.ok]
    assert delivered.index(str(READER)) < delivered.index(str(GROUP))


async def test_one_chats_updates_are_handled_in_order(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    for word in ("حلب", "دمشق", "حمص"):
        telegram.user_sends(READER, f"/follow {word}")
    await telegram.wait_for(lambda: len(telegram.sent(READER)) == 3)
    replies = [message.text for message in telegram.sent(READER)]
    assert [word for reply in replies for word in ("حلب", "دمشق", "حمص") if word in reply] == [
        "حلب",
        "دمشق",
        "حمص",
    ]


def test_updates_are_ordered_by_chat_else_by_user() -> None:
    user = User(7, "سارة", is_bot=False)
    in_group = Message(1, None, Chat(GROUP, "supergroup"), from_user=user)  # type: ignore[arg-type]
    assert conversation_of(Update(1, message=in_group)) == GROUP
    assert conversation_of(object()) is None


async def test_a_readers_inline_queries_do_not_wait_for_each_other() -> None:
    """Each keystroke is a new inline query: the newest is handled while an older one (a slow
    search) still runs, where a chat's messages would wait their turn."""
    user = User(7, "سارة", is_bot=False)
    processor = PerChatUpdateProcessor()
    first_started, newest_done = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        first_started.set()
        await newest_done.wait()

    async def quick() -> None:
        newest_done.set()

    typed = [
        Update(n, inline_query=InlineQuery(str(n), user, q, "")) for n, q in [(1, "حل"), (2, "حلب")]
    ]
    older = asyncio.create_task(processor.do_process_update(typed[0], slow()))
    await first_started.wait()
    async with asyncio.timeout(10):  # a hang guard: in order, the newest would wait forever
        await processor.do_process_update(typed[1], quick())
    await older

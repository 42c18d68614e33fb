"""Updates of different chats go side by side; one chat's updates stay in order."""

from __future__ import annotations

from telegram import Chat, Message, Update, User

from bot.context import NashraApp
from bot.updates import conversation_of
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

"""The operators' console, operations, through the fake Telegram server: /broadcast and its
buttons (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select, update

from bot.app import services_of
from bot.broadcasts import BROADCAST_SEND
from bot.context import NashraApp
from bot.text.messages import text
from storage.models import AuditEntry, Broadcast, BroadcastState, Chat, Delivery, DeliveryMode
from storage.models import DeliveryStatus as Status
from tests.fakes.telegram import FakeTelegram, StoredMessage, parse_html
from tests.handlers.conversation import ADMIN, ENGLISH_READER, READER, buttons, press, say

BLOCKED = 503  # blocked the bot; Telegram has not told the bot yet (403 on the next send)
LIMITED = 504  # answered 429 once
DIGEST = 505  # reads a daily digest: a broadcast still comes at once
READERS = [READER, ENGLISH_READER, BLOCKED, LIMITED, DIGEST]
MESSAGE = "تنبيه من فريق نشرة:\nستتوقف الخدمة ساعة للصيانة.\n2026 عام جديد"


def shown(key: str, language: str | None = "ar", **values: Any) -> str:
    return parse_html(text(key, language, **values))[0]


async def readers_started(app: NashraApp, telegram: FakeTelegram) -> None:
    for user in (BLOCKED, LIMITED, DIGEST):
        telegram.add_user(user, f"قارئ {user}", language_code="ar")
    for user in READERS:
        await say(telegram, user, "/start")
    async with services_of(app).sessions.begin() as session:
        await session.execute(
            update(Chat).where(Chat.id == DIGEST).values(delivery_mode=DeliveryMode.DAILY)
        )


async def broadcast(telegram: FakeTelegram, body: str) -> tuple[StoredMessage, StoredMessage]:
    """The admin sends /broadcast; return the preview and the confirmation."""
    before = len(telegram.sent(ADMIN))
    telegram.user_sends(ADMIN, f"/broadcast {body}")
    await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) >= before + 2)
    preview, confirm = telegram.sent(ADMIN)[before : before + 2]
    return preview, confirm


async def deliveries(app: NashraApp) -> dict[int, Status]:
    async with services_of(app).sessions() as session:
        rows = await session.execute(
            select(Delivery.chat_id, Delivery.status).where(Delivery.broadcast_id.is_not(None))
        )
        return {chat: Status(status) for chat, status in rows.all()}


async def outcomes(app: NashraApp) -> dict[int, Status]:
    """The broadcast's deliveries once nothing of it is pending or in flight any more."""
    sender = services_of(app).sender
    async with asyncio.timeout(20):  # a hang guard, not a measure
        while True:
            await sender.settle()  # the sends in flight, and their outcomes written
            found = await deliveries(app)
            if Status.PENDING not in found.values():
                return found
            # A send whose answer is being read is in no list to wait for: look again.
            await asyncio.sleep(0.02)  # noqa: ASYNC110


async def test_a_broadcast_reaches_every_reader_once(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    await readers_started(app, telegram)
    telegram.users[BLOCKED].blocked = True
    telegram.fail_next("sendMessage", 429, parameters={"retry_after": 1}, chat_id=LIMITED)

    preview, confirm = await broadcast(telegram, MESSAGE)
    # The preview is the message exactly as readers get it (an RLM before the line that
    # would start left to right), with no link preview, as the sender sends it.
    expected = "تنبيه من فريق نشرة:\nستتوقف الخدمة ساعة للصيانة.\n\u200f2026 عام جديد"
    assert preview.text == expected
    assert preview.link_preview_disabled
    assert confirm.text == shown("broadcast_confirm", readers="٥ قرّاء")
    [send, cancel] = buttons(confirm)
    assert send.startswith("bc:send:")
    assert cancel.startswith("bc:cancel:")
    assert buttons(confirm)[send] == "إرسال"
    assert buttons(confirm)[cancel] == "إلغاء"
    assert await deliveries(app) == {}  # nothing is planned before «إرسال»

    assert await press(telegram, ADMIN, confirm, send) == ""
    [edited] = [m for m in telegram.sent(ADMIN) if m.message_id == confirm.message_id]
    assert edited.text == shown("broadcast_queued", readers="٥ قرّاء")
    assert buttons(edited) == {}

    for user in (READER, ENGLISH_READER, LIMITED, DIGEST):
        await telegram.wait_for(
            lambda u=user: any(m.text == expected for m in telegram.sent(u)), timeout=15
        )
    assert await outcomes(app) == {
        READER: Status.SENT, ENGLISH_READER: Status.SENT, LIMITED: Status.SENT,
        DIGEST: Status.SENT, BLOCKED: Status.DROPPED,
    }  # fmt: skip
    for user in (READER, ENGLISH_READER, LIMITED, DIGEST):
        assert [m.text for m in telegram.sent(user)].count(expected) == 1
    assert not any(m.text == expected for m in telegram.sent(BLOCKED))
    limited = [c for c in telegram.calls_of("sendMessage") if c.params.get("chat_id") == LIMITED]
    assert [c.status for c in limited][-2:] == [429, 200]
    async with services_of(app).sessions() as session:
        blocked = await session.get(Chat, BLOCKED)
        assert blocked is not None
        assert not blocked.active  # the 403 deactivated the reader, as an article's would
        entries = (await session.scalars(select(AuditEntry))).all()
        stored = (await session.scalars(select(Broadcast))).one()
    assert [e.action for e in entries] == [BROADCAST_SEND]
    assert entries[0].actor_id == ADMIN
    assert entries[0].after == {"id": stored.id, "readers": 5, "text": expected}
    assert stored.state is BroadcastState.SENT

    # Pressed again (a double tap, a stale message): nothing more is sent.
    toast = await press(telegram, ADMIN, confirm, send)
    assert toast == text("broadcast_gone", "ar")
    assert len(await deliveries(app)) == 5


async def test_a_broadcast_cancelled_goes_to_nobody(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    await say(telegram, READER, "/start")
    _, confirm = await broadcast(telegram, "رسالة لن تُرسل")
    [send, cancel] = buttons(confirm)
    await press(telegram, ADMIN, confirm, cancel)
    [edited] = [m for m in telegram.sent(ADMIN) if m.message_id == confirm.message_id]
    assert edited.text == shown("broadcast_cancelled")
    assert await press(telegram, ADMIN, confirm, send) == text("broadcast_gone", "ar")
    # Another draft's number, forged: not a draft of this admin's either.
    assert await press(telegram, ADMIN, confirm, "bc:send:999999999") == text("broadcast_gone")
    assert await deliveries(app) == {}
    assert all(m.text != "رسالة لن تُرسل" for m in telegram.sent(READER))
    async with services_of(app).sessions() as session:
        assert (await session.scalars(select(AuditEntry))).all() == []


async def test_a_broadcast_past_telegrams_limit_is_refused(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    # Within what a person can send (4096 with the command), but every line would start
    # left to right: with their RLMs, the message is past 4096.
    lines = "\n".join(["1 ب"] * 1020)
    answer = await say(telegram, ADMIN, f"/broadcast {lines}")
    assert answer.text == shown("broadcast_too_long", length="٥٠٩٩", limit="٤٠٩٦")
    # At the limit: 4096 characters with the mark.
    longest = "ب" * 4085
    preview, confirm = await broadcast(telegram, longest)
    assert preview.text == longest
    assert buttons(confirm)
    assert (await say(telegram, ADMIN, "/broadcast")).text == shown("broadcast_usage")
    english = await say(telegram, ENGLISH_READER, "/broadcast x")
    assert english.text == text("admin_refused", "en")
    async with services_of(app).sessions() as session:
        assert len((await session.scalars(select(Broadcast))).all()) == 1

"""Forged or stale buttons: answered briefly, never an error, never a word to the admins."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import delete, select

from bot.app import services_of
from bot.context import NashraApp
from storage.models import Category, Chat, DeliveryMode, Subscription
from tests.fakes.telegram import FakeTelegram
from tests.handlers.conversation import (
    ADMIN,
    ENGLISH_READER,
    READER,
    category_id,
    handled_so_far,
    press,
    reader,
    say,
)

STALE = "هذا الزر قديم أو غير صالح"
FORGED = [
    "cat:" + "9" * 60,
    "cat:2147483648",
    "cat:٣",
    "cat:-1",
    "hour:²",
    "hour:٣",
    "hour:24",
    "hour:99",
    "mode:nonsense",
    "mode:",
    "quiet:99-99",
    "quiet:²-7",
    "quiet:1380-1380",
    "stop:maybe",
    "subs:extra",
    "x",
    "🙂",
    "\u202e" + "cats",
]


async def _nothing_went_wrong(
    telegram: FakeTelegram, caplog: pytest.LogCaptureFixture, user: int = READER
) -> None:
    await handled_so_far(telegram, user)
    assert telegram.sent(ADMIN) == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not [m for m in telegram.sent(user) if "حدث خطأ" in m.text]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_button_is_answered_and_changes_nothing(
    app: NashraApp, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    summary = await say(telegram, READER, "/mysubs")
    before = await reader(app)
    assert STALE in await press(telegram, READER, summary, data)
    after = await reader(app)
    changed = ("delivery_mode", "digest_hour", "quiet_start", "quiet_end", "active")
    assert {k: getattr(after, k) for k in changed} == {k: getattr(before, k) for k in changed}
    async with services_of(app).sessions() as session:
        assert (await session.scalars(select(Subscription))).all() == []
    await _nothing_went_wrong(telegram, caplog)


async def test_forged_button_from_an_english_client_is_answered_in_english(
    app: NashraApp, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    summary = await say(telegram, ENGLISH_READER, "/mysubs")
    assert "out of date" in await press(telegram, ENGLISH_READER, summary, "hour:²")
    await _nothing_went_wrong(telegram, caplog, ENGLISH_READER)


async def test_a_category_that_no_longer_exists_is_answered(
    app: NashraApp, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    welcome = await say(telegram, READER, "/start")
    sport = await category_id(app, "رياضة")
    async with services_of(app).sessions.begin() as session:
        await session.execute(delete(Category).where(Category.id == sport))
    assert await press(telegram, READER, welcome, f"cat:{sport}") == "هذا التصنيف لم يعد موجوداً."
    await _nothing_went_wrong(telegram, caplog)


async def test_a_button_of_a_reader_the_bot_does_not_know_yet(
    app_on_both: NashraApp, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """A press from before a database reset: the reader is enrolled, not a foreign key error."""
    welcome = await say(telegram, READER, "/start")
    async with services_of(app_on_both).sessions.begin() as session:
        await session.execute(delete(Subscription))
        await session.execute(delete(Chat))
    politics = await category_id(app_on_both, "سياسة")
    assert await press(telegram, READER, welcome, f"cat:{politics}") == "تتابع الآن: سياسة"
    assert (await reader(app_on_both)).delivery_mode is DeliveryMode.INSTANT
    await _nothing_went_wrong(telegram, caplog)


async def test_pressing_stop_twice_on_one_message_is_not_an_error(
    app: NashraApp, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    await say(telegram, READER, "/start")
    confirm = await say(telegram, READER, "/stop")
    await press(telegram, READER, confirm, "stop:yes")
    await press(telegram, READER, confirm, "stop:yes")
    assert not (await reader(app)).active
    await _nothing_went_wrong(telegram, caplog)


async def test_a_button_pressed_outside_a_private_chat_is_answered(
    app: NashraApp, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    group = telegram.add_chat(-100200, "supergroup", title="مجموعة")
    telegram.user_sends_in(group.id, READER, "/start@nashra_test_bot")
    await telegram.wait_for(lambda: len(telegram.sent(group.id)) == 1)
    [private_only] = telegram.sent(group.id)
    assert STALE in await press(telegram, READER, private_only, "subs")
    await _nothing_went_wrong(telegram, caplog)

"""The error handler: the person gets an apology, the admins one notice per distinct error
per ten minutes."""

from __future__ import annotations

import pytest

from bot.context import NashraApp
from bot.notices import REPEAT_AFTER, error_fingerprint
from tests.fakes.telegram import FakeTelegram, ManualClock
from tests.handlers.conversation import ADMIN, READER, category_id, handled_so_far, say

APOLOGY = "عذراً، حدث خطأ غير متوقع"
NOTICE = "⚠️ خطأ غير متوقع في البوت"


async def _press_into(telegram: FakeTelegram, data: str, method: str, description: str) -> None:
    """Press a button while Telegram answers its edit with an unexpected 400."""
    telegram.fail_next(method, 400, f"Bad Request: {description}")
    [picker] = [m for m in telegram.sent(READER) if m.reply_markup][:1]
    telegram.press_button(READER, READER, picker.message_id, data)
    await handled_so_far(telegram)


def _notices(telegram: FakeTelegram) -> list[str]:
    return [m.text for m in telegram.sent(ADMIN)]


async def test_admins_hear_of_one_error_once_per_ten_minutes(
    app: NashraApp,
    telegram: FakeTelegram,
    notice_clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await say(telegram, READER, "/start")
    politics = f"cat:{await category_id(app, 'سياسة')}"
    await _press_into(telegram, politics, "editMessageReplyMarkup", "odd answer 1")
    assert len(_notices(telegram)) == 1
    assert "BadRequest: Odd answer 1" in _notices(telegram)[0]
    assert sum(APOLOGY in m.text for m in telegram.sent(READER)) == 1

    # The same error again, with another number in it: the person hears, the admins do not.
    notice_clock.advance(REPEAT_AFTER - 1)
    await _press_into(telegram, politics, "editMessageReplyMarkup", "odd answer 2")
    assert len(_notices(telegram)) == 1
    assert sum(APOLOGY in m.text for m in telegram.sent(READER)) == 2
    assert "unhandled error" in caplog.text  # every one is logged

    # Another error is news at once; the first is news again after ten minutes.
    await _press_into(telegram, "cats", "editMessageText", "another problem")
    assert len(_notices(telegram)) == 2
    assert "Another problem" in _notices(telegram)[1]
    notice_clock.advance(1)
    await _press_into(telegram, politics, "editMessageReplyMarkup", "odd answer 3")
    assert len(_notices(telegram)) == 3
    assert all(NOTICE in notice for notice in _notices(telegram))


def _raise(message: str) -> ValueError:
    try:
        raise ValueError(message)
    except ValueError as error:
        return error


def test_an_error_is_known_by_type_place_and_message_without_numbers() -> None:
    first, again = _raise("chat 123 not found"), _raise("chat 456 not found")
    assert error_fingerprint(first) == error_fingerprint(again)
    assert error_fingerprint(first) != error_fingerprint(_raise("message is too long"))
    assert error_fingerprint(first) != error_fingerprint(KeyError("chat 123 not found"))

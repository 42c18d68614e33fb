"""outcome_of: every answer of the Bot API mapped to what the sender does."""

from __future__ import annotations

from typing import Any

import pytest

from bot.delivery.botapi import BOT_REFUSED_PAUSE, outcome_of, picture_refused
from bot.errors import SendOutcome


@pytest.mark.parametrize(
    ("status", "answer", "outcome", "retry_after"),
    [
        (429, {"error_code": 429, "description": "Too Many Requests: retry after 7",
               "parameters": {"retry_after": 7}}, SendOutcome.RATE_LIMITED, 7.0),
        (429, {"description": "Too Many Requests"}, SendOutcome.RATE_LIMITED, 1.0),
        (401, {"error_code": 401, "description": "Unauthorized"}, SendOutcome.REFUSED,
         BOT_REFUSED_PAUSE),
        (404, {"error_code": 404, "description": "Not Found"}, SendOutcome.REFUSED,
         BOT_REFUSED_PAUSE),
        (403, {"error_code": 403, "description": "Forbidden: bot was blocked by the user"},
         SendOutcome.CHAT_GONE, None),
        (400, {"error_code": 400, "description": "Bad Request: chat not found"},
         SendOutcome.CHAT_GONE, None),
        (400, {"error_code": 400,
               "description": "Bad Request: need administrator rights in the channel chat"},
         SendOutcome.CHAT_GONE, None),
        (400, {"error_code": 400, "description": "Bad Request: not enough rights to send text"},
         SendOutcome.CHAT_GONE, None),
        (400, {"error_code": 400, "description": "Bad Request: group chat was upgraded",
               "parameters": {"migrate_to_chat_id": -1001}}, SendOutcome.MIGRATED, None),
        (400, {"error_code": 400, "description": "Bad Request: can't parse entities: x"},
         SendOutcome.MALFORMED, None),
        (400, {"error_code": 400, "description": "Bad Request: message is too long"},
         SendOutcome.MALFORMED, None),
        (400, {"error_code": 400, "description": "Bad Request: BUTTON_URL_INVALID"},
         SendOutcome.MALFORMED, None),
        (400, {"error_code": 400, "description": "Bad Request: TOPIC_CLOSED"},
         SendOutcome.REJECTED, None),
        (500, {"error_code": 500, "description": "Internal Server Error"}, SendOutcome.RETRY,
         None),
        (502, {}, SendOutcome.RETRY, None),
    ],
)  # fmt: skip
def test_outcome_of(
    status: int, answer: dict[str, Any], outcome: SendOutcome, retry_after: float | None
) -> None:
    error = outcome_of(status, answer)
    assert error.outcome is outcome
    assert error.retry_after == retry_after


def test_a_refused_bot_names_the_settings_to_check() -> None:
    error = outcome_of(401, {"error_code": 401, "description": "Unauthorized"})
    assert "BOT_TOKEN" in str(error)
    assert "TELEGRAM_API_BASE_URL" in str(error)


def test_a_migration_carries_the_new_chat() -> None:
    answer = {"error_code": 400, "parameters": {"migrate_to_chat_id": -1001}}
    assert outcome_of(400, answer).new_chat_id == -1001


@pytest.mark.parametrize(
    ("status", "description", "refused"),
    [
        (400, "Bad Request: wrong file identifier/HTTP URL specified", True),
        (400, "Bad Request: failed to get HTTP URL content", True),
        (400, "Bad Request: wrong type of the web page content", True),
        (400, "Bad Request: IMAGE_PROCESS_FAILED", True),
        (400, "Bad Request: PHOTO_INVALID_DIMENSIONS", True),
        (400, "Bad Request: wrong remote file identifier specified: Wrong character", True),
        (400, "Bad Request: PHOTO_SAVE_FILE_INVALID", True),
        # The caption, the chat, the rate: what a text message would meet as well.
        (400, "Bad Request: message caption is too long", False),
        (400, "Bad Request: can't parse entities: unclosed tag", False),
        (400, "Bad Request: chat not found", False),
        (403, "Forbidden: bot was kicked from the channel chat", False),
        (429, "Too Many Requests: retry after 5", False),
        (502, "Bad Gateway", False),
    ],
)
def test_a_picture_telegram_refuses(status: int, description: str, refused: bool) -> None:
    """sendPhoto's answers about the picture alone send the post as text instead."""
    answer = {"ok": False, "error_code": status, "description": description}
    assert picture_refused(outcome_of(status, answer)) is refused

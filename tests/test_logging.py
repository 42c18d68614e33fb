"""The bot token never reaches a log line, tracebacks included."""

from __future__ import annotations

import logging

from bot.__main__ import RedactingFormatter

TOKEN = "123456:SECRET-token"


def test_token_is_redacted_in_messages_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(message)s", TOKEN)
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "calling %s", (f"/bot{TOKEN}/getMe",),
            (type(exc), exc, exc.__traceback__),
        )  # fmt: skip
    line = formatter.format(record)
    assert TOKEN not in line
    assert line.count("<BOT_TOKEN>") == 2

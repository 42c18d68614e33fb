"""Notices to the operators through the fake Telegram server: whose fault, how many times."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.notices import AdminNotices
from tests.fakes.telegram import FakeTelegram

ADMINS = (900, 901)


@pytest.fixture
async def notices(telegram: FakeTelegram) -> AsyncIterator[AdminNotices]:
    for admin in ADMINS:
        telegram.add_user(admin, "المشرف")
    bot = Bot(telegram.token, base_url=f"{telegram.base_url}/bot")
    async with bot:
        yield AdminNotices(bot, ADMINS)


@pytest.mark.parametrize(
    ("failures", "internal", "wording"),
    [
        (2, False, "بعد محاولتين فاشلتين متتاليتين.\n"),
        (5, False, "بعد ٥ محاولات فاشلة متتالية.\n"),
        (20, False, "بعد ٢٠ محاولة فاشلة متتالية.\n"),
        (10, True, "بعد ١٠ محاولات فاشلة متتالية بسبب خلل من جهتنا (في قاعدة البيانات"),
    ],
)
async def test_a_disabled_feed_is_told_with_its_count_and_whose_fault(
    notices: AdminNotices, telegram: FakeTelegram, failures: int, internal: bool, wording: str
) -> None:
    url = "https://news.example.sy/feed"
    await notices.feed_disabled(url, failures, "HTTP 500", internal=internal)
    for admin in ADMINS:
        [notice] = telegram.sent(admin)
        assert f"أوقفتُ جلب المصدر {url} {wording}" in notice.text
        assert notice.text.endswith("آخر خطأ: HTTP 500")

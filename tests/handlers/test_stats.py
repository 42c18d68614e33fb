"""/stats through the fake Telegram server, on SQLite and on PostgreSQL: the report (Arabic
and English), the chart as a photo (and the text alone without matplotlib), an empty
install, and a report that must shrink to fit one message."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from bot.app import services_of
from bot.context import NashraApp
from bot.stats import StatsService
from bot.text.messages import text
from storage.broadcasts import draft, take_draft
from storage.feeds import add_feed
from storage.models import FEED_NAME_CHARS, BroadcastState, Delivery, DeliveryStatus
from tests.fakes.telegram import (
    MAX_CAPTION_UTF16,
    MAX_TEXT_UTF16,
    FakeTelegram,
    StoredMessage,
    utf16_len,
)
from tests.handlers.conftest import Console
from tests.handlers.conversation import ADMIN, nothing_being_handled
from tests.newsroom import ACTIVE, ACTIVE_TOO, local_noon, newsroom
from tests.support import FrozenClock

ENGLISH_ADMIN = 901
needs_charts = pytest.mark.skipif(
    not StatsService.can_draw(), reason="the optional extra 'charts' (matplotlib) is not installed"
)
PNG = b"\x89PNG\r\n\x1a\n"


@asynccontextmanager
async def running(
    console: Console, telegram: FakeTelegram, *, seeded: bool = True, **values: Any
) -> AsyncIterator[NashraApp]:
    """The bot at local noon of today, with the newsroom stored (unless `seeded` is False)."""
    now = local_noon()
    telegram.add_user(ENGLISH_ADMIN, "Sam", language_code="en")
    async with console(wall_clock=FrozenClock(now), admin_ids=[ADMIN, ENGLISH_ADMIN],
                       **values) as app:  # fmt: skip
        if seeded:
            async with services_of(app).sessions.begin() as session:
                await newsroom(session, now)
        yield app


async def stats(app: NashraApp, telegram: FakeTelegram, user: int = ADMIN) -> list[StoredMessage]:
    """The admin sends /stats; every message the bot answered with, once it is done."""
    before = len(telegram.sent(user))
    telegram.user_sends(user, "/stats")
    await telegram.wait_for(lambda: len(telegram.sent(user)) > before)
    await nothing_being_handled(app)
    return telegram.sent(user)[before:]


def lines(message: StoredMessage) -> list[str]:
    return [line.removeprefix("\u200f") for line in message.text.split("\n")]


@needs_charts
async def test_the_report_in_arabic_then_the_chart(
    console: Console, telegram: FakeTelegram
) -> None:
    async with running(console, telegram) as app:
        report, chart = await stats(app, telegram)
    shown = lines(report)
    assert shown[0] == "📊 إحصاءات «نشرة»"
    assert shown[1].endswith("(توقيت سوريا)")
    for expected in [
        # Readers: active, stopped, blocked; the active ones by category (not the channel).
        "👥 القرّاء", "نشطون: ٢ · أوقفوا الأخبار: ١ · حظروا البوت أو غادروا تيليغرام: ١",
        "• سياسة: ٢", "• اقتصاد: ١",
        # Articles today and in the last seven days, by source and by category.
        "📰 الأخبار", "اليوم: ٤ · في آخر ٧ أيام: ٧",
        "حسب المصدر (اليوم / آخر ٧ أيام):", "• عنب بلدي: ٣ / ٥", "• feeds.bbci.co.uk: ١ / ٢",
        "حسب التصنيف (اليوم / آخر ٧ أيام):", "• سياسة: ٣ / ٤", "• اقتصاد: ٠ / ٢",
        "• بلا تصنيف: ١ / ١", "• رياضة: ٠ / ١",
        # Deliveries, and how long the oldest pending one has waited.
        "📤 إرسال الأخبار", "أُرسلت اليوم: ٢ · في آخر ٧ أيام: ٣",
        "بانتظار الإرسال: ٢ (أقدمها منذ ساعتين)", "مؤجَّلة لملخّصات القرّاء: ١",
        "تعذّر إرسالها، مما خُطِّط له في آخر ٧ أيام: ١",
        "⚠️ مصادر متعثرة: ٢", "  HTTP 404", "  HTTP 500",
    ]:  # fmt: skip
        assert expected in shown, expected
    troubled = [line for line in shown if line.startswith("• مصدر")]
    assert troubled[0].startswith("• مصدر معطّل — ⛔ معطّل بعد")
    assert troubled[1].startswith("• مصدر متعثر — ⚠️ يفشل منذ")
    assert "paused.example.sy" not in report.text  # paused by an operator: not failing
    assert "📣" not in report.text  # no broadcast yet
    # Then the chart: a PNG Telegram accepts, its caption within the limit.
    photo = chart.extra["photo"][-1]
    assert telegram.photo(chart).startswith(PNG)
    assert (photo["width"], photo["height"]) == (1100, 616)
    caption = chart.extra["caption"].removeprefix("\u200f")
    assert caption.startswith("📊 الأخبار حسب التصنيف يوماً بيوم، من ")
    assert " (توقيت سوريا). الخبر في تصنيفين يُحسب في كليهما" in caption
    assert utf16_len(chart.extra["caption"]) <= MAX_CAPTION_UTF16


@needs_charts
async def test_an_english_admin_reads_it_in_english(
    console: Console, telegram: FakeTelegram
) -> None:
    async with running(console, telegram) as app:
        report, chart = await stats(app, telegram, ENGLISH_ADMIN)
    shown = lines(report)
    assert shown[0] == "📊 Nashra's statistics"
    for expected in [
        "active: 2 · stopped: 1 · blocked the bot or left Telegram: 1",
        "today: 4 · last 7 days: 7",
        "• عنب بلدي: 3 / 5", "• no category: 1 / 1", "sent today: 2 · last 7 days: 3",
        "waiting: 2 (the oldest planned 2 hours ago)",
        "failed, of those planned in the last 7 days: 1",
        "⚠️ Failing feeds: 2",
    ]:  # fmt: skip
        assert expected in shown, expected
    assert chart.extra["caption"].startswith("📊 Articles by category, day by day, from ")
    assert "(Syria Time)" in chart.extra["caption"]


async def test_without_matplotlib_the_text_comes_alone(
    console: Console, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the extra were not installed
    async with running(console, telegram) as app:
        answers = await stats(app, telegram)
    assert len(answers) == 1
    assert "اليوم: ٤ · في آخر ٧ أيام: ٧" in lines(answers[0])
    assert not telegram.calls_of("sendPhoto")


async def test_an_empty_install_gets_zeros_and_no_chart(
    console: Console, telegram: FakeTelegram
) -> None:
    async with running(console, telegram, seeded=False) as app:
        answers = await stats(app, telegram)
    assert len(answers) == 1  # no picture of nothing
    shown = lines(answers[0])
    for expected in [
        "نشطون: ٠ · أوقفوا الأخبار: ٠ · حظروا البوت أو غادروا تيليغرام: ٠",
        "اليوم: ٠ · في آخر ٧ أيام: ٠", "أُرسلت اليوم: ٠ · في آخر ٧ أيام: ٠",
        "بانتظار الإرسال: ٠", text("stats_troubled_none"),
    ]:  # fmt: skip
        assert expected in shown, expected
    assert not any(line.startswith("حسب") for line in shown)
    assert not telegram.calls_of("sendPhoto")


@needs_charts
async def test_a_broadcast_shows_its_progress(console: Console, telegram: FakeTelegram) -> None:
    async with running(console, telegram) as app:
        services = services_of(app)
        now = services.now()
        async with services.sessions.begin() as session:
            sent = await draft(session, "<b>تنبيه</b>", ADMIN, "المشرف", now - timedelta(hours=1))
            await take_draft(session, sent.id, ADMIN, BroadcastState.SENT, now - timedelta(hours=1))
            later = now + timedelta(days=1)  # not due during the test: the sender leaves it
            session.add_all([
                Delivery(broadcast_id=sent.id, chat_id=ACTIVE, status=DeliveryStatus.SENT,
                         next_attempt_at=now, sent_at=now, created_at=now),
                Delivery(broadcast_id=sent.id, chat_id=ACTIVE_TOO, status=DeliveryStatus.PENDING,
                         next_attempt_at=later, created_at=now),
            ])  # fmt: skip
        report, _ = await stats(app, telegram)
    shown = lines(report)
    heading = shown.index("📣 الرسائل إلى كل القرّاء (أُرسلت / تنتظر / لم تصل):")
    assert shown[heading + 1].endswith(": ١ / ١ / ٠")


@needs_charts
async def test_a_long_report_shrinks_to_one_message(
    console: Console, telegram: FakeTelegram
) -> None:
    """Thirty failing feeds with names of 200 letters: the lists shrink, the rest counted."""
    async with running(console, telegram) as app:
        now = services_of(app).now()
        async with services_of(app).sessions.begin() as session:
            for i in range(30):
                name = (f"{i} " + "مصدر طويل الاسم جداً " * 10)[:FEED_NAME_CHARS]  # at the limit
                feed = await add_feed(session, f"https://site{i}.example.sy/rss", name=name)
                feed.error_count, feed.failing_since = 2, now - timedelta(hours=i)
                feed.last_error = "خطأ طويل " * 40
                feed.next_poll_at = now + timedelta(days=1)
        report, _ = await stats(app, telegram)
    assert utf16_len(report.text) <= MAX_TEXT_UTF16
    shown = lines(report)
    assert "⚠️ مصادر متعثرة: ٣٢" in shown
    more = [line for line in shown if line.startswith("… و")]
    assert more, "the failing feeds past the first ones are counted, not listed"
    assert "اليوم: ٤ · في آخر ٧ أيام: ٧" in shown  # the rest of the report is whole


@needs_charts
async def test_two_admins_at_once_each_get_their_chart(
    console: Console, telegram: FakeTelegram
) -> None:
    """Charts are drawn one at a time (matplotlib is not thread-safe); both arrive."""
    async with running(console, telegram) as app:
        for user in (ADMIN, ENGLISH_ADMIN):
            telegram.user_sends(user, "/stats")
        await telegram.wait_for(
            lambda: all(len(telegram.sent(user)) >= 2 for user in (ADMIN, ENGLISH_ADMIN)),
            timeout=30,
        )
        await nothing_being_handled(app)
    for user in (ADMIN, ENGLISH_ADMIN):
        report, chart = telegram.sent(user)
        assert "📊" in report.text
        assert telegram.photo(chart).startswith(PNG)


async def test_latin_digits_and_a_short_retention_are_said(
    console: Console, telegram: FakeTelegram
) -> None:
    """DIGITS=latn: every number of the Arabic report in Latin digits; a retention shorter
    than the week says the week's counts fall short."""
    async with running(console, telegram, digits="latn", outbox_retention_days=3) as app:
        report, *_ = await stats(app, telegram)
    shown = lines(report)
    assert "اليوم: 4 · في آخر 7 أيام: 7" in shown
    assert "(يُحذف سجلّ ما أُرسل بعد 3 أيام، فالأعداد أقل مما كانت)" in shown
    assert not any(ch in report.text for ch in "٠١٢٣٤٥٦٧٨٩")

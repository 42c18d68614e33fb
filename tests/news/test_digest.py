"""Digests: when they are due, how they group, where they split."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.news.digest import DigestItem, digest_due, format_digest
from bot.text.html import telegram_length

DAMASCUS = ZoneInfo("Asia/Damascus")  # UTC+3


@pytest.mark.parametrize(
    ("mode", "now", "last", "hour", "due"),
    [
        ("hourly", datetime(2026, 1, 11, 9, tzinfo=UTC), None, 8, True),
        (
            "hourly",
            datetime(2026, 1, 11, 9, tzinfo=UTC),
            datetime(2026, 1, 11, 8, 30, tzinfo=UTC),
            8,
            False,
        ),
        (
            "hourly",
            datetime(2026, 1, 11, 9, tzinfo=UTC),
            datetime(2026, 1, 11, 8, tzinfo=UTC),
            8,
            True,
        ),
        ("daily", datetime(2026, 1, 11, 4, 59, tzinfo=UTC), None, 8, False),  # 07:59 local
        ("daily", datetime(2026, 1, 11, 5, 0, tzinfo=UTC), None, 8, True),  # 08:00 local
        (
            "daily",
            datetime(2026, 1, 11, 15, tzinfo=UTC),
            datetime(2026, 1, 11, 5, tzinfo=UTC),
            8,
            False,
        ),
        (
            "daily",
            datetime(2026, 1, 12, 5, tzinfo=UTC),
            datetime(2026, 1, 11, 5, tzinfo=UTC),
            8,
            True,
        ),
        ("instant", datetime(2026, 1, 11, 9, tzinfo=UTC), None, 8, False),
    ],
)
def test_digest_due(mode: str, now: datetime, last: datetime | None, hour: int, due: bool) -> None:
    assert digest_due(mode, now=now, last=last, digest_hour=hour, zone=DAMASCUS) is due


def test_grouped_by_category_with_links() -> None:
    items = [
        DigestItem("انسحاب من حلب", "https://a.sy/1", "a.sy", ["سياسة"]),
        DigestItem("الليرة تتراجع", "https://b.sy/2", "b.sy", ["اقتصاد"]),
        DigestItem("جلسة البرلمان", "https://a.sy/3", "a.sy", ["سياسة", "اقتصاد"]),
        DigestItem("خبر بلا تصنيف", "https://c.sy/4", "c.sy", []),
    ]
    [part] = format_digest(items, "hourly")
    message = part.text
    assert part.items == (0, 2, 1, 3)
    lines = message.splitlines()
    assert lines[0] == "<b>📰 نشرة الساعة</b>"
    politics = lines.index("<b>سياسة</b>")
    economy = lines.index("<b>اقتصاد</b>")
    assert "انسحاب من حلب" in lines[politics + 1]
    assert "جلسة البرلمان" in lines[politics + 2]
    assert "الليرة تتراجع" in lines[economy + 1]
    assert '<a href="https://a.sy/1">a.sy</a>' in message
    assert "<b>أخبار أخرى</b>" in message


def test_long_digest_is_split_at_the_limit_between_lines() -> None:
    items = [
        DigestItem(f"عنوان خبر طويل نسبياً رقم {n} " * 3, f"https://a.sy/{n}", "a.sy", ["سياسة"])
        for n in range(200)
    ]
    parts = format_digest(items, "daily")
    assert len(parts) > 1
    assert all(telegram_length(part.text) <= 4096 for part in parts)
    joined = "\n".join(part.text for part in parts)
    assert all(f'https://a.sy/{n}"' in joined for n in range(200))
    assert parts[0].text.startswith("<b>📰 نشرة اليوم</b>")
    # Every item is listed in exactly one part, and the part says which.
    assert sorted(i for part in parts for i in part.items) == list(range(200))
    assert all(f'https://a.sy/{i}"' in part.text for part in parts for i in part.items)


def test_no_items_no_digest() -> None:
    assert format_digest([], "hourly") == []


def test_english_digest_title() -> None:
    [part] = format_digest([DigestItem("x", "https://a", "a", [])], "daily", "en")
    message = part.text
    assert "Your daily digest" in message
    assert "Other news" in message


def test_headline_is_escaped() -> None:
    [part] = format_digest([DigestItem("<script>&", "javascript:x", "", [])], "hourly")
    message = part.text
    assert "&lt;script&gt;&amp;" in message
    assert "javascript" not in message


def test_due_uses_the_local_day() -> None:
    # 23:30 in Damascus is 20:30 UTC: a digest sent then counts for that local day.
    last = datetime(2026, 1, 11, 20, 30, tzinfo=UTC)
    now = last + timedelta(hours=2)  # 01:30 local, next day, before the 08:00 digest
    assert not digest_due("daily", now=now, last=last, digest_hour=8, zone=DAMASCUS)

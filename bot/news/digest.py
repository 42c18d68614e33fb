"""Digests: one message listing a period's headlines with links, grouped by category.

Pure functions: when a reader's digest is due, what it says, and where it is split so that
no part exceeds Telegram's limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.news.formatter import TELEGRAM_TEXT_LIMIT
from bot.news.summary import truncate_words
from bot.text.html import escape, escape_attr, rtl_paragraph, telegram_length

UNCATEGORISED = {"ar": "أخبار أخرى", "en": "Other news"}
TITLE = {
    "hourly": {"ar": "📰 نشرة الساعة", "en": "📰 Your hourly digest"},
    "daily": {"ar": "📰 نشرة اليوم", "en": "📰 Your daily digest"},
}


@dataclass(frozen=True)
class DigestItem:
    headline: str
    link: str
    source_domain: str
    categories: Sequence[str]


def digest_due(
    mode: str, *, now: datetime, last: datetime | None, digest_hour: int, zone: ZoneInfo
) -> bool:
    """Whether a reader's digest should go now (hourly: an hour since the last one; daily: at
    the chosen local hour, once a local day)."""
    if mode == "hourly":
        return last is None or now - last >= timedelta(hours=1)
    if mode == "daily":
        local = now.astimezone(zone)
        if local.hour < digest_hour:
            return False
        return last is None or last.astimezone(zone).date() < local.date()
    return False


def _line(item: DigestItem) -> str:
    headline = escape(rtl_paragraph(truncate_words(" ".join(item.headline.split()), 300)))
    if item.link.startswith(("http://", "https://")):
        source = f'<a href="{escape_attr(item.link)}">{escape(item.source_domain or "↗")}</a>'
        return f"• {headline} — {source}"
    return f"• {headline}"


def format_digest(items: Sequence[DigestItem], mode: str, language: str = "ar") -> list[str]:
    """The digest as HTML message parts, each within Telegram's limit, never splitting a line."""
    lang = "en" if language == "en" else "ar"
    groups: dict[str, list[DigestItem]] = {}
    for item in items:
        first = item.categories[0] if item.categories else UNCATEGORISED[lang]
        groups.setdefault(first, []).append(item)
    blocks: list[str] = [f"<b>{escape(TITLE[mode][lang])}</b>"]
    for category, members in groups.items():
        blocks.append(f"\n<b>{escape(category)}</b>")
        blocks.extend(_line(item) for item in members)
    parts: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n{block}" if current else block
        if current and telegram_length(candidate) > TELEGRAM_TEXT_LIMIT:
            parts.append(current)
            candidate = block
        current = candidate
    if current:
        parts.append(current)
    return parts

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
from bot.text.locale import interface_language

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


@dataclass(frozen=True)
class DigestPart:
    """One message of a digest, and which of the items it lists (their indices)."""

    text: str
    items: tuple[int, ...]


def format_digest(
    items: Sequence[DigestItem], mode: str, language: str | None = "ar"
) -> list[DigestPart]:
    """The digest as HTML message parts, each within Telegram's limit, never splitting a line.

    No items, no parts.
    """
    if not items:
        return []
    lang = interface_language(language)
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        first = item.categories[0] if item.categories else UNCATEGORISED[lang]
        groups.setdefault(first, []).append(index)
    # (block of HTML, the item it lists or None for a heading)
    blocks: list[tuple[str, int | None]] = [(f"<b>{escape(TITLE[mode][lang])}</b>", None)]
    for category, members in groups.items():
        blocks.append((f"\n<b>{escape(category)}</b>", None))
        blocks.extend((_line(items[member]), member) for member in members)
    parts: list[DigestPart] = []
    current, listed = "", list[int]()
    for block, listed_item in blocks:
        candidate = f"{current}\n{block}" if current else block
        if current and telegram_length(candidate) > TELEGRAM_TEXT_LIMIT:
            parts.append(DigestPart(current, tuple(listed)))
            candidate, listed = block, []
        current = candidate
        if listed_item is not None:
            listed.append(listed_item)
    if current:
        parts.append(DigestPart(current, tuple(listed)))
    return parts

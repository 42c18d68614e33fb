"""Turn a feed body into normalised entries. Pure and picklable: it runs in worker processes.

feedparser is given bytes, never a URL, so that it does no network I/O of its own.
"""

from __future__ import annotations

import calendar
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from bot.errors import ParseError
from bot.news.dedupe import canonical_link, entry_key
from bot.news.summary import summarise
from bot.text.arabic import article_terms, detect_language, indexable_text_terms
from bot.text.html import html_to_text

# Dates before this are placeholders (Hugo's year 1, Unix 0), not publication times.
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)
# A clock a little ahead of ours is normal; a date further ahead is wrong.
FUTURE_TOLERANCE = timedelta(hours=1)


@dataclass(frozen=True)
class Entry:
    """One feed entry, cleaned: plain text, aware UTC dates, canonical link, dedupe key."""

    key: str
    title: str
    text: str
    link: str | None
    canonical_link: str | None
    published_at: datetime
    dated: bool  # False when published_at fell back to the fetch time
    labels: tuple[str, ...]
    language: str | None
    summary: str
    # The normalised, stemmed terms of title and text, space-separated: computed here, in the
    # worker process, once for categories and keyword alerts.
    terms: str
    # The search index's terms of the title and of the text (document_terms), also computed
    # here: storing an article then indexes it without stemming on the event loop. None:
    # not computed (storage computes them).
    title_terms: tuple[str, ...] | None = None
    text_terms: tuple[str, ...] | None = None
    # The text is the article page's, fetched because the feed's was thin (bot/feeds/pages.py);
    # page_error says why a wanted page was not used.
    full_text: bool = False
    page_error: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str | None
    entries: list[Entry] = field(default_factory=list)  # oldest first
    warning: str | None = None  # a recovered problem (bozo) worth recording


def _date(entry: Any, fetched_at: datetime) -> tuple[datetime, bool]:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict maps updated→published with a DeprecationWarning.
        parsed: time.struct_time | None = dict.get(entry, name)
        if not parsed:
            continue
        try:
            moment = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        except (OverflowError, ValueError, OSError):
            continue
        if EARLIEST_PLAUSIBLE <= moment <= fetched_at + FUTURE_TOLERANCE:
            return moment, True
    return fetched_at, False


def _body_html(entry: Any) -> str:
    # The longest of content:encoded / Atom content and the description is the body.
    candidates = [part.get("value", "") for part in entry.get("content") or ()]
    candidates.append(entry.get("summary") or entry.get("description") or "")
    return max(candidates, key=len)


def _storable(value: str) -> str:
    # feedparser keeps NUL characters (its loose parser), and PostgreSQL refuses them in text
    # columns, with the whole poll of the feed.
    return value.replace("\x00", "")


def _labels(entry: Any) -> tuple[str, ...]:
    labels: list[str] = []
    for tag in entry.get("tags") or ():
        label = _storable(html_to_text(tag.get("term") or tag.get("label") or "")).strip()
        if label and label not in labels:
            labels.append(label)
    return tuple(labels)


def _guid(raw: Any) -> str:
    return (raw.get("id") or "").strip()


def _repeated_guids(raws: Iterable[Any]) -> frozenset[str]:
    counts = Counter(guid for raw in raws if (guid := _guid(raw)))
    return frozenset(guid for guid, count in counts.items() if count > 1)


def _entry(
    raw: Any, fetched_at: datetime, summary_chars: int, repeated: frozenset[str] = frozenset()
) -> Entry | None:
    title = " ".join(_storable(html_to_text(raw.get("title") or "")).split())
    text = _storable(html_to_text(_body_html(raw)))
    link = _storable(raw.get("link") or "") or None
    if not title and not text:
        return None
    if not title:
        # Untitled posts (microblogs, some Jekyll feeds): the first line stands in.
        title = text.split("\n", 1)[0][:200]
    published_at, dated = _date(raw, fetched_at)
    date_text = dict.get(raw, "published") or dict.get(raw, "updated")
    language = detect_language(f"{title}\n{text[:2000]}")
    # One pass over the words for all three; the text's index terms are cut where storage
    # would cut them, before they are pickled back from the worker.
    terms = article_terms(title, text)
    return Entry(
        key=entry_key(_guid(raw), link, title, date_text, guid_repeats=_guid(raw) in repeated),
        title=title,
        text=text,
        link=link,
        canonical_link=canonical_link(link),
        published_at=published_at,
        dated=dated,
        labels=_labels(raw),
        language=language,
        summary=summarise(text, summary_chars, headline=title),
        terms=" ".join(terms.index),
        title_terms=tuple(terms.title),
        text_terms=indexable_text_terms(terms.text),
    )


def _unique_oldest_first(entries: Iterable[Entry]) -> list[Entry]:
    # Feeds list newest first, but not all do: sort by date, keeping feed order for ties
    # (reversed, since the feed's first entry is its newest).
    seen: set[str] = set()
    unique: list[Entry] = []
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            unique.append(entry)
    unique.reverse()
    unique.sort(key=lambda entry: entry.published_at)
    return unique


def parse_feed(body: bytes, fetched_at: datetime, summary_chars: int = 400) -> ParsedFeed:
    """Parse and clean a feed body; raise ParseError when it is not a usable feed."""
    if not body.strip():
        raise ParseError("empty response: the server sent no feed")
    # Not sanitised by feedparser: its sanitiser keeps the text inside <script>; html_to_text
    # drops such elements whole, and every text is escaped again when a post is formatted.
    # Nor are relative links resolved: html_to_text drops links, and resolving costs a third of
    # feedparser's time.
    result = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    problem = result.get("bozo_exception")
    if not result.entries:
        if not result.get("version"):
            reason = f" ({problem})" if problem else ""
            raise ParseError(f"not an RSS or Atom feed{reason}")
    repeated = _repeated_guids(result.entries)
    entries = [
        entry
        for raw in result.entries
        if (entry := _entry(raw, fetched_at, summary_chars, repeated))
    ]
    channel = result.get("feed", {})
    return ParsedFeed(
        title=" ".join(html_to_text(channel.get("title") or "").split()),
        link=channel.get("link") or None,
        entries=_unique_oldest_first(entries),
        warning=f"feed recovered from an error: {problem}" if problem else None,
    )

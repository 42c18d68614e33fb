"""Turn a feed body into normalised entries. Pure and picklable: it runs in worker processes.

feedparser is given bytes, never a URL, so that it does no network I/O of its own.
"""

from __future__ import annotations

import calendar
import html
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import feedparser

from bot.errors import ParseError
from bot.feeds import fastparse
from bot.news.dedupe import canonical_link, entry_key
from bot.news.summary import summarise
from bot.text.arabic import article_terms, detect_language, indexable_text_terms
from bot.text.html import html_to_text
from storage.models import LINK_CHARS

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
    # The entry's picture: an absolute http(s) address, None for none (else og:image of the
    # page, when one was read).
    image: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str | None
    entries: list[Entry] = field(default_factory=list)  # oldest first
    warning: str | None = None  # a recovered problem (bozo) worth recording
    # WebSub (issue 12): the hub the feed names (<link rel="hub">) and its topic
    # (rel="self"); None when it names none.
    hub: str | None = None
    topic: str | None = None


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


_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp")
_URL_SAFE = "/:@!$&'()*+,;=?%~-._"
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
# Counters and share buttons that feeds put in their HTML as pictures (WordPress's comment
# count, FeedBurner's flare): never the article's picture.
_TRACKERS = (
    "feeds.wordpress.com/", "pixel.wp.com/", "stats.wordpress.com/", "feeds.feedburner.com/",
    "feedads.g.doubleclick.net/", "www.facebook.com/tr",
)  # fmt: skip
# WordPress turns ":)" into a picture; a post that opens with one has no picture of its own.
_SMILEYS = ("/wp-includes/images/smilies/", "s.w.org/images/core/emoji/")


def _image(raw: Any, body_html: str, link: str | None) -> str | None:
    """The entry's picture: media:content, media:thumbnail, an image enclosure, else the first
    picture of its HTML; the first candidate that is a usable address."""
    for candidate, width, height in _image_candidates(raw, body_html):
        if (url := _image_address(candidate, link)) and not _is_decoration(url, width, height):
            return url
    return None


def _image_candidates(raw: Any, body_html: str) -> Iterable[tuple[str, object, object]]:
    for media in raw.get("media_content") or ():
        kind = str(media.get("type") or "").lower()
        url = str(media.get("url") or "")
        if (
            media.get("medium") == "image"
            or kind.startswith("image/")
            or (not kind and not media.get("medium") and _looks_like_image(url))
        ):
            yield url, media.get("width"), media.get("height")
    # A feed may list a picture's sizes as several thumbnails: the largest is the picture.
    thumbnails = list(raw.get("media_thumbnail") or ())
    thumbnails.sort(key=_declared_area, reverse=True)
    for thumbnail in thumbnails:
        yield str(thumbnail.get("url") or ""), thumbnail.get("width"), thumbnail.get("height")
    # feedparser lists RSS's <enclosure> and Atom's <link rel="enclosure"> as links.
    for link in raw.get("links") or ():
        if link.get("rel") == "enclosure" and str(link.get("type") or "").startswith("image/"):
            yield str(link.get("href") or ""), None, None
    for tag in _IMG_TAG.finditer(body_html):
        attributes = {
            name.lower(): html.unescape(value.strip("\"'"))
            for name, value in _ATTRIBUTE.findall(tag.group())
        }
        yield attributes.get("src", ""), attributes.get("width"), attributes.get("height")


def _declared_area(thumbnail: Any) -> int:
    try:
        return int(thumbnail.get("width") or 0) * int(thumbnail.get("height") or 0)
    except ValueError:
        return 0


def _looks_like_image(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(_IMAGE_SUFFIXES)


def _image_address(candidate: str, link: str | None) -> str | None:
    """An absolute http(s) address that fits the column, resolving a relative one against
    the entry's link; None for data: URIs and anything else."""
    candidate = _storable(candidate).strip()
    if not candidate or candidate.lower().startswith("data:"):
        return None
    try:
        url = urljoin(link or "", candidate)
        parts = urlsplit(url)
    except ValueError:  # an invalid IPv6 host, say
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # Arabic file names and spaces, percent-encoded as a browser sends them; escapes stay.
    path, query, fragment = (quote(part, safe=_URL_SAFE) for part in parts[2:])
    url = urlunsplit((parts.scheme, parts.netloc, path, query, fragment))
    return url if len(url) <= LINK_CHARS else None


def _is_decoration(url: str, width: object, height: object) -> bool:
    """A tracking pixel (1×1, or a known counter) or a smiley, not a picture."""
    if str(width).strip() in ("0", "1") and str(height).strip() in ("0", "1"):
        return True
    address = url.split("://", 1)[1].lower()
    return address.startswith(_TRACKERS) or any(part in address for part in _SMILEYS)


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
    body_html = _body_html(raw)
    text = _storable(html_to_text(body_html))
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
        image=_image(raw, body_html, link),
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


def parse_feed(
    body: bytes, fetched_at: datetime, summary_chars: int = 400, *, fast: bool = True
) -> ParsedFeed:
    """Parse and clean a feed body; raise ParseError when it is not a usable feed.

    fast=False always asks feedparser; by default the fast reader (bot/feeds/fastparse.py)
    reads the bodies it mirrors exactly, and feedparser the others: the same ParsedFeed."""
    if not body.strip():
        raise ParseError("empty response: the server sent no feed")
    # --- the raw parse: the fast reader, else feedparser (same keys either way) ---
    raw = _fast_raw(body) if fast else None
    if raw is None:
        raw_entries, channel, problem = _feedparser_raw(body)
    else:
        raw_entries, channel, problem = raw.entries, raw.feed, None
    # --- end of the raw parse ---
    repeated = _repeated_guids(raw_entries)
    entries = [
        entry
        for raw_entry in raw_entries
        if (entry := _entry(raw_entry, fetched_at, summary_chars, repeated))
    ]
    hub, topic = _websub_links(channel)
    return ParsedFeed(
        title=" ".join(html_to_text(channel.get("title") or "").split()),
        link=channel.get("link") or None,
        entries=_unique_oldest_first(entries),
        warning=f"feed recovered from an error: {problem}" if problem else None,
        hub=hub,
        topic=topic,
    )


def _fast_raw(body: bytes) -> fastparse.FastFeed | None:
    try:
        return fastparse.read(body)
    except fastparse.Routed:
        return None


def _feedparser_raw(body: bytes) -> tuple[list[Any], Any, object]:
    """feedparser's entries, channel and bozo exception; ParseError for what is no feed."""
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
    return result.entries, result.get("feed", {}), problem


# --- WebSub discovery (issue 11): kept apart from the raw parse above. ---


def _websub_links(channel: Any) -> tuple[str | None, str | None]:
    """The feed's first rel="hub" and rel="self" links (atom:link in RSS too), if any."""
    found: dict[str, str] = {}
    for link in channel.get("links") or ():
        rel, href = str(link.get("rel") or ""), _storable(str(link.get("href") or "")).strip()
        if rel in ("hub", "self") and href.startswith(("http://", "https://")):
            found.setdefault(rel, href)
    return found.get("hub"), found.get("self")

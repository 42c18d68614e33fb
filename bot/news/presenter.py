"""Search results as a reader sees them: inline results and the numbered list of /search.

Pure: the handlers (handlers/search.py) fetch a page from the search service and turn what
this module returns into Telegram objects. Nothing here talks to Telegram or the database.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from urllib.parse import urlsplit

from bot.news.formatter import PostSource, PostStyle, article_url, format_post, is_web_url
from bot.news.search import ParsedQuery
from bot.news.summary import truncate_words
from bot.text.dates import Digits, relative_date, to_digits
from bot.text.html import RLM
from bot.text.messages import language_of, text

INLINE_PAGE = 20  # results per inline answer (Telegram takes up to 50); each is a whole post
LIST_PAGE = 5  # lines of a /search or /latest message
MAX_OFFSET = 1000  # no page starts deeper; a forged offset beyond it is read as 0 (or stale)
# A headline as an inline result's title or a line of a list: 5 lines stay far below
# Telegram's 4096 characters, whatever a feed calls a headline.
HEADLINE_CHARS = 200
INLINE_NONE_QUERY_CHARS = 48  # of the query, in the "nothing found" button
REMEMBERED = 100  # long queries kept per chat for their paging buttons
CALLBACK_BYTES = 64  # Telegram's limit on callback data

# Paging buttons: "<s|l><q|k>:<offset>:<query, category or key>". s = a search, l = the latest;
# q = the text itself follows, k = a key of the text kept in the chat's data (too long to carry).
PAGE_DATA = re.compile(r"^([sl])([qk]):([0-9]{1,4}):(.*)\Z", re.DOTALL)
_OFFSET = re.compile(r"[0-9]{1,4}", re.ASCII)


class Found(Protocol):
    """One article a search found (bot.search.Hit)."""

    @property
    def article_id(self) -> int: ...

    @property
    def source(self) -> PostSource: ...

    @property
    def published_at(self) -> datetime: ...

    @property
    def image_url(self) -> str | None: ...


class Page(Protocol):
    """A page of what a search found (bot.search.SearchPage)."""

    @property
    def hits(self) -> Sequence[Found]: ...

    @property
    def offset(self) -> int: ...

    @property
    def next_offset(self) -> int | None: ...

    @property
    def query(self) -> ParsedQuery: ...


@dataclass(frozen=True)
class Reader:
    """Who reads the results: the interface language, and the date locale and digits."""

    language: str  # "ar" or "en"
    locale: str
    digits: Digits

    @classmethod
    def of(cls, language_code: str | None, locale: str, digits: Digits) -> Reader:
        """Arabic readers get the deployment's locale and digits; others, English."""
        if language_of(language_code) == "ar":
            return cls("ar", locale, digits)
        return cls("en", "en", "latn")


# ---------------------------------------------------------------------------- inline mode


@dataclass(frozen=True)
class InlineResult:
    """An inline result: an article whose chosen message is its channel post."""

    id: str
    title: str
    description: str
    message_text: str  # HTML
    preview_url: str  # the link shown as the preview, "" for none
    keyboard: list[list[dict[str, str]]]  # Bot API JSON, as Post.keyboard() gives it
    thumbnail_url: str | None


def inline_results(
    hits: Sequence[Found], style: PostStyle, reader: Reader, now: datetime
) -> list[InlineResult]:
    """The posts of a page as inline results, titled by headline, described by date and source."""
    results = []
    for hit in hits:
        post = format_post(hit.source, style)
        thumbnail = hit.image_url if hit.image_url and is_web_url(hit.image_url) else None
        results.append(
            InlineResult(
                id=str(hit.article_id),
                title=headline_of(hit.source),
                description=when_and_where(hit, reader, now),
                message_text=post.text,
                preview_url=post.button_url,
                keyboard=post.keyboard(),
                thumbnail_url=thumbnail,
            )
        )
    return results


def inline_next_offset(page: Page) -> str | None:
    """answerInlineQuery's next_offset: None at the end (and beyond MAX_OFFSET)."""
    more = page.next_offset is not None and page.next_offset <= MAX_OFFSET
    return str(page.next_offset) if more else None


def inline_offset(raw: str) -> int:
    """The offset Telegram sends back from our next_offset; anything else (forged) is 0."""
    if not _OFFSET.fullmatch(raw):
        return 0
    offset = int(raw)
    return offset if offset <= MAX_OFFSET else 0


def inline_none(query: ParsedQuery, reader: Reader) -> str:
    """The button over an empty first page: nothing found for the query, or no news yet."""
    if query.text:
        return text("inline_none", reader.language, query=query.text[:INLINE_NONE_QUERY_CHARS])
    return text("inline_none_yet", reader.language)


# ---------------------------------------------------------------------------- /search, /latest


@dataclass(frozen=True)
class Listing:
    """What a /search or /latest message shows: a search or the latest, from an offset."""

    kind: Literal["s", "l"]
    argument: str  # the cleaned query, or the category ("" for every category)
    offset: int = 0

    def at(self, offset: int) -> Listing:
        return Listing(self.kind, self.argument, offset)


@dataclass(frozen=True)
class ListPage:
    """A results message: its HTML text and its paging buttons, in reading order."""

    text: str
    buttons: list[tuple[str, Listing]]  # (label, the page it shows)


def list_page(listing: Listing, page: Page, reader: Reader, now: datetime) -> ListPage:
    """One page: a heading, then per article a numbered headline linking to it and its date."""
    shown = html.escape(page.query.text if listing.kind == "s" else listing.argument)
    buttons = _paging(listing, page.next_offset, reader)
    if not page.hits:
        if listing.offset > 0:
            key = "search_end"
        elif listing.kind == "s":
            key = "search_none"
        else:
            key = "latest_none_in" if listing.argument else "latest_none"
        return ListPage(text(key, reader.language, query=shown, category=shown), buttons)
    if listing.kind == "s":
        heading = text("search_results", reader.language, query=shown)
    elif listing.argument:
        heading = text("latest_in", reader.language, category=shown)
    else:
        heading = text("latest_results", reader.language)
    # A numbered line starts with a digit, which would lay an Arabic one out left to right.
    mark = RLM if reader.language == "ar" else ""
    lines = [heading]
    for number, hit in enumerate(page.hits, listing.offset + 1):
        headline = html.escape(headline_of(hit.source))
        url = article_url(hit.source)
        title = f'<a href="{html.escape(url)}">{headline}</a>' if url else f"<b>{headline}</b>"
        when = html.escape(when_and_where(hit, reader, now))
        lines.append(f"{mark}{to_digits(str(number), reader.digits)}. {title}\n{when}")
    return ListPage("\n\n".join(lines), buttons)


def _paging(listing: Listing, next_offset: int | None, reader: Reader) -> list[tuple[str, Listing]]:
    more = next_offset if next_offset is not None and next_offset <= MAX_OFFSET else None
    return [
        (label, listing.at(offset))
        for label, offset in page_buttons(listing.offset, more, LIST_PAGE, reader.language)
    ]


def page_buttons(
    offset: int, next_offset: int | None, step: int, language: str
) -> list[tuple[str, int]]:
    """«السابق» / «التالي» of a paged message: (label, the offset it shows), in reading
    order; none for a first page that is also the last."""
    buttons = []
    if offset > 0:
        buttons.append((text("previous_button", language), max(offset - step, 0)))
    if next_offset is not None:
        buttons.append((text("next_button", language), next_offset))
    if language == "ar":
        buttons.reverse()  # read right to left: «السابق» on the right, «التالي» on the left
    return buttons


def paging_data(listing: Listing, kept: MutableMapping[str, str] | None) -> str:
    """A paging button's callback data: the text itself when it fits, else a key of it kept
    in `kept` (the chat's data; the oldest of more than REMEMBERED are forgotten)."""
    data = f"{listing.kind}q:{listing.offset}:{listing.argument}"
    if len(data.encode()) <= CALLBACK_BYTES:
        return data
    key = hashlib.blake2s(listing.argument.encode(), digest_size=8).hexdigest()
    if kept is not None:
        kept.pop(key, None)
        kept[key] = listing.argument  # the newest last: the oldest are forgotten first
        while len(kept) > REMEMBERED:
            del kept[next(iter(kept))]
    return f"{listing.kind}k:{listing.offset}:{key}"


def listing_of(data: str, kept: MutableMapping[str, str] | None) -> Listing | None:
    """The page a button asks for; None for data we did not write or a key forgotten."""
    match = PAGE_DATA.match(data)
    if match is None:
        return None
    kind, form, offset, argument = match.groups()
    if int(offset) > MAX_OFFSET:
        return None
    if form == "k":
        if kept is None or argument not in kept:
            return None  # from before a restart, or forged
        argument = kept[argument]
    return Listing("s" if kind == "s" else "l", argument, int(offset))


# ---------------------------------------------------------------------------- shared


def when_and_where(hit: Found, reader: Reader, now: datetime) -> str:
    """How long ago and the source, in the reader's language: "منذ ساعتين · hashtagsyria.com",
    "hashtagsyria.com · 2 hours ago".

    Telegram lays a line out by its first strong letter: an Arabic line that began with the
    Latin domain would read left to right (DESIGN.md §1), so Arabic puts the date first."""
    just_now = text("just_now", reader.language)
    when = relative_date(hit.published_at, now, reader.locale, reader.digits, just_now=just_now)
    source = hit.source.source_domain or urlsplit(hit.source.link).hostname or ""
    if not source:
        return when
    return f"{when} · {source}" if reader.language == "ar" else f"{source} · {when}"


def headline_of(source: PostSource) -> str:
    """The article's one-line headline, never empty: Telegram refuses a whole inline answer
    if one result's title is empty."""
    for candidate in (source.headline, source.original_title, source.link, source.source_domain):
        if headline := " ".join(candidate.split()):
            return truncate_words(headline, HEADLINE_CHARS)
    return "…"

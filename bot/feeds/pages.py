"""Article pages for thin entries: a feed that carries only a teaser gets its article's text.

An entry whose text is shorter than `min_chars` and that links to a web page has that page
fetched through the poller's Fetcher (its address guard, redirects and per-host bound, with a
smaller size cap) and its main text extracted (bot/news/extract.py). The pages cost the post
little: at most `per_poll` pages per poll, at most `concurrency` at once in the process, and
one deadline for a poll's whole batch, after which whatever has not arrived keeps the feed's
text. Every failure keeps the feed's text too, with a short reason in `Entry.page_error`.
Extraction and the terms of the new text are CPU work: they run in a thread, off the loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from bot.errors import FeedError
from bot.feeds.fetch import PAGE_ACCEPT, Fetcher, FetchResult
from bot.feeds.parse import Entry
from bot.news.extract import page_text
from bot.text.arabic import article_terms, indexable_text_terms
from storage.models import LINK_CHARS

logger = logging.getLogger(__name__)

_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_REASON_CHARS = 200  # page_error is for an operator's eye: a line, not a traceback


@dataclass(frozen=True)
class PageSettings:
    min_chars: int = 400  # FULLTEXT_MIN_CHARS: a shorter feed text is thin
    per_poll: int = 10  # PAGES_PER_POLL: pages fetched for one poll of a feed, at most
    timeout_seconds: float = 8.0  # PAGE_TIMEOUT_SECONDS: the whole batch of a poll
    concurrency: int = 8  # PAGE_CONCURRENCY: pages fetched at once in the process
    max_bytes: int = 2_000_000  # PAGE_MAX_BYTES


def is_web_link(link: str | None) -> bool:
    parts = urlsplit(link or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class _PageFailed(Exception):
    """A page that cannot give the entry its text; the message is the recorded reason."""


class PageReader:
    """Fills thin entries from their article pages; one per process, shared by all polls
    (its concurrency bound is the process's)."""

    def __init__(self, fetcher: Fetcher, settings: PageSettings | None = None) -> None:
        self.fetcher = fetcher
        self.settings = settings or PageSettings()
        self._slots = asyncio.Semaphore(self.settings.concurrency)

    def wants(self, entry: Entry) -> bool:
        """Whether the entry is thin and has a page to read."""
        return len(entry.text) < self.settings.min_chars and is_web_link(entry.link)

    async def read(self, entries: Iterable[Entry]) -> dict[str, Entry]:
        """The thin ones of `entries`, by key, with their page's text or the reason they kept
        the feed's. The pages of the first `per_poll` links are read (the caller puts first
        what matters most), the others not; one link is fetched once however many entries
        share it."""
        budget = self.settings.per_poll
        wanted = [entry for entry in entries if self.wants(entry)]
        links = list(dict.fromkeys(entry.link for entry in wanted if entry.link))
        if not links or budget == 0:  # PAGES_PER_POLL=0: pages are never fetched
            return {}
        pages = await self._fetch_all(links[:budget])
        pages |= {
            link: f"not fetched: over the {budget} pages of a poll" for link in links[budget:]
        }
        chosen = [(entry, pages[entry.link]) for entry in wanted if entry.link in pages]
        return await asyncio.to_thread(_filled, chosen)

    async def _fetch_all(self, links: Sequence[str]) -> dict[str, _Page | str]:
        """Each link's page, or why there is none, within one deadline for all of them."""
        tasks = {link: asyncio.create_task(self._page(link)) for link in links}
        try:
            _, late = await asyncio.wait(tasks.values(), timeout=self.settings.timeout_seconds)
        finally:
            for task in tasks.values():
                task.cancel()  # a no-op on those done; the poll goes on without the others
        if late:
            await asyncio.gather(*late, return_exceptions=True)
        late_reason = f"no page within {self.settings.timeout_seconds:g} s"
        return {
            link: late_reason if task in late else task.result() for link, task in tasks.items()
        }

    async def _page(self, link: str) -> _Page | str:
        try:
            result = await self.fetcher.fetch(
                link, accept=PAGE_ACCEPT, max_bytes=self.settings.max_bytes, slots=self._slots
            )
            return await asyncio.to_thread(_extract, result)
        except (FeedError, _PageFailed) as failure:
            reason = str(failure)
        except Exception as exc:  # a page never fails a poll: its entry keeps the feed's text
            logger.exception("reading the article page %s failed", link)
            reason = f"internal error: {type(exc).__name__}"
        logger.info("article page %s not used: %s", link, reason)
        return reason[:_REASON_CHARS]


@dataclass(frozen=True)
class _Page:
    """What an article page gives an entry: its main text and its picture."""

    text: str
    image: str | None


def _extract(result: FetchResult) -> _Page:
    media_type = (result.content_type or "").split(";", 1)[0].strip().lower()
    if media_type and media_type not in _PAGE_TYPES:
        raise _PageFailed(f"not a web page ({media_type[:60]})")
    page = page_text(result.body, result.content_type, url=result.url)
    if page is None:
        raise _PageFailed("no article text on the page")
    image = page.image if page.image is not None and len(page.image) <= LINK_CHARS else None
    return _Page(page.text, image)


def _filled(pages: Sequence[tuple[Entry, _Page | str]]) -> dict[str, Entry]:
    return {entry.key: _with_page(entry, page) for entry, page in pages}


def _with_page(entry: Entry, page: _Page | str) -> Entry:
    """The entry with its page's text (and terms), when that says more than the feed's; with
    the page's picture when it has none of its own; else with why the page was not used."""
    if isinstance(page, str):
        return replace(entry, page_error=page)
    image = entry.image or page.image
    if len(page.text) <= len(entry.text):
        return replace(entry, image=image, page_error="the page says no more than the feed")
    return with_terms(replace(entry, image=image, full_text=True, text=page.text))


def with_terms(entry: Entry) -> Entry:
    """The entry with the terms of its (new) text, as the parser computes them."""
    terms = article_terms(entry.title, entry.text)
    return replace(
        entry,
        terms=" ".join(terms.index),
        title_terms=tuple(terms.title),
        text_terms=indexable_text_terms(terms.text),
    )

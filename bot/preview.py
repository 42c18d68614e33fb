"""A feed's newest entries exactly as Nashra would post them, and where they would go.

`nashra preview FEED` prints this, `/preview URL` shows it in the operator's chat and /addfeed
shows the newest entry: one function, so that the three cannot disagree with the poller.
Nothing is stored: the articles are built as the poller would build them and thrown away.
A thin entry is shown with its article page's text, as the poller would post it: `read_pages`
fetches those pages first, before any database session is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feeds.pages import PageReader
from bot.feeds.parse import Entry, ParsedFeed
from bot.feeds.poller import POSTED_LANGUAGES, article_values, fallback_domain, load_categoriser
from bot.news.dedupe import source_domain
from bot.news.formatter import Post, PostStyle, format_post, post_source
from storage import catalog, channels
from storage.feeds import feed_by_url
from storage.models import Article, Category, ChatKind


@dataclass(frozen=True)
class Destination:
    """A channel or group that would get the post."""

    id: int
    title: str | None
    username: str | None


@dataclass(frozen=True)
class PreviewItem:
    """One entry: its post, its categories, who would get it, and whether it is posted."""

    entry: Entry
    post: Post
    categories: list[str]
    channels: list[Destination]
    readers: int  # private chats following one of its categories

    @property
    def posted(self) -> bool:
        """Arabic entries are posted; others only where a binding takes their language (the
        planner's rule)."""
        return self.entry.language in POSTED_LANGUAGES or bool(self.channels)


@dataclass(frozen=True)
class FeedPreview:
    url: str
    title: str
    entries: int
    warning: str | None
    stored: bool  # the feed is one of ours: its own categories apply
    items: list[PreviewItem]  # the newest first


def entry_article(
    entry: Entry, parsed: ParsedFeed, url: str, fetched_at: datetime, categories: list[Category]
) -> Article:
    """An unsaved article of the entry, as the poller would store it."""
    article = Article(**article_values(entry, fallback_domain(parsed, url), fetched_at))
    article.categories = categories
    return article


def _shown(parsed: ParsedFeed, limit: int) -> list[Entry]:
    return list(reversed(parsed.entries))[: max(limit, 0)]


async def read_pages(parsed: ParsedFeed, limit: int, pages: PageReader | None) -> ParsedFeed:
    """The parsed feed with the article pages of the thin entries among the newest `limit`
    that would be posted, read as the poller reads them (None: the feed's text only)."""
    if pages is None:
        return parsed
    read = await pages.read(e for e in _shown(parsed, limit) if e.language in POSTED_LANGUAGES)
    if not read:
        return parsed
    return replace(parsed, entries=[read.get(entry.key, entry) for entry in parsed.entries])


async def preview_feed(
    session: AsyncSession,
    parsed: ParsedFeed,
    url: str,
    fetched_at: datetime,
    style: PostStyle,
    limit: int,
    *,
    source: str | None = None,
) -> FeedPreview:
    """The newest `limit` entries of the parsed feed as posts. `source` is the address the
    feed is stored under (the URL asked for, before redirects); it defaults to `url`."""
    feed = await feed_by_url(session, source or url)
    defaults = [category.id for category in feed.categories] if feed else []
    categories = {category.id: category for category in await catalog.all_categories(session)}
    categoriser = await load_categoriser(session)
    items = []
    for entry in _shown(parsed, limit):
        ids = categoriser.categorise(defaults=defaults, labels=entry.labels, terms=entry.terms)
        chosen = [categories[i] for i in ids if i in categories]
        article = entry_article(entry, parsed, url, fetched_at, chosen)
        # As the planner has it: other languages only for the bindings that take them.
        language = entry.language or channels.LATIN
        followers = [f for f in await channels.followers(session, ids) if f.takes(language)]
        if language not in POSTED_LANGUAGES:
            followers = [f for f in followers if f.kind is not ChatKind.PRIVATE]
        groups = sorted({f.chat_id for f in followers if f.kind is not ChatKind.PRIVATE})
        chats = {chat.id: chat for chat in await catalog.active_chats(session, groups)}
        items.append(
            PreviewItem(
                entry=entry,
                post=format_post(post_source(article), style),
                categories=[category.name for category in chosen],
                channels=[
                    Destination(i, chats[i].title, chats[i].username)
                    if i in chats
                    else Destination(i, None, None)
                    for i in groups
                ],  # fmt: skip
                readers=len({f.chat_id for f in followers if f.kind is ChatKind.PRIVATE}),
            )
        )
    title = parsed.title or source_domain(url) or url
    return FeedPreview(url, title, len(parsed.entries), parsed.warning, feed is not None, items)

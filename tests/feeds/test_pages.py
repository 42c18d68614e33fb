"""Thin feeds: article pages fetched for the entries a poll posts, on real databases.

The pages are served by the local feed server: the CNN article of the shared corpus behind a
teaser entry, the legacy-encoded pages without a charset, and pages that fail in every way a
site can (404, slow, too large, not HTML, no article, a private address).
"""

from __future__ import annotations

import asyncio
import html
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from ipaddress import ip_network

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.cli import preview
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.pages import PageReader, PageSettings
from bot.feeds.poller import Poller, PollSettings
from bot.feeds.workers import ParserPool
from bot.news.formatter import PostStyle, format_post, post_source
from bot.sources import SourceService
from bot.text.arabic import split_sentences, tokens
from storage import catalog
from storage.feeds import add_feed
from storage.models import Article, ChatKind, Delivery
from tests.fakes.feeds import FeedServer, rss
from tests.news.test_extract import CNN_BOILERPLATE
from tests.support import FEEDS, FrozenClock, make_settings, needs_corpus

ARTICLES = FEEDS / "articles"
CNN = ARTICLES / "cnn-arabic-2013-08-03-syria-clashes.html"
WINDOWS_1256 = ARTICLES / "chromium-windows-1256-no-charset.html"
ISO_8859_6 = ARTICLES / "chromium-iso-8859-6-no-charset.html"
# What a teaser feed carries of the CNN article: its headline and the opening of its lead.
CNN_TEASER = "أكدت جهات سورية معارضة أن فصائل مسلحة معارضة سيطرت على مستودعات للأسلحة بريف دمشق."
CHANNEL = -1009000000001
START = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
STYLE = PostStyle()
ARTICLE_PAGE = (
    "<html><head><title>خبر</title></head><body><article>"
    + "<p>قال المرصد السوري لحقوق الإنسان إن اشتباكات عنيفة دارت في ريف دمشق اليوم.</p>" * 8
    + "</article></body></html>"
)


def _entry(n: int, link: str, *, text: str = "نص قصير للخبر.", hours_ago: float = 1) -> dict:
    return {
        "title": f"خبر رقم {n} عن ريف دمشق",
        "link": link,
        "guid": f"g{n}",
        "description": f"<p>{text}</p>",
        "pubDate": format_datetime(START - timedelta(hours=hours_ago)),
    }


def _old(n: int = 0) -> dict[str, str]:
    return {"title": "خبر سابق", "guid": f"old{n}", "link": f"https://news.example.sy/old{n}"}


async def _feed(sessions: async_sessionmaker[AsyncSession], url: str) -> None:
    async with sessions.begin() as session:
        categories = await catalog.ensure_categories(session, ["سياسة"])
        await add_feed(session, url, categories=categories, now=START - timedelta(hours=1))
        await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL, title="قناة")
        await catalog.subscribe(session, CHANNEL, categories)


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(FetchLimits(timeout_seconds=5, allow_private=True)) as fetcher:
        yield fetcher


def _poller(
    sessions: async_sessionmaker[AsyncSession], fetcher: Fetcher, **pages: object
) -> Poller:
    return Poller(
        sessions,
        fetcher,
        ParserPool(workers=0),
        PollSettings(),
        pages=PageReader(fetcher, PageSettings(**pages)),  # type: ignore[arg-type]
        clock=FrozenClock(START),
    )


async def _poll_after_priming(
    sessions: async_sessionmaker[AsyncSession],
    feed_server: FeedServer,
    poller: Poller,
    items: list[dict[str, str]],
) -> None:
    """Prime the feed with an old entry, then poll it with `items` new."""
    url = feed_server.set("feed.xml", rss([_old()]))
    await _feed(sessions, url)
    await poller.tick()
    feed_server.set("feed.xml", rss([*items, _old()]))
    _next_poll(poller)
    await poller.tick()


def _next_poll(poller: Poller) -> None:
    assert isinstance(poller.clock, FrozenClock)
    poller.clock.advance(seconds=poller.settings.interval.total_seconds())


async def _articles(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Article]:
    """The stored articles by link, with their categories (for formatting)."""
    async with sessions() as session:
        rows = await session.scalars(select(Article).options(selectinload(Article.categories)))
        return {article.link or "": article for article in rows}


async def _planned(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return len((await session.scalars(select(Delivery))).all())


def _word_share(reference: str, text: str) -> float:
    wanted, found = Counter(tokens(reference)), Counter(tokens(text))
    return sum(min(count, found[word]) for word, count in wanted.items()) / sum(wanted.values())


def _summary(post_text: str) -> str:
    return post_text.split("\n\n")[1]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _assert_cnn_summary(post_text: str, reference: str) -> None:
    """The summary is whole sentences of the article body, none the teaser's, and no
    boilerplate is posted."""
    sentences = split_sentences(html.unescape(_summary(post_text)))
    assert sentences
    for sentence in sentences:
        assert _one_line(sentence) in _one_line(reference)
    assert not any(sentence in CNN_TEASER for sentence in sentences)
    for boilerplate in CNN_BOILERPLATE:
        assert boilerplate not in post_text


@needs_corpus
async def test_a_teaser_entry_is_stored_and_posted_with_its_article_page(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer, fetcher: Fetcher
) -> None:
    page = feed_server.set("cnn.html", CNN.read_bytes(), content_type="text/html; charset=UTF-8")
    poller = _poller(sessions, fetcher)
    await _poll_after_priming(sessions, feed_server, poller, [_entry(1, page, text=CNN_TEASER)])

    article = (await _articles(sessions))[page]
    reference = CNN.with_suffix(".txt").read_text(encoding="utf-8")
    assert article.full_text
    assert article.page_error is None
    assert _word_share(reference, article.text) >= 0.9
    assert article.image_url is not None
    assert article.image_url.endswith("/syria.clashes/Gal.syria.assad.army.jpg_-1_-1.jpg")
    # The parser's lead summary of the feed's text stays (search results show it).
    assert article.summary == CNN_TEASER
    assert await _planned(sessions) == 1
    assert feed_server.route("cnn.html").hits == 1
    _assert_cnn_summary(format_post(post_source(article), STYLE).text, reference)
    # The lead sentence alone fills 400 characters; a longer summary takes more of the body.
    longer = format_post(post_source(article), PostStyle(summary_max_chars=1000)).text
    _assert_cnn_summary(longer, reference)
    assert len(split_sentences(html.unescape(_summary(longer)))) >= 2


@needs_corpus
async def test_legacy_pages_served_without_a_charset_give_the_same_text(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer, fetcher: Fetcher
) -> None:
    windows = feed_server.set("w.html", WINDOWS_1256.read_bytes(), content_type="text/html")
    iso = feed_server.set("i.html", ISO_8859_6.read_bytes(), content_type="text/html")
    poller = _poller(sessions, fetcher)
    items = [_entry(1, windows, text="غزة."), _entry(2, iso, text="غزة.")]
    await _poll_after_priming(sessions, feed_server, poller, items)

    articles = await _articles(sessions)
    assert articles[windows].full_text
    assert articles[iso].full_text
    assert articles[windows].text == articles[iso].text
    assert articles[windows].text.startswith("أعلنت كتائب الشهيد عز الدين القسام")


@pytest.mark.parametrize(
    ("route", "settings", "reason"),
    [
        ({"status": 404}, {}, "HTTP 404"),
        ({"content_type": "application/pdf", "body": b"%PDF-1.4"}, {}, "not a web page"),
        ({"body": ARTICLE_PAGE.encode() * 40}, {"max_bytes": 10_000}, "larger than 10,000"),
        ({"body": b"<html><body><div></div></body></html>"}, {}, "no article text"),
        ({"body": "<html><body><p>غزة.</p></body></html>"}, {}, "no more than the feed"),
        ({"hold": "event"}, {"timeout_seconds": 0.2}, "no page within 0.2 s"),
    ],
    ids=["404", "not-html", "too-large", "no-article", "shorter", "too-slow"],
)
async def test_a_page_that_fails_leaves_the_feed_text_posted_and_the_reason_recorded(
    sessions: async_sessionmaker[AsyncSession],
    feed_server: FeedServer,
    fetcher: Fetcher,
    route: dict[str, object],
    settings: dict[str, object],
    reason: str,
) -> None:
    held = asyncio.Event()
    options = {"content_type": "text/html", **route}
    if options.get("hold"):
        options["hold"] = held  # answered only when the test ends: the timeout gives up first
    body = options.pop("body", ARTICLE_PAGE.encode())
    page = feed_server.set("page.html", body, **options)  # type: ignore[arg-type]
    poller = _poller(sessions, fetcher, **settings)
    try:
        await _poll_after_priming(sessions, feed_server, poller, [_entry(1, page)])
    finally:
        held.set()

    article = (await _articles(sessions))[page]
    assert not article.full_text
    assert article.text == "نص قصير للخبر."
    assert article.page_error is not None
    assert reason in article.page_error
    assert await _planned(sessions) == 1
    assert feed_server.route("page.html").hits == 1


async def test_a_page_on_a_private_address_is_refused_by_the_guard(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    """The feed's site is trusted (it stands in for a public one); the page behind the entry
    is on another loopback address, which the guard refuses before any connection."""
    public = await FeedServer().start("127.0.0.2")
    limits = FetchLimits(timeout_seconds=5, trusted_networks=(ip_network("127.0.0.2/32"),))
    try:
        async with Fetcher(limits) as guarded:
            page = feed_server.set("page.html", ARTICLE_PAGE, content_type="text/html")
            poller = _poller(sessions, guarded)
            await _poll_after_priming(sessions, public, poller, [_entry(1, page)])
    finally:
        await public.stop()

    article = (await _articles(sessions))[page]
    assert not article.full_text
    assert article.page_error is not None
    assert "loopback" in article.page_error
    assert feed_server.route("page.html").hits == 0
    assert await _planned(sessions) == 1


async def test_no_more_pages_than_the_budget_of_a_poll_newest_first(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer, fetcher: Fetcher
) -> None:
    pages = [
        feed_server.set(f"p{n}.html", ARTICLE_PAGE, content_type="text/html") for n in range(5)
    ]
    poller = _poller(sessions, fetcher, per_poll=2)
    items = [_entry(n, page, hours_ago=n + 1) for n, page in enumerate(pages)]  # p0 newest
    await _poll_after_priming(sessions, feed_server, poller, items)

    hits = [feed_server.route(f"p{n}.html").hits for n in range(5)]
    assert hits == [1, 1, 0, 0, 0]
    articles = await _articles(sessions)
    assert [articles[page].full_text for page in pages] == [True, True, False, False, False]
    assert articles[pages[4]].page_error == "not fetched: over the 2 pages of a poll"
    # The pages read are alike, but their headlines name other numbers («خبر رقم 0», «رقم 1»):
    # other news, each posted.
    assert await _planned(sessions) == 5


async def test_no_page_for_a_long_text_an_old_or_foreign_entry_or_a_first_poll(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer, fetcher: Fetcher
) -> None:
    long, old, english, first = (
        feed_server.set(f"{name}.html", ARTICLE_PAGE, content_type="text/html")
        for name in ("long", "old", "english", "first")
    )
    url = feed_server.set("feed.xml", rss([_entry(0, first), _old()]))
    await _feed(sessions, url)
    poller = _poller(sessions, fetcher)
    await poller.tick()  # the priming poll posts nothing, so it reads no page
    assert feed_server.route("first.html").hits == 0

    english_entry = _entry(3, english, text="The army said on Saturday it took the town.")
    english_entry["title"] = "Army takes the town"
    items = [
        _entry(1, long, text="نص الخبر الكامل في الخلاصة نفسها. " * 20),
        _entry(2, old, hours_ago=72),  # older than MAX_ENTRY_AGE_HOURS: stored, not posted
        english_entry,
    ]
    feed_server.set("feed.xml", rss([*items, _entry(0, first), _old()]))
    _next_poll(poller)
    await poller.tick()

    assert [feed_server.route(f"{n}.html").hits for n in ("long", "old", "english")] == [0, 0, 0]
    articles = await _articles(sessions)
    assert not any(articles[page].full_text for page in (long, old, english, first))
    assert all(articles[page].page_error is None for page in (long, old, english, first))


@needs_corpus
async def test_nashra_preview_shows_a_teaser_with_its_article_page(
    sessions: async_sessionmaker[AsyncSession],
    feed_server: FeedServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = feed_server.set("cnn.html", CNN.read_bytes(), content_type="text/html")
    feed = feed_server.set("feed.xml", rss([_entry(1, page, text=CNN_TEASER)]))
    settings = make_settings(pages_per_poll=10)
    async with sessions() as session:
        assert await preview(settings, session, feed, 1) == 0

    out = capsys.readouterr().out
    reference = CNN.with_suffix(".txt").read_text(encoding="utf-8")
    post_text = out.split("─" * 40 + "\n", 1)[1].split("\n[اقرأ المزيد]", 1)[0]
    _assert_cnn_summary(post_text, reference)
    assert feed_server.route("cnn.html").hits == 1


@needs_corpus
async def test_slash_preview_shows_a_teaser_with_its_article_page(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer, fetcher: Fetcher
) -> None:
    page = feed_server.set("cnn.html", CNN.read_bytes(), content_type="text/html")
    feed = feed_server.set("feed.xml", rss([_entry(1, page, text=CNN_TEASER)]))
    parsers = ParserPool(workers=0)
    poller = Poller(sessions, fetcher, parsers)
    sources = SourceService(
        sessions, fetcher, parsers, poller, STYLE, pages=PageReader(fetcher, PageSettings())
    )

    result = await sources.preview(feed, 1)

    assert result.shown is not None
    [item] = result.shown.items
    reference = CNN.with_suffix(".txt").read_text(encoding="utf-8")
    assert item.entry.full_text
    _assert_cnn_summary(item.post.text, reference)

"""Search results as readers see them: inline results, list pages, paging data (pure)."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.news import presenter
from bot.news.formatter import PostSource, PostStyle, format_post
from bot.news.presenter import (
    MAX_OFFSET,
    REMEMBERED,
    InlineResult,
    Listing,
    Reader,
    headline_of,
    inline_next_offset,
    inline_none,
    inline_offset,
    inline_results,
    list_page,
    listing_of,
    paging_data,
    when_and_where,
)
from bot.news.search import parse_query
from bot.search import Hit, SearchPage
from bot.text.html import RLM, needs_rtl_mark
from bot.text.messages import text

NOW = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)
ARABIC = Reader.of("ar", "ar_SY", "arab")
ENGLISH = Reader.of("en-GB", "ar_SY", "arab")
MAGHREB = Reader.of("ar", "ar_MA", "latn")
STYLE = PostStyle(inline_mode=True)


def source(**changes: object) -> PostSource:
    article = PostSource(
        headline='حلب تشهد انسحاباً كاملاً لـ"قسد"',
        original_title="انسحاب قسد من حلب",
        text="شهدت مدينة حلب انسحاباً كاملاً لقوات قسد.",
        summary="",
        link="https://hashtagsyria.com/news/1?a=1&b=2",
        source_domain="hashtagsyria.com",
        fetched_at=NOW,
        categories=["سياسة"],
    )
    return replace(article, **changes)


def hit(article_id: int = 1, ago: timedelta = timedelta(hours=2), **changes: object) -> Hit:
    return Hit(article_id, source(**changes), NOW - ago, None)


def page(
    hits: list[Hit], raw: str = "حلب", offset: int = 0, next_offset: int | None = None
) -> SearchPage:
    return SearchPage(tuple(hits), offset, next_offset, parse_query(raw))


def test_readers_get_their_language_and_digits() -> None:
    assert Reader.of("ar", "ar_MA", "latn") == Reader("ar", "ar_MA", "latn")
    assert Reader.of(None, "ar_SY", "arab") == Reader("ar", "ar_SY", "arab")  # Telegram silent
    assert ENGLISH == Reader("en", "en", "latn")


@pytest.mark.parametrize(
    ("reader", "changes", "ago", "expected"),
    [
        (ARABIC, {}, timedelta(hours=2), "منذ ساعتين · hashtagsyria.com"),
        (ENGLISH, {}, timedelta(hours=2), "hashtagsyria.com · 2 hours ago"),
        (MAGHREB, {}, timedelta(hours=3), "منذ 3 ساعات · hashtagsyria.com"),
        (ARABIC, {"source_domain": ""}, timedelta(days=5), "منذ ٥ أيام · hashtagsyria.com"),
        (ARABIC, {"source_domain": "", "link": ""}, timedelta(minutes=3), "منذ ٣ دقائق"),
        (ARABIC, {}, timedelta(seconds=10), "الآن · hashtagsyria.com"),
        (ENGLISH, {}, timedelta(seconds=10), "hashtagsyria.com · just now"),
    ],
)  # fmt: skip
def test_when_and_where(
    reader: Reader, changes: dict[str, str], ago: timedelta, expected: str
) -> None:
    line = when_and_where(hit(ago=ago, **changes), reader, NOW)
    assert line == expected
    # An Arabic line starts with Arabic, so Telegram lays it out right to left.
    assert needs_rtl_mark(line) is (reader.language == "en")


def test_a_headline_is_never_empty_and_stays_one_line() -> None:
    assert headline_of(source(headline="  عاجل:\n انسحاب  ")) == "عاجل: انسحاب"
    assert headline_of(source(headline="", original_title=" \n ")) == source().link
    assert headline_of(source(headline="", original_title="", link="")) == "hashtagsyria.com"
    assert headline_of(source(headline="", original_title="", link="", source_domain="")) == "…"
    long = headline_of(source(headline="كلمة " * 100))
    assert len(long) <= presenter.HEADLINE_CHARS
    assert long.endswith("…")


def test_inline_results_are_the_posts() -> None:
    hits = [
        hit(7),
        replace(hit(8), image_url="https://x.sy/a.jpg"),
        replace(hit(9), image_url="javascript:alert(1)"),  # Telegram would refuse the answer
    ]
    results = inline_results(hits, STYLE, ARABIC, NOW)
    post = format_post(hits[0].source, STYLE)
    assert results[0] == InlineResult(
        id="7",
        title='حلب تشهد انسحاباً كاملاً لـ"قسد"',
        description="منذ ساعتين · hashtagsyria.com",
        message_text=post.text,
        preview_url="https://hashtagsyria.com/news/1?a=1&b=2",
        keyboard=post.keyboard(),
        thumbnail_url=None,
    )
    assert [r.thumbnail_url for r in results] == [None, "https://x.sy/a.jpg", None]
    # Without inline mode, the chosen post carries no «شارك».
    [plain] = inline_results(hits[:1], PostStyle(), ARABIC, NOW)
    assert [b["text"] for b in plain.keyboard[0]] == ["اقرأ المزيد"]


def test_inline_offsets() -> None:
    assert inline_next_offset(page([hit()], next_offset=20)) == "20"
    assert inline_next_offset(page([hit()])) is None
    assert inline_next_offset(page([hit()], next_offset=MAX_OFFSET + 20)) is None
    assert inline_offset("40") == 40
    for forged in ["", "abc", "-5", "1e3", "٢٠", " 20", str(MAX_OFFSET + 1), "99999"]:
        assert inline_offset(forged) == 0, forged


def test_inline_nothing_found_names_the_query() -> None:
    assert inline_none(parse_query("زلزال"), ARABIC) == text("inline_none", "ar", query="زلزال")
    assert inline_none(parse_query(""), ENGLISH) == text("inline_none_yet", "en")
    long = inline_none(parse_query("زلزال " * 40), ARABIC)
    assert len(long) < len(text("inline_none", "ar", query="")) + 50


def test_a_list_page_numbers_links_and_dates_its_articles() -> None:
    hits = [hit(1), hit(2, headline="<b>عاجل</b> & خبر", link="javascript:x")]
    shown = list_page(Listing("s", "حلب", 5), page(hits, offset=5, next_offset=10), ARABIC, NOW)
    lines = shown.text.split("\n\n")
    assert lines[0] == text("search_results", "ar", query="حلب")
    assert lines[1] == (
        f'{RLM}٦. <a href="https://hashtagsyria.com/news/1?a=1&amp;b=2">'
        "حلب تشهد انسحاباً كاملاً لـ&quot;قسد&quot;</a>\nمنذ ساعتين · hashtagsyria.com"
    )
    # No link Telegram would accept: the headline in bold, escaped.
    assert lines[2].startswith(f"{RLM}٧. <b>&lt;b&gt;عاجل&lt;/b&gt; &amp; خبر</b>\n")
    # Read right to left: «التالي» first (on the left), «السابق» on the right.
    assert shown.buttons == [
        (text("next_button", "ar"), Listing("s", "حلب", 10)),
        (text("previous_button", "ar"), Listing("s", "حلب", 0)),
    ]


def test_an_english_list_reads_left_to_right() -> None:
    shown = list_page(Listing("l", ""), page([hit(1)], raw="", next_offset=5), ENGLISH, NOW)
    assert shown.text.startswith(text("latest_results", "en"))
    assert "\n\n1. <a href=" in shown.text
    assert RLM not in shown.text
    assert shown.buttons == [(text("next_button", "en"), Listing("l", "", 5))]


@pytest.mark.parametrize(
    ("listing", "key", "values"),
    [
        (Listing("s", "<زلزال>"), "search_none", {"query": "&lt;زلزال&gt;"}),
        (Listing("s", "زلزال", 10), "search_end", {}),
        (Listing("l", ""), "latest_none", {}),
        (Listing("l", "فلك"), "latest_none_in", {"category": "فلك"}),
    ],
)
def test_an_empty_page_says_why(listing: Listing, key: str, values: dict[str, str]) -> None:
    shown = list_page(listing, page([], raw=listing.argument), ARABIC, NOW)
    assert shown.text == text(key, "ar", **values)
    previous = [target for _, target in shown.buttons]
    assert previous == ([Listing("s", "زلزال", 5)] if listing.offset else [])


def test_paging_data_carries_the_text_or_a_kept_key() -> None:
    kept: dict[str, str] = {}
    assert paging_data(Listing("s", "حلب", 5), kept) == "sq:5:حلب"
    assert kept == {}
    long = "حلب " + " ".join(["المدينة القديمة"] * 4)
    data = paging_data(Listing("s", long, 5), kept)
    assert data.startswith("sk:5:")
    assert len(data.encode()) <= 64
    assert listing_of(data, kept) == Listing("s", long, 5)
    assert listing_of("sq:5:حلب", kept) == Listing("s", "حلب", 5)
    assert listing_of("lq:0:", kept) == Listing("l", "", 0)
    # A key from before a restart (no kept queries), forged data, too deep an offset.
    assert listing_of(data, {}) is None
    assert listing_of(data, None) is None
    for forged in ["xq:0:حلب", "sq:-1:حلب", "sq::", "sq:9999:حلب", "cat:1", ""]:
        assert listing_of(forged, kept) is None, forged


def test_only_the_newest_long_queries_are_kept() -> None:
    kept: dict[str, str] = {}
    first = paging_data(Listing("s", "أ" * 40 + " 0"), kept)
    for n in range(1, REMEMBERED + 1):
        paging_data(Listing("s", "أ" * 40 + f" {n}"), kept)
    assert len(kept) == REMEMBERED
    assert listing_of(first, kept) is None  # the oldest is forgotten first


def test_the_presenter_knows_neither_telegram_nor_the_services() -> None:
    assert presenter.__file__ is not None
    with open(presenter.__file__, encoding="utf-8") as module:
        tree = ast.parse(module.read())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    project = {name for name in imported if name.split(".")[0] in {"bot", "handlers", "storage"}}
    assert not any(name.split(".")[0] == "telegram" for name in imported)
    assert all(name.startswith(("bot.news", "bot.text")) for name in project), project

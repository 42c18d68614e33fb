"""The fast parse path: the same ParsedFeed as feedparser's, or the body goes to feedparser.

Each body is parsed twice, parse_feed(fast=True) and parse_feed(fast=False), and the results
(or their ParseErrors) compared whole: Entry and ParsedFeed are dataclasses, so == compares
keys, links, titles, text, summaries, labels, dates, languages, pictures and the warning.
"""

from __future__ import annotations

import pickle
import re
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.poll import generate_feed
from bot.errors import ParseError
from bot.feeds import fastparse
from bot.feeds.parse import ParsedFeed, parse_feed
from bot.feeds.workers import ParserPool, parse_function
from tests.support import FEEDS, REPO, corpus_dir, needs_corpus

FETCHED = datetime(2026, 1, 11, 9, 30, tzinfo=UTC)
TABLE_DOC = REPO / "bench" / "README.md"
TABLE_START = "<!-- parse-paths:start -->"
TABLE_END = "<!-- parse-paths:end -->"


def corpus_feeds() -> list[Path]:
    # Every feed of the corpus: the .xml files (articles/ holds HTML pages and texts).
    return sorted(FEEDS.glob("*/*.xml"))


def both_ways(body: bytes) -> tuple[ParsedFeed | str, ParsedFeed | str]:
    def one(fast: bool) -> ParsedFeed | str:
        try:
            return parse_feed(body, FETCHED, fast=fast)
        except ParseError as exc:
            return f"ParseError: {exc}"

    return one(True), one(False)


def assert_same_or_routed(body: bytes) -> str:
    """The body's path; when fast, both results and the feed-level links equal feedparser's."""
    path = fastparse.parse_path(body)
    fast, slow = both_ways(body)
    if path != "fast":
        return path
    assert isinstance(fast, ParsedFeed)
    assert isinstance(slow, ParsedFeed)
    assert (fast.title, fast.link, fast.warning) == (slow.title, slow.link, slow.warning)
    assert len(fast.entries) == len(slow.entries)
    for mine, theirs in zip(fast.entries, slow.entries, strict=True):
        assert mine == theirs
    assert fast == slow
    # WebSub discovery reads the feed's <atom:link rel="hub"/"self"> from these.
    expected = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    assert fastparse.read(body).feed.get("links", []) == expected.feed.get("links", [])
    return path


@needs_corpus
@pytest.mark.parametrize("path", corpus_feeds(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_feed_fast_equals_feedparser_or_routed(path: Path) -> None:
    assert_same_or_routed(path.read_bytes())


@pytest.mark.parametrize("index", range(60))
def test_bench_feed_fast_equals_feedparser(index: int) -> None:
    # The generated feeds are what a busy deployment polls: they must all take the fast path.
    assert assert_same_or_routed(generate_feed(index, 20)) == "fast"


def path_table() -> str:
    rows = ["| Corpus file | Path |", "|---|---|"]
    for path in corpus_feeds():
        taken = fastparse.parse_path(path.read_bytes())
        taken = "fast" if taken == "fast" else f"feedparser: `{taken}`"
        rows.append(f"| `{path.relative_to(FEEDS)}` | {taken} |")
    return "\n".join(rows)


def test_path_table_is_current() -> None:
    """bench/README.md lists which corpus file takes which path; regenerate it with
    `python -m tests.feeds.test_fastparse` when this fails."""
    corpus_dir()
    document = TABLE_DOC.read_text(encoding="utf-8")
    found = re.search(f"{TABLE_START}\n(.*?)\n{TABLE_END}", document, re.DOTALL)
    assert found, f"no {TABLE_START} … {TABLE_END} table in {TABLE_DOC}"
    assert found.group(1) == path_table()


# The guards, one small body each.

RSS_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>T</title>'


def rss_body(items: str, head: str = RSS_HEAD, namespaces: str = "") -> bytes:
    if namespaces:
        head = head.replace('<rss version="2.0">', f'<rss version="2.0" {namespaces}>')
    return f"{head}{items}</channel></rss>".encode()


ITEM = (
    "<item><title>عنوان الخبر</title><link>https://example.org/a</link>"
    "<guid>https://example.org/a</guid><pubDate>Sun, 11 Jan 2026 08:00:00 +0000</pubDate>"
    "<description>نص الخبر</description></item>"
)


def test_plain_rss_takes_the_fast_path() -> None:
    assert assert_same_or_routed(rss_body(ITEM)) == "fast"


def test_utf16_bom_is_routed() -> None:
    body = rss_body(ITEM).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert "byte order mark" in assert_same_or_routed(body.encode("utf-16"))


def test_undeclared_latin1_is_routed() -> None:
    item = "<item><title>Été à Paris</title><description>café crème</description></item>"
    body = rss_body(item, head=RSS_HEAD.split("\n", 1)[1])
    assert assert_same_or_routed(body.decode().encode("latin-1")) == "not strict UTF-8"


def test_declared_other_encoding_is_routed() -> None:
    body = rss_body("<item><title>café</title></item>")
    body = body.decode().replace("UTF-8", "ISO-8859-1").encode("latin-1")
    assert assert_same_or_routed(body) == "declared encoding 'ISO-8859-1'"


def test_malformed_xml_is_routed() -> None:
    body = rss_body(ITEM.replace("https://example.org/a</link>", "https://x.org/?a=1&b=2</link>"))
    assert assert_same_or_routed(body).startswith("not well-formed")


def test_item_without_guid_has_no_id_on_both_paths() -> None:
    body = rss_body(ITEM.replace("<guid>https://example.org/a</guid>", ""))
    assert assert_same_or_routed(body) == "fast"
    assert "id" not in fastparse.read(body).entries[0]


def test_guid_that_is_no_permalink_is_not_the_link() -> None:
    item = ITEM.replace("<link>https://example.org/a</link>", "").replace(
        "<guid>https://example.org/a</guid>", '<guid isPermaLink="false">post-7</guid>'
    )
    assert assert_same_or_routed(rss_body(item)) == "fast"
    assert "link" not in fastparse.read(rss_body(item)).entries[0]


def test_dc_subject_and_itunes_keywords_are_labels() -> None:
    item = ITEM.replace(
        "</item>",
        "<dc:subject>سياسة</dc:subject><itunes:keywords>اقتصاد, رياضة</itunes:keywords></item>",
    )
    namespaces = (
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
    )
    body = rss_body(item, namespaces=namespaces)
    assert assert_same_or_routed(body) == "fast"
    assert parse_feed(body, FETCHED).entries[0].labels == ("سياسة", "اقتصاد", "رياضة")


def test_itunes_category_of_an_item_is_routed() -> None:
    # In an item it is a tag (feedparser's _start_itunes_category), not mirrored here.
    item = ITEM.replace("</item>", '<itunes:category text="News"/></item>')
    body = rss_body(item, namespaces='xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"')
    assert assert_same_or_routed(body) == "<itunes_category> is not mirrored"


def test_zero_entries_are_routed() -> None:
    assert assert_same_or_routed(rss_body("")) == "no entries"


ATOM_ENTRY = (
    '<entry><id>tag:example.org,2026:1</id><title type="html">عنوان &amp;lt;b&amp;gt;</title>'
    '<link rel="enclosure" type="image/jpeg" href="https://example.org/p.jpg"/>'
    "<updated>2026-01-11T08:00:00Z</updated><summary>نص</summary>"
    '<category term="سياسة"/><author><name>كاتب</name></author></entry>'
)


def atom_body(entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xml:lang="ar"><title>T</title><id>tag:example.org,2026:feed</id>'
        f'<link rel="self" href="https://example.org/atom"/>{entries}</feed>'
    ).encode()


def test_atom_takes_the_fast_path_and_its_id_stands_in_for_the_link() -> None:
    body = atom_body(ATOM_ENTRY)
    assert assert_same_or_routed(body) == "fast"
    # feedparser's rule: an Atom id is a permalink, the link of an entry without one.
    assert fastparse.read(body).entries[0]["link"] == "tag:example.org,2026:1"
    assert fastparse.read(body).feed["link"] == "tag:example.org,2026:feed"


def test_atom_xhtml_content_is_routed() -> None:
    entry = ATOM_ENTRY.replace(
        "<summary>نص</summary>",
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>نص</p></div></content>',
    )
    assert assert_same_or_routed(atom_body(entry)) == "<content> has child elements"


def test_rdf_is_routed() -> None:
    body = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    assert assert_same_or_routed(body) == "neither RSS 2.0 nor Atom 1.0"


def test_doctype_is_routed() -> None:
    head = RSS_HEAD.replace("<rss", '<!DOCTYPE rss [<!ENTITY x "y">]>\n<rss')
    assert "DOCTYPE" in assert_same_or_routed(rss_body(ITEM, head=head))


def test_an_element_not_mirrored_is_routed() -> None:
    item = ITEM.replace("</item>", "<source url='https://example.org/'>Elsewhere</source></item>")
    assert assert_same_or_routed(rss_body(item)) == "<source> is not mirrored"


def test_itunes_summary_beside_description_is_content() -> None:
    # feedparser's rule: the second summary of an item without content:encoded is content.
    item = ITEM.replace("</item>", "<itunes:summary>ملخص أطول من النص</itunes:summary></item>")
    body = rss_body(item, namespaces='xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"')
    assert assert_same_or_routed(body) == "fast"
    assert fastparse.read(body).entries[0]["content"][0]["value"] == "ملخص أطول من النص"


def test_repeated_title_is_routed() -> None:
    item = ITEM.replace("</item>", "<title>ثانٍ</title></item>")
    assert assert_same_or_routed(rss_body(item)) == "<title> repeated in an entry"


def test_feed_links_for_websub_are_feedparsers() -> None:
    links = (
        '<atom:link rel="hub" href="https://hub.example/"/>'
        '<atom:link rel="self" type="application/rss+xml" href="https://example.org/feed"/>'
        "<link>https://example.org/</link>"
    )
    body = rss_body(links + ITEM, namespaces='xmlns:atom="http://www.w3.org/2005/Atom"')
    assert assert_same_or_routed(body) == "fast"
    rels = [link["rel"] for link in fastparse.read(body).feed["links"]]
    assert rels == ["hub", "self", "alternate"]


def test_fast_parse_setting_chooses_the_parse_function() -> None:
    # FAST_PARSE=false: the pool's workers get parse_feed(fast=False), pickled to them.
    slow = pickle.loads(pickle.dumps(parse_function(fast=False)))
    assert parse_function(fast=True) is parse_feed
    body = rss_body(ITEM)
    assert slow(body, FETCHED, 400) == parse_feed(body, FETCHED, 400)


async def test_parser_pool_with_fast_parse_off() -> None:
    pool = ParserPool(workers=1, parse=parse_function(fast=False))
    try:
        parsed = await pool.parse(rss_body(ITEM), FETCHED, 400)
    finally:
        pool.close()
    assert parsed == parse_feed(rss_body(ITEM), FETCHED)


# Generated feeds: whatever the fast reader takes, it reads as feedparser does.

TEXTS = st.sampled_from(
    [
        "خبر عاجل", "Tom &amp; Jerry", "&lt;b&gt;bold&lt;/b&gt; text", "<![CDATA[<p>فقرة</p>]]>",
        "<![CDATA[a & b < c]]>", "  spaced   out  ", "", "&#1575;&#1604;", "Ã©t&#233;",
        "&amp;amp; double", "line\nbreak", "\u0085 control",
    ]
)  # fmt: skip
DATES = st.sampled_from(
    [
        None, "Sun, 11 Jan 2026 08:00:00 +0000", "Mon, 01 Jan 0001 00:00:00 +0000",
        "2026-01-10T10:00:00Z", "not a date", "Sat, 05 April 2025 10:00:00 GMT",
    ]
)  # fmt: skip


@st.composite
def rss_items(draw: st.DrawFn) -> str:
    parts = [f"<title>{draw(TEXTS)}</title>"]
    if draw(st.booleans()):
        parts.append(f"<link>https://example.org/{draw(st.integers(0, 3))}?a=1&amp;b=2</link>")
    guid = draw(st.sampled_from([None, "permalink", "plain"]))
    if guid == "permalink":
        parts.append(f"<guid>https://example.org/g{draw(st.integers(0, 3))}</guid>")
    elif guid == "plain":
        parts.append(f'<guid isPermaLink="false">id-{draw(st.integers(0, 3))}</guid>')
    if (date := draw(DATES)) is not None:
        parts.append(f"<pubDate>{date}</pubDate>")
    if draw(st.booleans()):
        parts.append(f"<description>{draw(TEXTS)}</description>")
    if draw(st.booleans()):
        parts.append(f"<content:encoded>{draw(TEXTS)}</content:encoded>")
    if draw(st.booleans()):
        parts.append(f"<itunes:summary>{draw(TEXTS)}</itunes:summary>")
    for label in draw(st.lists(TEXTS, max_size=2)):
        tag = draw(st.sampled_from(["category", "dc:subject", "itunes:keywords"]))
        parts.append(f"<{tag}>{label}</{tag}>")
    if draw(st.booleans()):
        parts.append('<enclosure url="https://example.org/p.jpg" type="image/jpeg" length="1"/>')
    if draw(st.booleans()):
        parts.append('<media:thumbnail url="https://example.org/t.png" width="64" height="64"/>')
    order = draw(st.permutations(parts))
    return "<item>" + "".join(order) + "</item>"


@st.composite
def rss_feeds(draw: st.DrawFn) -> bytes:
    items = "".join(draw(st.lists(rss_items(), max_size=4)))
    namespaces = (
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
    )
    return rss_body(items, namespaces=namespaces)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rss_feeds())
def test_generated_feeds_fast_equals_feedparser_or_routed(body: bytes) -> None:
    assert_same_or_routed(body)


@st.composite
def atom_entries(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["", ' type="text"', ' type="html"']))
    parts = [f"<title{kind}>{draw(TEXTS)}</title>"]
    if draw(st.booleans()):
        parts.append(f"<id>tag:example.org,2026:{draw(st.integers(0, 3))}</id>")
    for rel in draw(st.lists(st.sampled_from(["alternate", "enclosure", "related", ""]))):
        rel_attribute = f' rel="{rel}"' if rel else ""
        href = f"https://example.org/{draw(st.integers(0, 3))}.jpg?a=1&amp;b=2"
        parts.append(f'<link{rel_attribute} type="image/jpeg" href="{href}"/>')
    for element in draw(st.lists(st.sampled_from(["published", "updated"]), unique=True)):
        parts.append(f"<{element}>{draw(DATES) or ''}</{element}>")
    if draw(st.booleans()):
        parts.append(f"<summary{kind}>{draw(TEXTS)}</summary>")
    if draw(st.booleans()):
        parts.append(f"<content{kind}>{draw(TEXTS)}</content>")
    for label in draw(st.lists(TEXTS, max_size=2)):
        parts.append(f"<category term={quoteattr(label)}/>")
    if draw(st.booleans()):
        parts.append("<author><name>كاتب</name><email>a@example.org</email></author>")
    return "<entry>" + "".join(draw(st.permutations(parts))) + "</entry>"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(atom_entries(), max_size=4))
def test_generated_atom_fast_equals_feedparser_or_routed(entries: list[str]) -> None:
    assert_same_or_routed(atom_body("".join(entries)))


if __name__ == "__main__":
    print(path_table())

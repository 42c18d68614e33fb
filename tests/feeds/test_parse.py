"""Parsing: the real corpus, dates, duplicates, order, languages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import ParseError
from bot.feeds.parse import parse_feed
from bot.text.arabic import MAX_TERM_CHARS, MAX_TEXT_TERMS, document_terms, index_terms, stem
from storage import search
from tests.fakes.feeds import rss
from tests.support import corpus_dir

FETCHED = datetime(2026, 1, 11, 9, 30, tzinfo=UTC)


def corpus_files() -> list[Path]:
    folder = Path(__file__).resolve().parents[2].parent / "shared" / "feeds"
    return sorted(folder.glob("*/*.xml"))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_feed_parses_or_fails_clearly(path: Path) -> None:
    try:
        parsed = parse_feed(path.read_bytes(), FETCHED)
    except ParseError as exc:
        reason = str(exc)  # recorded on the feed and shown to operators
        assert reason.startswith(("empty response", "not an RSS or Atom feed"))
        return
    for entry in parsed.entries:
        assert entry.title
        assert entry.published_at.tzinfo is not None
        assert entry.published_at <= FETCHED.replace(hour=23)
        assert "<script" not in entry.text.lower()
    keys = [entry.key for entry in parsed.entries]
    assert len(keys) == len(set(keys))


def test_corpus_present() -> None:
    corpus_dir()
    assert len(corpus_files()) >= 30


def test_year_one_dates_fall_back_to_fetch_time() -> None:
    body = (corpus_dir() / "ar/rooved-covid19-callcenter-ar-2020-04-13.xml").read_bytes()
    parsed = parse_feed(body, FETCHED)
    assert parsed.entries
    assert all(entry.published_at == FETCHED and not entry.dated for entry in parsed.entries)


def test_duplicate_guids_are_kept_once() -> None:
    body = (corpus_dir() / "tricky/taverncast-podcast-duplicate-guid.xml").read_bytes()
    parsed = parse_feed(body, datetime(2026, 1, 1, tzinfo=UTC))
    keys = [entry.key for entry in parsed.entries]
    assert len(keys) == len(set(keys)) < 131


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("rtl-other/bbc-urdu-2014-03-16.xml", "ur"),
        ("rtl-other/voa-urdu-2014-03-16.xml", "ur"),
        ("rtl-other/hamakor-hebrew-2014-12-21.xml", "he"),
        ("ar/doyouknow-app-ar-2026-08-18.xml", "ar"),
    ],
)
def test_language_of_entries(name: str, language: str) -> None:
    parsed = parse_feed((corpus_dir() / name).read_bytes(), FETCHED)
    languages = [entry.language for entry in parsed.entries]
    # Some entries are in English (None); none of another script may pass for Arabic.
    assert languages.count(language) >= 0.5 * len(languages)
    if language != "ar":
        assert "ar" not in languages


def test_entries_come_oldest_first_and_future_dates_are_clamped() -> None:
    body = rss(
        [
            {"title": "خبر من المستقبل", "guid": "f", "pubDate": "Sat, 01 Jan 2099 00:00:00 GMT"},
            {"title": "الخبر الأحدث", "guid": "b", "pubDate": "Sun, 11 Jan 2026 08:00:00 GMT"},
            {"title": "الخبر الأقدم", "guid": "a", "pubDate": "Sat, 10 Jan 2026 08:00:00 GMT"},
        ]
    )
    parsed = parse_feed(body.encode(), FETCHED)
    assert [entry.title for entry in parsed.entries] == [
        "الخبر الأقدم",
        "الخبر الأحدث",
        "خبر من المستقبل",
    ]
    assert parsed.entries[-1].published_at == FETCHED


def test_html_in_titles_and_descriptions_becomes_text() -> None:
    body = rss(
        [
            {
                "title": "<b>عاجل</b> &amp; مهم",
                "guid": "1",
                "description": "<p>فقرة <script>alert(1)</script>أولى</p><p>فقرة ثانية</p>",
            }
        ]
    )
    [entry] = parse_feed(body.encode(), FETCHED).entries
    assert entry.title == "عاجل & مهم"
    assert "alert" not in entry.text
    assert "فقرة أولى" in entry.text
    assert "فقرة ثانية" in entry.text


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"<html><body>not a feed</body></html>", b"\x00\xff"]
)
def test_not_a_feed_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed(body, FETCHED)


def test_same_link_in_two_forms_gives_one_key() -> None:
    body = rss(
        [
            {"title": "أ", "link": "https://x.sy/%D8%AD%D9%84%D8%A8?utm_source=rss"},
            {"title": "أ", "link": "https://X.sy/حلب#top"},
        ]
    )
    parsed = parse_feed(body.encode(), FETCHED)
    assert len(parsed.entries) == 1


def test_a_guid_repeated_in_one_body_keeps_every_entry() -> None:
    body = rss(
        [
            {"title": f"خبر {n}", "guid": "https://x.sy/", "link": f"https://x.sy/{n}"}
            for n in (3, 2, 1)
        ]
        + [{"title": "خبر 1 مكرر", "guid": "https://x.sy/", "link": "https://x.sy/1#top"}]
        + [{"title": "خبر آخر", "guid": "g4", "link": "https://x.sy/4"}]
    )
    parsed = parse_feed(body.encode(), FETCHED)
    titles = sorted(entry.title for entry in parsed.entries)
    # The repeated GUID with the same link is one entry; with other links, several.
    assert titles == sorted(["خبر 3", "خبر 2", "خبر 1", "خبر آخر"])
    keys = [entry.key for entry in parsed.entries]
    assert len(set(keys)) == 4


def test_legacy_encoded_links_are_two_entries() -> None:
    body = rss(
        [
            {"title": "أ", "link": "https://x.sy/news/%C7%E1%DA.htm"},
            {"title": "أ", "link": "https://x.sy/news/%C8%E1%DA.htm"},
        ]
    )
    parsed = parse_feed(body.encode(), FETCHED)
    assert len({entry.canonical_link for entry in parsed.entries}) == 2


def test_an_entry_carries_the_terms_of_the_three_text_functions() -> None:
    title, text = "حزب الله يعلن", "قال عبدالله إن وفداً وصل إلى أنقرة وبالمدينة لجنة."
    body = rss([{"title": title, "description": f"<p>{text}</p>", "guid": "a"}])
    [entry] = parse_feed(body.encode(), FETCHED).entries
    assert entry.terms == " ".join(index_terms(f"{title}\n{text}"))
    assert entry.title_terms == tuple(document_terms(title))
    assert entry.text_terms == tuple(document_terms(text))


def test_an_entry_carries_no_more_text_terms_than_the_index_keeps() -> None:
    """A book in a feed entry: its text terms are cut in the worker, as storage would cut
    them, and a term too long to index is left out before counting."""
    words = ["حلب", "x" * (MAX_TERM_CHARS + 1), *(f"كلمة{n}" for n in range(MAX_TEXT_TERMS))]
    body = rss([{"title": "كتاب", "description": " ".join(words), "guid": "b"}])
    [entry] = parse_feed(body.encode(), FETCHED).entries
    assert entry.text_terms is not None
    assert len(entry.text_terms) == MAX_TEXT_TERMS
    assert entry.text_terms[:2] == (stem("حلب"), stem("كلمة0"))
    assert all(len(term) <= MAX_TERM_CHARS for term in entry.text_terms)
    assert entry.text_terms == search.document(1, "كتاب", "", entry.text, datetime.now(UTC)).body


# --- pictures -------------------------------------------------------------------------------

PAGE = "https://news.example.sy/2026/01/aleppo.html"
PICTURE = "https://cdn.example.sy/photos/aleppo.jpg"


def _item_with(extra_xml: str, description: str = "نص الخبر.", link: str | None = PAGE) -> bytes:
    """An RSS feed (with Media RSS) of one item carrying `extra_xml`."""
    link_xml = f"<link>{link}</link>" if link else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>أخبار</title>'
        "<link>https://news.example.sy/</link>"
        f"<item><title>حلب تشهد انسحاباً</title>{link_xml}<guid>g1</guid>"
        f"<description><![CDATA[{description}]]></description>{extra_xml}</item>"
        "</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("extra_xml", "description", "image"),
    [
        # Media RSS: a picture by its medium, its type, or (with neither) its address.
        (f'<media:content url="{PICTURE}" medium="image"/>', "نص.", PICTURE),
        (f'<media:content url="{PICTURE}" type="image/jpeg"/>', "نص.", PICTURE),
        (f'<media:content url="{PICTURE}"/>', "نص.", PICTURE),
        ('<media:content url="https://cdn.example.sy/v/clip.mp4"/>', "نص.", None),
        # A podcast's audio is not a picture; its thumbnail is.
        (
            '<media:content url="https://cdn.example.sy/a.mp3" type="audio/mpeg" medium="audio"/>'
            f'<media:thumbnail url="{PICTURE}"/>',
            "نص.",
            PICTURE,
        ),
        # Several sizes of one picture: the largest.
        (
            '<media:thumbnail url="https://cdn.example.sy/small.jpg" width="106" height="60"/>'
            f'<media:thumbnail url="{PICTURE}" width="976" height="549"/>',
            "نص.",
            PICTURE,
        ),
        (f'<enclosure url="{PICTURE}" type="image/png" length="3123"/>', "نص.", PICTURE),
        ('<enclosure url="https://cdn.example.sy/a.mp3" type="audio/mpeg" length="1"/>', "", None),
        (f'<atom:link rel="enclosure" href="{PICTURE}" type="image/jpeg"/>', "نص.", PICTURE),
        # Media before the body's pictures.
        (
            f'<media:content url="{PICTURE}" medium="image"/>',
            '<p><img src="https://cdn.example.sy/other.jpg"/>نص.</p>',
            PICTURE,
        ),
        # The body's first picture, relative to the entry's link, its entities decoded.
        (
            "",
            '<p><img src="/photos/a.jpg" alt="صورة"/>نص.</p>',
            "https://news.example.sy/photos/a.jpg",
        ),
        ("", "<p><IMG SRC='//cdn.example.sy/b.jpg'>نص.</p>", "https://cdn.example.sy/b.jpg"),
        (
            "",
            '<img src="https://cdn.example.sy/c.jpg?w=800&amp;h=450">',
            "https://cdn.example.sy/c.jpg?w=800&h=450",
        ),
        # Not pictures: data: URIs, 1×1 pixels, counters and smileys; the next one is taken.
        ("", f'<img src="data:image/png;base64,iVBORw0KGgo="><img src="{PICTURE}">', PICTURE),
        ("", '<img src="https://t.example.sy/p.gif" width="1" height="1">نص.', None),
        ("", '<img src="http://pixel.wp.com/b.gif?host=x&amp;blog=1">نص.', None),
        ("", '<img src="http://x.sy/wp-includes/images/smilies/icon_smile.gif">نص.', None),
        # An Arabic file name, percent-encoded; escapes already there are kept.
        (
            "",
            '<img src="https://cdn.example.sy/صور/حلب 1.jpg?q=%D8%A7">',
            "https://cdn.example.sy/%D8%B5%D9%88%D8%B1/%D8%AD%D9%84%D8%A8%201.jpg?q=%D8%A7",
        ),
        # Only http(s), and only what the column holds.
        ("", '<img src="javascript:alert(1)">نص.', None),
        ('<media:content url="ftp://cdn.example.sy/a.jpg" medium="image"/>', "نص.", None),
        (f'<media:content url="{PICTURE}?{"x" * 2000}" medium="image"/>', "نص.", None),
        ("", "<p>نص بلا صورة.</p>", None),
    ],
)
def test_the_picture_of_an_entry(extra_xml: str, description: str, image: str | None) -> None:
    [entry] = parse_feed(_item_with(extra_xml, description), FETCHED).entries
    assert entry.image == image


def test_a_relative_picture_without_a_link_is_none() -> None:
    body = _item_with("", '<img src="/photos/a.jpg">نص.', link=None)
    [entry] = parse_feed(body, FETCHED).entries
    assert entry.image is None


def test_the_picture_of_an_atom_entry() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>أخبار</title><id>urn:x</id><updated>2026-01-11T08:00:00Z</updated>"
        "<entry><title>خبر</title><id>urn:x:1</id><updated>2026-01-11T08:00:00Z</updated>"
        f'<link rel="alternate" href="{PAGE}"/>'
        f'<link rel="enclosure" type="image/jpeg" href="{PICTURE}"/>'
        "<summary>نص.</summary></entry></feed>"
    ).encode()
    [entry] = parse_feed(body, FETCHED).entries
    assert entry.image == PICTURE


@pytest.mark.parametrize(
    ("name", "link", "image"),
    [
        # media:thumbnail
        (
            "ar/gndem-ar-atom-2018-11-08.xml",
            "https://gndem.org/ar/stories/gndem-members-convene-for-academy-on-open-data-analysis"
            "-and-disinformation-monitoring/",
            "https://res.cloudinary.com/gndem/image/upload/v1541355317/gndem/gndem-members-convene"
            "-for-academy-1.jpg",
        ),
        # a relative <img> in the body, against the entry's link
        (
            "ar/abarrak-blog-ar-2026-05-26.xml",
            "https://www.abarrak.com/ar/orientation",
            "https://www.abarrak.com/public/images/writing.jpg",
        ),
        # an image enclosure
        (
            "rtl-other/voa-urdu-2014-03-16.xml",
            "http://www.urduvoa.com/content/majority-favors-joining-russia-in-crimea-referendum"
            "-16mar2014/1872523.html",
            "http://gdb.voanews.com/31CBC894-6FE8-480A-A032-1238D6AD30E2_cx0_cy6_cw0_w800_r1.jpg",
        ),
        # thumbnails in two sizes: the larger
        (
            "rtl-other/bbc-urdu-2014-03-16.xml",
            "http://www.bbc.co.uk/urdu/science/2014/03/140316_mercury_shrinking_new_study_rh.shtml",
            "http://wscdn.bbc.co.uk/worldservice/assets/images/2014/03/16/140316212510_mercury"
            "_144x81_nasaviagetty_nocredit.jpg",
        ),
        # WordPress's comment counter and stats pixel are all its body shows
        (
            "rtl-other/hamakor-hebrew-2014-12-21.xml",
            "http://idkn.wordpress.com/2014/12/20/modular-sinatra/",
            None,
        ),
    ],
)
def test_pictures_of_corpus_entries(name: str, link: str, image: str | None) -> None:
    parsed = parse_feed((corpus_dir() / name).read_bytes(), FETCHED)
    [entry] = [entry for entry in parsed.entries if entry.link == link]
    assert entry.image == image


@pytest.mark.parametrize(
    ("name", "with_pictures"),
    [
        ("ar/gndem-ar-atom-2018-11-08.xml", 10),
        ("rtl-other/voa-urdu-2014-03-16.xml", 20),
        ("rtl-other/bbc-urdu-miniflux-testdata.xml", 26),
        # a podcast: audio enclosures and media:content, no picture
        ("ar/bbcarabic-podcast-yastahiq-alintibah-2025-10-29.xml", 0),
    ],
)
def test_corpus_feeds_with_pictures(name: str, with_pictures: int) -> None:
    parsed = parse_feed((corpus_dir() / name).read_bytes(), FETCHED)
    images = [entry.image for entry in parsed.entries if entry.image]
    assert len(images) == with_pictures
    assert all(image.startswith(("http://", "https://")) for image in images)

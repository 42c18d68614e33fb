"""An entry's identity: canonical links and dedupe keys, as tables."""

from __future__ import annotations

import pytest

from bot.news.dedupe import canonical_link, entry_key, source_domain


@pytest.mark.parametrize(
    ("link", "canonical"),
    [
        (None, None),
        ("", None),
        ("ftp://x.sy/a", None),
        ("mailto:news@x.sy", None),
        ("http://[oops/a", None),
        ("https:///no-host", None),
        ("HTTPS://News.X.SY./a", "https://news.x.sy/a"),
        ("http://x.sy:80/a", "http://x.sy/a"),
        ("https://x.sy:443/a", "https://x.sy/a"),
        ("https://x.sy:8443/a", "https://x.sy:8443/a"),
        ("https://x.sy", "https://x.sy/"),
        ("https://x.sy/a#comments", "https://x.sy/a"),
        ("  https://x.sy/a  ", "https://x.sy/a"),
        # Tracking parameters go; the others are sorted.
        ("https://x.sy/a?utm_source=rss&utm_medium=feed", "https://x.sy/a"),
        ("https://x.sy/a?id=7&fbclid=abc&UTM_Campaign=x", "https://x.sy/a?id=7"),
        ("https://x.sy/a?b=2&a=1", "https://x.sy/a?a=1&b=2"),
        ("https://x.sy/a?flag", "https://x.sy/a?flag="),
        ("https://x.sy/a?q=a+b", "https://x.sy/a?q=a+b"),
        ("https://x.sy/a?q=a%20b", "https://x.sy/a?q=a+b"),
        ("https://x.sy/a?next=https://y.sy/b", "https://x.sy/a?next=https%3A%2F%2Fy.sy%2Fb"),
        # Raw Arabic (an IRI, as feeds write it) and its UTF-8 escapes are one link.
        ("https://x.sy/حلب", "https://x.sy/%D8%AD%D9%84%D8%A8"),
        ("https://x.sy/%D8%AD%D9%84%D8%A8", "https://x.sy/%D8%AD%D9%84%D8%A8"),
        ("https://x.sy/%d8%ad%d9%84%d8%a8", "https://x.sy/%D8%AD%D9%84%D8%A8"),
        ("https://x.sy/a?q=حلب", "https://x.sy/a?q=%D8%AD%D9%84%D8%A8"),
        ("https://x.sy/a?q=%D8%AD%D9%84%D8%A8", "https://x.sy/a?q=%D8%AD%D9%84%D8%A8"),
        # windows-1256 escapes are bytes, not UTF-8: kept as they are, never replaced.
        ("https://x.sy/news/%C7%E1%DA.htm", "https://x.sy/news/%C7%E1%DA.htm"),
        ("https://x.sy/news/%c8%e1%da.htm", "https://x.sy/news/%C8%E1%DA.htm"),
        ("https://x.sy/a?q=%C7%E1", "https://x.sy/a?q=%C7%E1"),
        # Escapes of unreserved characters are decoded; of reserved ones, kept.
        ("https://x.sy/%41%7E%2D", "https://x.sy/A~-"),
        ("https://x.sy/a%2Fb", "https://x.sy/a%2Fb"),
        ("https://x.sy/a/b", "https://x.sy/a/b"),
        ("https://x.sy/(1);a=b", "https://x.sy/(1);a=b"),
        # What may not stand in a path literally is escaped, a stray % included.
        ("https://x.sy/a b", "https://x.sy/a%20b"),
        ("https://x.sy/100%", "https://x.sy/100%25"),
        ("https://x.sy/%zz", "https://x.sy/%25zz"),
    ],
)
def test_canonical_link(link: str | None, canonical: str | None) -> None:
    assert canonical_link(link) == canonical


def test_legacy_encoded_links_stay_distinct() -> None:
    first = canonical_link("https://x.sy/news/%C7%E1%DA.htm")
    second = canonical_link("https://x.sy/news/%C8%E1%DA.htm")
    assert first != second
    assert first is not None
    assert "\ufffd" not in first


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        # GUID first: links and titles do not matter then.
        (("g1", "https://x.sy/1", "أ", None), ("g1", "https://x.sy/2", "ب", None), True),
        (("g1", None, "أ", None), ("g2", None, "أ", None), False),
        ((" g1 ", None, "أ", None), ("g1", None, "ب", None), True),
        # No GUID: the canonical link.
        (
            (None, "https://x.sy/1?utm_source=a", "أ", None),
            ("", "https://X.sy/1#c", "ب", None),
            True,
        ),
        ((None, "https://x.sy/1", "أ", None), (None, "https://x.sy/2", "أ", None), False),
        # Neither: title and date.
        ((None, None, "أ", "Sat, 10 Jan 2026"), ("  ", "ftp://x", "أ ", "Sat, 10 Jan 2026"), True),
        ((None, None, "أ", "Sat, 10 Jan 2026"), (None, None, "أ", "Sun, 11 Jan 2026"), False),
        # The same GUID and link is one entry whether or not the GUID is said to repeat.
        (("g1", "https://x.sy/1", "أ", None), ("g1", "https://x.sy/1", "ب", None), True),
    ],
)
def test_entry_key(
    one: tuple[str | None, str | None, str, str | None],
    other: tuple[str | None, str | None, str, str | None],
    same: bool,
) -> None:
    assert (entry_key(*one) == entry_key(*other)) is same


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        (("g", "https://x.sy/1", "أ", None), ("g", "https://x.sy/2", "أ", None), False),
        (("g", "https://x.sy/1", "أ", None), ("g", "https://x.sy/1?utm_source=x", "ب", None), True),
        (("g", None, "أ", "d1"), ("g", None, "ب", "d1"), False),
        (("g", None, "أ", "d1"), ("g", None, "أ", "d1"), True),
    ],
)
def test_entry_key_of_a_repeated_guid_adds_the_link(
    one: tuple[str | None, str | None, str, str | None],
    other: tuple[str | None, str | None, str, str | None],
    same: bool,
) -> None:
    keys = entry_key(*one, guid_repeats=True), entry_key(*other, guid_repeats=True)
    assert (keys[0] == keys[1]) is same
    assert entry_key(*one, guid_repeats=True) != entry_key(*one)


@pytest.mark.parametrize("guid", ["g", "x" * 5000, "\ud800", "https://x.sy/" + "ح" * 3000])
def test_entry_key_has_a_fixed_length(guid: str) -> None:
    assert len(entry_key(guid, None, "", None)) == 64


@pytest.mark.parametrize(
    ("link", "domain"),
    [
        ("https://www.Enabbaladi.net/a", "enabbaladi.net"),
        ("https://news.x.sy./a", "news.x.sy"),
        ("http://[oops/a", None),
        (None, None),
        ("not a link", None),
    ],
)
def test_source_domain(link: str | None, domain: str | None) -> None:
    assert source_domain(link) == domain

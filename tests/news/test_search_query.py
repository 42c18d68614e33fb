"""parse_query: what a reader's query asks for, and nothing of what it might smuggle in."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.news.search import MAX_QUERY_CHARS, MAX_TERMS, ParsedQuery, parse_query
from bot.text.arabic import index_terms, stem

PLAIN = re.compile(r"^[^\W_]+$")


def terms_of(text: str) -> tuple[str, ...]:
    return tuple(index_terms(text))


@pytest.mark.parametrize(
    ("raw", "terms", "prefix"),
    [
        ("انسحاب قسد ", terms_of("انسحاب قسد"), None),  # a space after: the word is complete
        ("انسحاب قسد", terms_of("انسحاب قسد"), "قسد"),  # still typing the last word
        ("بالانسح", terms_of("بالانسح"), "انسح"),  # the article and its clitic are not typed
        ("والانسحاب", (stem("انسحاب"),), "انسحاب"),
        ("المدينة", (stem("مدينة"),), "مدينه"),
        ("الاِنْسِحَاب ", (stem("انسحاب"),), None),  # diacritics
        ("حلب ح", (stem("حلب"), stem("ح")), None),  # one letter is no prefix
        ("حلب حلب قسد حلب", (stem("قسد"), stem("حلب")), "حلب"),  # the typed word goes last
        ("١١ كانون ", ("11", stem("كانون")), None),
        ("", (), None),
        ("   ", (), None),
    ],
)
def test_words_and_the_half_typed_last_word(
    raw: str, terms: tuple[str, ...], prefix: str | None
) -> None:
    query = parse_query(raw)
    assert query.terms == terms
    assert query.prefix == prefix


@pytest.mark.parametrize(
    ("raw", "categories", "sources", "terms"),
    [
        ("#سياسة حلب ", ("سياسه",), (), terms_of("حلب")),
        ("#سوريا_محلي", ("سوريا محلي",), (), ()),
        ("#سيا #سيا", ("سيا",), (), ()),
        ("@hashtagsyria.com حلب ", (), ("hashtagsyria.com",), terms_of("حلب")),
        ("@WWW.Enabbaladi.NET, قسد ", (), ("enabbaladi.net",), terms_of("قسد")),
        ("@someone حلب ", (), (), terms_of("someone حلب")),  # not a domain: a word
        ("# @ ", (), (), ()),
        ("#'; DROP TABLE articles;-- ", (), (), terms_of("drop table articles")),
    ],
)
def test_filters(
    raw: str, categories: tuple[str, ...], sources: tuple[str, ...], terms: tuple[str, ...]
) -> None:
    query = parse_query(raw)
    assert (query.categories, query.sources, query.terms) == (categories, sources, terms)


def test_filters_alone_leave_the_query_empty() -> None:
    query = parse_query("#سياسة @hashtagsyria.com")
    assert query.empty
    assert query.categories == ("سياسه",)
    assert query.sources == ("hashtagsyria.com",)
    assert not parse_query("حلب").empty
    assert parse_query("").empty


# Every hostile input named in issue 7, and what is left of it: plain words only.
HOSTILE = [
    ('"حلب', terms_of("حلب")),
    ("حلب*", terms_of("حلب")),
    ("حلب AND قسد", terms_of("حلب and قسد")),
    ("حلب OR قسد", terms_of("حلب or قسد")),
    ("NOT حلب", terms_of("not حلب")),
    ("NEAR(حلب قسد)", terms_of("near حلب قسد")),
    ("-حلب", terms_of("حلب")),
    ("title:حلب", terms_of("title حلب")),
    ("^حلب", terms_of("حلب")),
    ("حلب & قسد", terms_of("حلب قسد")),
    ("حلب | قسد", terms_of("حلب قسد")),
    ("!حلب", terms_of("حلب")),
    ("حلب <-> قسد", terms_of("حلب قسد")),
    ("حلب'); DROP TABLE articles; --", terms_of("حلب drop table articles")),
    ("' OR 1=1 --", ("or", "1")),  # deduplicated
    ("\u202eبلح\u202c", terms_of("بلح")),
    ("ح\u200bل\u200dب", terms_of("حلب")),
    ("🔥🔥 حلب 🇸🇾", terms_of("حلب")),
    ("!!! ؟؟ ... ،،", ()),
    ("*", ()),
    ('""', ()),
    ("\x00\x07\x1b[31m", terms_of("31m")),
]


@pytest.mark.parametrize(("raw", "terms"), HOSTILE)
def test_hostile_input_becomes_plain_words(raw: str, terms: tuple[str, ...]) -> None:
    query = parse_query(raw + " ")
    assert query.terms == terms
    assert all(PLAIN.match(term) for term in query.terms)
    assert not any(ch in query.text for ch in "\u202e\u202c\u200b\u200d\x00\x07\x1b")


def test_a_long_query_is_cut() -> None:
    query = parse_query("حلب " * 250 + "قسد")
    assert len(query.text) <= MAX_QUERY_CHARS
    assert query.terms == terms_of("حلب")
    words = " ".join(f"كلمة{i}" for i in range(300))
    assert len(parse_query(words).terms) == MAX_TERMS


def test_the_text_shown_back_keeps_the_readers_spelling() -> None:
    query = parse_query("  الاِنْسِحَاب\u200f   من\tحلب  ")
    assert query.text == "الاِنْسِحَاب من حلب"


def check(query: ParsedQuery) -> None:
    assert all(PLAIN.match(term) for term in query.terms)
    assert query.prefix is None or PLAIN.match(query.prefix)
    assert len(query.terms) == len(set(query.terms)) <= MAX_TERMS
    for name in query.categories:
        assert all(PLAIN.match(word) for word in name.split(" "))
    for source in query.sources:
        assert re.fullmatch(r"[a-z0-9.-]+", source)
    assert len(query.text) <= MAX_QUERY_CHARS


SYNTAX = st.sampled_from(
    ['"', "*", "AND", "OR", "NOT", "NEAR(", "-", ":", "^", "&", "|", "!", "<->", "(", ")",
     "'", ";", "--", "#", "@", "_", "\u202e", "\u200b", "\u200f", "ﻻ", "ﷲ", "ـ", "ً", "🔥"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(SYNTAX, st.text(max_size=12)), max_size=40).map(" ".join))
def test_parse_query_never_raises_and_yields_plain_words(raw: str) -> None:
    check(parse_query(raw))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=1200))
def test_any_text_at_all(raw: str) -> None:
    check(parse_query(raw))

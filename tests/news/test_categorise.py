"""Which categories an entry joins: feed defaults, mapped labels, keyword rules, as tables."""

from __future__ import annotations

import pytest

from bot.news.categorise import Categoriser, CategoryRule
from bot.text.arabic import index_terms

POLITICS, SYRIA, ECONOMY, SPORT = 1, 2, 3, 4

RULES = [
    CategoryRule(POLITICS, "سياسة", aliases=("Politics", "أخبار سياسية")),
    CategoryRule(SYRIA, "سوريا محلي", aliases=("محليات",), keywords=("حلب", "ريف دمشق")),
    CategoryRule(ECONOMY, "اقتصاد", aliases=("Economy",), keywords=("الليرة",)),
    CategoryRule(SPORT, "رياضة", aliases=("Sports", "سياسة")),  # an alias taken already
]


def terms(text: str) -> str:
    return " ".join(index_terms(text))


@pytest.mark.parametrize(
    ("defaults", "labels", "text", "expected"),
    [
        ((), (), "خبر عادي", []),
        ((SPORT,), (), "خبر عادي", [SPORT]),
        ((SPORT, SPORT), (), "خبر عادي", [SPORT]),
        # Labels map through names and aliases, normalised (case, harakat, hamza forms).
        ((), ("سياسة",), "خبر", [POLITICS]),
        ((), ("politics",), "خبر", [POLITICS]),
        ((), ("POLITICS",), "خبر", [POLITICS]),
        ((), ("سِيَاسَة",), "خبر", [POLITICS]),
        ((), ("أخبار سياسية",), "خبر", [POLITICS]),
        ((), ("محليات", "Economy"), "خبر", [SYRIA, ECONOMY]),
        ((), ("غير معروف",), "خبر", []),
        # The first category to claim a label keeps it (سياسة is also an alias of SPORT).
        ((), ("سياسة", "sports"), "خبر", [POLITICS, SPORT]),
        # Keywords match stemmed words, with or without the article and harakat.
        ((), (), "اشتباكات في مدينة حلب", [SYRIA]),
        ((), (), "انخفاض سعر اللّيرة السورية", [ECONOMY]),
        ((), (), "انخفاض سعر ليرة", [ECONOMY]),
        ((), (), "أمطار في ريف دمشق", [SYRIA]),
        ((), (), "دمشق وريفها", []),  # a phrase needs its words in order
        ((), (), "أمطار في حمص", []),
        # Order: defaults, then labels, then keywords; each category once.
        ((SPORT,), ("Economy",), "حلب والليرة", [SPORT, ECONOMY, SYRIA]),
        ((SYRIA,), ("محليات",), "حلب", [SYRIA]),
    ],
)
def test_categorise(
    defaults: tuple[int, ...], labels: tuple[str, ...], text: str, expected: list[int]
) -> None:
    categoriser = Categoriser(RULES)
    assert categoriser.categorise(defaults=defaults, labels=labels, terms=terms(text)) == expected


@pytest.mark.parametrize("keyword", ["", "   ", "،"])
def test_a_keyword_with_no_terms_matches_nothing(keyword: str) -> None:
    categoriser = Categoriser([CategoryRule(ECONOMY, "اقتصاد", keywords=(keyword,))])
    assert categoriser.categorise(defaults=(), labels=(), terms=terms("أي خبر")) == []


def test_no_rules_keeps_the_defaults() -> None:
    assert Categoriser([]).categorise(defaults=(3, 1), labels=("x",), terms="") == [3, 1]

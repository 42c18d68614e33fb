"""What a reader's search query asks for: plain words, a half-typed last word and filters.

Pure: no database, no Telegram. Whatever the reader types (FTS5 or tsquery syntax, SQL, bidi
overrides, emoji, a thousand characters) comes out as plain words made by the same text path
as the index (bot/text/arabic.py), so no user syntax can reach a search engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text.arabic import index_terms, prefix_term, tokens
from bot.text.html import visible

# Longest query, in characters, before anything else is done with it.
MAX_QUERY_CHARS = 256
# Words of a query that are matched; more only slow the engines down without narrowing much.
MAX_TERMS = 16
# A half-typed word shorter than this matches too many terms to be useful as a prefix.
MIN_PREFIX_CHARS = 2

# A source is named by its domain as posts show it: "@hashtagsyria.com".
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_TRAILING_PUNCTUATION = ".,،؛;:!?؟)]}»\"'"


@dataclass(frozen=True)
class ParsedQuery:
    """A query as the search engines see it, and as the reader should see it back."""

    terms: tuple[str, ...]  # normalised, stemmed plain words, in order, deduplicated
    # The last word's folded start when it may be half-typed; then terms[-1] is that word's
    # term, and the word matches that term or any term starting with the prefix.
    prefix: str | None
    categories: tuple[str, ...]  # normalised hashtag texts (#سوريا_محلي → "سوريا محلي")
    sources: tuple[str, ...]  # domains from @hashtagsyria.com
    text: str  # the cleaned query, to show back ("لا توجد نتائج لـ …")

    @property
    def empty(self) -> bool:
        """No words to match: the filters alone ask for the latest articles."""
        return not self.terms and self.prefix is None


def _domain(word: str) -> str | None:
    domain = word.lower().rstrip(_TRAILING_PUNCTUATION).removeprefix("www.")
    return domain if _DOMAIN.match(domain) else None


def parse_query(raw: str, *, max_chars: int = MAX_QUERY_CHARS) -> ParsedQuery:
    """Read a reader's query; never raises, and yields only plain words and filters."""
    cut = raw[:max_chars]
    text = visible(cut)
    # A query that ends inside a word (no space after it) may be half-typed: inline queries
    # arrive as the reader types.
    typing = bool(text) and not cut[-1:].isspace()
    terms: list[str] = []
    categories: list[str] = []
    sources: list[str] = []
    last_plain: str | None = None
    for word in text.split(" "):
        if word.startswith("#"):
            category = " ".join(tokens(word.replace("_", " ")))
            if category and category not in categories:
                categories.append(category)
            last_plain = None
            continue
        if word.startswith("@") and (domain := _domain(word[1:])) is not None:
            if domain not in sources:
                sources.append(domain)
            last_plain = None
            continue
        words = index_terms(word)
        terms.extend(words)
        last_plain = word if words else last_plain
    unique = tuple(dict.fromkeys(terms))[:MAX_TERMS]
    prefix = None
    if typing and last_plain is not None and text.endswith(last_plain):
        start = prefix_term(last_plain)
        if len(start) >= MIN_PREFIX_CHARS:
            prefix = start
            # The half-typed word's own term goes last: it is matched as "that term or any
            # term starting with the prefix" (ParsedQuery.prefix).
            last = terms[-1]
            unique = (*(term for term in unique if term != last), last)[-MAX_TERMS:]
    return ParsedQuery(
        terms=unique,
        prefix=prefix,
        categories=tuple(categories),
        sources=tuple(sources),
        text=text,
    )

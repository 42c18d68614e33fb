"""What a reader's keyword is matched as: the same normalised, stemmed terms as articles."""

from __future__ import annotations

from bot.text.arabic import index_terms


def keyword_term(word: str) -> str:
    """What a keyword is matched as: its normalised, stemmed terms joined by spaces."""
    return " ".join(index_terms(word))

"""Lead summaries: the first sentences of an article, within a character budget."""

from __future__ import annotations

import re

from bot.text.arabic import split_sentences, tokens

ELLIPSIS = "…"
# Left at the end of a cut text, these would sit right before the ellipsis ("قال: …").
_TRAILING_PUNCTUATION = " \t\n,;:-–—،؛"
_PARTIAL_LAST_WORD = re.compile(r"\s+\S*$")


def truncate_words(text: str, max_chars: int) -> str:
    """Cut text to at most max_chars at a word boundary, ending it with "…" if it was cut.

    A single word longer than the budget is the only thing ever cut inside a word.
    """
    text = text.strip()
    if len(text) <= max_chars:
        return text
    budget = max_chars - len(ELLIPSIS)
    if budget <= 0:
        return ""
    cut = text[:budget]
    if not text[budget].isspace():
        # The budget ends inside a word: drop that partial word, unless it is the only one.
        cut = _PARTIAL_LAST_WORD.sub("", cut) or cut
    return cut.rstrip(_TRAILING_PUNCTUATION) + ELLIPSIS


def summarise(text: str, max_chars: int, *, headline: str = "") -> str:
    """Return the lead sentences of text that fit in max_chars, joined by spaces.

    A first sentence that only repeats the headline is skipped: the post shows the headline
    anyway. If even the first sentence is too long, it is cut at a word boundary with "…".
    """
    sentences = split_sentences(text)
    if sentences and headline and tokens(sentences[0]) == tokens(headline):
        sentences = sentences[1:]
    if not sentences or max_chars <= 0:
        return ""

    summary = sentences[0]
    if len(summary) > max_chars:
        return truncate_words(summary, max_chars)
    for sentence in sentences[1:]:
        longer = f"{summary} {sentence}"
        if len(longer) > max_chars:
            break
        summary = longer
    return summary

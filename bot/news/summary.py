"""Summaries within a character budget: the lead sentences of an article (summarise), or its
most central ones (extract)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.text.arabic import content_terms, iter_sentences, normalise, tokens

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
    # Split lazily: the sentences after the first that does not fit are never split.
    sentences = iter_sentences(text)
    first = next(sentences, None)
    if first is not None and headline and tokens(first) == tokens(headline):
        first = next(sentences, None)
    if first is None or max_chars <= 0:
        return ""

    summary = first
    if len(summary) > max_chars:
        return truncate_words(summary, max_chars)
    for sentence in sentences:
        longer = f"{summary} {sentence}"
        if len(longer) > max_chars:
            break
        summary = longer
    return summary


# --- extractive summaries ------------------------------------------------------------------------

MIN_SENTENCES = 2  # a summary carries the news in two to four sentences (issue 9)
MAX_SENTENCES = 4
# Only the lead of a long article is ranked: the news is there, and ranking is quadratic.
_MAX_RANKED = 40
_DAMPING = 0.85
_ITERATIONS = 60
_TOLERANCE = 1e-6
_MIN_WORDS = 4  # shorter lines are subheads, labels and captions, not sentences of the news
_REDUNDANT = 0.6  # a sentence sharing this share of its terms with a chosen one says it again
_REPEATS_HEADLINE = 0.8  # a sentence mostly made of the headline's terms repeats it
_QUESTION_WEIGHT = 0.5  # an interviewer's question informs less than the answer
_UNENDED_WEIGHT = 0.7  # a line with no end mark is often a subhead
_END_OF_SENTENCE = tuple(".!?؟…۔\"'”’»)]")

# Boilerplate: what a page wraps around the news. Phrases anywhere in a sentence, compared
# normalised, so spelling variants («اقرأ أيضاً», «إقرأ ايضا») are one phrase.
_BOILERPLATE_PHRASES = tuple(
    normalise(phrase)
    for phrase in (
        "اقرأ أيضا",
        "اقرأ المزيد",
        "اقرأ كذلك",
        "ذات صلة",
        "تابعونا",
        "تابعنا على",
        "تابعوا آخر الأخبار",
        "تابعوا قناتنا",
        "تابعوا صفحتنا",
        "جميع الحقوق محفوظة",
        "كل الحقوق محفوظة",
        "حقوق النشر",
        "حقوق الطبع",
        "©",
        # «شارك» and «اشترك» are also «took part»: only their prompts' own phrases.
        "شارك الخبر",
        "شاركوا الخبر",
        "شارك هذا",
        "شارك المقال",
        "انشر على",
        "اضغط هنا",
        "انقر هنا",
        "اشترك في النشرة",
        "اشترك في قناتنا",
        "اشتركوا في",
        "اشترك الآن",
        "حمل تطبيق",
        "رابط مختصر",
        "الرابط المختصر",
        "للمزيد من الأخبار",
        "للمزيد من التفاصيل",
        "مصدر الصورة",
        "(صورة",
        "الصورة:",
        "صورة أرشيفية",
        "صورة تعبيرية",
        "تصوير:",
        "getty images",
    )
)
# Bylines and credits open their line: «بقلم …», «كتب: …», «إعداد - …», «المصدر: …».
_BYLINE = re.compile(
    r"^(?:بقلم|(?:كتب|كتبت|اعداد|تحرير|ترجمه|متابعه|تصوير|مراسل|مراسله|المحرر|محرر|المصدر|مصدر)"
    r"\s*[:\-–—|/])"
)
# A list item or an interviewer's question: part of the article, not a sentence to lead with.
_LIST_ITEM = re.compile(r"^(?:[-–—•*·▪●◦]|\d+\s*[.)\-–]|س\s*[:/\-])")


def is_boilerplate(sentence: str) -> bool:
    """Tell whether a sentence is the page's (a byline, «اقرأ أيضاً», a share prompt, a
    copyright line, a photo credit) rather than the news."""
    return _is_boilerplate_key(normalise(sentence))


def _is_boilerplate_key(key: str) -> bool:
    return _BYLINE.match(key) is not None or any(phrase in key for phrase in _BOILERPLATE_PHRASES)


@dataclass(frozen=True)
class _Sentence:
    index: int  # its place in the article
    text: str
    terms: frozenset[str]
    eligible: bool  # may be chosen (ranked either way: it still tells what is central)


def _sentences(text: str, headline_terms: frozenset[str]) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    for sentence in iter_sentences(text):  # up to _MAX_RANKED: the rest is never split
        key = normalise(sentence)
        if _is_boilerplate_key(key):
            continue
        terms = frozenset(content_terms(sentence))
        repeats_headline = bool(terms) and (
            len(terms & headline_terms) >= _REPEATS_HEADLINE * len(terms)
        )
        eligible = (
            len(sentence.split()) >= _MIN_WORDS
            and not sentence.endswith((":", "："))
            and _LIST_ITEM.match(key) is None
            and not repeats_headline
        )
        sentences.append(_Sentence(len(sentences), sentence, terms, eligible))
        if len(sentences) == _MAX_RANKED:
            break
    return sentences


def _similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """TextRank's similarity: shared terms, over the log of the sentences' lengths."""
    shared = len(first & second)
    if not shared:
        return 0.0
    return shared / (math.log(1 + len(first)) + math.log(1 + len(second)))


def _rank(sentences: Sequence[_Sentence], headline_terms: frozenset[str]) -> list[float]:
    """PageRank over the sentences' similarity graph, teleporting to the lead (and to the
    headline's words) rather than uniformly: a news article says what matters first."""
    count = len(sentences)
    prior = [
        (1 + len(sentence.terms & headline_terms) / max(len(headline_terms), 1))
        / (1 + sentence.index)
        for sentence in sentences
    ]
    prior_total = sum(prior)
    prior = [weight / prior_total for weight in prior]
    neighbours: list[list[tuple[int, float]]] = [[] for _ in range(count)]
    for i in range(count):
        for j in range(i + 1, count):
            weight = _similarity(sentences[i].terms, sentences[j].terms)
            if weight:
                neighbours[i].append((j, weight))
                neighbours[j].append((i, weight))
    out_weight = [sum(weight for _, weight in edges) for edges in neighbours]
    # What each sentence passes to a neighbour, per unit of its score (the graph is symmetric).
    inbound = [[(j, weight / out_weight[j]) for j, weight in edges] for edges in neighbours]
    dangling_sentences = [i for i in range(count) if not out_weight[i]]

    scores = list(prior)
    for _ in range(_ITERATIONS):
        # A sentence with no neighbours hands its score back through the prior.
        teleport = 1 - _DAMPING + _DAMPING * sum(scores[i] for i in dangling_sentences)
        new = [
            teleport * prior[i] + _DAMPING * sum(scores[j] * share for j, share in inbound[i])
            for i in range(count)
        ]
        change = sum(abs(a - b) for a, b in zip(new, scores, strict=True))
        scores = new
        if change < _TOLERANCE:
            break
    return scores


def _joined_length(sentences: Iterable[_Sentence]) -> int:
    texts = [sentence.text for sentence in sentences]
    return sum(map(len, texts)) + max(len(texts) - 1, 0)


def _jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    union = len(first | second)
    return len(first & second) / union if union else 1.0


def _choose(ranked: Sequence[tuple[float, _Sentence]], max_chars: int) -> list[_Sentence]:
    """The best sentences that fit together, at most MAX_SENTENCES, none saying a chosen one
    again; two that fit are preferred to a single longer one that leaves no room."""
    chosen: list[_Sentence] = []
    for _, sentence in ranked:
        if len(chosen) == MAX_SENTENCES:
            break
        if _joined_length([*chosen, sentence]) > max_chars:
            continue
        if any(_jaccard(sentence.terms, other.terms) >= _REDUNDANT for other in chosen):
            continue
        chosen.append(sentence)
    if len(chosen) == 1:
        top = ranked[:10]
        pairs = [
            (score_a + score_b, (a, b))
            for position, (score_a, a) in enumerate(top)
            for score_b, b in top[position + 1 :]
            if _joined_length((a, b)) <= max_chars and _jaccard(a.terms, b.terms) < _REDUNDANT
        ]
        if pairs:
            best_score, best_pair = max(pairs, key=lambda pair: pair[0])
            if best_score >= ranked[0][0]:
                chosen = list(best_pair)
    return sorted(chosen, key=lambda sentence: sentence.index)


def _weight(sentence: str) -> float:
    if sentence.endswith(("؟", "?")):
        return _QUESTION_WEIGHT
    if not sentence.endswith(_END_OF_SENTENCE):
        return _UNENDED_WEIGHT
    return 1.0


def summary_sentences(text: str, max_chars: int, *, headline: str = "") -> list[str]:
    """The sentences of text that extract() keeps, in the article's order; [] when not even
    one fits in max_chars."""
    if max_chars <= 0:
        return []
    headline_terms = frozenset(content_terms(headline))
    sentences = _sentences(text, headline_terms)
    if not sentences:
        return []
    scores = _rank(sentences, headline_terms)
    ranked = sorted(
        (
            (score * _weight(sentence.text), sentence)
            for score, sentence in zip(scores, sentences, strict=True)
            if sentence.eligible
        ),
        key=lambda pair: (-pair[0], pair[1].index),
    )
    if not ranked:
        # Nothing that reads as a sentence of the news (a list, a line of labels): the lead.
        ranked = [(0.0, sentence) for sentence in sentences]
    return [sentence.text for sentence in _choose(ranked, max_chars)]


def extract(text: str, max_chars: int, *, headline: str = "") -> str:
    """Return a summary of text in at most max_chars: its two to four most central sentences
    (TextRank over stemmed terms, with a lead bias), whole and in their original order.

    Boilerplate (bylines, «اقرأ أيضاً», share prompts, copyright lines, photo credits) and a
    sentence that repeats the headline are never chosen. If no sentence fits whole, the first
    sentence of the news is cut at a word boundary, as summarise() does. Deterministic.
    """
    chosen = summary_sentences(text, max_chars, headline=headline)
    if chosen:
        return " ".join(chosen)
    if max_chars <= 0:
        return ""
    headline_terms = frozenset(content_terms(headline))
    news = _sentences(text, headline_terms)
    first = next((sentence for sentence in news if sentence.eligible), None) or next(
        iter(news), None
    )
    return truncate_words(first.text, max_chars) if first is not None else ""

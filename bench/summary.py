"""Extractive summaries per second on one core, next to the lead summary on the same texts.

    python -m bench.summary [--articles 1000] [--max-chars 400] [--repeat 5] [--seed N]

What one run does:

1. Builds `--articles` distinct Arabic articles from the summary tests' fixtures
   (tests/news/summary_articles.py) with a fixed seed: each is one to three fixtures' paragraphs,
   the lead kept first and the rest shuffled, with about one word in ten replaced by another word
   of the fixtures and the numbers changed. The same seed always gives the same texts.
2. Pins the process to one core (where the system allows it) and times, in CPU time of this
   process, `extract(text, max_chars, headline=…)` over all of them, then the baseline in the
   same run: `summarise` (the lead sentences, what posts use today) over the same texts.
   The first round of `extract` runs with cold caches (the stemmer's); the next `--repeat`
   rounds of each are warm, as in a running bot, which sees the same vocabulary all day.
3. Prints summaries per second (median of the warm rounds, and the cold round), the ratio to the
   baseline, what the summaries look like (sentences, characters), and a markdown row.

Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from bot.news.summary import extract, summarise, summary_sentences
from tests.news.summary_articles import ARTICLES

SEED = 20260901
TARGET_PER_SECOND = 200
_WORD = re.compile(r"[^\W\d_]{3,}")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Article:
    headline: str
    text: str


def vocabulary() -> list[str]:
    return sorted({word for article in ARTICLES for word in _WORD.findall(article.text)})


def make_articles(
    count: int, seed: int = SEED, fixtures: tuple[int, int] = (1, 3)
) -> list[Article]:
    """`count` distinct articles, each made of `fixtures` (fewest, most) of the fixtures; the
    same seed gives the same texts."""
    rng = random.Random(seed)
    words = vocabulary()
    articles: list[Article] = []
    for _ in range(count):
        sources = rng.sample(ARTICLES, rng.randint(*fixtures))
        lead, *rest = sources[0].text.splitlines()
        paragraphs = rest + [line for source in sources[1:] for line in source.text.splitlines()]
        rng.shuffle(paragraphs)
        text = "\n".join([lead, *paragraphs])
        text = _WORD.sub(lambda word: rng.choice(words) if rng.random() < 0.1 else word[0], text)
        text = _NUMBER.sub(lambda _: str(rng.randint(2, 9999)), text)
        articles.append(Article(sources[0].headline, text))
    return articles


@contextmanager
def one_core() -> Iterator[str]:
    """Run on one core, so that the figure is one core's; say which. The process's cores are
    given back afterwards (the tests run this in pytest's process)."""
    if not hasattr(os, "sched_setaffinity"):
        yield "not pinned (no sched_setaffinity here)"
        return
    cores = os.sched_getaffinity(0)
    core = min(cores)
    os.sched_setaffinity(0, {core})
    try:
        yield f"pinned to core {core}"
    finally:
        os.sched_setaffinity(0, cores)


def cpu_seconds(summarise_one: Callable[[Article], str], articles: Sequence[Article]) -> float:
    started = time.process_time()
    for article in articles:
        summarise_one(article)
    return time.process_time() - started


def run(args: argparse.Namespace) -> str:
    with one_core() as pinned:
        return _measure(args, pinned)


def _measure(args: argparse.Namespace, pinned: str) -> str:
    articles = make_articles(args.articles, args.seed)
    max_chars = args.max_chars

    def ours(article: Article) -> str:
        return extract(article.text, max_chars, headline=article.headline)

    def lead(article: Article) -> str:
        return summarise(article.text, max_chars, headline=article.headline)

    cold = cpu_seconds(ours, articles)
    warm = [cpu_seconds(ours, articles) for _ in range(args.repeat)]
    baseline = [cpu_seconds(lead, articles) for _ in range(args.repeat)]
    # The longest shape: every fixture in one article (about 6,500 characters, over the 40
    # sentences that are ranked).
    count_long = max(args.articles // 10, 1)
    longest = make_articles(count_long, args.seed, (len(ARTICLES), len(ARTICLES)))
    long_rate = len(longest) / statistics.median(
        [cpu_seconds(ours, longest) for _ in range(args.repeat)]
    )
    long_lead_rate = len(longest) / statistics.median(
        [cpu_seconds(lead, longest) for _ in range(args.repeat)]
    )

    count = len(articles)
    ours_rate = count / statistics.median(warm)
    cold_rate = count / cold
    lead_rate = count / statistics.median(baseline)
    chosen = [
        summary_sentences(article.text, max_chars, headline=article.headline)
        for article in articles
    ]
    lengths = [len(ours(article)) for article in articles]
    text_chars = [len(article.text) for article in articles]
    sentence_counts = [len(sentences) for sentences in chosen]

    lines = [
        f"Extractive summaries of {count:,} generated Arabic articles "
        f"(max_chars={max_chars}, seed {args.seed})",
        f"machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, {pinned}",
        f"articles: {statistics.median(text_chars):,.0f} characters median, "
        f"{min(text_chars):,}–{max(text_chars):,}",
        "",
        f"extract (ours), warm:  {ours_rate:,.0f}/s  (median of {args.repeat}; "
        f"{min(warm) * 1000 / count:.2f}–{max(warm) * 1000 / count:.2f} ms per article)",
        f"extract (ours), cold:  {cold_rate:,.0f}/s  (first round: the stemmer's cache starts "
        f"empty, and the fixtures' {len(vocabulary()):,} words fill it within a few articles)",
        f"summarise (baseline):  {lead_rate:,.0f}/s  (median of {args.repeat})",
        f"ratio ours / baseline: {ours_rate / lead_rate:.3f} "
        f"(extract takes {lead_rate / ours_rate:.1f}× the lead summary's time)",
        f"target: ≥ {TARGET_PER_SECOND}/s on one core: "
        f"{'met' if ours_rate >= TARGET_PER_SECOND else 'NOT met'}",
        "",
        f"summaries: {statistics.mean(sentence_counts):.2f} sentences on average "
        f"({sum(1 for n in sentence_counts if 2 <= n <= 4):,} of {count:,} with 2–4), "
        f"{statistics.median(lengths):,.0f} characters median, longest {max(lengths):,}",
        f"longest shape (all {len(ARTICLES)} fixtures in one, "
        f"{statistics.median(len(a.text) for a in longest):,.0f} characters, "
        f"{count_long:,} articles): extract {long_rate:,.0f}/s, summarise {long_lead_rate:,.0f}/s",
        "",
        "| articles | max_chars | extract warm | extract cold | summarise | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {count:,} | {max_chars} | {ours_rate:,.0f}/s | {cold_rate:,.0f}/s | "
        f"{lead_rate:,.0f}/s | {ours_rate / lead_rate:.3f} |",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.summary", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=1000, help="articles (1000)")
    parser.add_argument(
        "--max-chars", type=int, default=400, help="summary length (400, the default setting)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="warm rounds of each (5)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed ({SEED})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    print(run(parse_args(argv)))


if __name__ == "__main__":
    main()

"""The same-story check's cost per article with 50,000 articles in the 72-hour window, and the
index's memory, next to baselines measured in the same run.

    python -m bench.dedupe [--window 50000] [--queries 1000] [--seed N] [--datasketch]

What one run does:

1. Generates `--window` distinct Arabic-like articles with a fixed seed: headlines of 6–10 and
   texts of 120–400 words of bench/vocabulary.py (nouns, verbs, adjectives, places, function
   words, in their clitic forms) drawn with Zipf frequencies, so that common words and word
   pairs recur across articles as in news. Then `--queries` new articles: half are copies of a
   window article by another outlet (another headline, a sentence of its own in front, about one
   word in thirty replaced), half are new stories.
2. Fingerprints the window (bot.news.stories.fingerprint) and keeps the stored form
   (`to_bytes`), then rebuilds a StoryIndex from those bytes under tracemalloc, as a process does
   at start: the memory figure is what the index holds (fingerprints, band arrays, dicts).
3. Times, in CPU time of this process, per new article: the fingerprint, the check
   (`earlier_story`), and adding it; then the baselines on the same articles: the exact-headline
   check alone (a dict of normalised headlines), and brute-force estimated Jaccard of each new
   article against 1,000 window articles, extrapolated to the window.
4. With `--datasketch`, also inserts the same signatures into datasketch's MinHashLSH with the
   same bands (20 × 2) and reports its memory and query time (about 40 s and 330 MB more).

Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import platform
import random
import statistics
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench import vocabulary
from bench.summary import one_core
from bot.news.stories import (
    BANDS,
    MINHASH_SCHEME,
    MINHASH_SEED,
    NUM_PERM,
    ROWS,
    Fingerprint,
    StoryIndex,
    fingerprint,
    headline_key,
    jaccard,
    same_story,
)

SEED = 20260911
TARGET_MS = 2.0
BRUTE_FORCE_WINDOW = 1000
T0 = datetime(2026, 1, 11, tzinfo=UTC)


@dataclass(frozen=True)
class Article:
    headline: str
    text: str


def _words(rng: random.Random) -> tuple[list[str], list[float]]:
    """News words in their written forms, with Zipf weights over a shuffled order of them."""
    forms: list[str] = []
    for kind, words in (
        ("noun", vocabulary.NOUNS),
        ("verb", vocabulary.VERBS),
        ("adjective", vocabulary.ADJECTIVES),
        ("place", vocabulary.PLACES),
    ):
        for word in dict.fromkeys(words):
            forms += [form for form, _ in vocabulary.surface_forms(word, kind)]
    forms = list(dict.fromkeys(forms))
    rng.shuffle(forms)
    words = list(vocabulary.FUNCTION_WORDS) + forms
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return words, weights


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words, weights = _words(self.rng)
        self.cumulative = list(itertools.accumulate(weights))  # once, not at every draw

    def _sentence(self, count: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=count))

    def article(self) -> Article:
        sentences = []
        remaining = self.rng.randint(120, 400)
        while remaining > 0:
            length = min(remaining, self.rng.randint(12, 30))
            sentences.append(self._sentence(length) + ".")
            remaining -= length
        return Article(self._sentence(self.rng.randint(6, 10)), " ".join(sentences))

    def copy(self, article: Article) -> Article:
        """The story by another outlet: its own headline and first sentence, a few words changed."""
        words = article.text.split()
        for _ in range(len(words) // 30):
            words[self.rng.randrange(len(words))] = self.rng.choice(self.words)
        intro = self._sentence(self.rng.randint(8, 15)) + "."
        return Article(self._sentence(self.rng.randint(6, 10)), intro + " " + " ".join(words))


def cpu_ms_per(count: int, started: float) -> float:
    return (time.process_time() - started) * 1000 / count


def run(args: argparse.Namespace) -> str:
    with one_core() as pinned:
        return _measure(args, pinned)


def _measure(args: argparse.Namespace, pinned: str) -> str:
    generator = Generator(args.seed)
    window = [generator.article() for _ in range(args.window)]
    originals = [generator.rng.randrange(args.window) for _ in range(args.queries // 2)]
    queries = [generator.copy(window[n]) for n in originals]
    queries += [generator.article() for _ in range(args.queries - len(originals))]

    started = time.process_time()
    stored = [fingerprint(a.headline, a.text).to_bytes() for a in window]
    window_fingerprint_ms = cpu_ms_per(len(window), started)

    gc.collect()
    tracemalloc.start()
    started = time.process_time()
    index = StoryIndex()
    for n, data in enumerate(stored):
        index.add(n, Fingerprint.from_bytes(data), T0 + timedelta(seconds=n))
    rebuild_ms = cpu_ms_per(len(stored), started)
    index_traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    started = time.process_time()
    prints = [fingerprint(a.headline, a.text) for a in queries]
    fingerprint_ms = cpu_ms_per(len(queries), started)
    started = time.process_time()
    found = [index.earlier_story(p) for p in prints]
    check_ms = cpu_ms_per(len(queries), started)
    candidates = [len(index.query(p)) for p in prints]
    copies_found = sum(1 for n, f in zip(originals, found, strict=False) if f == n)
    # The copies that the decision takes for the story (LSH recall is found / these).
    near = sum(
        1
        for n, p in zip(originals, prints, strict=False)
        if same_story(p, Fingerprint.from_bytes(stored[n]))
    )
    new_matched = sum(1 for f in found[len(originals) :] if f is not None)
    now = T0 + timedelta(seconds=args.window)
    started = time.process_time()
    for n, p in enumerate(prints):
        index.add(args.window + n, p, now)
    add_ms = cpu_ms_per(len(prints), started)

    # Baseline 1: the exact-headline check alone, as a dict of normalised headlines.
    gc.collect()
    tracemalloc.start()
    headlines: dict[int, int] = {}
    for n, article in enumerate(window):
        headlines.setdefault(headline_key(article.headline), n)
    headline_traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    started = time.process_time()
    for article in queries:
        headlines.get(headline_key(article.headline))
    headline_ms = cpu_ms_per(len(queries), started)

    # Baseline 2: every new article against every window article, on 1,000 of them.
    small = [Fingerprint.from_bytes(data) for data in stored[:BRUTE_FORCE_WINDOW]]
    sample = prints[: max(len(prints) // 10, 1)]
    started = time.process_time()
    for p in sample:
        [n for n, other in enumerate(small) if jaccard(p, other) >= 0.5]
    brute_ms = cpu_ms_per(len(sample), started) * args.window / len(small)

    total_ms = fingerprint_ms + check_ms
    lines = [
        f"Same-story check with {args.window:,} generated Arabic articles in the window "
        f"({args.queries:,} new ones, half of them copies; seed {args.seed})",
        f"machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, {pinned}",
        f"signature: {NUM_PERM} values, LSH {BANDS} bands × {ROWS}; stored form "
        f"{statistics.mean(len(d) for d in stored):,.0f} bytes on average",
        "",
        f"per new article:  fingerprint {fingerprint_ms:.3f} ms + check {check_ms:.3f} ms "
        f"= {total_ms:.3f} ms (target ≤ {TARGET_MS:g} ms: "
        f"{'met' if total_ms <= TARGET_MS else 'NOT met'}); add {add_ms:.3f} ms",
        f"candidates per check: {statistics.mean(candidates):.2f} on average, "
        f"{max(candidates)} at most",
        f"copies found: {copies_found:,} of {len(originals):,} ({near:,} are near-copies by "
        f"same_story, the rest were edited too much); new stories matched: "
        f"{new_matched:,} of {len(queries) - len(originals):,}",
        f"window: fingerprints {window_fingerprint_ms:.3f} ms per article; rebuild from bytes "
        f"{rebuild_ms:.3f} ms per article ({rebuild_ms * args.window / 1000:.1f} s)",
        f"index memory: {index_traced / 1e6:,.1f} MB traced ({index_traced / args.window:,.0f} "
        f"bytes per article; arrays {index.index_bytes / 1e6:,.1f} MB of it)",
        "",
        f"baseline, exact headline alone: {headline_ms:.3f} ms per article, "
        f"{headline_traced / 1e6:,.1f} MB",
        f"baseline, brute-force Jaccard over the window: {brute_ms:.1f} ms per article "
        f"(measured over {len(small):,}, extrapolated)",
    ]
    table_extra = ""
    if args.datasketch:
        lsh_mb, lsh_ms = _datasketch(stored, prints)
        lines.append(
            f"datasketch MinHashLSH, same bands, signatures only: {lsh_mb:,.1f} MB, "
            f"query {lsh_ms:.3f} ms"
        )
        table_extra = f" {lsh_mb:,.0f} MB |"
    lines += [
        "",
        "| window | fingerprint | check | index memory | headline only | brute force |"
        + (" MinHashLSH |" if args.datasketch else ""),
        "| --- | --- | --- | --- | --- | --- |" + (" --- |" if args.datasketch else ""),
        f"| {args.window:,} | {fingerprint_ms:.3f} ms | {check_ms:.3f} ms | "
        f"{index_traced / 1e6:,.0f} MB | {headline_ms:.3f} ms | {brute_ms:.0f} ms |" + table_extra,
    ]
    return "\n".join(lines)


def _datasketch(stored: Sequence[bytes], prints: Sequence[Fingerprint]) -> tuple[float, float]:
    from datasketch import LeanMinHash, MinHashLSH

    def lean(p: Fingerprint) -> LeanMinHash:
        return LeanMinHash(seed=MINHASH_SEED, hashvalues=p.signature, scheme=MINHASH_SCHEME)

    sketches = [lean(Fingerprint.from_bytes(data)) for data in stored]
    gc.collect()
    tracemalloc.start()
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    for n, sketch in enumerate(sketches):
        lsh.insert(n, sketch, check_duplication=False)
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    queries = [lean(p) for p in prints]
    started = time.process_time()
    for query in queries:
        lsh.query(query)
    return traced / 1e6, cpu_ms_per(len(queries), started)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dedupe", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--window", type=int, default=50_000, help="articles indexed (50000)")
    parser.add_argument("--queries", type=int, default=1000, help="new articles checked (1000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed ({SEED})")
    parser.add_argument(
        "--datasketch", action="store_true", help="also measure datasketch's MinHashLSH"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    print(run(parse_args(argv)))


if __name__ == "__main__":
    main()

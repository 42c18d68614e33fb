"""What the text work of a feed parse costs, per function, next to the pre-issue-11 code.

    python -m bench.text [--feeds 30] [--entries 30] [--repeat 7] [--cold-repeat 3] [--no-corpus]

What one run does:

1. Generates `--feeds` feeds of `--entries` entries with bench.poll's generator (the same
   bytes as `make bench` polls) and reads every feed of the shared corpus (../shared/feeds,
   skipped when absent), and parses each once with feedparser as bot/feeds/parse.py does.
2. From each entry takes what parse.py's `_entry` gives the text functions: the raw title and
   body HTML (html_to_text), then the title and text (detect_language on
   f"{title}\\n{text[:2000]}", article_terms(title, text), summarise(text, 400, headline=title)).
3. Pins the process to one core and times, in CPU time of this process, each function over all
   the entries, ours (bot/) and the baseline (bench/text_baseline.py, the code before issue 11)
   in turn, `--repeat` rounds after one warm-up round; then `--cold-repeat` cold rounds of
   each, every one with the word caches emptied first.
4. Checks that both give the same output on every input, and prints ms per feed (median and
   min–max of the warm rounds, and the cold round) and the ratio ours / baseline.

Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import feedparser

from bench import text_baseline as old
from bench.poll import generate_feed
from bench.summary import one_core
from bot.feeds.parse import _body_html  # the body as parse_feed takes it
from bot.news.summary import summarise
from bot.text import arabic
from bot.text.arabic import article_terms, detect_language
from bot.text.html import html_to_text
from tests.support import FEEDS

SUMMARY_CHARS = 400  # parse_feed's default, as the poller passes it


@dataclass(frozen=True)
class Item:
    """One entry's inputs to the text functions, as bot/feeds/parse.py's _entry makes them."""

    raw_title: str
    body_html: str
    title: str
    text: str


@dataclass(frozen=True)
class Inputs:
    name: str
    feeds: int
    items: list[Item]


def _items(body: bytes) -> list[Item]:
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    items: list[Item] = []
    for raw in parsed.entries:
        raw_title = raw.get("title") or ""
        body_html = _body_html(raw)
        title = " ".join(old.html_to_text(raw_title).replace("\x00", "").split())
        text = old.html_to_text(body_html).replace("\x00", "")
        if not title and not text:
            continue
        items.append(Item(raw_title, body_html, title or text.split("\n", 1)[0][:200], text))
    return items


def bench_inputs(feeds: int, entries: int) -> Inputs:
    items = [item for index in range(feeds) for item in _items(generate_feed(index, entries))]
    return Inputs(f"bench generator ({feeds} feeds × {entries} entries)", feeds, items)


def corpus_inputs() -> Inputs | None:
    if not FEEDS.is_dir():
        return None
    paths = sorted(FEEDS.glob("*/*.xml"))
    items = [item for path in paths for item in _items(path.read_bytes())]
    return Inputs(f"shared corpus ({len(paths)} files, {len(items)} entries)", len(paths), items)


def _fields(terms: Any) -> tuple[list[str], list[str], list[str]]:
    return terms.index, terms.title, terms.text


# Each function as parse.py calls it, on one entry's inputs: (ours, baseline).
Call = Callable[[Item], object]
FUNCTIONS: dict[str, tuple[Call, Call]] = {
    "html_to_text": (
        lambda item: (html_to_text(item.raw_title), html_to_text(item.body_html)),
        lambda item: (old.html_to_text(item.raw_title), old.html_to_text(item.body_html)),
    ),
    "detect_language": (
        lambda item: detect_language(f"{item.title}\n{item.text[:2000]}"),
        lambda item: old.detect_language(f"{item.title}\n{item.text[:2000]}"),
    ),
    "article_terms": (  # two classes of the same fields: compared by their fields
        lambda item: _fields(article_terms(item.title, item.text)),
        lambda item: _fields(old.article_terms(item.title, item.text)),
    ),
    "summarise": (
        lambda item: summarise(item.text, SUMMARY_CHARS, headline=item.title),
        lambda item: old.summarise(item.text, SUMMARY_CHARS, headline=item.title),
    ),
}


def clear_caches() -> None:
    """Empty every per-word cache, ours and the baseline's, as in a worker process just started
    (not detect_language's letter sets, built once per process: bounded caches only)."""
    for module in (arabic, old):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)) and value.cache_info().maxsize:
                value.cache_clear()


def cold_ms(call: Call, items: Sequence[Item], repeat: int) -> float:
    """The median of `repeat` rounds, each after the caches were emptied."""
    rounds = []
    for _ in range(repeat):
        clear_caches()
        gc.collect()  # the emptied caches' garbage is not this round's
        rounds.append(cpu_ms(call, items))
    return statistics.median(rounds)


def cpu_ms(call: Call, items: Sequence[Item]) -> float:
    started = time.process_time()
    for item in items:
        call(item)
    return (time.process_time() - started) * 1000


@dataclass(frozen=True)
class Figures:
    warm: list[float]  # ms per feed, one per round
    cold: float


def _spread(figures: Figures) -> str:
    return (
        f"{statistics.median(figures.warm):7.3f} ({min(figures.warm):.3f}–"
        f"{max(figures.warm):.3f})  cold {figures.cold:7.3f}"
    )


def measure(inputs: Inputs, repeat: int, cold_repeat: int = 3) -> list[str]:
    items = inputs.items
    per_feed = inputs.feeds
    lines = [
        f"{inputs.name}: ms per feed, median (min–max) of {repeat} warm rounds; cold: median "
        f"of {cold_repeat} rounds, each with the caches emptied first"
    ]
    rows: list[str] = []
    for name, (ours, baseline) in FUNCTIONS.items():
        same = all(ours(item) == baseline(item) for item in items)  # also the warm-up round
        ours_ms: list[float] = []
        base_ms: list[float] = []
        for _ in range(repeat):
            base_ms.append(cpu_ms(baseline, items) / per_feed)
            ours_ms.append(cpu_ms(ours, items) / per_feed)
        base_cold = cold_ms(baseline, items, cold_repeat) / per_feed
        ours_cold = cold_ms(ours, items, cold_repeat) / per_feed
        new, before = Figures(ours_ms, ours_cold), Figures(base_ms, base_cold)
        ratio = statistics.median(ours_ms) / statistics.median(base_ms)
        ratios = [a / b for a, b in zip(ours_ms, base_ms, strict=True)]
        lines += [
            f"  {name:16} baseline {_spread(before)}",
            f"  {'':16} ours     {_spread(new)}",
            f"  {'':16} ratio ours/baseline {ratio:.3f} (per round {min(ratios):.3f}–"
            f"{max(ratios):.3f}; cold {ours_cold / base_cold:.3f}); "
            f"identical output: {'yes' if same else 'NO'}",
        ]
        rows.append(
            f"| {name} | {statistics.median(base_ms):.3f} ({min(base_ms):.3f}–{max(base_ms):.3f})"
            f" | {statistics.median(ours_ms):.3f} ({min(ours_ms):.3f}–{max(ours_ms):.3f})"
            f" | {ratio:.3f} | {base_cold:.3f} → {ours_cold:.3f} | {'yes' if same else 'NO'} |"
        )
    lines += [
        "",
        "| function | baseline ms/feed | ours ms/feed | ratio | cold ms/feed | identical |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
    ]
    return lines


def run(args: argparse.Namespace) -> str:
    with one_core() as pinned:
        lines = [
            "Text work of a parse, ours next to the pre-issue-11 code (bench/text_baseline.py)",
            f"machine: {platform.processor() or platform.machine()}, Python "
            f"{platform.python_version()}, {pinned}",
            "",
        ]
        sets = [bench_inputs(args.feeds, args.entries)]
        if args.corpus and (corpus := corpus_inputs()) is not None:
            sets.append(corpus)
        for inputs in sets:
            lines += [*measure(inputs, args.repeat, args.cold_repeat), ""]
    return "\n".join(lines).rstrip()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.text", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--feeds", type=int, default=30, help="generated feeds (30)")
    parser.add_argument("--entries", type=int, default=30, help="entries per feed (30)")
    parser.add_argument("--repeat", type=int, default=7, help="warm rounds of each (7)")
    parser.add_argument("--cold-repeat", type=int, default=3, help="cold rounds of each (3)")
    parser.add_argument(
        "--no-corpus", dest="corpus", action="store_false", help="skip the shared corpus"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    print(run(parse_args(argv)))


if __name__ == "__main__":
    main()

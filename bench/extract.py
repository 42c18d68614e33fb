"""Extraction benchmark: article pages per second on one core, extraction only (no fetching).

    python -m bench.extract [--pages PATH ...] [--repeat 200]

Each page is read once; then `page_text(body, content_type)` (decoding, parsing, trafilatura,
title and og:image) runs `--repeat` times after one unmeasured warm-up call. Beside it, on the
same decoded page: trafilatura's `bare_extraction()` with our options and no metadata (what our
own decoding and head reading cost on top), and trafilatura's `extract()` with its defaults and
metadata (the date search included), the way it is usually called. Numbers are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import trafilatura

from bot.news.extract import page_text

ARTICLES = Path(__file__).resolve().parents[1].parent / "shared" / "feeds" / "articles"
DEFAULT_PAGES = [
    ARTICLES / "cnn-arabic-2013-08-03-syria-clashes.html",
    ARTICLES / "assabah-tn-article-164913.html",
]


def _rate(call: Callable[[], object], repeat: int) -> float:
    """Calls per second of CPU time of this process (one core), after one warm-up call."""
    call()
    started = time.process_time()
    for _ in range(repeat):
        call()
    return repeat / (time.process_time() - started)


def run(args: argparse.Namespace) -> str:
    lines = [
        f"Extraction of article pages, {args.repeat} runs each, CPU time of one core",
        f"({platform.python_version()}, trafilatura {trafilatura.__version__}, "
        f"{os.cpu_count()} cores)",
        "",
        "| page | KB | characters out | page_text (pages/s) | bare_extraction, same options "
        "| extract with metadata |",
        "|---|---|---|---|---|---|",
    ]
    for path in args.pages:
        body = Path(path).read_bytes()
        page = page_text(body, "text/html")
        html = body.decode(page.encoding if page else "utf-8", errors="replace")
        ours = _rate(lambda: page_text(body, "text/html"), args.repeat)  # noqa: B023
        bare = _rate(
            lambda: trafilatura.bare_extraction(  # noqa: B023
                html,  # noqa: B023
                include_comments=False,
                include_tables=False,
                include_links=False,
                include_formatting=False,
            ),
            args.repeat,
        )
        baseline = _rate(
            lambda: trafilatura.extract(html, with_metadata=True),  # noqa: B023
            args.repeat,
        )
        chars = len(page.text) if page else 0
        lines.append(
            f"| {Path(path).name} | {len(body) / 1024:.0f} | {chars:,} | {ours:,.0f} "
            f"| {bare:,.0f} | {baseline:,.0f} |"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.extract", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", nargs="+", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--repeat", type=int, default=200)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    print(run(parse_args(argv)))


if __name__ == "__main__":
    main()

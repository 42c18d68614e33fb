"""bench/extract.py at a tiny size: it extracts each page and reports every column."""

from __future__ import annotations

from bench.extract import DEFAULT_PAGES, parse_args, run
from tests.support import needs_corpus


@needs_corpus
def test_bench_reports_every_page() -> None:
    report = run(parse_args(["--repeat", "2"]))

    assert "2 runs each" in report
    for page in DEFAULT_PAGES:
        row = next(line for line in report.splitlines() if line.startswith(f"| {page.name} "))
        assert len(row.split("|")) == 8
        assert "| 0 |" not in row  # every page gave text and every rate is there

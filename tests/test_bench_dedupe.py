"""bench/dedupe.py at a tiny size: it builds its articles, measures and reports.

No timing is asserted; what is asserted is that the report is there, that the planted copies are
found and the new stories are not matched, and that the articles are the same for a seed.
"""

from __future__ import annotations

from bench.dedupe import Article, Generator, parse_args, run


def test_bench_reports_the_check_and_the_baselines() -> None:
    report = run(parse_args(["--window", "300", "--queries", "40", "--datasketch"]))
    assert "Same-story check with 300 generated Arabic articles in the window" in report
    for part in ("per new article:", "index memory:", "exact headline alone:", "brute-force"):
        assert part in report
    assert "datasketch MinHashLSH" in report
    assert "copies found: 20 of 20" in report
    assert "new stories matched: 0 of 20" in report


def test_articles_are_distinct_and_the_same_for_a_seed() -> None:
    def articles(seed: int) -> list[Article]:
        generator = Generator(seed)
        return [generator.article() for _ in range(200)]

    assert len({article.text for article in articles(7)}) == 200
    assert articles(7) == articles(7)
    assert articles(8) != articles(7)

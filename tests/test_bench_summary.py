"""bench/summary.py at a tiny size: it builds its articles, measures and reports.

No timing is asserted; what is asserted is that the report is there, and that the generated
articles are distinct and the same for a seed.
"""

from __future__ import annotations

from bench.summary import make_articles, parse_args, run


def test_bench_reports_ours_and_the_baseline() -> None:
    report = run(parse_args(["--articles", "30", "--repeat", "1"]))
    assert "Extractive summaries of 30 generated Arabic articles (max_chars=400" in report
    for part in ("extract (ours), warm:", "summarise (baseline):", "ratio ours / baseline:"):
        assert part in report
    assert "| 30 | 400 |" in report


def test_articles_are_distinct_and_the_same_for_a_seed() -> None:
    articles = make_articles(200, seed=7)
    assert len({article.text for article in articles}) == 200
    assert make_articles(200, seed=7) == articles
    assert make_articles(200, seed=8) != articles

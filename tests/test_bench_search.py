"""bench/search.py at a tiny size: it generates, indexes, measures and reports.

No timing is asserted; what is asserted is that every part of the report is there, and that
ours finds something for every query (each is taken from a stored article's title, or is one
of the archive's most frequent words).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bench.search import Archive, make_queries, parse_args, run

QUERIES = 30


async def test_bench_reports_every_method(database_url: str) -> None:
    argv = ["--articles", "2000", "--queries", str(QUERIES), "--like-queries", "10"]
    if database_url.startswith("postgresql"):
        argv += ["--no-sqlite", "--postgres", database_url]
    report = await run(parse_args(argv))

    backend, rank = (
        ("PostgreSQL", "ts_rank_cd") if "postgresql" in database_url else ("SQLite", "bm25")
    )
    assert "Search over 2,000 generated Arabic articles" in report
    assert f"| {backend} " in report
    assert f"| {backend} | ours | {QUERIES} | {QUERIES} |" in report
    assert f"| {backend} | {rank} | {QUERIES} |" in report
    assert f"| {backend} | LIKE | 10 |" in report
    assert "index size" in report
    assert f"{backend}: ours p95 " in report


def test_archive_is_the_same_for_a_seed() -> None:
    args = parse_args(["--articles", "300", "--queries", "20"])
    args.end = datetime(2026, 1, 1, tzinfo=UTC)
    feeds, categories = [(1, "hashtagsyria.com"), (2, "sana.sy")], [1, 2, 3]

    def made() -> tuple[list[str], list[str]]:
        archive = Archive(args, feeds, categories)
        rows, _, titles = archive.chunk(0, 300)
        queries = make_queries(archive, dict(enumerate(titles)), 20)
        return [row["text"] for row in rows], [q.text for q in queries]

    texts, queries = made()
    assert (texts, queries) == made()
    archive = Archive(args, feeds, categories)
    times = [archive.published_at(i) for i in range(300)]
    assert times == sorted(times)
    assert times[-1] == args.end

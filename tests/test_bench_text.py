"""bench/text.py at a tiny size: it parses its feeds, measures both codes and reports.

No timing is asserted; what is asserted is that the report is there and that ours and the
baseline gave the same output on its inputs.
"""

from __future__ import annotations

from bench.text import parse_args, run


def test_bench_reports_every_function_and_the_same_output() -> None:
    report = run(
        parse_args(["--feeds", "2", "--entries", "3", "--repeat", "1", "--cold-repeat", "1"])
    )
    assert "bench generator (2 feeds × 3 entries)" in report
    for name in ("html_to_text", "detect_language", "article_terms", "summarise"):
        assert f"| {name} |" in report
    assert report.count("identical output: yes") == report.count("identical output:") >= 4

"""/stats's chart: a PNG that Telegram takes, Arabic drawn with every glyph (pytest turns
matplotlib's "Glyph … missing" warning into a failure), and no chart without matplotlib 3.11."""

from __future__ import annotations

import string
import sys
import warnings

import pytest

from bot.charts import Chart, ChartsUnavailable, Series, render
from tests.fakes.telegram import MAX_PHOTO_BYTES, MAX_PHOTO_RATIO, MAX_PHOTO_SIDES, PNG_SIGNATURE

pytest.importorskip("matplotlib", reason="the optional extra 'charts' is not installed")

STANDARD = ["سياسة", "سوريا محلي", "عربي ودولي", "اقتصاد", "رياضة", "ثقافة وفن",
            "علوم وتكنولوجيا", "صحة", "منوعات"]  # fmt: skip
# Every Arabic letter, hamza forms, tashkeel, both digit sets, Persian letters and the
# Urdu ones DejaVu Sans has (not ے or ۓ: a label with them would show a box, and warn).
LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي" + "ًٌٍَُِّْ" + "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹" + "پچژگکی"


def chart(labels: list[str], *, right_to_left: bool = True) -> Chart:
    days = [f"{d}" for d in range(14)]
    series = [Series(f"{name} (١٢)", [i % 3 + d % 4 for d in range(14)]) for i, name in
              enumerate(labels)]  # fmt: skip
    series.append(Series("أخرى (٣)", [1] * 14, others=True))
    return Chart(title="الأخبار في كل تصنيف، آخر ١٤ يوماً", days=days, series=series,
                 y_label="عدد الأخبار", right_to_left=right_to_left, digits="arab")  # fmt: skip


def size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.mark.parametrize("right_to_left", [True, False])
def test_the_chart_is_a_photo_telegram_takes(right_to_left: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph, or anything else matplotlib warns of
        png = render(chart(STANDARD, right_to_left=right_to_left))
    assert png.startswith(PNG_SIGNATURE)
    width, height = size(png)
    assert width + height <= MAX_PHOTO_SIDES
    assert max(width, height) <= MAX_PHOTO_RATIO * min(width, height)
    assert len(png) <= MAX_PHOTO_BYTES


def test_every_arabic_letter_and_digit_has_a_glyph() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render(chart([LETTERS, "مزيج BBC عربي 2026", string.ascii_letters]))


def test_a_label_is_drawn_as_written() -> None:
    """ "$" would start matplotlib's mathematics (and a bad formula would raise)."""
    labels = ["اقتصاد & أعمال", "a$\\frac$b", "$100 <b>", "50% ربح"]
    png = render(chart(labels))
    assert png.startswith(PNG_SIGNATURE)


def test_the_total_line_is_drawn() -> None:
    with_total = chart(STANDARD[:2])
    line = Series("كل الأخبار", [3] * 14)
    png = render(Chart(with_total.title, with_total.days, with_total.series, with_total.y_label,
                       True, "arab", total=line))  # fmt: skip
    assert png.startswith(PNG_SIGNATURE)
    assert png != render(with_total)


def test_without_matplotlib_there_is_no_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ChartsUnavailable):
        render(chart(STANDARD))


def test_a_matplotlib_without_libraqm_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before 3.11 matplotlib drew Arabic letters unjoined and left to right: not shown."""
    from matplotlib import ft2font

    monkeypatch.delattr(ft2font, "__libraqm_version__")
    with pytest.raises(ChartsUnavailable, match="3.11"):
        render(chart(STANDARD))

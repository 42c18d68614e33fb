"""Quiet hours as readers type them (/quiet) and as the preset buttons carry them."""

from __future__ import annotations

import pytest

from bot.readers import QUIET_PRESETS, parse_quiet, preset_quiet

H = 60  # minutes in an hour


@pytest.mark.parametrize(
    ("typed", "window"),
    [
        ("00:00-07:00", (0, 7 * H)),
        ("23:00-07:00", (23 * H, 7 * H)),  # over midnight
        ("22:30-06:15", (22 * H + 30, 6 * H + 15)),
        ("0-7", (0, 7 * H)),  # hours alone
        ("7:00-9", (7 * H, 9 * H)),
        ("٠٠:٠٠-٠٧:٠٠", (0, 7 * H)),  # Arabic-Indic digits
        ("۲۳:۰۰-۰۶:۰۰", (23 * H, 6 * H)),  # Persian digits
        ("00:00–07:00", (0, 7 * H)),  # en dash
        ("00:00—07:00", (0, 7 * H)),  # em dash
        (" 00:00 - 07:00 ", (0, 7 * H)),
        ("22:00-24:00", (22 * H, 0)),  # 24:00 is midnight
        ("00:00-00:00", None),  # empty window
        ("07:00-07:00", None),
        ("24:00-07:00", None),  # a start of 24 is not an hour
        ("23:60-07:00", None),
        ("25-7", None),
        ("7-25", None),
        ("00:0-07:00", None),  # minutes have two digits
        ("123:00-07:00", None),
        ("²-7", None),  # superscript two is a digit to str.isdigit, not a time
        ("७-९", None),  # Devanagari digits
        ("00:00", None),
        ("00:00-", None),
        ("-07:00", None),
        ("00:00-07:00-09:00", None),
        ("sometime", None),
        ("", None),
        ("off", None),
    ],
)
def test_parse_quiet(typed: str, window: tuple[int, int] | None) -> None:
    assert parse_quiet(typed) == window


@pytest.mark.parametrize(
    ("data", "window"),
    [
        *[(f"{start}-{end}", (start, end)) for start, end in QUIET_PRESETS],
        ("off", None),  # "off" is its own button, not a preset
        ("0-0", None),
        ("1380-1380", None),
        ("60-420", None),  # a valid window, but not one of the buttons
        ("1380-420-1", None),
        ("1380", None),
        ("-420", None),
        ("²-420", None),
        ("١٣٨٠-٤٢٠", None),  # buttons carry ASCII digits only
        ("1380 -420", None),
        ("99999-420", None),
        ("", None),
    ],
)
def test_preset_quiet(data: str, window: tuple[int, int] | None) -> None:
    assert preset_quiet(data) == window

"""Dates for people: CLDR month names from Babel, in the digits the channel asks for."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date

Digits = Literal["arab", "latn"]

_DIGIT_SETS: dict[Digits, str] = {
    "arab": "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic, as written in the Levant and Egypt
    "latn": "0123456789",  # as written in the Maghreb
}
# Every digit set we may meet (ASCII, Arabic-Indic, Persian), mapped to each target set.
_ALL_DIGITS = ("0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹")
_TO_DIGITS = {
    target: str.maketrans({src[d]: digits[d] for src in _ALL_DIGITS for d in range(10)})
    for target, digits in _DIGIT_SETS.items()
}


def to_digits(text: str, digits: Digits) -> str:
    """Write every decimal digit of text in the given digit set."""
    return text.translate(_TO_DIGITS[digits])


def format_date(
    moment: datetime, *, locale: str = "ar_SY", digits: Digits = "arab", tz: ZoneInfo
) -> str:
    """Format the calendar day of moment in tz as "d MMMM y" ("١١ كانون الثاني ٢٠٢٦")."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time would silently be taken as the server's local time.
        raise ValueError(f"format_date needs an aware datetime, got naive {moment!r}")
    day = moment.astimezone(tz).date()
    # Babel prints Latin digits in dates whatever the locale's numbering system.
    return to_digits(babel_format_date(day, format="d MMMM y", locale=locale), digits)


def check_locale(name: str) -> str:
    """Return the canonical CLDR name of a locale ("ar-SY" → "ar_SY"), or raise ValueError."""
    try:
        return str(Locale.parse(name.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError) as error:
        raise ValueError(
            f"unknown locale {name!r}: expected a CLDR locale such as ar_SY, ar_EG or ar_MA"
        ) from error

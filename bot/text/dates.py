"""Dates for people: CLDR month names from Babel, in the digits the channel asks for."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_timedelta

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


# CLDR writes "قبل ساعتين"; Arabic news writes "منذ ساعتين", and "منذ ساعة", not "منذ ساعة واحدة".
_CLDR_AGO = "قبل "
_NEWS_AGO = "منذ "
_ONE = re.compile(r" (?:واحدة|واحد)$")
_LEAST = timedelta(seconds=1)  # "0 seconds ago" reads oddly; a clock a little ahead is "now"


def relative_date(
    when: datetime, now: datetime, locale: str = "ar_SY", digits: Digits = "arab"
) -> str:
    """How long before now `when` was, as a reader says it: "منذ ساعتين", "3 hours ago".

    Babel chooses the unit and the plural form (Arabic has six) in `locale`; a time after
    `now` (a feed's clock ahead of ours) counts as just now. Numbers are written in `digits`."""
    for moment in (when, now):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"relative_date needs aware datetimes, got naive {moment!r}")
    elapsed = max(now - when, _LEAST)
    phrase = format_timedelta(-elapsed, add_direction=True, locale=locale)
    if phrase.startswith(_CLDR_AGO):
        phrase = _NEWS_AGO + _ONE.sub("", phrase.removeprefix(_CLDR_AGO))
    # Babel prints Latin digits whatever the locale's numbering system.
    return to_digits(phrase, digits)


def check_locale(name: str) -> str:
    """Return the canonical CLDR name of a locale ("ar-SY" → "ar_SY"), or raise ValueError."""
    try:
        return str(Locale.parse(name.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError) as error:
        raise ValueError(
            f"unknown locale {name!r}: expected a CLDR locale such as ar_SY, ar_EG or ar_MA"
        ) from error

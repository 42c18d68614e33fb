"""Dates for people: CLDR month names from Babel, in the digits the channel asks for."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, format_time, format_timedelta

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
    return format_day(moment.astimezone(tz).date(), locale=locale, digits=digits)


def format_day(day: date, *, locale: str = "ar_SY", digits: Digits = "arab") -> str:
    """A calendar day as "d MMMM y" ("١١ كانون الثاني ٢٠٢٦")."""
    # Babel prints Latin digits in dates whatever the locale's numbering system.
    return to_digits(babel_format_date(day, format="d MMMM y", locale=locale), digits)


def format_moment(
    moment: datetime, *, locale: str = "ar_SY", digits: Digits = "arab", tz: ZoneInfo
) -> str:
    """The day and the time of moment in tz, as the locale writes them together
    ("١١ كانون الثاني ٢٠٢٦، ٣:٠٥ م", "Jan 11, 2026, 3:05 PM"): every part from CLDR (the
    date's skeleton, the short time, the pattern that joins them)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"format_moment needs an aware datetime, got naive {moment!r}")
    local = moment.astimezone(tz)
    day = format_skeleton("yMMMd", local, locale=locale)
    time = format_time(local, format="short", locale=locale)
    joined = str(Locale.parse(locale).datetime_formats["short"]).format(time, day)
    return to_digits(joined, digits)


JUST_NOW = timedelta(minutes=1)  # under it, a reader is told "just now", not a count
# Arabic news writes "منذ ساعتين" where CLDR's relative time says "قبل ساعتين", and "منذ ساعة"
# where it says "قبل ساعة واحدة".
_NEWS_AGO = "منذ "
# One of each unit Babel may choose (its own month and year are 30 and 365 days).
_ONE_OF_EACH = tuple(
    timedelta(**unit)
    for unit in ({"seconds": 1}, {"minutes": 1}, {"hours": 1}, {"days": 1}, {"weeks": 1},
                 {"days": 30}, {"days": 365})
)  # fmt: skip


@cache
def _cldr_ago(locale: str) -> tuple[str, dict[str, str]]:
    """CLDR's word for "ago" in an Arabic locale's past phrases ("قبل "), and each "one unit
    ago" phrase mapped to the bare unit ("قبل ساعة واحدة" → "ساعة").

    Both are read from Babel's own phrases, not written here: if a CLDR release words them
    otherwise, the word is "" and Babel's phrase is kept as it is, still correct Arabic."""
    sample = timedelta(hours=11)  # a count with a number in it, in every plural form
    past = format_timedelta(-sample, add_direction=True, locale=locale)
    bare = format_timedelta(sample, locale=locale)
    if past == bare or not past.endswith(" " + bare):
        return "", {}
    word = past.removesuffix(bare)
    ones: dict[str, str] = {}
    for one in _ONE_OF_EACH:
        one_past = format_timedelta(-one, add_direction=True, locale=locale)
        one_bare = format_timedelta(one, locale=locale)
        if one_past.startswith(word + one_bare) and not any(c.isdigit() for c in one_bare):
            ones[one_past] = one_bare
    return word, ones


def relative_date(
    when: datetime,
    now: datetime,
    locale: str = "ar_SY",
    digits: Digits = "arab",
    *,
    just_now: str,
) -> str:
    """How long before now `when` was, as a reader says it: "منذ ساعتين", "3 hours ago".

    Under a minute, and for a time after `now` (a feed's clock ahead of ours), it is
    `just_now` (the reader's «الآن» / "just now" from the messages). Otherwise Babel chooses
    the unit and the plural form (Arabic has six) in `locale`; Arabic says «منذ». Numbers
    are written in `digits`."""
    for moment in (when, now):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"relative_date needs aware datetimes, got naive {moment!r}")
    elapsed = now - when
    if elapsed < JUST_NOW:
        return just_now
    phrase = format_timedelta(-elapsed, add_direction=True, locale=locale)
    if Locale.parse(locale).language == "ar":
        word, ones = _cldr_ago(locale)
        if word and phrase.startswith(word):
            phrase = _NEWS_AGO + ones.get(phrase, phrase.removeprefix(word))
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

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.text.dates import Digits, check_locale, format_date, relative_date, to_digits

DAMASCUS = ZoneInfo("Asia/Damascus")
FETCHED = datetime(2026, 1, 11, 7, 30, tzinfo=UTC)  # a morning in Damascus too


@pytest.mark.parametrize(
    ("locale", "digits", "expected"),
    [
        ("ar_SY", "arab", "١١ كانون الثاني ٢٠٢٦"),
        ("ar_SY", "latn", "11 كانون الثاني 2026"),
        ("ar_EG", "arab", "١١ يناير ٢٠٢٦"),
        ("ar_LB", "arab", "١١ كانون الثاني ٢٠٢٦"),
        ("ar_MA", "latn", "11 يناير 2026"),
        ("ar", "arab", "١١ يناير ٢٠٢٦"),
    ],
)
def test_format_date(locale: str, digits: Digits, expected: str) -> None:
    assert format_date(FETCHED, locale=locale, digits=digits, tz=DAMASCUS) == expected


def test_format_date_defaults_to_levantine_arabic_digits() -> None:
    assert format_date(FETCHED, tz=DAMASCUS) == "١١ كانون الثاني ٢٠٢٦"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 22:30 UTC on the 10th is already the 11th in Damascus (UTC+3).
        (datetime(2026, 1, 10, 22, 30, tzinfo=UTC), "١١ كانون الثاني ٢٠٢٦"),
        (datetime(2026, 1, 10, 20, 59, tzinfo=UTC), "١٠ كانون الثاني ٢٠٢٦"),
        (datetime(2026, 1, 11, 1, 0, tzinfo=timezone(timedelta(hours=5))), "١٠ كانون الثاني ٢٠٢٦"),
    ],
)
def test_format_date_uses_the_day_in_the_channel_timezone(moment: datetime, expected: str) -> None:
    assert format_date(moment, tz=DAMASCUS) == expected


def test_format_date_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_date(datetime(2026, 1, 11, 7, 30), tz=DAMASCUS)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("text", "digits", "expected"),
    [
        ("2026-01-11", "arab", "٢٠٢٦-٠١-١١"),
        ("٢٠٢٦ و۲۰۲۶", "latn", "2026 و2026"),
        ("۱۲۳ و 456", "arab", "١٢٣ و ٤٥٦"),
        ("بلا أرقام", "arab", "بلا أرقام"),
    ],
)
def test_to_digits(text: str, digits: Digits, expected: str) -> None:
    assert to_digits(text, digits) == expected


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("ar_SY", "ar_SY"),
        ("ar-EG", "ar_EG"),
        (" ar_MA ", "ar_MA"),
        ("ar_SY.UTF-8", "ar_SY"),  # Babel drops a POSIX encoding suffix
        ("ar", "ar"),
        ("en_US", "en_US"),
    ],
)
def test_check_locale_accepts_cldr_locales(name: str, canonical: str) -> None:
    assert check_locale(name) == canonical


@pytest.mark.parametrize("name", ["", "  ", "xx", "ar_XX", "zz_ZZ", "arabic", "1"])
def test_check_locale_rejects_unknown_locales(name: str) -> None:
    with pytest.raises(ValueError, match="unknown locale"):
        check_locale(name)


NOW = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "locale", "digits", "expected"),
    [
        (timedelta(hours=2), "ar_SY", "arab", "منذ ساعتين"),  # the dual
        (timedelta(hours=1), "ar_SY", "arab", "منذ ساعة"),  # not "ساعة واحدة"
        (timedelta(hours=3), "ar_SY", "arab", "منذ ٣ ساعات"),  # few: plural noun
        (timedelta(hours=3), "ar_MA", "latn", "منذ 3 ساعات"),
        (timedelta(hours=11), "ar_SY", "arab", "منذ ١١ ساعة"),  # many: singular noun
        (timedelta(minutes=1), "ar_SY", "arab", "منذ دقيقة"),
        (timedelta(minutes=2), "ar_SY", "arab", "منذ دقيقتين"),
        (timedelta(minutes=25), "ar_SY", "arab", "منذ ٢٥ دقيقة"),
        (timedelta(seconds=30), "ar_SY", "arab", "منذ ٣٠ ثانية"),
        (timedelta(days=1), "ar_EG", "arab", "منذ يوم"),
        (timedelta(days=2), "ar_SY", "arab", "منذ يومين"),
        (timedelta(days=5), "ar_SY", "arab", "منذ ٥ أيام"),
        (timedelta(days=14), "ar_SY", "arab", "منذ أسبوعين"),
        (timedelta(days=400), "ar_SY", "arab", "منذ سنة"),
        (timedelta(hours=2), "en", "latn", "2 hours ago"),
        (timedelta(minutes=1), "en", "latn", "1 minute ago"),
        (timedelta(days=3), "en", "latn", "3 days ago"),
    ],
)
def test_relative_date(ago: timedelta, locale: str, digits: Digits, expected: str) -> None:
    assert relative_date(NOW - ago, NOW, locale, digits) == expected


def test_relative_date_counts_a_time_ahead_of_now_as_just_now() -> None:
    # A feed whose clock runs ahead must not say "in 5 minutes".
    assert relative_date(NOW + timedelta(minutes=5), NOW, "ar_SY", "arab") == "منذ ثانية"
    assert relative_date(NOW, NOW, "en", "latn") == "1 second ago"


def test_relative_date_compares_instants_not_wall_clocks() -> None:
    damascus_noon = datetime(2026, 1, 11, 13, 0, tzinfo=DAMASCUS)  # 10:00 UTC
    assert relative_date(damascus_noon, NOW, "ar_SY", "arab") == "منذ ساعتين"


def test_relative_date_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        relative_date(datetime(2026, 1, 11, 10, 0), NOW)  # noqa: DTZ001

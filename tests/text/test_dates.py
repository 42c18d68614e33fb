from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.text.dates import Digits, check_locale, format_date, relative_date, to_digits
from bot.text.messages import text

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


AR_NOW, EN_NOW = text("just_now", "ar"), text("just_now", "en")


def ago(when: datetime, locale: str = "ar_SY", digits: Digits = "arab") -> str:
    just_now = AR_NOW if locale.startswith("ar") else EN_NOW
    return relative_date(when, NOW, locale, digits, just_now=just_now)


@pytest.mark.parametrize(
    ("elapsed", "arabic", "maghreb", "english", "english_arab"),
    [
        # Under a minute: the messages' word, never "منذ ثانية" or "0 seconds ago".
        (timedelta(0), "الآن", "الآن", "just now", "just now"),
        (timedelta(seconds=1), "الآن", "الآن", "just now", "just now"),
        (timedelta(seconds=30), "الآن", "الآن", "just now", "just now"),
        (timedelta(seconds=59), "الآن", "الآن", "just now", "just now"),
        # Minutes: one (no «واحدة»), two (the dual), few (plural noun), many (singular noun).
        (timedelta(minutes=1), "منذ دقيقة", "منذ دقيقة", "1 minute ago", "١ minute ago"),
        (timedelta(minutes=2), "منذ دقيقتين", "منذ دقيقتين", "2 minutes ago", "٢ minutes ago"),
        (timedelta(minutes=3), "منذ ٣ دقائق", "منذ 3 دقائق", "3 minutes ago", "٣ minutes ago"),
        (timedelta(minutes=11), "منذ ١١ دقيقة", "منذ 11 دقيقة", "11 minutes ago", "١١ minutes ago"),
        (timedelta(minutes=25), "منذ ٢٥ دقيقة", "منذ 25 دقيقة", "25 minutes ago", "٢٥ minutes ago"),
        # Hours.
        (timedelta(hours=1), "منذ ساعة", "منذ ساعة", "1 hour ago", "١ hour ago"),
        (timedelta(hours=2), "منذ ساعتين", "منذ ساعتين", "2 hours ago", "٢ hours ago"),
        (timedelta(hours=3), "منذ ٣ ساعات", "منذ 3 ساعات", "3 hours ago", "٣ hours ago"),
        (timedelta(hours=11), "منذ ١١ ساعة", "منذ 11 ساعة", "11 hours ago", "١١ hours ago"),
        # Days (from 7 on, Babel counts weeks).
        (timedelta(days=1), "منذ يوم", "منذ يوم", "1 day ago", "١ day ago"),
        (timedelta(days=2), "منذ يومين", "منذ يومين", "2 days ago", "٢ days ago"),
        (timedelta(days=5), "منذ ٥ أيام", "منذ 5 أيام", "5 days ago", "٥ days ago"),
        # Weeks, then months and years.
        (timedelta(weeks=1), "منذ أسبوع", "منذ أسبوع", "1 week ago", "١ week ago"),
        (timedelta(weeks=2), "منذ أسبوعين", "منذ أسبوعين", "2 weeks ago", "٢ weeks ago"),
        (timedelta(weeks=3), "منذ ٣ أسابيع", "منذ 3 أسابيع", "3 weeks ago", "٣ weeks ago"),
        (timedelta(days=400), "منذ سنة", "منذ سنة", "1 year ago", "١ year ago"),
    ],
)  # fmt: skip
def test_relative_date(
    elapsed: timedelta, arabic: str, maghreb: str, english: str, english_arab: str
) -> None:
    when = NOW - elapsed
    assert ago(when, "ar_SY", "arab") == arabic
    assert ago(when, "ar_MA", "latn") == maghreb
    assert ago(when, "en", "latn") == english
    assert ago(when, "en", "arab") == english_arab


def test_egyptian_arabic_says_it_the_same_way() -> None:
    assert ago(NOW - timedelta(days=1), "ar_EG") == "منذ يوم"
    assert ago(NOW - timedelta(days=5), "ar_EG") == "منذ ٥ أيام"


def test_relative_date_counts_a_time_ahead_of_now_as_just_now() -> None:
    # A feed whose clock runs ahead must not say "in 5 minutes".
    assert ago(NOW + timedelta(minutes=5)) == "الآن"
    assert ago(NOW + timedelta(days=1), "en", "latn") == "just now"


def test_no_arabic_phrase_keeps_cldrs_word_or_a_lone_one() -> None:
    # The adjustment is read from Babel's own phrases: every past phrase Babel can give in
    # Arabic ends up «منذ …», and none says «قبل» or «واحد».
    for minutes in range(1, 60 * 24 * 400, 37):
        phrase = ago(NOW - timedelta(minutes=minutes))
        assert phrase.startswith("منذ "), phrase
        assert "قبل" not in phrase, phrase
        assert "واحد" not in phrase, phrase


def test_relative_date_compares_instants_not_wall_clocks() -> None:
    damascus_noon = datetime(2026, 1, 11, 13, 0, tzinfo=DAMASCUS)  # 10:00 UTC
    assert ago(damascus_noon) == "منذ ساعتين"


def test_relative_date_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        relative_date(datetime(2026, 1, 11, 10, 0), NOW, just_now="")  # noqa: DTZ001

import pytest

from bot.news.summary import summarise, truncate_words

BODY = (
    "شهدت مدينة حلب تحولات عسكرية بارزة. "
    "أفادت وكالة سانا بخروج الدفعة الأخيرة من المقاتلين. "
    "وقال المحافظ إن المدينة باتت آمنة."
)
FIRST = "شهدت مدينة حلب تحولات عسكرية بارزة."
SECOND = "أفادت وكالة سانا بخروج الدفعة الأخيرة من المقاتلين."
THIRD = "وقال المحافظ إن المدينة باتت آمنة."


@pytest.mark.parametrize(
    ("max_chars", "expected"),
    [
        (1000, f"{FIRST} {SECOND} {THIRD}"),
        (len(f"{FIRST} {SECOND} {THIRD}"), f"{FIRST} {SECOND} {THIRD}"),
        (len(f"{FIRST} {SECOND}"), f"{FIRST} {SECOND}"),
        (len(f"{FIRST} {SECOND} {THIRD}") - 1, f"{FIRST} {SECOND}"),
        (len(FIRST), FIRST),
        (20, "شهدت مدينة حلب…"),  # even the first sentence is too long: cut between words
        (0, ""),
        (-5, ""),
    ],
)
def test_summarise_takes_lead_sentences_within_budget(max_chars: int, expected: str) -> None:
    summary = summarise(BODY, max_chars)
    assert summary == expected
    assert len(summary) <= max(max_chars, 0)


def test_summarise_never_skips_ahead_to_a_shorter_sentence() -> None:
    text = f"{FIRST} {'كلمة ' * 40}طويلة. قصيرة."
    assert summarise(text, len(FIRST) + 20) == FIRST


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("شهدت مدينة حلب تحولات عسكرية بارزة", f"{SECOND} {THIRD}"),
        ("شَهِدَت مدينة حلب تحولات عسكرية بارزة!", f"{SECOND} {THIRD}"),  # compared normalised
        ("حلب تشهد تحولات", f"{FIRST} {SECOND} {THIRD}"),
        ("", f"{FIRST} {SECOND} {THIRD}"),
    ],
)
def test_summarise_skips_a_first_sentence_that_repeats_the_headline(
    headline: str, expected: str
) -> None:
    assert summarise(BODY, 1000, headline=headline) == expected


@pytest.mark.parametrize(
    ("text", "headline"),
    [("", ""), ("   \n\n ", ""), ("عنوان الخبر", "عنوان الخبر")],
)
def test_summarise_of_nothing_is_empty(text: str, headline: str) -> None:
    assert summarise(text, 400, headline=headline) == ""


def test_summarise_keeps_headline_dashes_and_abbreviations_whole() -> None:
    text = "من النفير العام إلى التفاهم.. انسحاب قسد من حلب. قال د. أحمد إن النسبة ٣.٥ بالمئة."
    assert summarise(text, 48) == "من النفير العام إلى التفاهم.. انسحاب قسد من حلب."


@pytest.mark.parametrize(
    ("text", "max_chars", "expected"),
    [
        ("حلب تشهد انسحاباً كاملاً", 100, "حلب تشهد انسحاباً كاملاً"),
        ("حلب تشهد انسحاباً كاملاً", 16, "حلب تشهد…"),
        ("حلب تشهد انسحاباً كاملاً", 18, "حلب تشهد انسحاباً…"),  # the cut falls at a space
        ("حلب، تشهد انسحاباً", 8, "حلب…"),  # no "،…"
        ("انسحاباًانسحاباً", 6, "انسحا…"),  # one word longer than the budget
        ("  حلب  ", 3, "حلب"),
        ("حلب تشهد", 1, ""),
        ("", 10, ""),
    ],
)
def test_truncate_words(text: str, max_chars: int, expected: str) -> None:
    result = truncate_words(text, max_chars)
    assert result == expected
    assert len(result) <= max_chars

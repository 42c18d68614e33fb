import html
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.news.formatter import (
    SHARE_QUERY_CHARS,
    TELEGRAM_TEXT_LIMIT,
    PostSource,
    PostStyle,
    disclaimer,
    format_post,
    hashtag,
    link_preview,
    share_query,
)
from bot.news.summary import extract
from bot.text.arabic import split_sentences
from bot.text.html import RLM, telegram_length
from tests.support import SEED as SEED_DIR

SEED = SEED_DIR / "aleppo-article.txt"

HEADLINE = 'حلب تشهد انسحاباً كاملاً لـ"قسد" بعد اشتباكات وتفاهمات سياسية'
ORIGINAL_TITLE = 'من النفير العام إلى التفاهم.. انسحاب "قسد" تماماً من حلب'
DISCLAIMER_LINE_1 = (
    'هذا الخبر بعنوان "من النفير العام إلى التفاهم.. انسحاب "قسد" تماماً من حلب" نشر أولاً'
    " على موقع hashtagsyria.com وتم جلبه من مصدره الأصلي بتاريخ ١١ كانون الثاني ٢٠٢٦."
)
DISCLAIMER_LINE_2 = (
    "لا يتحمل موقعنا مضمونه بأي شكل من الأشكال."
    " بإمكانكم الإطلاع على تفاصيل هذا الخبر من خلال مصدره الأصلي."
)
SHORT_BODY = (
    'شهدت مدينة حلب تحولات عسكرية وسياسية بارزة مع انسحاب قوات سوريا الديمقراطية "قسد".\n'
    'أفادت وكالة الأنباء السورية "سانا" بخروج الدفعة الأخيرة من مقاتلي "قسد".'
)
FETCHED = datetime(2026, 1, 11, 9, 15, tzinfo=UTC)
LINK = "https://hashtagsyria.com/news/aleppo?id=1&src=rss"
STYLE = PostStyle(inline_mode=True)  # a bot that answers inline queries: posts invite sharing


def _reference_body_and_categories() -> tuple[str, list[str]]:
    """Body and categories of the reference page; a short inline body when it is absent."""
    if not SEED.is_file():
        return SHORT_BODY, ["سياسة", "سياسة", "سوريا محلي", "سياسة"]
    lines = SEED.read_text(encoding="utf-8").splitlines()[5:]
    # The page ends with its category labels: short lines without a sentence in them.
    body_end = max(i for i, line in enumerate(lines) if len(line) > 40) + 1
    return "\n".join(lines[:body_end]), [line for line in lines[body_end:] if line.strip()]


def _reference(**changes: Any) -> PostSource:
    body, categories = _reference_body_and_categories()
    source = PostSource(
        headline=HEADLINE,
        original_title=ORIGINAL_TITLE,
        text=body,
        summary="",
        link=LINK,
        source_domain="hashtagsyria.com",
        fetched_at=FETCHED,
        categories=categories,
    )
    return replace(source, **changes)


def _paragraphs(post_text: str) -> list[str]:
    return post_text.split("\n\n")


def _assert_telegram_html(post_text: str) -> None:
    """Only <b> and <a href> tags, balanced, and no stray "<" or "&" in the text."""
    tags = re.findall(r"<(/?)([a-z]+)[^>]*>", post_text)
    assert {name for _, name in tags} <= {"b", "a"}
    for name in ("b", "a"):
        closings = [closing for closing, tag in tags if tag == name]
        assert closings.count("") == closings.count("/")
    bare = re.sub(r"<[^>]*>", "", post_text)
    assert "<" not in bare
    assert ">" not in bare
    assert re.search(r"&(?!amp;|lt;|gt;|quot;|#x27;)", bare) is None


def test_disclaimer_is_exactly_the_house_wording() -> None:
    text = disclaimer(ORIGINAL_TITLE, "hashtagsyria.com", FETCHED, STYLE)
    assert text == f"{DISCLAIMER_LINE_1}\n{DISCLAIMER_LINE_2}"
    assert text.splitlines()[0] == DISCLAIMER_LINE_1


@pytest.mark.parametrize(
    ("style", "date"),
    [
        (PostStyle(locale="ar_EG"), "١١ يناير ٢٠٢٦"),
        (PostStyle(locale="ar_MA", digits="latn"), "11 يناير 2026"),
        (PostStyle(digits="latn"), "11 كانون الثاني 2026"),
        # Late on the 10th in UTC is already the 11th in Damascus.
        (PostStyle(timezone=ZoneInfo("UTC")), "١١ كانون الثاني ٢٠٢٦"),
    ],
)
def test_disclaimer_date_follows_the_style(style: PostStyle, date: str) -> None:
    line = disclaimer(ORIGINAL_TITLE, "hashtagsyria.com", FETCHED, style).splitlines()[0]
    assert line.endswith(f"بتاريخ {date}.")


def test_disclaimer_keeps_a_multiline_title_on_one_line() -> None:
    text = disclaimer("عنوان\nعلى سطرين", "example.com", FETCHED, STYLE)
    assert text.count("\n") == 1
    assert '"عنوان على سطرين"' in text


def test_reference_post() -> None:
    post = format_post(_reference(), STYLE)
    paragraphs = _paragraphs(post.text)

    assert paragraphs[0] == f"<b>{HEADLINE}</b>"
    assert paragraphs[1].startswith("شهدت مدينة حلب تحولات عسكرية")
    assert paragraphs[2] == f"{DISCLAIMER_LINE_1}\n{DISCLAIMER_LINE_2}"
    assert paragraphs[3] == (
        'المصدر: <a href="https://hashtagsyria.com/news/aleppo?id=1&amp;src=rss">'
        "hashtagsyria.com</a>"
    )
    assert paragraphs[4] == "#سياسة #سوريا_محلي"
    assert len(paragraphs) == 5
    assert (post.button_text, post.button_url) == ("اقرأ المزيد", LINK)
    _assert_telegram_html(post.text)


def test_reference_post_shows_the_disclaimer_verbatim() -> None:
    visible = html.unescape(format_post(_reference(), STYLE).text).splitlines()
    assert DISCLAIMER_LINE_1 in visible
    assert DISCLAIMER_LINE_2 in visible


def test_summary_is_whole_sentences_of_the_text_within_the_budget() -> None:
    """The extractive summary (issue 9): the text's most central sentences, whole and in the
    article's order, not merely its lead."""
    article = _reference()
    post = format_post(article, replace(STYLE, summary_max_chars=200))
    summary = html.unescape(_paragraphs(post.text)[1])
    assert len(summary) <= 200
    assert summary == extract(article.text, 200, headline=HEADLINE)
    sentences = split_sentences(summary)
    assert len(sentences) >= 2
    places = [article.text.index(sentence) for sentence in sentences]
    assert places == sorted(places)


def test_the_stored_summary_is_used_as_given_when_there_is_no_text() -> None:
    post = format_post(_reference(text="", summary="ملخص جاهز من قبل."), STYLE)
    assert _paragraphs(post.text)[1] == "ملخص جاهز من قبل."


def test_the_text_is_summarised_even_when_a_summary_is_stored() -> None:
    post = format_post(_reference(summary="ملخص جاهز من قبل."), STYLE)
    assert "ملخص جاهز" not in post.text


def test_no_summary_paragraph_without_a_body() -> None:
    post = format_post(_reference(text="", summary=""), STYLE)
    paragraphs = _paragraphs(post.text)
    assert len(paragraphs) == 4
    assert paragraphs[1] == f"{DISCLAIMER_LINE_1}\n{DISCLAIMER_LINE_2}"


def test_latin_headline_and_lines_get_rlm_outside_the_markup() -> None:
    post = format_post(
        _reference(
            headline="iPhone 17 يصل إلى دمشق",
            text="",
            summary="Apple أعلنت الخبر اليوم.\n2026 عام الإطلاق.\nوفي دمشق ترحيب.",
            categories=["Tech", "تقنية"],
        ),
        STYLE,
    )
    paragraphs = _paragraphs(post.text)
    assert paragraphs[0] == f"{RLM}<b>iPhone 17 يصل إلى دمشق</b>"
    assert paragraphs[1] == (
        f"{RLM}Apple أعلنت الخبر اليوم.\n{RLM}2026 عام الإطلاق.\nوفي دمشق ترحيب."
    )
    assert paragraphs[-1] == f"{RLM}#Tech #تقنية"
    # Never inside URLs or hashtags, and never in an Arabic-led paragraph.
    assert RLM not in paragraphs[2] + paragraphs[3]
    assert all(RLM not in tag for tag in paragraphs[-1][1:].split())


def test_hostile_feed_text_is_escaped() -> None:
    post = format_post(
        _reference(
            headline="<script>alert(1)</script> حلب & دمشق",
            original_title='</b><a href="javascript:x">قسد</a> & <i>',
            text='قال <b>المصدر</b> إن "الوضع" هادئ & مستقر.',
            source_domain="evil<b>.com",
            link='https://evil.com/"><script>?a=1&b=<2>',
            categories=["<b>سياسة</b>", "R&D"],
        ),
        STYLE,
    )
    _assert_telegram_html(post.text)
    assert post.text.count("<b>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt; حلب &amp; دمشق" in post.text
    assert 'href="https://evil.com/&quot;&gt;&lt;script&gt;?a=1&amp;b=&lt;2&gt;"' in post.text
    assert post.text.endswith("#b_سياسة_b #R_D")
    visible = html.unescape(re.sub(r"<[^>]*>", "", post.text))
    assert 'هذا الخبر بعنوان "</b><a href="javascript:x">قسد</a> & <i>"' in visible


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,x", "", "/relative/path"])
def test_links_telegram_would_reject_get_no_anchor_and_no_button(link: str) -> None:
    post = format_post(_reference(link=link), STYLE)
    assert "<a " not in post.text
    assert post.button_url == ""
    # Sharing needs no link: the keyboard keeps «شارك» alone.
    assert post.keyboard() == [[{"text": "شارك", "switch_inline_query": post.share_query}]]
    assert link_preview(post) == {"is_disabled": True}
    _assert_telegram_html(post.text)


def test_domain_is_taken_from_the_link_when_missing() -> None:
    post = format_post(_reference(source_domain="", link="https://www.enabbaladi.net/1"), STYLE)
    assert "موقع enabbaladi.net وتم" in post.text
    assert ">enabbaladi.net</a>" in post.text


def test_a_long_body_never_exceeds_the_limit() -> None:
    # Four long sentences with no word in common: together they pass the limit.
    news = [
        "حلب أمطار غزيرة", "حمص انقطاع الكهرباء", "درعا افتتاح مدرسة", "إدلب وصول قافلة",
        "الرقة ارتفاع الأسعار", "طرطوس مهرجان بحري",
    ]  # fmt: skip
    sentences = [" ".join([words] * 80) + "." for words in news]
    body = " ".join(sentences)
    assert len(" ".join(sentences[:4])) > TELEGRAM_TEXT_LIMIT  # the summary's four at most
    post = format_post(_reference(text=body), replace(STYLE, summary_max_chars=100_000))
    assert telegram_length(post.text) <= TELEGRAM_TEXT_LIMIT
    # Not over-cut: one sentence fewer than would pass the limit.
    assert telegram_length(post.text) > TELEGRAM_TEXT_LIMIT - len(sentences[0]) - 1
    summary = _paragraphs(post.text)[1]
    assert summary.endswith(".")  # shortened at a sentence end
    assert all(sentence in sentences for sentence in split_sentences(summary))
    assert f"{DISCLAIMER_LINE_1}\n{DISCLAIMER_LINE_2}" in post.text
    assert _paragraphs(post.text)[0] == f"<b>{HEADLINE}</b>"


def test_a_long_precomputed_summary_without_sentence_ends_is_cut_at_a_word() -> None:
    summary = "كلمة " * 4_000 + "😀" * 100
    post = format_post(_reference(text="", summary=summary), STYLE)
    assert telegram_length(post.text) <= TELEGRAM_TEXT_LIMIT
    assert _paragraphs(post.text)[1].endswith("كلمة…")


def test_headline_is_cut_only_when_the_summary_is_gone() -> None:
    headline = "عنوان " * 1_000
    post = format_post(_reference(headline=headline), STYLE)
    paragraphs = _paragraphs(post.text)
    assert telegram_length(post.text) <= TELEGRAM_TEXT_LIMIT
    assert paragraphs[0].startswith("<b>عنوان عنوان")
    assert paragraphs[0].endswith("…</b>")
    assert paragraphs[1] == f"{DISCLAIMER_LINE_1}\n{DISCLAIMER_LINE_2}"  # summary dropped
    assert paragraphs[2].startswith("المصدر: <a href=")


def test_entities_count_once_towards_the_limit() -> None:
    # "&" is five characters in HTML but one for Telegram: the post must not be over-cut.
    body = "أ & ب " * 2_000 + "."
    post = format_post(_reference(text="", summary=body), STYLE)
    assert TELEGRAM_TEXT_LIMIT - 10 <= telegram_length(post.text) <= TELEGRAM_TEXT_LIMIT
    assert len(post.text) > TELEGRAM_TEXT_LIMIT


@pytest.mark.parametrize(
    ("category", "tag"),
    [
        ("سياسة", "#سياسة"),
        ("سوريا محلي", "#سوريا_محلي"),
        ("  سوريا   محلي  ", "#سوريا_محلي"),
        ("مصر: التاريخ والثقافة", "#مصر_التاريخ_والثقافة"),
        ("اقتصاد/أعمال", "#اقتصاد_أعمال"),
        ("رياضة - كرة القدم", "#رياضة_كرة_القدم"),
        ("«أخبار» عاجلة!", "#أخبار_عاجلة"),
        ("covid-19", "#covid_19"),
        ("snake_case__tag", "#snake_case_tag"),
        ("2026", ""),  # Telegram does not link digits-only hashtags
        ("!!!", ""),
        ("", ""),
    ],
)
def test_hashtag(category: str, tag: str) -> None:
    assert hashtag(category) == tag


def test_hashtags_are_deduplicated_in_order() -> None:
    post = format_post(
        _reference(categories=["سياسة", "سوريا محلي", "سياسة", "سوريا  محلي", "!!"]), STYLE
    )
    assert _paragraphs(post.text)[-1] == "#سياسة #سوريا_محلي"


def test_no_hashtag_line_without_categories() -> None:
    post = format_post(_reference(categories=[]), STYLE)
    assert _paragraphs(post.text)[-1].startswith("المصدر: ")


def test_ar_eg_style_changes_date_and_button() -> None:
    style = PostStyle(locale="ar_EG", read_more_label="التفاصيل")
    post = format_post(_reference(), style)
    assert "بتاريخ ١١ يناير ٢٠٢٦." in post.text
    assert post.button_text == "التفاصيل"


def test_reference_post_has_read_more_and_share_in_one_row() -> None:
    post = format_post(_reference(), STYLE)
    assert post.keyboard() == [
        [
            {"text": "اقرأ المزيد", "url": LINK},
            {
                "text": "شارك",
                "switch_inline_query": "حلب تشهد انسحاباً كاملاً لـ قسد بعد اشتباكات وتفاهمات سياسية",
            },
        ]
    ]
    assert link_preview(post) == {"url": LINK}


@pytest.mark.parametrize(
    ("headline", "query"),
    [
        (HEADLINE, "حلب تشهد انسحاباً كاملاً لـ قسد بعد اشتباكات وتفاهمات سياسية"),
        ("«عاجل»: الاِنْسِحَابُ من حلب!", "عاجل الاِنْسِحَابُ من حلب"),  # marks stay in words
        ("COVID-19 في دمشق… ٣ إصابات", "COVID 19 في دمشق ٣ إصابات"),
        ('"" -- ***', ""),  # nothing to search: the button inserts the bot's name alone
        (
            "واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة أحد_عشر",
            ("واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة"),
        ),
    ],
)
def test_share_query_is_the_headline_words(headline: str, query: str) -> None:
    assert share_query(headline) == query


def test_share_query_of_a_long_headline_stops_at_a_word() -> None:
    headline = " ".join(["انسحابات"] * 40)
    query = share_query(headline)
    assert 0 < len(query) <= SHARE_QUERY_CHARS
    assert set(query.split()) == {"انسحابات"}


def test_share_label_follows_the_style() -> None:
    post = format_post(_reference(), PostStyle(share_label="Share", inline_mode=True))
    assert post.keyboard()[0][1]["text"] == "Share"


def test_without_inline_mode_a_post_has_no_share_button() -> None:
    # Unknown counts as off: «شارك» opens inline mode, which Telegram may refuse without it.
    post = format_post(_reference(), PostStyle())
    assert post.keyboard() == [[{"text": "اقرأ المزيد", "url": LINK}]]
    assert (post.share_text, post.share_query) == ("", "")
    assert format_post(_reference(link=""), PostStyle()).keyboard() == []

"""Photo posts: an article with a picture as a photo whose caption is the post, fitted to
Telegram's 1024 characters by shortening the summary; else a text post previewing the picture."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.news.formatter import (
    TELEGRAM_CAPTION_LIMIT,
    PostSource,
    PostStyle,
    format_post,
    link_preview,
)
from bot.text.arabic import split_sentences
from bot.text.html import telegram_length

PICTURE = "https://cdn.example.sy/photos/aleppo.jpg"
LINK = "https://news.example.sy/2026/01/aleppo.html"
HEADLINE = "حلب تشهد انسحاباً كاملاً لقوات سوريا الديمقراطية"
SENTENCES = [
    f"أفادت مصادر محلية في حلب بأن الدفعة رقم {n} من المقاتلين غادرت حي الشيخ مقصود صباح اليوم."
    for n in range(1, 40)
]
STYLE = PostStyle(summary_max_chars=3000)


def _source(**changes: object) -> PostSource:
    source = PostSource(
        headline=HEADLINE,
        original_title="انسحاب قسد من حلب",
        text=" ".join(SENTENCES[:3]),
        summary="",
        link=LINK,
        source_domain="news.example.sy",
        fetched_at=datetime(2026, 1, 11, 9, 15, tzinfo=UTC),
        categories=["سياسة", "سوريا محلي"],
        image=PICTURE,
    )
    return replace(source, **changes)  # type: ignore[arg-type]


def _summary(post_html: str) -> str:
    return post_html.split("\n\n")[1]


def test_a_short_post_with_a_picture_is_a_photo_captioned_with_the_whole_post() -> None:
    post = format_post(_source(), STYLE)
    assert post.photo == PICTURE
    assert post.caption == post.text
    assert post.preview_url == ""
    # Sent as text after all (the picture refused), it previews the article's page.
    assert link_preview(post.as_text()) == {"url": LINK}
    assert post.as_text().photo == post.as_text().caption == ""


# Four long sentences of one story, each of its own words: a summary of all four is too long
# for a caption.
LONG = [
    "أفادت مصادر محلية في مدينة حلب بأن الدفعة الأخيرة من المقاتلين غادرت حي الشيخ مقصود"
    " صباح اليوم برفقة سيارات تابعة للهلال الأحمر العربي السوري، وسط انتشار أمني كثيف على"
    " مداخل الحي الشمالية والشرقية وإغلاق مؤقت لطريق الكاستيلو أمام حركة المدنيين.",
    "وقال محافظ حلب في مؤتمر صحفي عقده بعد الظهر إن فرق الهندسة بدأت مسح الشوارع والأبنية"
    " العامة بحثاً عن ألغام ومخلفات حربية، وإن عودة السكان ستجري على مراحل تبدأ بالأحياء"
    " الأقل تضرراً خلال الأسبوع المقبل بالتنسيق مع لجان الأحياء.",
    "وأوضحت مديرية الصحة أن حصيلة الاشتباكات التي استمرت ثلاثة أيام بلغت أحد عشر قتيلاً"
    " وأكثر من أربعين جريحاً، بينهم نساء وأطفال نقلوا إلى مستشفيات الرازي والجامعة والهلال"
    " الأحمر، فيما لا تزال حالة خمسة منهم حرجة بحسب الأطباء.",
    "ودعت منظمات إنسانية دولية إلى فتح ممرات آمنة دائمة لإيصال المساعدات الغذائية والطبية"
    " إلى الأحياء المحاصرة سابقاً، مطالبة الأطراف كافة بضمان حرية عمل الفرق الميدانية وحماية"
    " المنشآت الصحية والمدارس من أي استهداف جديد.",
]


def test_a_long_summary_shrinks_by_sentences_to_fit_the_caption() -> None:
    source = _source(text=" ".join(LONG))
    post = format_post(source, STYLE)
    without_picture = format_post(replace(source, image=""), STYLE)
    assert post.text == without_picture.text  # the text form is the whole post
    assert telegram_length(post.text) > TELEGRAM_CAPTION_LIMIT
    assert post.photo == PICTURE
    assert telegram_length(post.caption) <= TELEGRAM_CAPTION_LIMIT
    # Whole sentences of the text's summary, in their order; everything but the summary as in
    # the text.
    kept = split_sentences(_summary(post.caption))
    in_text = split_sentences(_summary(post.text))
    assert 1 <= len(kept) < len(in_text)
    assert all(sentence in LONG for sentence in kept)
    assert kept == [sentence for sentence in LONG if sentence in kept]
    assert post.caption.split("\n\n")[2:] == post.text.split("\n\n")[2:]
    assert post.caption.split("\n\n")[0] == post.text.split("\n\n")[0]


def test_the_caption_counts_characters_as_telegram_does() -> None:
    # "&" is five characters in HTML and one in Telegram's count: a post that fits 1024 as
    # Telegram counts is the caption whole, however long its HTML.
    sentences = [" & ".join(sentence.split()[:22]) + "." for sentence in LONG[:3]]
    post = format_post(_source(text=" ".join(sentences)), STYLE)
    assert len(post.caption) > TELEGRAM_CAPTION_LIMIT
    assert telegram_length(post.caption) <= TELEGRAM_CAPTION_LIMIT
    assert post.caption == post.text


def test_a_post_too_long_for_a_caption_is_text_with_the_picture_previewed() -> None:
    # The disclaimer quotes the original title: with a long one, not even the headline, the
    # disclaimer and the link fit a caption.
    post = format_post(_source(original_title="عنوان طويل جداً " * 70), STYLE)
    assert post.photo == post.caption == ""
    assert post.preview_url == PICTURE
    assert link_preview(post) == {"url": PICTURE, "prefer_large_media": True}
    assert "عنوان طويل جداً" in post.text


def test_a_summary_is_never_cut_inside_its_first_sentence_for_a_caption() -> None:
    first = "قال مسؤول محلي إن " + "الأهالي عادوا إلى منازلهم في الحي " * 25 + "بعد الانسحاب."
    post = format_post(_source(text=f"{first} {SENTENCES[0]}"), STYLE)
    assert telegram_length(post.text) > TELEGRAM_CAPTION_LIMIT
    assert post.photo == ""
    assert post.preview_url == PICTURE
    assert first in post.text


def test_without_a_summary_the_rest_alone_is_the_caption() -> None:
    post = format_post(_source(text=""), STYLE)
    assert post.photo == PICTURE
    assert post.caption == post.text
    assert len(post.caption.split("\n\n")) == 4  # headline, disclaimer, link, hashtags


@pytest.mark.parametrize(
    "image", ["", "javascript:alert(1)", "data:image/png;base64,AAAA", "/a.jpg"]
)
def test_no_photo_without_a_web_picture(image: str) -> None:
    post = format_post(_source(image=image), STYLE)
    assert post.photo == post.caption == post.preview_url == ""
    assert link_preview(post) == {"url": LINK}

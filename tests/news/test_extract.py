"""An article page's main text: the corpus pages, legacy Arabic encodings, hostile bytes."""

from __future__ import annotations

import random
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from bot.news.extract import MAX_ELEMENTS, decode_page, page_text
from bot.text.arabic import tokens
from tests.support import FEEDS, needs_corpus

ARTICLES = FEEDS / "articles"
CNN = ARTICLES / "cnn-arabic-2013-08-03-syria-clashes.html"
ASSABAH = ARTICLES / "assabah-tn-article-164913.html"
WINDOWS_1256 = ARTICLES / "chromium-windows-1256-no-charset.html"
ISO_8859_6 = ARTICLES / "chromium-iso-8859-6-no-charset.html"

# Text of the CNN page that is not the article: navigation, the comment section's preamble,
# the most-read box, the footer.
CNN_BOILERPLATE = [
    "الطبعة: العربية",
    "الصفحة الرئيسية",
    "اقتصاد وأعمال",
    "ملفات وتقارير",
    "ترحب شبكة CNN بالنقاش الحيوي",
    "الآراء الواردة أدناه",
    "سياسة الخصوصية",
    "الأكثر تصفحاً",
    "القبض على شاب تحرش بطفلة في السعودية",
    "خدمة آخر خبر للرسائل النصية",
    "شروط الخدمة",
    "من نحن؟",
    "Cable News Network",
    "All Rights Reserved",
    "CNN en Español",
]
ARTICLE_HTML = (
    "<html><head><title>خبر</title></head><body><article>"
    + "<p>قال المرصد السوري لحقوق الإنسان إن اشتباكات عنيفة دارت في ريف دمشق اليوم.</p>" * 4
    + "</article></body></html>"
)


def _word_share(reference: str, text: str) -> float:
    """How many of the reference's words (with repeats) the text holds."""
    wanted, found = Counter(tokens(reference)), Counter(tokens(text))
    return sum(min(count, found[word]) for word, count in wanted.items()) / sum(wanted.values())


@needs_corpus
def test_cnn_page_gives_the_article_and_nothing_else() -> None:
    page = page_text(CNN.read_bytes(), "text/html; charset=UTF-8", url="http://arabic.cnn.com/")

    assert page is not None
    reference = CNN.with_suffix(".txt").read_text(encoding="utf-8")
    assert _word_share(reference, page.text) >= 0.9
    for boilerplate in CNN_BOILERPLATE:
        assert boilerplate not in page.text
    assert page.text.startswith("دمشق، سوريا (CNN) -- أكدت جهات سورية معارضة")
    assert page.text.endswith("التي يقطنها الأكراد في سوريا بشكل مستقل.")
    assert page.text.count("\n\n") == 6  # the reference's seven paragraphs
    assert page.title == "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"
    assert page.image is not None
    assert page.image.endswith("/syria.clashes/Gal.syria.assad.army.jpg_-1_-1.jpg")
    assert page.encoding == "utf-8"


@needs_corpus
def test_extraction_keeps_no_state_between_pages() -> None:
    """trafilatura has optional caches (deduplication); ours must give a page the same text."""
    cnn, assabah = CNN.read_bytes(), ASSABAH.read_bytes()

    first = page_text(cnn)
    page_text(assabah)

    assert first == page_text(cnn)


@needs_corpus
def test_assabah_interview_gives_its_questions_and_answers() -> None:
    page = page_text(ASSABAH.read_bytes(), "text/html")

    assert page is not None
    assert page.title is not None
    assert page.title.startswith("الناشط الحقوقي السوداني خالد عبد الكريم ماسا")
    # The headline is not repeated as the first paragraph; the interview's lead follows it.
    assert not page.text.startswith("الناشط الحقوقي")
    assert "مالذي يحدث في السودان؟" in page.text
    assert "*ما الذي يحدث في السودان وهل أن عدوى الربيع العربي وصلت الخرطوم" in page.text
    assert page.text.endswith("اعادة التفكير في العلاقة بين الخرطوم وتل ابيب.")
    paragraphs = page.text.split("\n\n")
    assert len(paragraphs) > 15
    assert all(paragraph == paragraph.strip() and paragraph for paragraph in paragraphs)
    # The comment form, its labels and the site's menus are not the article.
    for boilerplate in ("أضف تعليق", "Assabah News", "الصباح | Assabah"):
        assert boilerplate not in page.text
    assert page.image == (
        "http://www.assabah.com.tn/sites/www.assabah.com.tn/files/styles/featured_news/public"
        "/main/articles/souda.jpg"
    )


@needs_corpus
def test_legacy_arabic_pages_without_a_charset_decode_to_the_same_text() -> None:
    windows = page_text(WINDOWS_1256.read_bytes(), "text/html")
    iso = page_text(ISO_8859_6.read_bytes(), None)

    assert windows is not None
    assert iso is not None
    assert (windows.encoding, iso.encoding) == ("cp1256", "iso8859-6")
    assert windows.text == iso.text
    assert windows.text.startswith("أعلنت كتائب الشهيد عز الدين القسام الذراع العسكري لحركة")
    assert "بيت لاهيا شمال قطاع غزة" in windows.text


@needs_corpus
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (WINDOWS_1256, "text/html; charset=windows-1256"),
        (ISO_8859_6, 'text/html; charset="ISO-8859-6"'),
        # A header that the bytes contradict (not valid UTF-8) is passed over.
        (WINDOWS_1256, "text/html; charset=utf-8"),
    ],
)
def test_declared_legacy_charsets(path: Path, content_type: str) -> None:
    decoded = decode_page(path.read_bytes(), content_type)

    assert decoded is not None
    assert decoded[0].count("كتائب") == 4


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        # <meta charset> and <meta http-equiv> when the header says nothing.
        (
            b'<html><head><meta charset="windows-1256"></head><body>'
            + "قال المرصد".encode("cp1256"),
            None,
            "cp1256",
        ),
        (
            b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-6">'
            + "قال المرصد".encode("iso-8859-6"),
            "text/html",
            "iso8859-6",
        ),
        # XHTML's own declaration.
        (
            b'<?xml version="1.0" encoding="windows-1256"?><html><body>'
            + "قال المرصد".encode("cp1256"),
            None,
            "cp1256",
        ),
        # Saved as UTF-8 but still labelled with the old code page: the bytes win.
        ("<p>قال المرصد</p>".encode(), "text/html; charset=windows-1256", "utf-8"),
        # A byte-order mark beats every label.
        (b"\xef\xbb\xbf<p>" + "قال المرصد".encode(), "text/html; charset=cp1256", "utf-8"),
        ("<p>قال المرصد</p>".encode("utf-16"), None, "utf-16"),
        # Unknown and refused labels are ignored.
        ("<p>قال المرصد</p>".encode(), "text/html; charset=bogus", "utf-8"),
        (b'<meta charset="utf-7"><p>' + "قال المرصد".encode(), None, "utf-8"),
    ],
)
def test_decode_page_finds_the_encoding(
    body: bytes, content_type: str | None, encoding: str
) -> None:
    decoded = decode_page(body, content_type)

    assert decoded is not None
    text, used = decoded
    assert used == encoding
    assert "قال المرصد" in text


def test_an_xhtml_page_with_an_encoding_declaration_is_extracted() -> None:
    body = b'<?xml version="1.0" encoding="windows-1256"?>\n' + ARTICLE_HTML.encode("cp1256")

    page = page_text(body, "application/xhtml+xml")

    assert page is not None
    assert page.encoding == "cp1256"
    assert page.text.startswith("قال المرصد السوري لحقوق الإنسان")


def test_relative_og_image_is_resolved_against_the_page_address() -> None:
    html = ARTICLE_HTML.replace("<title>", '<meta property="og:image" content="/img/a.jpg"><title>')

    with_url = page_text(html.encode(), None, url="https://example.com/news/1.html")
    without_url = page_text(html.encode(), None)

    assert with_url is not None
    assert with_url.image == "https://example.com/img/a.jpg"
    assert without_url is not None
    assert without_url.image is None  # not an address Telegram could fetch


def _nested_divs(size: int) -> bytes:
    depth = (size - 100) // 11
    return b"<html><body>" + b"<div>" * depth + b"x" + b"</div>" * depth + b"</body></html>"


def _random_bytes(size: int) -> bytes:
    return random.Random(9).randbytes(size)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", None),
        (b"", "text/html; charset=utf-8"),
        (b"   \n\t  ", "text/html"),
        (_random_bytes(100_000), None),
        (_random_bytes(100_000), "text/html; charset=utf-8"),
        (b"\x89PNG\r\n\x1a\n" + _random_bytes(5_000), "image/png"),
        (ARTICLE_HTML.encode(), "application/pdf"),
        (b"<html><head><title>x</title></head><body><div></div></body></html>", None),
        (b"<html><body><script>var a = '<p>\xd9\x82\xd8\xa7\xd9\x84</p>';</script></body>", None),
        (b"<html><body>" + b"<div></div>" * 400_000 + b"</body></html>", None),
        (b"<html><body>" + b"<div><p>\xd9\x82\xd8\xa7\xd9\x84</p></div>" * 250_000, None),
        (b"\x00" * 10_000, "text/html"),
        (b"<" * 100_000, None),
    ],
    ids=[
        "empty",
        "empty-utf-8",
        "blank",
        "garbage",
        "garbage-said-utf-8",
        "png",
        "pdf",
        "no-text",
        "script-only",
        "empty-divs",
        "five-megabytes-of-paragraphs",
        "nul-bytes",
        "angle-brackets",
    ],
)
def test_hostile_pages_give_no_text(body: bytes, content_type: str | None) -> None:
    assert page_text(body, content_type) is None


def test_hostile_pages_give_none_where_there_is_nothing() -> None:
    for body in (b"", b"<html><body><div></div></body></html>", b"\x00" * 100):
        assert page_text(body, "text/html") is None


def test_five_megabytes_of_nested_divs_finish_within_bounded_memory() -> None:
    body = _nested_divs(5 * 1024 * 1024)
    assert len(body) > 5_000_000

    tracemalloc.start()
    try:
        page = page_text(body, "text/html")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert page is None or len(page.text) < 1000
    # Python's own allocations (lxml's tree lives in libxml2 and is not counted): a few
    # copies of the page at most.
    assert peak < 100 * 1024 * 1024


def test_a_page_of_more_elements_than_any_article_is_not_read() -> None:
    padding = "<div></div>" * MAX_ELEMENTS
    body = ARTICLE_HTML.replace("</article>", f"</article>{padding}").encode()

    assert page_text(ARTICLE_HTML.encode(), "text/html") is not None
    assert page_text(body, "text/html") is None


def test_text_with_nul_bytes_inside_an_article_is_still_extracted() -> None:
    body = ARTICLE_HTML.replace("اليوم", "اليوم\x00").encode()

    page = page_text(body, "text/html")

    assert page is not None
    assert "\x00" not in page.text
    assert "اشتباكات عنيفة دارت في ريف دمشق اليوم" in page.text

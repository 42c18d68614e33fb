import feedparser
import pytest

from bot.text.html import (
    RLM,
    escape,
    escape_attr,
    html_to_text,
    needs_rtl_mark,
    rtl_paragraph,
    rtl_text,
    telegram_length,
)
from tests.support import FEEDS
from tests.support import needs_corpus as needs_feeds


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>حلب</p><p>دمشق</p>", "حلب\n\nدمشق"),
        ("سطر<br>سطر<br/>سطر", "سطر\nسطر\nسطر"),
        ("<div><div><p>أ</p></div></div>\n\n\n<p>ب</p>", "أ\n\nب"),
        ("<ul><li>واحد</li><li>اثنان</li></ul>", "واحد\n\nاثنان"),
        ("<h2>عنوان</h2>نص <b>غامق</b> و<a href='x'>رابط</a>", "عنوان\n\nنص غامق ورابط"),
        ("<figure><img src=x><figcaption>صورة</figcaption></figure>نص", "صورة\n\nنص"),
        ("<table><tr><td>أ</td><td>ب</td></tr><tr><td>ج</td></tr></table>", "أب\n\nج"),
        # In real HTML a source newline is a space; the tags carry the layout.
        ("<p>جملة\nتكمل\n  هنا</p>", "جملة تكمل هنا"),
        # A description with no markup at all keeps its own lines.
        ("سطر أول\n  سطر ثان\n\n\n\nفقرة", "سطر أول\nسطر ثان\n\nفقرة"),
        ("a\r\nb", "a\nb"),
        ("  كثير    من\t\tالمسافات&nbsp;&nbsp;هنا  ", "كثير من المسافات هنا"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_html_to_text_layout(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("قال &quot;نعم&quot; &amp; مضى&hellip;", 'قال "نعم" & مضى…'),
        ("انتظر&amp;hellip; ثم &amp;quot;تحدث&amp;quot;", 'انتظر… ثم "تحدث"'),  # double-encoded
        ("&amp;#x27;اقتباس&amp;#39;", "'اقتباس'"),
        ("&amp;amp;lt;", "&lt;"),  # only one extra pass, never a third
        ("AT&T و R&D", "AT&T و R&D"),  # bare ampersands stay
        ("&amp;notanentity; &unknown;", "&notanentity; &unknown;"),
        ("5 &lt; 6 &gt; 4", "5 < 6 > 4"),
    ],
)
def test_html_to_text_entities(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("نص<script>alert('x')</script> آمن", "نص آمن"),
        ("<SCRIPT type='text/javascript'>var a = '</p>';</SCRIPT>نص", "نص"),
        ("<style>p { color: red }</style><p>نص</p>", "نص"),
        ("<noscript><img src=x>فعّل جافاسكربت</noscript>نص", "نص"),
        ("<iframe src='https://evil'>بديل</iframe>نص", "نص"),
        ("<object data=x><param name=a>بديل</object>نص", "نص"),
        ("<iframe/>نص<script/>", "نص"),
        ("<!-- تعليق --><p>نص</p><!-- <script>alert(1)</script> -->", "نص"),
        ("<p onclick=\"alert('x')\" style='x'>نص</p>", "نص"),
        ("<![CDATA[<p>نص</p>]]>", "نص"),
        ("<p>نص]]></p>", "نص"),
        ("<html><head><title>عنوان الصفحة</title></head><body>نص</body></html>", "نص"),
        ("<p>غير مغلق <b>غامق <i>مائل", "غير مغلق غامق مائل"),
        ("</div></p>نص<p", "نص<p"),  # an unfinished tag at the end is text
        ("<<>>نص<", "<<>>نص<"),
        ("<script>لا نهاية", ""),
        ("<!DOCTYPE html><p>نص</p>", "نص"),
        ("<![if !IE]>نص<![endif]>", "نص"),
        ("<?xml version='1.0'?><p>نص</p>", "نص"),
        ('<a href="javascript:alert(1)">نص</a>', "نص"),
    ],
)
def test_html_to_text_hostile(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


@pytest.mark.parametrize(
    "fragment",
    [
        "<",
        "&",
        "<!",
        "<!--",
        "<![",
        "<![CDATA[",
        "</",
        "<a",
        "<a href='",
        "&#",
        "&#x;",
        "&#99999999999;",
        "<svg><p>",
        "\x00<p>\x00</p>",
        "<!\u200f>",
    ],
)
def test_html_to_text_never_raises(fragment: str) -> None:
    assert isinstance(html_to_text(fragment), str)


@needs_feeds
def test_html_to_text_of_crazy_content_encoded() -> None:
    # Unsanitised on purpose: html_to_text must cope with the markup as the feed sent it.
    path = FEEDS / "tricky" / "feedparser-content-encoded-crazy-html.xml"
    entry = feedparser.parse(path.read_bytes(), sanitize_html=False).entries[0]
    text = html_to_text(entry.content[0].value)
    assert text == ("Did The Javascript Execute?\n\nI will execute here, too, if you mouse over me")


@needs_feeds
def test_html_to_text_of_large_atom_feed() -> None:
    path = FEEDS / "tricky" / "feedparser-large-atom-needs-css-sanitisation.xml"
    entries = feedparser.parse(path.read_bytes(), sanitize_html=False).entries
    assert len(entries) == 15
    for entry in entries:
        text = html_to_text(entry.content[0].value)
        assert text
        assert "<" not in text.replace("< ", "")  # no tag survives
        assert "\n\n\n" not in text
        assert text == text.strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<b>"قسد" & R&D</b>', '&lt;b&gt;"قسد" &amp; R&amp;D&lt;/b&gt;'),
        ("حلب", "حلب"),
    ],
)
def test_escape(text: str, expected: str) -> None:
    assert escape(text) == expected


def test_escape_attr() -> None:
    assert escape_attr('https://x.sy/?a=1&b="2"') == "https://x.sy/?a=1&amp;b=&quot;2&quot;"


@pytest.mark.parametrize(
    ("line", "needs_mark"),
    [
        ("حلب تشهد انسحاباً", False),
        ("iPhone 17 يصل إلى سوريا", True),
        ("2026 عام التغيير", True),
        ("١١ قتيلاً في حلب", True),  # digits of any script
        ("https://hashtagsyria.com/x", True),
        ('"Reuters": وكالة', True),  # opening quote, then Latin
        ("«قسد» تنسحب", False),  # opening quote, then Arabic
        ("- بند", False),
        ("#سياسة #سوريا_محلي", False),
        ("#Syria #سياسة", True),
        ("שלום", False),  # Hebrew is right to left too
        (f"{RLM}iPhone", False),  # already marked
        ("", False),
        ("... !!", False),  # nothing strong: no direction to fix
    ],
)
def test_rtl_paragraph(line: str, needs_mark: bool) -> None:
    assert needs_rtl_mark(line) is needs_mark
    assert rtl_paragraph(line) == (RLM + line if needs_mark else line)


def test_rtl_paragraph_is_idempotent() -> None:
    assert rtl_paragraph(rtl_paragraph("iPhone")) == RLM + "iPhone"


def test_rtl_text_marks_each_line_at_its_start_only() -> None:
    text = "حلب\nhttps://x.sy/a?b=c\n\n2026 عام\nCNN تقول"
    assert rtl_text(text) == f"حلب\n{RLM}https://x.sy/a?b=c\n\n{RLM}2026 عام\n{RLM}CNN تقول"


@pytest.mark.parametrize(
    ("html_text", "expected"),
    [
        ("<b>حلب</b>", 3),
        ('<a href="https://example.com/very/long">رابط</a>', 4),
        ("&lt;b&gt; &amp;", 5),  # "<b> &"
        ("\n\n  نص  \n", 2),
        ("😀", 2),  # outside the BMP: two UTF-16 code units
        (f"{RLM}iPhone", 7),  # marks count
        ("", 0),
    ],
)
def test_telegram_length(html_text: str, expected: int) -> None:
    assert telegram_length(html_text) == expected

"""An article page's main text: bytes → decoded HTML → trafilatura → paragraphs.

Feeds often carry only a teaser; the page behind the link has the article. This module is pure
(no fetching): the poller hands it the bytes and the Content-Type it received. Legacy Arabic
pages are served in windows-1256 or ISO-8859-6, often with no charset anywhere, so decoding is
ours and not left to the HTML parser (which would guess Latin-1 and make mojibake).
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import charset_normalizer
import trafilatura
from lxml.etree import LxmlError
from lxml.html import HtmlElement

from bot.text.arabic import normalise

logger = logging.getLogger(__name__)

# Types whose body is a web page; anything else (images, PDFs, feeds) has no article text here.
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Browsers look for <meta charset> in the first 1024 bytes; pages with long <head>s put it later.
_META_SCAN_BYTES = 8192
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
# XHTML served as HTML: lxml refuses a str that still carries an encoding declaration.
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_XML_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*>")
_CONTENT_TYPE_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# As browsers do (WHATWG Encoding): a page labelled Latin-1 is read as its superset windows-1252.
_LABEL_OVERRIDES = {"latin-1": "cp1252", "iso8859-1": "cp1252"}
# A label no browser honours: UTF-7 smuggles markup past filters.
_REFUSED = frozenset({"utf-7"})
# Control characters that lxml refuses in a string (and that no article contains).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# trafilatura's cost grows with the number of elements (7 s for a page of 400,000 empty
# <div>s); news pages have a few thousand. Past this a page is not read: the feed text stays.
MAX_ELEMENTS = 50_000
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# The block just before a comment widget is the comment section's preamble ("we welcome
# discussion…", "the opinions below are not ours"); trafilatura keeps it as a paragraph.
_COMMENT_WIDGET = (
    "contains(concat(' ', normalize-space(@class), ' '), ' fb-comments ')"
    " or @id='disqus_thread' or @id='comments' or @id='respond'"
)
# From the widget back, not from every element forward: libxml2 evaluates following-sibling::*
# in full before taking [1], quadratic on a page of 100,000 sibling <div>s.
_PRUNE = [f"//*[{_COMMENT_WIDGET}]/preceding-sibling::*[1]"]


@dataclass(frozen=True, slots=True)
class Page:
    """What an article page says: its main text (paragraphs separated by blank lines)."""

    text: str
    title: str | None  # og:title, else the first <h1>, else <title>
    image: str | None  # og:image as an absolute http(s) address
    encoding: str  # Python's codec name the bytes were read with ("utf-8", "cp1256", …)


def _codec(label: str | bytes | None) -> str | None:
    """Python's name for a charset label, or None when it is unknown or refused."""
    if label is None:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if name in _REFUSED:
        return None
    return _LABEL_OVERRIDES.get(name, name)


def _declared_type(content_type: str | None) -> tuple[str | None, str | None]:
    """The media type and charset label of a Content-Type header."""
    if not content_type:
        return None, None
    media_type = content_type.split(";", 1)[0].strip().lower() or None
    found = _CONTENT_TYPE_CHARSET.search(content_type)
    return media_type, found.group(1) if found else None


def _strict(body: bytes, encoding: str | None) -> str | None:
    if encoding is None:
        return None
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_page(body: bytes, content_type: str | None = None) -> tuple[str, str] | None:
    """Return the page's text and the encoding it was read in, or None if it is not text.

    Order: a byte-order mark; UTF-8 when the bytes are valid UTF-8 (legacy Arabic text never is,
    and pages labelled windows-1256 but saved as UTF-8 are common); the Content-Type charset;
    <meta charset>, <meta http-equiv> or an XML declaration; else charset-normalizer's guess.
    A label the bytes contradict (invalid sequences) is passed over rather than trusted.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace").lstrip("\ufeff"), encoding
    _, header_label = _declared_type(content_type)
    head = body[:_META_SCAN_BYTES]
    meta = _META_CHARSET.search(head) or _XML_DECLARATION.search(head)
    candidates = ["utf-8", _codec(header_label), _codec(meta.group(1) if meta else None)]
    for candidate in candidates:
        # Without a byte-order mark a page is not UTF-16, whatever it says: a <meta> label that
        # could be read as ASCII proves it (WHATWG reads such pages as UTF-8).
        if candidate is not None and not candidate.startswith("utf-16"):
            text = _strict(body, candidate)
            if text is not None:
                return text, candidate
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        return None
    return str(best), _codec(best.encoding) or best.encoding


def _meta_content(tree: HtmlElement, *names: str) -> str | None:
    for name in names:
        for value in tree.xpath(f"//meta[@property='{name}' or @name='{name}']/@content"):
            text = " ".join(str(value).split())
            if text:
                return text
    return None


def _title(tree: HtmlElement) -> str | None:
    """The article's own headline: og:title, else the first <h1>, else <title>."""
    title = _meta_content(tree, "og:title", "twitter:title")
    if title:
        return title
    for xpath in ("//h1", "//title"):
        for element in tree.xpath(xpath):
            text = " ".join(element.text_content().split())
            if text:
                return text
    return None


def _image(tree: HtmlElement, url: str | None) -> str | None:
    image = _meta_content(tree, "og:image", "og:image:url", "og:image:secure_url", "twitter:image")
    if image is None:
        return None
    image = urljoin(url, image) if url else image
    return image if image.startswith(("http://", "https://")) else None


def _paragraphs(text: str, title: str | None) -> str:
    """One paragraph per line from trafilatura, as paragraphs separated by blank lines."""
    paragraphs = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    if paragraphs and title and normalise(paragraphs[0]) == normalise(title):
        paragraphs = paragraphs[1:]  # the page's headline, repeated above the body
    return "\n\n".join(paragraphs)


def page_text(
    body: bytes, content_type: str | None = None, *, url: str | None = None
) -> Page | None:
    """Return an article page's main text, title and og:image, or None when it has no text.

    No comments, tables, link lists or navigation: only what a reader would call the article.
    `url` (the page's address) resolves a relative og:image. Hostile input (garbage, an empty
    body, a page of nothing but markup) gives None, never an exception.
    """
    media_type, _ = _declared_type(content_type)
    if media_type is not None and media_type not in _PAGE_TYPES:
        return None
    decoded = decode_page(body, content_type)
    if decoded is None:
        return None
    html, encoding = decoded
    html = _XML_DECLARATION_TEXT.sub("", _CONTROL.sub("", html), count=1)
    if not html.strip():
        return None
    try:
        tree = trafilatura.load_html(html)
        if tree is None:
            return None
        elements = int(tree.xpath("count(//*)"))
        if elements > MAX_ELEMENTS:
            logger.info("page not extracted: %d elements", elements)
            return None
        title, image = _title(tree), _image(tree, url)
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            include_comments=False,
            include_tables=False,
            include_links=False,
            include_images=False,
            include_formatting=False,
            with_metadata=False,  # the date search costs as much as the extraction itself
            prune_xpath=_PRUNE,
        )
    except (ValueError, LxmlError) as error:
        logger.info("page not extracted (%s): %s", encoding, error)
        return None
    raw = getattr(document, "text", None) if document is not None else None
    text = _paragraphs(raw or "", title)
    if not text:
        return None
    return Page(text=text, title=title, image=image, encoding=encoding)

"""HTML in and out: feed HTML to plain text, plain text to Telegram HTML, right-to-left lines."""

from __future__ import annotations

import html
import re
import unicodedata
from html.entities import html5 as html5_entities
from html.parser import HTMLParser

RLM = "\u200f"

# Their content is code, an embedded document or a whole page's <title>, never article text.
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math"}
    | {"title"}
)
# Tags that end a paragraph in a browser; <br> only ends a line.
_BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre tr table section article header"
    " footer aside nav figure figcaption hr main address details summary".split()
)
_LINE_BREAK = "\n"
_PARAGRAPH_BREAK = "\n\n"

# Feeds wrapped twice in CDATA leave the markers inside the HTML; the content between them is
# ordinary markup.
_CDATA_MARKERS = re.compile(r"<!\[CDATA\[|\]\]>")
# After html.parser has decoded entities once, an entity still standing came from "&amp;xxx;":
# the feed escaped its HTML twice.
_LEFTOVER_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_BLANK_LINES = re.compile(r"\n{3,}")
_TAG = re.compile(r"<[^>]*>")


class _TextExtractor(HTMLParser):
    """Collect the visible text of an HTML fragment, with line and paragraph breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.saw_markup_breaks = False
        self._skipping = 0

    def updatepos(self, i: int, j: int) -> int:
        # Only getpos() (line and column, for error messages) reads what the parser counts
        # here, newline by newline: nothing here asks, so nothing is counted.
        return j

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif not self._skipping:
            self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif not self._skipping and tag in _BLOCK_TAGS:
            self._break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <script/> or <iframe/> has no content to skip; <br/> is one line break, not two.
        if not self._skipping and tag not in _SKIPPED_TAGS:
            self._break(tag)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def _break(self, tag: str) -> None:
        if tag == "br":
            self.parts.append(_LINE_BREAK)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH_BREAK)
        else:
            return
        self.saw_markup_breaks = True


def _extract(fragment: str) -> tuple[list[str], bool]:
    if "<" not in fragment and "&" not in fragment:
        # Plain text (most titles): html.parser would hand it to handle_data whole, as it is.
        return ([fragment] if fragment else []), False
    parser = _TextExtractor()
    try:
        parser.feed(fragment)
        parser.close()
    except (AssertionError, ValueError, IndexError):  # pragma: no cover - html.parser bugs
        # Some ill-formed declarations have made html.parser raise in past Python versions; a
        # feed must never stop on its description, so fall back to dropping anything tag-like.
        return [html.unescape(_TAG.sub(" ", fragment))], False
    return parser.parts, parser.saw_markup_breaks


def _decode_leftover_entity(match: re.Match[str]) -> str:
    entity = match.group()
    if entity.startswith("&#") or entity[1:] in html5_entities:
        return html.unescape(entity)
    # Not an entity: html.unescape would still read "&notanentity;" as "¬anentity;".
    return entity


def html_to_text(fragment: str) -> str:
    """Turn an HTML fragment from a feed into plain text, paragraphs split by one blank line."""
    fragment = fragment.replace("\r\n", "\n").replace("\r", "\n")
    # Each clean-up pass below runs only where it has something to do: a regex pass over a
    # text costs about as much as parsing it.
    if "<![CDATA[" in fragment or "]]>" in fragment:
        fragment = _CDATA_MARKERS.sub("", fragment)
    parts, saw_markup_breaks = _extract(fragment)
    if saw_markup_breaks:
        # Real HTML: a newline in the source is just a space, the tags carry the layout. A
        # description without any such tag is plain text, and its newlines are the layout.
        parts = [
            part if part in (_LINE_BREAK, _PARAGRAPH_BREAK) else part.replace("\n", " ")
            for part in parts
        ]
    text = "".join(parts)
    if "&" in text:
        text = _LEFTOVER_ENTITY.sub(_decode_leftover_entity, text)
    # Each line's runs of whitespace made one space, and the line stripped: str.split() and \s
    # know the same whitespace, and a line (split at "\n") has no "\n" left in it.
    text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def escape(text: str) -> str:
    """Escape plain text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def escape_attr(value: str) -> str:
    """Escape a value for a double-quoted HTML attribute (such as href)."""
    return html.escape(value, quote=True)


def visible(raw: str) -> str:
    """Text people typed, on one line, without control, format (bidi overrides, zero-width)
    and unassigned characters: a query, or a name shown back, can never turn the rest of a
    line around."""
    kept = (
        " " if ch.isspace() else ch
        for ch in unicodedata.normalize("NFC", raw)
        if ch.isspace() or unicodedata.category(ch) not in {"Cc", "Cf", "Cn", "Co", "Cs"}
    )
    return " ".join("".join(kept).split())


def needs_rtl_mark(line: str) -> bool:
    """Tell whether a line of plain text would be laid out left to right without an RLM.

    Telegram, like the Unicode bidi algorithm, takes a paragraph's direction from its first
    strong character; digits of any script are counted too, so that "١١ قتيلاً" and
    "2026: عام" are marked the same way. Quotes, brackets, "#" and spaces are skipped.
    """
    for ch in line:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return False
        if direction in ("L", "EN", "AN"):
            return True
    return False


def rtl_paragraph(line: str) -> str:
    """Put RLM in front of a line that would otherwise start left to right; never inside it."""
    return RLM + line if needs_rtl_mark(line) else line


def rtl_text(text: str) -> str:
    """Apply rtl_paragraph to every line of text."""
    return "\n".join(rtl_paragraph(line) for line in text.split("\n"))


_TAG = re.compile(r"<[^>]*>")


def rtl_html(message: str) -> str:
    """rtl_text for a message in Telegram HTML: each line is judged by the text its tags
    leave (a line that starts with <b>سجل is Arabic; one that starts with <code>5 is not)."""
    return "\n".join(
        RLM + line if needs_rtl_mark(html.unescape(_TAG.sub("", line))) else line
        for line in message.split("\n")
    )


def telegram_length(html_text: str) -> int:
    """Count a Telegram HTML message as Telegram does: visible text, in UTF-16 code units."""
    visible = html.unescape(_TAG.sub("", html_text)).strip()
    return len(visible.encode("utf-16-le")) // 2

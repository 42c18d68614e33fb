"""Telegram posts: an article as HTML text (headline, summary, disclaimer, link, hashtags),
and, when it has a picture, as a photo with that text as its caption."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.news.summary import extract, summarise, truncate_words
from bot.text.arabic import split_sentences
from bot.text.dates import format_date
from bot.text.html import (
    RLM,
    escape,
    escape_attr,
    needs_rtl_mark,
    rtl_paragraph,
    rtl_text,
    telegram_length,
)
from storage.models import Article

TELEGRAM_TEXT_LIMIT = 4096  # characters of a message after entity parsing, in UTF-16 units
TELEGRAM_CAPTION_LIMIT = 1024  # the same, for a photo's caption
# Telegram cuts an inline query at 256 characters; a few headline words find the article.
SHARE_QUERY_CHARS = 120
SHARE_QUERY_WORDS = 10
SOURCE_LABEL = "المصدر: "  # starts the link line with an Arabic letter, so it stays RTL


@dataclass(frozen=True)
class PostStyle:
    """How a channel wants its posts: date locale and digits, summary length, button labels.

    `inline_mode` is whether the bot answers inline queries (getMe's supports_inline_queries,
    read at start-up): only then does a post carry «شارك», a button that opens inline mode,
    which Telegram may refuse for a bot without it. Unknown counts as off."""

    locale: str = "ar_SY"
    digits: Literal["arab", "latn"] = "arab"
    timezone: ZoneInfo = ZoneInfo("Asia/Damascus")
    summary_max_chars: int = 400
    read_more_label: str = "اقرأ المزيد"
    share_label: str = "شارك"
    inline_mode: bool = False


@dataclass(frozen=True)
class PostSource:
    """What the formatter needs of a stored article; all text plain and unescaped."""

    headline: str
    original_title: str  # as the outlet titled it
    text: str  # clean plain-text body, may be empty
    summary: str  # the parser's lead summary: the post's when there is no text
    link: str
    source_domain: str
    fetched_at: datetime  # aware
    categories: Sequence[str]
    image: str = ""  # the picture's http(s) address, "" for none
    # The other outlets that told the same story, as (name, link), oldest first.
    also: Sequence[tuple[str, str]] = ()


def post_source(article: Article) -> PostSource:
    """What the formatter needs of a stored article."""
    return PostSource(
        headline=article.headline,
        original_title=article.original_title,
        text=article.text,
        summary=article.summary,
        link=article.link or article.canonical_link or "",
        source_domain=article.source_domain,
        fetched_at=article.fetched_at,
        categories=[category.name for category in article.categories],
        image=article.image_url or "",
    )


@dataclass(frozen=True)
class Post:
    """A post ready to send with parse_mode=HTML; button_url is empty when there is no link.

    share_query is what the «شارك» button types after the bot's name in the chat the reader
    picks (switch_inline_query): the headline's words, so that the article comes first.

    With a picture, `photo` is its address and `caption` the post fitted to a caption: it goes
    as a photo. `text` is always the whole post as a message, what goes when Telegram refuses
    the picture; `preview_url` is the picture that message's link preview shows when the post
    is too long for a caption ("" shows the article's page)."""

    text: str
    button_text: str
    button_url: str
    share_text: str = ""
    share_query: str = ""
    photo: str = ""
    caption: str = ""
    preview_url: str = ""

    def keyboard(self) -> list[list[dict[str, str]]]:
        """The post's inline keyboard as Bot API JSON: «اقرأ المزيد» and «شارك» in one row."""
        row: list[dict[str, str]] = []
        if self.button_url:
            row.append({"text": self.button_text, "url": self.button_url})
        if self.share_text:
            row.append({"text": self.share_text, "switch_inline_query": self.share_query})
        return [row] if row else []

    def as_text(self) -> Post:
        """The post as a text message, its link preview the article's page."""
        return replace(self, photo="", caption="", preview_url="")


def link_preview(post: Post) -> dict[str, object]:
    """Bot API link_preview_options of a post as text: its picture large when it has one and
    no caption holds it, else the article's page, or none without a link."""
    if post.preview_url:
        return {"url": post.preview_url, "prefer_large_media": True}
    return {"url": post.button_url} if post.button_url else {"is_disabled": True}


# Letters, digits and marks: what a search query keeps of a headline (quotes, dashes and
# "«»" would only be dropped by the query parser anyway).
_WORD = re.compile(r"[^\W_]+(?:[\u064b-\u065f\u0670][^\W_]*)*")


def share_query(headline: str) -> str:
    """The first words of a headline, as a search that finds its article: "حلب تشهد انسحاباً"."""
    words: list[str] = []
    length = 0
    for word in _WORD.findall(headline):
        length += len(word) + (1 if words else 0)
        if len(words) == SHARE_QUERY_WORDS or length > SHARE_QUERY_CHARS:
            break
        words.append(word)
    return " ".join(words)


def disclaimer(
    original_title: str, source_domain: str, fetched_at: datetime, style: PostStyle
) -> str:
    """Return the attribution and disclaimer, two lines of plain text, in the house wording."""
    fetched_on = format_date(
        fetched_at, locale=style.locale, digits=style.digits, tz=style.timezone
    )
    return (
        f'هذا الخبر بعنوان "{_one_line(original_title)}" نشر أولاً على موقع {source_domain}'
        f" وتم جلبه من مصدره الأصلي بتاريخ {fetched_on}.\n"
        "لا يتحمل موقعنا مضمونه بأي شكل من الأشكال."
        " بإمكانكم الإطلاع على تفاصيل هذا الخبر من خلال مصدره الأصلي."
    )


# Telegram ends a hashtag at any character that is not a letter, digit, mark or underscore.
_NOT_HASHTAG_CHARS = re.compile(r"[^\w\u0300-\u036f\u064b-\u065f\u0670]+")


def hashtag(category: str) -> str:
    """Return "#سوريا_محلي" for "سوريا محلي", or "" when nothing taggable is left."""
    words = _NOT_HASHTAG_CHARS.sub("_", category)
    tag = re.sub("_+", "_", words).strip("_")
    # Telegram does not link a hashtag made of digits only.
    if not any(ch.isalpha() for ch in tag):
        return ""
    return "#" + tag


def format_post(article: PostSource, style: PostStyle) -> Post:
    """Build the Telegram post of an article, at most TELEGRAM_TEXT_LIMIT long; with its
    picture, also its caption form, at most TELEGRAM_CAPTION_LIMIT long."""
    headline = _one_line(article.headline) or _one_line(article.original_title)
    original_title = _one_line(article.original_title) or headline
    domain = article.source_domain.strip() or _domain_of(article.link)
    url = article_url(article)
    tags = _hashtags(article.categories)
    # The extractive summary of the text (the article page's when the feed was thin); the
    # stored summary, as it is, only for an article without text (old rows, headline-only
    # entries), shortened to its lead sentences if the post is too long.
    if article.text.strip():
        summary_source, shorten = article.text, extract
        summary = extract(article.text, style.summary_max_chars, headline=headline)
    else:
        summary_source = summary = article.summary.strip()
        shorten = summarise

    also = also_reported(article.also)

    def render() -> str:
        notice = disclaimer(original_title, domain, article.fetched_at, style)
        return _render(headline, summary, notice, url, domain, tags, also)

    # Shorten what matters least first; the disclaimer's wording and the link are never cut.
    text = render()
    while (over := telegram_length(text) - TELEGRAM_TEXT_LIMIT) > 0 and summary:
        summary = shorten(summary_source, len(summary) - over, headline=headline)
        text = render()
    while (over := telegram_length(text) - TELEGRAM_TEXT_LIMIT) > 0 and headline:
        headline = truncate_words(headline, len(headline) - over)
        text = render()
    # Only a hostile feed gets here (thousands of categories, a title the size of an article).
    while telegram_length(text) > TELEGRAM_TEXT_LIMIT and tags:
        tags = tags[:-1]
        text = render()
    while (over := telegram_length(text) - TELEGRAM_TEXT_LIMIT) > 0 and original_title:
        original_title = truncate_words(original_title, len(original_title) - over)
        text = render()

    picture = article.image.strip() if is_web_url(article.image) else ""
    caption = ""
    if picture:
        notice = disclaimer(original_title, domain, article.fetched_at, style)
        caption = fit_caption(
            lambda shown: _render(headline, shown, notice, url, domain, tags, also),
            summary,
            lambda max_chars: shorten(summary_source, max_chars, headline=headline),
        )
    return Post(
        text=text,
        button_text=style.read_more_label,
        button_url=url,
        share_text=style.share_label if style.inline_mode else "",
        share_query=share_query(headline or original_title) if style.inline_mode else "",
        photo=picture if caption else "",
        caption=caption,
        preview_url="" if caption else picture,
    )


ALSO_REPORTED = "وردت أيضاً في: "
ALSO_MORE = " وغيرها"
ALSO_NAMED = 3  # outlets named; more are «وغيرها»
_ALSO_NAME_CHARS = 60


def also_reported(outlets: Sequence[tuple[str, str]]) -> str:
    """The line that names the story's other outlets, linked, as HTML: «وردت أيضاً في: عنب
    بلدي، الجزيرة نت، سانا وغيرها»; "" when there are none."""
    named = [
        f'<a href="{escape_attr(link.strip())}">{escape(name)}</a>'
        for name, link in (
            (truncate_words(_one_line(name), _ALSO_NAME_CHARS), link)
            for name, link in outlets[:ALSO_NAMED]
        )
        if is_web_url(link) and name
    ]
    if not named:
        return ""
    more = ALSO_MORE if len(outlets) > ALSO_NAMED else ""
    return ALSO_REPORTED + "، ".join(named) + more


def fit_caption(render: Callable[[str], str], summary: str, shorten: Callable[[int], str]) -> str:
    """The post rendered with `summary` shortened (by `shorten`, to at most so many
    characters) until it fits a caption; "" when even one sentence of the summary would not
    fit with the rest, or the rest alone when there is no summary."""
    caption = render(summary)
    sentences = split_sentences(summary)
    shortest = len(sentences[0]) if sentences else 0
    while (over := telegram_length(caption) - TELEGRAM_CAPTION_LIMIT) > 0 and summary:
        budget = len(summary) - over
        if budget < shortest:
            return ""
        shorter = shorten(budget)
        if not shorter or len(shorter) >= len(summary):
            return ""
        summary = shorter
        caption = render(summary)
    return caption if telegram_length(caption) <= TELEGRAM_CAPTION_LIMIT else ""


def _render(
    headline: str,
    summary: str,
    notice: str,
    url: str,
    domain: str,
    tags: Sequence[str],
    also: str = "",
) -> str:
    paragraphs: list[str] = []
    if headline:
        # The mark goes outside <b>, so the bold entity holds only the headline itself.
        mark = RLM if needs_rtl_mark(headline) else ""
        paragraphs.append(f"{mark}<b>{escape(headline)}</b>")
    summary_lines = [escape(rtl_paragraph(line.strip())) for line in summary.splitlines()]
    if any(summary_lines):
        paragraphs.append("\n".join(line for line in summary_lines if line))
    paragraphs.append(escape(rtl_text(notice)))
    if url:
        paragraphs.append(f'{SOURCE_LABEL}<a href="{escape_attr(url)}">{escape(domain or url)}</a>')
    if also:
        paragraphs.append(also)
    if tags:
        # Hashtags are made of word characters only; a mark, if any, lands before the first "#".
        paragraphs.append(rtl_paragraph(" ".join(tags)))
    return "\n\n".join(paragraphs)


def _hashtags(categories: Sequence[str]) -> list[str]:
    # Feeds repeat categories (the reference article lists "سياسة" three times).
    return list(dict.fromkeys(tag for tag in map(hashtag, categories) if tag))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def article_url(article: PostSource) -> str:
    """The article's link when Telegram accepts it in an anchor or a button, else ""."""
    return article.link.strip() if is_web_url(article.link) else ""


def is_web_url(link: str) -> bool:
    # Telegram rejects a message whose link or button has another scheme (javascript:, data:).
    parts = urlsplit(link.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _domain_of(link: str) -> str:
    host = urlsplit(link.strip()).hostname or ""
    return host.removeprefix("www.")

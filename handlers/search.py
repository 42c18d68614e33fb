"""Searching the archive: inline mode in any chat, /search and /latest, a reader's plain text.

The search service (context.services.search) parses the query and finds the articles; here
they become Telegram answers: inline results whose chosen message is the channel post itself,
or a numbered list of links whose «التالي» / «السابق» buttons edit the message in place.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.config import Settings
from bot.context import NashraContext
from bot.errors import SearchTimeout
from bot.news.formatter import (
    PostSource,
    PostStyle,
    article_url,
    format_post,
    is_web_url,
)
from bot.news.search import parse_query
from bot.news.summary import truncate_words
from bot.text.dates import Digits, relative_date, to_digits
from bot.text.html import RLM
from bot.text.messages import language_of, text
from handlers.readers import SEARCH_START

if TYPE_CHECKING:
    from bot.search import Hit, SearchPage

logger = logging.getLogger(__name__)

INLINE_PAGE = 20  # results per inline answer (Telegram takes up to 50); each is a whole post
INLINE_CACHE_SECONDS = 5  # new articles arrive all the time
LIST_PAGE = 5  # lines of a /search or /latest message
MAX_OFFSET = 1000  # no page starts deeper; a forged offset beyond it is read as 0 (or stale)
# A headline as an inline result's title or a line of a list: 5 lines stay far below
# Telegram's 4096 characters, whatever a feed calls a headline.
HEADLINE_CHARS = 200
MAX_CATEGORY_CHARS = 64  # /latest's argument: longer than any category name
REMEMBERED = 100  # long queries kept per chat for their paging buttons
CALLBACK_BYTES = 64  # Telegram's limit on callback data

# Paging buttons: "<s|l><q|k>:<offset>:<query, category or key>". s = a search, l = the latest;
# q = the text itself follows, k = a key of the text kept in chat_data (too long to carry).
PAGE_DATA = re.compile(r"^([sl])([qk]):([0-9]{1,4}):(.*)\Z", re.DOTALL)
_OFFSET = re.compile(r"[0-9]{1,4}", re.ASCII)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # a list of links, or a post without one


@dataclass(frozen=True)
class Listing:
    """What a /search or /latest message shows: a search or the latest, from an offset."""

    kind: Literal["s", "l"]
    argument: str  # the query as typed, or the category ("" for every category)
    offset: int = 0

    def at(self, offset: int) -> Listing:
        return Listing(self.kind, self.argument, offset)


# ---------------------------------------------------------------------------- inline mode


async def inline_query(update: Update, context: NashraContext) -> None:
    """Answer "@bot words" with matching posts, a page at a time: within a second or not at all."""
    query = update.inline_query
    if query is None:
        return
    services = context.services
    seconds = services.settings.search_timeout_seconds
    offset = inline_offset(query.offset)
    try:
        page = await services.search.search(
            query.query, offset=offset, limit=INLINE_PAGE, timeout=seconds
        )
    except SearchTimeout:
        # Telegram shows nothing, and the reader's next keystroke asks again.
        logger.warning("inline query cut off after %.1f s", seconds)
        return
    try:
        await query.answer(**_inline_answer(context, page, query.from_user.language_code))
    except BadRequest as exc:
        # Most often "query is too old": the reader typed on, and the newer query is answered.
        logger.warning("Telegram refused an inline answer: %s", exc.message)


def _inline_answer(
    context: NashraContext, page: SearchPage, language_code: str | None
) -> dict[str, Any]:
    """answerInlineQuery's parameters for a page: the posts, the next offset, the caching."""
    services = context.services
    now = context.services.now()
    results = [
        _inline_result(hit, services.style, services.settings, language_code, now)
        for hit in page.hits
    ]
    button = None
    if not results and page.offset == 0:
        button = InlineQueryResultsButton(
            text=_nothing_found(page, language_code), start_parameter=SEARCH_START
        )
    more = page.next_offset is not None and page.next_offset <= MAX_OFFSET
    return {
        "results": results,
        "cache_time": INLINE_CACHE_SECONDS,
        "is_personal": False,
        # None, not "", at the end: python-telegram-bot 22.x with Defaults sends an empty
        # next_offset as "[]" (a string is a Sequence to its InputPollOption step), which
        # Telegram would send back as the offset of a page that does not exist.
        "next_offset": str(page.next_offset) if more else None,
        "button": button,
    }


def inline_offset(raw: str) -> int:
    """The offset Telegram sends back from our next_offset; anything else (forged) is 0."""
    if not _OFFSET.fullmatch(raw):
        return 0
    offset = int(raw)
    return offset if offset <= MAX_OFFSET else 0


def _inline_result(
    hit: Hit, style: PostStyle, settings: Settings, language_code: str | None, now: datetime
) -> InlineQueryResultArticle:
    post = format_post(hit.source, style)
    # The post's own keyboard (bot/news/formatter.py), as python-telegram-bot objects.
    keyboard = [
        [
            InlineKeyboardButton(
                button["text"],
                url=button.get("url"),
                switch_inline_query=button.get("switch_inline_query"),
            )
            for button in row
        ]
        for row in post.keyboard()
    ]
    preview = LinkPreviewOptions(url=post.button_url) if post.button_url else NO_PREVIEW
    return InlineQueryResultArticle(
        id=str(hit.article_id),
        title=_headline(hit.source),
        description=_where_and_when(hit, settings, language_code, now),
        input_message_content=InputTextMessageContent(
            post.text,
            parse_mode=ParseMode.HTML,
            link_preview_options=preview,
        ),
        reply_markup=InlineKeyboardMarkup(keyboard) if keyboard else None,
        thumbnail_url=hit.image_url if hit.image_url and is_web_url(hit.image_url) else None,
    )


# ---------------------------------------------------------------------------- /search, /latest


async def search_command(update: Update, context: NashraContext) -> None:
    """/search words: the first matches as a numbered list of links, with paging buttons."""
    await _search(update, context, _argument(update))


async def plain_text(update: Update, context: NashraContext) -> None:
    """A reader's plain text in the private chat: a search."""
    message = update.effective_message
    await _search(update, context, (message.text or "") if message else "")


async def latest_command(update: Update, context: NashraContext) -> None:
    """/latest [category]: the newest articles, of one category when one is named."""
    # The query's own cleaning drops control, bidi and zero-width characters from the name.
    named = parse_query(_argument(update)[:MAX_CATEGORY_CHARS]).text
    category = " ".join(named.lstrip("#").replace("_", " ").split())
    await _list(update, context, Listing("l", category))


async def _search(update: Update, context: NashraContext, raw: str) -> None:
    parsed = parse_query(raw)
    if parsed.empty and not parsed.categories and not parsed.sources:
        # Nothing to look for (only punctuation, emoji or marks): say how to search.
        await _send(update, text("search_usage", _lang(update), bot=context.bot.username))
        return
    # Every page searches the cleaned text (no control or bidi characters in button data).
    await _list(update, context, Listing("s", parsed.text))


async def _list(update: Update, context: NashraContext, listing: Listing) -> None:
    lang = _lang(update)
    try:
        page = await _fetch(context, listing)
    except SearchTimeout:
        seconds = context.services.settings.search_command_timeout_seconds
        logger.warning("search cut off after %.1f s", seconds)
        await _send(update, text("search_slow", lang))
        return
    message, markup = _render(context, listing, page, lang)
    await _send(update, message, markup)


async def on_page(update: Update, context: NashraContext) -> None:
    """«التالي» / «السابق»: show that page of the search in the same message."""
    query = update.callback_query
    if query is None:
        return
    lang = query.from_user.language_code
    listing = _listing_of(query.data or "", context.chat_data)
    if listing is None or query.message is None:
        await query.answer(text("search_stale", lang))
        return
    try:
        page = await _fetch(context, listing)
    except SearchTimeout:
        await query.answer(text("search_slow", lang), show_alert=True)
        return
    await query.answer()
    message, markup = _render(context, listing, page, lang)
    try:
        await query.edit_message_text(message, reply_markup=markup, link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def _fetch(context: NashraContext, listing: Listing) -> SearchPage:
    search = context.services.search
    if listing.kind == "s":
        return await search.search(
            listing.argument,
            offset=listing.offset,
            limit=LIST_PAGE,
            # Longer than an inline answer may take (SEARCH_COMMAND_TIMEOUT_SECONDS).
            timeout=context.services.settings.search_command_timeout_seconds,
        )
    category = listing.argument or None
    return await search.latest(category=category, offset=listing.offset, limit=LIST_PAGE)


def _render(
    context: NashraContext, listing: Listing, page: SearchPage, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message of one page: a heading, then one numbered line per article with its link."""
    settings = context.services.settings
    shown = html.escape(page.query.text if listing.kind == "s" else listing.argument)
    if not page.hits:
        if listing.offset > 0:
            key = "search_end"
        elif listing.kind == "s":
            key = "search_none"
        else:
            key = "latest_none_in" if listing.argument else "latest_none"
        markup = _paging(context, listing, None, language_code)
        return text(key, language_code, query=shown, category=shown), markup
    if listing.kind == "s":
        heading = text("search_results", language_code, query=shown)
    elif listing.argument:
        heading = text("latest_in", language_code, category=shown)
    else:
        heading = text("latest_results", language_code)
    now = context.services.now()
    _, digits = _date_style(settings, language_code)
    # A numbered line starts with a digit, which would lay it out left to right.
    mark = RLM if language_of(language_code) == "ar" else ""
    lines = [heading]
    for number, hit in enumerate(page.hits, listing.offset + 1):
        headline = html.escape(_headline(hit.source))
        url = article_url(hit.source)
        title = f'<a href="{html.escape(url)}">{headline}</a>' if url else f"<b>{headline}</b>"
        when = html.escape(_where_and_when(hit, settings, language_code, now))
        lines.append(f"{mark}{to_digits(str(number), digits)}. {title}\n{when}")
    return "\n\n".join(lines), _paging(context, listing, page.next_offset, language_code)


def _paging(
    context: NashraContext, listing: Listing, next_offset: int | None, language_code: str | None
) -> InlineKeyboardMarkup | None:
    buttons = []
    if listing.offset > 0:
        previous = listing.at(max(listing.offset - LIST_PAGE, 0))
        buttons.append(
            InlineKeyboardButton(
                text("previous_button", language_code),
                callback_data=_data_of(previous, context.chat_data),
            )
        )
    if next_offset is not None and next_offset <= MAX_OFFSET:
        buttons.append(
            InlineKeyboardButton(
                text("next_button", language_code),
                callback_data=_data_of(listing.at(next_offset), context.chat_data),
            )
        )
    if language_of(language_code) == "ar":
        buttons.reverse()  # read right to left: «السابق» on the right, «التالي» on the left
    return InlineKeyboardMarkup([buttons]) if buttons else None


def _data_of(listing: Listing, chat_data: dict[Any, Any] | None) -> str:
    """A paging button's callback data: the text itself when it fits, else a kept key."""
    data = f"{listing.kind}q:{listing.offset}:{listing.argument}"
    if len(data.encode()) <= CALLBACK_BYTES:
        return data
    key = hashlib.blake2s(listing.argument.encode(), digest_size=8).hexdigest()
    if chat_data is not None:
        kept: dict[str, str] = chat_data.setdefault("searches", {})
        kept.pop(key, None)
        kept[key] = listing.argument  # the newest last: the oldest are forgotten first
        while len(kept) > REMEMBERED:
            del kept[next(iter(kept))]
    return f"{listing.kind}k:{listing.offset}:{key}"


def _listing_of(data: str, chat_data: dict[Any, Any] | None) -> Listing | None:
    """The page a button asks for; None for data we did not write or a key forgotten."""
    match = PAGE_DATA.match(data)
    if match is None:
        return None
    kind, form, offset, argument = match.groups()
    if int(offset) > MAX_OFFSET:
        return None
    if form == "k":
        kept = (chat_data or {}).get("searches", {})
        if argument not in kept:
            return None  # from before a restart, or forged
        argument = kept[argument]
    return Listing("s" if kind == "s" else "l", argument, int(offset))


# ---------------------------------------------------------------------------- shared


def _where_and_when(hit: Hit, settings: Settings, language_code: str | None, now: datetime) -> str:
    """How long ago and the source, in the reader's language: "منذ ساعتين · hashtagsyria.com",
    "hashtagsyria.com · 2 hours ago".

    Telegram lays a line out by its first strong letter: an Arabic line that began with the
    Latin domain would read left to right (DESIGN.md §1), so Arabic puts the date first."""
    locale, digits = _date_style(settings, language_code)
    when = relative_date(
        hit.published_at, now, locale, digits, just_now=text("just_now", language_code)
    )
    source = hit.source.source_domain or urlsplit(hit.source.link).hostname or ""
    if not source:
        return when
    return f"{when} · {source}" if language_of(language_code) == "ar" else f"{source} · {when}"


def _date_style(settings: Settings, language_code: str | None) -> tuple[str, Digits]:
    # Arabic readers get the deployment's locale and digits; others, English.
    if language_of(language_code) == "ar":
        return settings.locale, settings.digits
    return "en", "latn"


def _headline(source: PostSource) -> str:
    # Telegram refuses a whole inline answer if one result's title is empty.
    for candidate in (source.headline, source.original_title, source.link, source.source_domain):
        if headline := " ".join(candidate.split()):
            return truncate_words(headline, HEADLINE_CHARS)
    return "…"


def _nothing_found(page: SearchPage, language_code: str | None) -> str:
    if page.query.text:
        return text("inline_none", language_code, query=page.query.text[:48])
    return text("inline_none_yet", language_code)


def _argument(update: Update) -> str:
    """What follows the command ("/search@bot انسحاب قسد" → "انسحاب قسد")."""
    message = update.effective_message
    parts = (message.text or "").split(maxsplit=1) if message else []
    return parts[1] if len(parts) == 2 else ""


def _lang(update: Update) -> str | None:
    return update.effective_user.language_code if update.effective_user else None


async def _send(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(
            message, reply_markup=markup, link_preview_options=NO_PREVIEW
        )

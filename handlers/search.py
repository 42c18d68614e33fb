"""Searching the archive: inline mode in any chat, /search and /latest, a reader's plain text.

The search service (context.services.search) parses the query and finds the articles; the
presenter (bot/news/presenter.py) lays them out; here they become Telegram answers: inline
results whose chosen message is the channel post itself, or a numbered list of links whose
«التالي» / «السابق» buttons edit the message in place.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

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

from bot.context import NashraContext
from bot.errors import SearchTimeout
from bot.news.presenter import (
    INLINE_PAGE,
    LIST_PAGE,
    InlineResult,
    Listing,
    Reader,
    inline_next_offset,
    inline_none,
    inline_offset,
    inline_results,
    list_page,
    listing_of,
    paging_data,
)
from bot.news.search import ParsedQuery, parse_query
from bot.text.messages import text
from handlers import keyboards
from handlers.readers import SEARCH_START

if TYPE_CHECKING:
    from bot.search import SearchPage

logger = logging.getLogger(__name__)

INLINE_CACHE_SECONDS = 5  # new articles arrive all the time
MAX_CATEGORY_CHARS = 128  # /latest's argument: longer than any category name (100)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # a list of links, or a post without one


# ---------------------------------------------------------------------------- inline mode


async def inline_query(update: Update, context: NashraContext) -> None:
    """Answer "@bot words" with matching posts, a page at a time: within a second or not at all."""
    query = update.inline_query
    if query is None:
        return
    services = context.services
    seconds = services.settings.search_timeout_seconds
    try:
        page = await services.search.search(
            query.query, offset=inline_offset(query.offset), limit=INLINE_PAGE, timeout=seconds
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
    reader = _reader(context, language_code)
    results = inline_results(page.hits, services.style, reader, services.now())
    button = None
    if not results and page.offset == 0:
        button = InlineQueryResultsButton(
            text=inline_none(page.query, reader), start_parameter=SEARCH_START
        )
    return {
        "results": [_inline_article(result) for result in results],
        "cache_time": INLINE_CACHE_SECONDS,
        "is_personal": False,
        # None, not "", at the end: python-telegram-bot 22.x with Defaults sends an empty
        # next_offset as "[]" (a string is a Sequence to its InputPollOption step), which
        # Telegram would send back as the offset of a page that does not exist.
        "next_offset": inline_next_offset(page),
        "button": button,
    }


def _inline_article(result: InlineResult) -> InlineQueryResultArticle:
    preview = LinkPreviewOptions(url=result.preview_url) if result.preview_url else NO_PREVIEW
    return InlineQueryResultArticle(
        id=result.id,
        title=result.title,
        description=result.description,
        input_message_content=InputTextMessageContent(
            result.message_text, parse_mode=ParseMode.HTML, link_preview_options=preview
        ),
        reply_markup=keyboards.markup(result.keyboard),
        thumbnail_url=result.thumbnail_url,
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
    await _list(update, context, Listing("s", raw))


async def _list(update: Update, context: NashraContext, listing: Listing) -> None:
    lang = _lang(update)
    try:
        page = await _fetch(context, listing)
    except SearchTimeout:
        seconds = context.services.settings.search_command_timeout_seconds
        logger.warning("search cut off after %.1f s", seconds)
        await _send(update, text("search_slow", lang))
        return
    if listing.kind == "s":
        # The query is parsed once, by the search: what it made of the words decides.
        if _nothing_to_look_for(page.query):
            # Only punctuation, emoji or marks: say how to search.
            await _send(update, text("search_usage", lang, bot=context.bot.username))
            return
        # Every page searches the cleaned text: no control or bidi characters in button data.
        listing = replace(listing, argument=page.query.text)
    message, markup = _render(context, listing, page, lang)
    await _send(update, message, markup)


def _nothing_to_look_for(query: ParsedQuery) -> bool:
    return query.empty and not query.categories and not query.sources


async def on_page(update: Update, context: NashraContext) -> None:
    """«التالي» / «السابق»: show that page of the search in the same message."""
    query = update.callback_query
    if query is None:
        return
    lang = query.from_user.language_code
    listing = listing_of(query.data or "", _kept(context))
    if listing is None or query.message is None:
        await query.answer(text("search_stale", lang))
        return
    try:
        page = await _fetch(context, listing)
    except SearchTimeout:
        await query.answer(text("search_slow", lang), show_alert=True)
        return
    if listing.kind == "s" and _nothing_to_look_for(page.query):
        await query.answer(text("search_stale", lang))  # forged: no words to page through
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
    # Longer than an inline answer may take (SEARCH_COMMAND_TIMEOUT_SECONDS).
    seconds = context.services.settings.search_command_timeout_seconds
    if listing.kind == "s":
        return await search.search(
            listing.argument, offset=listing.offset, limit=LIST_PAGE, timeout=seconds
        )
    category = listing.argument or None
    return await search.latest(
        category=category, offset=listing.offset, limit=LIST_PAGE, timeout=seconds
    )


def _render(
    context: NashraContext, listing: Listing, page: SearchPage, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    shown = list_page(listing, page, _reader(context, language_code), context.services.now())
    kept = _kept(context)
    buttons = [
        InlineKeyboardButton(label, callback_data=paging_data(target, kept))
        for label, target in shown.buttons
    ]
    return shown.text, InlineKeyboardMarkup([buttons]) if buttons else None


# ---------------------------------------------------------------------------- shared


def _reader(context: NashraContext, language_code: str | None) -> Reader:
    settings = context.services.settings
    return Reader.of(language_code, settings.locale, settings.digits)


def _kept(context: NashraContext) -> dict[str, str] | None:
    """The long queries this chat's paging buttons point to by key (in the chat's data)."""
    if context.chat_data is None:
        return None
    kept: dict[str, str] = context.chat_data.setdefault("searches", {})
    return kept


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

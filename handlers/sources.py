"""The operators' sources in a private chat: /addfeed, /feeds and each feed's card.

Every command and button goes through `admin_only` / `admin_button` (handlers/admin.py):
anyone else is refused, and the attempt logged. The source service
(context.services.sources) does the work; sources_views lays out the answers.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InputFile,
    LinkPreviewOptions,
    Update,
)
from telegram.error import BadRequest

from bot import opml
from bot.context import NashraContext
from bot.errors import refuses_picture
from bot.news.formatter import Post, link_preview
from bot.sources import INTERVALS, AddResult, FeedLine
from bot.text.html import escape
from bot.text.messages import plural, text
from handlers import keyboards, sources_views
from handlers.admin import Operator, admin_button, admin_only, edit_in_place

FEEDS_PAGE = 5  # feeds a page of /feeds
# The buttons of /feeds and of a feed's card: "fd:<action>:<feed id>[:<value>]".
PAGE_DATA = re.compile(r"^fd:p:([0-9]{1,9})$", re.ASCII)
SCREEN_DATA = re.compile(r"^fd:(o|cats|int|rm):([0-9]{1,9})$", re.ASCII)
CHANGE_DATA = re.compile(
    r"^fd:(?:(pause|resume):([0-9]{1,9})|(cat|iv):([0-9]{1,9}):([0-9]{1,9}))$", re.ASCII
)
REMOVE_DATA = re.compile(r"^fd:rmy:([0-9]{1,9})$", re.ASCII)
POLL_DATA = re.compile(r"^fd:(poll|retry):([0-9]{1,9})$", re.ASCII)
# One of the feeds a page offered: "dsc:<token>:<n>"; the URLs wait in the chat's data.
CHOICE_DATA = re.compile(r"^dsc:([0-9a-f]{8}):([0-9]{1,2})$", re.ASCII)
_CHOICES = "addfeed_choices"
KEPT_CHOICES = 10  # pages' offers remembered per chat, the oldest forgotten first


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None  # admin_only / admin_button: a private chat
    return update.effective_chat.id


async def send_post(bot: Bot, chat_id: int, post: Post) -> None:
    """The post exactly as a channel gets it (a refused picture gives the text, as sent)."""
    if post.photo:
        try:
            await bot.send_photo(
                chat_id, post.photo, caption=post.caption, reply_markup=keyboards.post_markup(post)
            )
            return
        except BadRequest as error:
            if not refuses_picture(error.message):
                raise
            post = post.as_text()
    await bot.send_message(
        chat_id,
        post.text,
        reply_markup=keyboards.post_markup(post),
        link_preview_options=LinkPreviewOptions(**link_preview(post)),  # type: ignore[arg-type]
    )


async def _send_result(
    update: Update, context: NashraContext, operator: Operator, result: AddResult
) -> None:
    """Tell what /addfeed did: the feed and its newest post, the feeds to choose from, or
    why nothing was added."""
    chat_id = _chat_id(update)
    bot = context.bot
    if result.added:
        await bot.send_message(chat_id, sources_views.added(result, operator.lang))
        if result.post is not None:
            await send_post(bot, chat_id, result.post)
    elif result.candidates:
        token = _keep(context, [c.url for c in result.candidates], result.category_ids)
        message, markup = sources_views.choices(result, token, operator.lang)
        await bot.send_message(chat_id, message, reply_markup=markup)
    else:
        known = [name for _, name in await context.services.sources.categories()]
        await bot.send_message(chat_id, sources_views.problem(result, known, operator.lang))


def _keep(context: NashraContext, urls: list[str], category_ids: list[int]) -> str:
    """Remember a page's feeds in the chat's data, under a short token for the buttons."""
    token = secrets.token_hex(4)
    if context.chat_data is None:
        return token
    kept: dict[str, Any] = context.chat_data.setdefault(_CHOICES, {})
    kept[token] = (urls, category_ids)
    while len(kept) > KEPT_CHOICES:
        del kept[next(iter(kept))]
    return token


@admin_only("addfeed")
async def addfeed_command(update: Update, context: NashraContext, operator: Operator) -> None:
    """/addfeed URL [categories…]: check the feed (or find it on the page) and add it."""
    args = context.args or []
    if not args:
        await context.bot.send_message(_chat_id(update), text("addfeed_usage", operator.lang))
        return
    await context.bot.send_chat_action(_chat_id(update), "typing")
    result = await context.services.sources.add(operator.person, args[0], args[1:])
    await _send_result(update, context, operator, result)


@admin_button("discovery")
async def on_choice(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """One of the feeds a page offered: added like /addfeed adds it."""
    match = CHOICE_DATA.match(query.data or "")
    assert match is not None  # the handler's pattern
    kept = (context.chat_data or {}).get(_CHOICES, {}).get(match[1])
    if kept is None or int(match[2]) >= len(kept[0]):
        await query.answer(text("button_stale", operator.lang))
        return
    await query.answer()
    urls, category_ids = kept
    result = await context.services.sources.add_candidate(
        operator.person, urls[int(match[2])], category_ids
    )
    await _send_result(update, context, operator, result)


@admin_only("feeds")
async def feeds_command(update: Update, context: NashraContext, operator: Operator) -> None:
    """/feeds: every feed with its state, paged, a button each to open its card."""
    page = await context.services.sources.page(0, FEEDS_PAGE)
    message, markup = sources_views.feeds(page, context.services.settings, operator.lang)
    await context.bot.send_message(_chat_id(update), message, reply_markup=markup)


@admin_button("feeds")
async def on_feeds_page(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """«التالي» / «السابق» of /feeds (and a card's «المصادر»): that page, in place."""
    match = PAGE_DATA.match(query.data or "")
    assert match is not None  # the handler's pattern
    await query.answer()
    page = await context.services.sources.page(int(match[1]), FEEDS_PAGE)
    await edit_in_place(query, *sources_views.feeds(page, context.services.settings, operator.lang))


@admin_button("feeds")
async def on_feed_screen(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """A feed's card, its category toggles, its intervals or the removal's confirmation."""
    match = SCREEN_DATA.match(query.data or "")
    assert match is not None  # the handler's pattern
    line = await context.services.sources.line(int(match[2]))
    await _show(query, context, operator, match[1], line)


async def _show(
    query: CallbackQuery,
    context: NashraContext,
    operator: Operator,
    screen: str,
    line: FeedLine | None,
    toast: str = "",
) -> None:
    """Answer the press and show the feed's screen (a toast instead, when it is gone)."""
    lang, settings = operator.lang, context.services.settings
    if line is None:
        await query.answer(text("feed_gone", lang))
        return
    await query.answer(toast)
    if screen in ("cats", "cat"):
        every = await context.services.sources.categories()
        await edit_in_place(query, *sources_views.categories(line, every, lang))
    elif screen == "int":
        await edit_in_place(query, *sources_views.intervals(line, settings, lang))
    elif screen == "rm":
        await edit_in_place(query, *sources_views.remove_confirmation(line, lang))
    else:
        await edit_in_place(query, *sources_views.card(line, settings, lang))


@admin_button("feeds")
async def on_feed_change(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """Pause, resume, a category toggled or an interval chosen: saved, the screen again."""
    match = CHANGE_DATA.match(query.data or "")
    assert match is not None  # the handler's pattern
    action, feed_id = match[1] or match[3], int(match[2] or match[4])
    value = int(match[5]) if match[5] is not None else 0
    sources, person, lang = context.services.sources, operator.person, operator.lang
    if action == "iv" and (value or None) not in INTERVALS:
        await query.answer(text("button_stale", lang))  # forged: not one of the presets
        return
    changes = {
        "pause": (lambda: sources.pause(person, feed_id), "feed_paused_toast"),
        "resume": (lambda: sources.resume(person, feed_id), "feed_resumed_toast"),
        "cat": (lambda: sources.toggle_category(person, feed_id, value), "feed_saved_toast"),
        "iv": (lambda: sources.set_interval(person, feed_id, value or None), "feed_saved_toast"),
    }
    change, toast = changes[action]
    await _show(query, context, operator, action, await change(), text(toast, lang))


@admin_button("feeds")
async def on_feed_remove(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """«نعم، احذفه»: the feed and its articles deleted (audited)."""
    match = REMOVE_DATA.match(query.data or "")
    assert match is not None  # the handler's pattern
    line = await context.services.sources.remove(operator.person, int(match[1]))
    if line is None:
        await query.answer(text("feed_gone", operator.lang))
        return
    await query.answer()
    await edit_in_place(query, sources_views.removed(line, operator.lang), None)


@admin_button("feeds")
async def on_feed_poll(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """«حدّث الآن», or a disabled feed's «إعادة المحاولة» (enabled first): the outcome told."""
    match = POLL_DATA.match(query.data or "")
    assert match is not None  # the handler's pattern
    action, feed_id = match[1], int(match[2])
    sources, settings, lang = context.services.sources, context.services.settings, operator.lang
    await query.answer()  # a poll takes a while: the button's spinner stops now
    if action == "poll":
        report = await sources.poll_now(feed_id)
    else:
        report = await sources.retry(operator.person, feed_id)
    if report is None:
        await context.bot.send_message(_chat_id(update), text("feed_gone", lang))
        return
    message = sources_views.polled(report, settings, lang, enabled=action == "retry")
    await context.bot.send_message(_chat_id(update), message)
    if action == "poll":
        await edit_in_place(query, *sources_views.card(report.feed, settings, lang))


PROGRESS_EVERY = 10  # an import's progress message is edited every so many feeds…
PROGRESS_SECONDS = 3.0  # …or when this long has passed since the last edit


@admin_only("import")
async def opml_document(update: Update, context: NashraContext, operator: Operator) -> None:
    """An OPML file sent in the private chat: its feeds imported, with a report."""
    message = update.effective_message
    document = message.document if message else None
    if document is None:
        return
    lang, chat_id = operator.lang, _chat_id(update)
    if document.file_size is not None and document.file_size > opml.MAX_BYTES:
        limit = f"{opml.MAX_BYTES:,}"
        await context.bot.send_message(chat_id, text("opml_too_large", lang, limit=limit))
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    progress = await context.bot.send_message(chat_id, text("opml_reading", lang))
    shown = _Progress(progress.message_id, chat_id, context, lang)
    try:
        report = await context.services.sources.import_opml(operator.person, data, shown.update)
    except opml.OpmlError as exc:
        detail = escape(str(exc))
        await shown.finish(text("opml_unreadable", lang, detail=detail))
        return
    if not report.total:
        await shown.finish(text("opml_empty", lang))
        return
    await shown.finish(sources_views.import_report(report, lang))


class _Progress:
    """The one message that shows an import's progress, edited now and then, then the report."""

    def __init__(self, message_id: int, chat_id: int, context: NashraContext, lang: str | None):
        self.message_id, self.chat_id, self.context, self.lang = message_id, chat_id, context, lang
        self.shown = 0
        self.at = time.monotonic()
        self.lock = asyncio.Lock()

    async def update(self, done: int, total: int) -> None:
        async with self.lock:
            due = (
                done - self.shown >= PROGRESS_EVERY
                or time.monotonic() - self.at >= PROGRESS_SECONDS
            )
            if done <= self.shown or done == total or not due:
                return
            self.shown, self.at = done, time.monotonic()
            await self.edit_in_place(sources_views.import_progress(done, total, self.lang))

    async def finish(self, message: str) -> None:
        async with self.lock:
            await self.edit_in_place(message)

    async def edit_in_place(self, message: str) -> None:
        try:
            await self.context.bot.edit_message_text(message, self.chat_id, self.message_id)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise


@admin_only("export")
async def export_command(update: Update, context: NashraContext, operator: Operator) -> None:
    """/export: every feed as an OPML file, in folders by category."""
    lang, chat_id = operator.lang, _chat_id(update)
    data, count = await context.services.sources.export_opml(text("export_title", lang))
    if not count:
        await context.bot.send_message(chat_id, text("export_none", lang))
        return
    caption = text("export_caption", lang, count=plural("feeds", count, lang))
    await context.bot.send_document(
        chat_id, InputFile(data, filename="nashra-feeds.opml"), caption=caption
    )

"""The operators' console, operations: /broadcast (with its «إرسال» / «إلغاء» buttons),
/stats and /preview. Every command and button goes through `admin_only` / `admin_button`."""

from __future__ import annotations

import re

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)

from bot.broadcasts import MAX_CHARS, TooLong
from bot.context import NashraContext
from bot.text.messages import directed, language_of, number, plural, text
from handlers import sources_views, stats_views
from handlers.admin import Operator, admin_button, admin_only
from handlers.sources import send_post

BROADCAST_DATA = re.compile(r"^bc:(send|cancel):([0-9]{1,9})$", re.ASCII)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # as the sender sends a broadcast
# /preview URL [N]: how many of the newest entries, if not said, and at most.
PREVIEW_DEFAULT, PREVIEW_MOST = 3, 5


def _rest_html(update: Update) -> str:
    """What follows the command, as Telegram HTML with the author's formatting and lines."""
    message = update.effective_message
    if message is None or not message.text:
        return ""
    parts = message.text_html.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


@admin_only("broadcast")
async def broadcast_command(update: Update, context: NashraContext, operator: Operator) -> None:
    """/broadcast text: the message as readers will see it, then «إرسال» / «إلغاء»."""
    message = update.effective_message
    html = _rest_html(update)
    if message is None:
        return
    if not html.strip():
        await message.reply_text(text("broadcast_usage", operator.lang))
        return
    draft = await context.services.broadcasts.draft(operator.person, html)
    lang = operator.lang
    if isinstance(draft, TooLong):
        too_long = text("broadcast_too_long", lang, length=number(draft.length, language_of(lang)),
                        limit=number(MAX_CHARS, language_of(lang)))  # fmt: skip
        await message.reply_text(too_long)
        return
    await message.reply_text(draft.html, link_preview_options=NO_PREVIEW)
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton(text(f"broadcast_{action}_button", lang),
                             callback_data=f"bc:{action}:{draft.id}")
        for action in ("send", "cancel")
    ]])  # fmt: skip
    readers = plural("readers", draft.readers, lang)
    await message.reply_text(text("broadcast_confirm", lang, readers=readers), reply_markup=buttons)


@admin_button("broadcast")
async def on_broadcast(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """«إرسال»: into the outbox for every active reader; «إلغاء»: the draft is dropped."""
    match = BROADCAST_DATA.match(query.data or "")
    assert match is not None  # the handler's pattern
    action, broadcast_id = match[1], int(match[2])
    service = context.services.broadcasts
    lang = operator.lang
    if action == "send":
        planned = await service.send(operator.person, broadcast_id)
        done = (
            None
            if planned is None
            else text("broadcast_queued", lang, readers=plural("readers", planned, lang))
        )
    else:
        cancelled = await service.cancel(operator.person, broadcast_id)
        done = text("broadcast_cancelled", lang) if cancelled else None
    if done is None:
        await query.answer(text("broadcast_gone", lang))
        return
    await query.answer()
    await query.edit_message_text(directed(done, lang))


def _preview_limit(args: list[str]) -> int | None:
    """/preview's count: PREVIEW_DEFAULT unless given; None when the arguments are wrong."""
    if len(args) == 1:
        return PREVIEW_DEFAULT
    if len(args) == 2 and args[1].isascii() and args[1].isdigit():
        return int(args[1]) if 1 <= int(args[1]) <= PREVIEW_MOST else None
    return None


def _preview_usage(language_code: str | None) -> str:
    language = language_of(language_code)
    return text(
        "preview_usage",
        language_code,
        low=number(1, language),
        high=number(PREVIEW_MOST, language),
        default=number(PREVIEW_DEFAULT, language),
    )


@admin_only("preview")
async def preview_command(update: Update, context: NashraContext, operator: Operator) -> None:
    """/preview URL [N]: the feed's newest entries exactly as they would be posted, and where."""
    message, lang = update.effective_message, operator.lang
    limit = _preview_limit(context.args or [])
    if message is None:
        return
    if limit is None:
        await message.reply_text(_preview_usage(lang))
        return
    await message.reply_chat_action("typing")
    result = await context.services.sources.preview((context.args or [""])[0], limit)
    if result.problem is not None:
        answer = sources_views.problem(result, [], lang, lead="preview_lead")
        await message.reply_text(answer, link_preview_options=NO_PREVIEW)
        return
    await message.reply_text(sources_views.preview(result, lang), link_preview_options=NO_PREVIEW)
    for item in result.shown.items if result.shown else []:
        await send_post(context.bot, message.chat_id, item.post)


@admin_only("stats")
async def stats_command(update: Update, context: NashraContext, operator: Operator) -> None:
    """/stats: readers, articles, deliveries, failing feeds, broadcasts; then the chart."""
    message, services = update.effective_message, context.services
    if message is None:
        return
    report = await services.stats.report()
    answer = stats_views.report(report, services.settings, operator.lang)
    await message.reply_text(answer, link_preview_options=NO_PREVIEW)
    if not report.charted or not services.stats.can_draw():
        return  # nothing stored in the chart's days, or no matplotlib: the text says it all
    await message.reply_chat_action("upload_photo")
    chart = stats_views.chart(report, services.settings, operator.lang)
    picture = await services.stats.picture(chart)
    if picture is not None:
        caption = stats_views.caption(report, services.settings, operator.lang)
        await message.reply_photo(picture, caption=caption)

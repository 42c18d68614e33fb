"""Channels and groups in the operators' console: /addchannel, /channels and their buttons,
and the bot's own membership in a chat (my_chat_member).

Every command and button goes through `admin_only` / `admin_button` (handlers/admin.py).
"""

from __future__ import annotations

import re

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.channels import LANGUAGES, AddResult, BindingSettings, ChatFacts, ChatRef, kind_of
from bot.context import NashraContext
from bot.text.messages import text
from handlers import admin_views, channel_views, readers
from handlers.admin import (
    Operator,
    admin_button,
    admin_in_group,
    admin_only,
    edit_in_place,
)

_CHAT = r"-?[0-9]{1,19}"
_BINDING = rf"{_CHAT}:[0-9]{{1,9}}"
BUTTON_DATA = re.compile(
    rf"^ch:(?:l:[0-9]{{1,6}}|[edrxs]:{_CHAT}|[tb]:{_BINDING}|n:{_BINDING}:[0-9]{{1,4}}"
    rf"|g:{_BINDING}:(?:{'|'.join(LANGUAGES)}))$",
    re.ASCII,
)


async def _reply(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(message, reply_markup=markup)


@admin_only("addchannel")
async def addchannel(update: Update, context: NashraContext, operator: Operator) -> None:
    """/addchannel @channel categories…: check the bot may post there, then bind it."""
    args = context.args or []
    lang = operator.lang
    if not args:
        await _reply(update, channel_views.usage(lang))
        return
    result = await context.services.channels.add(operator.person, args[0], args[1:])
    await _answer(update, context, result, args[0], lang)


async def _answer(
    update: Update, context: NashraContext, result: AddResult, reference: str, lang: str | None
) -> None:
    categories = await context.services.channels.categories()
    if result.unknown:
        await _reply(update, channel_views.unknown(result.unknown, categories, lang))
    elif result.problem is not None:
        bot = context.bot.username
        await _reply(
            update, channel_views.problem(result.problem, result.detail, reference, bot, lang)
        )
    else:
        await _reply(update, *channel_views.added(result, categories, lang))


@admin_in_group("addchannel")
async def addchannel_here(update: Update, context: NashraContext, operator: Operator) -> None:
    """/addchannel categories… in a group: bind this group (in a forum, this topic)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    lang = operator.lang
    if not context.args:
        await _reply(update, channel_views.usage_here(lang))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    channels = context.services.channels
    result = await channels.add(operator.person, ChatRef(chat.id, thread), context.args)
    await _answer(update, context, result, str(chat.id), lang)


@admin_only("channels")
async def channels_command(update: Update, context: NashraContext, operator: Operator) -> None:
    """/channels: every channel and group, its categories, posts and latest error."""
    cards = await context.services.channels.overview()
    await _reply(update, *channel_views.overview(cards, 0, operator.lang))


@admin_button("channels")
async def on_button(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """The buttons of /channels, of /addchannel and of the joined-chat notice."""
    assert BUTTON_DATA.match(query.data or "")  # the handler's pattern
    action, *values = (query.data or "").split(":")[1:]
    language = values.pop() if action == "g" else None
    numbers = [int(value) for value in values]
    if any(not -(2**63) <= n < 2**63 for n in numbers):  # forged: past a BIGINT
        await query.answer(text("button_stale", operator.lang))
        return
    if action == "l":
        await query.answer()
        cards = await context.services.channels.overview()
        await edit_in_place(query, *channel_views.overview(cards, numbers[0], operator.lang))
    elif action == "t":
        await _toggle(context, operator, query, numbers[0], numbers[1])
    elif action in ("b", "n", "g"):
        await _on_binding(context, operator, query, action, numbers, language)
    else:
        await _on_chat(context, operator, query, action, numbers[0])


async def _on_chat(
    context: NashraContext, operator: Operator, query: CallbackQuery, action: str, chat_id: int
) -> None:
    """A chat's button: its categories (e), done (d), remove? (r), removed (x)."""
    channels = context.services.channels
    lang = operator.lang
    card = await channels.card(chat_id)
    if card is None and action != "d":
        await query.answer(text("channel_gone", lang))
        return
    await query.answer()
    if action == "e" and card is not None:
        categories = await channels.categories()
        markup = channel_views.picker(chat_id, categories, card.bindings, lang, back=True)
        await edit_in_place(query, channel_views.choose(card, lang), markup)
    elif action == "d" and card is None:  # nothing was chosen for a chat the bot only joined
        await edit_in_place(query, text("channel_nothing_chosen", lang), None)
    elif action == "d" and card is not None:
        await edit_in_place(query, channel_views.done(card, lang), None)
    elif action == "r" and card is not None:
        await edit_in_place(query, *channel_views.remove_ask(card, lang))
    elif action == "s" and card is not None:
        await edit_in_place(query, *channel_views.settings_menu(card, lang))
    elif action == "x" and (gone := await channels.remove(operator.person, chat_id)):
        await edit_in_place(query, channel_views.removed(gone, lang), None)


async def _toggle(
    context: NashraContext, operator: Operator, query: CallbackQuery, chat_id: int, category: int
) -> None:
    channels = context.services.channels
    lang = operator.lang
    result = await channels.toggle(operator.person, chat_id, category)
    if result.problem is not None:
        await query.answer(text("channel_cannot_bind", lang), show_alert=True)
        return
    if result.category is None:
        await query.answer(text("category_gone", lang))
    else:
        key = "channel_bound" if result.bound else "channel_unbound"
        await query.answer(text(key, lang, name=result.category))
    if result.card is not None:
        categories = await channels.categories()
        markup = channel_views.picker(chat_id, categories, result.card.bindings, lang, back=True)
        await edit_in_place(query, channel_views.choose(result.card, lang), markup)


async def _on_binding(
    context: NashraContext,
    operator: Operator,
    query: CallbackQuery,
    action: str,
    numbers: list[int],
    language: str | None,
) -> None:
    """A binding's button: its settings (b), a summary length (n, 0 the bot's), a language
    on or off (g)."""
    channels = context.services.channels
    lang = operator.lang
    chat_id, category = numbers[0], numbers[1]
    found: BindingSettings | None
    if action == "n":
        chars = numbers[2] or None
        found = await channels.set_length(operator.person, chat_id, category, chars)
    elif action == "g" and language is not None:
        found = await channels.toggle_language(operator.person, chat_id, category, language)
    else:
        found = await channels.binding(chat_id, category)
    if found is None:
        stale = action == "n" and await channels.binding(chat_id, category) is not None
        await query.answer(text("button_stale" if stale else "channel_binding_gone", lang))
        return
    await query.answer(channel_views.binding_toast(found, action, language, lang))
    await edit_in_place(query, *channel_views.binding_screen(found, lang))


async def membership(update: Update, context: NashraContext) -> None:
    """The bot's membership changed: a reader's (blocked) or a channel's (told to operators)."""
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type == ChatType.PRIVATE:
        await readers.membership(update, context)
        return
    chat = change.chat
    facts = ChatFacts(chat.id, kind_of(chat.type), chat.title, chat.username, bool(chat.is_forum))
    channels = context.services.channels
    news = await channels.membership(facts, change.old_chat_member, change.new_chat_member)
    message, markup = channel_views.membership_notice(news, await channels.categories())
    by = admin_views.person_of(change.from_user)
    message += "\n" + text("channel_by", by=by.name or by.user_id)
    await context.services.notices.membership(chat.id, by.user_id, message, markup)

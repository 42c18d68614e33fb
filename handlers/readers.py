"""The reader's conversation in a private chat: categories, keywords, delivery, stop."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest

from bot import readers
from bot.readers import MAX_KEYWORD_LENGTH, MAX_KEYWORDS, KeywordProblem, KeywordResult
from bot.services import NashraContext
from handlers import keyboards
from handlers.texts import clock, language_of, number, plural, text


def _lang(update: Update) -> str | None:
    return update.effective_user.language_code if update.effective_user else None


async def _reply(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(message, reply_markup=markup)


PrivateHandler = Callable[[Update, NashraContext, int], Coroutine[Any, Any, None]]


def private_only(
    handler: PrivateHandler,
) -> Callable[[Update, NashraContext], Coroutine[Any, Any, None]]:
    """Run the reader's command in a private chat (given its id); elsewhere, say so."""

    @functools.wraps(handler)
    async def in_private(update: Update, context: NashraContext) -> None:
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            await _reply(update, text("private_only", _lang(update)))
            return
        await handler(update, context, chat.id)

    return in_private


async def _enrol(
    context: NashraContext, update: Update, chat_id: int, *, resume: bool = False
) -> tuple[readers.ReaderView, bool]:
    """Enrol the reader if new; return what they follow, and whether they came back."""
    user = update.effective_user
    async with context.services.sessions.begin() as session:
        _, returning = await readers.enrol(
            session,
            chat_id,
            name=user.full_name if user else None,
            language=_lang(update),
            resume=resume,
        )
        view = await readers.view(session, chat_id)
    assert view is not None
    return view, returning


async def _view(context: NashraContext, update: Update, chat_id: int) -> readers.ReaderView:
    return (await _enrol(context, update, chat_id))[0]


@private_only
async def start(update: Update, context: NashraContext, chat_id: int) -> None:
    """Enrol the reader (or welcome them back) and show the category picker."""
    view, returning = await _enrol(context, update, chat_id, resume=True)
    greeting = text("welcome_back" if returning else "welcome", _lang(update))
    if not view.categories:
        greeting += "\n\n" + text("no_categories", _lang(update))
    await _reply(update, greeting, keyboards.picker(view, _lang(update)))


@private_only
async def categories(update: Update, context: NashraContext, chat_id: int) -> None:
    """Show the category picker (/categories, /subscribe)."""
    view = await _view(context, update, chat_id)
    message = text("picker" if view.categories else "no_categories", _lang(update))
    await _reply(update, message, keyboards.picker(view, _lang(update)))


@private_only
async def mysubs(update: Update, context: NashraContext, chat_id: int) -> None:
    """Show what the reader follows, their delivery mode and quiet hours, with buttons."""
    view = await _view(context, update, chat_id)
    lang = _lang(update)
    await _reply(update, keyboards.summary(view, lang), keyboards.settings(view, lang))


def _pressed(update: Update) -> tuple[CallbackQuery, int, str]:
    """The pressed button's query, its chat and its data."""
    query = update.callback_query
    if query is None or query.message is None or query.data is None:
        raise ValueError("a button handler got an update without a pressed button")
    return query, query.message.chat.id, query.data


async def _edit(update: Update, message: str | None, markup: InlineKeyboardMarkup) -> None:
    """Edit the pressed message in place; an unchanged message is not an error."""
    query = update.callback_query
    assert query is not None
    try:
        if message is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(message, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def on_category(update: Update, context: NashraContext) -> None:
    """A category button: toggle it and redraw the picker in the same message."""
    query, chat_id, data = _pressed(update)
    category_id = int(data.split(":")[1])
    lang = query.from_user.language_code
    async with context.services.sessions.begin() as session:
        following = await readers.toggle_category(session, chat_id, category_id)
    view = await _view(context, update, chat_id)
    name = next((c.name for c in view.categories if c.id == category_id), "")
    if following is None:
        await query.answer(text("category_gone", lang))
    else:
        await query.answer(text("followed" if following else "unfollowed", lang, name=name))
    await _edit(update, None, keyboards.picker(view, lang))


async def on_screen(update: Update, context: NashraContext) -> None:
    """Switch the message between the picker ("cats") and the settings ("subs", "done")."""
    query, chat_id, data = _pressed(update)
    view = await _view(context, update, chat_id)
    lang = query.from_user.language_code
    await query.answer()
    if data == "cats":
        await _edit(update, text("picker", lang), keyboards.picker(view, lang))
    else:
        await _edit(update, keyboards.summary(view, lang), keyboards.settings(view, lang))


async def on_setting(update: Update, context: NashraContext) -> None:
    """A settings button (mode, digest hour, quiet hours): save it and redraw the settings."""
    query, chat_id, data = _pressed(update)
    action, _, value = data.partition(":")
    now = datetime.now(UTC)
    await _view(context, update, chat_id)
    async with context.services.sessions.begin() as session:
        await readers.apply_setting(session, chat_id, action, value, now)
    await query.answer()
    view = await _view(context, update, chat_id)
    lang = query.from_user.language_code
    await _edit(update, keyboards.summary(view, lang), keyboards.settings(view, lang))


@private_only
async def quiet(update: Update, context: NashraContext, chat_id: int) -> None:
    """/quiet 00:00-07:00 or /quiet off."""
    lang = _lang(update)
    argument = " ".join(context.args or [])
    off = argument.strip().lower() in {"off", "إيقاف", "الغاء", "إلغاء", "لا"}
    window = None if off else readers.parse_quiet(argument)
    if window is None and not off:
        await _reply(update, text("quiet_usage", lang))
        return
    await _view(context, update, chat_id)
    async with context.services.sessions.begin() as session:
        await readers.set_quiet(session, chat_id, window)
    language = language_of(lang)
    if window is None:
        shown = text("quiet_off", lang)
    else:
        start, end = clock(window[0], language), clock(window[1], language)
        shown = text("quiet_range", lang, start=start, end=end)
    await _reply(update, text("quiet_set", lang, quiet=shown))


def _keyword_reply(
    result: KeywordResult, command: str, success: str, lang: str | None, *, mute: bool
) -> str:
    # What the reader typed goes back into an HTML message: escaped.
    result = KeywordResult(html.escape(result.word), result.problem)
    problem = result.problem
    if problem is None:
        return text(success, lang, word=result.word)
    if problem is KeywordProblem.EMPTY:
        return text("keyword_usage", lang, command=command)
    if problem is KeywordProblem.NO_LETTERS:
        return text("keyword_no_letters", lang, word=result.word, command=command)
    if problem is KeywordProblem.TOO_MANY:
        return text("keyword_too_many", lang, count=plural("keywords", MAX_KEYWORDS, lang))
    if problem is KeywordProblem.ALREADY:
        return text("keyword_muted_already" if mute else "keyword_already", lang, word=result.word)
    if problem is KeywordProblem.TOO_LONG:
        return text("keyword_too_long", lang, limit=number(MAX_KEYWORD_LENGTH, language_of(lang)))
    return text(f"keyword_{problem.value}", lang, word=result.word)


# command → (add or remove, mute or alert, the reply on success)
KEYWORD_COMMANDS = {
    "follow": (True, False, "follow_ok"),
    "unfollow": (False, False, "unfollow_ok"),
    "mute": (True, True, "mute_ok"),
    "unmute": (False, True, "unmute_ok"),
}


@private_only
async def keyword(update: Update, context: NashraContext, chat_id: int) -> None:
    """/follow, /unfollow, /mute, /unmute word: change the reader's keyword alerts and mutes."""
    message = update.effective_message
    first = (message.text or "").split(maxsplit=1)[0] if message else "/follow"
    command = first.lstrip("/").split("@")[0].lower()
    add, mute, success = KEYWORD_COMMANDS[command]
    await _view(context, update, chat_id)
    word = " ".join(context.args or [])
    async with context.services.sessions.begin() as session:
        change = readers.add_keyword if add else readers.remove_keyword
        result = await change(session, chat_id, word, mute=mute)
    reply = _keyword_reply(result, f"/{command}", success, _lang(update), mute=mute)
    await _reply(update, reply)


@private_only
async def stop(update: Update, context: NashraContext, chat_id: int) -> None:
    """/stop: ask for confirmation before stopping everything."""
    lang = _lang(update)
    await _reply(update, text("stop_confirm", lang), keyboards.stop_confirmation(lang))


async def on_stop(update: Update, context: NashraContext) -> None:
    """The /stop confirmation buttons."""
    query, chat_id, data = _pressed(update)
    confirmed = data == "stop:yes"
    if confirmed:
        async with context.services.sessions.begin() as session:
            await readers.stop(session, chat_id)
    await query.answer()
    lang = query.from_user.language_code
    await query.edit_message_text(text("stopped" if confirmed else "stop_cancelled", lang))


async def help_command(update: Update, context: NashraContext) -> None:
    """List every command, one line each."""
    await _reply(update, text("help", _lang(update)))


async def unknown_command(update: Update, context: NashraContext) -> None:
    """A command the bot does not have."""
    await _reply(update, text("unknown_command", _lang(update)))


async def not_a_command(update: Update, context: NashraContext) -> None:
    """Plain text in the private chat: say what the bot understands."""
    await _reply(update, text("not_text", _lang(update)))


async def membership(update: Update, context: NashraContext) -> None:
    """The reader blocked or unblocked the bot (my_chat_member in a private chat)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    status = change.new_chat_member.status
    async with context.services.sessions.begin() as session:
        if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            await readers.blocked(session, change.chat.id)
        elif status == ChatMemberStatus.MEMBER:
            await readers.unblocked(session, change.chat.id)

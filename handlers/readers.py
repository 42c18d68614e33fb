"""The reader's conversation in a private chat: categories, keywords, delivery, stop."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest

from bot import readers
from bot.context import NashraContext
from bot.readers import MAX_KEYWORD_LENGTH, MAX_KEYWORDS, KeywordProblem, KeywordResult
from bot.text.messages import clock, language_of, number, plural, text
from handlers import admin_views, keyboards

# The deep link of the inline "no results" button (t.me/<bot>?start=search).
SEARCH_START = "search"


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
    if context.args == [SEARCH_START]:
        # Came from an inline query that found nothing: how searching works, too.
        greeting += "\n\n" + text("search_usage", _lang(update), bot=context.bot.username)
    await _reply(update, greeting, keyboards.picker(view, _lang(update)))
    await _admin_menu(update, context)  # an admin added before they wrote: their menu now


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


@dataclass(frozen=True)
class Press:
    """A button pressed in a reader's private chat."""

    query: CallbackQuery
    chat_id: int
    data: str

    @property
    def lang(self) -> str | None:
        return self.query.from_user.language_code


ButtonHandler = Callable[[Update, NashraContext, Press], Coroutine[Any, Any, None]]


def button(
    handler: ButtonHandler,
) -> Callable[[Update, NashraContext], Coroutine[Any, Any, None]]:
    """Run the button's handler on a press in a private chat; answer any other as stale."""

    @functools.wraps(handler)
    async def pressed(update: Update, context: NashraContext) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message
        if message is None or query.data is None or message.chat.type != ChatType.PRIVATE:
            await query.answer(text("button_stale", query.from_user.language_code))
            return
        await handler(update, context, Press(query, message.chat.id, query.data))

    return pressed


async def _edit(update: Update, message: str | None, markup: InlineKeyboardMarkup | None) -> None:
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


@button
async def on_category(update: Update, context: NashraContext, press: Press) -> None:
    """A category button: toggle it and redraw the picker in the same message."""
    category_id = int(press.data.split(":")[1])
    await _view(context, update, press.chat_id)
    async with context.services.sessions.begin() as session:
        following = await readers.toggle_category(session, press.chat_id, category_id)
    view = await _view(context, update, press.chat_id)
    name = next((c.name for c in view.categories if c.id == category_id), "")
    if following is None:
        await press.query.answer(text("category_gone", press.lang))
    else:
        toast = text("followed" if following else "unfollowed", press.lang, name=name)
        await press.query.answer(toast)
    await _edit(update, None, keyboards.picker(view, press.lang))


@button
async def on_screen(update: Update, context: NashraContext, press: Press) -> None:
    """Switch the message between the picker ("cats") and the settings ("subs", "done")."""
    view = await _view(context, update, press.chat_id)
    lang = press.lang
    await press.query.answer()
    if press.data == "cats":
        await _edit(update, text("picker", lang), keyboards.picker(view, lang))
    else:
        await _edit(update, keyboards.summary(view, lang), keyboards.settings(view, lang))


@button
async def on_setting(update: Update, context: NashraContext, press: Press) -> None:
    """A settings button (mode, digest hour, quiet hours): save it and redraw the settings."""
    action, _, value = press.data.partition(":")
    await _view(context, update, press.chat_id)
    async with context.services.sessions.begin() as session:
        now = datetime.now(UTC)
        applied = await readers.apply_setting(session, press.chat_id, action, value, now)
    if not applied:
        await press.query.answer(text("button_stale", press.lang))
        return
    await press.query.answer()
    view = await _view(context, update, press.chat_id)
    await _edit(update, keyboards.summary(view, press.lang), keyboards.settings(view, press.lang))


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
    if problem is KeywordProblem.TERM_TOO_LONG:
        return text("keyword_term_too_long", lang)
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


@button
async def on_stop(update: Update, context: NashraContext, press: Press) -> None:
    """The /stop confirmation buttons."""
    confirmed = press.data == "stop:yes"
    if confirmed:
        async with context.services.sessions.begin() as session:
            await readers.stop(session, press.chat_id)
    await press.query.answer()
    reply = text("stopped" if confirmed else "stop_cancelled", press.lang)
    await _edit(update, reply, None)


async def stale_button(update: Update, context: NashraContext) -> None:
    """Answer any other button (forged, or from an older keyboard) as out of date."""
    query = update.callback_query
    if query is not None:
        await query.answer(text("button_stale", query.from_user.language_code))


async def _admin_menu(update: Update, context: NashraContext) -> bool:
    """In an admin's private chat: whether they are one, and their admin menu set again
    (Telegram refuses it for a chat until the person has written to the bot)."""
    user, chat = update.effective_user, update.effective_chat
    if not user or not chat or chat.type != ChatType.PRIVATE:
        return False
    admins = context.services.admins
    if not (await admins.role(admin_views.person_of(user))).is_admin:
        return False
    await admins.welcome(user.id)
    return True


async def help_command(update: Update, context: NashraContext) -> None:
    """List every command, one line each; in an admin's private chat, the admin ones too."""
    message = text("help", _lang(update), bot=context.bot.username)
    if await _admin_menu(update, context):
        message += "\n\n" + text("admin_help", _lang(update))
    await _reply(update, message)


async def unknown_command(update: Update, context: NashraContext) -> None:
    """A command the bot does not have."""
    await _reply(update, text("unknown_command", _lang(update)))


async def not_a_command(update: Update, context: NashraContext) -> None:
    """A sticker, photo or anything else that is not text: say what the bot understands."""
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

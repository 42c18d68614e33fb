"""A question the bot asked in a private chat, waiting for the next plain text typed there.

Plain text in a private chat is otherwise a search. A handler that needs a typed answer (a
category's new name, a list of aliases) calls `ask`: the question goes out with a «إلغاء»
button, and the chat's data remember what waits (`Prompt`: its kind, its arguments, when it
was asked). The next plain text typed in that chat within `PROMPT_WAIT` is handed to the
answer registered for that kind, instead of being searched for; an answer may ask again (a
name that is taken). A command, the cancel button, or the wait running out ends the
question; a later text is a search again.

The answers are registered where the handlers are (handlers/__init__.py): each module
offers its own `kind → answer` mapping, and `first(fallback, answers)` builds the one plain
text handler from them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import NashraContext
from bot.text.messages import text

logger = logging.getLogger(__name__)

PROMPT_WAIT = timedelta(minutes=10)
CANCEL_DATA = "ask:cancel"
CANCEL_PATTERN = r"^ask:cancel$"
_KEY = "prompt"


@dataclass(frozen=True)
class Prompt:
    """What the chat's next plain text answers."""

    kind: str  # the registered answer's name, e.g. "ca:rename"
    args: tuple[int, ...]  # e.g. the category's id
    asked_at: datetime
    message_id: int | None = None  # the question, whose «إلغاء» goes once it is answered


# The answer gets the text typed; it returns True when the question is settled, False to
# keep waiting (the text was refused and the question asked again).
Answer = Callable[[Update, NashraContext, Prompt, str], Coroutine[Any, Any, bool]]
Handler = Callable[[Update, NashraContext], Coroutine[Any, Any, None]]


def cancel_markup(language_code: str | None) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(text("prompt_cancel", language_code), callback_data=CANCEL_DATA)
    return InlineKeyboardMarkup([[button]])


async def ask(
    context: NashraContext,
    chat_id: int,
    kind: str,
    args: tuple[int, ...],
    question: str,
    language_code: str | None,
) -> None:
    """Send the question with its «إلغاء» button; the chat's next plain text answers it."""
    sent = await context.bot.send_message(
        chat_id, question, reply_markup=cancel_markup(language_code)
    )
    if context.chat_data is not None:
        await _drop_button(context, chat_id, context.chat_data.get(_KEY))
        context.chat_data[_KEY] = Prompt(kind, args, context.services.now(), sent.message_id)


def pending(context: NashraContext) -> Prompt | None:
    """The question this chat's next plain text answers, if one still waits."""
    prompt = context.chat_data.get(_KEY) if context.chat_data is not None else None
    if not isinstance(prompt, Prompt):
        return None
    if context.services.now() - prompt.asked_at > PROMPT_WAIT:
        return None
    return prompt


def forget(context: NashraContext) -> Prompt | None:
    """End the chat's question (answered, cancelled or replaced); return it."""
    if context.chat_data is None:
        return None
    prompt = context.chat_data.pop(_KEY, None)
    return prompt if isinstance(prompt, Prompt) else None


async def _drop_button(context: NashraContext, chat_id: int, prompt: object) -> None:
    """Take the «إلغاء» button off a question that no longer waits."""
    if not isinstance(prompt, Prompt) or prompt.message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, prompt.message_id, reply_markup=None)
    except BadRequest as exc:  # deleted by the person, or too old to edit
        logger.info("could not take the cancel button off message %s: %s", prompt.message_id, exc)


def first(fallback: Handler, answers: Mapping[str, Answer]) -> Handler:
    """The plain text handler: the answer to the chat's question if one waits, else the
    fallback (a search)."""

    @functools.wraps(fallback)
    async def answer_or_fallback(update: Update, context: NashraContext) -> None:
        prompt = pending(context)
        message, chat = update.effective_message, update.effective_chat
        answer = answers.get(prompt.kind) if prompt is not None else None
        if prompt is None or answer is None or message is None or chat is None:
            forget(context)  # run out, or of a kind no longer known
            await fallback(update, context)
            return
        settled = await answer(update, context, prompt, message.text or "")
        # Unless the answer asked something else meanwhile, the question ends.
        if settled and context.chat_data is not None and context.chat_data.get(_KEY) is prompt:
            forget(context)
            await _drop_button(context, chat.id, prompt)

    return answer_or_fallback


async def on_command(update: Update, context: NashraContext) -> None:
    """Any command ends the chat's question: it is a new request (runs before the command)."""
    prompt = forget(context)
    if prompt is not None and update.effective_chat is not None:
        await _drop_button(context, update.effective_chat.id, prompt)


async def on_cancel(update: Update, context: NashraContext) -> None:
    """«إلغاء»: the question ends, and says so in its own message."""
    query = update.callback_query
    if query is None:
        return
    language_code = query.from_user.language_code
    prompt = pending(context)
    if prompt is not None and query.message is not None:
        # An older question's button does not cancel the one that waits now.
        prompt = forget(context) if prompt.message_id == query.message.message_id else None
    await query.answer(text("prompt_cancelled" if prompt else "prompt_none", language_code))
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise

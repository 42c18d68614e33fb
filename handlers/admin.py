"""The operators' console in a private chat: the admins (/admin) and the audit log (/audit).

Every admin command and button goes through `admin_only`: anyone who is neither an owner
(ADMIN_IDS) nor an admin gets the same short refusal, whatever followed the command, the
attempt is logged with their user id, and nothing else happens. An owner adds an admin by
id, or by forwarding a message the person wrote: `/admin add` and then the forward (which is
also what Telegram sends for a forward with "/admin add" as its comment), or `/admin add` as
a reply to a message forwarded from them.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.admins import Person, Role, parse_user_id
from bot.context import NashraContext
from bot.text.messages import text
from handlers import admin_views, readers
from handlers.prompts import Answer, Prompt

logger = logging.getLogger(__name__)

AUDIT_PAGE = 5  # entries a page of /audit
AUDIT_DATA = re.compile(r"^aud:([0-9]{1,9})$", re.ASCII)
# Every console button's data starts so (after all the console's own patterns, a button of
# this shape that none of them took is an old version's or a forged one).
CONSOLE_DATA = re.compile(r"^(?:fd|ca|ch|bc|dsc|aud):", re.ASCII)
# An owner's "/admin add" waits this long for the forwarded message (in the chat's data).
FORWARD_WAIT = timedelta(minutes=10)
_AWAITING = "admin_add_awaiting"
# What follows /admin, in English or Arabic.
SUBCOMMANDS = {
    "list": "list", "قائمة": "list", "القائمة": "list",
    "add": "add", "أضف": "add", "اضف": "add", "إضافة": "add", "اضافة": "add",
    "remove": "remove", "احذف": "remove", "حذف": "remove", "أزل": "remove", "إزالة": "remove",
}  # fmt: skip


@dataclass(frozen=True)
class Operator:
    """An owner or an admin, in their private chat with the bot."""

    person: Person
    role: Role
    lang: str | None


async def _operator(update: Update, context: NashraContext, what: str) -> Operator | None:
    """The owner or admin behind the update; None (logged) for anyone else."""
    user = update.effective_user
    if user is None:
        return None
    person = admin_views.person_of(user)
    role = await context.services.admins.role(person)
    if not role.is_admin:
        logger.warning("refused %s to user %s: not an admin", what, user.id)
        return None
    return Operator(person, role, user.language_code)


async def _reply(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(message, reply_markup=markup)


OperatorHandler = Callable[[Update, NashraContext, Operator], Coroutine[Any, Any, None]]
Handler = Callable[[Update, NashraContext], Coroutine[Any, Any, None]]


def admin_only(command: str) -> Callable[[OperatorHandler], Handler]:
    """Run the admin command for an owner or admin in private; refuse anyone else."""

    def wrap(handler: OperatorHandler) -> Handler:
        @functools.wraps(handler)
        async def checked(update: Update, context: NashraContext) -> None:
            operator = await _operator(update, context, f"/{command}")
            user = update.effective_user
            if operator is None:
                await _reply(update, text("admin_refused", user.language_code if user else None))
            elif update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
                await _reply(update, text("private_only", operator.lang))
            else:
                await handler(update, context, operator)

        return checked

    return wrap


def admin_in_group(command: str) -> Callable[[OperatorHandler], Handler]:
    """Run the admin command for an owner or admin in a group or supergroup, about that chat
    (as /addchannel typed in a forum's topic); refuse anyone else, as `admin_only` does."""

    def wrap(handler: OperatorHandler) -> Handler:
        @functools.wraps(handler)
        async def checked(update: Update, context: NashraContext) -> None:
            operator = await _operator(update, context, f"/{command} in a group")
            user = update.effective_user
            if operator is None:
                await _reply(update, text("admin_refused", user.language_code if user else None))
            else:
                await handler(update, context, operator)

        return checked

    return wrap


ButtonHandler = Callable[
    [Update, NashraContext, Operator, CallbackQuery], Coroutine[Any, Any, None]
]


def admin_button(name: str) -> Callable[[ButtonHandler], Handler]:
    """Run the admin button's handler for an owner or admin; refuse anyone else's press."""

    def wrap(handler: ButtonHandler) -> Handler:
        @functools.wraps(handler)
        async def pressed(update: Update, context: NashraContext) -> None:
            query = update.callback_query
            if query is None:
                return
            operator = await _operator(update, context, f"the {name} button")
            if operator is None:
                await query.answer(text("admin_refused", query.from_user.language_code))
            elif query.message is None or query.message.chat.type != ChatType.PRIVATE:
                await query.answer(text("button_stale", operator.lang))
            else:
                await handler(update, context, operator, query)

        return pressed

    return wrap


@admin_button("console")
async def on_unknown_button(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """A console button no screen makes now: stale to an admin (refused to anyone else)."""
    await query.answer(text("button_stale", operator.lang))


AnswerHandler = Callable[[Update, NashraContext, Operator, Prompt, str], Coroutine[Any, Any, bool]]


def admin_answer(name: str) -> Callable[[AnswerHandler], Answer]:
    """Run the answer to an admin's typed question (handlers/prompts.py) for an owner or
    admin; refuse anyone else's, such as an admin removed while the question waited."""

    def wrap(handler: AnswerHandler) -> Answer:
        @functools.wraps(handler)
        async def answered(
            update: Update, context: NashraContext, prompt: Prompt, typed: str
        ) -> bool:
            operator = await _operator(update, context, f"the {name} answer")
            if operator is None:
                user = update.effective_user
                await _reply(update, text("admin_refused", user.language_code if user else None))
                return True
            return await handler(update, context, operator, prompt, typed)

        return answered

    return wrap


@admin_only("admin")
async def admin_command(update: Update, context: NashraContext, operator: Operator) -> None:
    """/admin list, /admin add ID, /admin remove ID: the owners and admins, and changes."""
    if context.chat_data is not None:
        context.chat_data.pop(_AWAITING, None)  # an earlier "/admin add" waits no more
    args = context.args or []
    action = SUBCOMMANDS.get(args[0].lower()) if args else None
    if action == "list":
        roster = await context.services.admins.roster()
        await _reply(update, admin_views.roster(roster, operator.lang))
    elif action is None:
        await _reply(update, text("admin_help", operator.lang))
    elif operator.role is not Role.OWNER:
        await _reply(update, text("admin_owners_only", operator.lang))
    else:
        await _change(update, context, operator, action == "add", args[1:])


async def _change(
    update: Update, context: NashraContext, operator: Operator, add: bool, args: list[str]
) -> None:
    """Add or remove the person named by id, or by the forwarded message replied to."""
    message = update.effective_message
    replied = message.reply_to_message if message else None
    if args:
        user_id = parse_user_id(" ".join(args))
        target: Person | str = "admin_bad_id" if user_id is None else Person(user_id)
    elif replied is not None and replied.forward_origin is not None:
        target = _origin(replied)
    elif add and context.chat_data is not None:
        context.chat_data[_AWAITING] = context.services.now()
        await _reply(update, text("admin_forward_now", operator.lang))
        return
    else:
        target = "admin_bad_id"
    await _apply(update, context, operator, add, target)


async def _apply(
    update: Update, context: NashraContext, operator: Operator, add: bool, target: Person | str
) -> None:
    if isinstance(target, str):
        command = "/admin add" if add else "/admin remove"
        await _reply(update, text(target, operator.lang, command=command))
        return
    admins = context.services.admins
    if add:
        result = await admins.add(operator.person, target)
    else:
        result = await admins.remove(operator.person, target.user_id)
    await _reply(update, admin_views.change(result, add, operator.lang))


def _origin(message: Message) -> Person | str:
    """Who wrote a forwarded message, or why that cannot be told (a text key)."""
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser) and not origin.sender_user.is_bot:
        return admin_views.person_of(origin.sender_user)
    if isinstance(origin, MessageOriginHiddenUser):
        return "admin_hidden"
    return "admin_not_a_person"


async def forwarded(update: Update, context: NashraContext) -> None:
    """A forwarded message: the new admin after an owner's /admin add, else not a command."""
    asked = context.chat_data.pop(_AWAITING, None) if context.chat_data is not None else None
    message = update.effective_message
    if not _awaiting(asked, context.services.now()) or message is None:
        await readers.not_a_command(update, context)
        return
    operator = await _operator(update, context, "/admin add (forward)")
    if operator is None or operator.role is not Role.OWNER:
        await readers.not_a_command(update, context)  # no longer an owner: a plain forward
        return
    await _apply(update, context, operator, True, _origin(message))


# A forward sent later (after a search, another command) is only a forward, never a new admin.
async def forward_wait_ends(update: Update, context: NashraContext) -> None:
    """Anything but a forward ends an owner's "/admin add" wait for a forward."""
    if context.chat_data is not None:
        context.chat_data.pop(_AWAITING, None)


def _awaiting(asked: object, now: datetime) -> bool:
    return isinstance(asked, datetime) and now - asked <= FORWARD_WAIT


@admin_only("audit")
async def audit_command(update: Update, context: NashraContext, operator: Operator) -> None:
    """/audit: the newest admin actions, with «التالي» / «السابق» buttons."""
    page = await context.services.admins.audit(0, AUDIT_PAGE)
    message, markup = admin_views.audit(page, context.services.settings, operator.lang)
    await _reply(update, message, markup)


@admin_button("audit")
async def on_audit_page(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """«التالي» / «السابق» of /audit: that page, in the same message."""
    match = AUDIT_DATA.match(query.data or "")
    assert match is not None  # the handler's pattern
    page = await context.services.admins.audit(int(match[1]), AUDIT_PAGE)
    await query.answer()
    message, markup = admin_views.audit(page, context.services.settings, operator.lang)
    await edit_in_place(query, message, markup)


async def edit_in_place(
    query: CallbackQuery, message: str, markup: InlineKeyboardMarkup | None
) -> None:
    """The console's next screen, in the message whose button was pressed."""
    try:
        await query.edit_message_text(message, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def myid(update: Update, context: NashraContext) -> None:
    """Tell the person their Telegram account number (for ADMIN_IDS, or /admin add)."""
    user = update.effective_user
    if user is not None:
        await _reply(update, text("myid", user.language_code, id=user.id))

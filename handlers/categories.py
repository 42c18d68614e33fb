"""/categories_admin: the operators' list of categories, each one's card, and its buttons.

Every button's data is "ca:" and a verb, matched by `CATEGORIES_DATA` (strict: a forged
shape never reaches here, and a forged id finds nothing):

    ca:a                 add a category (asks for its name)
    ca:l:OFFSET          a page of the list
    ca:c:ID              the category's card
    ca:n:ID              rename it (asks for the name)
    ca:d:ID              remove it: a confirmation, or the categories to move its uses to
    ca:mo:ID:OFFSET      a page of those categories
    ca:dy:ID             removal confirmed
    ca:m:ID:TARGET       move to TARGET: a confirmation
    ca:my:ID:TARGET      move confirmed: everything moves, then it is removed
    ca:aa:ID, ca:ak:ID   add aliases, keywords (asks for them)
    ca:ra:ID:OFFSET      its aliases as buttons (ca:rk: keywords), a press removes one:
    ca:xa:ID:INDEX:TOKEN (ca:xk:) the label at INDEX, if still the one TOKEN checks

Typed answers (a name, a list of aliases) come through handlers/prompts.py: `PROMPTS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Update

from bot.categories import CategoryService, LabelKind, NameProblem, RemoveProblem
from bot.context import NashraContext
from bot.text.messages import text
from handlers import category_views as views
from handlers import prompts
from handlers.admin import Operator, admin_answer, admin_button, admin_only, edit_in_place
from handlers.prompts import Prompt

CATEGORIES_DATA = re.compile(
    r"^ca:(?:a|l:[0-9]{1,9}|(?:c|n|d|dy|aa|ak):[0-9]{1,9}"
    r"|(?:m|my|mo|ra|rk):[0-9]{1,9}:[0-9]{1,9}|x[ak]:[0-9]{1,9}:[0-9]{1,3}:[0-9a-f]{8})$",
    re.ASCII,
)
ASK_ADD = "ca:add"
ASK_RENAME = "ca:rename"
ASK_ALIASES = "ca:aliases"
ASK_KEYWORDS = "ca:keywords"


async def _send(update: Update, screen: views.Screen) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(screen[0], reply_markup=screen[1])


@admin_only("categories_admin")
async def categories_admin(update: Update, context: NashraContext, operator: Operator) -> None:
    """/categories_admin: the categories with their followers and articles, a button each."""
    cards = await context.services.categories.overview()
    await _send(update, views.overview(cards, 0, operator.lang))


@dataclass(frozen=True)
class Press:
    """A button of /categories_admin pressed by an operator."""

    context: NashraContext
    operator: Operator
    query: CallbackQuery

    @property
    def lang(self) -> str | None:
        return self.operator.lang

    @property
    def service(self) -> CategoryService:
        return self.context.services.categories

    async def show(self, screen: views.Screen, toast: str | None = None) -> None:
        """Answer the press (with a toast, if any) and redraw its message."""
        await self.query.answer(toast)
        await edit_in_place(self.query, screen[0], screen[1])

    async def ask(self, kind: str, args: tuple[int, ...], question: str) -> None:
        await self.query.answer()
        assert self.query.message is not None  # admin_button: a press in a private chat
        chat_id = self.query.message.chat.id
        await prompts.ask(self.context, chat_id, kind, args, question, self.lang)

    async def gone(self) -> None:
        """The category was removed meanwhile (or the id forged): say so, show the list."""
        cards = await self.service.overview()
        await self.show(views.overview(cards, 0, self.lang), views.gone(self.lang))


@admin_button("categories")
async def on_button(
    update: Update, context: NashraContext, operator: Operator, query: CallbackQuery
) -> None:
    """Any /categories_admin button: the screen its verb names."""
    verb, *rest = (query.data or "").split(":")[1:]
    # Numbers, but for the removal buttons' last part: a label's check (hex).
    args = [part if verb[0] == "x" and i == 2 else int(part) for i, part in enumerate(rest)]
    await _SCREENS[verb](Press(context, operator, query), *args)


async def _list(press: Press, offset: int) -> None:
    await press.show(views.overview(await press.service.overview(), offset, press.lang))


async def _add(press: Press) -> None:
    await press.ask(ASK_ADD, (), views.ask_name(press.lang))


async def _card(press: Press, category_id: int) -> None:
    card = await press.service.card(category_id)
    await (press.gone() if card is None else press.show(views.card(card, press.lang)))


async def _rename(press: Press, category_id: int) -> None:
    card = await press.service.card(category_id)
    if card is None:
        await press.gone()
    else:
        await press.ask(ASK_RENAME, (category_id,), views.ask_name(press.lang, card.name))


async def _remove(press: Press, category_id: int, offset: int = 0) -> None:
    cards = await press.service.overview()
    card = next((c for c in cards if c.id == category_id), None)
    if card is None:
        await press.gone()
        return
    targets = [c for c in cards if c.id != category_id]
    await press.show(views.remove_screen(card, targets, offset, press.lang))


async def _remove_confirmed(press: Press, category_id: int) -> None:
    result = await press.service.remove(press.operator.person, category_id)
    if result.problem is RemoveProblem.NOT_FOUND:
        await press.gone()
    elif result.problem is RemoveProblem.IN_USE:  # followed since the question: offer a move
        await _remove(press, category_id)
    else:
        await press.show(views.removed(result, press.lang))


async def _move(press: Press, category_id: int, target_id: int) -> None:
    card = await press.service.card(category_id)
    target = await press.service.card(target_id) if target_id != category_id else None
    if card is None:
        await press.gone()
    elif target is None:
        await press.query.answer(text("ca_target_gone", press.lang))
        await _remove(press, category_id)
    else:
        await press.show(views.move_confirm(card, target, press.lang))


async def _move_confirmed(press: Press, category_id: int, target_id: int) -> None:
    result = await press.service.merge(press.operator.person, category_id, target_id)
    if result.problem is RemoveProblem.NOT_FOUND:
        await press.gone()
    elif result.problem is not None:  # the target is gone, or the same category (forged)
        await press.query.answer(text("ca_target_gone", press.lang))
        await _remove(press, category_id)
    else:
        await press.show(views.removed(result, press.lang))


def _ask_labels(kind: LabelKind) -> Callable[[Press, int], Coroutine[Any, Any, None]]:
    async def ask(press: Press, category_id: int) -> None:
        card = await press.service.card(category_id)
        if card is None:
            await press.gone()
        else:
            asked = ASK_ALIASES if kind is LabelKind.ALIAS else ASK_KEYWORDS
            await press.ask(asked, (category_id,), views.ask_labels(kind, card.name, press.lang))

    return ask


def _pick_label(kind: LabelKind) -> Callable[[Press, int, int], Coroutine[Any, Any, None]]:
    async def pick(press: Press, category_id: int, offset: int) -> None:
        card = await press.service.card(category_id)
        if card is None:
            await press.gone()
        else:
            await press.show(views.labels_picker(card, kind, offset, press.lang))

    return pick


def _remove_label(
    kind: LabelKind,
) -> Callable[[Press, int, int, str], Coroutine[Any, Any, None]]:
    async def remove(press: Press, category_id: int, index: int, token: str) -> None:
        person = press.operator.person
        card, removed = await press.service.remove_label(person, category_id, kind, index, token)
        if card is None:
            await press.gone()
        else:
            screen = views.labels_picker(card, kind, index, press.lang)
            await press.show(screen, views.label_removed(removed, press.lang))

    return remove


_SCREENS: dict[str, Callable[..., Coroutine[Any, Any, None]]] = {
    "a": _add,
    "l": _list,
    "c": _card,
    "n": _rename,
    "d": _remove,
    "mo": _remove,
    "dy": _remove_confirmed,
    "m": _move,
    "my": _move_confirmed,
    "aa": _ask_labels(LabelKind.ALIAS),
    "ak": _ask_labels(LabelKind.KEYWORD),
    "ra": _pick_label(LabelKind.ALIAS),
    "rk": _pick_label(LabelKind.KEYWORD),
    "xa": _remove_label(LabelKind.ALIAS),
    "xk": _remove_label(LabelKind.KEYWORD),
}


# ---------------------------------------------------------------------------- typed answers


async def _reask(update: Update, context: NashraContext, operator: Operator, prompt: Prompt,
                 question: str) -> bool:  # fmt: skip
    """The answer was refused: the question again, with why (and its «إلغاء»)."""
    chat = update.effective_chat
    assert chat is not None  # a private chat's message
    await prompts.ask(context, chat.id, prompt.kind, prompt.args, question, operator.lang)
    return False


@admin_answer("category name")
async def on_name(
    update: Update, context: NashraContext, operator: Operator, prompt: Prompt, typed: str
) -> bool:
    """The name of a new category, or a category's new name."""
    service = context.services.categories
    if prompt.kind == ASK_ADD:
        result = await service.add(operator.person, typed)
    else:
        result = await service.rename(operator.person, prompt.args[0], typed)
    if result.problem is NameProblem.NOT_FOUND:
        await _send(update, (views.gone(operator.lang), None))
        return True
    if result.problem is not None:
        question = views.name_problem(result, operator.lang)
        return await _reask(update, context, operator, prompt, question)
    await _send(update, views.named(result, operator.lang))
    return True


@admin_answer("category labels")
async def on_labels(
    update: Update, context: NashraContext, operator: Operator, prompt: Prompt, typed: str
) -> bool:
    """Aliases or keywords for a category, one or several."""
    kind = LabelKind.ALIAS if prompt.kind == ASK_ALIASES else LabelKind.KEYWORD
    result = await context.services.categories.add_labels(
        operator.person, prompt.args[0], kind, typed
    )
    if result.card is None:
        await _send(update, (views.gone(operator.lang), None))
    else:
        await _send(update, views.labels_added(result, kind, operator.lang))
    return True


PROMPTS: dict[str, prompts.Answer] = {
    ASK_ADD: on_name,
    ASK_RENAME: on_name,
    ASK_ALIASES: on_labels,
    ASK_KEYWORDS: on_labels,
}

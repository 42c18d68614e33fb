"""The categories as the operators run them (/categories_admin): list, add, rename, remove
or merge into another, and the aliases and keyword rules that map feed labels and words onto
them.

Each method is one unit of work (its own transaction), written to the audit log in the same
transaction as the change. Names, aliases and keywords are kept as the operator typed them
(cleaned of control and bidi characters, spaces collapsed); they are compared as the
categoriser compares feed labels (bot/text/arabic.py `normalise`), so «السياسة» and
«السّياسة» are one label, and no label can mean two categories. Subscriptions, channel
bindings and feed links are by id: a rename carries them along. The poller builds its
categoriser from the rows at every tick, so the next poll uses what was changed here.
Nothing here chooses words: the handlers do.
"""

from __future__ import annotations

import enum
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.admins import Person
from bot.text.arabic import index_terms, normalise
from bot.text.html import visible
from storage import admins, catalog
from storage.catalog import CategoryUsage
from storage.models import CATEGORY_NAME_CHARS, Category, utcnow

# The audit log's names of the actions.
CATEGORY_ADD = "category.add"
CATEGORY_RENAME = "category.rename"
CATEGORY_REMOVE = "category.remove"
CATEGORY_MERGE = "category.merge"  # its uses moved to another category, then removed
CATEGORY_ALIASES = "category.aliases"
CATEGORY_KEYWORDS = "category.keywords"

NAME_CHARS = CATEGORY_NAME_CHARS
# An alias is a feed's <category> label: as long as a name may be.
ALIAS_CHARS = CATEGORY_NAME_CHARS
KEYWORD_CHARS = 100
# Per category. The JSON columns take any number; the card shows them all within one
# message, and every alias and keyword is a look-up the categoriser makes per entry.
MAX_ALIASES = 100
MAX_KEYWORDS = 100
RECENT = timedelta(days=7)  # the card's "articles this week"
# An operator's list: comma, Arabic comma or one a line.
_SEPARATORS = re.compile("[,،\n]")


class NameProblem(enum.Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"  # a name must have a letter: it is a hashtag in every post
    TAKEN = "taken"  # another category's name or alias, compared as labels are
    UNCHANGED = "unchanged"
    NOT_FOUND = "not_found"  # removed meanwhile, or a forged id


class LabelProblem(enum.Enum):
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"
    ONE_LETTER = "one_letter"  # a keyword rule of one letter matches nearly everything
    ALREADY = "already"  # this category's already
    TAKEN = "taken"  # another category's name or alias
    TOO_MANY = "too_many"


class RemoveProblem(enum.Enum):
    NOT_FOUND = "not_found"
    IN_USE = "in_use"  # followed or bound to feeds: only a move removes it
    TARGET_NOT_FOUND = "target_not_found"
    SAME = "same"  # moved into itself (a forged button)


class LabelKind(enum.Enum):
    ALIAS = "alias"
    KEYWORD = "keyword"


@dataclass(frozen=True)
class CategoryCard:
    """A category as its card shows it."""

    id: int
    name: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    usage: CategoryUsage

    def labels(self, kind: LabelKind) -> tuple[str, ...]:
        return self.aliases if kind is LabelKind.ALIAS else self.keywords


@dataclass(frozen=True)
class NameResult:
    """What an add or a rename did: the category after it, or why nothing changed."""

    name: str  # the name asked for, cleaned
    card: CategoryCard | None = None
    problem: NameProblem | None = None
    other: str | None = None  # TAKEN: the category that has the name or alias
    old_name: str | None = None  # a rename's
    kept_alias: bool = False  # a rename kept the old name as an alias (feeds' labels)


@dataclass(frozen=True)
class RefusedLabel:
    label: str
    problem: LabelProblem
    other: str | None = None  # TAKEN: whose it is


@dataclass(frozen=True)
class LabelsResult:
    """What adding aliases or keywords did: those added, and those refused with why."""

    card: CategoryCard | None  # None: the category is gone
    added: tuple[str, ...] = ()
    refused: tuple[RefusedLabel, ...] = ()


@dataclass(frozen=True)
class RemoveResult:
    name: str = ""
    problem: RemoveProblem | None = None
    usage: CategoryUsage = CategoryUsage()
    target: str | None = None  # a merge's


def clean(raw: str) -> str:
    """Text an operator typed, on one line, without control or bidi characters."""
    return visible(raw)


def split_labels(raw: str) -> list[str]:
    """«a، b, c» or one a line: the labels, cleaned, in order, empty ones dropped."""
    return [label for part in _SEPARATORS.split(raw) if (label := clean(part))]


def label_token(label: str) -> str:
    """A short check of a label for a button that removes it by its place in the list: the
    list may have changed since the button was drawn."""
    return f"{zlib.crc32(label.encode('utf-8')):08x}"


def _letters(value: str) -> str:
    return re.sub(r"[\W_\d]", "", normalise(value))


def _keyword_key(keyword: str) -> str:
    """The rule as the categoriser matches it: its stemmed terms."""
    return " ".join(index_terms(keyword))


def _state(category: Category, *fields: str) -> dict[str, Any]:
    """A category as the audit log keeps it, before or after a change."""
    state: dict[str, Any] = {"id": category.id, "name": category.name}
    for field in fields:
        state[field] = list(getattr(category, field) or [])
    return state


def _card(category: Category, usage: CategoryUsage) -> CategoryCard:
    return CategoryCard(
        category.id,
        category.name,
        tuple(category.aliases or ()),
        tuple(category.keywords or ()),
        usage,
    )


class CategoryService:
    """The operators' view and changes of the categories."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions = sessions
        self.clock = clock

    # ------------------------------------------------------------------------ reading

    async def overview(self) -> list[CategoryCard]:
        """Every category with its usage, by name."""
        async with self.sessions() as session:
            usage = await catalog.category_usage(session, self.clock() - RECENT)
            categories = await catalog.all_categories(session)
        return [_card(c, usage.get(c.id, CategoryUsage())) for c in categories]

    async def card(self, category_id: int) -> CategoryCard | None:
        async with self.sessions() as session:
            return await self._load_card(session, category_id)

    async def _load_card(self, session: AsyncSession, category_id: int) -> CategoryCard | None:
        found = await catalog.category(session, category_id)
        if found is None:
            return None
        usage = await catalog.category_usage(session, self.clock() - RECENT, [category_id])
        return _card(found, usage.get(category_id, CategoryUsage()))

    # ------------------------------------------------------------------------ names

    async def add(self, actor: Person, raw_name: str) -> NameResult:
        """A new category with this name: checked, stored, audited."""
        name = clean(raw_name)
        try:
            async with self.sessions.begin() as session:
                problem = await self._name_problem(session, name, None)
                if problem is not None:
                    return problem
                added = await catalog.add_category(session, name, self.clock())
                await self._record(session, actor, CATEGORY_ADD, None, _state(added))
                card = await self._load_card(session, added.id)
        except IntegrityError:  # another operator added the same name at the same moment
            return NameResult(name, problem=NameProblem.TAKEN, other=name)
        return NameResult(name, card)

    async def rename(self, actor: Person, category_id: int, raw_name: str) -> NameResult:
        """The category's new name. Its subscriptions, channel bindings and feeds are by id
        and follow it; its old name stays as an alias, so feeds labelling their entries with
        it still land here."""
        name = clean(raw_name)
        try:
            async with self.sessions.begin() as session:
                found = await catalog.category(session, category_id)
                if found is None:
                    return NameResult(name, problem=NameProblem.NOT_FOUND)
                if name == found.name:
                    card = await self._load_card(session, category_id)
                    return NameResult(name, card, NameProblem.UNCHANGED, old_name=found.name)
                problem = await self._name_problem(session, name, category_id)
                if problem is not None:
                    return problem
                before = _state(found, "aliases")
                old = found.name
                own = {normalise(label) for label in (name, *(found.aliases or ()))}
                kept = normalise(old) not in own and len(found.aliases or ()) < MAX_ALIASES
                found.name = name
                if kept:
                    found.aliases = [*(found.aliases or ()), old]
                await session.flush()
                await self._record(
                    session, actor, CATEGORY_RENAME, before, _state(found, "aliases")
                )
                card = await self._load_card(session, category_id)
        except IntegrityError:
            return NameResult(name, problem=NameProblem.TAKEN, other=name)
        return NameResult(name, card, old_name=old, kept_alias=kept)

    async def _name_problem(
        self, session: AsyncSession, name: str, category_id: int | None
    ) -> NameResult | None:
        """Why the name cannot be the category's (a new one when `category_id` is None)."""
        card = None if category_id is None else await self._load_card(session, category_id)

        def refused(problem: NameProblem, other: str | None = None) -> NameResult:
            return NameResult(name, card, problem, other=other)

        if not name:
            return refused(NameProblem.EMPTY)
        if len(name) > NAME_CHARS:
            return refused(NameProblem.TOO_LONG)
        if not _letters(name):
            return refused(NameProblem.NO_LETTERS)
        other = await self._owner_of(session, normalise(name), category_id)
        return None if other is None else refused(NameProblem.TAKEN, other)

    async def _owner_of(
        self, session: AsyncSession, key: str, category_id: int | None
    ) -> str | None:
        """The other category whose name or an alias is this label, if any."""
        for category in await catalog.all_categories(session):
            if category.id == category_id:
                continue
            if key in {normalise(label) for label in (category.name, *(category.aliases or ()))}:
                return category.name
        return None

    # ------------------------------------------------------------------------ labels

    async def add_labels(
        self, actor: Person, category_id: int, kind: LabelKind, raw: str
    ) -> LabelsResult:
        """Aliases (feed labels) or keyword rules, several at once: each checked alone."""
        async with self.sessions.begin() as session:
            found = await catalog.category(session, category_id)
            if found is None:
                return LabelsResult(None)
            field = "aliases" if kind is LabelKind.ALIAS else "keywords"
            before = _state(found, field)
            current = list(getattr(found, field) or [])
            others = await self._others_labels(session, category_id)
            if kind is LabelKind.ALIAS:
                taken = {normalise(label) for label in (found.name, *current)}
            else:
                taken = {_keyword_key(label) for label in current}
            added: list[str] = []
            refused: list[RefusedLabel] = []
            for label in split_labels(raw):
                problem, key = self._label_problem(kind, label, taken, others, len(current))
                if problem is None:
                    taken.add(key)
                    current.append(label)
                    added.append(label)
                else:
                    whose = others.get(key) if problem is LabelProblem.TAKEN else None
                    refused.append(RefusedLabel(label, problem, whose))
            if added:
                setattr(found, field, current)
                await session.flush()
                action = CATEGORY_ALIASES if kind is LabelKind.ALIAS else CATEGORY_KEYWORDS
                await self._record(session, actor, action, before, _state(found, field))
            card = await self._load_card(session, category_id)
        return LabelsResult(card, tuple(added), tuple(refused))

    @staticmethod
    def _label_problem(
        kind: LabelKind, label: str, taken: set[str], others: dict[str, str], count: int
    ) -> tuple[LabelProblem | None, str]:
        if kind is LabelKind.ALIAS:
            key, limit, most = normalise(label), ALIAS_CHARS, MAX_ALIASES
        else:
            key, limit, most = _keyword_key(label), KEYWORD_CHARS, MAX_KEYWORDS
        if len(label) > limit:
            return LabelProblem.TOO_LONG, key
        letters = _letters(label)
        if not key or not letters:
            return LabelProblem.NO_LETTERS, key
        if kind is LabelKind.KEYWORD and len(letters) < 2:
            return LabelProblem.ONE_LETTER, key
        if key in taken:
            return LabelProblem.ALREADY, key
        if kind is LabelKind.ALIAS and key in others:
            return LabelProblem.TAKEN, key
        if count >= most:
            return LabelProblem.TOO_MANY, key
        return None, key

    async def _others_labels(self, session: AsyncSession, category_id: int) -> dict[str, str]:
        """label key → the name of the other category it belongs to."""
        owners: dict[str, str] = {}
        for category in await catalog.all_categories(session):
            if category.id != category_id:
                for label in (category.name, *(category.aliases or ())):
                    owners.setdefault(normalise(label), category.name)
        return owners

    async def remove_label(
        self, actor: Person, category_id: int, kind: LabelKind, index: int, token: str
    ) -> tuple[CategoryCard | None, str | None]:
        """Remove the alias or keyword at `index` if it is still the one the button showed
        (`token`); the card after it, and the label removed (None: nothing was)."""
        async with self.sessions.begin() as session:
            found = await catalog.category(session, category_id)
            if found is None:
                return None, None
            field = "aliases" if kind is LabelKind.ALIAS else "keywords"
            current = list(getattr(found, field) or [])
            removed = None
            if index < len(current) and label_token(current[index]) == token:
                before = _state(found, field)
                removed = current.pop(index)
                setattr(found, field, current)
                await session.flush()
                action = CATEGORY_ALIASES if kind is LabelKind.ALIAS else CATEGORY_KEYWORDS
                await self._record(session, actor, action, before, _state(found, field))
            return await self._load_card(session, category_id), removed

    # ------------------------------------------------------------------------ removal

    async def remove(self, actor: Person, category_id: int) -> RemoveResult:
        """Remove a category nothing uses (no chat follows it, no feed is bound to it); its
        articles keep their other categories. A used one is left for a move."""
        async with self.sessions.begin() as session:
            card = await self._load_card(session, category_id)
            if card is None:
                return RemoveResult(problem=RemoveProblem.NOT_FOUND)
            if card.usage.subscriptions or card.usage.feeds:
                return RemoveResult(card.name, RemoveProblem.IN_USE, card.usage)
            before = {**_state_of(card), "articles": card.usage.articles}
            if not await catalog.remove_category(session, category_id):
                return RemoveResult(problem=RemoveProblem.NOT_FOUND)  # removed meanwhile
            await self._record(session, actor, CATEGORY_REMOVE, before, None)
        return RemoveResult(card.name, usage=card.usage)

    async def merge(self, actor: Person, category_id: int, target_id: int) -> RemoveResult:
        """Move everything that uses the category (subscriptions, channel bindings, feed
        bindings, article tags) to the target, merging what the target has already, then
        remove it: all in one transaction."""
        if category_id == target_id:
            return RemoveResult(problem=RemoveProblem.SAME)
        async with self.sessions.begin() as session:
            card = await self._load_card(session, category_id)
            if card is None:
                return RemoveResult(problem=RemoveProblem.NOT_FOUND)
            target = await catalog.category(session, target_id)
            if target is None:
                return RemoveResult(card.name, RemoveProblem.TARGET_NOT_FOUND, card.usage)
            usage = card.usage
            before = {
                **_state_of(card),
                "subscriptions": usage.subscriptions,
                "feeds": usage.feeds,
                "articles": usage.articles,
            }
            into = target.name
            after = {"into": {"id": target.id, "name": into}}
            await catalog.move_category_uses(session, category_id, target_id)
            await catalog.remove_category(session, category_id)
            await self._record(session, actor, CATEGORY_MERGE, before, after)
        return RemoveResult(card.name, usage=usage, target=into)

    async def _record(
        self, session: AsyncSession, actor: Person, action: str, before: Any, after: Any
    ) -> None:
        await admins.record(
            session, actor_id=actor.user_id, actor_name=actor.name, action=action,
            before=before, after=after, at=self.clock(),
        )  # fmt: skip


def _state_of(card: CategoryCard) -> dict[str, Any]:
    return {
        "id": card.id,
        "name": card.name,
        "aliases": list(card.aliases),
        "keywords": list(card.keywords),
    }

"""Who runs the bot, and the record of what they did: the operators' console's service.

Owners are ADMIN_IDS, from the settings: no command adds or removes them. Owners add and
remove admins, who are stored. Every change is written to the audit log in the transaction
that makes it, and the admins' command menus follow the list. Each method is one unit of
work (its own transaction); nothing here chooses words: the handlers do.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.menus import CommandMenus
from bot.text.dates import to_digits
from storage import admins
from storage.models import Admin, utcnow

# The audit log's names of the actions.
ADMIN_ADD = "admin.add"
ADMIN_REMOVE = "admin.remove"
# Telegram's user ids are positive and fit 64 bits (52 today); the column is a BIGINT.
MAX_USER_ID = 2**63 - 1
_USER_ID = re.compile(r"[0-9]{1,19}", re.ASCII)


class Role(enum.Enum):
    OWNER = "owner"
    ADMIN = "admin"
    NONE = "none"

    @property
    def is_admin(self) -> bool:
        return self is not Role.NONE


class AdminProblem(enum.Enum):
    NOT_OWNER = "owners_only"  # an admin who is not an owner tried to add or remove
    OWNER = "is_owner"  # owners are the settings' to change
    ALREADY = "already"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Person:
    """Someone as Telegram showed them: a user id, and their name and username when known."""

    user_id: int
    name: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class AdminChange:
    """What an add or a remove did: to whom (with the name the bot knows), or why nothing."""

    person: Person
    problem: AdminProblem | None = None
    menu_shown: bool = True  # False: Telegram refused the new admin's menu (no chat yet)


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: Person
    action: str
    before: Any | None
    after: Any | None


@dataclass(frozen=True)
class AuditPage:
    lines: list[AuditLine]
    offset: int
    limit: int  # lines a page
    next_offset: int | None
    total: int


def parse_user_id(text: str) -> int | None:
    """A user id as an operator types it (Arabic-Indic digits too); None for anything else."""
    digits = to_digits(text.strip(), "latn")
    if not _USER_ID.fullmatch(digits):
        return None
    user_id = int(digits)
    return user_id if 0 < user_id <= MAX_USER_ID else None


def _state(admin: Admin) -> dict[str, Any]:
    """An admin as the audit log keeps them, before or after a change."""
    return {"user_id": admin.user_id, "name": admin.name, "username": admin.username}


class AdminService:
    """The owners, the stored admins, their menus and the audit log."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        owners: Sequence[int],
        menus: CommandMenus,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.owners = tuple(dict.fromkeys(owners))
        self.menus = menus
        self.clock = clock
        self._owner_names: dict[int, str] = {}

    async def role(self, person: Person) -> Role:
        """Owner, admin or nobody. An admin's stored name follows what Telegram shows now; an
        owner's (never stored) is remembered while the bot runs, for the admins' list."""
        if person.user_id in self.owners:
            if person.name:
                self._owner_names[person.user_id] = person.name
            return Role.OWNER
        async with self.sessions.begin() as session:
            stored = await admins.admin(session, person.user_id)
            if stored is not None:
                await admins.rename_admin(session, person.user_id, person.name, person.username)
        return Role.NONE if stored is None else Role.ADMIN

    async def add(self, actor: Person, person: Person) -> AdminChange:
        """An owner makes the person an admin: stored, audited, and their menu shown."""
        problem = self._may_change(actor.user_id, person.user_id)
        if problem is not None:
            return AdminChange(await self._named(person), problem)
        async with self.sessions.begin() as session:
            person = await self._known(session, person)
            added = await admins.add_admin(
                session,
                person.user_id,
                name=person.name,
                username=person.username,
                added_by=actor.user_id,
                now=self.clock(),
            )
            if added is None:
                return AdminChange(await self._known(session, person), AdminProblem.ALREADY)
            await self._record(session, actor, ADMIN_ADD, None, _state(added))
            person = Person(added.user_id, added.name, added.username)
        return AdminChange(person, menu_shown=await self.menus.show_admin(person.user_id))

    async def remove(self, actor: Person, user_id: int) -> AdminChange:
        """An owner removes an admin: deleted, audited, and their menu back to a reader's."""
        person = Person(user_id)
        problem = self._may_change(actor.user_id, user_id)
        if problem is not None:
            return AdminChange(await self._named(person), problem)
        async with self.sessions.begin() as session:
            stored = await admins.admin(session, user_id)
            if stored is None:
                return AdminChange(await self._known(session, person), AdminProblem.NOT_FOUND)
            before = _state(stored)
            if not await admins.remove_admin(session, user_id):  # another owner's, meanwhile
                return AdminChange(await self._known(session, person), AdminProblem.NOT_FOUND)
            await self._record(session, actor, ADMIN_REMOVE, before, None)
        await self.menus.hide_admin(user_id)
        return AdminChange(Person(user_id, before["name"], before["username"]))

    async def _record(
        self, session: AsyncSession, actor: Person, action: str, before: Any, after: Any
    ) -> None:
        await admins.record(
            session, actor_id=actor.user_id, actor_name=actor.name, action=action,
            before=before, after=after, at=self.clock(),
        )  # fmt: skip

    def _may_change(self, actor: int, user_id: int) -> AdminProblem | None:
        if actor not in self.owners:
            return AdminProblem.NOT_OWNER
        if user_id in self.owners:
            return AdminProblem.OWNER
        return None

    async def _known(self, session: AsyncSession, person: Person) -> Person:
        """The person with the name the bot knows, when the update did not carry one."""
        if person.name is not None:
            return person
        names = await admins.known_names(session, [person.user_id]) | self._owner_names
        return Person(person.user_id, names.get(person.user_id), person.username)

    async def _named(self, person: Person) -> Person:
        async with self.sessions() as session:
            return await self._known(session, person)

    async def stored_ids(self) -> list[int]:
        """The stored admins' user ids (the owners are `self.owners`)."""
        async with self.sessions() as session:
            return [admin.user_id for admin in await admins.admins(session)]

    async def roster(self) -> list[tuple[Person, Role]]:
        """The owners (as the settings list them), then the admins, the earliest first."""
        async with self.sessions() as session:
            stored = await admins.admins(session)
            names = await admins.known_names(session, self.owners)
        names |= self._owner_names
        owners = [(Person(user_id, names.get(user_id)), Role.OWNER) for user_id in self.owners]
        # An admin since made an owner (in ADMIN_IDS) is listed once, as an owner.
        others = [a for a in stored if a.user_id not in self.owners]
        return owners + [(Person(a.user_id, a.name, a.username), Role.ADMIN) for a in others]

    async def audit(self, offset: int, limit: int) -> AuditPage:
        """A page of the audit log, the newest first, each actor named as they were then."""
        async with self.sessions() as session:
            total = await admins.audit_count(session)
            entries = await admins.audit_entries(session, offset, limit)
        lines = [
            AuditLine(
                entry.at,
                Person(entry.actor_id, entry.actor_name),
                entry.action,
                entry.before,
                entry.after,
            )
            for entry in entries
        ]
        more = offset + limit if offset + limit < total else None
        return AuditPage(lines, offset, limit, more, total)

    async def welcome(self, user_id: int) -> None:
        """An admin writes to the bot: their menu again (Telegram refuses it until they have)."""
        await self.menus.show_admin(user_id)

    async def refresh_menus(self) -> None:
        """Every owner's and admin's menu (at start-up); and the readers' menu again for
        whoever held the console before and does not now (an owner taken out of ADMIN_IDS,
        an admin removed while the bot was down), as the audit log knows them."""
        stored = await self.stored_ids()
        current = dict.fromkeys([*self.owners, *stored])
        for user_id in current:
            await self.menus.show_admin(user_id)
        async with self.sessions() as session:
            former = await admins.audited_people(session) - set(current)
        for user_id in sorted(former):
            await self.menus.hide_admin(user_id)

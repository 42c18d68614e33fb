"""Admins (the owners are in the settings, not here) and the audit log of their actions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignore
from storage.models import PERSON_NAME_CHARS, USERNAME_CHARS, Admin, AuditEntry, Chat


def _fit(value: str | None, limit: int) -> str | None:
    """A name from Telegram, as its column holds it (PostgreSQL refuses a longer one)."""
    value = " ".join(value.split()) if value else None
    return value[:limit] if value else None


async def admin(session: AsyncSession, user_id: int) -> Admin | None:
    return await session.get(Admin, user_id)


async def admins(session: AsyncSession) -> Sequence[Admin]:
    """Every stored admin, the earliest added first."""
    query = select(Admin).order_by(Admin.created_at, Admin.user_id)
    return (await session.scalars(query)).all()


async def add_admin(
    session: AsyncSession,
    user_id: int,
    *,
    name: str | None,
    username: str | None,
    added_by: int,
    now: datetime,
) -> Admin | None:
    """Stage the admin; None when they are one already."""
    added = await session.execute(
        insert_ignore(session, Admin).values(
            user_id=user_id,
            name=_fit(name, PERSON_NAME_CHARS),
            username=_fit(username, USERNAME_CHARS),
            added_by=added_by,
            created_at=now,
        )
    )
    if not added.rowcount:  # type: ignore[attr-defined]
        return None
    return await session.get(Admin, user_id)


async def remove_admin(session: AsyncSession, user_id: int) -> bool:
    result = await session.execute(delete(Admin).where(Admin.user_id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def rename_admin(
    session: AsyncSession, user_id: int, name: str | None, username: str | None
) -> None:
    """Keep a stored admin's name as Telegram shows it now (no row: nothing happens)."""
    if name:
        await session.execute(
            update(Admin)
            .where(Admin.user_id == user_id)
            .values(name=_fit(name, PERSON_NAME_CHARS), username=_fit(username, USERNAME_CHARS))
        )


async def known_names(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, str]:
    """The names the bot has seen for these people: an admin's own, else their chat's."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    names = {
        chat_id: title
        for chat_id, title in await session.execute(
            select(Chat.id, Chat.title).where(Chat.id.in_(ids), Chat.title.is_not(None))
        )
    }
    for user_id, name in await session.execute(
        select(Admin.user_id, Admin.name).where(Admin.user_id.in_(ids), Admin.name.is_not(None))
    ):
        names[user_id] = name
    return names


async def record(
    session: AsyncSession,
    *,
    actor_id: int,
    actor_name: str | None,
    action: str,
    before: Any | None,
    after: Any | None,
    at: datetime,
) -> None:
    """Stage one entry of the audit log (in the transaction of the action itself)."""
    entry = AuditEntry(
        actor_id=actor_id,
        actor_name=_fit(actor_name, PERSON_NAME_CHARS),
        action=action,
        before=before,
        after=after,
        at=at,
    )
    session.add(entry)
    await session.flush()


async def audit_entries(session: AsyncSession, offset: int, limit: int) -> Sequence[AuditEntry]:
    """A page of the audit log, the newest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
    return (await session.scalars(query)).all()


async def audit_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def audited_people(session: AsyncSession) -> set[int]:
    """Everyone the audit log names as having held the console: who acted (owners and
    admins alike), and the admins added or removed."""
    actors = await session.scalars(select(AuditEntry.actor_id).distinct())
    people = {int(actor) for actor in actors if actor > 0}  # 0: the command line
    changes = await session.execute(
        select(AuditEntry.before, AuditEntry.after).where(AuditEntry.action.like("admin.%"))
    )
    for before, after in changes.all():
        for state in (before, after):
            if isinstance(state, dict) and isinstance(state.get("user_id"), int):
                people.add(state["user_id"])
    return people

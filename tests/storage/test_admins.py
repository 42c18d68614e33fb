"""storage/admins.py on SQLite and PostgreSQL: admins, known names, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.admins import MAX_USER_ID, AdminService, Role
from bot.menus import CommandMenus
from storage import admins, catalog
from storage.models import PERSON_NAME_CHARS, USERNAME_CHARS, ChatKind

NOW = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)


async def test_an_admin_is_added_once_and_removed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        added = await admins.add_admin(
            session, MAX_USER_ID, name="سارة", username="sara", added_by=900, now=NOW
        )
        again = await admins.add_admin(
            session, MAX_USER_ID, name="أخرى", username=None, added_by=901, now=NOW
        )
    assert added is not None
    assert again is None
    async with sessions() as session:
        [stored] = await admins.admins(session)
    assert (stored.user_id, stored.name, stored.added_by) == (MAX_USER_ID, "سارة", 900)
    assert stored.created_at == NOW
    async with sessions.begin() as session:
        assert await admins.remove_admin(session, MAX_USER_ID)
        assert not await admins.remove_admin(session, MAX_USER_ID)
    async with sessions() as session:
        assert await admins.admins(session) == []


async def test_names_at_and_past_their_columns(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    at_limit = "ن" * PERSON_NAME_CHARS
    past = "م" * (PERSON_NAME_CHARS + 1)
    async with sessions.begin() as session:
        await admins.add_admin(
            session, 1, name=at_limit, username="u" * USERNAME_CHARS, added_by=900, now=NOW
        )
        await admins.add_admin(
            session, 2, name=past, username="v" * (USERNAME_CHARS + 1), added_by=900, now=NOW
        )
        await admins.record(
            session, actor_id=900, actor_name=past + " \n\t", action="admin.add",
            before=None, after={"name": past}, at=NOW,
        )  # fmt: skip
        await admins.rename_admin(session, 1, "ل" * (PERSON_NAME_CHARS + 5), "w" * 99)
    async with sessions() as session:
        one, two = await admins.admins(session)
        [entry] = await admins.audit_entries(session, 0, 10)
    assert (one.name, one.username) == ("ل" * PERSON_NAME_CHARS, "w" * USERNAME_CHARS)
    assert (two.name, two.username) == ("م" * PERSON_NAME_CHARS, "v" * USERNAME_CHARS)
    assert entry.actor_name == "م" * PERSON_NAME_CHARS
    assert entry.after == {"name": past}  # JSON keeps the whole of it


async def test_known_names_prefer_the_admins_own(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await catalog.upsert_chat(session, 1, ChatKind.PRIVATE, title="اسم القارئ")
        await catalog.upsert_chat(session, 2, ChatKind.PRIVATE, title="قارئ آخر")
        await admins.add_admin(session, 2, name="المشرفة", username=None, added_by=9, now=NOW)
        await admins.add_admin(session, 3, name=None, username=None, added_by=9, now=NOW)
    async with sessions() as session:
        names = await admins.known_names(session, [1, 2, 3, 4])
    assert names == {1: "اسم القارئ", 2: "المشرفة"}


async def test_the_audit_log_pages_newest_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        for n in range(7):
            await admins.record(
                session, actor_id=900, actor_name="المالك", action=f"test.{n}",
                before={"n": n - 1} if n else None, after={"n": n},
                at=NOW + timedelta(minutes=n),
            )  # fmt: skip
    async with sessions() as session:
        assert await admins.audit_count(session) == 7
        first = await admins.audit_entries(session, 0, 5)
        rest = await admins.audit_entries(session, 5, 5)
    assert [e.action for e in first] == [f"test.{n}" for n in (6, 5, 4, 3, 2)]
    assert [e.action for e in rest] == ["test.1", "test.0"]
    assert (rest[-1].before, rest[-1].after) == (None, {"n": 0})
    assert first[0].at == NOW + timedelta(minutes=6)


async def test_an_admin_made_an_owner_is_listed_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await admins.add_admin(session, 901, name="كان مشرفاً", username=None, added_by=9, now=NOW)
        await admins.add_admin(session, 5, name="مشرف", username=None, added_by=9, now=NOW)
    # The roster never touches the menus (no bot needed here).
    service = AdminService(sessions, [900, 901, 900], CommandMenus(None))  # type: ignore[arg-type]
    roster = await service.roster()
    assert [(p.user_id, p.name, role) for p, role in roster] == [
        (900, None, Role.OWNER), (901, "كان مشرفاً", Role.OWNER), (5, "مشرف", Role.ADMIN),
    ]  # fmt: skip

"""Two admins doing the same thing at the same moment, on SQLite and PostgreSQL: one removal
wins, the other is told it is gone, and the audit log has one entry."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.admins import Person
from bot.app import services_of
from bot.categories import RemoveProblem
from bot.context import NashraApp
from storage import catalog
from storage.feeds import add_feed
from storage.models import AuditEntry, ChatKind
from tests.handlers.conftest import Console
from tests.handlers.conversation import ADMIN

OTHER_OWNER = 902
OWNERS = [Person(ADMIN, "المشرف"), Person(OTHER_OWNER, "مشرف آخر")]
CHANNEL = -1001000000888
TRIES = 4  # removals at once: two owners pressing twice


def each(n: int = TRIES) -> list[Person]:
    return [OWNERS[i % 2] for i in range(n)]


async def audited(app: NashraApp, action: str) -> int:
    async with services_of(app).sessions() as session:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        return int(await session.scalar(query) or 0)


async def test_a_feed_is_removed_once(console: Console) -> None:
    async with console(admin_ids=[ADMIN, OTHER_OWNER]) as app:
        services = services_of(app)
        async with services.sessions.begin() as session:
            feed = await add_feed(session, "https://a.example.sy/rss", name="مصدر")
        results = await asyncio.gather(*(services.sources.remove(p, feed.id) for p in each()))
        assert sum(result is not None for result in results) == 1
        assert await audited(app, "feed.remove") == 1


async def test_a_category_is_removed_once(console: Console) -> None:
    async with console(admin_ids=[ADMIN, OTHER_OWNER]) as app:
        services = services_of(app)
        async with services.sessions.begin() as session:
            [category] = await catalog.ensure_categories(session, ["قسم للحذف"])
        results = await asyncio.gather(
            *(services.categories.remove(p, category.id) for p in each())
        )
        assert [r.problem for r in results].count(None) == 1
        assert {r.problem for r in results} == {None, RemoveProblem.NOT_FOUND}
        assert await audited(app, "category.remove") == 1


async def test_a_channel_is_removed_once(console: Console) -> None:
    async with console(admin_ids=[ADMIN, OTHER_OWNER]) as app:
        services = services_of(app)
        async with services.sessions.begin() as session:
            [category] = await catalog.ensure_categories(session, ["سياسة"])
            await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL, title="قناة")
            await catalog.subscribe(session, CHANNEL, [category])
        results = await asyncio.gather(*(services.channels.remove(p, CHANNEL) for p in each()))
        assert sum(result is not None for result in results) == 1
        assert await audited(app, "channel.remove") == 1


async def test_an_admin_is_removed_once(console: Console) -> None:
    async with console(admin_ids=[ADMIN, OTHER_OWNER]) as app:
        services = services_of(app)
        await services.admins.add(OWNERS[0], Person(777, "Sam"))
        results = await asyncio.gather(*(services.admins.remove(p, 777) for p in each()))
        assert [r.problem for r in results].count(None) == 1
        assert await audited(app, "admin.remove") == 1

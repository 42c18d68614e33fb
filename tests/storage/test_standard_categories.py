"""Migration 0007: a fresh install has the standard sections; an existing one keeps its own."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.feeds.poller import load_categoriser
from bot.text.arabic import normalise
from storage import catalog
from storage.db import downgrade, make_sessions, upgrade
from storage.feeds import add_feed
from storage.models import ChatKind
from tests.support import STANDARD_CATEGORIES


async def _names(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        return [category.name for category in await catalog.all_categories(session)]


async def test_a_fresh_database_lists_the_standard_categories(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert sorted(await _names(sessions)) == sorted(STANDARD_CATEGORIES)
    async with sessions() as session:
        categories = await catalog.all_categories(session)
    assert all(category.aliases and category.keywords == [] for category in categories)


async def test_no_label_means_two_sections(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        categories = await catalog.all_categories(session)
    labels = Counter(
        normalise(label) for c in categories for label in (c.name, *c.aliases)
    )  # fmt: skip
    assert [label for label, count in labels.items() if count > 1] == []


@pytest.mark.parametrize(
    ("label", "section"),
    [
        ("سوريا محلي", "سوريا محلي"),
        ("محليات", "سوريا محلي"),
        ("Syria", "سوريا محلي"),
        ("Politics", "سياسة"),
        ("أخبار سياسية", "سياسة"),
        ("السياسة", "سياسة"),
        ("World", "عربي ودولي"),
        ("دولي", "عربي ودولي"),
        ("حول العالم", "عربي ودولي"),
        ("اقتصاد وأعمال", "اقتصاد"),
        ("الأعمال والاقتصاد", "اقتصاد"),
        ("business", "اقتصاد"),
        ("SPORTS", "رياضة"),
        ("الرياضة", "رياضة"),
        ("Arts & Entertainment", "ثقافة وفن"),
        ("الفن", "ثقافة وفن"),
        ("التقنية", "علوم وتكنولوجيا"),
        ("Science", "علوم وتكنولوجيا"),
        ("الصحة", "صحة"),
        ("Health", "صحة"),
        ("منوعات", "منوعات"),
        ("variety", "منوعات"),
    ],
)
async def test_feed_labels_map_onto_the_sections(
    sessions: async_sessionmaker[AsyncSession], label: str, section: str
) -> None:
    async with sessions() as session:
        categoriser = await load_categoriser(session)
        expected = await catalog.category_by_name(session, section)
    assert expected is not None
    assert categoriser.categorise(defaults=[], labels=[label], terms="") == [expected.id]


async def test_an_existing_install_keeps_its_own_categories(engine: AsyncEngine) -> None:
    await downgrade(engine, "0006")
    sessions = make_sessions(engine)
    assert await _names(sessions) == []
    async with sessions.begin() as session:
        # The operator's own: a سياسة spelt with ه, and a tech section claiming "technology".
        [politics, tech] = await catalog.ensure_categories(session, ["سياسه", "تقنية"])
        politics.aliases = ["politics"]
        tech.aliases = ["technology", "التقنية"]
    await upgrade(engine)
    names = await _names(sessions)
    assert "سياسة" not in names  # not a second politics
    assert sorted(names) == sorted({*STANDARD_CATEGORIES, "سياسه", "تقنية"} - {"سياسة"})
    async with sessions() as session:
        science = await catalog.category_by_name(session, "علوم وتكنولوجيا")
        mine = await catalog.category_by_name(session, "تقنية")
        categoriser = await load_categoriser(session)
    assert science is not None
    assert mine is not None
    assert "technology" not in science.aliases  # left to the operator's category
    assert "science" in science.aliases
    assert mine.aliases == ["technology", "التقنية"]
    found = categoriser.categorise(defaults=[], labels=["Technology", "Science"], terms="")
    assert found == [mine.id, science.id]


async def test_the_downgrade_removes_only_the_unused_seeded_rows(engine: AsyncEngine) -> None:
    await downgrade(engine, "0006")
    sessions = make_sessions(engine)
    async with sessions.begin() as session:
        await catalog.ensure_categories(session, ["أخبار"])  # the operator's, from before
    await upgrade(engine)
    async with sessions.begin() as session:
        [politics, economy, sport, health] = await catalog.ensure_categories(
            session, ["سياسة", "اقتصاد", "رياضة", "صحة"]
        )
        await catalog.upsert_chat(session, -1001, ChatKind.CHANNEL)
        await catalog.subscribe(session, -1001, [politics])  # a channel's binding
        await add_feed(session, "https://news.example.sy/feed", categories=[economy])
        sport.keywords = ["كرة"]  # edited by an operator
        health.aliases = [*health.aliases, "طبي"]  # edited too
    await downgrade(engine, "0006")
    assert sorted(await _names(sessions)) == sorted(["أخبار", "سياسة", "اقتصاد", "رياضة", "صحة"])
    await upgrade(engine)  # and back: nothing doubled
    assert sorted(await _names(sessions)) == sorted([*STANDARD_CATEGORIES, "أخبار"])

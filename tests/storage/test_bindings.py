"""A binding's own settings (issue 9): its summary length and the languages besides Arabic it
takes, stored, bounded and read back as the planner and the console read them (both DBs)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import catalog, channels
from storage.channels import LANGUAGES, LATIN, SUMMARY_CHARS_MAX, SUMMARY_CHARS_MIN
from storage.models import ChatKind, Subscription
from tests.factories import channel

CHANNEL, READER = -1003000000001, 31


async def _world(session: AsyncSession) -> tuple[int, int]:
    politics, sport = await catalog.ensure_categories(session, ["سياسة", "رياضة"])
    await channel(session, CHANNEL, [politics, sport])
    await catalog.upsert_chat(session, READER, ChatKind.PRIVATE)
    await catalog.subscribe(session, READER, [politics])
    return politics.id, sport.id


async def _stored(sessions: async_sessionmaker[AsyncSession], category_id: int) -> Subscription:
    async with sessions() as session:
        stored = await session.get(Subscription, (CHANNEL, category_id))
    assert stored is not None
    return stored


async def test_a_binding_keeps_its_length_and_languages_at_the_limits(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        politics, sport = await _world(session)
        assert await channels.set_summary_chars(session, CHANNEL, politics, SUMMARY_CHARS_MIN)
        assert await channels.set_summary_chars(session, CHANNEL, sport, SUMMARY_CHARS_MAX)
        # Given in any order, with repeats: stored once, in LANGUAGES order.
        assert await channels.set_languages(session, CHANNEL, politics, [LATIN, "fa", LATIN])
    async with sessions() as session:
        found = {b.name: b for b in await channels.bindings(session, CHANNEL)}
    assert (await _stored(sessions, politics)).languages == ["fa", LATIN]
    assert (found["سياسة"].summary_chars, found["سياسة"].languages) == (150, ("fa", LATIN))
    assert (found["رياضة"].summary_chars, found["رياضة"].languages) == (3000, ())

    async with sessions() as session:
        followers = await channels.followers(session, [politics, sport])
    by_binding = {(f.chat_id, f.category_id): f for f in followers}
    assert by_binding[CHANNEL, politics].languages == {"fa", LATIN}
    assert by_binding[CHANNEL, politics].takes("fa")
    assert by_binding[CHANNEL, politics].takes("ar")
    assert not by_binding[CHANNEL, politics].takes("ur")
    assert by_binding[CHANNEL, sport].summary_chars == 3000
    reader = by_binding[READER, politics]
    assert (reader.kind, reader.summary_chars, reader.languages) == (ChatKind.PRIVATE, None, set())


@pytest.mark.parametrize("chars", [SUMMARY_CHARS_MIN - 1, SUMMARY_CHARS_MAX + 1, 0, -200])
async def test_a_length_past_the_limits_is_refused_and_nothing_changes(
    sessions: async_sessionmaker[AsyncSession], chars: int
) -> None:
    async with sessions.begin() as session:
        politics, _ = await _world(session)
        await channels.set_summary_chars(session, CHANNEL, politics, 700)
    async with sessions.begin() as session:
        with pytest.raises(ValueError, match="summary length"):
            await channels.set_summary_chars(session, CHANNEL, politics, chars)
    assert (await _stored(sessions, politics)).summary_chars == 700


@pytest.mark.parametrize("codes", [["en"], ["ar"], ["fa", "xx"], [""], ["FA"]])
async def test_unknown_language_codes_are_refused(
    sessions: async_sessionmaker[AsyncSession], codes: list[str]
) -> None:
    async with sessions.begin() as session:
        politics, _ = await _world(session)
        with pytest.raises(ValueError, match="unknown language"):
            await channels.set_languages(session, CHANNEL, politics, codes)
    assert (await _stored(sessions, politics)).languages is None


async def test_back_to_the_defaults_and_a_binding_that_is_not_there(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        politics, sport = await _world(session)
        await channels.set_summary_chars(session, CHANNEL, politics, 200)
        await channels.set_languages(session, CHANNEL, politics, LANGUAGES)
    async with sessions.begin() as session:
        assert await channels.set_summary_chars(session, CHANNEL, politics, None)
        assert await channels.set_languages(session, CHANNEL, politics, [])
        # The reader does not follow رياضة, and an unknown chat follows nothing.
        assert not await channels.set_summary_chars(session, READER, sport, 200)
        assert not await channels.set_languages(session, -1009, politics, ["fa"])
    stored = await _stored(sessions, politics)
    assert (stored.summary_chars, stored.languages) == (None, None)


async def test_moving_a_binding_to_a_topic_keeps_its_settings(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        politics, _ = await _world(session)
        await channels.set_summary_chars(session, CHANNEL, politics, 1000)
        await channels.set_languages(session, CHANNEL, politics, ["he"])
        category = await catalog.category_by_name(session, "سياسة")
        assert category is not None
        await channels.bind(session, CHANNEL, [category], 45)
    async with sessions() as session:
        [politics_binding] = [
            b for b in await channels.bindings(session, CHANNEL) if b.category_id == politics
        ]
    assert politics_binding == channels.Binding(politics, "سياسة", 45, 1000, ("he",))

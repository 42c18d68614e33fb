"""Who gets an article: categories, keyword alerts with Arabic variants, mutes, digests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.planner import NewArticle, keyword_term, plan_deliveries
from bot.text.arabic import index_terms
from storage import catalog, channels, readers
from storage.feeds import add_feed
from storage.models import Category, Chat, ChatKind, Delivery, DeliveryMode, DeliveryStatus
from tests.factories import article_row, store_articles

NOW = datetime(2026, 1, 11, tzinfo=UTC)


def terms(title: str, text: str) -> str:
    """What the parser computes for an entry."""
    return " ".join(index_terms(f"{title}\n{text}"))


CHANNEL, ALICE, BOB, CAROL = -1001, 11, 12, 13


async def world(session: AsyncSession) -> tuple[int, int]:
    """A channel and three readers; returns the ids of سياسة and رياضة."""
    politics, sport = await catalog.ensure_categories(session, ["سياسة", "رياضة"])
    await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL)
    await catalog.subscribe(session, CHANNEL, [politics])
    for reader in (ALICE, BOB, CAROL):
        await catalog.upsert_chat(session, reader, ChatKind.PRIVATE)
    await catalog.subscribe(session, ALICE, [politics])
    await catalog.subscribe(session, BOB, [sport])
    return politics.id, sport.id


async def article(session: AsyncSession, title: str, text: str = "") -> int:
    feed = await add_feed(session, f"https://x.sy/{title}", now=NOW)
    row = article_row(feed.id, title, when=NOW, title=title, link=None, text=text, summary="")
    [article_id] = await store_articles(session, [row])
    return article_id


async def audience(sessions: async_sessionmaker[AsyncSession]) -> dict[int, tuple[int, str]]:
    async with sessions() as session:
        rows = (await session.scalars(select(Delivery))).all()
        return {row.chat_id: (row.priority, row.status.value) for row in rows}


async def test_category_followers_channels_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        politics, _ = await world(session)
        article_id = await article(session, "بيان سياسي")
        planned = await plan_deliveries(session, [NewArticle(article_id, [politics], "")], NOW)
    assert planned == 2
    assert await audience(sessions) == {CHANNEL: (0, "pending"), ALICE: (1, "pending")}


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("الانسحاب", "أعلنت القوات انْسِحَابَهَا من الحي"),  # diacritics and a suffix
        ("انسحاب", "بدء الإنسحاب من حلب"),  # hamza written on the alef
        ("مقاتلي", "خروج المقاتلين من الشيخ مقصود"),
        ("أسعار الذهب", "ارتفاع اسعار الذهب اليوم"),  # a phrase, hamza dropped
        ("سوريا", "قالت سوريّا إن…"),  # shadda
    ],
)
async def test_keyword_alerts_match_arabic_variants(
    sessions: async_sessionmaker[AsyncSession], keyword: str, text: str
) -> None:
    async with sessions.begin() as session:
        _, sport = await world(session)
        await readers.add_keyword(session, CAROL, keyword, keyword_term(keyword), mute=False)
        article_id = await article(session, "خبر", text)
        await plan_deliveries(session, [NewArticle(article_id, [sport], terms("خبر", text))], NOW)
    assert CAROL in await audience(sessions)


async def test_keyword_that_does_not_occur_plans_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await world(session)
        await readers.add_keyword(session, CAROL, "حمص", keyword_term("حمص"), mute=False)
        article_id = await article(session, "خبر", "أخبار من حلب")
        await plan_deliveries(
            session, [NewArticle(article_id, [], terms("خبر", "أخبار من حلب"))], NOW
        )
    assert await audience(sessions) == {}


@pytest.mark.parametrize(
    ("keyword", "text", "alerted"),
    [
        ("حزب الله", "أعلن حزب الله مقتل اثنين من عناصره", True),
        ("حزب الله", "قال رئيس الحزب إن لا مكان له في الحكومة", False),  # «له» is not «الله»
        ("الله", "قدم له الأعضاء تقاريرهم ولهم الشكر", False),
        ("الله", "قال الإمام: الحمد لِلّهِ", True),
        ("عبد الله", "استقبل الملك عبدالله الوفد", True),  # written as one word
        ("الآن", "قال إن الاتفاق تم", False),  # «الآن» is not «أن»
    ],
)
async def test_keyword_alerts_on_allah_and_function_words(
    sessions: async_sessionmaker[AsyncSession], keyword: str, text: str, alerted: bool
) -> None:
    async with sessions.begin() as session:
        _, sport = await world(session)
        await readers.add_keyword(session, CAROL, keyword, keyword_term(keyword), mute=False)
        article_id = await article(session, "خبر", text)
        await plan_deliveries(session, [NewArticle(article_id, [sport], terms("خبر", text))], NOW)
    assert (CAROL in await audience(sessions)) is alerted


async def test_mute_suppresses_a_followed_category_but_not_a_channel(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        politics, _ = await world(session)
        await readers.add_keyword(
            session, ALICE, "الانتخابات", keyword_term("الانتخابات"), mute=True
        )
        text = "جدل حول موعد الاِنتخابات"
        article_id = await article(session, "خبر", text)
        await plan_deliveries(
            session, [NewArticle(article_id, [politics], terms("خبر", text))], NOW
        )
    assert await audience(sessions) == {CHANNEL: (0, "pending")}


async def test_digest_readers_get_held_rows_and_inactive_chats_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        politics, sport = await world(session)
        alice = await session.get(Chat, ALICE)
        assert alice is not None
        alice.delivery_mode = DeliveryMode.HOURLY
        await catalog.deactivate_chat(session, BOB, "blocked the bot")
        article_id = await article(session, "خبر")
        await plan_deliveries(session, [NewArticle(article_id, [politics, sport], "")], NOW)
    planned = await audience(sessions)
    assert planned == {CHANNEL: (0, "pending"), ALICE: (1, DeliveryStatus.HELD.value)}


async def test_a_forum_gets_one_post_in_the_topic_of_the_articles_first_category(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    forum = -1002
    async with sessions.begin() as session:
        politics, sport, economy = await catalog.ensure_categories(
            session, ["سياسة", "رياضة", "اقتصاد"]
        )
        await catalog.upsert_chat(session, forum, ChatKind.GROUP)
        await channels.bind(session, forum, [politics], 45)
        await channels.bind(session, forum, [sport], 46)
        await channels.bind(session, forum, [economy], None)  # the General topic
        both = await article(session, "بيان سياسي رياضي")
        general = await article(session, "خبر اقتصادي")
        new = [
            NewArticle(both, [sport.id, politics.id], ""),
            NewArticle(general, [economy.id], ""),
        ]
        assert await plan_deliveries(session, new, NOW) == 2
    async with sessions() as session:
        rows = (await session.scalars(select(Delivery).order_by(Delivery.article_id))).all()
    assert [(r.article_id, r.chat_id, r.message_thread_id) for r in rows] == [
        (both, forum, 46),
        (general, forum, None),
    ]


# ---------------------------------------------------------------------- issue 9: bindings


async def _languages_world(session: AsyncSession) -> tuple[int, int, dict[str, int]]:
    """CHANNEL (Arabic only), a Persian group, a group taking every language, and readers
    ALICE (politics) and CAROL (a keyword alert on «طهران»); the ids of سياسة and رياضة."""
    politics, sport = await world(session)
    groups = {"fa": -1101, "all": -1102}
    for chat_id in groups.values():
        await catalog.upsert_chat(session, chat_id, ChatKind.GROUP)
        await catalog.subscribe(session, chat_id, [await session.get(Category, politics)])
    await channels.set_languages(session, groups["fa"], politics, ["fa"])
    await channels.set_languages(session, groups["all"], politics, channels.LANGUAGES)
    # A reader's binding cannot be given other languages by the console; even stored, it is
    # not followed: readers get Arabic only.
    await channels.set_languages(session, ALICE, politics, channels.LANGUAGES)
    await readers.add_keyword(session, CAROL, "طهران", keyword_term("طهران"), mute=False)
    return politics, sport, groups


@pytest.mark.parametrize(
    ("language", "reached"),
    [
        ("ar", {CHANNEL, ALICE, CAROL, -1101, -1102}),
        ("fa", {-1101, -1102}),
        ("ur", {-1102}),
        ("he", {-1102}),
        (None, {-1102}),  # Latin script (English in an Arabic section): "latn"
    ],
)
async def test_an_article_not_in_arabic_reaches_only_the_bindings_that_take_it(
    sessions: async_sessionmaker[AsyncSession], language: str | None, reached: set[int]
) -> None:
    async with sessions.begin() as session:
        politics, _, _ = await _languages_world(session)
        article_id = await article(session, "خبر من طهران")
        new = NewArticle(article_id, [politics], terms("خبر من طهران", ""), language)
        assert await plan_deliveries(session, [new], NOW) == len(reached)
    assert set(await audience(sessions)) == reached


async def test_a_language_taken_by_another_binding_of_the_chat_still_counts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A chat bound to two of the article's categories gets it through the one that takes
    its language, in that binding's topic."""
    forum = -1103
    async with sessions.begin() as session:
        politics, sport = await catalog.ensure_categories(session, ["سياسة", "رياضة"])
        await catalog.upsert_chat(session, forum, ChatKind.GROUP)
        await channels.bind(session, forum, [politics], 45)
        await channels.bind(session, forum, [sport], 46)
        await channels.set_languages(session, forum, sport.id, ["ur"])
        article_id = await article(session, "خبر")
        new = NewArticle(article_id, [politics.id, sport.id], "", "ur")
        assert await plan_deliveries(session, [new], NOW) == 1
    async with sessions() as session:
        [row] = (await session.scalars(select(Delivery))).all()
    assert (row.chat_id, row.message_thread_id) == (forum, 46)


async def test_each_row_records_the_summary_length_of_its_binding(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The article's first category bound in the chat with a length gives it (as topics)."""
    short, long_, plain = -1201, -1202, -1203
    async with sessions.begin() as session:
        politics, sport, economy = await catalog.ensure_categories(
            session, ["سياسة", "رياضة", "اقتصاد"]
        )
        for chat_id in (short, long_, plain):
            await catalog.upsert_chat(session, chat_id, ChatKind.CHANNEL)
            await catalog.subscribe(session, chat_id, [politics, sport, economy])
        await channels.set_summary_chars(session, short, sport.id, 200)
        await channels.set_summary_chars(session, short, economy.id, 1000)
        await channels.set_summary_chars(session, long_, politics.id, 700)
        await channels.set_summary_chars(session, long_, economy.id, 1000)
        article_id = await article(session, "خبر")
        new = NewArticle(article_id, [economy.id, sport.id, politics.id], "")
        assert await plan_deliveries(session, [new], NOW) == 3
    async with sessions() as session:
        rows = (await session.scalars(select(Delivery))).all()
    assert {row.chat_id: row.summary_chars for row in rows} == {
        short: 1000, long_: 1000, plain: None,
    }  # fmt: skip
    async with sessions.begin() as session:
        other = await article(session, "خبر آخر")
        new = NewArticle(other, [sport.id, politics.id], "")
        await plan_deliveries(session, [new], NOW)
    async with sessions() as session:
        query = select(Delivery).where(Delivery.article_id == other)
        rows = (await session.scalars(query)).all()
    assert {row.chat_id: row.summary_chars for row in rows} == {
        short: 200, long_: 700, plain: None,
    }  # fmt: skip


async def test_a_story_told_again_reaches_only_the_chats_without_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The channel and Alice have the story: their posts are marked for an edit; Carol, a
    digest reader, has it held: nothing is marked; Bob follows sport only and gets the copy."""
    async with sessions.begin() as session:
        politics, sport = await world(session)
        carol = await session.get(Chat, CAROL)
        assert carol is not None
        carol.delivery_mode = DeliveryMode.DAILY
        await catalog.subscribe(session, CAROL, [await session.get_one(Category, politics)])
        first = await article(session, "انسحاب المقاتلين من حي الشيخ مقصود")
        await plan_deliveries(session, [NewArticle(first, [politics], "")], NOW)
        copy = await article(session, "حلب: انسحاب المقاتلين من الشيخ مقصود")
        again = await article(session, "انسحاب آخر المقاتلين من الشيخ مقصود")
        told = [NewArticle(copy, [politics, sport], "", story=first),
                NewArticle(again, [politics, sport], "", story=first)]  # fmt: skip
        assert await plan_deliveries(session, told, NOW) == 1
    async with sessions() as session:
        rows = (await session.scalars(select(Delivery).order_by(Delivery.id))).all()
    assert [(row.article_id, row.chat_id) for row in rows if row.article_id != first] == [
        (copy, BOB)  # the second copy finds the first one planned for Bob just now
    ]
    marked = {row.chat_id for row in rows if row.edit_due_at is not None}
    assert marked == {CHANNEL, ALICE}

"""The same-story tables on both backends: roots, the chats that have a story, edits, the other
outlets a post names, and one decision at a time across processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.feeds.story_desk import Candidate, StoryDesk
from bot.news.stories import fingerprint
from storage import catalog, outbox, stories
from storage.feeds import add_feed
from storage.models import Article, ChatKind, Delivery, DeliveryStatus, Feed
from tests.factories import article_row, store_articles

NOW = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
CHANNEL = -1003000000001
READER = 4001
LEASE = timedelta(seconds=60)
TEXT = (
    "أعلنت محافظة حلب صباح اليوم انسحاب آخر المقاتلين من حي الشيخ مقصود بعد اشتباكات استمرت"
    " ثلاثة أيام. وقال المحافظ إن فرق الهندسة بدأت إزالة الألغام من الشوارع الرئيسية تمهيداً"
    " لعودة السكان إلى منازلهم."
)


async def outlet(session: AsyncSession, name: str, site: str) -> Feed:
    feed = await add_feed(session, f"https://{site}/feed", now=NOW)
    feed.name = name
    return feed


async def story(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Four articles: the first of a story (enab), two copies (sana, jazeera) and the first
    outlet's own second copy; every one sent to the channel but the last."""
    async with sessions.begin() as session:
        sites = {"enab": "www.enabbaladi.net", "sana": "sana.sy", "jazeera": "www.aljazeera.net"}
        names = {"enab": "عنب بلدي", "sana": "سانا", "jazeera": ""}
        feeds = {key: await outlet(session, names[key], site) for key, site in sites.items()}
        ids: dict[str, int] = {}
        order = (("first", "enab"), ("sana", "sana"), ("jazeera", "jazeera"), ("again", "enab"))
        for minutes, (key, feed_key) in enumerate(order):
            site = sites[feed_key]
            row = article_row(
                feeds[feed_key].id,
                key,
                when=NOW + timedelta(minutes=minutes),
                link=f"https://{site}/news/{key}",
                source_domain=site.removeprefix("www."),
            )
            [ids[key]] = await store_articles(session, [row])
        await stories.set_story(
            session, [(ids[k], ids["first"]) for k in ("sana", "jazeera", "again")]
        )
        await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL)
        await catalog.upsert_chat(session, READER, ChatKind.PRIVATE)
        await outbox.plan(session, [(ids["first"], CHANNEL, 0, DeliveryStatus.PENDING)], NOW)
    return ids


async def sent(sessions: async_sessionmaker[AsyncSession], delivery_id: int, message: int) -> None:
    """The delivery is sent now, as message `message`."""
    async with sessions.begin() as session:
        await outbox.lease_due(session, NOW, limit=10, lease=LEASE, token="t")
        await outbox.record(session, [{
            "delivery_id": delivery_id, "token": "t", "status": DeliveryStatus.SENT,
            "last_error": None, "message_id": message, "sent_at": NOW, "attempts": 0,
            "next_attempt_at": NOW, "as_photo": False,
        }])  # fmt: skip


async def delivery(
    sessions: async_sessionmaker[AsyncSession], article_id: int, chat: int
) -> Delivery:
    async with sessions() as session:
        row = await session.scalar(
            select(Delivery).where(Delivery.article_id == article_id, Delivery.chat_id == chat)
        )
        assert row is not None
        return row


async def test_a_story_is_its_first_article_and_the_articles_that_name_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await story(sessions)
    async with sessions() as session:
        roots = await stories.roots(session, ids.values())
        having = await stories.chats_with(session, [ids["first"]], [CHANNEL, READER])
    assert set(roots.values()) == {ids["first"]}
    row = await delivery(sessions, ids["first"], CHANNEL)
    assert having == {
        ids["first"]: {
            CHANNEL: stories.StoryDelivery(row.id, CHANNEL, DeliveryStatus.PENDING, ids["first"])
        }
    }


async def test_a_post_names_the_other_outlets_once_each_oldest_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await story(sessions)
    async with sessions() as session:
        outlets = await stories.other_outlets(session, ids.values())
    assert outlets[ids["first"]] == [
        ("سانا", "https://sana.sy/news/sana"),
        ("aljazeera.net", "https://www.aljazeera.net/news/jazeera"),  # a feed with no name
    ]
    # A copy names the first outlet and the third, not itself; the first outlet's own second
    # copy is not another outlet.
    assert [name for name, _ in outlets[ids["sana"]]] == ["عنب بلدي", "aljazeera.net"]
    assert [name for name, _ in outlets[ids["again"]]] == ["سانا", "aljazeera.net"]
    async with sessions() as session:
        assert (await stories.other_outlets(session, [ids["first"]], limit=1))[ids["first"]] == [
            ("سانا", "https://sana.sy/news/sana")
        ]


async def test_sent_posts_are_marked_leased_and_finished_for_an_edit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await story(sessions)
    row = await delivery(sessions, ids["first"], CHANNEL)
    await sent(sessions, row.id, 7)
    later = NOW + timedelta(days=10)  # a channel's post is edited however old it is
    async with sessions.begin() as session:
        assert await stories.request_edits(session, [row.id], later) == 1
    async with sessions.begin() as session:
        [leased] = await stories.lease_edits(session, later, limit=10, lease=LEASE, token="e")
        assert (leased.id, leased.message_id) == (row.id, 7)
    async with sessions.begin() as session:  # held: nobody else takes it meanwhile
        assert await stories.lease_edits(session, later, limit=10, lease=LEASE, token="x") == []
        await stories.finish_edit(session, row.id, "x", later)  # not the holder's token: nothing
        await stories.finish_edit(
            session, row.id, "e", later, again_at=later + timedelta(minutes=5)
        )
    async with sessions.begin() as session:
        assert await stories.lease_edits(session, later, limit=10, lease=LEASE, token="y") == []
        again = later + timedelta(minutes=5)
        [leased] = await stories.lease_edits(session, again, limit=10, lease=LEASE, token="y")
        await stories.finish_edit(session, row.id, "y", again)
    edited = await delivery(sessions, ids["first"], CHANNEL)
    assert (edited.edit_due_at, edited.lease_token, edited.status) == (
        None, None, DeliveryStatus.SENT,
    )  # fmt: skip


async def test_a_readers_post_past_telegrams_edit_window_is_not_marked(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await story(sessions)
    async with sessions.begin() as session:
        await outbox.plan(session, [(ids["first"], READER, 1, DeliveryStatus.PENDING)], NOW)
    row = await delivery(sessions, ids["first"], READER)
    await sent(sessions, row.id, 9)
    async with sessions.begin() as session:
        late = NOW + stories.PRIVATE_EDIT_WINDOW + timedelta(minutes=1)
        assert await stories.request_edits(session, [row.id], late) == 0
        assert await stories.request_edits(session, [row.id], NOW + timedelta(hours=1)) == 1


async def test_fingerprints_are_read_back_from_the_window_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    print_ = fingerprint("انسحاب المقاتلين من حي الشيخ مقصود في حلب", TEXT)
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://x.sy/feed", now=NOW)
        stored = print_.to_bytes()
        rows = [
            article_row(feed.id, "old", when=NOW - timedelta(days=4), fingerprint=stored),
            article_row(feed.id, "new", when=NOW, fingerprint=stored),
        ]
        _, new = await store_articles(session, rows)
    async with sessions() as session:
        rows = await stories.fingerprints_since(session, NOW - timedelta(hours=72))
        assert [row.id for row in rows] == [new]
        assert (
            await stories.fingerprints_since(session, NOW - timedelta(days=5), after_id=new) == []
        )
    desk = StoryDesk()
    assert await desk.load(sessions, NOW) == 1
    assert desk.decide([Candidate("k", print_, NOW)]) == {"k": new}


async def test_two_processes_storing_one_story_at_once_decide_in_turn(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    """Each process has its own desk (in-memory index and lock); the database's lock makes the
    second decision wait for the first one's commit, and see it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share PostgreSQL (DESIGN.md §3); SQLite is one process")
    print_ = fingerprint("انسحاب المقاتلين من حي الشيخ مقصود في حلب", TEXT)
    async with sessions.begin() as session:
        feeds = [await add_feed(session, f"https://{n}.sy/feed", now=NOW) for n in ("a", "b")]
    feed_ids = [feed.id for feed in feeds]
    started = asyncio.Event()

    async def store(desk: StoryDesk, feed_id: int, first: bool) -> int | str | None:
        async with desk.deciding(), sessions.begin() as session:
            await desk.catch_up(session, NOW)
            decided = desk.decide([Candidate("k", print_, NOW)])
            if first:
                started.set()
                await asyncio.sleep(0)  # let the other process reach its lock
            row = article_row(feed_id, "k", when=NOW, fingerprint=print_.to_bytes())
            [article_id] = await store_articles(session, [row])
            found = decided["k"]
            if isinstance(found, int):
                await stories.set_story(session, [(article_id, found)])
            return found

    async def second() -> int | str | None:
        await started.wait()
        return await store(StoryDesk(), feed_ids[1], False)

    first_found, second_found = await asyncio.gather(
        store(StoryDesk(), feed_ids[0], True), second()
    )
    async with sessions() as session:
        query = select(Article.feed_id, Article.story_id).order_by(Article.id)
        roots = (await session.execute(query)).all()
    assert first_found is None
    assert second_found is not None
    assert [story_id is None for _, story_id in roots] == [True, False]


async def test_a_post_sent_in_a_digest_is_never_marked(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A digest's rows carry the digest's message id: editing it would replace the digest."""
    ids = await story(sessions)
    async with sessions.begin() as session:
        await outbox.plan(session, [(ids["first"], READER, 1, DeliveryStatus.HELD)], NOW)
    row = await delivery(sessions, ids["first"], READER)
    async with sessions.begin() as session:
        await session.execute(update(Delivery).where(Delivery.id == row.id).values(lease_token="d"))
        await outbox.finish_held(
            session, [row.id], DeliveryStatus.SENT, NOW, token="d", message_id=5
        )
    async with sessions.begin() as session:
        assert await stories.request_edits(session, [row.id], NOW) == 0
        having = await stories.chats_with(session, [ids["first"]], [READER])
    assert READER in having[ids["first"]]  # it has the story all the same


async def test_an_edit_asked_for_while_another_is_on_its_way_is_kept(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The edit leased at 9:00 was formatted before a third outlet was stored at 9:01: when it
    is done, the row is still due for the edit that names that outlet."""
    ids = await story(sessions)
    row = await delivery(sessions, ids["first"], CHANNEL)
    await sent(sessions, row.id, 7)
    async with sessions.begin() as session:
        await stories.request_edits(session, [row.id], NOW)
    async with sessions.begin() as session:
        [leased] = await stories.lease_edits(session, NOW, limit=10, lease=LEASE, token="e")
    later = NOW + timedelta(minutes=1)
    async with sessions.begin() as session:
        await stories.request_edits(session, [row.id], later)
    async with sessions.begin() as session:
        await stories.finish_edit(session, row.id, "e", later, leased_at=NOW)
    assert (await delivery(sessions, ids["first"], CHANNEL)).edit_due_at == later
    async with sessions.begin() as session:
        [again] = await stories.lease_edits(session, later, limit=10, lease=LEASE, token="f")
        await stories.finish_edit(session, row.id, "f", later, leased_at=later)
    assert (await delivery(sessions, ids["first"], CHANNEL)).edit_due_at is None
    assert leased.id == again.id == row.id

"""Channels and groups from the operators' console, through the fake Telegram server:
/addchannel (with the bot's rights checked), forum topics, /channels and its buttons, and the
bot added to or removed from a chat (on SQLite and on PostgreSQL where storage is touched)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import poll_feeds, services_of
from bot.channels import (
    CHANNEL_ADD,
    CHANNEL_BIND,
    CHANNEL_LANGUAGES,
    CHANNEL_REMOVE,
    CHANNEL_SUMMARY,
    CHANNEL_UNBIND,
)
from bot.context import NashraApp
from bot.delivery.planner import NewArticle, plan_deliveries
from bot.errors import DeliveryError, SendOutcome
from bot.news.formatter import Post
from bot.notices import MEMBERSHIP_PER_CHAT, REPEAT_AFTER
from bot.text.dates import to_digits
from bot.text.html import rtl_html
from bot.text.messages import text
from storage import catalog, channels, outbox
from storage.articles import insert_articles
from storage.feeds import add_feed
from storage.models import (
    CATEGORY_NAME_CHARS,
    AuditEntry,
    Chat,
    ChatKind,
    Delivery,
    DeliveryStatus,
    Feed,
)
from tests.factories import article_row
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import (
    MAX_TEXT_UTF16,
    FakeTelegram,
    ManualClock,
    StoredMessage,
    parse_html,
    utf16_len,
)
from tests.handlers.conversation import (
    ADMIN,
    READER,
    buttons,
    category_id,
    nothing_being_handled,
    press,
    say,
)

CHANNEL = -1001500000001
FORUM = -1001600000002
GROUP = -1001700000003
BOT = "nashra_test_bot"
YESTERDAY = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


def shown(key: str, language: str | None = "ar", **values: Any) -> str:
    """A reply as Telegram shows it (the HTML parsed away; in Arabic, each line that would
    start left to right marked right to left)."""
    message = text(key, language, **values)
    return parse_html(rtl_html(message) if language == "ar" else message)[0]


async def bound(app: NashraApp, chat_id: int) -> list[tuple[str, int | None]]:
    async with services_of(app).sessions() as session:
        return [(b.name, b.thread_id) for b in await channels.bindings(session, chat_id)]


async def audit(app: NashraApp) -> list[str]:
    async with services_of(app).sessions() as session:
        return list(
            (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
        )


async def chat_row(app: NashraApp, chat_id: int) -> Chat | None:
    async with services_of(app).sessions() as session:
        return await session.get(Chat, chat_id)


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Wait until the condition holds: what the sender records, it records in the background."""
    async with asyncio.timeout(15):  # a hang guard, not a measure
        # The recorder has no event for a written outcome: look again.
        while not await condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def active(app: NashraApp, chat_id: int) -> bool | None:
    """Whether posts go to the stored chat; None: not stored."""
    chat = await chat_row(app, chat_id)
    return None if chat is None else chat.active


async def notice(telegram: FakeTelegram, before: int) -> StoredMessage:
    """The next message the owner gets (a notice)."""
    await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
    return telegram.sent(ADMIN)[-1]


# ---------------------------------------------------------------------- /addchannel


async def test_a_channel_is_checked_and_bound_by_name_id_or_link(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    long_title = "أخبار " * 60  # past the column's 255 characters: cut, not refused
    telegram.add_chat(CHANNEL, "channel", title=long_title, username="akhbar_sy")
    answer = await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة سوريا محلي")
    assert answer.text.startswith("✅ ")
    assert "مرتبطة الآن بـ: سوريا محلي، سياسة" in answer.text
    assert await bound(app, CHANNEL) == [("سوريا محلي", None), ("سياسة", None)]
    stored = await chat_row(app, CHANNEL)
    assert stored is not None
    assert stored.active
    assert len(stored.title or "") == 255
    # getChat, then getChatMember of the bot itself.
    [member] = telegram.calls_of("getChatMember")
    assert member.params["user_id"] == telegram.bot_id
    # The numeric id and the t.me link name the same channel; an alias names a category
    # («politics» is سياسة's), a hashtag too, and a name already bound stays bound once.
    await say(telegram, ADMIN, f"/addchannel {CHANNEL} politics")
    await say(telegram, ADMIN, "/addchannel https://t.me/akhbar_sy #رياضة، اقتصاد")
    assert await bound(app, CHANNEL) == [
        ("اقتصاد", None), ("رياضة", None), ("سوريا محلي", None), ("سياسة", None),
    ]  # fmt: skip
    assert await audit(app) == [CHANNEL_ADD] * 3
    listing = await say(telegram, ADMIN, "/audit")
    assert "ربط قناة" in listing.text


@pytest.mark.parametrize(
    ("setup", "command", "reply"),
    [
        ({"type": "channel", "bot_status": "left"}, "@akhbar_sy", "channel_not_admin"),
        ({"type": "channel", "bot_status": "kicked"}, "@akhbar_sy", "channel_not_admin"),
        (
            {"type": "channel", "bot_status": "administrator", "can_post_messages": False},
            "@akhbar_sy",
            "channel_no_post_right",
        ),
        ({"type": "supergroup", "bot_status": "left"}, "@akhbar_sy", "channel_not_member"),
        ({"type": "supergroup", "bot_status": "kicked"}, str(CHANNEL), "channel_not_member"),
        ({"type": "supergroup", "bot_status": "restricted"}, "@akhbar_sy", "channel_muted"),
        (None, "@nobody_here", "channel_not_found"),
        (None, "-1009999999999", "channel_not_found"),
        (None, str(ADMIN), "channel_private"),
        (None, "https://t.me/+AbCdEfGhIjK", "channel_invite_link"),
    ],
)
async def test_a_chat_the_bot_cannot_post_in_is_explained_and_not_stored(
    app_on_both: NashraApp,
    telegram: FakeTelegram,
    setup: dict[str, Any] | None,
    command: str,
    reply: str,
) -> None:
    app = app_on_both
    if setup is not None:
        telegram.add_chat(CHANNEL, title="أخبار", username="akhbar_sy", **setup)
    answer = await say(telegram, ADMIN, f"/addchannel {command} سياسة")
    # The chat as the operator named it.
    assert answer.text == shown(reply, chat=command, bot=BOT)
    assert await chat_row(app, CHANNEL) is None
    assert await audit(app) == []


async def test_the_explanation_says_step_by_step_what_to_do(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    telegram.add_chat(CHANNEL, "channel", username="akhbar_sy", bot_status="left")
    answer = await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة")
    assert "١. افتح القناة" in answer.text
    assert "ابحث عن @nashra_test_bot" in answer.text
    assert "«نشر الرسائل»" in answer.text
    telegram.users[ADMIN].language_code = "en"
    english = await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة")
    assert '3. Turn on "Post Messages", then "Save".' in english.text


async def test_unknown_categories_are_named_and_nothing_is_stored(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    telegram.add_chat(CHANNEL, "channel", username="akhbar_sy")
    answer = await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة كرة السلة، فلك")
    assert answer.text.startswith("لا يوجد تصنيف باسم: «كرة السلة»، «فلك». لم أحفظ شيئاً.")
    assert "سوريا محلي" in answer.text  # the categories there are
    assert await chat_row(app, CHANNEL) is None
    assert await audit(app) == []
    assert telegram.calls_of("getChat") == []  # not even asked


async def test_usage_and_bad_references(app: NashraApp, telegram: FakeTelegram) -> None:
    assert (await say(telegram, ADMIN, "/addchannel")).text == shown("addchannel_usage")
    bad = await say(telegram, ADMIN, "/addchannel https://example.com/x سياسة")
    assert bad.text.startswith("لم أفهم «https://example.com/x».")


async def test_no_category_named_offers_the_buttons(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    telegram.add_chat(GROUP, "supergroup", title="مجموعة الأخبار", bot_status="member")
    answer = await say(telegram, ADMIN, f"/addchannel {GROUP}")
    assert answer.text == shown("channel_choose", chat="مجموعة الأخبار")
    politics = await category_id(app, "سياسة")
    assert buttons(answer)[f"ch:t:{GROUP}:{politics}"] == "سياسة"
    toast = await press(telegram, ADMIN, answer, f"ch:t:{GROUP}:{politics}")
    assert toast == text("channel_bound", name="سياسة")
    assert await bound(app, GROUP) == [("سياسة", None)]
    [edited] = [m for m in telegram.sent(ADMIN) if m.message_id == answer.message_id]
    assert buttons(edited)[f"ch:t:{GROUP}:{politics}"] == "✅ سياسة"
    await press(telegram, ADMIN, edited, f"ch:d:{GROUP}")
    [done] = [m for m in telegram.sent(ADMIN) if m.message_id == answer.message_id]
    assert done.text == shown("channel_done", chat="مجموعة الأخبار", bindings="سياسة")
    assert await audit(app) == [CHANNEL_ADD, CHANNEL_BIND]


# ---------------------------------------------------------------------- forum topics


def item(n: int) -> dict[str, str]:
    return {
        "title": f"اجتماع وزاري لبحث الملف رقم {n}",
        "link": f"https://news.example.sy/{n}",
        "guid": f"https://news.example.sy/?p={n}",
        "description": f"<p>عقد الوزراء اجتماعاً لبحث الملف رقم {n}. وقال مصدر إن النقاش مستمر.</p>",
        "pubDate": format_datetime(YESTERDAY + timedelta(minutes=n), usegmt=True),
    }


async def _feed(app: NashraApp, url: str, category: str) -> None:
    async with services_of(app).sessions.begin() as session:
        [found] = await catalog.ensure_categories(session, [category])
        await add_feed(session, url, categories=[found])


async def _poll_again(app: NashraApp) -> int:
    async with services_of(app).sessions.begin() as session:
        await session.execute(update(Feed).values(next_poll_at=datetime.now(UTC)))
    return (await poll_feeds(app)).planned


async def test_a_forum_topic_receives_its_categorys_posts(
    app_on_both: NashraApp, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    app = app_on_both
    telegram.add_chat(FORUM, "supergroup", title="نشرة المواضيع", username="nashra_topics",
                      bot_status="member", is_forum=True)  # fmt: skip
    politics = telegram.add_topic(FORUM, "سياسة")
    sport = telegram.add_topic(FORUM, "رياضة")
    # The topics' links, as "Copy link" gives them: of a private group and of a public one.
    internal = str(FORUM).removeprefix("-100")
    await say(telegram, ADMIN, f"/addchannel https://t.me/c/{internal}/{politics} سياسة")
    answer = await say(telegram, ADMIN, f"/addchannel t.me/nashra_topics/{sport} رياضة")
    assert f"رياضة (الموضوع {to_digits(str(sport), 'arab')})" in answer.text
    assert await bound(app, FORUM) == [("رياضة", sport), ("سياسة", politics)]

    await _feed(app, feed_server.set("politics.xml", rss([item(1)])), "سياسة")
    await _feed(app, feed_server.set("sport.xml", rss([item(100)])), "رياضة")
    assert (await poll_feeds(app)).planned == 0  # the first poll records, posts nothing
    feed_server.set("politics.xml", rss([item(2), item(1)]))
    feed_server.set("sport.xml", rss([item(101), item(100)]))
    assert await _poll_again(app) == 2
    await telegram.wait_for(lambda: len(telegram.sent(FORUM)) == 2, timeout=15)
    [in_politics] = telegram.in_topic(FORUM, politics)
    [in_sport] = telegram.in_topic(FORUM, sport)
    assert "الملف رقم 2" in in_politics.text
    assert "#سياسة" in in_politics.text
    assert "الملف رقم 101" in in_sport.text
    assert telegram.in_topic(FORUM, None) == []
    async with services_of(app).sessions() as session:
        threads = (await session.scalars(select(Delivery.message_thread_id))).all()
    assert sorted(t for t in threads if t) == sorted([politics, sport])

    # A closed topic refuses the bot (it cannot manage topics): the delivery fails with
    # Telegram's words, shown in /channels; the other topic goes on.
    telegram.close_topic(FORUM, politics)
    feed_server.set("politics.xml", rss([item(3), item(2), item(1)]))
    assert await _poll_again(app) == 1

    async def failed() -> bool:
        async with services_of(app).sessions() as session:
            query = select(Delivery.last_error).where(Delivery.status == DeliveryStatus.FAILED)
            return bool((await session.scalars(query)).all())

    await until(failed)
    listing = await say(telegram, ADMIN, "/channels")
    assert "TOPIC_CLOSED" in listing.text
    assert "منشوران" in listing.text  # the two sent before


async def test_a_deleted_topic_is_a_failed_delivery_not_a_retry(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    telegram.add_chat(FORUM, "supergroup", title="منتدى", bot_status="member", is_forum=True)
    topic = telegram.add_topic(FORUM, "اقتصاد")
    telegram.delete_topic(FORUM, topic)
    publisher = services_of(app).publisher
    with pytest.raises(DeliveryError) as raised:
        await publisher.send(FORUM, Post("خبر", "", ""), thread_id=topic)
    assert raised.value.outcome is SendOutcome.REJECTED
    assert str(raised.value) == "Bad Request: message thread not found"


async def test_the_bot_creates_a_topic_per_category_when_it_may(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    forum = telegram.add_chat(FORUM, "supergroup", title="منتدى", username="forum_sy",
                              is_forum=True, can_manage_topics=True)  # fmt: skip
    answer = await say(telegram, ADMIN, "/addchannel @forum_sy سياسة رياضة")
    assert "أنشأتُ لكل تصنيف موضوعاً في المجموعة: سياسة، رياضة" in answer.text
    names = {thread: topic.name for thread, topic in forum.topics.items()}
    assert sorted(names.values()) == ["رياضة", "سياسة"]
    by_name = {name: thread for thread, name in names.items()}
    assert await bound(app, FORUM) == [("رياضة", by_name["رياضة"]), ("سياسة", by_name["سياسة"])]
    # Again: the topics it has are kept, none is made twice.
    await say(telegram, ADMIN, "/addchannel @forum_sy سياسة")
    assert len(forum.topics) == 2
    assert len(telegram.calls_of("createForumTopic")) == 2

    # Without the right to manage topics: the General topic, and how to do better.
    telegram.add_chat(GROUP, "supergroup", title="منتدى آخر", is_forum=True)
    general = await say(telegram, ADMIN, f"/addchannel {GROUP} اقتصاد")
    assert shown("channel_general_topic") in general.text
    assert await bound(app, GROUP) == [("اقتصاد", None)]


# ---------------------------------------------------------------------- /channels


async def test_channels_lists_edits_and_removes(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    assert (await say(telegram, ADMIN, "/channels")).text == shown("channels_none")
    telegram.add_chat(CHANNEL, "channel", title="أخبار سوريا", username="akhbar_sy")
    await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة")
    listing = await say(telegram, ADMIN, "/channels")
    assert "القنوات والمجموعات (١)" in listing.text
    assert "١. أخبار سوريا — قناة، تعمل" in listing.text
    assert "التصنيفات: سياسة" in listing.text
    assert "المنشور: لا منشورات" in listing.text
    assert buttons(listing) == {
        f"ch:e:{CHANNEL}": "✏️ أخبار سوريا", f"ch:r:{CHANNEL}": "🗑 أخبار سوريا",
    }  # fmt: skip

    # Edit: the categories as buttons; one on, one off.
    await press(telegram, ADMIN, listing, f"ch:e:{CHANNEL}")
    [editing] = [m for m in telegram.sent(ADMIN) if m.message_id == listing.message_id]
    politics, economy = await category_id(app, "سياسة"), await category_id(app, "اقتصاد")
    assert buttons(editing)[f"ch:t:{CHANNEL}:{politics}"] == "✅ سياسة"
    assert "ch:l:0" in buttons(editing)
    assert await press(telegram, ADMIN, editing, f"ch:t:{CHANNEL}:{economy}") == text(
        "channel_bound", name="اقتصاد"
    )
    assert await press(telegram, ADMIN, editing, f"ch:t:{CHANNEL}:{politics}") == text(
        "channel_unbound", name="سياسة"
    )
    assert await bound(app, CHANNEL) == [("اقتصاد", None)]
    await press(telegram, ADMIN, editing, "ch:l:0")  # back to the list

    # Remove: asked first; «لا» changes nothing, «نعم» removes.
    await press(telegram, ADMIN, listing, f"ch:r:{CHANNEL}")
    [asking] = [m for m in telegram.sent(ADMIN) if m.message_id == listing.message_id]
    assert asking.text == shown("channel_remove_ask", chat="أخبار سوريا", bindings="اقتصاد")
    await press(telegram, ADMIN, asking, "ch:l:0")
    assert await bound(app, CHANNEL) == [("اقتصاد", None)]
    await press(telegram, ADMIN, asking, f"ch:x:{CHANNEL}")
    [gone] = [m for m in telegram.sent(ADMIN) if m.message_id == listing.message_id]
    assert gone.text == shown("channel_removed", chat="أخبار سوريا")
    assert await bound(app, CHANNEL) == []
    assert await active(app, CHANNEL) is False
    assert (await say(telegram, ADMIN, "/channels")).text == shown("channels_none")
    assert await audit(app) == [CHANNEL_ADD, CHANNEL_BIND, CHANNEL_UNBIND, CHANNEL_REMOVE]
    # A stale button of a removed chat.
    assert await press(telegram, ADMIN, asking, f"ch:r:{CHANNEL}") == text("channel_gone")


async def test_channels_shows_posts_and_the_last_error(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    telegram.add_chat(CHANNEL, "channel", title="أخبار", username="akhbar_sy")
    telegram.users[ADMIN].language_code = "en"
    await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة")
    async with services_of(app).sessions.begin() as session:
        feed = await add_feed(session, "https://news.example.sy/feed")
        rows = [article_row(feed.id, f"k{n}", when=YESTERDAY) for n in range(3)]
        ids = (await insert_articles(session, rows)).values()
        plan = [(i, CHANNEL, 0, DeliveryStatus.PENDING) for i in ids]
        await outbox.plan(session, plan, YESTERDAY)
        delivered = (await session.scalars(select(Delivery).order_by(Delivery.id))).all()
        delivered[0].status = delivered[1].status = DeliveryStatus.SENT
        delivered[2].status = DeliveryStatus.FAILED
        delivered[2].last_error = "Bad Request: message thread not found\n---\ntext"
    listing = await say(telegram, ADMIN, "/channels")
    assert "1. أخبار — channel, active" in listing.text
    assert "Posted: 2 posts" in listing.text
    assert "Last error: Bad Request: message thread not found" in listing.text
    assert "---" not in listing.text


async def test_a_page_of_forums_with_many_topics_fits_one_message(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    """Eight forum groups, nine topics each, categories named at their 100-letter limit:
    the page shortens their bindings and still fits, every chat on it with its buttons."""
    app = app_on_both
    names = [f"{n} " + "تصنيف طويل " * 9 for n in range(9)]
    async with services_of(app).sessions.begin() as session:
        cats = await catalog.ensure_categories(
            session, [name[:CATEGORY_NAME_CHARS] for name in names]
        )
        for g in range(8):
            chat_id = FORUM - g
            await catalog.upsert_chat(session, chat_id, ChatKind.GROUP, title=f"منتدى {g}")
            for t, category in enumerate(cats):
                await channels.bind(session, chat_id, [category], 100 + t)
    listing = await say(telegram, ADMIN, "/channels")
    assert utf16_len(listing.text) <= MAX_TEXT_UTF16
    assert all(f"منتدى {g}" in listing.text for g in range(8))
    assert "غيرها" in listing.text
    assert len(buttons(listing)) == 16


async def test_a_removed_chat_gets_no_more_posts_planned(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    telegram.add_chat(CHANNEL, "channel", username="akhbar_sy")
    await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة")
    politics = await category_id(app, "سياسة")
    listing = await say(telegram, ADMIN, "/channels")
    await press(telegram, ADMIN, listing, f"ch:x:{CHANNEL}")
    async with services_of(app).sessions.begin() as session:
        assert await channels.followers(session, [politics]) == []
        planned = await plan_deliveries(session, [NewArticle(1, [politics], "")], YESTERDAY)
    assert planned == 0


# ---------------------------------------------------------------------- my_chat_member


async def test_the_bot_added_to_a_channel_is_told_with_category_buttons(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    telegram.add_chat(CHANNEL, "channel", title="قناة جديدة", bot_status="left")
    before = len(telegram.sent(ADMIN))
    telegram.set_bot_status(CHANNEL, "administrator")
    joined = await notice(telegram, before)
    assert joined.text.startswith(f"📢 أُضيف البوت إلى قناة «قناة جديدة» ({CHANNEL}).")
    assert joined.text.endswith("بواسطة: Chat Admin")
    assert joined.entities == []  # a notice is plain text
    politics = await category_id(app, "سياسة")
    assert buttons(joined)[f"ch:t:{CHANNEL}:{politics}"] == "سياسة"
    assert await chat_row(app, CHANNEL) is None  # nothing stored until an operator binds it
    await press(telegram, ADMIN, joined, f"ch:t:{CHANNEL}:{politics}")
    assert await bound(app, CHANNEL) == [("سياسة", None)]

    # Removed: told, and deactivated; its bindings are kept for a return.
    before = len(telegram.sent(ADMIN))
    telegram.set_bot_status(CHANNEL, "kicked")
    left = await notice(telegram, before)
    assert left.text.startswith(f"⚠️ أُخرج البوت من «قناة جديدة» ({CHANNEL}) فتوقف النشر فيها.")
    assert "كانت تُنشر فيها: سياسة" in left.text
    assert buttons(left) == {}
    assert await active(app, CHANNEL) is False
    async with services_of(app).sessions() as session:
        assert await channels.followers(session, [politics]) == []

    # Back as an admin: posting resumes with its categories.
    before = len(telegram.sent(ADMIN))
    telegram.set_bot_status(CHANNEL, "administrator")
    back = await notice(telegram, before)
    assert back.text.startswith(f"📢 عاد البوت إلى «قناة جديدة» ({CHANNEL})")
    assert await active(app, CHANNEL) is True

    # The post right taken away: told, and deactivated.
    before = len(telegram.sent(ADMIN))
    telegram.set_bot_status(CHANNEL, "administrator", can_post_messages=False)
    lost = await notice(telegram, before)
    assert "هو مشرف دون صلاحية «نشر الرسائل»" in lost.text
    assert await active(app, CHANNEL) is False


async def test_the_bot_in_a_group_joined_promoted_and_removed(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    telegram.add_chat(GROUP, "supergroup", title="مجموعة", bot_status="left", is_forum=True)
    before = len(telegram.sent(ADMIN))
    telegram.set_bot_status(GROUP, "member")
    joined = await notice(telegram, before)
    assert joined.text.startswith(f"📢 أُضيف البوت إلى مجموعة «مجموعة» ({GROUP}).")
    assert shown("channel_joined_forum") in joined.text
    before = len(telegram.sent(ADMIN))
    telegram.set_bot_status(GROUP, "administrator")
    promoted = await notice(telegram, before)
    assert promoted.text.startswith(f"📢 أصبح البوت مشرفاً في «مجموعة» ({GROUP}).")
    # «تم» before any category: nothing stored, said so.
    await press(telegram, ADMIN, joined, f"ch:d:{GROUP}")
    [done] = [m for m in telegram.sent(ADMIN) if m.message_id == joined.message_id]
    assert done.text == shown("channel_nothing_chosen")
    before = len(telegram.sent(ADMIN))
    telegram.set_bot_status(GROUP, "left")
    left = await notice(telegram, before)
    assert left.text.startswith(f"⚠️ أُخرج البوت من «مجموعة» ({GROUP})")
    assert await chat_row(app, GROUP) is None


async def test_adding_and_removing_the_bot_over_and_over_does_not_flood_the_admins(
    app: NashraApp, telegram: FakeTelegram, notice_clock: ManualClock
) -> None:
    telegram.add_chat(GROUP, "supergroup", title="مجموعة", bot_status="left")
    for status in ["member", "left"] * 6:
        telegram.set_bot_status(GROUP, status)  # type: ignore[arg-type]
    await telegram.wait_for(lambda: not telegram.pending_updates)
    await nothing_being_handled(app)
    told = [m for m in telegram.sent(ADMIN) if f"({GROUP})" in m.text]
    assert len(told) == MEMBERSHIP_PER_CHAT
    notice_clock.advance(REPEAT_AFTER + 1)  # ten minutes on: told again
    before = len(telegram.sent(ADMIN))
    telegram.set_bot_status(GROUP, "member")
    assert (await notice(telegram, before)).text.startswith("📢 أُضيف البوت إلى مجموعة")


async def test_a_button_for_a_chat_the_bot_has_left_binds_nothing(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    telegram.add_chat(CHANNEL, "channel", title="قناة", bot_status="left")
    before = len(telegram.sent(ADMIN))
    telegram.set_bot_status(CHANNEL, "administrator")
    joined = await notice(telegram, before)
    telegram.chats[CHANNEL].bot_status = "left"  # removed meanwhile (its update not read yet)
    politics = await category_id(app, "سياسة")
    toast = await press(telegram, ADMIN, joined, f"ch:t:{CHANNEL}:{politics}")
    assert toast == text("channel_cannot_bind")
    assert await chat_row(app, CHANNEL) is None


async def test_addchannel_typed_in_a_topic_binds_that_topic(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    telegram.add_chat(FORUM, "supergroup", title="منتدى", bot_status="member", is_forum=True)
    topic = telegram.add_topic(FORUM, "أخبار الاقتصاد")
    in_topic = {"message_thread_id": topic, "is_topic_message": True}
    telegram.user_sends_in(FORUM, ADMIN, "/addchannel اقتصاد", extra=in_topic)
    await telegram.wait_for(lambda: len(telegram.in_topic(FORUM, topic)) == 1)
    [answer] = telegram.in_topic(FORUM, topic)  # answered in the topic itself
    assert "مرتبطة الآن بـ: اقتصاد (الموضوع" in answer.text
    assert await bound(app, FORUM) == [("اقتصاد", topic)]
    # Outside any topic (the General one): the group itself.
    telegram.user_sends_in(FORUM, ADMIN, "/addchannel@nashra_test_bot رياضة")
    await telegram.wait_for(lambda: len(telegram.in_topic(FORUM, None)) == 1)
    assert await bound(app, FORUM) == [("اقتصاد", topic), ("رياضة", None)]
    telegram.user_sends_in(FORUM, ADMIN, "/addchannel", extra=in_topic)
    await telegram.wait_for(lambda: len(telegram.in_topic(FORUM, topic)) == 2)
    assert telegram.in_topic(FORUM, topic)[-1].text == shown("addchannel_here_usage")
    assert await audit(app) == [CHANNEL_ADD, CHANNEL_ADD]


async def test_anyone_else_typing_addchannel_in_a_group_is_refused(
    app: NashraApp, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    telegram.add_chat(GROUP, "supergroup", title="مجموعة", bot_status="member")
    telegram.user_sends_in(GROUP, READER, "/addchannel سياسة")
    await telegram.wait_for(lambda: len(telegram.sent(GROUP)) == 1)
    assert telegram.sent(GROUP)[0].text == text("admin_refused")
    assert f"refused /addchannel in a group to user {READER}: not an admin" in caplog.text
    assert await chat_row(app, GROUP) is None
    # /channels is for the private chat.
    telegram.user_sends_in(GROUP, ADMIN, "/channels")
    await telegram.wait_for(lambda: len(telegram.sent(GROUP)) == 2)
    assert telegram.sent(GROUP)[1].text == text("private_only")


async def test_channels_are_paged(app: NashraApp, telegram: FakeTelegram) -> None:
    async with services_of(app).sessions.begin() as session:
        [politics] = await catalog.ensure_categories(session, ["سياسة"])
        for n in range(9):
            await catalog.upsert_chat(session, CHANNEL - n, ChatKind.CHANNEL, title=f"قناة {n}")
            await channels.bind(session, CHANNEL - n, [politics], None)
    first = await say(telegram, ADMIN, "/channels")
    assert "القنوات والمجموعات (٩)" in first.text
    assert "٨. قناة 7" in first.text
    assert "قناة 8" not in first.text
    assert buttons(first)["ch:l:8"] == "التالي ◀️"
    await press(telegram, ADMIN, first, "ch:l:8")
    [second] = [m for m in telegram.sent(ADMIN) if m.message_id == first.message_id]
    assert "٩. قناة 8" in second.text
    assert "قناة 7" not in second.text
    assert buttons(second)["ch:l:0"] == "▶️ السابق"
    await press(telegram, ADMIN, second, "ch:l:999")  # past the end: the last page
    [last] = [m for m in telegram.sent(ADMIN) if m.message_id == first.message_id]
    assert "٩. قناة 8" in last.text


# ---------------------------------------------------------------------- a binding's settings


def _edited(telegram: FakeTelegram, message: StoredMessage) -> StoredMessage:
    [now] = [m for m in telegram.sent(ADMIN) if m.message_id == message.message_id]
    return now


async def test_a_bindings_summary_length_and_languages_from_the_console(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    telegram.add_chat(CHANNEL, "channel", title="أخبار سوريا", username="akhbar_sy")
    await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة رياضة")
    politics = await category_id(app, "سياسة")
    listing = await say(telegram, ADMIN, "/channels")
    await press(telegram, ADMIN, listing, f"ch:e:{CHANNEL}")
    assert buttons(_edited(telegram, listing))[f"ch:s:{CHANNEL}"] == "⚙️ طول الملخص واللغات"
    await press(telegram, ADMIN, listing, f"ch:s:{CHANNEL}")
    menu = _edited(telegram, listing)
    assert menu.text.startswith("⚙️ إعدادات النشر في أخبار سوريا")
    assert buttons(menu)[f"ch:b:{CHANNEL}:{politics}"] == "⚙️ سياسة"
    await press(telegram, ADMIN, listing, f"ch:b:{CHANNEL}:{politics}")
    screen = _edited(telegram, listing)
    assert "طول الملخص: متوسط (الافتراضي)، ٤٠٠ حرف" in screen.text
    assert "اللغات: العربية وحدها" in screen.text
    assert buttons(screen) == {
        f"ch:n:{CHANNEL}:{politics}:200": "قصير · ٢٠٠",
        f"ch:n:{CHANNEL}:{politics}:0": "✅ متوسط · ٤٠٠",
        f"ch:n:{CHANNEL}:{politics}:700": "طويل · ٧٠٠",
        f"ch:n:{CHANNEL}:{politics}:1000": "مفصّل · ١٠٠٠",
        f"ch:g:{CHANNEL}:{politics}:fa": "الفارسية",
        f"ch:g:{CHANNEL}:{politics}:ur": "الأردية",
        f"ch:g:{CHANNEL}:{politics}:he": "العبرية",
        f"ch:g:{CHANNEL}:{politics}:latn": "اللاتينية (كالإنجليزية)",
        f"ch:s:{CHANNEL}": "↩️ رجوع",
        f"ch:d:{CHANNEL}": "تم ✔️",
    }
    assert all(len(data.encode()) <= 64 for data in buttons(screen))

    toast = await press(telegram, ADMIN, screen, f"ch:n:{CHANNEL}:{politics}:200")
    assert toast == "طول الملخص الآن: قصير، ٢٠٠ حرف"
    assert "✅ قصير · ٢٠٠" in buttons(_edited(telegram, listing)).values()
    toast = await press(telegram, ADMIN, screen, f"ch:g:{CHANNEL}:{politics}:fa")
    assert toast == "تُنشر فيه الآن أيضاً: الفارسية"
    await press(telegram, ADMIN, screen, f"ch:g:{CHANNEL}:{politics}:latn")
    screen = _edited(telegram, listing)
    assert "اللغات: العربية والفارسية واللاتينية (كالإنجليزية)" in screen.text
    assert buttons(screen)[f"ch:g:{CHANNEL}:{politics}:fa"] == "✅ الفارسية"
    assert await press(telegram, ADMIN, screen, f"ch:g:{CHANNEL}:{politics}:latn") == (
        "لم تعد تُنشر فيه: اللاتينية (كالإنجليزية)"
    )
    async with services_of(app).sessions() as session:
        found = {b.name: b for b in await channels.bindings(session, CHANNEL)}
    assert (found["سياسة"].summary_chars, found["سياسة"].languages) == (200, ("fa",))
    assert (found["رياضة"].summary_chars, found["رياضة"].languages) == (None, ())

    # /channels shows what is not the bot's own; the planner follows it.
    listing = await say(telegram, ADMIN, "/channels")
    assert "التصنيفات: رياضة، سياسة [الملخص ٢٠٠ حرف؛ العربية والفارسية]" in listing.text
    telegram.users[ADMIN].language_code = "en"
    english = await say(telegram, ADMIN, "/channels")
    assert "Categories: رياضة, سياسة [summary of 200 characters; Arabic, Persian]" in english.text
    async with services_of(app).sessions.begin() as session:
        feed = await add_feed(session, "https://news.example.ir/feed")
        [article_id] = (
            await insert_articles(session, [article_row(feed.id, "fa", when=YESTERDAY)])
        ).values()
        new = NewArticle(article_id, [politics], "", "fa")
        assert await plan_deliveries(session, [new], YESTERDAY) == 1
        [row] = (await session.scalars(select(Delivery))).all()
    assert (row.chat_id, row.summary_chars) == (CHANNEL, 200)

    # Back to the default; each change is in the audit log, with the binding as it was.
    await press(telegram, ADMIN, screen, f"ch:n:{CHANNEL}:{politics}:0")
    assert "Summary length: Medium (the default), 400 characters" in _edited(telegram, screen).text
    assert await audit(app) == [CHANNEL_ADD] + [CHANNEL_SUMMARY, *[CHANNEL_LANGUAGES] * 3,
                                                CHANNEL_SUMMARY]  # fmt: skip
    async with services_of(app).sessions() as session:
        last = await session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert last is not None
    assert {"category": "سياسة", "summary_chars": 200, "languages": ["fa"]} in (
        last.before["categories"]  # type: ignore[index]
    )
    assert {"category": "سياسة", "languages": ["fa"]} in last.after["categories"]  # type: ignore[index]
    assert "summary length" in (await say(telegram, ADMIN, "/audit")).text


async def test_a_stale_or_forged_binding_button_changes_nothing(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    telegram.add_chat(CHANNEL, "channel", title="أخبار", username="akhbar_sy")
    await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة")
    politics, sport = await category_id(app, "سياسة"), await category_id(app, "رياضة")
    listing = await say(telegram, ADMIN, "/channels")
    # A length no button gives and past the bounds; a category the chat does not have.
    assert await press(telegram, ADMIN, listing, f"ch:n:{CHANNEL}:{politics}:9999") == text(
        "button_stale"
    )
    gone = text("channel_binding_gone")
    assert await press(telegram, ADMIN, listing, f"ch:g:{CHANNEL}:{sport}:fa") == gone
    assert await press(telegram, ADMIN, listing, f"ch:b:{CHANNEL - 5}:{politics}") == gone
    # A language code that is not one: no handler takes it (the console's stale button).
    assert await press(telegram, ADMIN, listing, f"ch:g:{CHANNEL}:{politics}:en") == text(
        "button_stale"
    )
    async with services_of(app).sessions() as session:
        [binding] = await channels.bindings(session, CHANNEL)
    assert (binding.summary_chars, binding.languages) == (None, ())
    assert await audit(app) == [CHANNEL_ADD]


@pytest.mark.parametrize("data", ["ch:n:{chat}:{category}:200", "ch:g:{chat}:{category}:fa",
                                  "ch:b:{chat}:{category}", "ch:s:{chat}"])  # fmt: skip
async def test_a_reader_pressing_a_bindings_button_is_refused(
    app_on_both: NashraApp, telegram: FakeTelegram, data: str
) -> None:
    app = app_on_both
    telegram.add_chat(CHANNEL, "channel", title="أخبار", username="akhbar_sy")
    await say(telegram, ADMIN, "/addchannel @akhbar_sy سياسة")
    politics = await category_id(app, "سياسة")
    message = await say(telegram, READER, "/help")
    edits = len(telegram.calls_of("editMessageText"))
    toast = await press(telegram, READER, message, data.format(chat=CHANNEL, category=politics))
    assert toast == text("admin_refused")
    assert len(telegram.calls_of("editMessageText")) == edits
    async with services_of(app).sessions() as session:
        [binding] = await channels.bindings(session, CHANNEL)
    assert (binding.summary_chars, binding.languages) == (None, ())
    assert await audit(app) == [CHANNEL_ADD]

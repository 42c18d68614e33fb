"""/categories_admin through the fake Telegram server, on SQLite and on PostgreSQL: the list
and its counts, each category's card, adding and renaming through a typed answer, removing
(with a confirmation, or a move of everything that uses it), aliases and keyword rules and
the next poll that follows them; the typed-answer mechanism itself (cancel, time-out, a
command in between); names, aliases and keywords at and past their limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.admins import Person
from bot.app import services_of
from bot.categories import (
    ALIAS_CHARS,
    CATEGORY_ADD,
    CATEGORY_ALIASES,
    CATEGORY_KEYWORDS,
    CATEGORY_MERGE,
    CATEGORY_REMOVE,
    CATEGORY_RENAME,
    KEYWORD_CHARS,
    MAX_ALIASES,
    NAME_CHARS,
    label_token,
)
from bot.context import NashraApp
from bot.text.html import RLM, rtl_html
from bot.text.messages import text
from handlers.prompts import CANCEL_DATA, PROMPT_WAIT
from storage import catalog
from storage.feeds import add_feed
from storage.models import (
    Article,
    AuditEntry,
    Category,
    Feed,
    Subscription,
    article_categories,
    feed_categories,
)
from tests import factories
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import FakeTelegram, StoredMessage, parse_html
from tests.handlers.conversation import (
    ADMIN,
    ENGLISH_READER,
    READER,
    buttons,
    category_id,
    press,
    say,
    settled,
)
from tests.support import STANDARD_CATEGORIES, FrozenClock

CHANNEL = -1001900
OWNER = Person(ADMIN, "المشرف")


def shown(key: str, language: str | None = "ar", **values: Any) -> str:
    """A text as Telegram shows it (the HTML parsed away; an Arabic line that would start
    left to right marked)."""
    message = text(key, language, **values)
    return parse_html(rtl_html(message) if language == "ar" else message)[0]


def now_of(telegram: FakeTelegram, message: StoredMessage, user: int = ADMIN) -> StoredMessage:
    """The message as it is now (edited in place by the buttons)."""
    [current] = [m for m in telegram.sent(user) if m.message_id == message.message_id]
    return current


async def tap(
    telegram: FakeTelegram, message: StoredMessage, data: str, user: int = ADMIN
) -> tuple[str, StoredMessage]:
    """Press the button; the toast and the pressed message as it is afterwards."""
    toast = await press(telegram, user, message, data)
    return toast, now_of(telegram, message, user)


async def ask(
    telegram: FakeTelegram, message: StoredMessage, data: str, user: int = ADMIN
) -> StoredMessage:
    """Press a button that asks a question; return the question (a new message)."""
    before = len(telegram.sent(user))
    await press(telegram, user, message, data)
    await telegram.wait_for(lambda: len(telegram.sent(user)) > before)  # after the answer
    [question] = telegram.sent(user)[before:]
    assert list(buttons(question)) == [CANCEL_DATA]
    return question


async def answer(telegram: FakeTelegram, typed: str, user: int = ADMIN) -> StoredMessage:
    """Type the answer to the question; return the bot's reply (after the question's button
    is taken off)."""
    reply = await say(telegram, user, typed)
    await settled(telegram)
    return reply


async def audit_actions(app: NashraApp) -> list[tuple[str, Any, Any]]:
    async with services_of(app).sessions() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    return [(entry.action, entry.before, entry.after) for entry in entries]


async def stored_category(app: NashraApp, name: str) -> Category | None:
    async with services_of(app).sessions() as session:
        return await catalog.category_by_name(session, name)


async def card_of(telegram: FakeTelegram, app: NashraApp, name: str) -> StoredMessage:
    """/categories_admin, then the category's button: its card."""
    listing = await say(telegram, ADMIN, "/categories_admin")
    data = f"ca:c:{await category_id(app, name)}"
    assert data in buttons(listing)
    _, card = await tap(telegram, listing, data)
    return card


async def test_the_list_counts_followers_and_articles_and_opens_cards(
    app_on_both: NashraApp, telegram: FakeTelegram, wall_clock: FrozenClock
) -> None:
    app = app_on_both
    now = wall_clock.now
    async with services_of(app).sessions.begin() as session:
        politics, economy = await catalog.ensure_categories(session, ["سياسة", "اقتصاد"])
        for chat_id in (601, 602, 603):
            await factories.reader(session, chat_id, [politics])
        await catalog.deactivate_chat(session, 603, "stopped")
        await factories.channel(session, CHANNEL, [politics, economy])
        feed = await add_feed(session, "https://news.example.sy/feed", categories=[politics])
        rows = [
            factories.article_row(feed.id, "old", when=now - timedelta(days=8)),
            factories.article_row(feed.id, "new1", when=now - timedelta(days=1)),
            factories.article_row(feed.id, "new2", when=now - timedelta(hours=1)),
        ]
        await factories.store_articles(session, rows, [politics])
    listing = await say(telegram, ADMIN, "/categories_admin")
    lines = listing.text.split("\n")
    assert lines[0] == "🗂 التصنيفات (٩ تصنيفات):"
    [line] = [line for line in lines if "سياسة" in line]
    assert line.endswith(
        "سياسة — قارئان، قناة واحدة؛ ٣ أخبار، منها خبران في آخر ٧ أيام"
    )  # the stopped reader is not counted among the readers
    [line] = [line for line in lines if "اقتصاد" in line]
    assert line.endswith("اقتصاد — لا قراء، قناة واحدة؛ لا أخبار")
    data = buttons(listing)
    assert sorted(label for key, label in data.items() if key.startswith("ca:c:")) == sorted(
        STANDARD_CATEGORIES
    )
    assert data["ca:a"] == "➕ إضافة تصنيف"

    _, card = await tap(telegram, listing, f"ca:c:{politics.id}")
    assert card.message_id == listing.message_id  # the same message, edited
    assert card.text.startswith("🗂 سياسة\n• المتابعون: قارئان، قناة واحدة، ومحادثة واحدة متوقفة")
    assert "• المصادر المرتبطة به: مصدر واحد" in card.text
    assert "• الأخبار: ٣ أخبار، منها خبران في آخر ٧ أيام" in card.text
    assert "• الأسماء البديلة (٨): politics، political، السياسة" in card.text
    assert "• الكلمات المفتاحية (٠): لا شيء" in card.text
    assert list(buttons(card)) == [
        f"ca:n:{politics.id}", f"ca:d:{politics.id}", f"ca:aa:{politics.id}",
        f"ca:ra:{politics.id}:0", f"ca:ak:{politics.id}", f"ca:rk:{politics.id}:0", "ca:l:0",
    ]  # fmt: skip
    _, back = await tap(telegram, card, "ca:l:0")
    assert back.text == listing.text

    # In English, for an admin whose Telegram is.
    await services_of(app).admins.add(OWNER, Person(ENGLISH_READER, "Sam"))
    english = await say(telegram, ENGLISH_READER, "/categories_admin")
    assert english.text.startswith("🗂 Categories (9 categories):")
    assert "Politics" not in english.text  # names are data: shown as they are
    assert "سياسة — 2 readers, 1 channel; 3 stories, 2 stories in the last 7 days" in english.text


async def test_a_long_list_pages_in_place(app: NashraApp, telegram: FakeTelegram) -> None:
    async with services_of(app).sessions.begin() as session:
        await catalog.ensure_categories(session, [f"تصنيف {n:02d}" for n in range(1, 15)])
    listing = await say(telegram, ADMIN, "/categories_admin")
    assert listing.text.startswith("🗂 التصنيفات (٢٣ تصنيفاً):")
    assert "١٠. " in listing.text
    assert "١١. " not in listing.text
    assert [k for k in buttons(listing) if not k.startswith("ca:c:")] == ["ca:l:10", "ca:a"]
    _, second = await tap(telegram, listing, "ca:l:10")
    assert "١١. " in second.text
    assert "٢٠. " in second.text
    assert [k for k in buttons(second) if not k.startswith("ca:c:")] == [
        "ca:l:20", "ca:l:0", "ca:a",
    ]  # fmt: skip
    _, last = await tap(telegram, second, "ca:l:999")  # forged or stale: the last page
    assert "٢٣. " in last.text
    assert [k for k in buttons(last) if not k.startswith("ca:c:")] == ["ca:l:10", "ca:a"]


async def test_an_admin_adds_a_category_by_typing_its_name(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    listing = await say(telegram, ADMIN, "/categories_admin")
    question = await ask(telegram, listing, "ca:a")
    assert question.text == shown("ca_ask_name", limit="١٠٠")

    # Refused names ask again, with why; each new question has the «إلغاء».
    refusals = [
        ("!!! ؟؟", "ca_name_no_letters", {"name": "!!! ؟؟"}),
        ("السِّياسة", "ca_name_taken", {"name": "السِّياسة", "other": "سياسة"}),  # an alias
        ("سيـــاسه", "ca_name_taken", {"name": "سيـــاسه", "other": "سياسة"}),  # tatweel, ه
        ("SPORTS", "ca_name_taken", {"name": "SPORTS", "other": "رياضة"}),
        ("ن" * (NAME_CHARS + 1), "ca_name_too_long", {"length": "١٠١", "limit": "١٠٠"}),
    ]
    for typed, key, values in refusals:
        values.setdefault("name", "")
        values.setdefault("other", "")
        values.setdefault("limit", "١٠٠")
        values.setdefault("length", "")
        reply = await answer(telegram, typed)
        assert reply.text.startswith(shown(key, **values)), typed
        assert reply.text.endswith(shown("ca_ask_again"))
        assert buttons(reply) == {CANCEL_DATA: "إلغاء"}  # asked again
        assert buttons(now_of(telegram, question)) == {}  # the older question's is taken off
        question = reply

    reply = await answer(telegram, "  تحقيقات   خاصة ")
    assert reply.text.startswith("✅ أضفت التصنيف «تحقيقات خاصة»، ويظهر الآن في قائمة القراء.")
    assert "🗂 تحقيقات خاصة\n• المتابعون: لا قراء، لا قنوات" in reply.text
    assert buttons(now_of(telegram, question)) == {}
    added = await stored_category(app, "تحقيقات خاصة")
    assert added is not None
    assert (added.aliases, added.keywords) == ([], [])
    assert f"ca:n:{added.id}" in buttons(reply)
    assert await audit_actions(app) == [
        (CATEGORY_ADD, None, {"id": added.id, "name": "تحقيقات خاصة"})
    ]
    # Readers pick it at once, and the next text is a search again.
    picker = await say(telegram, READER, "/categories")
    assert f"cat:{added.id}" in buttons(picker)
    searched = await say(telegram, ADMIN, "تحقيقات")
    assert searched.text == shown("search_none", query="تحقيقات")


async def test_names_at_the_limit_with_marks_and_html(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    services = services_of(app)
    longest = "ع" * NAME_CHARS
    html_name = "<b>ثقافة & فن</b> <i>"
    marked = "الـمُـنَـوَّعَـات الخفيفة"
    for name in (longest, html_name, marked):
        listing = await say(telegram, ADMIN, "/categories_admin")
        await ask(telegram, listing, "ca:a")
        reply = await answer(telegram, name)
        assert reply.text.startswith(f"✅ أضفت التصنيف «{name}»"), name
        assert f"🗂 {name}\n" in reply.text
        assert await stored_category(app, name) is not None
    # The list shows them all, escaped, and the buttons carry them (cut to fit).
    listing = await say(telegram, ADMIN, "/categories_admin")
    assert html_name in listing.text
    assert longest in listing.text
    assert "ع" * 47 + "…" in buttons(listing).values()
    # A reader's /latest finds the longest name whole.
    latest = await say(telegram, READER, f"/latest {longest}")
    assert latest.text == shown("latest_none_in", category=longest)
    # Another spelling of the marked name is the same label.
    refused = await services.categories.add(OWNER, "المنوعات الخفيفه")
    assert refused.problem is not None
    assert refused.other == marked


async def test_a_question_ends_with_cancel_a_command_or_its_time(
    app_on_both: NashraApp, telegram: FakeTelegram, wall_clock: FrozenClock
) -> None:
    app = app_on_both
    listing = await say(telegram, ADMIN, "/categories_admin")
    question = await ask(telegram, listing, "ca:a")
    toast, cancelled = await tap(telegram, question, CANCEL_DATA)
    assert toast == text("prompt_cancelled", "ar")
    assert buttons(cancelled) == {}
    searched = await say(telegram, ADMIN, "أخبار الطقس")
    assert searched.text == shown("search_none", query="أخبار الطقس")
    toast, _ = await tap(telegram, question, CANCEL_DATA)  # pressed again: nothing waits
    assert toast == text("prompt_none", "ar")

    # A command in between is a new request: the question ends.
    question = await ask(telegram, listing, "ca:a")
    await say(telegram, ADMIN, "/help")
    await settled(telegram)
    assert buttons(now_of(telegram, question)) == {}
    searched = await say(telegram, ADMIN, "أخبار الطقس")
    assert searched.text == shown("search_none", query="أخبار الطقس")

    # Past its time the text is a search.
    question = await ask(telegram, listing, "ca:a")
    wall_clock.advance(seconds=PROMPT_WAIT.total_seconds() + 1)
    searched = await say(telegram, ADMIN, "أخبار الطقس")
    assert searched.text == shown("search_none", query="أخبار الطقس")
    # An older question's «إلغاء» does not cancel the newer one.
    first = await ask(telegram, listing, "ca:a")
    second = await ask(telegram, listing, "ca:a")
    assert buttons(now_of(telegram, first)) == {}
    toast, _ = await tap(telegram, first, CANCEL_DATA)
    assert toast == text("prompt_none", "ar")
    reply = await answer(telegram, "أخبار الطقس")
    assert reply.text.startswith("✅ أضفت التصنيف «أخبار الطقس»")
    assert buttons(now_of(telegram, second)) == {}
    assert [action for action, _, _ in await audit_actions(app)] == [CATEGORY_ADD]


async def test_rename_keeps_followers_channels_feeds_and_the_old_label(
    app_on_both: NashraApp, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    app = app_on_both
    services = services_of(app)
    sport = await category_id(app, "رياضة")
    # A reader follows it from the picker, a channel and a feed are bound to it.
    picker = await say(telegram, READER, "/categories")
    await press(telegram, READER, picker, f"cat:{sport}")
    url = feed_server.set("sport.xml", rss([]))
    async with services.sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["رياضة"])
        await factories.channel(session, CHANNEL, [category])
        await add_feed(session, url, categories=[category])

    card = await card_of(telegram, app, "رياضة")
    question = await ask(telegram, card, f"ca:n:{sport}")
    assert question.text.startswith("اكتب الاسم الجديد للتصنيف «رياضة»")
    same = await answer(telegram, "رياضة")
    assert same.text.startswith(shown("ca_name_unchanged"))
    taken = await answer(telegram, "Economy")
    assert taken.text.startswith(shown("ca_name_taken", name="Economy", other="اقتصاد"))
    reply = await answer(telegram, "الرياضة والشباب")
    assert reply.text.startswith(
        "✅ صار اسم «رياضة»: «الرياضة والشباب». بقي متابعوه وقنواته ومصادره كما هي.\n"
        "وأبقيت «رياضة» اسماً بديلاً له"
    )
    assert "• المتابعون: قارئ واحد، قناة واحدة" in reply.text
    assert "• المصادر المرتبطة به: مصدر واحد" in reply.text
    renamed = await stored_category(app, "الرياضة والشباب")
    assert renamed is not None
    assert renamed.id == sport
    assert renamed.aliases[-1] == "رياضة"
    assert await stored_category(app, "رياضة") is None
    [(action, before, after)] = await audit_actions(app)
    assert action == CATEGORY_RENAME
    assert (before["name"], after["name"]) == ("رياضة", "الرياضة والشباب")
    assert after["aliases"] == [*before["aliases"], "رياضة"]

    # The reader's picker and /mysubs show the new name, still followed.
    picker = await say(telegram, READER, "/categories")
    assert buttons(picker)[f"cat:{sport}"] == "✅ الرياضة والشباب"
    assert "الرياضة والشباب" in (await say(telegram, READER, "/mysubs")).text
    async with services.sessions() as session:
        assert await catalog.chat_categories(session, CHANNEL) == ["الرياضة والشباب"]
        feed = await session.scalar(select(Feed).where(Feed.url == url))
        assert feed is not None
        assert [c.name for c in feed.categories] == ["الرياضة والشباب"]

    # A feed's entry labelled with the old name still lands in it.
    derby = {"title": "مباراة الديربي", "link": "https://news.example.sy/d", "category": "رياضة"}
    other = feed_server.set("labels.xml", rss([derby]))
    async with services.sessions.begin() as session:
        await add_feed(session, other)
    await services.poll()
    assert await article_categories_of(app, "مباراة الديربي") == ["الرياضة والشباب"]


async def article_categories_of(app: NashraApp, title: str) -> list[str]:
    async with services_of(app).sessions() as session:
        article = await session.scalar(select(Article).where(Article.original_title == title))
        assert article is not None, title
        return sorted(category.name for category in article.categories)


async def test_an_unused_category_is_removed_after_a_confirmation(
    app_on_both: NashraApp, telegram: FakeTelegram, wall_clock: FrozenClock
) -> None:
    app = app_on_both
    services = services_of(app)
    async with services.sessions.begin() as session:
        [old, other] = await catalog.ensure_categories(session, ["أرشيف قديم", "اقتصاد"])
        feed = await add_feed(session, "https://news.example.sy/feed")
        row = factories.article_row(feed.id, "a", when=wall_clock.now)
        await factories.store_articles(session, [row], [old, other])
    card = await card_of(telegram, app, "أرشيف قديم")
    _, confirm = await tap(telegram, card, f"ca:d:{old.id}")
    assert confirm.text == (
        "هل تريد حذف التصنيف «أرشيف قديم»؟ لا يتابعه أحد ولا يرتبط به مصدر.\n"
        "تبقى أخباره (خبر واحد) في الأرشيف بتصنيفاتها الأخرى."
    )
    assert buttons(confirm) == {f"ca:dy:{old.id}": "نعم، احذفه", f"ca:c:{old.id}": "لا، تراجع"}
    _, back = await tap(telegram, confirm, f"ca:c:{old.id}")  # no: the card again
    assert back.text.startswith("🗂 أرشيف قديم")
    assert await stored_category(app, "أرشيف قديم") is not None

    await tap(telegram, back, f"ca:d:{old.id}")
    _, done = await tap(telegram, back, f"ca:dy:{old.id}")
    assert done.text == "🗑 حذفت التصنيف «أرشيف قديم»."
    assert buttons(done) == {"ca:l:0": "↩️ كل التصنيفات"}
    assert await stored_category(app, "أرشيف قديم") is None
    assert await article_categories_of(app, "عنوان الخبر") == ["اقتصاد"]
    [(action, before, after)] = await audit_actions(app)
    assert action == CATEGORY_REMOVE
    assert before == {
        "id": old.id, "name": "أرشيف قديم", "aliases": [], "keywords": [], "articles": 1,
    }  # fmt: skip
    assert after is None

    # Its buttons, pressed again (stale, or forged), find nothing and show the list.
    for data in (f"ca:dy:{old.id}", f"ca:c:{old.id}", f"ca:n:{old.id}", f"ca:m:{old.id}:1"):
        toast, listing = await tap(telegram, done, data)
        assert toast == text("category_gone", "ar")
        assert listing.text.startswith("🗂 التصنيفات (٩ تصنيفات):")
    assert len(await audit_actions(app)) == 1


async def test_a_used_category_moves_everything_to_another_then_goes(
    app_on_both: NashraApp, telegram: FakeTelegram, wall_clock: FrozenClock
) -> None:
    app = app_on_both
    services = services_of(app)
    async with services.sessions.begin() as session:
        health, misc = await catalog.ensure_categories(session, ["صحة", "منوعات"])
        await factories.reader(session, 601, [health, misc])  # both: merged into one
        await factories.reader(session, 602, [health])
        await factories.channel(session, CHANNEL, [health])
        both = await add_feed(session, "https://a.example/feed", categories=[health, misc])
        one = await add_feed(session, "https://b.example/feed", categories=[health])
        rows = [
            factories.article_row(one.id, "1", when=wall_clock.now, title="خبر صحي"),
            factories.article_row(one.id, "2", when=wall_clock.now, title="خبر منوع"),
        ]
        first, second = await factories.store_articles(session, rows, [health])
    async with services.sessions.begin() as session:
        from storage.articles import tag_articles

        await tag_articles(session, [(second, misc.id)])

    card = await card_of(telegram, app, "صحة")
    _, offer = await tap(telegram, card, f"ca:d:{health.id}")
    assert offer.text.startswith(
        "«صحة» مستخدم: قارئان، قناة واحدة، مصدران، خبران.\nلحذفه انقل كل ذلك إلى تصنيف آخر"
    )
    targets = {k: v for k, v in buttons(offer).items() if k.startswith("ca:m:")}
    assert sorted(targets.values()) == sorted(set(STANDARD_CATEGORIES) - {"صحة"})
    assert f"ca:m:{health.id}:{misc.id}" in targets
    assert buttons(offer)[f"ca:c:{health.id}"] == "لا، تراجع"

    _, confirm = await tap(telegram, offer, f"ca:m:{health.id}:{misc.id}")
    assert confirm.text.startswith("سأنقل من «صحة» إلى «منوعات»: قارئان، قناة واحدة، مصدران")
    assert list(buttons(confirm)) == [f"ca:my:{health.id}:{misc.id}", f"ca:c:{health.id}"]
    _, done = await tap(telegram, confirm, f"ca:my:{health.id}:{misc.id}")
    assert done.text == "🗑 نقلت كل ما كان في «صحة» إلى «منوعات»، ثم حذفت «صحة»."

    assert await stored_category(app, "صحة") is None
    async with services.sessions() as session:
        subscriptions = (
            await session.execute(select(Subscription.chat_id, Subscription.category_id))
        ).all()
        feeds = (await session.execute(select(feed_categories))).all()
        tags = (await session.execute(select(article_categories))).all()
    assert sorted(subscriptions) == [(CHANNEL, misc.id), (601, misc.id), (602, misc.id)]
    assert sorted(feeds) == sorted([(both.id, misc.id), (one.id, misc.id)])
    assert sorted(tags) == sorted([(first, misc.id), (second, misc.id)])
    [(action, before, after)] = await audit_actions(app)
    assert action == CATEGORY_MERGE
    assert (before["name"], before["subscriptions"], before["feeds"]) == ("صحة", 3, 2)
    assert after == {"into": {"id": misc.id, "name": "منوعات"}}
    # The readers' picker has one category fewer; the reader still follows منوعات.
    picker = await say(telegram, READER, "/categories")
    assert f"cat:{health.id}" not in buttons(picker)


async def test_a_removal_confirmed_after_someone_followed_offers_the_move(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    services = services_of(app)
    async with services.sessions.begin() as session:
        [quiet] = await catalog.ensure_categories(session, ["هادئ"])
    card = await card_of(telegram, app, "هادئ")
    _, confirm = await tap(telegram, card, f"ca:d:{quiet.id}")
    assert f"ca:dy:{quiet.id}" in buttons(confirm)
    async with services.sessions.begin() as session:
        await factories.reader(session, 601, [quiet])
    _, offer = await tap(telegram, confirm, f"ca:dy:{quiet.id}")
    assert offer.text.startswith("«هادئ» مستخدم: قارئ واحد.")
    assert await stored_category(app, "هادئ") is not None
    # A forged move into itself, or into nothing, moves nothing.
    for data in (f"ca:my:{quiet.id}:{quiet.id}", f"ca:my:{quiet.id}:999999", f"ca:m:{quiet.id}:0"):
        toast, again = await tap(telegram, offer, data)
        assert toast == text("ca_target_gone", "ar")
        assert again.text.startswith("«هادئ» مستخدم")
    assert await stored_category(app, "هادئ") is not None
    assert await audit_actions(app) == []


async def test_aliases_and_keywords_change_what_the_next_poll_files_there(
    app_on_both: NashraApp, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    app = app_on_both
    services = services_of(app)
    tech = await category_id(app, "علوم وتكنولوجيا")
    before = await stored_category(app, "علوم وتكنولوجيا")
    assert before is not None
    card = await card_of(telegram, app, "علوم وتكنولوجيا")
    question = await ask(telegram, card, f"ca:aa:{tech}")
    assert question.text.startswith("اكتب الأسماء البديلة لـ «علوم وتكنولوجيا»")
    reply = await answer(
        telegram, "Gadgets، أخبار التقنيـة الحديثة, economy\nالتقنية,gadgets ,، !!,  "
    )
    assert reply.text.startswith(
        "✅ أضفت إلى أسماء «علوم وتكنولوجيا» البديلة: Gadgets، أخبار التقنيـة الحديثة\n"
        "لم أضف:\n"
        f"{RLM}• «economy»: اسم التصنيف «اقتصاد» أو أحد أسمائه البديلة\n"
        "• «التقنية»: موجود من قبل\n"
        f"{RLM}• «gadgets»: موجود من قبل\n"
        "• «!!»: لا حروف فيه\n\n"
        "🗂 علوم وتكنولوجيا"
    )
    after = await stored_category(app, "علوم وتكنولوجيا")
    assert after is not None
    assert after.aliases == [*before.aliases, "Gadgets", "أخبار التقنيـة الحديثة"]

    question = await ask(telegram, now_of(telegram, reply), f"ca:ak:{tech}")
    reply = await answer(telegram, "الذكاء الاصطناعي، ب، الذّكاء الاصطناعي")
    assert reply.text.startswith(
        "✅ أضفت إلى كلمات «علوم وتكنولوجيا» المفتاحية: الذكاء الاصطناعي\n"
        "لم أضف:\n"
        "• «ب»: حرف واحد يطابق أخباراً كثيرة لا علاقة لها\n"
        "• «الذّكاء الاصطناعي»: موجود من قبل"
    )
    assert "• الكلمات المفتاحية (١): الذكاء الاصطناعي" in reply.text
    actions = [(a, b["aliases" if a == CATEGORY_ALIASES else "keywords"], c) for a, b, c in
               await audit_actions(app)]  # fmt: skip
    assert [a for a, _, _ in actions] == [CATEGORY_ALIASES, CATEGORY_KEYWORDS]
    assert actions[1][1] == []
    assert actions[1][2]["keywords"] == ["الذكاء الاصطناعي"]

    # The next poll files by the new rules: a feed's own label, and a word in the text.
    url = feed_server.set(
        "tech.xml",
        rss(
            [
                {"title": "هاتف جديد", "link": "https://t.example/1", "category": "GADGETS"},
                {
                    "title": "خبر عام",
                    "link": "https://t.example/2",
                    "description": "<p>تطبيقات بالذكاء الاصطناعي في المدارس.</p>",
                },
            ]  # fmt: skip
        ),
    )
    async with services.sessions.begin() as session:
        await add_feed(session, url)
    await services.poll()
    assert await article_categories_of(app, "هاتف جديد") == ["علوم وتكنولوجيا"]
    assert await article_categories_of(app, "خبر عام") == ["علوم وتكنولوجيا"]

    # Removing: the aliases as buttons, a press removes one, a stale press none.
    _, picker = await tap(telegram, reply, f"ca:ra:{tech}:0")
    assert picker.text == "اضغط الاسم البديل الذي تريد حذفه من «علوم وتكنولوجيا»:"
    index = len(after.aliases) - 2
    data = f"ca:xa:{tech}:{index}:{label_token('Gadgets')}"
    assert list(buttons(picker))[0] == f"ca:xa:{tech}:0:{label_token(after.aliases[0])}"
    assert f"ca:ra:{tech}:10" in buttons(picker)  # 14 aliases: two pages
    _, last_page = await tap(telegram, picker, f"ca:ra:{tech}:10")
    assert data in buttons(last_page)
    toast, redrawn = await tap(telegram, last_page, data)
    assert toast == "حذفت «Gadgets»."
    assert data not in buttons(redrawn)
    toast, _ = await tap(telegram, redrawn, data)  # pressed again: the list changed
    assert toast == text("ca_label_stale", "ar")
    _, keywords = await tap(telegram, redrawn, f"ca:rk:{tech}:0")
    remove_keyword = f"ca:xk:{tech}:0:{label_token('الذكاء الاصطناعي')}"
    assert list(buttons(keywords)) == [remove_keyword, f"ca:c:{tech}"]
    toast, empty = await tap(telegram, keywords, remove_keyword)
    assert toast == "حذفت «الذكاء الاصطناعي»."
    assert empty.text == "لا كلمات مفتاحية لـ «علوم وتكنولوجيا»."
    final = await stored_category(app, "علوم وتكنولوجيا")
    assert final is not None
    assert (final.aliases, final.keywords) == ([*before.aliases, "أخبار التقنيـة الحديثة"], [])
    assert len(await audit_actions(app)) == 4

    # And the poll after that files by what is left.
    feed_server.set(
        "tech.xml",
        rss([{"title": "هاتف آخر", "link": "https://t.example/3", "category": "Gadgets"}]),
    )
    async with services.sessions.begin() as session:
        await session.execute(Feed.__table__.update().values(next_poll_at=wall_past()))
    await services.poll()
    assert await article_categories_of(app, "هاتف آخر") == []


def wall_past() -> Any:
    from datetime import UTC, datetime

    return datetime(2000, 1, 1, tzinfo=UTC)


async def test_aliases_and_keywords_long_and_many(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    culture = await category_id(app, "ثقافة وفن")
    seeded = await stored_category(app, "ثقافة وفن")
    assert seeded is not None
    room = MAX_ALIASES - len(seeded.aliases)
    # As many as fit, each as long as an alias may be, and one past each limit.
    many = [f"{n:03d} " + "ف" * (ALIAS_CHARS - 4) for n in range(room)]
    typed = "، ".join([*many, "ز" * (ALIAS_CHARS + 1), "وسم زائد"])
    assert len(typed) < 4096 * 3  # Telegram splits nothing: the fake takes it whole
    card = await card_of(telegram, app, "ثقافة وفن")
    await ask(telegram, card, f"ca:aa:{culture}")
    reply = await answer(telegram, typed)
    assert reply.text.startswith(f"✅ أضفت إلى أسماء «ثقافة وفن» البديلة: {many[0]}")
    assert "… و" in reply.text  # the rest counted, not listed
    assert f"• «{'ز' * 39}…»: أطول من ١٠٠ حرف" in reply.text
    assert "• «وسم زائد»: بلغ التصنيف الحد الأقصى (١٠٠)" in reply.text
    stored = await stored_category(app, "ثقافة وفن")
    assert stored is not None
    assert len(stored.aliases) == MAX_ALIASES
    assert stored.aliases[-1] == many[-1]
    # The card shows some, counts the rest, and fits a message.
    _, shown_card = await tap(telegram, reply, f"ca:c:{culture}")
    assert "• الأسماء البديلة (١٠٠): " in shown_card.text
    assert "غيرها" in shown_card.text

    # Keywords: the longest one, and one past it.
    await ask(telegram, shown_card, f"ca:ak:{culture}")
    longest = ("مهرجان " * 20)[:KEYWORD_CHARS].strip()
    reply = await answer(telegram, f"{longest}، {'ك' * (KEYWORD_CHARS + 1)}")
    assert "• «" + "ك" * 39 + "…»: أطول من ١٠٠ حرف" in reply.text
    stored = await stored_category(app, "ثقافة وفن")
    assert stored is not None
    assert stored.keywords == [longest]
    # The categoriser takes them all.
    async with services_of(app).sessions() as session:
        from bot.feeds.poller import load_categoriser

        categoriser = await load_categoriser(session)
    found = categoriser.categorise(defaults=[], labels=[many[-1]], terms="")
    assert found == [culture]


async def test_an_admin_removed_while_a_question_waits_is_refused(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    services = services_of(app)
    await say(telegram, READER, "/start")
    await services.admins.add(OWNER, Person(READER, "سارة"))
    listing = await say(telegram, READER, "/categories_admin")
    await ask(telegram, listing, "ca:a", user=READER)
    await services.admins.remove(OWNER, READER)
    reply = await answer(telegram, "تصنيف مقترح", user=READER)
    assert reply.text == shown("admin_refused")
    assert await stored_category(app, "تصنيف مقترح") is None
    # Her buttons are refused too.
    toast, _ = await tap(telegram, listing, "ca:a", user=READER)
    assert toast == text("admin_refused", "ar")
    async with services.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Category))
    assert count == len(STANDARD_CATEGORIES)


@pytest.mark.parametrize("language", ["ar", "en"])
async def test_every_screen_fits_telegram_in_both_languages(
    app: NashraApp, telegram: FakeTelegram, language: str
) -> None:
    """Every screen's HTML is accepted (the fake refuses what Telegram refuses)."""
    services = services_of(app)
    user = ADMIN if language == "ar" else ENGLISH_READER
    if language == "en":
        await services.admins.add(OWNER, Person(ENGLISH_READER, "Sam"))
    health = await category_id(app, "صحة")
    async with services.sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["صحة"])
        await factories.reader(session, 601, [category])
    listing = await say(telegram, user, "/categories_admin")
    for data in (f"ca:c:{health}", f"ca:d:{health}", f"ca:mo:{health}:0",
                 f"ca:m:{health}:{await category_id(app, 'سياسة')}", f"ca:ra:{health}:0",
                 f"ca:rk:{health}:0", "ca:l:0"):  # fmt: skip
        toast, message = await tap(telegram, listing, data, user=user)
        assert toast == ""
        assert message.text
    for data in (f"ca:n:{health}", f"ca:aa:{health}", f"ca:ak:{health}", "ca:a"):
        question = await ask(telegram, listing, data, user=user)
        assert question.text
        await tap(telegram, question, CANCEL_DATA, user=user)


@pytest.mark.parametrize(
    "data",
    ["ca:c:abc", "ca:zz:1", "ca:c:1234567890", "ca:xa:1:0:XYZ", "ca:c:1:2", "ca:a:1", "ca:"],
)
async def test_an_admin_s_button_of_another_shape_is_stale(
    app: NashraApp, telegram: FakeTelegram, data: str
) -> None:
    listing = await say(telegram, ADMIN, "/categories_admin")
    toast, after = await tap(telegram, listing, data)
    assert toast == text("button_stale", "ar")
    assert after.text == listing.text
    assert await audit_actions(app) == []

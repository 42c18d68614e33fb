"""The operators' sources through the fake Telegram server: /addfeed (feeds, pages, every
kind of failure), /feeds and each feed's card, the disabled feed's notice and its retry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.admins import Person
from bot.app import poll_feeds, services_of
from bot.context import NashraApp
from bot.news.formatter import format_post, post_source
from bot.opml import MAX_BYTES, parse_opml
from bot.text.dates import format_moment
from bot.text.messages import text
from storage import catalog
from storage import websub as websub_store
from storage.feeds import add_feed, feed_by_url
from storage.models import FEED_NAME_CHARS, LINK_CHARS, Article, AuditEntry, Delivery, Feed
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import MAX_TEXT_UTF16, FakeTelegram, StoredMessage, parse_html, utf16_len
from tests.handlers.conftest import Console
from tests.handlers.conversation import (
    ADMIN,
    ENGLISH_READER,
    PAGE,
    answers,
    buttons,
    closed_port,
    press,
    problem_urls,
    say,
)

NOW = datetime.now(UTC).replace(microsecond=0)
OWNER = Person(ADMIN, "المشرف")


def item(n: int, category: str = "") -> dict[str, str]:
    return {
        "title": f"انسحاب القوات من الحي رقم {n}",
        "link": f"https://www.enabbaladi.net/archives/{n}",
        "guid": f"https://www.enabbaladi.net/?p={n}",
        "description": f"<p>أعلنت الجهات المعنية انسحاب القوات من الحي رقم {n}. الوضع هادئ.</p>",
        "pubDate": format_datetime(NOW - timedelta(hours=10 - n), usegmt=True),
        "category": category,
    }


def link(href: str, kind: str = "application/rss+xml") -> str:
    return f'<link rel="alternate" type="{kind}" title="x" href="{href}">'


async def stored_feeds(app: NashraApp) -> list[Feed]:
    async with services_of(app).sessions() as session:
        return list((await session.scalars(select(Feed).order_by(Feed.id))).all())


async def actions(app: NashraApp) -> list[str]:
    async with services_of(app).sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def count(app: NashraApp, model: Any) -> int:
    async with services_of(app).sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def shown(key: str, **values: Any) -> str:
    return parse_html(text(key, "ar", **values))[0]


async def test_a_feed_is_added_with_its_categories_and_its_newest_post(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    url = feed_server.set("enab.xml", rss([item(3), item(2), item(1)], title="عنب بلدي"))
    async with console() as app:
        added, post = await answers(telegram, ADMIN, f"/addfeed {url} سياسة سوريا_محلي", 2)
        assert added.text.startswith("✅ أضفتُ المصدر عنب بلدي (٣ أخبار)")
        assert url in added.text
        assert "التصنيفات: سوريا محلي، سياسة" in added.text or "التصنيفات: سياسة، سوريا محلي" in (
            added.text
        )
        assert added.text.endswith(shown("addfeed_newest"))
        # Primed: the entries are stored, nothing is posted.
        [feed] = await stored_feeds(app)
        assert feed.url == url
        assert feed.name == "عنب بلدي"
        assert feed.primed
        assert sorted(c.name for c in feed.categories) == ["سوريا محلي", "سياسة"]
        assert await count(app, Article) == 3
        assert await count(app, Delivery) == 0
        assert await actions(app) == ["feed.add"]
        # The newest entry, exactly as the poller's article of it is posted.
        services = services_of(app)
        async with services.sessions() as session:
            newest = await session.scalar(select(Article).order_by(Article.id.desc()).limit(1))
            assert newest is not None
            expected = format_post(post_source(newest), services.style)
        assert post.text == parse_html(expected.text)[0]
        assert post.text.startswith("انسحاب القوات من الحي رقم 3")
        assert "#سياسة #سوريا_محلي" in post.text
        assert post.reply_markup is not None
        [[read_more, *_]] = post.reply_markup["inline_keyboard"]
        assert read_more["url"] == "https://www.enabbaladi.net/archives/3"

        # Twice: already there, nothing more stored.
        again = await say(telegram, ADMIN, f"/addfeed {url}")
        assert again.text == shown("addfeed_already", url=url)
        assert len(await stored_feeds(app)) == 1


async def test_categories_by_alias_and_unknown_names(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(1)]))
    async with console() as app:
        unknown = await say(telegram, ADMIN, f"/addfeed {url} سياسة طبخ")
        assert unknown.text.startswith("لا أعرف هذه التصنيفات: طبخ\nلم أضف شيئاً.")
        assert "سوريا محلي" in unknown.text  # the categories there are
        assert await stored_feeds(app) == []
        assert feed_server.route("f.xml").hits == 0  # refused before anything is fetched
        # The standard categories' aliases: "politics" and "economy" are theirs.
        await answers(telegram, ADMIN, f"/addfeed {url} politics، economy", 2)
        [feed] = await stored_feeds(app)
        assert sorted(c.name for c in feed.categories) == ["اقتصاد", "سياسة"]


async def test_a_page_with_one_feed_linked_adds_that_feed(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    feed_url = feed_server.set("news/rss.xml", rss([item(1)], title="أخبار"))
    page = feed_server.set("news/", PAGE.format(links=link("rss.xml")), content_type="text/html")
    async with console() as app:
        added, _ = await answers(telegram, ADMIN, f"/addfeed {page}", 2)
        assert added.text.startswith("✅ أضفتُ المصدر أخبار (خبر واحد)")
        assert f"وجدتُه في الصفحة {page}" in added.text
        assert [feed.url for feed in await stored_feeds(app)] == [feed_url]


async def test_a_page_without_links_is_searched_at_the_common_paths(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    feed_url = feed_server.set("feed", rss([item(1), item(2)], title="خلاصة"))
    page = feed_server.set("home", PAGE.format(links=""), content_type="text/html")
    async with console() as app:
        added, _ = await answers(telegram, ADMIN, f"/addfeed {page}", 2)
        assert added.text.startswith("✅ أضفتُ المصدر خلاصة (خبران)")
        assert [feed.url for feed in await stored_feeds(app)] == [feed_url]


async def test_a_page_with_several_feeds_offers_them_as_buttons(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    news = feed_server.set("rss/news.xml", rss([item(1)], title="الأخبار"))
    sport = feed_server.set("rss/sport.xml", rss([item(2), item(3)], title="الرياضة"))
    atom = feed_server.url("atom/missing.xml")  # linked, but not there: not offered
    links = link("/rss/news.xml") + link(sport) + link(atom, "application/atom+xml")
    page = feed_server.set("index.html", PAGE.format(links=links), content_type="text/html")
    async with console() as app:
        offer = await say(telegram, ADMIN, f"/addfeed {page} رياضة", timeout=15)
        assert offer.text.startswith(shown("addfeed_choose", url=page))
        choices = buttons(offer)
        assert list(choices.values()) == ["الأخبار (خبر واحد)", "الرياضة (خبران)"]
        assert all(len(data.encode()) <= 64 for data in choices)
        assert await stored_feeds(app) == []
        before = len(telegram.sent(ADMIN))
        await press(telegram, ADMIN, offer, list(choices)[1])
        await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) >= before + 2)
        added = telegram.sent(ADMIN)[before]
        assert added.text.startswith("✅ أضفتُ المصدر الرياضة (خبران)")
        [feed] = await stored_feeds(app)
        assert feed.url == sport
        assert [c.name for c in feed.categories] == ["رياضة"]
        assert news not in [f.url for f in await stored_feeds(app)]
        # A forged or forgotten token is only a stale button.
        toast = await press(telegram, ADMIN, offer, "dsc:00000000:0")
        assert toast == text("button_stale", "ar")


@pytest.mark.parametrize(
    ("case", "beginning", "detail"),
    [
        ("status", "لم أضف {url}: ردّ الموقع بخطأ.", "HTTP 404 Not Found"),
        ("unreachable", "لم أضف {url}: تعذّر الوصول إلى الموقع", "cannot connect to 127.0.0.1"),
        ("not a feed", "لم أضف {url}: ليس خلاصة RSS أو Atom", "not an RSS or Atom feed"),
        ("too large", "لم أضف {url}: الردّ أكبر من الحجم المسموح.", "body larger than"),
        ("bad url", "هذا ليس رابط موقع", ""),
        ("local file", "هذا ليس رابط موقع", ""),
        ("broken", "لم أضف {url}: ليس خلاصة RSS أو Atom", "XML is broken"),
    ],
)
async def test_what_is_wrong_is_said_and_nothing_is_stored(
    console: Console,
    telegram: FakeTelegram,
    feed_server: FeedServer,
    case: str,
    beginning: str,
    detail: str,
) -> None:
    urls = problem_urls(feed_server)
    async with console(fetch_max_bytes=10_000) as app:
        answer = await say(telegram, ADMIN, f"/addfeed {urls[case]}", timeout=15)
        assert answer.text.startswith(beginning.format(url=urls[case]))
        assert detail in answer.text
        assert await stored_feeds(app) == []
        assert await actions(app) == []


async def test_a_timeout_is_said(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    held = asyncio.Event()
    url = feed_server.set("slow.xml", rss([item(1)]), hold=held)
    async with console(fetch_timeout_seconds=1) as app:
        answer = await say(telegram, ADMIN, f"/addfeed {url}", timeout=15)
        held.set()
        assert answer.text.startswith(f"لم أضف {url}: لم يردّ الموقع في الوقت المسموح.")
        assert "timed out after 1 s" in answer.text
        assert await stored_feeds(app) == []


async def test_a_private_address_is_refused_unless_allowed(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(1)]))
    async with console(allow_private_feeds=False) as app:
        answer = await say(telegram, ADMIN, f"/addfeed {url}")
        assert answer.text.startswith(f"لم أضف {url}: عنوانه داخلي أو خاص")
        assert "ALLOW_PRIVATE_FEEDS" in answer.text
        assert "address not allowed: 127.0.0.1 is a loopback address" in answer.text
        assert feed_server.route("f.xml").hits == 0
        assert await stored_feeds(app) == []


async def test_usage_without_a_url(console: Console, telegram: FakeTelegram) -> None:
    async with console():
        assert (await say(telegram, ADMIN, "/addfeed")).text == text("addfeed_usage", "ar")


async def _feed(app: NashraApp, url: str, **values: Any) -> int:
    async with services_of(app).sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, url, name=values.pop("name", None), categories=[category])
        for key, value in values.items():
            setattr(feed, key, value)
        return feed.id


async def test_feeds_lists_every_state_and_pages(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    async with console() as app:
        ok = await _feed(app, "https://a.example/feed", name="ألف", primed=True)
        since = NOW - timedelta(hours=3)
        await _feed(
            app, "https://b.example/feed", name="باء", primed=True, error_count=3,
            failing_since=since, last_error="HTTP 503 Service Unavailable",
        )  # fmt: skip
        await _feed(app, "https://c.example/feed", name="جيم", primed=True, paused=True)
        await _feed(
            app, "https://d.example/feed", name="دال", disabled=True, error_count=20,
            last_error="network error: cannot resolve d.example",
        )  # fmt: skip
        await _feed(app, "https://e.example/feed")  # no name, never polled
        for n in range(6, 8):
            await _feed(app, f"https://{n}.example/feed", name=f"مصدر {n}")
        async with services_of(app).sessions.begin() as session:
            for n in range(14):  # 14 articles in the last 7 days: 2 a day
                session.add(
                    Article(
                        feed_id=ok, key=f"k{n}", original_title="خبر", headline="خبر",
                        source_domain="a.example", published_at=NOW,
                        fetched_at=NOW - timedelta(hours=n),
                    )
                )  # fmt: skip
        first = await say(telegram, ADMIN, "/feeds")
        settings = services_of(app).settings

        def moment(value: datetime) -> str:
            return format_moment(value, locale="ar_SY", digits="arab", tz=settings.zone)

        assert first.text.startswith("📡 المصادر (٧ مصادر):")
        assert f"١. ألف — ✅ يعمل\nآخر خبر جديد: {moment(NOW)} · الأخبار يومياً: ٢" in first.text
        assert f"٢. باء — ⚠️ يفشل منذ {moment(since)} (٣ محاولات فاشلة)" in first.text
        assert "آخر خطأ: HTTP 503 Service Unavailable" in first.text
        assert "٣. جيم — ⏸ موقوف مؤقتاً" in first.text
        assert "٤. دال — ⛔ معطّل بعد ٢٠ محاولة فاشلة" in first.text
        assert "آخر خطأ: network error: cannot resolve d.example" in first.text
        assert "٥. e.example — 🆕 لم يُجلب بعد\nآخر خبر جديد: لا شيء بعد · الأخبار يومياً: ٠" in (
            first.text
        )
        assert "مصدر 6" not in first.text
        keys = list(buttons(first))
        assert keys[:5] == [f"fd:o:{i}" for i in range(ok, ok + 5)]
        assert keys[5:] == ["fd:p:5"]
        await press(telegram, ADMIN, first, "fd:p:5")
        [second] = [m for m in telegram.sent(ADMIN) if m.message_id == first.message_id]
        assert "٦. مصدر 6" in second.text
        assert "٧. مصدر 7" in second.text
        assert list(buttons(second))[-1] == "fd:p:0"


async def test_a_feed_s_card_pauses_polls_edits_and_removes_it(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(1)], title="المصدر"))
    async with console() as app:
        await answers(telegram, ADMIN, f"/addfeed {url} سياسة", 2)
        [feed] = await stored_feeds(app)
        listing = await say(telegram, ADMIN, "/feeds")
        await press(telegram, ADMIN, listing, f"fd:o:{feed.id}")

        def card() -> StoredMessage:
            [message] = [m for m in telegram.sent(ADMIN) if m.message_id == listing.message_id]
            return message

        assert card().text.startswith(f"المصدر\n\u200f{url}\nالحالة: ✅ يعمل\nالتصنيفات: سياسة")
        assert "التحديث: كل ٥ دقائق (الافتراضي)" in card().text
        assert list(buttons(card())) == [
            f"fd:pause:{feed.id}", f"fd:poll:{feed.id}", f"fd:cats:{feed.id}",
            f"fd:int:{feed.id}", f"fd:rm:{feed.id}", "fd:p:0",
        ]  # fmt: skip

        # Pause: not polled until resumed.
        assert await press(telegram, ADMIN, card(), f"fd:pause:{feed.id}") == "أوقفتُه مؤقتاً."
        assert "الحالة: ⏸ موقوف مؤقتاً" in card().text
        assert f"fd:resume:{feed.id}" in buttons(card())
        hits = feed_server.route("f.xml").hits
        async with services_of(app).sessions.begin() as session:
            await session.execute(update(Feed).values(next_poll_at=NOW - timedelta(hours=1)))
        await poll_feeds(app)
        assert feed_server.route("f.xml").hits == hits
        before = len(telegram.sent(ADMIN))
        await press(telegram, ADMIN, card(), f"fd:poll:{feed.id}")
        await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
        assert telegram.sent(ADMIN)[-1].text == "لم أحدّث المصدر: ⏸ موقوف مؤقتاً."
        assert await press(telegram, ADMIN, card(), f"fd:resume:{feed.id}") == "استأنفتُ جلبه."
        assert "الحالة: ✅ يعمل" in card().text

        # Poll now: one new entry, reported.
        feed_server.set("f.xml", rss([item(2), item(1)], title="المصدر"))
        before = len(telegram.sent(ADMIN))
        await press(telegram, ADMIN, card(), f"fd:poll:{feed.id}")
        await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
        assert telegram.sent(ADMIN)[-1].text == "🔄 حدّثتُ المصدر: خبر واحد، ومنها للنشر لا أخبار."
        assert await count(app, Article) == 2

        # Categories: toggles of every category.
        await press(telegram, ADMIN, card(), f"fd:cats:{feed.id}")
        politics = await category(app, "سياسة")
        sport = await category(app, "رياضة")
        assert buttons(card())[f"fd:cat:{feed.id}:{politics}"] == "✅ سياسة"
        assert buttons(card())[f"fd:cat:{feed.id}:{sport}"] == "رياضة"
        assert await press(telegram, ADMIN, card(), f"fd:cat:{feed.id}:{sport}") == "حُفظ."
        await press(telegram, ADMIN, card(), f"fd:cat:{feed.id}:{politics}")
        assert buttons(card())[f"fd:cat:{feed.id}:{sport}"] == "✅ رياضة"
        assert buttons(card())[f"fd:cat:{feed.id}:{politics}"] == "سياسة"
        [feed] = await stored_feeds(app)
        assert [c.name for c in feed.categories] == ["رياضة"]

        # Interval: the presets; a forged value is stale.
        await press(telegram, ADMIN, card(), f"fd:o:{feed.id}")
        await press(telegram, ADMIN, card(), f"fd:int:{feed.id}")
        assert f"fd:iv:{feed.id}:3600" in buttons(card())
        await press(telegram, ADMIN, card(), f"fd:iv:{feed.id}:3600")
        assert "التحديث: كل ساعة" in card().text
        assert (await stored_feeds(app))[0].poll_interval_seconds == 3600
        forged = await press(telegram, ADMIN, card(), f"fd:iv:{feed.id}:7")
        assert forged == text("button_stale", "ar")
        await press(telegram, ADMIN, card(), f"fd:int:{feed.id}")
        await press(telegram, ADMIN, card(), f"fd:iv:{feed.id}:0")
        assert (await stored_feeds(app))[0].poll_interval_seconds is None

        # Remove: asked first, then gone with its articles.
        await press(telegram, ADMIN, card(), f"fd:rm:{feed.id}")
        assert card().text.startswith("هل تريد حذف المصدر المصدر؟")
        assert await stored_feeds(app) != []
        await press(telegram, ADMIN, card(), f"fd:rmy:{feed.id}")
        assert card().text == "🗑 حذفتُ المصدر المصدر."
        assert await stored_feeds(app) == []
        assert await count(app, Article) == 0
        gone = await press(telegram, ADMIN, card(), f"fd:o:{feed.id}")
        assert gone == "هذا المصدر لم يعد موجوداً."
        assert await actions(app) == [
            "feed.add", "feed.pause", "feed.resume", "feed.categories", "feed.categories",
            "feed.interval", "feed.interval", "feed.remove",
        ]  # fmt: skip
        audit = await say(telegram, ADMIN, "/audit")
        assert "١. حذف مصدر" in audit.text


async def category(app: NashraApp, name: str) -> int:
    async with services_of(app).sessions() as session:
        found = await catalog.category_by_name(session, name)
        assert found is not None
        return found.id


async def test_a_disabled_feed_is_announced_and_retried_from_the_notice(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    # A query with "&": every message that names the feed escapes it for Telegram's HTML.
    url = feed_server.set("broken.xml", rss([item(1)]), status=500) + "?a=1&b=2"
    async with console(max_feed_failures=2) as app:
        feed_id = await _feed(app, url, name="المعطوب")
        assert (await poll_feeds(app)).disabled == []
        [failing] = await stored_feeds(app)
        assert failing.failing_since is not None
        assert not failing.disabled
        async with services_of(app).sessions.begin() as session:
            await session.execute(update(Feed).values(next_poll_at=datetime.now(UTC)))
        before = len(telegram.sent(ADMIN))
        [disabled] = (await poll_feeds(app)).disabled
        await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
        notice = telegram.sent(ADMIN)[-1]
        assert f"أوقفتُ جلب المصدر {url} بعد محاولتين فاشلتين متتاليتين." in notice.text
        assert "500" in notice.text
        assert buttons(notice) == {f"fd:retry:{feed_id}": "إعادة المحاولة"}
        [off] = await stored_feeds(app)
        assert off.disabled
        assert off.failing_since == failing.failing_since

        # Fixed: the button enables it again and polls it at once.
        feed_server.set("broken.xml", rss([item(1)]), status=200)
        before = len(telegram.sent(ADMIN))
        await press(telegram, ADMIN, notice, f"fd:retry:{feed_id}")
        await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
        answer = telegram.sent(ADMIN)[-1]
        assert answer.text == (
            f"✅ أعدتُ تفعيل المصدر {url}\n🔄 حدّثتُ المعطوب: خبر واحد، ومنها للنشر لا أخبار."
        )
        [back] = await stored_feeds(app)
        assert not back.disabled
        assert back.error_count == 0
        assert back.failing_since is None
        assert back.primed
        assert await actions(app) == ["feed.enable"]
        # The notice itself stays as it was.
        assert telegram.sent(ADMIN)[before - 1 :][0].text == notice.text


async def test_long_titles_and_urls_at_their_columns(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    path = "f" * (LINK_CHARS - len(feed_server.url("")))
    url = feed_server.set(path, rss([item(1)], title="ع" * (FEED_NAME_CHARS + 50)))
    assert len(url) == LINK_CHARS
    async with console() as app:
        await answers(telegram, ADMIN, f"/addfeed {url}", 2)
        [feed] = await stored_feeds(app)
        assert feed.url == url
        assert feed.name == "ع" * FEED_NAME_CHARS
        too_long = await say(telegram, ADMIN, f"/addfeed {url}x")
        assert too_long.text == shown("addfeed_url_too_long", detail="2000")
        listing = await say(telegram, ADMIN, "/feeds")
        assert listing.text.startswith("📡 المصادر (مصدر واحد):")
        async with services_of(app).sessions() as session:
            assert await feed_by_url(session, url + "x") is None


# ---------------------------------------------------------------------------- OPML


def opml_file(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><head><title>قائمتي'
        f"</title></head><body>{body}</body></opml>"
    ).encode()


def outline(url: str, title: str = "مصدر", **attributes: str) -> str:
    extra = "".join(f' {name}="{value}"' for name, value in attributes.items())
    return f'<outline type="rss" text="{title}" xmlUrl="{url}"{extra}/>'


async def send_file(
    telegram: FakeTelegram, name: str, data: bytes, user: int = ADMIN
) -> StoredMessage:
    """The user sends a file; return the bot's answer once it is final (an import's report
    replaces its progress message)."""
    before = len(telegram.sent(user))
    telegram.user_sends_document(user, name, data)
    await telegram.wait_for(lambda: len(telegram.sent(user)) > before, timeout=15)
    answer = telegram.sent(user)[before]
    working = (shown("opml_reading"), "⏳ أستورد المصادر")
    await telegram.wait_for(lambda: not answer.text.startswith(working), timeout=30)
    return answer


async def test_an_opml_file_imports_its_feeds_with_a_report(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    politics = feed_server.set("politics.xml", rss([item(1)], title="سياسي"))
    sport = feed_server.set("sport.xml", rss([item(2)], title="رياضي"))
    known = feed_server.set("known.xml", rss([item(3)], title="معروف"))
    broken = feed_server.set("broken.xml", "<rss><channel><<<<", content_type="text/xml")
    page = feed_server.set("page", PAGE.format(links=""), content_type="text/html")
    unreachable = f"http://127.0.0.1:{closed_port()}/feed"
    body = (
        f'<outline text="سياسة">{outline(politics, "سياسي")}'
        f'<outline text="قسم مجهول">{outline(broken)}</outline></outline>'
        + outline(sport, "رياضي", category="/Sports,/مجهول")
        + outline(known)
        + outline(politics, "مكرر")  # twice in the file: once
        + outline(unreachable)
        + outline(page)
        + outline("javascript:alert(1)")
    )
    async with console() as app:
        await answers(telegram, ADMIN, f"/addfeed {known}", 2)
        report = await send_file(telegram, "feeds.opml", opml_file(body))
        assert report.text.startswith(
            "📥 استيراد OPML (٧ مصادر)\n✅ أُضيف: مصدران\n↩️ موجود من قبل: مصدر واحد\n"
            "⚠️ لم يُضف: ٤ مصادر"
        )
        assert f"• {broken} — ليس خلاصة RSS أو Atom (no entries, and the XML is broken" in (
            report.text
        )
        assert f"• {unreachable} — تعذّر الوصول إليه (network error: cannot connect" in (report.text)
        assert f"• {page} — ليس خلاصة RSS أو Atom" in report.text
        assert "• javascript:alert(1) — رابط غير صالح" in report.text
        assert f"• سياسي — {politics}" in report.text
        assert "أُضيف:\n• " in report.text
        feeds = {f.url: sorted(c.name for c in f.categories) for f in await stored_feeds(app)}
        assert feeds == {known: [], politics: ["سياسة"], sport: ["رياضة"]}
        assert await count(app, Delivery) == 0  # primed: nothing posted
        assert (await actions(app)).count("feed.add") == 3


async def test_opml_from_a_private_address_is_refused_unless_allowed(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(1)]))
    async with console(allow_private_feeds=False) as app:
        report = await send_file(telegram, "list.xml", opml_file(outline(url)))
        assert f"• {url} — عنوان خاص أو داخلي (address not allowed: 127.0.0.1 is a loopback" in (
            report.text
        )
        assert await stored_feeds(app) == []


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"<opml><body><outline", "not well-formed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            b'"&lol;&lol;&lol;">]><opml><body><outline xmlUrl="&lol2;"/></body></opml>',
            "refused: DTDForbidden",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml/>',
            "refused: DTDForbidden",
        ),
        (rss([item(1)]).encode(), "not an OPML document (its root is &lt;rss&gt;)"),
    ],
    ids=["broken", "entities", "external", "rss"],
)
async def test_a_file_that_is_not_readable_opml_imports_nothing(
    console: Console, telegram: FakeTelegram, data: bytes, detail: str
) -> None:
    async with console() as app:
        answer = await send_file(telegram, "x.xml", data)
        assert answer.text.startswith(shown("opml_unreadable", detail=detail))
        assert await stored_feeds(app) == []


async def test_an_empty_or_oversize_opml(console: Console, telegram: FakeTelegram) -> None:
    async with console():
        empty = await send_file(telegram, "empty.opml", opml_file('<outline text="مجلد"/>'))
        assert empty.text == shown("opml_empty")
        big = opml_file("<!--" + " " * MAX_BYTES + "-->")
        downloads = len(telegram.calls_of("getFile"))
        too_large = await send_file(telegram, "big.opml", big)
        assert too_large.text == shown("opml_too_large", limit=f"{MAX_BYTES:,}")
        assert len(telegram.calls_of("getFile")) == downloads  # refused by its size alone


async def test_a_large_import_shows_its_progress_in_one_message(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    urls = [feed_server.set(f"f{n}.xml", rss([item(n)], title=f"مصدر {n}")) for n in range(25)]
    async with console() as app:
        report = await send_file(telegram, "many.opml", opml_file("".join(map(outline, urls))))
        assert report.text.startswith("📥 استيراد OPML (٢٥ مصدراً)\n✅ أُضيف: ٢٥ مصدراً")
        edits = [c for c in telegram.calls_of("editMessageText") if c.ok]
        assert {c.params["message_id"] for c in edits} == {report.message_id}
        progress = [c.params["text"] for c in edits if "أستورد المصادر" in c.params["text"]]
        assert progress  # at least every ten feeds
        assert all(p.endswith("من ٢٥…") for p in progress)
        assert len(await stored_feeds(app)) == 25
        assert report.text.count("• ") == 25


async def test_an_import_of_many_dead_feeds_is_reported_in_one_message(
    console: Console, telegram: FakeTelegram
) -> None:
    """Forty unreachable feeds with long addresses: the report names as many as fit one
    message and counts the rest."""
    port = closed_port()
    urls = [f"http://127.0.0.1:{port}/{n}/" + "feed-path-" * 10 for n in range(40)]
    async with console(fetch_timeout_seconds=5) as app:
        report = await send_file(telegram, "dead.opml", opml_file("".join(map(outline, urls))))
        assert report.text.startswith("📥 استيراد OPML (٤٠ مصدراً)")
        assert "⚠️ لم يُضف: ٤٠ مصدراً" in report.text
        assert utf16_len(report.text) <= MAX_TEXT_UTF16
        assert report.text.rstrip().split("\n")[-1].startswith("… و")
        assert await stored_feeds(app) == []


async def test_a_page_linking_long_feed_addresses_is_answered(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    """Twelve feeds found, each at a 400-character address: the list still fits."""
    paths = [f"feeds/{n}/" + "x" * 380 + ".xml" for n in range(12)]
    for n, path in enumerate(paths):
        feed_server.set(path, rss([item(n)], title=f"خلاصة {n}"))
    links = "".join(link("/" + path) for path in paths)
    page = feed_server.set("index.html", PAGE.format(links=links), content_type="text/html")
    async with console():
        offer = await say(telegram, ADMIN, f"/addfeed {page}", timeout=15)
        assert offer.text.startswith(shown("addfeed_choose", url=page))
        assert utf16_len(offer.text) <= MAX_TEXT_UTF16
        assert len(buttons(offer)) == 12


async def test_a_linked_feed_past_the_url_column_is_not_offered(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    """A page's feed at an address longer than 2000 characters: never stored (PostgreSQL
    would refuse it), the page answered as a page without a usable feed."""
    path = "feeds/" + "x" * (LINK_CHARS + 10) + ".xml"
    feed_server.set(path, rss([item(1)], title="بعيد"))
    page = feed_server.set("home", PAGE.format(links=link("/" + path)), content_type="text/html")
    async with console() as app:
        answer = await say(telegram, ADMIN, f"/addfeed {page}", timeout=15)
        assert answer.text.startswith(f"لم أضف {page}: ")
        assert feed_server.route(path).hits == 0
        assert await stored_feeds(app) == []


async def test_export_and_import_round_trip(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    first = feed_server.set("one.xml", rss([item(1)], title="الأول"))
    second = feed_server.set("two.xml", rss([item(2)], title="الثاني"))
    third = feed_server.set("three.xml", rss([item(3)], title="الثالث"))
    async with console() as app:
        assert (await say(telegram, ADMIN, "/export")).text == shown("export_none")
        await answers(telegram, ADMIN, f"/addfeed {first} سياسة اقتصاد", 2)
        await answers(telegram, ADMIN, f"/addfeed {second} سوريا_محلي", 2)
        await answers(telegram, ADMIN, f"/addfeed {third}", 2)
        before = {f.url: sorted(c.name for c in f.categories) for f in await stored_feeds(app)}
        exported = await say(telegram, ADMIN, "/export")
        assert exported.extra["caption"].startswith("📤 المصادر (٣ مصادر) بصيغة OPML")
        name, data = telegram.document(exported)
        assert name == "nashra-feeds.opml"
        outlines = {o.url: (o.title, sorted(set(o.categories))) for o in parse_opml(data)}
        assert outlines == {
            first: ("الأول", ["اقتصاد", "سياسة"]),
            second: ("الثاني", ["سوريا محلي"]),
            third: ("الثالث", []),
        }
        assert '<outline text="اقتصاد" title="اقتصاد">' in data.decode()  # a folder
        # Everything gone; the file brings it back as it was.
        services = services_of(app)
        for feed in await stored_feeds(app):
            await services.sources.remove(OWNER, feed.id)
        assert await stored_feeds(app) == []
        report = await send_file(telegram, name, data)
        assert report.text.startswith("📥 استيراد OPML (٣ مصادر)\n✅ أُضيف: ٣ مصادر")
        after = {f.url: sorted(c.name for c in f.categories) for f in await stored_feeds(app)}
        assert after == before


async def test_an_english_admin_gets_english(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(1), item(2)], title="Enab Baladi"))
    async with console() as app:
        telegram.add_user(ENGLISH_READER, "Sam", language_code="en")
        await services_of(app).admins.add(OWNER, Person(ENGLISH_READER, "Sam"))
        added, _ = await answers(telegram, ENGLISH_READER, f"/addfeed {url} economy", 2)
        assert added.text.startswith(f"✅ Added Enab Baladi (2 articles)\n{url}\n")
        assert "Categories: اقتصاد" in added.text
        listing = await say(telegram, ENGLISH_READER, "/feeds")
        assert listing.text.startswith("📡 Feeds (1 feed):\n\n1. Enab Baladi — ✅ ok\n")
        assert "per day: 0.3" in listing.text
        [feed] = await stored_feeds(app)
        await press(telegram, ENGLISH_READER, listing, f"fd:o:{feed.id}")
        [card] = [m for m in telegram.sent(ENGLISH_READER) if m.message_id == listing.message_id]
        assert "Polled: every 5 minutes (the default)" in card.text
        assert buttons(card)[f"fd:poll:{feed.id}"] == "🔄 Poll now"
        unknown = await say(telegram, ENGLISH_READER, f"/addfeed {url}x cooking")
        assert unknown.text.startswith("I do not know these categories: cooking\n")


async def test_feeds_marks_the_feeds_their_hub_pushes(
    console: Console, telegram: FakeTelegram
) -> None:
    # WebSub is on (a public URL): only then does an active subscription count as pushed.
    websub = {"websub_callback_url": "https://bot.example/websub", "http_port": 0}
    async with console(**websub) as app:
        pushed = await _feed(app, "https://a.example/feed", name="ألف", primed=True)
        await _feed(app, "https://b.example/feed", name="باء", primed=True)
        now = datetime.now(UTC)
        async with services_of(app).sessions.begin() as session:
            row = await websub_store.want(
                session, pushed, hub="https://hub.example/", topic="https://a.example/feed",
                secret="s" * 43, token="t" * 43, now=now, retry=timedelta(minutes=10),
            )  # fmt: skip
            websub_store.activate(row, now, 86_400)
        listing = await say(telegram, ADMIN, "/feeds")
        assert "١. ألف — ✅ يعمل · ⚡ يصل بالدفع\n" in listing.text
        assert "٢. باء — ✅ يعمل\n" in listing.text
        assert text("feed_state_pushed", "en") == " · ⚡ pushed"

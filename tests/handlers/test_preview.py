"""/preview URL through the fake Telegram server, on both databases: a feed's newest entries
exactly as the poller's articles of them are posted, where each would go, and nothing stored;
every kind of bad URL answered with what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import services_of
from bot.channels import ChatFacts, bind_chat
from bot.context import NashraApp
from bot.news.formatter import format_post, post_source
from bot.text.messages import text
from handlers.operations import PREVIEW_DEFAULT, PREVIEW_MOST
from storage import catalog, channels
from storage.feeds import add_feed
from storage.models import Article, AuditEntry, ChatKind, Delivery, Feed
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import MAX_TEXT_UTF16, FakeTelegram, StoredMessage, parse_html, utf16_len
from tests.handlers.conftest import Console
from tests.handlers.conversation import ADMIN, PAGE, READER, answers, problem_urls, say

NOW = datetime.now(UTC).replace(microsecond=0)
CHANNEL = -1001234567890


def entry(n: int, title: str, body: str, category: str = "") -> dict[str, str]:
    return {
        "title": title,
        "link": f"https://www.enabbaladi.net/archives/{n}",
        "guid": f"https://www.enabbaladi.net/?p={n}",
        "description": f"<p>{body}</p>",
        "pubDate": format_datetime(NOW - timedelta(hours=10 - n), usegmt=True),
        "category": category,
    }


ENTRIES = [  # newest first, as feeds list them
    entry(4, "افتتاح معرض الكتاب في دمشق", "افتتح معرض الكتاب أبوابه صباح اليوم للزوار."),
    entry(3, "Talks resume in Geneva", "Delegations met again on Tuesday in Geneva."),
    entry(2, "جلسة جديدة لمجلس الشعب", "عقد المجلس جلسته الأسبوعية لمناقشة القوانين.", "سياسة"),
    entry(1, "انقطاع الكهرباء في حلب", "انقطعت الكهرباء عن أحياء في المدينة.", "سوريا محلي"),
]


RLM = "\u200f"  # starts the Arabic messages' lines that would otherwise start left to right


def shown(key: str, **values: Any) -> str:
    return parse_html(text(key, "ar", **values))[0].replace(RLM, "")


def read(message: StoredMessage) -> str:
    return message.text.replace(RLM, "")


async def count(app: NashraApp, model: Any) -> int:
    async with services_of(app).sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def destinations(app: NashraApp) -> None:
    """A channel that carries «سوريا محلي», and a reader who follows «سياسة»."""
    async with services_of(app).sessions.begin() as session:
        local, politics = await catalog.ensure_categories(session, ["سوريا محلي", "سياسة"])
        facts = ChatFacts(CHANNEL, ChatKind.CHANNEL, "أخبار حلب", "akhbar_halab")
        await bind_chat(session, facts, [local], {local.id: None})
        await catalog.subscribe(session, READER, [politics])


async def test_the_newest_entries_as_they_would_be_posted_and_where(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    url = feed_server.set("enab.xml", rss(ENTRIES, title="عنب بلدي"))
    telegram.add_chat(CHANNEL, title="أخبار حلب", username="akhbar_halab")
    async with console() as app:
        await say(telegram, READER, "/start")
        await destinations(app)
        heading, *posts = await answers(telegram, ADMIN, f"/preview {url} 4", 5)
        assert read(heading).startswith(f"🔎 معاينة: عنب بلدي — ٤ أخبار في الخلاصة\n{url}")
        assert shown("preview_not_stored") in read(heading)
        items = read(heading).split("\n\n")[-4:]
        assert items == [
            "١. افتتاح معرض الكتاب في دمشق\nالتصنيفات: لا شيء\n"
            "إلى: لا أحد: لا قناة ولا قارئ يتابع تصنيفاته",
            "٢. Talks resume in Geneva\nالتصنيفات: لا شيء\n"
            "إلى: لا أحد: لا قناة ولا قارئ يتابع تصنيفاته\n"
            "لن يُنشر: ليس خبراً عربياً (لغته غير العربية)",
            "٣. جلسة جديدة لمجلس الشعب\nالتصنيفات: سياسة\nإلى: قارئ واحد",
            "٤. انقطاع الكهرباء في حلب\nالتصنيفات: سوريا محلي\nإلى: @akhbar_halab",
        ]
        assert [read(post).split("\n", 1)[0] for post in posts] == [e["title"] for e in ENTRIES]
        # Nothing was stored, nothing was sent anywhere else.
        assert await count(app, Feed) == 0
        assert await count(app, Article) == 0
        assert await count(app, Delivery) == 0
        assert await count(app, AuditEntry) == 0
        assert telegram.sent(CHANNEL) == []

        # The same entries as the poller stores them are posted exactly as previewed.
        services = services_of(app)
        async with services.sessions.begin() as session:
            feed_id = (await add_feed(session, url, name="عنب بلدي")).id
        await services.poller.poll_feed(feed_id)
        async with services.sessions() as session:
            stored = (await session.scalars(select(Article).order_by(Article.id.desc()))).all()
            expected = [format_post(post_source(article), services.style) for article in stored]
        english = next(a for a in stored if a.language != "ar")
        assert english.headline == "Talks resume in Geneva"
        by_link = {wanted.button_url: wanted for wanted in expected}
        assert len(by_link) == len(posts)
        for post in posts:
            assert post.reply_markup is not None
            [[read_more, *_]] = post.reply_markup["inline_keyboard"]
            assert post.text == parse_html(by_link[read_more["url"]].text)[0]
        assert "#سوريا_محلي" in posts[-1].text
        assert "#سياسة" in posts[-2].text


async def test_many_channels_are_counted_to_fit_one_message(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    """Sixty channels with long titles carry every category: each post's line names the
    first ones and counts the rest, and the answer fits one message."""
    url = feed_server.set("enab.xml", rss(ENTRIES, title="عنب بلدي"))
    async with console() as app:
        async with services_of(app).sessions.begin() as session:
            categories = await catalog.ensure_categories(session, ["سوريا محلي", "سياسة"])
            for n in range(60):
                title = f"قناة {n} " + "باسم طويل جداً " * 4
                facts = ChatFacts(CHANNEL - n, ChatKind.CHANNEL, title, None)
                await bind_chat(session, facts, categories, {c.id: None for c in categories})
        heading, *_ = await answers(telegram, ADMIN, f"/preview {url} {len(ENTRIES)}",
                                    len(ENTRIES) + 1)  # fmt: skip
        assert utf16_len(heading.text) <= MAX_TEXT_UTF16
        assert "غيرها" in heading.text
        assert read(heading).count("إلى: ") == len(ENTRIES)


async def test_a_stored_feed_adds_its_own_categories(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    url = feed_server.set("enab.xml", rss(ENTRIES[:1], title="عنب بلدي"))
    async with console() as app:
        async with services_of(app).sessions.begin() as session:
            categories = await catalog.ensure_categories(session, ["ثقافة وفن"])
            await add_feed(session, url, name="عنب بلدي", categories=categories)
        heading, post = await answers(telegram, ADMIN, f"/preview {url}", 2)
        assert shown("preview_stored") in read(heading)
        assert "١. افتتاح معرض الكتاب في دمشق\nالتصنيفات: ثقافة وفن" in read(heading)
        assert "#ثقافة_وفن" in post.text
        assert await count(app, Article) == 0


async def test_as_many_as_asked_the_default_and_an_empty_feed(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    many = [entry(n, f"خبر رقم {n} من حلب", f"نص الخبر رقم {n}.") for n in range(9, 0, -1)]
    url = feed_server.set("many.xml", rss(many))
    empty = feed_server.set("empty.xml", rss([]))
    async with console():
        replies = await answers(telegram, ADMIN, f"/preview {url}", 1 + PREVIEW_DEFAULT)
        assert [r.text.split("\n", 1)[0] for r in replies[1:]] == [
            f"خبر رقم {n} من حلب" for n in (9, 8, 7)
        ]
        replies = await answers(telegram, ADMIN, f"/preview {url} {PREVIEW_MOST}", 6)
        assert replies[-1].text.startswith(f"خبر رقم {10 - PREVIEW_MOST} من حلب")
        [answer] = await answers(telegram, ADMIN, f"/preview {empty}", 1)
        assert read(answer).endswith(shown("preview_empty"))
        assert "٠" in read(answer) or "لا أخبار" in read(answer)


@pytest.mark.parametrize(
    "arguments",
    ["", "{url} 0", "{url} 6", "{url} ثلاثة", "{url} ٣", "{url} 2 3"],
)
async def test_usage_when_the_arguments_are_wrong(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer, arguments: str
) -> None:
    url = feed_server.set("enab.xml", rss(ENTRIES))
    async with console():
        answer = await say(telegram, ADMIN, f"/preview {arguments.format(url=url)}".strip())
        usage = text("preview_usage", "ar", low="١", high="٥", default="٣")
        assert read(answer) == parse_html(usage)[0]
        assert feed_server.route("enab.xml").hits == 0


@pytest.mark.parametrize(
    ("case", "beginning", "detail"),
    [
        ("local file", "هذا ليس رابط موقع", ""),
        ("file URL", "هذا ليس رابط موقع", ""),
        ("status", "تعذّرت معاينة {url}: ردّ الموقع بخطأ.", "HTTP 404 Not Found"),
        ("unreachable", "تعذّرت معاينة {url}: تعذّر الوصول إلى الموقع", "cannot connect"),
        ("not a feed", "تعذّرت معاينة {url}: ليس خلاصة RSS أو Atom", "not an RSS or Atom"),
        ("broken", "تعذّرت معاينة {url}: ليس خلاصة RSS أو Atom", "XML is broken"),
    ],
)
async def test_what_is_wrong_is_said(
    console: Console,
    telegram: FakeTelegram,
    feed_server: FeedServer,
    case: str,
    beginning: str,
    detail: str,
) -> None:
    urls = problem_urls(feed_server)
    async with console() as app:
        answer = await say(telegram, ADMIN, f"/preview {urls[case]}", timeout=15)
        assert read(answer).startswith(beginning.format(url=urls[case]))
        assert detail in read(answer)
        assert await count(app, Feed) == 0


async def test_a_private_address_is_refused_unless_allowed(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss(ENTRIES))
    async with console(allow_private_feeds=False):
        answer = await say(telegram, ADMIN, f"/preview {url}")
        assert read(answer).startswith(f"تعذّرت معاينة {url}: عنوانه داخلي أو خاص")
        assert "ALLOW_PRIVATE_FEEDS" in read(answer)
        assert feed_server.route("f.xml").hits == 0


async def test_a_page_with_feeds_lists_their_preview_commands(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    news = feed_server.set("news.xml", rss(ENTRIES[:2], title="أخبار"))
    sport = feed_server.set("sport.xml", rss(ENTRIES[:1], title="رياضة"))
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="{href}">' for href in (news, sport)
    )
    page = feed_server.set("home", PAGE.format(links=links), content_type="text/html")
    async with console() as app:
        answer = await say(telegram, ADMIN, f"/preview {page}", timeout=15)
        assert read(answer).startswith(shown("preview_choose", url=page).split("\n")[0])
        assert f"/preview {news}" in read(answer)
        assert f"/preview {sport}" in read(answer)
        assert "code" in {entity["type"] for entity in answer.entities}
        assert await count(app, Feed) == 0


async def test_an_entry_not_in_arabic_goes_where_a_binding_takes_its_language(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    """As the planner has it: the English entry goes only to the channel that takes Latin
    script, not to the Arabic one nor to a reader; then it is not «not posted»."""
    english = {**ENTRIES[1], "category": "سوريا محلي"}
    url = feed_server.set("en.xml", rss([english], title="عنب بلدي"))
    async with console() as app:
        await say(telegram, READER, "/start")
        await destinations(app)  # an Arabic channel of «سوريا محلي»
        async with services_of(app).sessions.begin() as session:
            [local] = await catalog.ensure_categories(session, ["سوريا محلي"])
            facts = ChatFacts(CHANNEL - 1, ChatKind.CHANNEL, "Aleppo News", "aleppo_en")
            await bind_chat(session, facts, [local], {local.id: None})
            await channels.set_languages(session, CHANNEL - 1, local.id, [channels.LATIN])
            await catalog.subscribe(session, READER, [local])
        heading, _ = await answers(telegram, ADMIN, f"/preview {url}", 2)
        [item] = read(heading).split("\n\n")[-1:]
        assert item == "١. Talks resume in Geneva\nالتصنيفات: سوريا محلي\nإلى: @aleppo_en"


PICTURE = "https://www.enabbaladi.net/wp-content/uploads/2026/01/aleppo.jpg"


@pytest.mark.parametrize("refused", [False, True])
async def test_an_entry_with_a_picture_is_previewed_as_the_photo_a_channel_gets(
    console: Console, telegram: FakeTelegram, feed_server: FeedServer, refused: bool
) -> None:
    """A photo captioned with the post; a picture Telegram refuses, the text post instead."""
    pictured = entry(5, "افتتاح معرض الكتاب في دمشق", f'<img src="{PICTURE}"> افتتح المعرض.')
    url = feed_server.set("enab.xml", rss([pictured], title="عنب بلدي"))
    if refused:
        telegram.refuse_photo(PICTURE)
    async with console():
        _, post = await answers(telegram, ADMIN, f"/preview {url} 1", 2)
    [call] = telegram.calls_of("sendPhoto")
    assert call.params["photo"] == PICTURE
    if refused:
        assert read(post).startswith("افتتاح معرض الكتاب في دمشق")
        assert not telegram.photo_address(post)
    else:
        assert telegram.photo_address(post) == PICTURE
        assert post.caption.replace(RLM, "").startswith("افتتاح معرض الكتاب في دمشق")

"""Same story, several outlets: one post per chat, edited to name the other outlets.

The bot runs as `nashra run` does, against the fake Telegram server, with feeds served locally.
The story comes from three outlets (one copy rewritten in part) and again from its first
outlet under a changed GUID and link; another story with many of the same words comes too.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import poll_feeds, services_of
from storage import catalog
from storage.models import Article, Delivery
from tests.factories import reader
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings, running_bot
from tests.test_end_to_end import make_due, operator

CHANNEL = -1001000000001
READER = 5001
RECENT = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)

STORY = [
    "أعلنت محافظة حلب صباح اليوم الأحد انسحاب آخر المقاتلين من حي الشيخ مقصود بعد اشتباكات"
    " استمرت ثلاثة أيام.",
    "وقال محافظ حلب في مؤتمر صحفي إن فرق الهندسة بدأت إزالة الألغام من الشوارع الرئيسية"
    " تمهيداً لعودة السكان.",
    "وأوضح أن الاتفاق الذي رعته وساطة محلية يقضي بتسليم الحواجز إلى قوى الأمن الداخلي خلال"
    " ثمانٍ وأربعين ساعة.",
    "وأفاد سكان بأن الأسواق فتحت أبوابها جزئياً وأن حركة السير عادت إلى طريق الكاستيلو لأول"
    " مرة منذ أسبوع.",
    "وكانت الاشتباكات قد أسفرت عن مقتل أحد عشر شخصاً وإصابة العشرات بحسب مديرية الصحة في المدينة.",
    "ودعت منظمات إنسانية إلى فتح ممرات آمنة لإيصال المساعدات الطبية إلى المستشفيات المتضررة"
    " في الأحياء الشمالية.",
    "وتعد هذه المرة الأولى منذ سنوات التي تدخل فيها مؤسسات الدولة الخدمية إلى الحي بشكل كامل.",
]
# Another outlet's rewrite: its own opening and a closing line of its own, the rest as wired.
REWRITTEN = [
    "ذكرت مصادر رسمية أن آخر المقاتلين انسحبوا صباح الأحد من حي الشيخ مقصود في حلب إثر"
    " اشتباكات دامت ثلاثة أيام.",
    *STORY[1:],
    "ولم يصدر حتى الآن أي تعليق من الجهات التي كانت تسيطر على الحي.",
]
# A different story told with many of the same words: another city, other facts.
OTHER = [
    "أعلنت محافظة حمص صباح اليوم الأحد انتهاء اشتباكات في حي الوعر استمرت يومين بين مجموعات مسلحة.",
    "وقال محافظ حمص في مؤتمر صحفي إن قوى الأمن الداخلي انتشرت في الشوارع الرئيسية وأعادت فتح"
    " الطرق.",
    "وأوضح أن لجنة محلية ستتابع ملف المعتقلين وتعويض المتضررين خلال الأسابيع المقبلة.",
    "وأفاد سكان بأن المدارس أغلقت أبوابها مؤقتاً وأن حركة السير ما زالت ضعيفة على طريق الشام.",
    "وكانت الاشتباكات قد أسفرت عن مقتل ثلاثة أشخاص وإصابة آخرين بحسب مصادر طبية في المدينة.",
]


def entry(site: str, slug: str, title: str, sentences: list[str], minutes: int) -> dict[str, str]:
    return {
        "title": title,
        "link": f"https://{site}/news/{slug}",
        "guid": f"https://{site}/?p={slug}",
        "description": "<p>" + " ".join(sentences) + "</p>",
        "pubDate": format_datetime(RECENT + timedelta(minutes=minutes), usegmt=True),
    }


FIRST = entry("www.enabbaladi.net", "1001", "انسحاب آخر المقاتلين من حي الشيخ مقصود في حلب",
              STORY, 0)  # fmt: skip
COPY = entry("sana.sy", "77", "حلب: انسحاب المقاتلين من الشيخ مقصود بعد ثلاثة أيام من الاشتباكات",
             ["نقلت وكالات الأنباء:", *STORY], 5)  # fmt: skip
EDITED = entry("www.aljazeera.net", "syria-aleppo", "انسحاب المقاتلين من الشيخ مقصود وبدء إزالة"
               " الألغام", REWRITTEN, 7)  # fmt: skip
# The first outlet again, under another GUID and link (its CMS re-published the story).
AGAIN = entry("www.enabbaladi.net", "1001-updated", "انسحاب آخر المقاتلين من حي الشيخ مقصود في"
              " حلب", STORY, 9)  # fmt: skip
HOMS = entry("sana.sy", "78", "انتهاء اشتباكات حي الوعر في حمص وانتشار قوى الأمن", OTHER, 8)


async def edits_recorded(
    telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Wait until no post waits for an edit: the sender writes that after Telegram's answer,
    so the database is looked at again after each call the bot makes (it long-polls)."""
    async with asyncio.timeout(30):  # a hang guard, not a measure
        while True:
            async with sessions() as session:
                waiting = await session.scalar(
                    select(func.count()).where(Delivery.edit_due_at.is_not(None))
                )
            if not waiting:
                return
            calls = len(telegram.calls)
            await telegram.wait_for(lambda seen=calls: len(telegram.calls) > seen, timeout=30)


def texts(telegram: FakeTelegram, chat_id: int) -> list[str]:
    return [message.text for message in telegram.sent(chat_id)]


async def test_a_story_from_four_entries_is_posted_once_and_names_the_other_outlets(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    telegram.add_chat(CHANNEL, "channel", title="أخبار سوريا")
    telegram.add_chat(READER, "private", first_name="قارئ")
    feeds = {name: feed_server.set(f"{name}.xml", rss([])) for name in ("enab", "sana", "jazeera")}
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        parse_workers=0,
    )
    for name, url in feeds.items():
        assert await operator(settings, "feed", "add", url, "--category", "سياسة",
                              "--name", {"enab": "عنب بلدي", "sana": "سانا",
                                         "jazeera": "الجزيرة نت"}[name]) == 0  # fmt: skip
    assert await operator(settings, "channel", "add", str(CHANNEL), "--category", "سياسة") == 0

    async with running_bot(settings) as application:
        sessions = services_of(application).sessions
        async with sessions.begin() as session:
            politics = await catalog.category_by_name(session, "سياسة")
            assert politics is not None
            await reader(session, READER, [politics])
        await poll_feeds(application)  # primes the three feeds: nothing is posted

        feed_server.set("enab.xml", rss([FIRST]))
        await make_due(application)
        assert (await poll_feeds(application)).planned == 2
        await telegram.wait_for(
            lambda: len(telegram.sent(CHANNEL)) == len(telegram.sent(READER)) == 1, timeout=20
        )

        feed_server.set("sana.xml", rss([HOMS, COPY]))
        feed_server.set("jazeera.xml", rss([EDITED]))
        feed_server.set("enab.xml", rss([AGAIN, FIRST]))
        await make_due(application)
        report = await poll_feeds(application)
        assert (report.new_articles, report.same_story, report.planned) == (4, 3, 2)
        edited = "وردت أيضاً في"
        await telegram.wait_for(
            lambda: all(
                len(telegram.sent(chat)) == 2 and edited in telegram.sent(chat)[0].text
                for chat in (CHANNEL, READER)
            ),
            timeout=20,
        )
        await edits_recorded(telegram, sessions)
        async with sessions() as session:
            roots = dict((await session.execute(select(Article.link, Article.story_id))).all())
            rows = (await session.scalars(select(Delivery))).all()

    assert roots[FIRST["link"]] is None  # the first of its story
    assert roots[HOMS["link"]] is None  # another story, however alike its words
    copies = {roots[COPY["link"]], roots[EDITED["link"]], roots[AGAIN["link"]]}
    assert len(copies) == 1
    assert None not in copies
    for chat in (CHANNEL, READER):
        story, homs = texts(telegram, chat)
        assert "الشيخ مقصود" in story
        assert "حمص" in homs
        assert edited not in homs
        line = next(line for line in story.splitlines() if line.startswith(edited))
        # The other outlets by name (the first outlet's own re-publication is not another).
        assert line == "وردت أيضاً في: سانا، الجزيرة نت"
    # One post per chat and story: two rows per chat (the story, Homs), one edit per chat.
    assert len(rows) == 4
    assert len(telegram.calls_of("editMessageText")) == 2


async def test_a_copy_that_another_feed_of_its_outlet_carries_is_not_posted_again(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    """Sana's «latest» feed (a category the channel does not follow) stores its copy of the
    story; its politics feed carries the same link later: the channel, which has the story
    from Enab Baladi, gets no second post, and its post names Sana."""
    telegram.add_chat(CHANNEL, "channel", title="أخبار سوريا")
    feeds = {name: feed_server.set(f"{name}.xml", rss([])) for name in ("enab", "latest", "sana")}
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        parse_workers=0,
    )
    for name, category, title in (("enab", "سياسة", "عنب بلدي"), ("latest", "عاجل", "سانا"),
                                  ("sana", "سياسة", "سانا")):  # fmt: skip
        assert await operator(settings, "feed", "add", feeds[name], "--category", category,
                              "--name", title) == 0  # fmt: skip
    assert await operator(settings, "channel", "add", str(CHANNEL), "--category", "سياسة") == 0
    async with running_bot(settings) as application:
        sessions = services_of(application).sessions
        await poll_feeds(application)  # primes the feeds
        feed_server.set("enab.xml", rss([FIRST]))
        await make_due(application)
        assert (await poll_feeds(application)).planned == 1
        await telegram.wait_for(lambda: len(telegram.sent(CHANNEL)) == 1, timeout=20)

        feed_server.set("latest.xml", rss([COPY]))
        await make_due(application)
        report = await poll_feeds(application)
        assert (report.same_story, report.planned) == (1, 0)

        feed_server.set("sana.xml", rss([COPY]))
        await make_due(application)
        assert (await poll_feeds(application)).planned == 0
        await edits_recorded(telegram, sessions)
    [post] = telegram.sent(CHANNEL)
    assert "وردت أيضاً في: سانا" in post.text

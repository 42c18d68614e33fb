"""Searching through the fake Telegram server: inline mode, /search, /latest, plain text.

A small archive of Arabic articles is stored the way the poller stores them (so the search
index is written too); then people type "@bot …", send /search and press the paging
buttons, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text as sql

from bot.app import services_of
from bot.context import NashraApp
from bot.news.formatter import format_post, share_query
from bot.text.html import RLM, needs_rtl_mark
from bot.text.messages import text
from storage import catalog
from storage.feeds import add_feed
from tests.factories import article_row, store_articles
from tests.fakes.telegram import FakeTelegram, StoredMessage
from tests.handlers.conversation import (
    ENGLISH_READER,
    READER,
    buttons,
    conversation_bot,
    handled_so_far,
    nothing_being_handled,
    say,
)
from tests.support import FrozenClock

GROUP = -1001500
ALEPPO_COUNT = 27  # numbered Aleppo stories, plus the reference article: 28 mention حلب
HEADLINE = 'حلب تشهد انسحاباً كاملاً لـ"قسد" بعد اشتباكات وتفاهمات سياسية'


@dataclass(frozen=True)
class Archive:
    aleppo: list[int]  # oldest first
    politics: set[int]  # the Aleppo stories tagged سياسة
    enab: set[int]  # the Aleppo stories from enabbaladi.net
    reference: int  # the Aleppo withdrawal story (newest of all)
    damascus: int  # mentions no Aleppo at all


async def _store(app: NashraApp) -> Archive:
    # The bot's own frozen clock, not the time at import: descriptions say "منذ ساعتين"
    # however late the test runs.
    now = services_of(app).now()
    async with services_of(app).sessions.begin() as session:
        # Not due for a year: the running bot's poller leaves them alone.
        later = now + timedelta(days=365)
        hashtag = await add_feed(session, "https://hashtagsyria.com/feed", now=later)
        enab = await add_feed(session, "https://www.enabbaladi.net/feed/", now=later)
        politics = await catalog.category_by_name(session, "سياسة")
        economy = await catalog.category_by_name(session, "اقتصاد")
        assert politics is not None
        assert economy is not None
        aleppo: list[int] = []
        politics_ids: set[int] = set()
        enab_ids: set[int] = set()
        for i in range(ALEPPO_COUNT):
            feed, domain = (enab, "enabbaladi.net") if i % 2 else (hashtag, "hashtagsyria.com")
            row = article_row(
                feed.id,
                f"aleppo-{i}",
                when=now - timedelta(hours=40 - i),
                title=f"حلب: جولة في أسواق المدينة القديمة، الحلقة {i + 1}",
                link=f"https://{domain}/news/aleppo-{i}",
                text="تعود الحركة إلى أسواق المدينة القديمة بعد سنوات من الإغلاق.",
                source_domain=domain,
            )
            category = politics if i < 10 else economy
            [article_id] = await store_articles(session, [row], [category])
            aleppo.append(article_id)
            if i < 10:
                politics_ids.add(article_id)
            if i % 2:
                enab_ids.add(article_id)
        [damascus] = await store_articles(
            session,
            [
                article_row(
                    hashtag.id,
                    "damascus",
                    when=now - timedelta(hours=3),
                    title="دمشق: افتتاح معرض الكتاب السنوي",
                    link="https://hashtagsyria.com/news/book-fair",
                    text="افتتح معرض الكتاب أبوابه للزوار بمشاركة دور نشر عربية.",
                    source_domain="hashtagsyria.com",
                )
            ],
            [economy],
        )
        [reference] = await store_articles(
            session,
            [
                article_row(
                    hashtag.id,
                    "withdrawal",
                    when=now - timedelta(hours=2),
                    title=HEADLINE,
                    link="https://hashtagsyria.com/news/aleppo-sdf-withdrawal",
                    text="شهدت مدينة حلب تحولات عسكرية وسياسية بارزة بعد انسحاب قوات قسد.",
                    source_domain="hashtagsyria.com",
                )
            ],
            [politics],
        )
    return Archive(aleppo, politics_ids, enab_ids, reference, damascus)


@pytest.fixture
async def archive(app: NashraApp) -> Archive:
    return await _store(app)


@pytest.fixture
async def archive_on_both(app_on_both: NashraApp) -> Archive:
    return await _store(app_on_both)


async def ask_inline(
    telegram: FakeTelegram, query: str, offset: str = "", user: int = READER
) -> dict[str, Any]:
    """The user types "@bot query"; return the bot's answerInlineQuery parameters."""
    query_id = telegram.inline_query(user, query, offset)
    await telegram.wait_for(lambda: query_id in telegram.inline_answers)
    return telegram.inline_answers[query_id]


def ids_of(answer: dict[str, Any]) -> list[int]:
    return [int(result["id"]) for result in answer["results"]]


# ---------------------------------------------------------------------------- inline mode


async def test_inline_results_are_the_posts_themselves(
    app: NashraApp, telegram: FakeTelegram, archive: Archive
) -> None:
    answer = await ask_inline(telegram, "انسحاب قسد")
    assert ids_of(answer)[0] == archive.reference
    [result] = [r for r in answer["results"] if int(r["id"]) == archive.reference]
    assert result["type"] == "article"
    assert result["title"] == HEADLINE
    assert result["description"] == "منذ ساعتين · hashtagsyria.com"
    assert "thumbnail_url" not in result  # articles store no image yet
    # Choosing the result sends the channel post: same text, same buttons, same preview.
    page = await services_of(app).search.search("انسحاب قسد", limit=1)
    post = format_post(page.hits[0].source, services_of(app).style)
    content = result["input_message_content"]
    assert content["message_text"] == post.text
    assert content["parse_mode"] == "HTML"
    assert content["link_preview_options"] == {"url": post.button_url}
    assert result["reply_markup"] == {"inline_keyboard": post.keyboard()}
    [[read_more, share]] = post.keyboard()
    assert read_more["url"] == "https://hashtagsyria.com/news/aleppo-sdf-withdrawal"
    assert share["switch_inline_query"].startswith("حلب تشهد انسحاباً")
    assert answer["is_personal"] is False
    assert 0 < answer["cache_time"] <= 10


async def test_results_are_dated_by_the_bots_clock(
    telegram: FakeTelegram, archive: Archive, wall_clock: FrozenClock
) -> None:
    answer = await ask_inline(telegram, "انسحاب قسد")
    [result] = [r for r in answer["results"] if int(r["id"]) == archive.reference]
    assert result["description"].startswith("منذ ساعتين")
    wall_clock.advance(hours=1)  # an hour later, the same article is three hours old
    answer = await ask_inline(telegram, "انسحاب قسد", user=ENGLISH_READER)
    [result] = [r for r in answer["results"] if int(r["id"]) == archive.reference]
    assert result["description"].endswith("3 hours ago")


async def test_inline_description_follows_the_readers_language(
    telegram: FakeTelegram, archive: Archive
) -> None:
    answer = await ask_inline(telegram, "انسحاب قسد", user=ENGLISH_READER)
    [result] = [r for r in answer["results"] if int(r["id"]) == archive.reference]
    assert result["description"] == "hashtagsyria.com · 2 hours ago"


async def test_inline_pages_to_the_end(telegram: FakeTelegram, archive_on_both: Archive) -> None:
    first = await ask_inline(telegram, "حلب")
    assert len(first["results"]) == 20
    assert first["next_offset"] == "20"
    second = await ask_inline(telegram, "حلب", offset=first["next_offset"])
    assert len(second["results"]) == ALEPPO_COUNT + 1 - 20
    assert not second.get("next_offset")
    found = ids_of(first) + ids_of(second)
    assert len(set(found)) == len(found)  # no article twice
    assert set(found) == {*archive_on_both.aleppo, archive_on_both.reference}


async def test_empty_inline_query_gives_the_latest_headlines(
    telegram: FakeTelegram, archive: Archive
) -> None:
    answer = await ask_inline(telegram, "")
    newest_first = [archive.reference, archive.damascus, *reversed(archive.aleppo)]
    assert ids_of(answer) == newest_first[:20]
    assert answer["next_offset"] == "20"


async def test_inline_filters_by_category_and_source(
    telegram: FakeTelegram, archive_on_both: Archive
) -> None:
    politics = await ask_inline(telegram, "#سياسة حلب")
    assert set(ids_of(politics)) == archive_on_both.politics | {archive_on_both.reference}
    by_source = await ask_inline(telegram, "@enabbaladi.net")
    assert set(ids_of(by_source)) == archive_on_both.enab
    both = await ask_inline(telegram, "#سياسة @enabbaladi.net حلب")
    assert set(ids_of(both)) == archive_on_both.politics & archive_on_both.enab


@pytest.mark.parametrize("offset", ["abc", "-5", "99999999", "1e3", "٢٠", "20 ", "0x14", "５"])
async def test_forged_inline_offsets_are_read_as_the_first_page(
    telegram: FakeTelegram, archive: Archive, offset: str
) -> None:
    first = await ask_inline(telegram, "حلب")
    forged = await ask_inline(telegram, "حلب", offset=offset)
    assert ids_of(forged) == ids_of(first)


async def test_inline_query_finding_nothing_says_so(
    telegram: FakeTelegram, archive: Archive
) -> None:
    answer = await ask_inline(telegram, "زلزال")
    assert answer["results"] == []
    assert answer["button"]["text"] == text("inline_none", "ar", query="زلزال")
    assert answer["button"]["start_parameter"] == "search"
    # The button opens the private chat with "/start search": the welcome says how to search.
    reply = await say(telegram, READER, "/start search")
    assert reply.text.endswith(text("search_usage", "ar", bot=telegram.bot_username))


async def test_a_slow_search_is_cut_off_never_left_hanging(
    telegram: FakeTelegram, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL can hold a search up with a lock (tests/search cut SQLite)")
    async with conversation_bot(
        telegram, database_url, search_timeout=0.3, command_timeout=1.5
    ) as app:
        await _store(app)
        async with services_of(app).sessions() as blocker:
            # A writer's lock holds every search up, whatever the machine's speed.
            await blocker.execute(sql("LOCK TABLE article_search IN ACCESS EXCLUSIVE MODE"))
            query_id = telegram.inline_query(READER, "حلب")
            await telegram.wait_for(lambda: "inline query cut off" in caplog.text)
            await nothing_being_handled(app)
            assert query_id not in telegram.inline_answers
            assert telegram.calls_of("answerInlineQuery") == []
            assert "inline query cut off" in caplog.text
            # /search waits longer (SEARCH_COMMAND_TIMEOUT_SECONDS), then says so.
            reply = await say(telegram, READER, "/search حلب", timeout=30)
            assert reply.text == text("search_slow", "ar")
            assert "search cut off after 1.5 s" in caplog.text
            await blocker.rollback()
            # /latest of a category, held up the same way, within the same limit.
            await blocker.execute(sql("LOCK TABLE article_categories IN ACCESS EXCLUSIVE MODE"))
            reply = await say(telegram, READER, "/latest سياسة", timeout=30)
            assert reply.text == text("search_slow", "ar")
            await blocker.rollback()
        # The database is usable again: asked without the short limit, which a busy machine
        # could miss while a new pooled connection opens.
        page = await services_of(app).search.search("حلب", timeout=30)
        assert page.hits


# ---------------------------------------------------------------------------- /search


def numbered(message: StoredMessage) -> list[str]:
    """The numbered lines of a results message (without their date-and-source lines), each
    without the RLM that lays an Arabic one out right to left."""
    lines = (line.removeprefix(RLM) for line in message.text.splitlines())
    return [line for line in lines if line and line[0] in "١٢٣٤٥٦٧٨٩"]


async def test_search_lists_five_and_pages_in_place(
    telegram: FakeTelegram, archive_on_both: Archive
) -> None:
    reply = await say(telegram, READER, "/search حلب")
    assert reply.text.startswith(text("search_results", "ar", query="حلب"))
    assert len(numbered(reply)) == 5
    assert numbered(reply)[0].startswith("١. ")
    assert any(e["type"] == "text_link" for e in reply.entities)
    next_data = _only_button(reply, text("next_button", "ar"))
    seen = [line.split(". ", 1)[1] for line in numbered(reply)]
    pages = 1
    while next_data is not None:
        before = reply.text  # before the press: the edit may come before the answer
        query = telegram.press_button(READER, READER, reply.message_id, next_data)
        await telegram.wait_for(lambda q=query: q in telegram.callback_answers)
        await telegram.wait_for(lambda b=before: reply.text != b)
        pages += 1
        assert len(telegram.sent(READER)) == 1  # edited in place, nothing new sent
        seen += [line.split(". ", 1)[1] for line in numbered(reply)]
        assert text("previous_button", "ar") in buttons(reply).values()
        next_data = _only_button(reply, text("next_button", "ar"))
    assert pages == 6  # 28 matches, 5 a page
    assert len(seen) == ALEPPO_COUNT + 1 == len(set(seen))
    assert numbered(reply)[-1].startswith("٢٨. ")
    # And back.
    previous = _only_button(reply, text("previous_button", "ar"))
    assert previous is not None
    query = telegram.press_button(READER, READER, reply.message_id, previous)
    await telegram.wait_for(lambda: query in telegram.callback_answers)
    await telegram.wait_for(lambda: starts_at(reply, "٢١. "))


def starts_at(message: StoredMessage, number: str) -> bool:
    """The message's first numbered line starts with `number` ("٦. ")."""
    lines = numbered(message)
    return bool(lines) and lines[0].startswith(number)


def _only_button(message: StoredMessage, label: str) -> str | None:
    found = [data for data, shown in buttons(message).items() if shown == label]
    return found[0] if found else None


async def test_arabic_lines_read_right_to_left(
    telegram: FakeTelegram, archive_on_both: Archive
) -> None:
    # Telegram takes a line's direction from its first strong letter (DESIGN.md §1).
    reply = await say(telegram, READER, "/search حلب")
    lines = [line for line in reply.text.splitlines() if line]
    assert len(lines) == 1 + 2 * 5  # the heading, then a headline and a date line each
    assert [line for line in lines if needs_rtl_mark(line)] == []
    assert lines[1].startswith(RLM + "١. ")  # a numbered line starts with a digit
    assert lines[2].startswith("منذ ")  # the date first, then the Latin domain
    answer = await ask_inline(telegram, "حلب")
    descriptions = [result["description"] for result in answer["results"]]
    assert [d for d in descriptions if needs_rtl_mark(d)] == []
    # English lines start with the domain, as English reads, and carry no mark.
    reply = await say(telegram, ENGLISH_READER, "/search حلب")
    assert RLM not in reply.text
    assert reply.text.splitlines()[3].startswith(("hashtagsyria.com · ", "enabbaladi.net · "))


async def test_search_finding_nothing_says_so(telegram: FakeTelegram, archive: Archive) -> None:
    reply = await say(telegram, READER, "/search زلزال <b>")
    assert reply.text == text("search_none", "ar", query="زلزال <b>")
    assert reply.reply_markup is None


@pytest.mark.parametrize("typed", ["/search", "/search   ", "/search !!! ***", "/search 😀"])
async def test_search_without_words_says_how(
    telegram: FakeTelegram, archive: Archive, typed: str
) -> None:
    reply = await say(telegram, READER, typed)
    assert reply.text == text("search_usage", "ar", bot=telegram.bot_username)


async def test_plain_text_in_private_is_a_search(telegram: FakeTelegram, archive: Archive) -> None:
    reply = await say(telegram, READER, "انسحاب قسد")
    assert numbered(reply)[0] == f"١. {HEADLINE}"
    reply = await say(telegram, READER, "مرحبا")
    assert reply.text == text("search_none", "ar", query="مرحبا")


async def test_a_post_chosen_with_the_bot_is_not_a_search(
    telegram: FakeTelegram, archive: Archive
) -> None:
    # The reader picks an article from "@bot حلب" in the bot's own chat: Telegram sends the
    # post's text back as a message via the bot. It is not words to look for.
    answer = await ask_inline(telegram, "انسحاب قسد")
    chosen = answer["results"][0]["input_message_content"]["message_text"]
    before = len(telegram.sent(READER))
    telegram.user_sends(READER, chosen, extra={"via_bot": telegram.bot_user})
    await handled_so_far(telegram)
    [help_reply] = telegram.sent(READER)[before:]
    assert help_reply.text == text("help", "ar", bot=telegram.bot_username)


async def test_a_forwarded_post_gets_the_usual_answer(
    telegram: FakeTelegram, archive: Archive
) -> None:
    telegram.add_chat(-1001600, "channel", title="قناة")
    origin = {
        "type": "channel",
        "chat": telegram.chats[-1001600].to_api(),
        "message_id": 7,
        "date": 1767000000,
    }
    forwarded = await say_with(telegram, HEADLINE, {"forward_origin": origin})
    assert forwarded.text == text("not_text", "ar")
    # The same words typed are a search.
    typed = await say(telegram, READER, HEADLINE)
    assert numbered(typed)[0] == f"١. {HEADLINE}"


async def say_with(telegram: FakeTelegram, message: str, extra: dict[str, Any]) -> StoredMessage:
    before = len(telegram.sent(READER))
    telegram.user_sends(READER, message, extra=extra)
    await telegram.wait_for(lambda: len(telegram.sent(READER)) > before)
    return telegram.sent(READER)[-1]


async def test_search_in_a_group(telegram: FakeTelegram, archive: Archive) -> None:
    telegram.add_chat(GROUP, "supergroup", title="مجموعة")
    telegram.user_sends_in(GROUP, ENGLISH_READER, "/search@nashra_test_bot حلب")
    await telegram.wait_for(lambda: len(telegram.sent(GROUP)) == 1)
    [reply] = telegram.sent(GROUP)
    assert reply.text.startswith(text("search_results", "en", query="حلب"))
    next_data = _only_button(reply, text("next_button", "en"))
    assert next_data is not None
    query = telegram.press_button(READER, GROUP, reply.message_id, next_data)
    await telegram.wait_for(lambda: query in telegram.callback_answers)
    await telegram.wait_for(lambda: starts_at(reply, "٦. "))


async def test_a_long_query_pages_through_a_kept_key(
    telegram: FakeTelegram, archive: Archive
) -> None:
    long_query = "حلب " + " ".join(["المدينة القديمة"] * 4)
    assert len(f"sq:0:{long_query}".encode()) > 64
    reply = await say(telegram, READER, f"/search {long_query}")
    next_data = _only_button(reply, text("next_button", "ar"))
    assert next_data is not None
    assert next_data.startswith("sk:5:")
    assert len(next_data.encode()) <= 64
    query = telegram.press_button(READER, READER, reply.message_id, next_data)
    await telegram.wait_for(lambda: query in telegram.callback_answers)
    await telegram.wait_for(lambda: starts_at(reply, "٦. "))


@pytest.mark.parametrize(
    "data",
    [
        "sk:5:0123456789abcdef",
        "lk:0:nothing",
        "sq:9999:حلب",
        "xq:0:حلب",
        "sq:-1:حلب",
        "sq::",
        "sq:0:",
        "sq:5:!!! ***",
    ],
)
async def test_forged_or_stale_paging_buttons_are_answered(
    telegram: FakeTelegram, archive: Archive, data: str
) -> None:
    reply = await say(telegram, READER, "/search حلب")
    before = reply.text
    query = telegram.press_button(READER, READER, reply.message_id, data)
    await telegram.wait_for(lambda: query in telegram.callback_answers)
    toast = str(telegram.callback_answers[query].get("text") or "")
    assert toast in {text("search_stale", "ar"), text("button_stale", "ar")}
    await handled_so_far(telegram)
    assert reply.text == before


async def test_a_forged_query_in_a_button_is_only_searched(
    telegram: FakeTelegram, archive: Archive
) -> None:
    reply = await say(telegram, READER, "/search حلب")
    query = telegram.press_button(READER, READER, reply.message_id, 'sq:0:") OR 1=1 --')
    await telegram.wait_for(lambda: query in telegram.callback_answers)
    await telegram.wait_for(lambda: reply.text.startswith(text("search_none", "ar", query="")[:8]))


# ---------------------------------------------------------------------------- /latest


async def test_latest_and_latest_of_a_category(
    telegram: FakeTelegram, archive_on_both: Archive
) -> None:
    reply = await say(telegram, READER, "/latest")
    assert reply.text.startswith(text("latest_results", "ar"))
    assert numbered(reply)[0] == f"١. {HEADLINE}"
    assert numbered(reply)[1] == "٢. دمشق: افتتاح معرض الكتاب السنوي"
    reply = await say(telegram, READER, "/latest #سياسة")
    assert reply.text.startswith(text("latest_in", "ar", category="سياسة"))
    assert "دمشق" not in reply.text
    assert _only_button(reply, text("next_button", "ar")) == "lq:5:سياسة"
    reply = await say(telegram, READER, "/latest فلك")
    assert reply.text == text("latest_none_in", "ar", category="فلك")


# ---------------------------------------------------------------------------- hostile input

HOSTILE = [
    "",
    "   ",
    "ا" * 1000,
    "حلب " * 300,
    "!!! ??? ...",
    '"', '"حلب', "*", "حلب*", "AND", "OR", "NOT", "حلب AND NOT دمشق", "NEAR(حلب دمشق)",
    "NEAR(", "-حلب", "title:حلب", "^حلب", "حلب & دمشق", "حلب | دمشق", "!حلب", "حلب <-> دمشق",
    "'; DROP TABLE articles; --", "حلب' OR '1'='1", "حلب\\", "%_%", "\x00حلب",
    "\u202eحلب\u202c", "\u200bحلب\u200d\u200f", "حـــلب", "😀🇸🇾", "😀 حلب",
    "#", "@", "#سياسة", "@@@", "@not a domain", "#_#_",
]  # fmt: skip


async def test_hostile_queries_are_answered_on_both_engines(
    telegram: FakeTelegram, archive_on_both: Archive
) -> None:
    for hostile in HOSTILE:
        answer = await ask_inline(telegram, hostile[:256])  # Telegram cuts inline queries
        assert len(answer["results"]) <= 20, hostile
        reply = await say(telegram, READER, f"/search {hostile}")
        assert reply.text, hostile
        if hostile.strip():
            reply = await say(telegram, READER, hostile)
            assert reply.text, hostile
    refused = [call for call in telegram.calls if not call.ok]
    assert refused == []


async def test_a_feed_sized_headline_stays_one_line_of_a_list(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    now = services_of(app).now()
    async with services_of(app).sessions.begin() as session:
        feed = await add_feed(session, "https://x.sy/feed", now=now + timedelta(days=365))
        rows = [
            article_row(feed.id, f"long-{n}", when=now, title="حلب " + "كلمة " * 900)
            for n in range(6)
        ]
        await store_articles(session, rows)
    reply = await say(telegram, READER, "/search حلب")
    assert len(numbered(reply)) == 5
    assert all(len(line) < 250 and line.endswith("…") for line in numbered(reply))
    answer = await ask_inline(telegram, "حلب")
    assert all(len(result["title"]) <= 200 for result in answer["results"])


async def test_the_share_button_query_finds_its_article_first(
    telegram: FakeTelegram, archive_on_both: Archive
) -> None:
    # «شارك» types "@bot <the headline's words>" in the chat the reader picks.
    for headline, article_id in [
        (HEADLINE, archive_on_both.reference),
        ("حلب: جولة في أسواق المدينة القديمة، الحلقة 5", archive_on_both.aleppo[4]),
    ]:
        answer = await ask_inline(telegram, share_query(headline))
        assert ids_of(answer)[0] == article_id


async def test_paging_data_carries_the_cleaned_query(
    telegram: FakeTelegram, archive: Archive
) -> None:
    reply = await say(telegram, READER, "/search \u202eحلب\u200b\x00")
    assert reply.text.startswith(text("search_results", "ar", query="حلب"))
    assert _only_button(reply, text("next_button", "ar")) == "sq:5:حلب"


async def test_an_article_without_a_title_still_has_one_in_results(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    now = services_of(app).now()
    async with services_of(app).sessions.begin() as session:
        feed = await add_feed(session, "https://x.sy/feed", now=now + timedelta(days=365))
        row = article_row(feed.id, "untitled", when=now, title="", text="انسحاب من حلب.")
        row["original_title"] = " \n "
        await store_articles(session, [row])
    answer = await ask_inline(telegram, "حلب")
    [result] = answer["results"]
    assert result["title"] == "https://news.example.sy/1/untitled"
    assert result["description"].startswith("الآن")  # stored this very moment


async def test_an_english_reader_gets_english_lines_and_digits(
    telegram: FakeTelegram, archive: Archive
) -> None:
    reply = await say(telegram, ENGLISH_READER, "انسحاب قسد")
    lines = reply.text.splitlines()
    assert lines[0] == text("search_results", "en", query="انسحاب قسد")
    assert f"1. {HEADLINE}" in lines
    assert lines[lines.index(f"1. {HEADLINE}") + 1] == "hashtagsyria.com · 2 hours ago"

"""The reader's conversation, driven as a person would through the fake Telegram server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import services_of
from bot.context import NashraApp
from bot.readers import MAX_TERM_LENGTH
from bot.text.keywords import keyword_term
from storage.models import DeliveryMode, Keyword, Subscription
from tests.fakes.telegram import FakeTelegram
from tests.handlers.conversation import (
    ENGLISH_READER,
    READER,
    buttons,
    category_id,
    handled_so_far,
    nothing_being_handled,
    press,
    reader,
    say,
    settled,
)
from tests.support import STANDARD_CATEGORIES


async def test_start_shows_a_picker_and_a_press_toggles_in_place(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    welcome = await say(telegram, READER, "/start")
    assert "أهلاً بك في نشرة" in welcome.text
    politics = await category_id(app, "سياسة")
    assert buttons(welcome)[f"cat:{politics}"] == "سياسة"

    toast = await press(telegram, READER, welcome, f"cat:{politics}")
    assert toast == "تتابع الآن: سياسة"
    [edited] = [m for m in telegram.sent(READER) if m.message_id == welcome.message_id]
    assert buttons(edited)[f"cat:{politics}"] == "✅ سياسة"
    assert len(telegram.sent(READER)) == 1  # no new message per press
    assert telegram.calls_of("editMessageReplyMarkup")

    assert await press(telegram, READER, edited, f"cat:{politics}") == "أوقفت متابعة: سياسة"
    async with services_of(app).sessions() as session:
        assert (await session.scalars(select(Subscription))).all() == []


async def test_categories_and_subscribe_show_the_picker(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    for command in ("/categories", "/subscribe"):
        answer = await say(telegram, READER, command)
        assert "اختر التصنيفات" in answer.text
        # Every category is offered: on a fresh install, the standard sections.
        offered = [label for data, label in buttons(answer).items() if data.startswith("cat:")]
        assert sorted(offered) == sorted(STANDARD_CATEGORIES)


async def test_mysubs_changes_mode_hour_and_quiet_hours(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    await say(telegram, READER, "/start")
    summary = await say(telegram, READER, "/mysubs")
    assert "طريقة الاستلام: فوراً" in summary.text
    assert "ساعات الهدوء: بلا ساعات هدوء" in summary.text
    await press(telegram, READER, summary, "mode:daily")
    edited = telegram.sent(READER)[-1]
    assert "ملخص يومي الساعة ٠٨:٠٠" in edited.text
    assert "hour:20" in buttons(edited)
    await press(telegram, READER, edited, "hour:20")
    await press(telegram, READER, edited, f"quiet:{23 * 60}-{7 * 60}")
    chat = await reader(app)
    assert chat.delivery_mode is DeliveryMode.DAILY
    assert chat.digest_hour == 20
    assert (chat.quiet_start, chat.quiet_end) == (23 * 60, 7 * 60)
    final = telegram.sent(READER)[-1]
    assert "٢٣:٠٠–٠٧:٠٠" in final.text
    assert "ملخص يومي الساعة ٢٠:٠٠" in final.text


async def test_quiet_command(app: NashraApp, telegram: FakeTelegram) -> None:
    assert "٠٠:٠٠–٠٧:٠٠" in (await say(telegram, READER, "/quiet ٠٠:٠٠-٠٧:٠٠")).text
    assert (await reader(app)).quiet_end == 7 * 60
    assert "/quiet 00:00-07:00" in (await say(telegram, READER, "/quiet sometime")).text
    assert "بلا ساعات هدوء" in (await say(telegram, READER, "/quiet off")).text
    assert (await reader(app)).quiet_start is None


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/follow الانسحاب", "سأرسل لك كل خبر فيه «الانسحاب»"),
        ("/follow", "اكتب الكلمة بعد الأمر، مثلاً: /follow حلب"),
        ("/follow ب", "قصيرة جداً"),
        ("/follow ...", "لم أجد كلمة"),
        ("/unfollow حمص", "«حمص» ليست في قائمتك"),
        ("/mute كرة القدم", "لن تصلك الأخبار التي فيها «كرة القدم»"),
        ("/unmute كرة القدم", "«كرة القدم» ليست في قائمتك"),
        ("/follow " + "ا" * 60, "طويلة جداً؛ الحد الأقصى ٥٠ حرفاً"),
        ('/follow <حلب> & "دمشق"', 'سأرسل لك كل خبر فيه «<حلب> & "دمشق"»'),
        ("/follow <<<", "لم أجد كلمة في «<<<»"),
    ],
)
async def test_keyword_commands_answer_what_was_expected(
    app: NashraApp, telegram: FakeTelegram, command: str, expected: str
) -> None:
    assert expected in (await say(telegram, READER, command)).text


async def test_keywords_are_limited_to_twenty(app: NashraApp, telegram: FakeTelegram) -> None:
    for n in range(20):
        await say(telegram, READER, f"/follow كلمة{n}")
    answer = await say(telegram, READER, "/mute أخرى")
    assert "لديك ٢٠ كلمة بالفعل" in answer.text
    async with services_of(app).sessions() as session:
        assert len((await session.scalars(select(Keyword))).all()) == 20
    assert "أوقفت تنبيهات «كلمة3»" in (await say(telegram, READER, "/unfollow كلمة3")).text
    assert "«كلمة4» في قائمة تنبيهاتك من قبل" in (await say(telegram, READER, "/follow كلمة4")).text


async def test_stop_asks_first_and_start_resumes_with_old_subscriptions(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    welcome = await say(telegram, READER, "/start")
    economy = await category_id(app, "اقتصاد")
    await press(telegram, READER, welcome, f"cat:{economy}")
    confirm = await say(telegram, READER, "/stop")
    assert set(buttons(confirm)) == {"stop:yes", "stop:no"}
    await press(telegram, READER, confirm, "stop:no")
    assert (await reader(app)).active
    confirm = await say(telegram, READER, "/stop")
    await press(telegram, READER, confirm, "stop:yes")
    assert "أوقفت كل الأخبار" in telegram.sent(READER)[-1].text
    assert not (await reader(app)).active
    await say(telegram, READER, "/mysubs")  # looking is not resuming
    assert not (await reader(app)).active

    telegram.block(READER)  # blocking and unblocking is not /start either
    telegram.unblock(READER)
    await telegram.wait_for(lambda: not telegram.pending_updates)
    await settled(telegram)
    assert not (await reader(app)).active
    back = await say(telegram, READER, "/start")
    assert "أهلاً بعودتك" in back.text
    assert buttons(back)[f"cat:{economy}"] == "✅ اقتصاد"
    assert (await reader(app)).active


async def test_blocking_deactivates_and_unblocking_restores(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    await say(telegram, READER, "/start")
    # The membership updates make no Telegram call: wait for their handling, not for quiet.
    telegram.block(READER)
    await telegram.wait_for(lambda: not telegram.pending_updates)
    await nothing_being_handled(app)
    assert not (await reader(app)).active
    telegram.unblock(READER)
    await telegram.wait_for(lambda: not telegram.pending_updates)
    await nothing_being_handled(app)
    assert (await reader(app)).active


async def test_help_unknown_commands_and_plain_text(app: NashraApp, telegram: FakeTelegram) -> None:
    help_text = (await say(telegram, READER, "/help")).text
    for command in ("/start", "/categories", "/mysubs", "/follow", "/mute", "/stop", "/quiet"):
        assert command in help_text
    assert "لا أعرف هذا الأمر" in (await say(telegram, READER, "/nonsense")).text
    # Plain text is a search (tests/handlers/test_search.py); a sticker or a photo is not.
    assert "لا توجد نتائج" in (await say(telegram, READER, "مرحبا")).text


async def test_english_reader_gets_english(app: NashraApp, telegram: FakeTelegram) -> None:
    assert "Welcome to Nashra" in (await say(telegram, ENGLISH_READER, "/start")).text
    assert "Commands:" in (await say(telegram, ENGLISH_READER, "/help")).text


def test_language_of_a_reader() -> None:
    from bot.text.messages import language_of

    assert [language_of(code) for code in ("ar", "ar-SY", None, "", "en", "de", "fa")] == [
        "ar", "ar", "ar", "ar", "en", "en", "en",
    ]  # fmt: skip


async def test_command_menus_are_set_in_arabic_and_english(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    arabic = {c["command"]: c["description"] for c in telegram.get_commands()}
    english = {c["command"]: c["description"] for c in telegram.get_commands(language_code="en")}
    assert arabic["follow"] == "تنبيه بكلمة"
    assert english["follow"] == "Alert me about a word"
    assert set(arabic) == set(english) >= {"start", "categories", "mysubs", "stop", "help"}


async def test_muting_twice_says_it_is_muted(app: NashraApp, telegram: FakeTelegram) -> None:
    await say(telegram, READER, "/mute الدوري")
    assert "«الدوري» مكتومة من قبل" in (await say(telegram, READER, "/mute الدوري")).text


async def test_an_edited_command_is_not_run_again(app: NashraApp, telegram: FakeTelegram) -> None:
    before = len(telegram.sent(READER))
    command = telegram.user_sends(READER, "/follow حلب")
    await telegram.wait_for(lambda: len(telegram.sent(READER)) == before + 1)
    telegram.user_edits(command, "/follow حمص")
    typo = telegram.user_sends(READER, "/mysubs")
    await telegram.wait_for(lambda: len(telegram.sent(READER)) == before + 2)
    telegram.user_edits(typo, "/stop")
    telegram.user_edits(typo, "/nonsense")
    telegram.user_edits(typo, "مرحبا")
    await handled_so_far(telegram)
    replies = telegram.sent(READER)[before:]
    assert len(replies) == 3  # /follow, /mysubs and the /help that closes the test
    async with services_of(app).sessions() as session:
        assert (await session.scalars(select(Keyword.word))).all() == ["حلب"]
    assert (await reader(app)).active


# ﷺ is one character that normalises to four words (14 characters once stemmed, «الله» one
# of them; repeated, each joins the next one's first word): 13 of them and a 17-letter word
# make a keyword of 31 characters whose matched term is 200, the column's size.
AT_LIMIT = "ﷺ" * 13 + " " + "x" * 17
PAST_LIMIT = "ﷺ" * 13 + " " + "x" * 18


@pytest.mark.parametrize(
    ("word", "stored"), [(AT_LIMIT, True), (PAST_LIMIT, False), ("ﷺ" * 50, False)]
)
async def test_keyword_terms_are_capped_at_the_column_size(
    app_on_both: NashraApp, telegram: FakeTelegram, word: str, stored: bool
) -> None:
    assert len(keyword_term(AT_LIMIT)) == MAX_TERM_LENGTH == Keyword.term.type.length
    answer = await say(telegram, READER, f"/follow {word}")
    if stored:
        assert "سأرسل لك كل خبر فيه" in answer.text
    else:
        assert "الكلمة طويلة جداً بعد تحويلها للبحث" in answer.text
    assert "خطأ" not in answer.text
    async with services_of(app_on_both).sessions() as session:
        words = (await session.scalars(select(Keyword.word))).all()
    assert words == ([word] if stored else [])
    unfollow = await say(telegram, READER, f"/unfollow {word}")
    assert ("أوقفت تنبيهات" if stored else "الكلمة طويلة جداً") in unfollow.text


async def test_controls_and_bidi_overrides_are_not_kept_in_a_keyword(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    answer = await say(telegram, READER, "/follow \u202eحلب\u202c\x07")
    assert "«حلب»" in answer.text
    async with services_of(app).sessions() as session:
        assert (await session.scalars(select(Keyword.word))).all() == ["حلب"]

"""The reader's conversation, driven as a person would through the fake Telegram server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import services_of
from bot.context import NashraApp
from storage import catalog
from storage.models import Chat, DeliveryMode, Keyword, Subscription
from tests.fakes.telegram import FakeTelegram, StoredMessage
from tests.support import make_settings, running_bot

READER = 501
ENGLISH_READER = 502


@pytest.fixture
async def app(telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[NashraApp]:
    # Replies to a person typing fast: Telegram tolerates short bursts in a private chat,
    # the fake's strict 1/s would not. Fan-out pacing is tested elsewhere at the real limit.
    telegram.private_interval = 0.0
    telegram.add_user(READER, "سارة", language_code="ar")
    telegram.add_user(ENGLISH_READER, "Sam", language_code="en")
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'readers.db'}",
        parse_workers=0,
    )
    async with running_bot(settings) as application:
        async with services_of(application).sessions.begin() as session:
            await catalog.ensure_categories(session, ["سياسة", "اقتصاد", "رياضة", "سوريا محلي"])
        yield application


async def say(telegram: FakeTelegram, user: int, message: str) -> StoredMessage:
    """The user sends a message; return the bot's answer."""
    before = len(telegram.sent(user))
    telegram.user_sends(user, message)
    await telegram.wait_for(lambda: len(telegram.sent(user)) > before)
    return telegram.sent(user)[-1]


async def press(telegram: FakeTelegram, user: int, message: StoredMessage, data: str) -> str:
    """The user presses a button; return the bot's toast (answerCallbackQuery text)."""
    query = telegram.press_button(user, user, message.message_id, data)
    await telegram.wait_for(lambda: query in telegram.callback_answers)
    await telegram.wait_for(lambda: not telegram.pending_updates)
    await _settled(telegram)
    return str(telegram.callback_answers[query].get("text") or "")


async def _settled(telegram: FakeTelegram) -> None:
    # The edit follows the answer: wait until the call log stops growing.
    count = -1
    while count != len(telegram.calls):
        count = len(telegram.calls)
        try:
            await telegram.wait_for(lambda seen=count: len(telegram.calls) > seen, timeout=0.3)
        except TimeoutError:
            return


def buttons(message: StoredMessage) -> dict[str, str]:
    """callback data → label of every button on the message."""
    markup = message.reply_markup or {}
    return {b["callback_data"]: b["text"] for row in markup.get("inline_keyboard", []) for b in row}


async def category_id(app: NashraApp, name: str) -> int:
    async with services_of(app).sessions() as session:
        category = await catalog.category_by_name(session, name)
        assert category is not None
        return category.id


async def reader(app: NashraApp, user: int = READER) -> Chat:
    async with services_of(app).sessions() as session:
        chat = await session.get(Chat, user)
        assert chat is not None
        return chat


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
        assert len([d for d in buttons(answer) if d.startswith("cat:")]) == 4


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
    await _settled(telegram)
    assert not (await reader(app)).active
    back = await say(telegram, READER, "/start")
    assert "أهلاً بعودتك" in back.text
    assert buttons(back)[f"cat:{economy}"] == "✅ اقتصاد"
    assert (await reader(app)).active


async def test_blocking_deactivates_and_unblocking_restores(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    await say(telegram, READER, "/start")
    telegram.block(READER)
    await telegram.wait_for(lambda: not telegram.pending_updates)
    await _settled(telegram)
    assert not (await reader(app)).active
    telegram.unblock(READER)
    await telegram.wait_for(lambda: not telegram.pending_updates)
    await _settled(telegram)
    assert (await reader(app)).active


async def test_help_unknown_commands_and_plain_text(app: NashraApp, telegram: FakeTelegram) -> None:
    help_text = (await say(telegram, READER, "/help")).text
    for command in ("/start", "/categories", "/mysubs", "/follow", "/mute", "/stop", "/quiet"):
        assert command in help_text
    assert "لا أعرف هذا الأمر" in (await say(telegram, READER, "/nonsense")).text
    assert "أفهم الأوامر" in (await say(telegram, READER, "مرحبا")).text


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

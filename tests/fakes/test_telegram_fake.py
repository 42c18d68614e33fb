"""Tests of the fake Telegram Bot API server, driven through real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
import telegram
from aiohttp import web
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)

from tests.fakes.telegram import (
    MAX_PHOTO_BYTES,
    PNG_SIGNATURE,
    SECRET_HEADER,
    FakeTelegram,
    FakeUser,
    ManualClock,
    parse_html,
)

CHANNEL = -1001234567890
GROUP = -4001
USER = 501


def make_bot(fake: FakeTelegram) -> telegram.Bot:
    return telegram.Bot(fake.token, base_url=f"{fake.base_url}/bot")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        server.add_chat(CHANNEL, "channel", title="نشرة", username="nashra_news")
        server.add_chat(GROUP, "group", title="مجموعة")
        server.add_user(USER, "سارة", username="sara")
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with make_bot(fake) as client:
        yield client


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def timed(clock: ManualClock) -> AsyncIterator[tuple[FakeTelegram, telegram.Bot]]:
    """A fake on a manual clock (rate limits, query expiry) and a bot talking to it."""
    async with FakeTelegram(clock=clock) as server:
        server.add_chat(CHANNEL, "channel", title="نشرة")
        server.add_user(USER)
        server.add_user(USER + 1)
        async with make_bot(server) as client:
            yield server, client


def build_app(fake: FakeTelegram) -> Application:
    return (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(f"{fake.base_url}/bot")
        .base_file_url(f"{fake.base_url}/file/bot")
        .build()
    )


# ----------------------------------------------------------------------------- basics


async def test_get_me(bot: telegram.Bot, fake: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (7000000001, "nashra_test_bot", True)
    assert fake.calls_of("getMe")[-1].ok


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    intruder = telegram.Bot("123:wrong", base_url=f"{fake.base_url}/bot")
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        async with intruder:
            pass
    assert fake.calls[-1].response == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized",
    }


async def test_raw_http_json_get_and_unknown_method(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}/bot{fake.token}"
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{url}/SENDMESSAGE",
            json={"chat_id": CHANNEL, "text": "<i>json</i>", "parse_mode": "HTML"},
        ) as response:
            body = await response.json()
        assert response.status == 200
        assert body["ok"]
        assert body["result"]["text"] == "json"
        async with session.get(f"{url}/getChat", params={"chat_id": "@NASHRA_NEWS"}) as response:
            assert (await response.json())["result"]["id"] == CHANNEL
        async with session.post(
            f"{url}/sendMessage", data={"chat_id": "1", "text": "x"}
        ) as response:
            assert response.status == 400
            assert await response.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
        async with session.post(f"{url}/noSuchMethod") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
    assert [call.method for call in fake.calls] == [
        "sendMessage",
        "getChat",
        "sendMessage",
        "noSuchMethod",
    ]


# ----------------------------------------------------------------------------- sending


async def test_send_message_html_is_parsed_and_recorded(
    bot: telegram.Bot, fake: FakeTelegram
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("اقرأ", url="https://example.com/a")]])
    message = await bot.send_message(
        "@nashra_news",
        '\n <b>عاجل</b> 😀 &lt;3 <a href="https://example.com/?a=1&amp;b=2">الخبر</a> ',
        parse_mode="HTML",
        reply_markup=markup,
        disable_notification=True,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert message.text == "عاجل 😀 <3 الخبر"
    assert message.sender_chat is not None
    assert message.sender_chat.id == CHANNEL
    assert message.reply_markup == markup
    [stored] = fake.sent(CHANNEL)
    assert stored.text == message.text
    assert stored.message_id == message.message_id == 1
    assert stored.entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "text_link", "url": "https://example.com/?a=1&b=2", "offset": 11, "length": 5},
    ]
    assert stored.disable_notification
    assert stored.link_preview_disabled
    params = fake.calls_of("sendMessage")[-1].params
    assert params["reply_markup"] == markup.to_dict()
    assert params["chat_id"] == "@nashra_news"
    second = await bot.send_message(CHANNEL, "بدون تنسيق <b>")
    assert (second.message_id, second.text) == (2, "بدون تنسيق <b>")


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<div>x</div>", 'unsupported start tag "div" at byte offset 0'),
        ("<b>عاجل", 'can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("x</b>", "unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("AT&T", "unsupported entity"),
        ("&nbsp;", "unsupported entity"),
        ('<span class="x">y</span>', 'tag "span" must have class "tg-spoiler"'),
        ("<b", "unclosed start tag"),
        ('<a href="x>y</a>', "unclosed start tag"),
    ],
)
async def test_invalid_html_is_rejected(
    bot: telegram.Bot, fake: FakeTelegram, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities") as error:
        await bot.send_message(CHANNEL, html, parse_mode="HTML")
    assert reason in str(error.value).lower()
    assert fake.calls[-1].response["description"].startswith("Bad Request: can't parse entities: ")
    assert fake.sent(CHANNEL) == []


def test_parse_html_entities() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler>"
        '<span class="tg-spoiler">t</span><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        "<B>&#1593;&#x0644;</B><s></s>&quot;&gt;"
    )
    assert text == 'x = 1qst👍عل">'
    assert entities == [
        {"type": "pre", "language": "python", "offset": 0, "length": 5},
        {"type": "expandable_blockquote", "offset": 5, "length": 1},
        {"type": "spoiler", "offset": 6, "length": 1},
        {"type": "spoiler", "offset": 7, "length": 1},
        {
            "type": "custom_emoji",
            "custom_emoji_id": "5368324170671202286",
            "offset": 8,
            "length": 2,
        },
        {"type": "bold", "offset": 10, "length": 2},
    ]
    assert parse_html("AT&T", strict_ampersand=False) == ("AT&T", [])


async def test_text_length_and_emptiness(bot: telegram.Bot, fake: FakeTelegram) -> None:
    await bot.send_message(CHANNEL, "<b>" + "ع" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHANNEL, "😀" * 2049)  # 4098 UTF-16 code units
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHANNEL, "<b> </b>\n", parse_mode="HTML")
    assert len(fake.sent(CHANNEL)) == 1


def png(width: int, height: int) -> bytes:
    """The start of a PNG: its signature and IHDR chunk (all the fake reads)."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return PNG_SIGNATURE + len(ihdr).to_bytes(4, "big") + b"IHDR" + ihdr + b"\0" * 4


async def test_send_photo_checks_the_picture_as_telegram_does(
    bot: telegram.Bot, fake: FakeTelegram
) -> None:
    sent = await bot.send_photo(CHANNEL, png(1100, 616), caption="<b>رسم</b>", parse_mode="HTML")
    assert (sent.photo[-1].width, sent.photo[-1].height) == (1100, 616)
    stored = fake.sent(CHANNEL)[-1]
    assert stored.extra["caption"] == "رسم"
    assert fake.photo(stored) == png(1100, 616)
    with pytest.raises(BadRequest, match="(?i)image_process_failed"):
        await bot.send_photo(CHANNEL, b"GIF89a not a png")
    for width, height in ((6000, 4001), (2100, 100)):  # sides over 10000; a ratio over 20
        with pytest.raises(BadRequest, match="(?i)photo_invalid_dimensions"):
            await bot.send_photo(CHANNEL, png(width, height))
    await bot.send_photo(CHANNEL, png(6000, 4000))  # at the limits
    await bot.send_photo(CHANNEL, png(2000, 100))
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(CHANNEL, png(10, 10), caption="ع" * 1025)
    with pytest.raises(BadRequest, match="(?i)photo_save_file_invalid"):
        await bot.send_photo(CHANNEL, png(10, 10) + b"\0" * MAX_PHOTO_BYTES)
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_photo(CHANNEL, "AgACAgIAAxnotknown")
    assert len(fake.sent(CHANNEL)) == 3


async def test_send_photo_by_address(bot: telegram.Bot, fake: FakeTelegram) -> None:
    picture = "https://cdn.example.sy/photos/aleppo.jpg"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("اقرأ", url="https://x.sy/1")]])
    sent = await bot.send_photo(
        CHANNEL, picture, caption='<b>حلب</b> &amp; <a href="https://x.sy/1">الرابط</a>',
        parse_mode="HTML", reply_markup=keyboard, disable_notification=True,
    )  # fmt: skip
    assert sent.caption == "حلب & الرابط"
    assert [entity.type for entity in sent.caption_entities] == ["bold", "text_link"]
    assert sent.photo
    stored = fake.sent(CHANNEL)[-1]
    assert stored.caption == "حلب & الرابط"
    assert stored.text == ""
    assert stored.has_media
    assert stored.reply_markup == keyboard.to_dict()
    assert stored.disable_notification
    assert fake.photo_address(stored) == picture
    api = fake.message_api(stored)
    assert {"photo", "caption", "caption_entities"} <= api.keys()
    # The caption's limit counts what Telegram shows: "&amp;" is one character.
    await bot.send_photo(CHANNEL, picture, caption="&amp;" * 1024, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(CHANNEL, picture, caption="&amp;" * 1025, parse_mode="HTML")
    # An address Telegram cannot fetch, or whose content it does not take.
    fake.refuse_photo(picture)
    with pytest.raises(BadRequest, match="(?i)wrong file identifier/http url specified"):
        await bot.send_photo(CHANNEL, picture, caption="حلب")
    fake.refuse_photo("https://cdn.example.sy/page.html", "wrong type of the web page content")
    with pytest.raises(BadRequest, match="(?i)wrong type of the web page content"):
        await bot.send_photo(CHANNEL, "https://cdn.example.sy/page.html")
    assert len(fake.sent(CHANNEL)) == 2
    forum = -1005
    fake.add_chat(forum, "supergroup", title="منتدى", bot_status="member", is_forum=True)
    topic = fake.add_topic(forum, "سياسة")
    posted = await bot.send_photo(forum, "https://cdn.example.sy/b.jpg", message_thread_id=topic)
    assert posted.message_thread_id == topic
    assert fake.in_topic(forum, topic)[-1].message_id == posted.message_id


async def test_edit_message_caption(bot: telegram.Bot, fake: FakeTelegram) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("1", callback_data="1")]])
    photo = await bot.send_photo(
        CHANNEL, "https://cdn.example.sy/a.jpg", caption="<b>أ</b>", parse_mode="HTML",
        reply_markup=keyboard,
    )  # fmt: skip
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_caption(
            CHANNEL, photo.message_id, caption="<b>أ</b>", parse_mode="HTML",
            reply_markup=keyboard,
        )  # fmt: skip
    edited = await bot.edit_message_caption(
        CHANNEL, photo.message_id, caption="<i>ب</i>", parse_mode="HTML", reply_markup=keyboard
    )
    assert isinstance(edited, telegram.Message)
    assert edited.caption == "ب"
    assert edited.edit_date is not None
    stored = fake.sent(CHANNEL)[-1]
    assert stored.extra["caption_entities"] == [{"type": "italic", "offset": 0, "length": 1}]
    assert stored.reply_markup == keyboard.to_dict()
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.edit_message_caption(CHANNEL, photo.message_id, caption="ع" * 1025)
    # A photo has no text to edit; a text message has no caption.
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("ج", CHANNEL, photo.message_id)
    text = await bot.send_message(CHANNEL, "نص")
    with pytest.raises(BadRequest, match="There is no caption in the message to edit"):
        await bot.edit_message_caption(CHANNEL, text.message_id, caption="ج")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_caption(CHANNEL, 99, caption="ج")
    mine = fake.user_sends(USER, "من القارئ")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_caption(USER, mine.message_id, caption="ج")
    # No caption: the caption is removed, and so is a keyboard not sent again.
    bare = await bot.edit_message_caption(CHANNEL, photo.message_id)
    assert isinstance(bare, telegram.Message)
    assert bare.caption is None
    assert bare.reply_markup is None
    assert fake.sent(CHANNEL)[-2].caption == ""


async def test_chat_errors(bot: telegram.Bot, fake: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-100999, "x")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message("@nobody", "x")
    fake.add_chat(-1002, "channel", bot_status="left")
    with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
        await bot.send_message(-1002, "x")
    fake.add_chat(-1003, "channel", can_post_messages=False)
    with pytest.raises(BadRequest, match="Need administrator rights in the channel chat"):
        await bot.send_message(-1003, "x")
    fake.set_bot_status(GROUP, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP, "x")
    assert fake.pending_updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def test_blocked_user(bot: telegram.Bot, fake: FakeTelegram) -> None:
    await bot.send_message(USER, "أهلاً")
    fake.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "مرحباً")
    fake.unblock(USER)
    [blocked, unblocked] = await bot.get_updates()
    assert blocked.my_chat_member is not None
    assert unblocked.my_chat_member is not None
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    assert unblocked.my_chat_member.new_chat_member.status == "member"
    assert [m.text for m in fake.sent(USER)] == ["أهلاً"]


async def test_migrated_group(bot: telegram.Bot, fake: FakeTelegram) -> None:
    fake.migrate(GROUP, -1009)
    with pytest.raises(ChatMigrated) as error:
        await bot.send_message(GROUP, "x")
    assert error.value.new_chat_id == -1009
    await bot.send_message(-1009, "x")
    service = [u["message"] for u in fake.pending_updates]
    assert service[0]["migrate_to_chat_id"] == -1009
    assert service[1]["migrate_from_chat_id"] == GROUP


async def test_inline_keyboard_validation(bot: telegram.Bot, fake: FakeTelegram) -> None:
    def markup(**action: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("زر", **action)]])

    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(CHANNEL, "x", reply_markup=markup(callback_data="ع" * 33))
    with pytest.raises(BadRequest, match="url 'ftp://x' is invalid"):
        await bot.send_message(CHANNEL, "x", reply_markup=markup(url="ftp://x"))
    with pytest.raises(BadRequest, match="text buttons are unallowed"):
        await bot.send_message(CHANNEL, "x", reply_markup=markup())
    assert fake.calls[-1].response["description"] == (
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard"
    )
    await bot.send_message(CHANNEL, "x", reply_markup=markup(callback_data="ع" * 32))
    assert len(fake.sent(CHANNEL)) == 1


# ----------------------------------------------------------------------------- editing


async def test_edit_delete(bot: telegram.Bot, fake: FakeTelegram) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("1", callback_data="1")]])
    sent = await bot.send_message(CHANNEL, "<b>أ</b>", parse_mode="HTML", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>أ</b>", CHANNEL, sent.message_id, parse_mode="HTML", reply_markup=keyboard
        )
    edited = await bot.edit_message_text("<i>ب</i>", CHANNEL, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, telegram.Message)
    assert edited.text == "ب"
    assert edited.edit_date is not None
    assert edited.reply_markup is None
    assert fake.sent(CHANNEL)[0].entities == [{"type": "italic", "offset": 0, "length": 1}]
    await bot.edit_message_reply_markup(CHANNEL, sent.message_id, reply_markup=keyboard)
    assert fake.sent(CHANNEL)[0].reply_markup == keyboard.to_dict()
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", CHANNEL, 99)
    assert await bot.delete_message(CHANNEL, sent.message_id)
    assert fake.sent(CHANNEL) == []
    assert fake.sent(CHANNEL, include_deleted=True)[0].deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(CHANNEL, sent.message_id)


# ----------------------------------------------------------------------------- rate limits


async def test_private_chat_rate_limit(
    timed: tuple[FakeTelegram, telegram.Bot], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as timedelta
    fake, bot = timed
    await bot.send_message(USER, "1")
    clock.advance(0.2)
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(USER, "2")
    assert error.value.retry_after == dt.timedelta(seconds=1)
    assert fake.calls[-1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    await bot.send_message(USER + 1, "other chat is independent")
    clock.advance(0.8)
    await bot.send_message(USER, "3")
    assert [m.text for m in fake.sent(USER)] == ["1", "3"]
    assert fake.count_429 == 1


async def test_group_and_global_rate_limits(
    timed: tuple[FakeTelegram, telegram.Bot], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake, bot = timed
    for index in range(20):
        await bot.send_message(CHANNEL, str(index))
        clock.advance(0.5)  # 20 messages in 10 s
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(CHANNEL, "21st")
    assert error.value.retry_after == dt.timedelta(seconds=50)
    clock.advance(50)
    await bot.send_message(CHANNEL, "21st")

    fake.global_rate, fake.paid_rate, fake.group_per_minute = 3, 5, 1000
    clock.advance(60)
    for index in range(3):
        await bot.send_message(CHANNEL, f"g{index}")
    with pytest.raises(RetryAfter):
        await bot.send_message(CHANNEL, "g3")
    await bot.send_message(CHANNEL, "g3", allow_paid_broadcast=True)
    assert fake.sent(CHANNEL)[-1].params["allow_paid_broadcast"] is True
    fake.rate_limits = False
    for _ in range(10):
        await bot.send_message(CHANNEL, "unlimited")
    assert fake.count_429 == 2
    assert len(fake.calls_of("sendMessage")) == 37


# ----------------------------------------------------------------------------- faults


async def test_fault_injection(
    bot: telegram.Bot, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(CHANNEL, "x")
    fake.fail_next("sendMessage", status=429, parameters={"retry_after": 3})
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(CHANNEL, "x")
    assert error.value.retry_after == dt.timedelta(seconds=3)
    fake.fail_next("SendMessage", status=403, chat_id="@nashra_news", times=2)
    await bot.send_message(USER, "other chats are not affected")
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(CHANNEL, "x")
    await bot.send_message(CHANNEL, "ok again")
    assert [m.text for m in fake.sent(CHANNEL)] == ["ok again"]
    assert [c.status for c in fake.calls_of("sendMessage")] == [500, 429, 200, 403, 403, 200]


async def test_delay_causes_client_timeout(bot: telegram.Bot, fake: FakeTelegram) -> None:
    fake.delay("sendMessage", 0.3)
    with pytest.raises(TimedOut):
        await bot.send_message(CHANNEL, "slow", read_timeout=0.05)
    # Like the real API, the timed-out request may still be delivered.
    await fake.wait_for(lambda: len(fake.sent(CHANNEL)) == 1, timeout=2)


# ----------------------------------------------------------------------------- updates


async def test_get_updates_long_polling_and_offset(bot: telegram.Bot, fake: FakeTelegram) -> None:
    assert await bot.get_updates(timeout=0) == ()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(lambda: fake.polling)
    sent = fake.user_sends(USER, "/start@nashra_test_bot hi")
    [update] = await asyncio.wait_for(poll, 2)
    assert update.message is not None
    assert update.message.text == "/start@nashra_test_bot hi"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start@nashra_test_bot")
    assert update.message.message_id == sent.message_id
    fake.user_sends(USER, "two")
    again = await bot.get_updates()
    assert [u.update_id for u in again] == [update.update_id, update.update_id + 1]
    assert await bot.get_updates(offset=update.update_id + 2, timeout=0) == ()
    assert fake.pending_updates == []


async def test_concurrent_get_updates_conflict(bot: telegram.Bot, fake: FakeTelegram) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(lambda: fake.polling)
    async with make_bot(fake) as second_instance:  # PTB allows one getUpdates per Bot
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert [call.status for call in fake.calls_of("getUpdates")] == [200, 409]


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("المزيد", callback_data="more")]])
    await context.bot.send_message(
        update.effective_chat.id, "<b>أهلاً</b>", parse_mode="HTML", reply_markup=keyboard
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("تم")
    await query.edit_message_text(f"اخترت {query.data}")


async def _inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.inline_query is not None
    content = InputTextMessageContent("<b>خبر</b>", parse_mode="HTML")
    await update.inline_query.answer(
        [
            InlineQueryResultArticle(
                id="n1", title=update.inline_query.query, input_message_content=content
            )
        ],
        next_offset="10",
    )


async def test_application_polling_end_to_end(fake: FakeTelegram) -> None:
    app = build_app(fake)
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_button))
    app.add_handler(InlineQueryHandler(_inline))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)

        fake.user_sends(USER, "/start")
        reply = await fake.wait_for_call("sendMessage")
        assert reply.ok
        assert reply.params["chat_id"] == USER
        [welcome] = fake.sent(USER)
        assert welcome.text == "أهلاً"

        query_id = fake.press_button(USER, USER, welcome.message_id, "more")
        await fake.wait_for_call("editMessageText")
        assert fake.callback_answers[query_id]["text"] == "تم"
        assert fake.sent(USER)[0].text == "اخترت more"

        inline_id = fake.inline_query(USER, "اقتصاد")
        answer = await fake.wait_for_call("answerInlineQuery")
        assert answer.ok
        assert fake.inline_answers[inline_id]["next_offset"] == "10"
        assert answer.params["results"][0]["title"] == "اقتصاد"

        await app.updater.stop()
        await app.stop()
    assert fake.pending_updates == []  # PTB confirmed everything on shutdown


async def test_query_answers_are_validated(
    timed: tuple[FakeTelegram, telegram.Bot], clock: ManualClock
) -> None:
    fake, bot = timed
    article = InlineQueryResultArticle(
        id="a", title="t", input_message_content=InputTextMessageContent("x")
    )
    query_id = fake.inline_query(USER, "q")
    with pytest.raises(BadRequest, match="Result_id_duplicate"):
        await bot.answer_inline_query(query_id, [article, article])
    with pytest.raises(BadRequest, match="Results_too_much"):
        await bot.answer_inline_query(query_id, [article] * 51)
    assert await bot.answer_inline_query(query_id, [article])
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query_id, [article])  # answered already
    late = fake.inline_query(USER, "q")
    clock.advance(16)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(late, [article])
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("nope")


async def test_commands_per_scope_and_language(bot: telegram.Bot, fake: FakeTelegram) -> None:
    await bot.set_my_commands([("start", "ابدأ"), ("help", "مساعدة")])
    await bot.set_my_commands(
        [("start", "Start")], scope=telegram.BotCommandScopeAllPrivateChats(), language_code="en"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    english = await bot.get_my_commands(
        scope=telegram.BotCommandScopeAllPrivateChats(), language_code="en"
    )
    assert [(c.command, c.description) for c in english] == [("start", "Start")]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Start!", "x")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert fake.get_commands({"type": "all_private_chats"}, "en") == [
        {"command": "start", "description": "Start"}
    ]


async def test_chat_info_and_members(bot: telegram.Bot, fake: FakeTelegram) -> None:
    fake.set_member(GROUP, USER, "creator")
    chat = await bot.get_chat(GROUP)
    assert (chat.id, chat.title, chat.type) == (GROUP, "مجموعة", "group")
    member = await bot.get_chat_member(CHANNEL, fake.bot_id)
    assert isinstance(member, telegram.ChatMemberAdministrator)
    assert member.can_post_messages
    admins = await bot.get_chat_administrators(GROUP)
    assert {a.user.id for a in admins} == {USER, fake.bot_id}
    assert (await bot.get_chat_member(USER, USER)).status == "member"
    assert json.loads(json.dumps(fake.calls[-1].response))["ok"] is True


async def test_inline_mode_off_is_reported_and_refuses_inline_buttons() -> None:
    share = InlineKeyboardMarkup([[InlineKeyboardButton("شارك", switch_inline_query="حلب")]])
    async with FakeTelegram(inline_mode=False) as server:
        server.add_chat(CHANNEL, "channel")
        async with make_bot(server) as client:
            assert client.bot.supports_inline_queries is False
            with pytest.raises(BadRequest, match="(?i)button_type_invalid"):
                await client.send_message(CHANNEL, "خبر", reply_markup=share)
            assert server.sent(CHANNEL) == []
    async with FakeTelegram() as server:
        server.add_chat(CHANNEL, "channel")
        async with make_bot(server) as client:
            assert client.bot.supports_inline_queries is True
            await client.send_message(CHANNEL, "خبر", reply_markup=share)
            assert len(server.sent(CHANNEL)) == 1


async def test_command_scopes_are_checked_as_telegram_checks_them(
    bot: telegram.Bot, fake: FakeTelegram
) -> None:
    await bot.set_my_commands([("start", "ابدأ")])
    await bot.set_my_commands([("start", "ابدأ"), ("admin", "المشرفون")],
                              scope=telegram.BotCommandScopeChat(USER))  # fmt: skip
    await bot.set_my_commands(
        [("start", "Start"), ("admin", "Admins")],
        scope=telegram.BotCommandScopeChat(USER),
        language_code="en",
    )
    assert fake.menu(USER, "ar") == ["start", "admin"]
    assert fake.menu(USER, "en") == ["start", "admin"]
    fake.add_user(USER + 1, "قارئ")
    assert fake.menu(USER + 1) == ["start"]  # the default: no list of its own
    # By @username, the same chat's list.
    scope = {"type": "chat", "chat_id": "@sara"}
    assert [c["command"] for c in fake.get_commands(scope, "en")] == ["start", "admin"]
    # A person the bot never talked to has no chat with it.
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.set_my_commands([("start", "x")], scope=telegram.BotCommandScopeChat(999))
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.delete_my_commands(scope=telegram.BotCommandScopeChat(999))
    await bot.delete_my_commands(scope=telegram.BotCommandScopeChat(USER))
    assert fake.menu(USER, "ar") == ["start"]
    assert fake.menu(USER, "en") == ["start", "admin"]  # its English list is still set


@pytest.mark.parametrize(
    ("scope", "error"),
    [
        ('{"type": "everyone"}', "Unsupported type specified"),
        ('{"type": "chat"}', 'Can\'t find field "chat_id"'),
        ('{"type": "chat", "chat_id": ""}', "Empty chat_id specified"),
        (f'{{"type": "chat_member", "chat_id": {GROUP}, "user_id": 0}}',
         "Invalid user_id specified"),
        ('["chat"]', "BotCommandScope must be an Object"),
        ("{not json", "can't parse BotCommandScope JSON object"),
    ],
)  # fmt: skip
async def test_a_malformed_scope_is_refused(fake: FakeTelegram, scope: str, error: str) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{fake.base_url}/bot{fake.token}/setMyCommands"
        commands = '[{"command": "start", "description": "x"}]'
        async with session.post(url, data={"commands": commands, "scope": scope}) as response:
            body = await response.json()
    assert response.status == 400
    assert body["description"].startswith("Bad Request: ")
    assert error in body["description"]
    assert fake.commands == {}


async def test_forwards_and_replies_reach_the_bot_as_telegram_sends_them(
    bot: telegram.Bot, fake: FakeTelegram
) -> None:
    stranger = FakeUser(777, "Sam", language_code="en", username="sam")  # unknown to the bot
    fake.user_forwards(USER, "مرحبا", fake.forwarded_from(stranger))
    hidden = fake.user_forwards(USER, "سلام", fake.hidden_forward("Anonymous"))
    fake.user_forwards(USER, "خبر", fake.channel_forward(CHANNEL, 42))
    fake.user_sends(USER, "/admin add", reply_to=hidden)
    updates = await bot.get_updates()
    user, hidden_origin, channel, reply = (u.message for u in updates)
    assert isinstance(user.forward_origin, telegram.MessageOriginUser)
    assert (user.forward_origin.sender_user.id, user.forward_origin.sender_user.username) == (
        777, "sam",
    )  # fmt: skip
    assert isinstance(hidden_origin.forward_origin, telegram.MessageOriginHiddenUser)
    assert hidden_origin.forward_origin.sender_user_name == "Anonymous"
    assert isinstance(channel.forward_origin, telegram.MessageOriginChannel)
    assert (channel.forward_origin.chat.id, channel.forward_origin.message_id) == (CHANNEL, 42)
    assert reply.reply_to_message.message_id == hidden.message_id
    assert isinstance(reply.reply_to_message.forward_origin, telegram.MessageOriginHiddenUser)
    assert reply.text == "/admin add"


async def test_forum_topics(bot: telegram.Bot, fake: FakeTelegram) -> None:
    forum = -1005
    fake.add_chat(forum, "supergroup", title="منتدى", bot_status="member", is_forum=True)
    topic = fake.add_topic(forum, "سياسة")
    assert (await bot.get_chat(forum)).is_forum
    posted = await bot.send_message(forum, "في الموضوع", message_thread_id=topic)
    assert posted.message_thread_id == topic
    assert posted.is_topic_message
    await bot.send_message(forum, "في العام")
    assert [m.text for m in fake.in_topic(forum, topic)] == ["في الموضوع"]
    assert [m.text for m in fake.in_topic(forum, None)] == ["في العام"]
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(forum, "x", message_thread_id=topic + 100)
    fake.close_topic(forum, topic)
    with pytest.raises(BadRequest, match="Topic_closed"):
        await bot.send_message(forum, "x", message_thread_id=topic)
    # Creating topics needs an administrator with can_manage_topics, in a forum.
    with pytest.raises(BadRequest, match="Not enough rights to create a topic"):
        await bot.create_forum_topic(forum, "رياضة")
    fake.set_bot_status(forum, "administrator", can_manage_topics=True)
    member = await bot.get_chat_member(forum, fake.bot_id)
    assert isinstance(member, telegram.ChatMemberAdministrator)
    assert member.can_manage_topics
    await bot.send_message(forum, "يكتب في موضوع مغلق", message_thread_id=topic)  # may, now
    created = await bot.create_forum_topic(forum, "رياضة")
    assert fake.chats[forum].topics[created.message_thread_id].name == "رياضة"
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(GROUP, "رياضة")
    with pytest.raises(ValueError, match="only a supergroup has topics"):
        fake.add_chat(-1006, "channel", is_forum=True)


async def test_a_muted_bot(bot: telegram.Bot, fake: FakeTelegram) -> None:
    fake.add_chat(-1007, "supergroup", bot_status="restricted")
    member = await bot.get_chat_member(-1007, fake.bot_id)
    assert isinstance(member, telegram.ChatMemberRestricted)
    assert not member.can_send_messages
    with pytest.raises(BadRequest, match="Not enough rights to send text messages"):
        await bot.send_message(-1007, "x")


# ----------------------------------------------------------------------------- webhooks


class Receiver:
    """A bot's webhook endpoint: records what Telegram pushes, answers `statuses` in turn
    (then 200)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[str | None, dict[str, object]]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._take)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hook"
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _take(self, request: web.Request) -> web.Response:
        self.received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = await Receiver(500).start()
    yield hook
    await hook.stop()


async def test_a_webhook_gets_the_updates_pushed_in_order_with_the_secret(
    bot: telegram.Bot, fake: FakeTelegram, receiver: Receiver
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token="s3cret_-Token")
    first = fake.user_sends(USER, "/start")
    fake.user_sends(USER, "ثانية")
    await fake.wait_for(lambda: fake.pending_updates == [])
    # The first push was answered 500: tried again, and only then the second update.
    ids = [update_id for update_id, _ in fake.webhook_posts]
    assert [status for _, status in fake.webhook_posts] == [500, 200, 200]
    assert ids == [ids[0], ids[0], ids[0] + 1]
    assert [secret for secret, _ in receiver.received] == ["s3cret_-Token"] * 3
    message = receiver.received[0][1]["message"]
    assert isinstance(message, dict)
    assert (message["text"], message["message_id"]) == ("/start", first.message_id)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (receiver.url, 0)

    # No webhook, no pushes: the next update waits for getUpdates.
    assert await bot.delete_webhook()
    fake.user_sends(USER, "بعد الحذف")
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None
    assert update.message.text == "بعد الحذف"
    assert len(fake.webhook_posts) == 3


async def test_a_webhook_without_a_secret_gets_no_header(
    bot: telegram.Bot, fake: FakeTelegram, receiver: Receiver
) -> None:
    receiver.statuses.clear()
    await bot.set_webhook(receiver.url)
    fake.user_sends(USER, "مرحبا")
    await fake.wait_for(lambda: len(receiver.received) == 1)
    assert receiver.received[0][0] is None


async def test_an_unreachable_webhook_is_tried_again(bot: telegram.Bot, fake: FakeTelegram) -> None:
    # A port nobody listens on: bound, then closed.
    hook = await Receiver().start()
    url = hook.url
    await hook.stop()
    await bot.set_webhook(url, secret_token="abc")
    fake.user_sends(USER, "هل من أحد؟")
    await fake.wait_for(lambda: len(fake.webhook_posts) >= 2)
    assert {status for _, status in fake.webhook_posts} == {0}
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Connection refused"
    await bot.delete_webhook(drop_pending_updates=True)
    assert fake.pending_updates == []


@pytest.mark.parametrize(
    ("url", "secret", "error"),
    [
        ("https://bot.example.org/hook", "has space", "secret token contains unallowed"),
        ("https://bot.example.org/hook", "x" * 257, "secret token contains unallowed"),
        ("https://bot.example.org/hook", "سر", "secret token contains unallowed"),
        ("http://bot.example.org/hook", "abc", "An HTTPS URL must be provided"),
    ],
)
async def test_set_webhook_is_checked_as_telegram_checks_it(
    bot: telegram.Bot, fake: FakeTelegram, url: str, secret: str, error: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){error}"):
        await bot.set_webhook(url, secret_token=secret)
    assert fake.webhook_url == ""

"""The operators' console through the fake Telegram server: who is an admin, the command
menus, the audit log, and everyone else's refusal (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from bot.admins import ADMIN_ADD, ADMIN_REMOVE, MAX_USER_ID, Person
from bot.app import services_of
from bot.context import NashraApp
from bot.text.dates import format_moment
from bot.text.messages import ADMIN_COMMANDS, COMMANDS, text
from storage.models import PERSON_NAME_CHARS, USERNAME_CHARS, Admin, AuditEntry
from tests.fakes.telegram import FakeTelegram, FakeUser, StoredMessage, parse_html, utf16_len
from tests.handlers.conftest import Console
from tests.handlers.conversation import (
    ADMIN,
    ENGLISH_READER,
    READER,
    buttons,
    nothing_being_handled,
    press,
    say,
)
from tests.support import FrozenClock

READERS_MENU = [command for command, _ in COMMANDS["ar"]]
ADMINS_MENU = READERS_MENU + [command for command, _ in ADMIN_COMMANDS["ar"]]
GROUP = -1001700
OWNER = Person(ADMIN, "المشرف")  # as the owner's own updates name them
SAM = FakeUser(777, "Sam", language_code="en", username="sam_k")  # writes to the bot later


def shown(key: str, language: str | None = "ar", **values: Any) -> str:
    """A reply as Telegram shows it (the HTML parsed away)."""
    return parse_html(text(key, language, **values))[0]


async def stored(app: NashraApp) -> tuple[list[tuple[int, str | None]], list[str]]:
    """The stored admins (id, name) and the audit log's actions, oldest first."""
    async with services_of(app).sessions() as session:
        admins = (await session.execute(select(Admin.user_id, Admin.name))).all()
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    return sorted((row[0], row[1]) for row in admins), list(actions)


async def test_the_menu_has_the_admin_commands_only_for_admins(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    # Set at start-up: the readers' for everyone, the owner's own with the admin commands.
    assert telegram.menu(ADMIN) == ADMINS_MENU
    assert telegram.menu(ADMIN, "en") == [c for c, _ in COMMANDS["en"] + ADMIN_COMMANDS["en"]]
    assert telegram.menu(READER) == READERS_MENU
    assert telegram.menu(ENGLISH_READER) == [c for c, _ in COMMANDS["en"]]
    english = telegram.get_commands({"type": "chat", "chat_id": ADMIN}, "en")
    assert {"command": "audit", "description": "The admins' audit log"} in english
    scopes = [c.params.get("scope") for c in telegram.calls_of("setMyCommands")]
    assert {"type": "chat", "chat_id": ADMIN} in scopes


async def test_an_owner_adds_and_removes_an_admin_by_id(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    await say(telegram, READER, "/start")  # the bot knows her name from her chat
    answer = await say(telegram, ADMIN, "/admin add 501")
    assert answer.text == shown("admin_added", person="سارة (<code>501</code>)")
    assert telegram.menu(READER) == ADMINS_MENU
    assert await stored(app) == ([(READER, "سارة")], [ADMIN_ADD])

    # The new admin lists the admins, but adding and removing are the owners'.
    listing = await say(telegram, READER, "/admin list")
    assert "المالكون والمشرفون (شخصان)" in listing.text
    assert "المشرف (900) — مالك" in listing.text
    assert "سارة (501) — مشرف" in listing.text
    assert (await say(telegram, READER, "/admin add 502")).text == shown("admin_owners_only")
    assert (await say(telegram, READER, "/admin remove 900")).text == shown("admin_owners_only")
    assert "أوامر المشرفين" in (await say(telegram, READER, "/help")).text

    again = await say(telegram, ADMIN, "/admin add ٥٠١")  # Arabic-Indic digits are the same id
    assert again.text == shown("admin_already", person="سارة (<code>501</code>)")
    removed = await say(telegram, ADMIN, "/admin remove 501")
    assert removed.text == shown("admin_removed", person="سارة (<code>501</code>)")
    assert telegram.menu(READER) == READERS_MENU
    assert telegram.menu(READER, "en") == [c for c, _ in COMMANDS["en"]]
    assert await stored(app) == ([], [ADMIN_ADD, ADMIN_REMOVE])
    assert (await say(telegram, READER, "/admin list")).text == shown("admin_refused")
    missing = await say(telegram, ADMIN, "/admin remove 501")
    assert missing.text == shown("admin_not_found", person="سارة (<code>501</code>)")


async def test_owners_are_never_added_or_removed_by_command(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    for command in ("/admin remove 900", "/admin add 900"):
        answer = await say(telegram, ADMIN, command)
        assert answer.text.startswith("المشرف (900) من مالكي البوت (ADMIN_IDS في الإعدادات)")
    assert telegram.menu(ADMIN) == ADMINS_MENU
    assert await stored(app) == ([], [])


async def test_an_owner_adds_the_author_of_a_forwarded_message(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    # "/admin add", then the forward: also what Telegram sends for a forward with a comment.
    assert (await say(telegram, ADMIN, "/admin add")).text == shown("admin_forward_now")
    before = len(telegram.sent(ADMIN))
    telegram.user_forwards(ADMIN, "رسالة من سام", telegram.forwarded_from(SAM))
    await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
    # Sam has never written to the bot: Telegram refuses a menu for a chat it does not have.
    added = telegram.sent(ADMIN)[-1]
    assert added.text == shown("admin_added_no_menu", person="Sam (@sam_k, <code>777</code>)")
    assert [c.status for c in telegram.calls_of("setMyCommands")][-1] == 400
    assert await stored(app) == ([(777, "Sam")], [ADMIN_ADD])

    # Once Sam writes to the bot (/start, or /help, which also shows him the admin
    # commands), his menu is set.
    telegram.add_user(SAM.id, SAM.first_name, language_code="en", username=SAM.username)
    await say(telegram, SAM.id, "/start")
    await nothing_being_handled(app)
    assert telegram.menu(SAM.id) == [c for c, _ in COMMANDS["en"] + ADMIN_COMMANDS["en"]]
    telegram.add_user(SAM.id, SAM.first_name, language_code="en", username=SAM.username)
    help_text = await say(telegram, SAM.id, "/help")
    assert shown("admin_help", "en") in help_text.text
    assert telegram.menu(SAM.id) == [c for c, _ in COMMANDS["en"] + ADMIN_COMMANDS["en"]]

    # The next forward is only a forward again.
    plain = await say(telegram, ADMIN, "x")  # a search; then a forward
    telegram.user_forwards(ADMIN, "خبر", telegram.forwarded_from(telegram.users[READER]))
    await telegram.wait_for(lambda: telegram.sent(ADMIN)[-1].message_id > plain.message_id)
    assert telegram.sent(ADMIN)[-1].text == shown("not_text")
    assert (await stored(app))[0] == [(777, "Sam")]


@pytest.mark.parametrize("meanwhile", ["/feeds", "/help", "أخبار حلب"])
async def test_a_forgotten_admin_add_waits_no_more_once_something_else_is_sent(
    app: NashraApp, telegram: FakeTelegram, meanwhile: str
) -> None:
    """ "/admin add", then a command or a search: a forward after it adds nobody."""
    assert (await say(telegram, ADMIN, "/admin add")).text == shown("admin_forward_now")
    await say(telegram, ADMIN, meanwhile)
    await nothing_being_handled(app)
    before = len(telegram.sent(ADMIN))
    telegram.user_forwards(ADMIN, "خبر", telegram.forwarded_from(telegram.users[READER]))
    await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
    assert telegram.sent(ADMIN)[-1].text == shown("not_text")
    assert await stored(app) == ([], [])


async def test_an_owner_taken_out_of_admin_ids_loses_the_menu_at_the_next_start(
    console: Console, telegram: FakeTelegram
) -> None:
    """The menu follows who holds the console now: a former owner's, and the menu of an
    admin removed by the command line's database while the bot was down, go back to the
    readers' (the audit log names them)."""
    former = 903
    telegram.add_user(former, "مالك سابق", language_code="ar")
    async with console(admin_ids=[ADMIN, former]) as app:
        await services_of(app).admins.add(Person(former, "مالك سابق"), Person(READER, "سارة"))
        assert telegram.menu(former) == ADMINS_MENU
        assert telegram.menu(READER) == ADMINS_MENU
        async with services_of(app).sessions.begin() as session:
            await session.execute(delete(Admin).where(Admin.user_id == READER))
    async with console(admin_ids=[ADMIN]):
        assert telegram.menu(former) == READERS_MENU
        assert telegram.menu(READER) == READERS_MENU
        assert telegram.menu(ADMIN) == ADMINS_MENU


async def test_an_owner_adds_by_replying_to_a_forwarded_message(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    sara = telegram.users[READER]
    forward = telegram.user_forwards(ADMIN, "رسالة", telegram.forwarded_from(sara))
    await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) == 1)  # "not a command"
    before = len(telegram.sent(ADMIN))
    telegram.user_sends(ADMIN, "/admin add", reply_to=forward)
    await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
    assert telegram.sent(ADMIN)[-1].text == shown("admin_added", person="سارة (<code>501</code>)")
    assert telegram.menu(READER) == ADMINS_MENU
    # And removed the same way.
    telegram.user_sends(ADMIN, "/admin remove", reply_to=forward)
    await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before + 1)
    assert telegram.sent(ADMIN)[-1].text == shown("admin_removed", person="سارة (<code>501</code>)")
    assert await stored(app) == ([], [ADMIN_ADD, ADMIN_REMOVE])


@pytest.mark.parametrize(
    ("origin", "reply"),
    [
        ("hidden", "admin_hidden"),
        ("channel", "admin_not_a_person"),
        ("bot", "admin_not_a_person"),
    ],
)
async def test_a_forward_that_names_nobody_adds_nobody(
    app: NashraApp, telegram: FakeTelegram, origin: str, reply: str
) -> None:
    telegram.add_chat(-1001800, "channel", title="قناة")
    origins = {
        "hidden": telegram.hidden_forward("مجهول"),
        "channel": telegram.channel_forward(-1001800, 7),
        "bot": telegram.forwarded_from(telegram.bot_user),
    }
    await say(telegram, ADMIN, "/admin add")
    before = len(telegram.sent(ADMIN))
    telegram.user_forwards(ADMIN, "رسالة", origins[origin])
    await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
    assert telegram.sent(ADMIN)[-1].text == shown(reply)
    assert await stored(app) == ([], [])


async def test_a_forward_is_not_a_command_unless_an_owner_asked(
    app: NashraApp, telegram: FakeTelegram
) -> None:
    for user in (ADMIN, READER):
        before = len(telegram.sent(user))
        telegram.user_forwards(user, "رسالة", telegram.forwarded_from(SAM))
        await telegram.wait_for(lambda u=user, n=before: len(telegram.sent(u)) > n)
        assert telegram.sent(user)[-1].text == shown("not_text")
    # A typed command forwarded from elsewhere is a forward, not the admin's own command.
    before = len(telegram.sent(ADMIN))
    telegram.user_forwards(ADMIN, "/admin add 501", telegram.forwarded_from(SAM))
    await telegram.wait_for(lambda: len(telegram.sent(ADMIN)) > before)
    assert telegram.sent(ADMIN)[-1].text == shown("not_text")
    assert await stored(app) == ([], [])


async def test_names_and_ids_at_and_past_their_columns(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    long_name = FakeUser(801, "ن" * PERSON_NAME_CHARS, username="u" * USERNAME_CHARS)
    longer = FakeUser(802, "م" * (PERSON_NAME_CHARS + 40), username="v" * (USERNAME_CHARS + 9))
    for person in (long_name, longer):
        await say(telegram, ADMIN, "/admin add")
        before = len(telegram.sent(ADMIN))
        telegram.user_forwards(ADMIN, "رسالة", telegram.forwarded_from(person))
        await telegram.wait_for(lambda n=before: len(telegram.sent(ADMIN)) > n)
        assert "مشرفاً" in telegram.sent(ADMIN)[-1].text
    # The largest id a BIGINT holds goes in; one more is no account number.
    biggest = await say(telegram, ADMIN, f"/admin add {MAX_USER_ID}")
    assert biggest.text.startswith(f"✅ أصبح {MAX_USER_ID} مشرفاً")
    for bad in (str(MAX_USER_ID + 1), "-1001234", "0", "12a", "1" * 400):
        answer = await say(telegram, ADMIN, f"/admin add {bad}")
        assert answer.text == shown("admin_bad_id", command="/admin add")
    async with services_of(app).sessions() as session:
        rows = {a.user_id: a for a in (await session.scalars(select(Admin))).all()}
    assert sorted(rows) == [801, 802, MAX_USER_ID]
    assert rows[801].name == "ن" * PERSON_NAME_CHARS
    assert rows[801].username == "u" * USERNAME_CHARS
    assert rows[802].name == "م" * PERSON_NAME_CHARS
    assert rows[802].username == "v" * USERNAME_CHARS
    listing = await say(telegram, ADMIN, "/admin list")
    assert f"• {MAX_USER_ID} — مشرف" in listing.text


async def test_the_audit_log_pages_in_place(
    app_on_both: NashraApp, telegram: FakeTelegram, wall_clock: FrozenClock
) -> None:
    app = app_on_both
    admins = services_of(app).admins
    for user_id in range(1001, 1008):  # seven actions
        await admins.add(OWNER, Person(user_id, f"مشرف {user_id}"))
    await admins.remove(OWNER, 1001)
    first = await say(telegram, ADMIN, "/audit")
    assert first.text.startswith("📜 سجل إجراءات المشرفين (٨ إجراءات)، الأحدث أولاً:")
    settings = services_of(app).settings
    when = format_moment(wall_clock.now, locale="ar_SY", digits="arab", tz=settings.zone)
    assert f"١. إزالة مشرف — {when}" in first.text
    assert "بواسطة: المشرف (900)" in first.text
    assert '"name": "مشرف 1001"' in first.text
    assert "٥. إضافة مشرف" in first.text
    assert "٦." not in first.text
    assert list(buttons(first).items()) == [("aud:5", "التالي ◀️")]

    await press(telegram, ADMIN, first, "aud:5")
    [second] = [m for m in telegram.sent(ADMIN) if m.message_id == first.message_id]
    assert "٦. إضافة مشرف" in second.text
    assert "٨. إضافة مشرف" in second.text
    assert '"name": "مشرف 1001"' in second.text
    assert list(buttons(second).items()) == [("aud:0", "▶️ السابق")]
    assert len(telegram.sent(ADMIN)) == 1  # the same message, edited
    await press(telegram, ADMIN, second, "aud:40")  # past the end: forged or stale
    [past] = [m for m in telegram.sent(ADMIN) if m.message_id == first.message_id]
    assert past.text == shown("audit_end")
    assert list(buttons(past)) == ["aud:35"]


async def test_the_audit_log_in_english(app: NashraApp, telegram: FakeTelegram) -> None:
    services = services_of(app)
    await services.admins.add(OWNER, Person(ENGLISH_READER, "Sam"))
    answer = await say(telegram, ENGLISH_READER, "/audit")
    assert answer.text.startswith("📜 The admins' audit log (1 action), newest first:")
    assert "1. admin added — " in answer.text
    assert "by: المشرف (900)" in answer.text
    assert list(buttons(answer)) == []
    assert (await say(telegram, ENGLISH_READER, "/myid")).text == (
        "Your Telegram account number: 502"
    )


async def test_admin_commands_are_private(app: NashraApp, telegram: FakeTelegram) -> None:
    telegram.add_chat(GROUP, "supergroup", title="مجموعة")
    for user, reply in ((ADMIN, "private_only"), (READER, "admin_refused")):
        before = len(telegram.sent(GROUP))
        telegram.user_sends_in(GROUP, user, "/admin list")
        await telegram.wait_for(lambda n=before: len(telegram.sent(GROUP)) > n)
        assert telegram.sent(GROUP)[-1].text == shown(reply)


# Every admin command, with and without arguments, and every admin button, forged: each with
# what the refusal's log line names. A new admin command or button is added here.
REFUSED = [
    *[(attempt, "/admin") for attempt in (
        "/admin", "/admin list", "/admin add", "/admin add 502", "/admin add 777",
        "/admin remove 777", "/admin remove 900", "/admin remove", "/admin nonsense",
        "/admin@nashra_test_bot list", "/ADMIN list",
    )],
    *[(attempt, "/audit") for attempt in ("/audit", "/audit 5", "/audit@nashra_test_bot")],
    *[(f"button {data}", "the audit button") for data in ("aud:0", "aud:5", "aud:999999999")],
    # Categories (/categories_admin) and each of its buttons, real ids and forged ones.
    *[(attempt, "/categories_admin") for attempt in (
        "/categories_admin", "/categories_admin 1", "/categories_admin add سياسة",
        "/categories_admin@nashra_test_bot", "/CATEGORIES_ADMIN",
    )],
    *[(f"button {data}", "the categories button") for data in (
        "ca:a", "ca:l:0", "ca:l:999999999", "ca:c:1", "ca:c:999999999", "ca:n:1", "ca:d:1",
        "ca:dy:1", "ca:dy:999999999", "ca:mo:1:0", "ca:m:1:2", "ca:my:1:2", "ca:my:1:1",
        "ca:aa:1", "ca:ak:1", "ca:ra:1:0", "ca:rk:1:10", "ca:xa:1:0:00000000",
        "ca:xk:1:0:deadbeef", "ca:xa:999999999:999:ffffffff",
    )],
    # Channels and groups.
    *[(attempt, "/addchannel") for attempt in (
        "/addchannel", "/addchannel @akhbar_sy سياسة", "/addchannel -1001500000001",
        "/addchannel https://t.me/c/1500000001/45 سياسة رياضة", "/addchannel@nashra_test_bot",
    )],
    *[(attempt, "/channels") for attempt in (
        "/channels", "/channels 2", "/channels@nashra_test_bot",
    )],
    *[(f"button {data}", "the channels button") for data in (
        "ch:l:0", "ch:l:8", "ch:e:-1001500000001", "ch:t:-1001500000001:1", "ch:d:-1001500000001",
        "ch:r:-1001500000001", "ch:x:-1001500000001", "ch:x:-9223372036854775808",
    )],
    # The sources (issue 8): /addfeed, /feeds, a feed's card, a page's feeds to choose from.
    *[(attempt, "/addfeed") for attempt in (
        "/addfeed", "/addfeed https://news.example.sy/feed",
        "/addfeed https://news.example.sy/feed سياسة اقتصاد", "/addfeed@nashra_test_bot x",
    )],
    *[(attempt, "/feeds") for attempt in ("/feeds", "/feeds 2", "/feeds@nashra_test_bot")],
    *[(f"button {data}", "the feeds button") for data in (
        "fd:p:0", "fd:p:5", "fd:o:1", "fd:pause:1", "fd:resume:1", "fd:poll:1", "fd:cats:1",
        "fd:cat:1:1", "fd:int:1", "fd:iv:1:300", "fd:iv:1:0", "fd:rm:1", "fd:rmy:1",
        "fd:retry:1", "fd:retry:999999999",
    )],
    *[(f"button {data}", "the discovery button") for data in ("dsc:0123abcd:0", "dsc:ffffffff:9")],
    # Console buttons of no shape the console makes (an old version's, or forged).
    *[(f"button {data}", "the console button") for data in (
        "fd:p:1234567890", "ca:zz:1", "ch:q", "bc:send:x", "dsc:nothex:0", "aud:-1",
    )],
    *[(attempt, "/export") for attempt in ("/export", "/export all", "/export@nashra_test_bot")],
    *[(f"document {name}", "/import") for name in ("feeds.opml", "FEEDS.OPML", "list.xml")],
    # Operations (issue 8): /broadcast and its buttons, /stats, /preview.
    *[(attempt, "/broadcast") for attempt in (
        "/broadcast", "/broadcast مرحباً", "/broadcast سطر\nسطر آخر", "/broadcast@nashra_test_bot x",
    )],
    *[(f"button {data}", "the broadcast button") for data in (
        "bc:send:1", "bc:cancel:1", "bc:send:999999999",
    )],
    *[(attempt, "/stats") for attempt in ("/stats", "/stats all", "/stats@nashra_test_bot")],
    *[(attempt, "/preview") for attempt in (
        "/preview", "/preview https://www.enabbaladi.net/feed/", "/preview /etc/passwd",
        "/preview https://www.enabbaladi.net/feed/ 5", "/preview@nashra_test_bot x",
    )],
]  # fmt: skip


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize(("attempt", "what"), REFUSED)
async def test_anyone_else_is_refused_and_nothing_changes(
    app_on_both: NashraApp,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    attempt: str,
    what: str,
    language: str,
) -> None:
    app = app_on_both
    await services_of(app).admins.add(OWNER, Person(777, "Sam"))  # something to protect
    user = READER if language == "ar" else ENGLISH_READER
    before = await stored(app)
    menu = telegram.menu(user)
    caplog.set_level(logging.WARNING)
    if attempt.startswith("button "):
        message = await say(telegram, user, "/help")
        edits = len(telegram.calls_of("editMessageText"))
        toast = await press(telegram, user, message, attempt.removeprefix("button "))
        assert toast == text("admin_refused", language)
        assert len(telegram.calls_of("editMessageText")) == edits
    elif attempt.startswith("document "):  # an OPML file to import (issue 8)
        before_file = len(telegram.sent(user))
        opml = b'<opml version="2.0"><body><outline xmlUrl="https://a.example/f"/></body></opml>'
        telegram.user_sends_document(user, attempt.removeprefix("document "), opml)
        await telegram.wait_for(lambda: len(telegram.sent(user)) > before_file)
        assert telegram.sent(user)[-1].text == text("admin_refused", language)
        assert not telegram.calls_of("getFile")  # never even downloaded
    else:
        answer = await say(telegram, user, attempt)
        assert answer.text == text("admin_refused", language)
    assert f"refused {what} to user {user}: not an admin" in caplog.text
    assert telegram.token not in caplog.text
    assert telegram.token.split(":")[1] not in caplog.text
    # Nothing changed, and nothing waits for a forward: one now is only a forward.
    before_forward = len(telegram.sent(user))
    telegram.user_forwards(user, "رسالة", telegram.forwarded_from(telegram.users[READER]))
    await telegram.wait_for(lambda: len(telegram.sent(user)) > before_forward)
    assert telegram.sent(user)[-1].text == text("not_text", language)
    assert await stored(app) == before
    assert telegram.menu(user) == menu
    async with services_of(app).sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 1


async def test_everyone_may_ask_their_id(app: NashraApp, telegram: FakeTelegram) -> None:
    answer: StoredMessage = await say(telegram, READER, "/myid")
    assert answer.text == "رقم حسابك في تيليغرام: 501"
    start = utf16_len("رقم حسابك في تيليغرام: ")
    assert answer.entities == [{"type": "code", "offset": start, "length": 3}]  # a tap copies


async def test_notices_reach_the_admins_the_owners_added(
    app_on_both: NashraApp, telegram: FakeTelegram
) -> None:
    app = app_on_both
    services = services_of(app)
    await say(telegram, READER, "/start")
    await say(telegram, ADMIN, "/admin add 501")
    before = {user: len(telegram.sent(user)) for user in (ADMIN, READER, ENGLISH_READER)}
    await services.notices.feed_disabled("https://news.example.sy/feed", 5, "HTTP 500")
    for user in (ADMIN, READER):  # the owner, and the admin he added
        [notice] = telegram.sent(user)[before[user] :]
        assert "https://news.example.sy/feed" in notice.text
    assert len(telegram.sent(ENGLISH_READER)) == before[ENGLISH_READER]  # a reader: nothing

    # Removed, she hears of the next one no more.
    await say(telegram, ADMIN, "/admin remove 501")
    told = len(telegram.sent(READER))
    await services.notices.channel_lost(-1001, "أخبار", "the bot was removed")
    assert len(telegram.sent(READER)) == told

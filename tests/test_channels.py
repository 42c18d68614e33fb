"""How operators name chats, topics and categories, and what the bot's membership means."""

from __future__ import annotations

import pytest
from telegram import (
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    User,
)

from bot.channels import (
    ChatProblem,
    ChatRef,
    Membership,
    match_categories,
    membership_change,
    parse_chat_ref,
)
from storage.models import Category, ChatKind

BOT = User(7000000001, "Nashra", is_bot=True)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@akhbar_sy", ChatRef("@akhbar_sy")),
        ("akhbar_sy", ChatRef("@akhbar_sy")),
        ("-1001234567890", ChatRef(-1001234567890)),
        ("-١٠٠١٢٣٤", ChatRef(-1001234)),  # Arabic-Indic digits
        ("https://t.me/akhbar_sy", ChatRef("@akhbar_sy")),
        ("t.me/akhbar_sy", ChatRef("@akhbar_sy")),
        ("https://www.t.me/s/akhbar_sy", ChatRef("@akhbar_sy")),
        ("https://telegram.me/akhbar_sy/", ChatRef("@akhbar_sy")),
        # A topic (or a message: dropped unless the chat is a forum) and a message in a topic.
        ("https://t.me/akhbar_sy/45", ChatRef("@akhbar_sy", 45)),
        ("https://t.me/c/1234567890/45", ChatRef(-1001234567890, 45)),
        ("https://t.me/c/1234567890/45/678", ChatRef(-1001234567890, 45)),
        ("https://t.me/c/1234567890/678?thread=45", ChatRef(-1001234567890, 45)),
        ("https://t.me/c/1234567890", ChatRef(-1001234567890)),
        ("https://t.me/+AbCdEf123", ChatProblem.INVITE_LINK),
        ("https://t.me/joinchat/AbCdEf123", ChatProblem.INVITE_LINK),
        ("https://example.com/akhbar_sy", ChatProblem.BAD_REFERENCE),
        ("@ab", ChatProblem.BAD_REFERENCE),  # too short for a username
        ("@أخبار", ChatProblem.BAD_REFERENCE),
        ("https://t.me/akhbar_sy/x", ChatProblem.BAD_REFERENCE),
        ("https://t.me/c/abc/45", ChatProblem.BAD_REFERENCE),
        ("https://t.me/", ChatProblem.BAD_REFERENCE),
        ("http://[::1", ChatProblem.BAD_REFERENCE),
    ],
)
def test_chat_references(typed: str, expected: ChatRef | ChatProblem) -> None:
    assert parse_chat_ref(typed) == expected


def categories() -> list[Category]:
    names = [
        ("سياسة", ["politics", "سياسي"]),
        ("سوريا محلي", ["syria", "محليات"]),
        ("عربي ودولي", ["world", "دولي"]),
        ("اقتصاد", ["economy", "اقتصاد وأعمال"]),
    ]
    return [Category(id=i, name=n, aliases=a, keywords=[]) for i, (n, a) in enumerate(names, 1)]


@pytest.mark.parametrize(
    ("words", "found", "unknown"),
    [
        (["سياسة"], ["سياسة"], []),
        (["سوريا", "محلي", "اقتصاد"], ["سوريا محلي", "اقتصاد"], []),
        (["Politics", "world"], ["سياسة", "عربي ودولي"], []),  # aliases, any case
        (["اقتصاد", "وأعمال"], ["اقتصاد"], []),  # the longest match: one alias of two words
        (["#سوريا_محلي", "#اقتصاد"], ["سوريا محلي", "اقتصاد"], []),
        (["سياسة،اقتصاد"], ["سياسة", "اقتصاد"], []),
        (["السِّياسة"], [], ["السِّياسة"]),  # not a name: normalised, still another word
        (["سياسة", "كرة", "السلة", "اقتصاد", "فلك"], ["سياسة", "اقتصاد"], ["كرة السلة", "فلك"]),
        (["كرة،", "سلة"], [], ["كرة", "سلة"]),
        (["سياسة", "سياسة"], ["سياسة"], []),
        ([], [], []),
    ],
)
def test_categories_by_name_or_alias(
    words: list[str], found: list[str], unknown: list[str]
) -> None:
    named, wrong = match_categories(words, categories())
    assert ([c.name for c in named], wrong) == (found, unknown)


def admin(*, post: bool = True) -> ChatMemberAdministrator:
    rights = dict.fromkeys(
        "can_be_edited is_anonymous can_manage_chat can_delete_messages can_manage_video_chats "
        "can_restrict_members can_promote_members can_change_info can_invite_users "
        "can_post_stories can_edit_stories can_delete_stories".split(),
        False,
    )
    return ChatMemberAdministrator(BOT, can_post_messages=post, **rights)


LEFT, MEMBER, KICKED = ChatMemberLeft(BOT), ChatMemberMember(BOT), ChatMemberBanned(BOT, None)


@pytest.mark.parametrize(
    ("kind", "old", "new", "expected"),
    [
        (ChatKind.CHANNEL, LEFT, admin(), (Membership.CAN_POST, False, None)),
        (ChatKind.CHANNEL, admin(), admin(post=False),
         (Membership.CANNOT_POST, False, ChatProblem.NO_POST_RIGHT)),
        (ChatKind.CHANNEL, admin(), LEFT, (Membership.REMOVED, False, ChatProblem.NOT_ADMIN)),
        (ChatKind.CHANNEL, admin(), KICKED, (Membership.REMOVED, False, ChatProblem.NOT_ADMIN)),
        (ChatKind.CHANNEL, admin(), MEMBER,
         (Membership.CANNOT_POST, False, ChatProblem.NOT_ADMIN)),
        (ChatKind.GROUP, LEFT, MEMBER, (Membership.CAN_POST, False, None)),
        (ChatKind.GROUP, MEMBER, admin(), (Membership.CAN_POST, True, None)),
        (ChatKind.GROUP, admin(), MEMBER, (Membership.CAN_POST, False, None)),
        (ChatKind.GROUP, LEFT, ChatMemberOwner(BOT, False), (Membership.CAN_POST, False, None)),
        (ChatKind.GROUP, MEMBER, KICKED, (Membership.REMOVED, False, ChatProblem.NOT_MEMBER)),
    ],
)  # fmt: skip
def test_what_the_bots_membership_means(
    kind: ChatKind, old: ChatMember, new: ChatMember, expected: object
) -> None:
    assert membership_change(kind, old, new) == expected

"""Channels and groups that carry the news: checking the bot may post there, binding them to
categories (a forum supergroup per topic), listing, editing and removing them, and what the
bot's own membership changes mean (my_chat_member).

Telegram is asked first (getChat, getChatMember of the bot) and its errors become a
`ChatProblem` here; nothing is stored for a chat the bot cannot post in, or for a category
name that does not exist. Every change an operator makes is written to the audit log in the
transaction that makes it. The words are the handlers'; `nashra channel add` shares the
reference parsing and the binding with `/addchannel`.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import (
    Bot,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.admins import Person
from bot.text.arabic import normalise
from bot.text.dates import to_digits
from storage import admins, catalog, channels
from storage.models import Category, Chat, ChatKind, utcnow

logger = logging.getLogger(__name__)

# The audit log's names of the actions.
CHANNEL_ADD = "channel.add"
CHANNEL_BIND = "channel.bind"
CHANNEL_UNBIND = "channel.unbind"
CHANNEL_REMOVE = "channel.remove"
CHANNEL_SUMMARY = "channel.summary"
CHANNEL_LANGUAGES = "channel.languages"
REMOVED_BY_ADMIN = "removed by an admin"
BOT_REMOVED = "the bot was removed from the chat"
CANNOT_POST = "the bot may not post there"
TOPIC_NAME_CHARS = 128  # Telegram's longest topic name
# The summary lengths an operator picks for a binding, by name; «medium» is the bot's own
# SUMMARY_MAX_CHARS (None: the binding follows the setting).
# The languages a binding may take besides Arabic (storage.channels.LATIN: Latin script).
LANGUAGES = channels.LANGUAGES
SUMMARY_LENGTHS: dict[str, int | None] = {"short": 200, "medium": None, "long": 700,
                                           "detailed": 1000}  # fmt: skip

_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}", re.ASCII)
_CHAT_ID = re.compile(r"-?[0-9]{1,19}", re.ASCII)
_LINK_HOSTS = {"t.me", "telegram.me", "telegram.dog"}


# The chats table's columns (Telegram's titles are shorter; an update's text is not trusted).
TITLE_CHARS: int = Chat.__table__.c.title.type.length  # type: ignore[attr-defined]
USERNAME_CHARS: int = Chat.__table__.c.username.type.length  # type: ignore[attr-defined]


def _fit(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else value


class ChatProblem(enum.Enum):
    """Why a chat cannot be bound: each has its explanation of what to do."""

    BAD_REFERENCE = "bad_reference"  # neither @name, nor an id, nor a t.me link
    INVITE_LINK = "invite_link"  # t.me/+…: the bot cannot look a chat up by its invitation
    NOT_FOUND = "not_found"  # no such chat, or the bot is not in it
    PRIVATE = "private"  # a person's chat, not a channel or a group
    NOT_ADMIN = "not_admin"  # a channel where the bot is not an administrator
    NO_POST_RIGHT = "no_post_right"  # an administrator of the channel without "Post messages"
    NOT_MEMBER = "not_member"  # a group the bot is not in (left or removed)
    MUTED = "muted"  # a group where the bot may not send messages
    TELEGRAM = "telegram"  # Telegram did not answer, or answered something else


@dataclass(frozen=True)
class ChatRef:
    """A chat as an operator names it: an id or an @username, and a forum topic maybe."""

    chat: int | str
    thread_id: int | None = None


@dataclass(frozen=True)
class ChatFacts:
    """What Telegram says of a chat and of the bot in it."""

    id: int
    kind: ChatKind
    title: str | None
    username: str | None
    is_forum: bool = False
    manages_topics: bool = False  # the bot may create topics (can_manage_topics)


@dataclass(frozen=True)
class Check:
    facts: ChatFacts | None
    problem: ChatProblem | None = None
    detail: str | None = None  # Telegram's words, for ChatProblem.TELEGRAM


@dataclass(frozen=True)
class BoundCategory:
    name: str
    thread_id: int | None
    summary_chars: int | None = None  # None: the bot's SUMMARY_MAX_CHARS
    languages: tuple[str, ...] = ()  # besides Arabic (storage.channels.LANGUAGES)
    category_id: int | None = None

    @classmethod
    def of(cls, binding: channels.Binding) -> BoundCategory:
        return cls(binding.name, binding.thread_id, binding.summary_chars, binding.languages,
                   binding.category_id)  # fmt: skip


@dataclass(frozen=True)
class BindingSettings:
    """One binding of a chat as its settings screen shows it."""

    card: ChannelCard
    category_id: int
    name: str
    summary_chars: int | None  # None: `default_chars`
    languages: tuple[str, ...]  # besides Arabic
    default_chars: int  # the bot's SUMMARY_MAX_CHARS


@dataclass(frozen=True)
class ChannelCard:
    """A channel or group as /channels shows it."""

    id: int
    kind: ChatKind
    title: str | None
    username: str | None
    active: bool
    reason: str | None  # why it is inactive
    bindings: list[BoundCategory]
    sent: int
    last_error: str | None


@dataclass(frozen=True)
class AddResult:
    """What /addchannel did: the problem, or the card of the chat as it is now bound."""

    problem: ChatProblem | None = None
    detail: str | None = None
    unknown: list[str] = field(default_factory=list)
    card: ChannelCard | None = None
    created_topics: list[str] = field(default_factory=list)  # topics the bot made
    general_topic: bool = False  # a forum bound without topics (the bot cannot make them)
    choose: bool = False  # no category named: the operator picks them with buttons


@dataclass(frozen=True)
class Toggle:
    """A category button pressed for a chat: the card after it, or why nothing changed."""

    card: ChannelCard | None
    category: str | None = None
    bound: bool = False
    problem: ChatProblem | None = None


class Membership(enum.Enum):
    """What the bot's new membership in a channel or group means."""

    CAN_POST = "can_post"
    CANNOT_POST = "cannot_post"  # an admin without the post right, or a muted member
    REMOVED = "removed"


@dataclass(frozen=True)
class MembershipNews:
    """A change in the bot's membership, as the operators are told of it."""

    change: Membership
    facts: ChatFacts
    promoted: bool  # it could already post, and now is an administrator
    problem: ChatProblem | None  # why it cannot post, when it cannot
    bindings: list[BoundCategory]  # the categories it keeps (posting resumes with them)


def parse_chat_ref(text: str) -> ChatRef | ChatProblem:
    """@name, name, -100… (Arabic-Indic digits too), or a t.me link: of a channel or group
    (t.me/name), of a private chat's message (t.me/c/123/45) or of a forum topic
    (t.me/c/123/45, t.me/name/45, …/45/678 or ?thread=45)."""
    raw = to_digits(text.strip(), "latn")
    if _CHAT_ID.fullmatch(raw):
        return ChatRef(int(raw))
    if raw.startswith("@"):
        return ChatRef(raw) if _USERNAME.fullmatch(raw[1:]) else ChatProblem.BAD_REFERENCE
    link = raw if "://" in raw else f"https://{raw}"
    try:
        parts = urlsplit(link)
    except ValueError:
        return ChatProblem.BAD_REFERENCE
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host not in _LINK_HOSTS:
        return ChatRef(f"@{raw}") if _USERNAME.fullmatch(raw) else ChatProblem.BAD_REFERENCE
    path = [piece for piece in parts.path.split("/") if piece]
    if not path:
        return ChatProblem.BAD_REFERENCE
    if path[0].startswith("+") or path[0] == "joinchat":
        return ChatProblem.INVITE_LINK
    if path[0] == "s":  # the web preview of a public channel
        path = path[1:]
    numbers = path[2:] if path and path[0] == "c" else path[1:]
    if not all(n.isdigit() for n in numbers) or len(numbers) > 2:
        return ChatProblem.BAD_REFERENCE
    thread = parse_qs(parts.query).get("thread", [None])[0]
    thread_id = int(thread) if thread and thread.isdigit() else None
    if thread_id is None and numbers:
        # t.me/…/45 is the topic 45, or a message (dropped unless the chat is a forum);
        # …/45/678 is the message 678 in the topic 45.
        thread_id = int(numbers[0])
    if path[0] == "c":
        if len(path) < 2 or not path[1].isdigit():
            return ChatProblem.BAD_REFERENCE
        return ChatRef(int(f"-100{path[1]}"), thread_id)
    if not _USERNAME.fullmatch(path[0]):
        return ChatProblem.BAD_REFERENCE
    return ChatRef(f"@{path[0]}", thread_id)


def kind_of(chat_type: str) -> ChatKind:
    if chat_type == ChatType.CHANNEL:
        return ChatKind.CHANNEL
    return ChatKind.PRIVATE if chat_type == ChatType.PRIVATE else ChatKind.GROUP


def may_post(kind: ChatKind, member: ChatMember) -> ChatProblem | None:
    """Whether the bot, as this member of the chat, may post there; why not."""
    if kind is ChatKind.CHANNEL:
        if isinstance(member, ChatMemberOwner):
            return None
        if isinstance(member, ChatMemberAdministrator):
            return None if member.can_post_messages else ChatProblem.NO_POST_RIGHT
        return ChatProblem.NOT_ADMIN
    if isinstance(member, ChatMemberOwner | ChatMemberAdministrator | ChatMemberMember):
        return None
    if isinstance(member, ChatMemberRestricted):
        if not member.is_member:
            return ChatProblem.NOT_MEMBER
        return None if member.can_send_messages else ChatProblem.MUTED
    return ChatProblem.NOT_MEMBER


def membership_change(
    kind: ChatKind, old: ChatMember, new: ChatMember
) -> tuple[Membership, bool, ChatProblem | None]:
    """What a my_chat_member update means: whether the bot may post now (why not), and
    whether it was made an administrator where it could post already (a group's member)."""
    problem = may_post(kind, new)
    if problem is None:
        promoted = (
            may_post(kind, old) is None
            and isinstance(new, ChatMemberAdministrator)
            and not isinstance(old, ChatMemberAdministrator)
        )
        return Membership.CAN_POST, promoted, None
    if new.status in (ChatMember.LEFT, ChatMember.BANNED) or problem is ChatProblem.NOT_MEMBER:
        return Membership.REMOVED, False, problem
    return Membership.CANNOT_POST, False, problem


def manages_topics(member: ChatMember) -> bool:
    return isinstance(member, ChatMemberOwner) or (
        isinstance(member, ChatMemberAdministrator) and bool(member.can_manage_topics)
    )


def words_of(names: Sequence[str]) -> list[str]:
    """The words an operator typed after the chat: "،" and "," separate names too, and a
    hashtag (#سوريا_محلي) is the name it stands for."""
    joined = " ".join(names).replace("،", ",")
    words: list[str] = []
    for piece in joined.split(","):
        words.extend(piece.split())
        words.append(",")
    return [w.lstrip("#").replace("_", " ") if w.startswith("#") else w for w in words]


def match_categories(
    names: Sequence[str], categories: Sequence[Category]
) -> tuple[list[Category], list[str]]:
    """The categories the words name, by name or alias, the longest match first (a name may
    have several words: «سوريا محلي»); and the words that name none."""
    by_label: dict[str, Category] = {}
    for category in categories:
        for label in (*category.aliases, category.name):
            if key := normalise(label):
                by_label.setdefault(key, category)
    by_label |= {normalise(c.name): c for c in categories if normalise(c.name)}
    words = words_of(names)
    found: list[Category] = []
    unknown: list[str] = []
    pending: list[str] = []  # unknown words in a row: one unknown name
    index = 0
    while index < len(words):
        if words[index] == ",":
            if pending:
                unknown.append(" ".join(pending))
                pending = []
            index += 1
            continue
        for end in range(len(words), index, -1):
            phrase = words[index:end]
            if "," in phrase:
                continue
            named = by_label.get(normalise(" ".join(phrase)))
            if named is not None:
                if pending:
                    unknown.append(" ".join(pending))
                    pending = []
                if named not in found:
                    found.append(named)
                index = end
                break
        else:
            pending.append(words[index])
            index += 1
    if pending:
        unknown.append(" ".join(pending))
    return found, unknown


async def bind_chat(
    session: AsyncSession,
    facts: ChatFacts,
    categories: Sequence[Category],
    threads: dict[int, int | None],
) -> None:
    """Store the chat (active again) and bind it to the categories, each in its topic."""
    await _store_chat(session, facts)
    for category in categories:
        await channels.bind(session, facts.id, [category], threads.get(category.id))


async def _store_chat(session: AsyncSession, facts: ChatFacts) -> None:
    title, username = _fit(facts.title, TITLE_CHARS), _fit(facts.username, USERNAME_CHARS)
    await catalog.upsert_chat(session, facts.id, facts.kind, title=title, username=username)


def _state(chat: Chat | ChatFacts | None, bound: Sequence[BoundCategory]) -> dict[str, Any] | None:
    """A chat as the audit log keeps it, before or after a change."""
    if chat is None:
        return None
    return {"chat_id": chat.id, "title": chat.title, "categories": [_bound(b) for b in bound]}


def _bound(binding: BoundCategory) -> dict[str, Any]:
    """A binding as the audit log keeps it: what it has besides its category."""
    kept: dict[str, Any] = {"category": binding.name}
    if binding.thread_id:
        kept["topic"] = binding.thread_id
    if binding.summary_chars is not None:
        kept["summary_chars"] = binding.summary_chars
    if binding.languages:
        kept["languages"] = list(binding.languages)
    return kept


class ChannelService:
    """The channels and groups, as the operators' console manages them."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bot: Bot,
        *,
        clock: Callable[[], datetime] = utcnow,
        summary_chars: int = 400,
    ) -> None:
        self.sessions = sessions
        self.bot = bot
        self.clock = clock
        self.summary_chars = summary_chars  # the bot's SUMMARY_MAX_CHARS, «medium»

    # ------------------------------------------------------------------ Telegram

    async def check(self, chat: int | str) -> Check:
        """Ask Telegram for the chat and for the bot's rights in it."""
        try:
            found = await self.bot.get_chat(chat)
            if found.type == ChatType.PRIVATE:
                return Check(None, ChatProblem.PRIVATE)
            member = await self.bot.get_chat_member(found.id, self.bot.id)
        except Forbidden as exc:  # "bot is not a member of the channel chat", "was kicked …"
            channel = "channel" in exc.message.lower()
            return Check(None, ChatProblem.NOT_ADMIN if channel else ChatProblem.NOT_MEMBER)
        except BadRequest as exc:
            if "not found" in exc.message.lower():
                return Check(None, ChatProblem.NOT_FOUND)
            return Check(None, ChatProblem.TELEGRAM, exc.message)
        except TelegramError as exc:
            logger.warning("could not look up chat %s: %s", chat, exc)
            return Check(None, ChatProblem.TELEGRAM, str(exc))
        kind = kind_of(found.type)
        facts = ChatFacts(
            found.id, kind, found.title, found.username, bool(found.is_forum),
            manages_topics(member),
        )  # fmt: skip
        return Check(facts, may_post(kind, member))

    async def _create_topic(self, chat_id: int, name: str) -> int | None:
        try:
            topic = await self.bot.create_forum_topic(chat_id, name[:TOPIC_NAME_CHARS])
        except TelegramError as exc:
            logger.warning("could not create the topic %r in %s: %s", name, chat_id, exc)
            return None
        return topic.message_thread_id

    async def _topics(
        self, facts: ChatFacts, categories: Sequence[Category], kept: dict[int, int | None]
    ) -> tuple[dict[int, int | None], list[str]]:
        """A topic per category in a forum where the bot may make them: the one a binding
        has already, else a new topic named after the category."""
        threads: dict[int, int | None] = {}
        created: list[str] = []
        for category in categories:
            thread = kept.get(category.id)
            if thread is None and facts.is_forum and facts.manages_topics:
                thread = await self._create_topic(facts.id, category.name)
                if thread is not None:
                    created.append(category.name)
            threads[category.id] = thread
        return threads, created

    # ------------------------------------------------------------------ the operators

    async def add(self, actor: Person, reference: str | ChatRef, names: Sequence[str]) -> AddResult:
        """/addchannel: check the chat and the bot's rights, then bind the named categories
        (in the topic the link names; in a forum, else a topic each when the bot may make
        them). Nothing is stored when something is wrong."""
        ref = parse_chat_ref(reference) if isinstance(reference, str) else reference
        if isinstance(ref, ChatProblem):
            return AddResult(ref)
        async with self.sessions() as session:
            found, unknown = match_categories(names, await catalog.all_categories(session))
        if unknown:
            return AddResult(unknown=unknown)
        checked = await self.check(ref.chat)
        if checked.facts is None or checked.problem is not None:
            return AddResult(checked.problem, checked.detail)
        facts = checked.facts
        thread = ref.thread_id if facts.is_forum else None  # else a message's link
        async with self.sessions() as session:
            before = await channels.bindings(session, facts.id)
        kept = {b.category_id: b.thread_id for b in before}
        if thread is not None:
            threads: dict[int, int | None] = {c.id: thread for c in found}
            created: list[str] = []
        else:
            threads, created = await self._topics(facts, found, kept)
        async with self.sessions.begin() as session:
            stored = await session.get(Chat, facts.id)
            old = _state(stored, [BoundCategory.of(b) for b in before])
            await bind_chat(session, facts, found, threads)
            card = await self._card(session, facts.id)
            assert card is not None
            await self._record(session, actor, CHANNEL_ADD, old, _state(facts, card.bindings))
        general = facts.is_forum and thread is None and any(threads[c.id] is None for c in found)
        return AddResult(
            card=card, created_topics=created, general_topic=general, choose=not card.bindings
        )

    async def overview(self) -> list[ChannelCard]:
        """Every channel and group, with its bindings, posts sent and latest error."""
        cards = []
        async with self.sessions() as session:
            chats = await channels.listed(session)
            counts = await channels.sent_counts(session, [c.id for c in chats])
            for chat in chats:
                if (card := await self._card(session, chat.id, chat, counts)) is not None:
                    cards.append(card)
        return cards

    async def card(self, chat_id: int) -> ChannelCard | None:
        """The chat as /channels lists it; None when it is not listed (unknown, or removed)."""
        async with self.sessions() as session:
            card = await self._card(session, chat_id)
        return card if card is not None and (card.active or card.bindings) else None

    async def categories(self) -> Sequence[Category]:
        async with self.sessions() as session:
            return await catalog.all_categories(session)

    async def toggle(self, actor: Person, chat_id: int, category_id: int) -> Toggle:
        """A category button: bind the chat to it, or unbind it. A chat not stored yet (just
        joined) or inactive is checked with Telegram first."""
        async with self.sessions() as session:
            chat = await session.get(Chat, chat_id)
            category = await session.get(Category, category_id)
            before = await channels.bindings(session, chat_id)
        if category is None:
            return Toggle(await self.card(chat_id), problem=None)
        bound = any(b.category_id == category_id for b in before)
        threads: dict[int, int | None] = {}
        facts: ChatFacts | None = None
        if not bound:
            checked = await self.check(chat_id)
            if checked.facts is None or checked.problem is not None:
                return Toggle(await self.card(chat_id), problem=checked.problem)
            facts = checked.facts
            threads, _ = await self._topics(facts, [category], {})
        async with self.sessions.begin() as session:
            old = _state(chat, [BoundCategory.of(b) for b in before])
            if bound:
                await channels.unbind(session, chat_id, [category_id])
            else:
                assert facts is not None
                await bind_chat(session, facts, [category], threads)
            card = await self._card(session, chat_id)
            assert card is not None
            action = CHANNEL_UNBIND if bound else CHANNEL_BIND
            await self._record(session, actor, action, old, _state(facts or chat, card.bindings))
        return Toggle(card, category.name, not bound)

    async def remove(self, actor: Person, chat_id: int) -> ChannelCard | None:
        """Stop posting in the chat and forget its bindings; the card it had, or None."""
        async with self.sessions.begin() as session:
            card = await self._card(session, chat_id)
            chat = await session.get(Chat, chat_id)
            if card is None or chat is None:
                return None
            bound = list(card.bindings)
            before = _state(chat, bound)
            # Written first and counted: another admin's removal at the same moment leaves
            # this one nothing to unbind or stop, and it is told the chat is gone.
            unbound = await channels.unbind_all(session, chat_id)
            if not await channels.stop_posting(session, chat_id) and not unbound:
                return None
            await catalog.deactivate_chat(session, chat_id, REMOVED_BY_ADMIN)
            await self._record(session, actor, CHANNEL_REMOVE, before, None)
        return card

    async def binding(self, chat_id: int, category_id: int) -> BindingSettings | None:
        """One binding's settings screen; None when the chat or the binding is gone."""
        async with self.sessions() as session:
            return await self._binding(session, chat_id, category_id)

    async def set_length(
        self, actor: Person, chat_id: int, category_id: int, chars: int | None
    ) -> BindingSettings | None:
        """Give the binding its own summary length (None: the bot's); None when the binding
        is gone or the length is out of bounds (a forged button)."""
        if (
            chars is not None
            and not channels.SUMMARY_CHARS_MIN <= chars <= channels.SUMMARY_CHARS_MAX
        ):
            return None
        return await self._change(
            actor, chat_id, category_id, CHANNEL_SUMMARY,
            lambda session, _: channels.set_summary_chars(session, chat_id, category_id, chars),
        )  # fmt: skip

    async def toggle_language(
        self, actor: Person, chat_id: int, category_id: int, code: str
    ) -> BindingSettings | None:
        """Take that language in the binding too, or stop taking it (Arabic is always taken);
        None when the binding is gone or the code unknown."""
        if code not in channels.LANGUAGES:
            return None

        async def toggle(session: AsyncSession, languages: tuple[str, ...]) -> bool:
            wanted = set(languages) ^ {code}
            return await channels.set_languages(session, chat_id, category_id, wanted)

        return await self._change(actor, chat_id, category_id, CHANNEL_LANGUAGES, toggle)

    async def _change(
        self,
        actor: Person,
        chat_id: int,
        category_id: int,
        action: str,
        change: Callable[[AsyncSession, tuple[str, ...]], Awaitable[bool]],
    ) -> BindingSettings | None:
        """Change one binding's settings and audit it, in one transaction."""
        async with self.sessions.begin() as session:
            before = await self._binding(session, chat_id, category_id)
            if before is None or not await change(session, before.languages):
                return None
            after = await self._binding(session, chat_id, category_id)
            assert after is not None
            chat = await session.get(Chat, chat_id)
            await self._record(
                session, actor, action, _state(chat, before.card.bindings),
                _state(chat, after.card.bindings),
            )  # fmt: skip
        return after

    async def membership(
        self, facts: ChatFacts, old: ChatMember, new: ChatMember
    ) -> MembershipNews:
        """The bot's membership changed: a chat it left, or may no longer post in, is
        deactivated (no more posts planned); one it may post in again resumes with its
        bindings. Not an operator's action: not audited."""
        change, promoted, problem = membership_change(facts.kind, old, new)
        async with self.sessions.begin() as session:
            chat = await session.get(Chat, facts.id)
            if chat is not None:
                if change is Membership.CAN_POST:
                    await _store_chat(session, facts)
                else:
                    reason = BOT_REMOVED if change is Membership.REMOVED else CANNOT_POST
                    await catalog.deactivate_chat(session, facts.id, reason)
            bound = [BoundCategory.of(b)
                     for b in await channels.bindings(session, facts.id)]  # fmt: skip
        return MembershipNews(change, facts, promoted, problem, bound)

    # ------------------------------------------------------------------ helpers

    async def _card(
        self,
        session: AsyncSession,
        chat_id: int,
        chat: Chat | None = None,
        counts: dict[int, int] | None = None,
    ) -> ChannelCard | None:
        chat = chat or await session.get(Chat, chat_id)
        if chat is None or chat.kind is ChatKind.PRIVATE:
            return None
        if counts is None:
            counts = await channels.sent_counts(session, [chat_id])
        bound = [BoundCategory.of(b)
                 for b in await channels.bindings(session, chat_id)]  # fmt: skip
        return ChannelCard(
            chat.id, chat.kind, chat.title, chat.username, chat.active,
            chat.deactivated_reason, bound, counts.get(chat_id, 0),
            await channels.last_error(session, chat_id),
        )  # fmt: skip

    async def _binding(
        self, session: AsyncSession, chat_id: int, category_id: int
    ) -> BindingSettings | None:
        card = await self._card(session, chat_id)
        if card is None:
            return None
        found = [
            b for b in await channels.bindings(session, chat_id) if b.category_id == category_id
        ]
        if not found:
            return None
        binding = found[0]
        return BindingSettings(
            card, category_id, binding.name, binding.summary_chars, binding.languages,
            self.summary_chars,
        )  # fmt: skip

    async def _record(
        self, session: AsyncSession, actor: Person, action: str, before: Any, after: Any
    ) -> None:
        await admins.record(
            session, actor_id=actor.user_id, actor_name=actor.name, action=action,
            before=before, after=after, at=self.clock(),
        )  # fmt: skip

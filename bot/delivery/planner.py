"""Who gets an article: planned in bulk, in the transaction that stores the article.

The audience of an article is every active chat following one of its categories (channels,
groups and readers), plus every reader with a keyword alert that the article matches, minus
the readers who muted a word in it. Readers in a digest mode get the row held for the digest.
An article that is not Arabic (Persian, Urdu, Hebrew, English in an Arabic section) goes only
to the channel and group bindings that take its language; readers and alerts get Arabic only.
An article that tells a story again (another outlet's copy) does not go to a chat that has the
story: there the earlier post is marked for an edit that names the other outlets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.text.keywords import keyword_term as keyword_term
from storage import channels, outbox, readers, stories
from storage.models import ChatKind, DeliveryMode, DeliveryStatus

# Channels and groups go before people in the outbox (lower priority sends first).
PRIORITY = {ChatKind.CHANNEL: 0, ChatKind.GROUP: 0, ChatKind.PRIVATE: 1}


@dataclass(frozen=True)
class NewArticle:
    id: int
    categories: Sequence[int]
    terms: str  # index_terms of title and text, space-separated
    language: str | None = "ar"  # detect_language's code; only bindings taking it get others
    story: int | None = None  # the first article of the story it tells again, if any

    @property
    def script(self) -> str:
        """The language as bindings name it: detect_language's None (Latin or another
        script) is channels.LATIN."""
        return self.language or channels.LATIN


class _KeywordIndex:
    """Terms → chats, answering which chats' keywords an article's terms contain."""

    def __init__(self, rows: Sequence[tuple[int, str]]) -> None:
        self.single: dict[str, set[int]] = {}
        self.phrases: dict[str, set[int]] = {}
        for chat_id, term in rows:
            table = self.phrases if " " in term else self.single
            table.setdefault(term, set()).add(chat_id)

    def __bool__(self) -> bool:
        return bool(self.single or self.phrases)

    def chats(self, terms: str, words: set[str]) -> set[int]:
        found: set[int] = set()
        for term in words & self.single.keys():
            found |= self.single[term]
        if self.phrases:
            text = f" {terms} "
            for phrase, chats in self.phrases.items():
                if f" {phrase} " in text:
                    found |= chats
        return found


@dataclass(frozen=True)
class Keywords:
    """Every active reader's keyword alerts and mutes, loaded once per poll."""

    alerts: _KeywordIndex
    mutes: _KeywordIndex

    @classmethod
    async def load(cls, session: AsyncSession) -> Keywords:
        rows = await readers.all_keywords(session)
        return cls(
            _KeywordIndex([(chat, term) for chat, term, mute in rows if not mute]),
            _KeywordIndex([(chat, term) for chat, term, mute in rows if mute]),
        )


async def plan_deliveries(
    session: AsyncSession,
    articles: Sequence[NewArticle],
    now: datetime,
    keywords: Keywords | None = None,
) -> int:
    """Stage one delivery per (article, chat in its audience); return how many."""
    if not articles:
        return 0
    followers = await channels.followers(
        session, {category for article in articles for category in article.categories}
    )
    by_category: dict[int, list[channels.Follower]] = {}
    for follower in followers:
        by_category.setdefault(follower.category_id, []).append(follower)
    if keywords is None:
        keywords = await Keywords.load(session)
    alerts, mutes = keywords.alerts, keywords.mutes

    audiences: list[tuple[int, dict[int, ChatKind]]] = []
    threads: dict[tuple[int, int], int] = {}
    lengths: dict[tuple[int, int], int] = {}
    for article in articles:
        arabic = article.script == "ar"
        # The bindings that take the article: every one for Arabic, else a channel's or a
        # group's that asks for its language (a reader's never does).
        taking = [
            follower
            for category in article.categories
            for follower in by_category.get(category, ())
            if arabic or (follower.kind is not ChatKind.PRIVATE and follower.takes(article.script))
        ]
        audience = {follower.chat_id: follower.kind for follower in taking}
        if arabic and (alerts or mutes):
            words = set(article.terms.split())
            for chat_id in alerts.chats(article.terms, words):
                audience.setdefault(chat_id, ChatKind.PRIVATE)
            for chat_id in mutes.chats(article.terms, words):
                if audience.get(chat_id) is ChatKind.PRIVATE:
                    del audience[chat_id]
        audiences.append((article.id, audience))
        # One post per chat: a forum gets it in the topic of the article's first category
        # that the chat binds to a topic, with the summary length of its first category that
        # has one (taking is in the article's order of categories: the first one wins).
        for follower in reversed(taking):
            if follower.thread_id is not None:
                threads[article.id, follower.chat_id] = follower.thread_id
            if follower.summary_chars is not None:
                lengths[article.id, follower.chat_id] = follower.summary_chars

    await _once_per_story(session, articles, audiences, now)
    people = {chat for _, audience in audiences for chat, kind in audience.items()
              if kind is ChatKind.PRIVATE}  # fmt: skip
    modes = await readers.chat_modes(session, people)
    rows = [
        (
            article_id,
            chat_id,
            PRIORITY[kind],
            DeliveryStatus.PENDING
            if modes.get(chat_id, DeliveryMode.INSTANT) is DeliveryMode.INSTANT
            else DeliveryStatus.HELD,
        )
        for article_id, audience in audiences
        for chat_id, kind in audience.items()
    ]
    await outbox.plan(session, rows, now, threads=threads, lengths=lengths)
    return len(rows)


async def _once_per_story(
    session: AsyncSession,
    articles: Sequence[NewArticle],
    audiences: list[tuple[int, dict[int, ChatKind]]],
    now: datetime,
) -> None:
    """Take out of each audience the chats that have the article's story already (stored
    before, or planned in this very call), and mark their post for an edit."""
    told = [article for article in articles if article.story is not None]
    if not told:
        return
    chats = {chat for article, (_, audience) in zip(articles, audiences, strict=True)
             if article.story is not None for chat in audience}  # fmt: skip
    having = await stories.chats_with(session, {a.story for a in told if a.story}, chats)
    planned: dict[int, set[int]] = {}  # story → chats planned a post of it in this call
    edits: list[int] = []
    for article, (_, audience) in zip(articles, audiences, strict=True):
        story = article.story or article.id
        before = having.get(story, {})
        this_call = planned.setdefault(story, set())
        for chat_id in list(audience):
            if chat_id in this_call:
                del audience[chat_id]  # the post planned just now will name this outlet too
            elif (earlier := before.get(chat_id)) is None:
                continue
            elif earlier.article_id == article.id:
                continue  # the chat has this very article: its row stays the one row
            else:
                del audience[chat_id]
                if earlier.status is not DeliveryStatus.HELD:
                    edits.append(earlier.delivery_id)
        this_call.update(audience)
    await stories.request_edits(session, edits, now)

"""The news domain as tables: feeds, articles, categories, chats and the delivery outbox."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Double,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _values(enum_class: type[enum.Enum]) -> list[str]:
    """Store enums by their lower-case value, not their Python name."""
    return [str(member.value) for member in enum_class]


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Lengths of the columns that take text from feeds and their servers: the poller checks
# values against them before writing (PostgreSQL refuses a longer value, and with it the
# whole transaction).
LINK_CHARS = 2000
DOMAIN_CHARS = 255
LANGUAGE_CHARS = 8
ETAG_CHARS = 500
LAST_MODIFIED_CHARS = 100
FEED_NAME_CHARS = 200
CATEGORY_NAME_CHARS = 100
# A person as Telegram names them: first and last name (64 characters each in Telegram's
# clients, but whatever an update carries is cut to the column), and a username.
PERSON_NAME_CHARS = 255
USERNAME_CHARS = 64
AUDIT_ACTION_CHARS = 64


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), int: Integer()}


feed_categories = Table(
    "feed_categories",
    Base.metadata,
    Column("feed_id", ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)

article_categories = Table(
    "article_categories",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
    # The newest articles of a category, however rare, in one index walk (/latest).
    Index("ix_article_categories_category_article", "category_id", "article_id"),
)


class Category(Base):
    """A news category such as سياسة; its aliases map feed labels onto it."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(CATEGORY_NAME_CHARS), unique=True)
    # Normalised feed labels (<category> texts) that mean this category.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Normalised words; an article whose headline or text contains one joins the category.
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feed(Base):
    """An RSS or Atom feed that is polled on its own schedule."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(LINK_CHARS), unique=True)
    name: Mapped[str | None] = mapped_column(String(FEED_NAME_CHARS))
    etag: Mapped[str | None] = mapped_column(String(ETAG_CHARS))
    last_modified: Mapped[str | None] = mapped_column(String(LAST_MODIFIED_CHARS))
    # Hash of the last body parsed: an unchanged body is not parsed again even without a 304.
    body_hash: Mapped[str | None] = mapped_column(String(64))
    poll_interval_seconds: Mapped[int | None] = mapped_column()
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_polled_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    # False until the first successful poll: that poll records entries without posting them.
    primed: Mapped[bool] = mapped_column(Boolean, default=False)
    error_count: Mapped[int] = mapped_column(default=0)
    # Failed polls in a row that were our fault (database, parser), counted apart from the
    # feed's own failures, with their own limit.
    internal_error_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Paused by an operator (/feeds): not polled until resumed. Apart from `disabled`, which
    # the poller sets after too many failures in a row.
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the current run of failed polls began; None while the feed works.
    failing_since: Mapped[datetime | None] = mapped_column()

    categories: Mapped[list[Category]] = relationship(secondary=feed_categories, lazy="selectin")


class Article(Base):
    """One news item as fetched from a feed."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("feed_id", "key", name="uq_articles_feed_key"),
        # The newest articles of a source in one index walk (latest headlines of @source).
        Index("ix_articles_source_domain_id", "source_domain", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    canonical_link: Mapped[str | None] = mapped_column(String(LINK_CHARS), unique=True)
    link: Mapped[str | None] = mapped_column(String(LINK_CHARS))
    original_title: Mapped[str] = mapped_column(Text)
    headline: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    source_domain: Mapped[str] = mapped_column(String(DOMAIN_CHARS))
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_CHARS))
    published_at: Mapped[datetime] = mapped_column(index=True)
    fetched_at: Mapped[datetime] = mapped_column(index=True)  # /stats counts by it
    # The entry's picture (media:content, media:thumbnail, an image enclosure, the first <img>
    # of its content, else the fetched page's og:image): the post is sent as a photo with it.
    image_url: Mapped[str | None] = mapped_column(String(LINK_CHARS))
    # True when `text` is the article page's main text, fetched because the feed's was thin.
    # (The server's default only: an INSERT names no column it was not given, so the tests that
    # write at an older revision of the schema still can.)
    full_text: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Why the page was not used when it was wanted (a fetch error, no main text), or None.
    page_error: Mapped[str | None] = mapped_column(Text)
    # The same-story check's fingerprint (bot.news.stories.Fingerprint.to_bytes); None for
    # articles stored before the check existed.
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The first article of the story this one tells again (another outlet's copy), or None:
    # a story is its first article and every article whose story_id names it.
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )

    categories: Mapped[list[Category]] = relationship(secondary=article_categories, lazy="selectin")


class SearchTerm(Base):
    """How many articles have a search term: a query's common words (the archive's own
    stopwords) are told apart by it. Kept by storage/search.py as articles are stored."""

    __tablename__ = "search_terms"
    __table_args__ = (
        # The completions of a half-typed word: a range walk of the terms, their df at hand
        # (PostgreSQL compares by the database's collation unless told text_pattern_ops).
        Index("ix_search_terms_prefix", "term", "df", postgresql_ops={"term": "text_pattern_ops"}),
    )

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    df: Mapped[int] = mapped_column(default=0)


class SearchTitle(Base):
    """What a search ranks an article by, in a row small enough to read a thousand of at
    once: its publish time (POSIX seconds) and the distinct terms of its title, space-joined
    with a space at each end (so that `' term '` and `' prefix'` find whole words and word
    starts). Written with the article's index entry by storage/search.py."""

    __tablename__ = "search_titles"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    published: Mapped[float] = mapped_column(Double)
    terms: Mapped[str] = mapped_column(Text, default=" ")


class FeedEntry(Base):
    """A feed's entry whose article was stored from another entry: another feed's copy of
    the story, or the same link under another key. Remembered so that it is handled once."""

    __tablename__ = "feed_entries"

    feed_id: Mapped[int] = mapped_column(
        ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )


class ChatKind(enum.StrEnum):
    CHANNEL = "channel"
    GROUP = "group"
    PRIVATE = "private"


class DeliveryMode(enum.StrEnum):
    INSTANT = "instant"  # every article as it comes
    HOURLY = "hourly"  # one digest an hour
    DAILY = "daily"  # one digest a day, at digest_hour


class Chat(Base):
    """A Telegram chat that receives posts: a channel, a group or a reader's private chat.

    The reader's preferences (language, delivery mode, quiet hours, time zone) live here too;
    channels keep the defaults.
    """

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[ChatKind] = mapped_column(
        Enum(ChatKind, native_enum=False, length=16, values_callable=_values)
    )
    title: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))  # None: the bot's TIMEZONE
    delivery_mode: Mapped[DeliveryMode] = mapped_column(
        Enum(DeliveryMode, native_enum=False, length=16, values_callable=_values),
        default=DeliveryMode.INSTANT,
        server_default=DeliveryMode.INSTANT.value,
    )
    digest_hour: Mapped[int] = mapped_column(default=8, server_default="8")
    # Minutes after local midnight; both None: no quiet hours. The window may wrap midnight.
    quiet_start: Mapped[int | None] = mapped_column()
    quiet_end: Mapped[int | None] = mapped_column()
    last_digest_at: Mapped[datetime | None] = mapped_column()


class Keyword(Base):
    """A word a reader follows (alert) or mutes, whatever the category."""

    __tablename__ = "keywords"
    __table_args__ = (UniqueConstraint("chat_id", "term", "mute", name="uq_keywords_chat_term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"), index=True
    )
    word: Mapped[str] = mapped_column(String(100))  # as the reader typed it
    term: Mapped[str] = mapped_column(String(200))  # normalised, stemmed: what is matched
    mute: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    """A chat follows a category: a channel's binding or a reader's subscription."""

    __tablename__ = "subscriptions"

    chat_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True,
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A forum supergroup's topic that takes this category's posts; None: the chat itself.
    message_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # A channel binding's own summary length in characters; None: SUMMARY_MAX_CHARS.
    summary_chars: Mapped[int | None] = mapped_column()
    # Languages besides Arabic that a binding takes (storage.channels.LANGUAGES: "fa", "ur",
    # "he", "latn" for Latin script); None or []: Arabic only.
    languages: Mapped[list[str] | None] = mapped_column(JSON)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # Telegram rejected the message: recorded, never retried
    DEAD = "dead"  # retries exhausted
    DROPPED = "dropped"  # the chat went away before the send
    HELD = "held"  # waits for the reader's next digest


class BroadcastState(enum.StrEnum):
    DRAFT = "draft"  # previewed, waiting for the author's «إرسال» or «إلغاء»
    SENT = "sent"  # confirmed: its deliveries are planned
    CANCELLED = "cancelled"


class Broadcast(Base):
    """An operator's message to every active reader (/broadcast), in Telegram HTML."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(BigInteger)
    author_name: Mapped[str | None] = mapped_column(String(PERSON_NAME_CHARS))
    state: Mapped[BroadcastState] = mapped_column(
        Enum(BroadcastState, native_enum=False, length=16, values_callable=_values),
        default=BroadcastState.DRAFT,
    )
    readers: Mapped[int] = mapped_column(default=0)  # deliveries planned when it was sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class Delivery(Base):
    """The outbox: the intent to send one article, or one broadcast, to one chat, stored
    before any send."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("article_id", "chat_id", name="uq_deliveries_article_chat"),
        UniqueConstraint("broadcast_id", "chat_id", name="uq_deliveries_broadcast_chat"),
        CheckConstraint("(article_id IS NULL) <> (broadcast_id IS NULL)", name="one_subject"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        # Deactivating, stopping or switching one chat touches only that chat's rows.
        Index("ix_deliveries_chat_id", "chat_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    # Exactly one of the two: what is sent.
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE")
    )
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE")
    )
    # Channels go before people; lower sends first.
    priority: Mapped[int] = mapped_column(default=0)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=16, values_callable=_values),
        default=DeliveryStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    # Who holds the row: set by each lease (instant or digest), cleared when it is given back.
    # An outcome is written only under the token it was leased with, so a sender whose lease
    # ran out can never overwrite what another sender now owns.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    # The forum topic the post goes to (its binding's, when planned); None: the chat itself.
    message_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # The summary length of the binding it was planned for; None: the bot's SUMMARY_MAX_CHARS.
    summary_chars: Mapped[int | None] = mapped_column()
    # Whether the message sent is a photo with the post as its caption (edited as a caption).
    as_photo: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Sent as a line of a digest (message_id is the digest's): never edited as a post.
    in_digest: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # A sent post that must be edited (another outlet told the same story since): due then.
    edit_due_at: Mapped[datetime | None] = mapped_column(index=True)


class Admin(Base):
    """An operator an owner made an admin. Owners themselves are ADMIN_IDS, in the settings:
    never stored here, so that no command can remove them."""

    __tablename__ = "admins"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(String(PERSON_NAME_CHARS))
    username: Mapped[str | None] = mapped_column(String(USERNAME_CHARS))
    added_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One admin action: who did what, when, and the thing before and after it (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    # The actor's name when they acted: the log says who it was, whatever they are called now.
    actor_name: Mapped[str | None] = mapped_column(String(PERSON_NAME_CHARS))
    action: Mapped[str] = mapped_column(String(AUDIT_ACTION_CHARS))  # e.g. "admin.add"
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)


HOST_CHARS = 255
PROCESS_ROLE_CHARS = 16


class ProcessBeat(Base):
    """One running `nashra` process: written every HEARTBEAT_SECONDS, deleted when it stops.
    The elected sender counts the live ones to leave the others room for their replies."""

    __tablename__ = "processes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex of the process
    host: Mapped[str] = mapped_column(String(HOST_CHARS))
    pid: Mapped[int] = mapped_column()
    role: Mapped[str] = mapped_column(String(PROCESS_ROLE_CHARS))  # "sender" or "worker"
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# WebSub (issue 12): a hub's address and topic are URLs (LINK_CHARS); the secret and the
# callback token are ours, made of URL-safe characters.
SUBSCRIPTION_STATE_CHARS = 16
HUB_SECRET_CHARS = 64
CALLBACK_TOKEN_CHARS = 64


class HubSubscription(Base):
    """A feed's WebSub subscription at its hub: pushed while `state` is "active".

    "pending" waits for the hub's verification of a subscribe, "unsubscribing" for that of an
    unsubscribe (the feed is gone: `feed_id` is then None). `renew_at` is when the renewal
    job takes the row next (a lease, as the poller's `next_poll_at`)."""

    __tablename__ = "hub_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="SET NULL"), unique=True
    )
    hub: Mapped[str] = mapped_column(String(LINK_CHARS))
    topic: Mapped[str] = mapped_column(String(LINK_CHARS))
    secret: Mapped[str] = mapped_column(String(HUB_SECRET_CHARS))
    token: Mapped[str] = mapped_column(String(CALLBACK_TOKEN_CHARS), unique=True)
    state: Mapped[str] = mapped_column(String(SUBSCRIPTION_STATE_CHARS))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    renew_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_notified_at: Mapped[datetime | None] = mapped_column()

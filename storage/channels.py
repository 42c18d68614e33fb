"""Channels and groups: their bindings to categories (forum topics included) and what was
posted in them. A binding is a subscription; in a forum supergroup it carries its topic, and
any binding may carry its own summary length and the languages besides Arabic it takes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Category, Chat, ChatKind, Delivery, DeliveryStatus, Subscription

# The languages a binding may take besides Arabic, in the order they are shown: the codes of
# bot.text.arabic.detect_language, and LATIN for what it calls None (Latin or another script:
# English in an Arabic section). Arabic itself is always taken.
LATIN = "latn"
LANGUAGES = ("fa", "ur", "he", LATIN)
# A binding's own summary length, in characters: long enough for a sentence, short enough
# for a post (None is the bot's SUMMARY_MAX_CHARS).
SUMMARY_CHARS_MIN = 150
SUMMARY_CHARS_MAX = 3000


@dataclass(frozen=True)
class Binding:
    category_id: int
    name: str
    thread_id: int | None
    summary_chars: int | None = None
    languages: tuple[str, ...] = ()  # besides Arabic, in LANGUAGES order


@dataclass(frozen=True)
class Follower:
    """An active chat following a category, with what its binding asks for."""

    category_id: int
    chat_id: int
    kind: ChatKind
    thread_id: int | None
    summary_chars: int | None
    languages: frozenset[str]  # besides Arabic

    def takes(self, language: str) -> bool:
        """Whether this binding gets an article in that language (LATIN for Latin script)."""
        return language == "ar" or language in self.languages


def _languages(stored: list[str] | None) -> tuple[str, ...]:
    """A binding's stored languages as known codes, in LANGUAGES order (a code the bot no
    longer knows is ignored, not an error)."""
    return tuple(code for code in LANGUAGES if code in (stored or ()))


async def followers(session: AsyncSession, category_ids: Iterable[int]) -> list[Follower]:
    """Every active chat following any of these categories, one per binding."""
    ids = sorted(set(category_ids))
    if not ids:
        return []
    query = (
        select(
            Subscription.category_id, Chat.id, Chat.kind, Subscription.message_thread_id,
            Subscription.summary_chars, Subscription.languages,
        )
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Subscription.category_id.in_(ids), Chat.active.is_(True))
    )  # fmt: skip
    return [
        Follower(row[0], row[1], row[2], row[3], row[4], frozenset(_languages(row[5])))
        for row in (await session.execute(query)).all()
    ]


async def bindings(session: AsyncSession, chat_id: int) -> list[Binding]:
    """The chat's categories, by name, each with its topic and settings."""
    query = (
        select(
            Category.id, Category.name, Subscription.message_thread_id,
            Subscription.summary_chars, Subscription.languages,
        )
        .join(Subscription, Subscription.category_id == Category.id)
        .where(Subscription.chat_id == chat_id)
        .order_by(Category.name)
    )  # fmt: skip
    return [
        Binding(row[0], row[1], row[2], row[3], _languages(row[4]))
        for row in (await session.execute(query)).all()
    ]


async def set_summary_chars(
    session: AsyncSession, chat_id: int, category_id: int, chars: int | None
) -> bool:
    """Give the binding its own summary length (None: the bot's); False when there is no
    such binding. A length outside SUMMARY_CHARS_MIN..SUMMARY_CHARS_MAX is a ValueError."""
    if chars is not None and not SUMMARY_CHARS_MIN <= chars <= SUMMARY_CHARS_MAX:
        raise ValueError(
            f"a summary length is {SUMMARY_CHARS_MIN}..{SUMMARY_CHARS_MAX} characters, not {chars}"
        )
    binding = await session.get(Subscription, (chat_id, category_id))
    if binding is None:
        return False
    binding.summary_chars = chars
    await session.flush()
    return True


async def set_languages(
    session: AsyncSession, chat_id: int, category_id: int, languages: Iterable[str]
) -> bool:
    """Set the languages besides Arabic the binding takes (none: Arabic only); False when
    there is no such binding. A code not in LANGUAGES ("ar" included) is a ValueError."""
    wanted = set(languages)
    if unknown := wanted - set(LANGUAGES):
        raise ValueError(f"unknown language codes: {sorted(unknown)}; known: {LANGUAGES}")
    binding = await session.get(Subscription, (chat_id, category_id))
    if binding is None:
        return False
    # Stored in one order, so that a value is one JSON text whatever order it was set in.
    binding.languages = [code for code in LANGUAGES if code in wanted] or None
    await session.flush()
    return True


async def bind(
    session: AsyncSession, chat_id: int, categories: Iterable[Category], thread_id: int | None
) -> None:
    """Bind the chat to the categories (in the topic, if any): a binding it had already
    moves to this topic."""
    for category in categories:
        binding = await session.get(Subscription, (chat_id, category.id))
        if binding is None:
            session.add(
                Subscription(chat_id=chat_id, category_id=category.id, message_thread_id=thread_id)
            )
        else:
            binding.message_thread_id = thread_id
    await session.flush()


async def unbind(session: AsyncSession, chat_id: int, category_ids: Iterable[int]) -> None:
    ids = list(category_ids)
    if ids:
        await session.execute(
            delete(Subscription).where(
                Subscription.chat_id == chat_id, Subscription.category_id.in_(ids)
            )
        )


async def unbind_all(session: AsyncSession, chat_id: int) -> int:
    """Forget every binding of the chat; how many there were."""
    result = await session.execute(delete(Subscription).where(Subscription.chat_id == chat_id))
    return result.rowcount or 0  # type: ignore[attr-defined]


async def stop_posting(session: AsyncSession, chat_id: int) -> bool:
    """Mark an active chat inactive; False when it was not active (any more)."""
    result = await session.execute(
        update(Chat).where(Chat.id == chat_id, Chat.active.is_(True)).values(active=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def listed(session: AsyncSession) -> Sequence[Chat]:
    """The channels and groups to show: active ones, and inactive ones that keep bindings
    (they come back with them); a chat removed by an admin has none."""
    bound = select(Subscription.chat_id).where(Subscription.chat_id == Chat.id).exists()
    query = (
        select(Chat)
        .where(Chat.kind != ChatKind.PRIVATE, or_(Chat.active.is_(True), bound))
        .order_by(Chat.title, Chat.id)
    )
    return (await session.scalars(query)).all()


async def sent_counts(session: AsyncSession, chat_ids: Iterable[int]) -> dict[int, int]:
    """Posts sent to each chat (the deliveries the outbox still keeps)."""
    ids = sorted(set(chat_ids))
    if not ids:
        return {}
    query = (
        select(Delivery.chat_id, func.count())
        .where(Delivery.chat_id.in_(ids), Delivery.status == DeliveryStatus.SENT)
        .group_by(Delivery.chat_id)
    )
    return {row[0]: row[1] for row in (await session.execute(query)).all()}


async def last_error(session: AsyncSession, chat_id: int) -> str | None:
    """The newest error a delivery to the chat recorded since its last post, if any."""
    last_sent = (
        select(func.coalesce(func.max(Delivery.id), 0))
        .where(Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.SENT)
        .scalar_subquery()
    )
    query = (
        select(Delivery.last_error)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.last_error.is_not(None),
            Delivery.id > last_sent,
        )
        .order_by(Delivery.id.desc())
        .limit(1)
    )
    return await session.scalar(query)

"""What readers can do in a private chat: a service layer the handlers call.

Each function takes the caller's session (the handler owns the transaction) and returns
what the handler needs to reply; nothing here speaks Telegram or chooses words.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.text.arabic import normalise
from bot.text.dates import to_digits
from bot.text.keywords import keyword_term
from storage import catalog, outbox, readers
from storage.models import Category, Chat, ChatKind, DeliveryMode

BLOCKED = "blocked the bot"
MAX_KEYWORDS = 20
MAX_KEYWORD_LENGTH = 50
# Keyword.term is String(200): one character can normalise to many (ﷺ is 18 letters).
MAX_TERM_LENGTH = 200
DIGEST_HOURS = (6, 7, 8, 9, 12, 18, 20, 22)
# (start, end) in minutes after local midnight.
QUIET_PRESETS = ((23 * 60, 7 * 60), (0, 7 * 60), (22 * 60, 8 * 60))


class KeywordProblem(enum.Enum):
    EMPTY = "empty"  # nothing after the command
    NO_LETTERS = "no_letters"  # only punctuation or marks
    ONE_LETTER = "one_letter"  # matches far too much
    TOO_LONG = "too_long"
    TERM_TOO_LONG = "term_too_long"  # short as typed, too long once normalised
    TOO_MANY = "too_many"  # the reader has MAX_KEYWORDS already
    ALREADY = "already"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class KeywordResult:
    word: str
    problem: KeywordProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class ReaderView:
    """Everything /mysubs and the category picker show."""

    chat: Chat
    categories: list[Category]
    followed: set[int]
    alerts: list[str]
    mutes: list[str]


async def enrol(
    session: AsyncSession,
    chat_id: int,
    *,
    name: str | None,
    language: str | None,
    resume: bool = False,
) -> tuple[Chat, bool]:
    """Create the reader, or update their name and language; with `resume` (/start), make a
    reader who stopped or blocked the bot active again. Return it and whether it came back."""
    chat = await session.get(Chat, chat_id)
    returning = chat is not None and not chat.active and resume
    if chat is None or resume:
        chat = await catalog.upsert_chat(session, chat_id, ChatKind.PRIVATE, title=name)
    elif name:
        chat.title = name
    if language:
        chat.language = language[:8]
    return chat, returning


async def view(session: AsyncSession, chat_id: int) -> ReaderView | None:
    chat = await session.get(Chat, chat_id)
    if chat is None:
        return None
    return ReaderView(
        chat=chat,
        categories=list(await catalog.all_categories(session)),
        followed=await readers.subscribed_category_ids(session, chat_id),
        alerts=[k.word for k in await readers.keywords(session, chat_id, mute=False)],
        mutes=[k.word for k in await readers.keywords(session, chat_id, mute=True)],
    )


async def toggle_category(session: AsyncSession, chat_id: int, category_id: int) -> bool | None:
    """Follow or unfollow; None when the category no longer exists."""
    if await session.get(Category, category_id) is None:
        return None
    return await readers.toggle_subscription(session, chat_id, category_id)


# Control characters and bidi embeddings or overrides: never part of a word, and an
# override kept in the word would reverse the rest of the reader's /mysubs line.
_NOT_IN_WORDS = re.compile("[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]")


def _clean_word(raw: str) -> tuple[str, KeywordProblem | None]:
    word = " ".join(_NOT_IN_WORDS.sub("", raw).split())
    if not word:
        return word, KeywordProblem.EMPTY
    if len(word) > MAX_KEYWORD_LENGTH:
        return word, KeywordProblem.TOO_LONG
    letters = re.sub(r"[\W_]", "", normalise(word))
    if not letters:
        return word, KeywordProblem.NO_LETTERS
    if len(letters) < 2:
        return word, KeywordProblem.ONE_LETTER
    term = keyword_term(word)
    if not term:
        return word, KeywordProblem.NO_LETTERS
    if len(term) > MAX_TERM_LENGTH:
        return word, KeywordProblem.TERM_TOO_LONG
    return word, None


async def add_keyword(
    session: AsyncSession, chat_id: int, raw: str, *, mute: bool
) -> KeywordResult:
    word, problem = _clean_word(raw)
    if problem is not None:
        return KeywordResult(word, problem)
    if await readers.keyword_count(session, chat_id) >= MAX_KEYWORDS:
        return KeywordResult(word, KeywordProblem.TOO_MANY)
    added = await readers.add_keyword(session, chat_id, word, keyword_term(word), mute=mute)
    return KeywordResult(word, None if added else KeywordProblem.ALREADY)


async def remove_keyword(
    session: AsyncSession, chat_id: int, raw: str, *, mute: bool
) -> KeywordResult:
    word, problem = _clean_word(raw)
    if problem is not None and problem is not KeywordProblem.ONE_LETTER:
        return KeywordResult(word, problem)
    removed = await readers.remove_keyword(session, chat_id, keyword_term(word), mute=mute)
    return KeywordResult(word, None if removed else KeywordProblem.NOT_FOUND)


async def set_mode(
    session: AsyncSession, chat: Chat, mode: DeliveryMode, now: datetime, hour: int | None = None
) -> None:
    chat.delivery_mode = mode
    if hour is not None:
        chat.digest_hour = hour
    if mode is DeliveryMode.INSTANT:
        await outbox.release_held(session, chat.id, now)
    else:
        await outbox.hold_pending(session, chat.id, now)


# ASCII digits only: "²" or "٣" slipping through would reach int() (or mean something else).
_QUIET_RANGE = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?-([0-9]{1,2})(?::([0-9]{2}))?")
_PRESET = re.compile(r"([0-9]{1,4})-([0-9]{1,4})")
_HOUR = re.compile(r"[0-9]{1,2}")


def parse_quiet(text: str) -> tuple[int, int] | None:
    """ "00:00-07:00" (any digits, any dash) → minutes; None when it is not a time range."""
    cleaned = to_digits(text, "latn").replace("–", "-").replace("—", "-").replace(" ", "")
    match = _QUIET_RANGE.fullmatch(cleaned)
    if match is None:
        return None
    start_h, start_m, end_h, end_m = (int(g or 0) for g in match.groups())
    if start_h > 23 or end_h > 24 or start_m > 59 or end_m > 59:
        return None
    start, end = start_h * 60 + start_m, (end_h * 60 + end_m) % (24 * 60)
    return None if start == end else (start, end)


async def set_quiet(session: AsyncSession, chat_id: int, window: tuple[int, int] | None) -> None:
    chat = await session.get_one(Chat, chat_id)
    chat.quiet_start, chat.quiet_end = window if window else (None, None)


async def apply_setting(
    session: AsyncSession, chat_id: int, action: str, value: str, now: datetime
) -> bool:
    """A settings button: "mode:<instant|hourly|daily>", "hour:<0-23>" or "quiet:<preset|off>".
    False, and nothing changed, for any other button (forged, or from an older keyboard)."""
    chat = await session.get_one(Chat, chat_id)
    if action == "mode" and value in {mode.value for mode in DeliveryMode}:
        await set_mode(session, chat, DeliveryMode(value), now)
    elif action == "hour" and _HOUR.fullmatch(value) and int(value) < 24:
        await set_mode(session, chat, DeliveryMode.DAILY, now, hour=int(value))
    elif action == "quiet" and value == "off":
        await set_quiet(session, chat_id, None)
    elif action == "quiet" and (window := preset_quiet(value)) is not None:
        await set_quiet(session, chat_id, window)
    else:
        return False
    return True


def preset_quiet(value: str) -> tuple[int, int] | None:
    """A preset button's "start-end" in minutes; None for anything that is not a preset."""
    match = _PRESET.fullmatch(value)
    if match is None:
        return None
    window = int(match[1]), int(match[2])
    return window if window in QUIET_PRESETS else None


async def stop(session: AsyncSession, chat_id: int) -> None:
    await readers.stop(session, chat_id)


async def blocked(session: AsyncSession, chat_id: int) -> None:
    """The reader blocked the bot: inactive, nothing pending is sent; subscriptions stay."""
    chat = await session.get(Chat, chat_id)
    if chat is not None and chat.deactivated_reason == readers.STOPPED:
        return  # already stopped, and only /start brings them back
    await catalog.deactivate_chat(session, chat_id, BLOCKED)


async def unblocked(session: AsyncSession, chat_id: int) -> None:
    """The reader unblocked the bot; one who had sent /stop still waits for /start."""
    chat = await session.get(Chat, chat_id)
    if chat is not None and chat.deactivated_reason != readers.STOPPED:
        chat.active = True
        chat.deactivated_reason = None

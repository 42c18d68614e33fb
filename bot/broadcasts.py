"""An operator's message to every reader: drafted, previewed, confirmed, then sent through the
outbox like any article (leased, paced, retried, a blocked reader deactivated).

A draft is stored, so that the confirmation button names it by id and one press wins: a
second press, a stale button or another admin's forged one finds no draft and sends nothing.
Confirming plans one delivery per active reader and writes the audit log in one transaction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.admins import Person
from bot.text.html import rtl_html, telegram_length
from storage import admins, broadcasts, outbox
from storage.models import Broadcast, BroadcastState, DeliveryStatus, utcnow

BROADCAST_SEND = "broadcast.send"  # the audit log's name of the action
MAX_CHARS = 4096  # Telegram's limit of a message's text, after its entities are parsed
AUDIT_TEXT_CHARS = 1000  # of the broadcast's text kept in the audit log
# /stats shows the broadcasts sent within this time, and any still being sent.
RECENT = timedelta(days=1)


@dataclass(frozen=True)
class Draft:
    """A broadcast waiting for its author's «إرسال»: its id, its HTML, who would get it."""

    id: int
    html: str
    readers: int


@dataclass(frozen=True)
class TooLong:
    length: int  # characters as Telegram counts them


@dataclass(frozen=True)
class Progress:
    """One broadcast's deliveries by outcome."""

    id: int
    sent_at: datetime
    sent: int
    pending: int
    failed: int  # rejected, given up, or the reader gone (blocked the bot)


def broadcast_html(html: str) -> str:
    """The message as readers get it: an Arabic text's lines that would start left to right
    get an RLM (DESIGN.md §1); a text with no Arabic letter is left as it is."""
    arabic = any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in html)
    return rtl_html(html) if arabic else html


class BroadcastService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        wake: Callable[[], None],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.wake = wake  # the sender: new deliveries are planned
        self.clock = clock

    async def draft(self, author: Person, html: str) -> Draft | TooLong:
        """Store the author's message (Telegram HTML) as a draft, or say it is too long."""
        html = broadcast_html(html.strip())
        length = telegram_length(html)
        if length > MAX_CHARS:
            return TooLong(length)
        async with self.sessions.begin() as session:
            now = self.clock()
            stored = await broadcasts.draft(session, html, author.user_id, author.name, now)
            readers = await broadcasts.active_readers(session)
        return Draft(stored.id, html, readers)

    async def send(self, author: Person, broadcast_id: int) -> int | None:
        """The author confirmed: one delivery per active reader, audited; return how many,
        or None when that draft is not theirs to send (sent, cancelled, unknown)."""
        now = self.clock()
        async with self.sessions.begin() as session:
            taken = await broadcasts.take_draft(
                session, broadcast_id, author.user_id, BroadcastState.SENT, now
            )
            if taken is None:
                return None
            planned = await outbox.plan_broadcast(session, broadcast_id, now)
            taken.readers = planned
            await admins.record(
                session, actor_id=author.user_id, actor_name=author.name,
                action=BROADCAST_SEND, before=None, after=_state(taken), at=now,
            )  # fmt: skip
        self.wake()
        return planned

    async def cancel(self, author: Person, broadcast_id: int) -> bool:
        """The author cancelled the draft; False when it was not a draft of theirs."""
        async with self.sessions.begin() as session:
            taken = await broadcasts.take_draft(
                session, broadcast_id, author.user_id, BroadcastState.CANCELLED, self.clock()
            )
        return taken is not None

    async def progress(self) -> list[Progress]:
        """The broadcasts of the last day and those still being sent, the newest first."""
        async with self.sessions() as session:
            rows = await outbox.broadcast_progress(session, self.clock() - RECENT)
        return [_progress(broadcast, counts) for broadcast, counts in rows]


def _state(broadcast: Broadcast) -> dict[str, object]:
    text = broadcast.text
    if len(text) > AUDIT_TEXT_CHARS:
        text = text[: AUDIT_TEXT_CHARS - 1] + "…"
    return {"id": broadcast.id, "readers": broadcast.readers, "text": text}


def _progress(broadcast: Broadcast, counts: dict[DeliveryStatus, int]) -> Progress:
    failed = sum(counts.get(s, 0) for s in (DeliveryStatus.FAILED, DeliveryStatus.DEAD,
                                             DeliveryStatus.DROPPED))  # fmt: skip
    sent_at = broadcast.sent_at or broadcast.created_at
    return Progress(broadcast.id, sent_at, counts.get(DeliveryStatus.SENT, 0),
                    counts.get(DeliveryStatus.PENDING, 0), failed)  # fmt: skip

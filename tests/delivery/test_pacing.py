"""The Pacer, on a clock the test moves: global rate, per-chat intervals and margin, 429s."""

from __future__ import annotations

import pytest

from bot.delivery.pacing import Limits, Pacer
from storage.models import ChatKind

CHANNEL = -1002000000001
READER = 42


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def pacer(**limits: float) -> tuple[Pacer, Clock]:
    clock = Clock()
    return Pacer(Limits(**limits), clock), clock


@pytest.mark.parametrize(
    ("kind", "limits", "interval"),
    [
        (ChatKind.PRIVATE, {}, 1.05),  # 1/s per person, 5 % margin
        (ChatKind.CHANNEL, {}, 3.15),  # 20/min per channel, 5 % margin
        (ChatKind.GROUP, {}, 3.15),
        (ChatKind.PRIVATE, {"chat_margin": 0.0}, 1.0),
        (ChatKind.CHANNEL, {"chat_margin": 0.1, "group_interval": 2.0}, 2.2),
    ],
)
def test_each_chat_waits_its_interval_with_the_margin(
    kind: ChatKind, limits: dict[str, float], interval: float
) -> None:
    the_pacer, clock = pacer(**limits)
    the_pacer.take(CHANNEL, kind)
    assert the_pacer.chat_ready_in(CHANNEL) == pytest.approx(interval)
    assert the_pacer.chat_ready_in(CHANNEL - 1) == 0  # other chats are free
    clock.now = interval + 1e-9
    assert the_pacer.chat_ready_in(CHANNEL) == 0


@pytest.mark.parametrize(
    ("rate", "gap"),
    [
        (30.0, 1.02 / 30),  # every rate leaves 2 % unused, whatever the chats' margin
        (1.0, 1.02),
        (1000.0, 1.02 / 1000),
    ],
)
def test_the_global_rate_has_no_chat_margin(rate: float, gap: float) -> None:
    the_pacer, _ = pacer(global_per_second=rate, chat_margin=0.5)
    the_pacer.take(READER, ChatKind.PRIVATE)
    assert the_pacer.global_ready_in() == pytest.approx(gap)


@pytest.mark.parametrize(
    ("rate", "late"),
    # Lateness up to CATCH_UP, and below one slot (at 1000/s a wake-up serves several sends).
    [(30.0, 0.0), (30.0, 0.001), (30.0, 0.003), (1000.0, 0.0), (1000.0, 0.0009)],
)
def test_late_wake_ups_keep_the_rate_and_never_exceed_it(rate: float, late: float) -> None:
    """Each send wakes `late` after its slot (the event loop's millisecond granularity): the
    slot is still used, so the rate stays at 98 % of the limit, and no second of sends
    holds more than the limit."""
    the_pacer, clock = pacer(global_per_second=rate)
    sent = []
    for _ in range(int(rate * 10)):
        clock.now += the_pacer.global_ready_in() + late
        sent.append(the_pacer.take_global())
    achieved = (len(sent) - 1) / (sent[-1] - sent[0])
    assert achieved == pytest.approx(rate / 1.02, rel=0.001)
    window = int(rate)
    assert all(sent[i + window] - sent[i] > 1.0 for i in range(len(sent) - window))


@pytest.mark.parametrize(
    ("kind", "everyone_waits", "chat_waits"),
    [
        (ChatKind.PRIVATE, 10.0, 0.0),  # a private chat's 429 is the bot's flood control
        (ChatKind.CHANNEL, 0.0, 10.0),  # a channel's own limit: only it waits
        (ChatKind.GROUP, 0.0, 10.0),
    ],
)
def test_a_429_pauses_the_chat_or_everyone(
    kind: ChatKind, everyone_waits: float, chat_waits: float
) -> None:
    the_pacer, _ = pacer()
    the_pacer.too_many(CHANNEL, kind, 10.0)
    assert the_pacer.global_ready_in() == pytest.approx(everyone_waits)
    assert the_pacer.chat_ready_in(CHANNEL) == pytest.approx(chat_waits)


def test_a_reply_takes_a_global_slot_but_no_chat_slot() -> None:
    the_pacer, clock = pacer()
    the_pacer.take_global()
    assert the_pacer.global_ready_in() == pytest.approx(1.02 / 30)
    assert the_pacer.chat_ready_in(READER) == 0
    clock.now = 1.0
    assert the_pacer.global_ready_in() == 0


def test_a_pause_is_never_shortened_and_old_chats_are_forgotten() -> None:
    the_pacer, clock = pacer()
    the_pacer.pause(10)
    the_pacer.pause(2)
    assert the_pacer.global_ready_in() == pytest.approx(10)
    the_pacer.take(READER, ChatKind.PRIVATE)
    clock.now = 100.0
    the_pacer.forget(older_than=clock.now - 60)
    assert the_pacer.chat_ready_in(READER) == 0


def test_a_reply_books_the_chat_for_the_outbox_but_not_for_the_next_reply() -> None:
    the_pacer, clock = pacer()
    for _ in range(3):  # a reader typing fast
        the_pacer.take_reply(READER, ChatKind.PRIVATE)
        the_pacer.take_reply(CHANNEL, ChatKind.GROUP)
    assert the_pacer.reply_ready_in(READER) == the_pacer.reply_ready_in(CHANNEL) == 0
    assert the_pacer.chat_ready_in(READER) == pytest.approx(1.05)  # not 3 × 1.05
    assert the_pacer.chat_ready_in(CHANNEL) == pytest.approx(3.15)
    clock.now = 3.15
    the_pacer.take(CHANNEL, ChatKind.GROUP)  # the outbox's post, once its turn came
    assert the_pacer.reply_ready_in(CHANNEL) == pytest.approx(3.15)  # a reply waits for it
    clock.now = 100.0
    the_pacer.forget(older_than=clock.now - 60)
    assert the_pacer.chat_ready_in(READER) == 0

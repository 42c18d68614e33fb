"""`nashra run` as NashraProcess runs it (issue 10): updates by webhook with every process
serving them, or by getUpdates from the elected sender only; health and metrics over HTTP."""

from __future__ import annotations

import json
import socket

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.app import services_of
from bot.process import NashraProcess
from bot.web import SECRET_HEADER
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings

READER = 5_500_001
SECRET = "nashra-webhook_Secret-1"


def free_port() -> int:
    """A port nobody listens on now: the webhook's URL must name it before the server binds."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{port}{path}") as r:
        return r.status, await r.text()


def metric(text: str, name: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    raise AssertionError(f"{name} is not in /metrics")


async def test_webhook_mode_serves_updates_and_health(
    telegram: FakeTelegram, database_url: str
) -> None:
    telegram.add_user(READER, "سارة")
    port = free_port()
    settings = make_settings(
        bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
        database_url=database_url, http_port=port,
        webhook_url=f"http://127.0.0.1:{port}/hooks/nashra", webhook_secret=SECRET,
    )  # fmt: skip
    process = NashraProcess(settings)
    await process.start()
    try:
        # The sender (this process, alone) points Telegram at the webhook, with the secret.
        assert (await telegram.wait_for_call("setWebhook", timeout=10)).ok
        assert telegram.webhook_url == f"http://127.0.0.1:{port}/hooks/nashra"
        assert telegram.webhook_secret == SECRET
        telegram.user_sends(READER, "/start")
        reply = await telegram.wait_for_call(
            "sendMessage", where=lambda call: call.params.get("chat_id") == READER, timeout=10
        )
        assert reply.ok
        assert telegram.webhook_posts[-1][1] == 200
        # A forged update (no secret) reaches nothing.
        forged = {"update_id": 99, "message": {"message_id": 1, "date": 0, "text": "/start",
                  "chat": {"id": READER + 1, "type": "private"}}}  # fmt: skip
        async with aiohttp.ClientSession() as client:
            url = f"http://127.0.0.1:{port}/hooks/nashra"
            async with client.post(url, data=json.dumps(forged)) as answer:
                assert answer.status == 403
            async with client.post(url, data=json.dumps(forged),
                                   headers={SECRET_HEADER: "wrong"}) as answer:  # fmt: skip
                assert answer.status == 403
        assert await get(port, "/healthz") == (200, "ok")
        status, body = await get(port, "/readyz")
        assert status == 200
        assert json.loads(body) == {"database": True, "telegram": True, "sender": True}
        status, text = await get(port, "/metrics")
        assert status == 200
        assert metric(text, "nashra_sender") == 1
        assert metric(text, "nashra_processes_live") == 1
    finally:
        await process.stop()
    assert telegram.calls_of("getUpdates") == []  # webhook mode never long-polls
    assert all(call.params.get("chat_id") != READER + 1 for call in telegram.calls)


async def test_only_the_sender_long_polls_and_the_next_one_takes_over(
    telegram: FakeTelegram, postgres_url: str
) -> None:
    telegram.add_user(READER, "سارة")
    settings = make_settings(
        bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
        database_url=postgres_url, heartbeat_seconds=0.5,
    )  # fmt: skip
    first, second = NashraProcess(settings, poll_timeout=1), NashraProcess(settings, poll_timeout=1)
    await first.start()
    await second.start()
    stopped = False
    try:
        assert services_of(first.application).roles.is_sender
        assert not services_of(second.application).roles.is_sender
        assert first.application.updater is not None
        assert second.application.updater is not None
        await telegram.wait_for(lambda: telegram.polling, timeout=10)
        assert first.application.updater.running
        assert not second.application.updater.running
        await first.stop()  # a clean stop: the lock is given up at once
        stopped = True
        await telegram.wait_for(lambda: second.application.updater.running, timeout=15)  # type: ignore[union-attr]
        telegram.user_sends(READER, "/start")
        reply = await telegram.wait_for_call(
            "sendMessage", where=lambda call: call.params.get("chat_id") == READER, timeout=10
        )
        assert reply.ok
    finally:
        if not stopped:
            await first.stop()
        await second.stop()
    assert [call for call in telegram.calls_of("getUpdates") if call.status == 409] == []

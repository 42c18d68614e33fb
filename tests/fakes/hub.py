"""A local WebSub hub, as a real one behaves towards a subscriber, and as a hostile one could.

It takes subscribe and unsubscribe requests (202), then verifies each with a GET to the
callback (hub.challenge must come back); `publish` POSTs a notification to every verified
callback of a topic, signed with the subscriber's secret (X-Hub-Signature). The hostile
cases: a wrong or missing signature, a huge body (declared or chunked), a verification for
a topic nobody asked for, and a hub that refuses subscriptions (`refuse`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal

import aiohttp
from aiohttp import web

Signing = Literal["good", "wrong", "missing"]


@dataclass
class Request:
    """A subscribe or unsubscribe the hub received, and how its verification went."""

    mode: str
    topic: str
    callback: str
    secret: str | None
    lease_seconds: int | None
    verified: bool | None = None  # None: not verified yet
    answer: tuple[int, str] | None = None  # the callback's answer to the verification


@dataclass
class FakeHub:
    refuse: int | None = None  # answer subscribe requests with this status, verifying nothing
    grant_lease: int | None = None  # the hub.lease_seconds it grants (None: what was asked)
    requests: list[Request] = field(default_factory=list)
    # topic → callback → secret, for verified subscriptions
    subscribers: dict[str, dict[str, str | None]] = field(default_factory=dict)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    base_url: str = ""
    _runner: web.AppRunner | None = None
    _client: aiohttp.ClientSession | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> FakeHub:
        app = web.Application()
        app.router.add_post("/hub", self._hub)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        self._client = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"{self.base_url}/hub"

    async def wait_for(self, predicate: object, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until `predicate()` holds (it is checked whenever a request or verification ends)."""
        assert callable(predicate)
        async with asyncio.timeout(timeout), self.changed:
            await self.changed.wait_for(predicate)

    async def wait_verified(self, topic: str, mode: str = "subscribe", count: int = 1) -> Request:
        def done() -> list[Request]:
            return [r for r in self.requests if r.topic == topic and r.mode == mode and r.verified]

        await self.wait_for(lambda: len(done()) >= count)
        return done()[count - 1]

    # ------------------------------------------------------------------ the hub's side

    async def _hub(self, request: web.Request) -> web.Response:
        form = await request.post()
        mode, topic, callback = (
            str(form.get(f"hub.{n}", "")) for n in ("mode", "topic", "callback")
        )
        if mode not in ("subscribe", "unsubscribe") or not topic or not callback:
            return web.Response(status=400, text="bad request")
        lease = form.get("hub.lease_seconds")
        secret = form.get("hub.secret")
        entry = Request(
            mode, topic, callback, None if secret is None else str(secret),
            None if lease is None else int(str(lease)),
        )  # fmt: skip
        self.requests.append(entry)
        if self.refuse is not None:
            await self._changed()
            return web.Response(status=self.refuse, text="hub is down")
        task = asyncio.create_task(self._verify(entry))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.Response(status=202, text="accepted")

    async def _verify(self, entry: Request) -> None:
        challenge = secrets.token_hex(16)
        lease = self.grant_lease or entry.lease_seconds or 3600
        entry.answer = await self.verification(entry.callback, entry.topic, entry.mode,
                                               challenge, lease)  # fmt: skip
        entry.verified = entry.answer == (200, challenge)
        if entry.verified:
            callbacks = self.subscribers.setdefault(entry.topic, {})
            if entry.mode == "subscribe":
                callbacks[entry.callback] = entry.secret
            else:
                callbacks.pop(entry.callback, None)
        await self._changed()

    async def _changed(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    # ------------------------------------------------------------------ the publisher's side

    async def verification(
        self, callback: str, topic: str, mode: str = "subscribe",
        challenge: str = "c-1", lease: int = 3600,
    ) -> tuple[int, str]:  # fmt: skip
        """One verification GET to `callback` (a hostile hub: any topic, any callback)."""
        assert self._client is not None
        query = {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge,
                 "hub.lease_seconds": str(lease)}  # fmt: skip
        async with self._client.get(callback, params=query) as answer:
            return answer.status, await answer.text()

    async def publish(
        self,
        topic: str,
        body: bytes,
        *,
        signing: Signing = "good",
        algorithm: str = "sha256",
        chunked: bool = False,
    ) -> list[int]:
        """Notify every verified callback of `topic`; the status each answered."""
        statuses = []
        for callback, secret in self.subscribers.get(topic, {}).items():
            statuses.append(
                await self.post(
                    callback,
                    body,
                    secret=secret,
                    signing=signing,
                    algorithm=algorithm,
                    chunked=chunked,
                )  # fmt: skip
            )
        return statuses

    async def post(
        self,
        callback: str,
        body: bytes,
        *,
        secret: str | None,
        signing: Signing = "good",
        algorithm: str = "sha256",
        chunked: bool = False,
    ) -> int:
        """One notification to `callback` (a hostile hub: any callback, any signature)."""
        assert self._client is not None
        headers = {"Content-Type": "application/atom+xml"}
        if signing != "missing":
            key = (secret or "") if signing == "good" else "not-the-secret"
            digest = hmac.new(key.encode(), body, getattr(hashlib, algorithm)).hexdigest()
            headers["X-Hub-Signature"] = f"{algorithm}={digest}"
        data: bytes | AsyncIterator[bytes] = _chunks(body) if chunked else body
        async with self._client.post(callback, data=data, headers=headers) as answer:
            return answer.status


async def _chunks(body: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    """The body sent chunked: no Content-Length for the server to refuse it by."""
    for start in range(0, len(body), size):
        yield body[start : start + size]

"""The process's HTTP server: health, readiness, Prometheus metrics, and the webhook.

One aiohttp server on HTTP_HOST:HTTP_PORT (DESIGN §7), built by the process runner:

- `GET /healthz`: 200 "ok" while the event loop answers;
- `GET /readyz`: the runner's checks (database, Telegram, an elected sender) as JSON, 200 when
  all pass, else 503; a check that does not answer in time has failed;
- `GET /metrics`: the database's gauges read again (in bounded time: a failed read still
  serves the counters), then the registry in Prometheus's text format;
- `POST <webhook path>`, with a webhook only: Telegram's updates. The secret token header is
  checked first: a request without the right one is refused (403) before its body is read;
- `GET|POST <websub path>/<token>`, with WebSub only (bot/websub.py): a hub's verification
  and notifications. A notification's body is read up to the cap, and refused (413) past it.

It knows nothing of the bot: the webhook hands each update's JSON to the runner's `deliver`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from bot.metrics import Metrics

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few kilobytes; Telegram's biggest (a long message with entities) stays far
# below this.
MAX_BODY_BYTES = 1024 * 1024
CHECK_SECONDS = 5.0  # a readiness check that takes longer has failed
REFRESH_SECONDS = 5.0  # the database's gauges, read for a scrape

Ready = Callable[[], Awaitable[dict[str, bool]]]
Check = Callable[[], Awaitable[bool]]


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates, the secret it sends with each, and who takes them."""

    path: str
    secret: str = field(repr=False)
    deliver: Callable[[dict[str, Any]], Awaitable[None]]


class Answered(Protocol):
    @property
    def status(self) -> int: ...

    @property
    def text(self) -> str: ...


def _respond(answer: Answered) -> web.Response:
    """The WebSub callback's answer as HTTP."""
    return web.Response(status=answer.status, text=answer.text)


class Push(Protocol):
    """The WebSub callback's side that knows the subscriptions (bot.websub.WebSub)."""

    async def verify(self, token: str, query: Mapping[str, str]) -> Answered: ...

    async def notify(self, token: str, body: bytes, signature: str | None) -> Answered: ...

    def too_large(self) -> Answered: ...


@dataclass(frozen=True)
class PushRoute:
    """Where hubs call back (a token follows the path), the body cap, and who answers."""

    path: str
    max_bytes: int
    push: Push


async def run_checks(checks: Mapping[str, Check], within: float = CHECK_SECONDS) -> dict[str, bool]:
    """Run named checks at once, each bounded by `within` seconds: one that hangs or raises
    has failed, and only it. A `ready` for WebServer is `lambda: run_checks({...})`."""

    async def one(name: str, check: Check) -> bool:
        try:
            async with asyncio.timeout(within):
                return bool(await check())
        except TimeoutError:
            logger.warning("readiness check %s did not answer in %.1f s", name, within)
        except Exception as exc:
            logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
        return False

    names = list(checks)
    results = await asyncio.gather(*(one(name, checks[name]) for name in names))
    return dict(zip(names, results, strict=True))


class WebServer:
    """The HTTP server; `start` binds it, `stop` closes it, `port` is the port it bound."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        metrics: Metrics,
        ready: Ready,
        webhook: Webhook | None = None,
        push: PushRoute | None = None,
        refresh: Callable[[], Awaitable[None]] | None = None,
        check_timeout: float = CHECK_SECONDS,
        refresh_timeout: float = REFRESH_SECONDS,
    ) -> None:
        """`refresh` reads the database's gauges before a scrape (e.g.
        `lambda: metrics.refresh(services.sessions)`); None serves what the gauges hold."""
        self.host = host
        self._port = port
        self.metrics = metrics
        self.ready = ready
        self.webhook = webhook
        self.push = push
        self.refresh = refresh
        self.check_timeout = check_timeout
        self.refresh_timeout = refresh_timeout
        self._runner: web.AppRunner | None = None
        self._bound: int | None = None

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        if self.webhook is not None:
            app.router.add_post(self.webhook.path, self._update)
        if self.push is not None:
            path = self.push.path.rstrip("/") + "/{token}"
            app.router.add_get(path, self._verify)
            app.router.add_post(path, self._notify)
        return app

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("the web server is already started")
        runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._bound = int(runner.addresses[0][1])
        logger.info(
            "HTTP server on %s:%d (/healthz, /readyz, /metrics%s)",
            self.host, self._bound, f", webhook {self.webhook.path}" if self.webhook else "",
        )  # fmt: skip

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        """The port bound (HTTP_PORT=0 takes a free one)."""
        if self._bound is None:
            raise RuntimeError("the web server is not started")
        return self._bound

    # ------------------------------------------------------------------ handlers

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _readyz(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(self.check_timeout):
                checks = {str(name): bool(ok) for name, ok in (await self.ready()).items()}
        except TimeoutError:
            logger.warning("readiness checks did not answer in %.1f s", self.check_timeout)
            checks = {"answered": False}
        except Exception:
            logger.exception("readiness checks failed")
            checks = {"answered": False}
        status = 200 if all(checks.values()) else 503
        return web.json_response(checks, status=status)

    async def _metrics(self, request: web.Request) -> web.Response:
        if self.refresh is not None:
            try:
                async with asyncio.timeout(self.refresh_timeout):
                    await self.refresh()
            except TimeoutError:
                logger.warning("metrics: the database's gauges were not read in time")
            except Exception as exc:
                logger.warning("metrics: the database's gauges were not read: %s", exc)
        body = self.metrics.render()
        # The content type carries parameters (version, charset): set as a raw header.
        return web.Response(body=body, headers={"Content-Type": self.metrics.content_type})

    async def _update(self, request: web.Request) -> web.Response:
        assert self.webhook is not None
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook.secret.encode()):
            logger.warning("webhook: a request without the right secret token from %s",
                           request.remote)  # fmt: skip
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.read())
        except ValueError:  # a body over MAX_BODY_BYTES is refused by aiohttp (413)
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict):
            return web.Response(status=400, text="not an update")
        try:
            await self.webhook.deliver(data)
        except Exception:
            # Telegram sends the update again after an error answer.
            logger.exception("webhook: update %s could not be taken", data.get("update_id"))
            return web.Response(status=500, text="not taken")
        return web.Response(text="ok")

    async def _verify(self, request: web.Request) -> web.Response:
        assert self.push is not None
        answer = await self.push.push.verify(request.match_info["token"], request.query)
        return _respond(answer)

    async def _notify(self, request: web.Request) -> web.Response:
        assert self.push is not None
        limit = self.push.max_bytes
        declared = request.content_length
        if declared is not None and declared > limit:
            return _respond(self.push.push.too_large())
        body = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            if len(body) + len(chunk) > limit:  # a chunked body has no declared length
                return _respond(self.push.push.too_large())
            body.extend(chunk)
        answer = await self.push.push.notify(
            request.match_info["token"], bytes(body), request.headers.get("X-Hub-Signature")
        )
        return _respond(answer)

"""One `nashra run` process: the application, its role among the processes, its HTTP server.

python-telegram-bot's `run_polling` would long-poll in every process, and Telegram answers 409
to all but one. Here the updates come either from the webhook, which every process serves
behind a load balancer (the elected sender calls setWebhook), or from getUpdates, which only
the elected sender calls: it starts polling when elected and stops when it is not any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import text
from telegram import Update

from bot.app import build_application, services_of
from bot.config import Settings
from bot.context import NashraApp
from bot.services import Services
from bot.web import PushRoute, Webhook, WebServer, run_checks
from storage.models import utcnow

logger = logging.getLogger(__name__)

# getUpdates' long-poll timeout, in seconds: how long one request waits for an update.
LONG_POLL_SECONDS = 10
# How often the sender checks that it takes updates, and how its retries back off.
UPDATES_CHECK_SECONDS = 0.5
UPDATES_FIRST_RETRY = 1.0
UPDATES_LONGEST_RETRY = 30.0
# /readyz asks Telegram (getMe) at most this often; in between, the last answer stands.
TELEGRAM_CHECK_SECONDS = 15.0


class NashraProcess:
    """Start, serve and stop one process; `run` does all three until SIGTERM or SIGINT."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utcnow,
        poll_timeout: int = LONG_POLL_SECONDS,
    ) -> None:
        self.settings = settings
        self.application: NashraApp = build_application(
            settings, clock=clock, wall_clock=wall_clock
        )
        self.poll_timeout = poll_timeout
        self._role_lock = asyncio.Lock()
        self._started = False
        self.web: WebServer | None = None
        self._updates_task: asyncio.Task[None] | None = None
        self._webhook_set = False
        self._telegram_checked = (-TELEGRAM_CHECK_SECONDS, False)  # (loop time, answer)

    @property
    def webhook(self) -> bool:
        return self.settings.webhook_url is not None

    async def start(self) -> None:
        application = self.application
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)  # Services.start: the election too
            await application.start()
        except BaseException:
            await self._shut_down()
            raise
        self._started = True
        try:
            services = services_of(application)
            if self.settings.http_port is not None:
                self.web = self._web_server(services)
                await self.web.start()
            services.roles.on_change(self._role_changed)
            self._updates_task = asyncio.create_task(self._keep_updates(), name="nashra-updates")
        except BaseException:
            await self.stop()  # a port in use: the election and the sender stop cleanly
            raise

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        services = services_of(self.application)
        if self._updates_task is not None:
            self._updates_task.cancel()
            await asyncio.gather(self._updates_task, return_exceptions=True)
        # Polling stops and the sends settle, then the lock goes: another process starts
        # polling (or sending) while this one stops.
        await services.roles.close()
        await self._stop_polling()
        if self.web is not None:
            await self.web.stop()
        with contextlib.suppress(Exception):
            await self.application.stop()
        await self._shut_down()

    async def run(self) -> None:
        """Serve until SIGTERM or SIGINT (Ctrl+C), then stop cleanly."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await self.start()
            await stop.wait()
        finally:
            logger.info("stopping")
            await self.stop()

    def _web_server(self, services: Services) -> WebServer:
        """/healthz, /readyz, /metrics, and the webhook when there is one."""
        webhook = None
        if self.settings.webhook_url is not None and self.settings.webhook_secret is not None:
            webhook = Webhook(
                self.settings.webhook_path,
                self.settings.webhook_secret.get_secret_value(),
                self._deliver,
            )
        checks = {
            "database": lambda: database_answers(services),
            "telegram": self._telegram_answers,
            "sender": services.roles.sender_elected,
        }
        push = None
        if services.websub.enabled:  # hubs call back on the public URL's path
            push = PushRoute(
                self.settings.websub_path, services.websub.settings.max_bytes, services.websub
            )
        return WebServer(
            self.settings.http_host,
            self.settings.http_port or 0,
            metrics=services.metrics,
            ready=lambda: run_checks(checks),
            webhook=webhook,
            push=push,
            refresh=lambda: services.metrics.refresh(services.sessions),
        )

    async def _deliver(self, data: dict[str, object]) -> None:
        """An update from the webhook: into the application's queue, as getUpdates' are."""
        application = self.application
        try:
            update = Update.de_json(data, application.bot)
        except Exception:
            # Answered 200 all the same: a 500 would have Telegram send it again forever, and
            # every later update waits behind it.
            logger.exception("an update that cannot be read was dropped")
            return
        await application.update_queue.put(update)

    async def _telegram_answers(self) -> bool:
        now = asyncio.get_running_loop().time()
        checked_at, answer = self._telegram_checked
        if now - checked_at >= TELEGRAM_CHECK_SECONDS:
            try:
                answer = bool(await self.application.bot.get_me())
            except Exception:
                answer = False
            self._telegram_checked = (now, answer)
        return answer

    async def _role_changed(self, sender: bool) -> None:
        """Deposed: stop polling now. Elected: `_keep_updates` starts them, off the election."""
        if not sender:
            async with self._role_lock:
                self._webhook_set = False
                await self._stop_polling()

    async def _keep_updates(self) -> None:
        """While this process is the sender: the webhook set, or getUpdates running. A call
        that fails (Telegram unreachable at the election) is tried again, 1 s doubling to 30."""
        roles = services_of(self.application).roles
        delay = UPDATES_FIRST_RETRY
        while True:
            try:
                async with self._role_lock:
                    if roles.is_sender:
                        if self.webhook and not self._webhook_set:
                            await self._set_webhook()
                            self._webhook_set = True
                        elif not self.webhook:
                            await self._start_polling()
                delay = UPDATES_FIRST_RETRY
            except Exception as exc:
                logger.warning("cannot start taking updates (%r); again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, UPDATES_LONGEST_RETRY)
                continue
            await asyncio.sleep(UPDATES_CHECK_SECONDS)

    async def _set_webhook(self) -> None:
        """Point Telegram at the webhook (once, by the sender: every process serves it)."""
        secret = self.settings.webhook_secret
        assert self.settings.webhook_url is not None
        assert secret is not None
        await self.application.bot.set_webhook(
            self.settings.webhook_url,
            secret_token=secret.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
        logger.info("webhook set; updates come over HTTP")

    async def _start_polling(self) -> None:
        updater = self.application.updater
        if updater is not None and not updater.running:
            # deleteWebhook first (python-telegram-bot's bootstrap), then getUpdates.
            await updater.start_polling(
                timeout=self.poll_timeout,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
            logger.info("long polling for updates (this process is the sender)")

    async def _stop_polling(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            with contextlib.suppress(Exception):
                await updater.stop()

    async def _shut_down(self) -> None:
        application = self.application
        with contextlib.suppress(Exception):
            await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def database_answers(services: Services) -> bool:
    async with services.sessions() as session:
        return bool(await session.scalar(text("SELECT 1")))


def serve(settings: Settings) -> None:
    """`nashra run`: one process until it is told to stop."""
    asyncio.run(NashraProcess(settings).run())

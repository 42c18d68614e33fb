"""Sending to the Bot API with aiohttp: the outbox's hot path.

python-telegram-bot's transport costs 2–4 ms of CPU per request; a plain aiohttp POST costs
0.4–0.5 ms (DESIGN.md §4), and fan-out sends thousands. Telegram's answers become
DeliveryError here, the same outcomes as everywhere else. The token is part of the URL and
is never logged.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import aiohttp

from bot.delivery.outlets import SEND_TIMEOUT, Sent
from bot.errors import DeliveryError, SendOutcome, refuses_picture
from bot.metrics import Metrics
from bot.news.formatter import Post, link_preview

logger = logging.getLogger(__name__)

BOT_REFUSED_PAUSE = 60.0  # seconds
# 400 answers that mean the chat is gone for good, not that the message is wrong.
_GONE = ("chat not found", "have no rights to send", "not enough rights", "need administrator")
# 400 answers about the message itself: the same text fails for every recipient.
_MALFORMED = (
    "can't parse", "message is too long", "text is empty", "entities", "entity",
    "button", "reply markup", "wrong http url", "url host is empty", "too long",
)  # fmt: skip
# 400 answers of sendPhoto about the picture at the address given: Telegram could not fetch
# it, or it is not a picture it takes. The post goes as text instead.


def outcome_of(status: int, answer: dict[str, Any]) -> DeliveryError:
    """Map a Bot API error answer to what the sender should do."""
    description = str(answer.get("description") or f"HTTP {status}")
    parameters = answer.get("parameters") or {}
    code = int(answer.get("error_code") or status)
    if code == 429:
        retry_after = float(parameters.get("retry_after") or 1)
        return DeliveryError(description, SendOutcome.RATE_LIMITED, retry_after=retry_after)
    if code in (401, 404):
        # The token was revoked or TELEGRAM_API_BASE_URL is wrong: nothing can be sent. Hold
        # everything (no attempt counted) rather than burn every delivery's retries.
        reason = (
            f"Telegram refused the bot ({code} {description}): check BOT_TOKEN and "
            "TELEGRAM_API_BASE_URL"
        )
        return DeliveryError(reason, SendOutcome.REFUSED, retry_after=BOT_REFUSED_PAUSE)
    if "migrate_to_chat_id" in parameters:
        new_id = int(parameters["migrate_to_chat_id"])
        return DeliveryError(description, SendOutcome.MIGRATED, new_chat_id=new_id)
    if code == 403 or (code == 400 and any(m in description.lower() for m in _GONE)):
        return DeliveryError(description, SendOutcome.CHAT_GONE)
    if code == 400 and any(m in description.lower() for m in _MALFORMED):
        return DeliveryError(description, SendOutcome.MALFORMED)
    if code == 400:
        return DeliveryError(description, SendOutcome.REJECTED)
    return DeliveryError(description, SendOutcome.RETRY)


def picture_refused(error: DeliveryError) -> bool:
    """Whether a failed sendPhoto was about its picture, not the chat or the caption."""
    rejected = error.outcome in (SendOutcome.REJECTED, SendOutcome.MALFORMED)
    return rejected and refuses_picture(str(error))


def _text_instead(error: DeliveryError) -> bool:
    """Whether a failed sendPhoto should go as the text post: Telegram refused the picture,
    or this photo (a 400: a group that takes no photos from the bot, an address it rejects);
    not a 429, a 403, a moved chat or a passing failure, which the text would meet too."""
    if picture_refused(error) or error.outcome in (SendOutcome.REJECTED, SendOutcome.MALFORMED):
        return True
    return error.outcome is SendOutcome.CHAT_GONE and "photo" in str(error).lower()


class BotApiPublisher:
    """Publishes posts and digests with one aiohttp session to the Bot API."""

    def __init__(
        self,
        api_base_url: str,
        token: str,
        *,
        paid_broadcast: bool = False,
        timeout_seconds: float = SEND_TIMEOUT,
        metrics: Metrics | None = None,
    ) -> None:
        self.metrics = metrics
        self._endpoint = f"{api_base_url.rstrip('/')}/bot{token}/"
        self.paid_broadcast = paid_broadcast
        self.timeout = timeout_seconds  # the whole request, waiting for a connection included
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=100, keepalive_timeout=60)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                json_serialize=lambda value: json.dumps(value, ensure_ascii=False),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, chat_id: int, post: Post, *, silent: bool = False, thread_id: int | None = None
    ) -> Sent:
        """The post, in the forum topic `thread_id` when there is one: as a photo when it has
        one, and as text, once, when Telegram refuses the picture."""
        payload: dict[str, Any] = {
            "chat_id": chat_id,
            "parse_mode": "HTML",
            "disable_notification": silent,
        }
        if thread_id is not None:
            payload["message_thread_id"] = thread_id
        if keyboard := post.keyboard():
            payload["reply_markup"] = {"inline_keyboard": keyboard}
        if post.photo:
            photo = payload | {"photo": post.photo, "caption": post.caption}
            try:
                return Sent(await self.call("sendPhoto", photo), as_photo=True)
            except DeliveryError as error:
                if not _text_instead(error):
                    raise
                logger.info("picture %s refused in chat %s (%s): sent as text",
                            post.photo, chat_id, error)  # fmt: skip
            post = post.as_text()
        text = payload | {"text": post.text, "link_preview_options": link_preview(post)}
        return Sent(await self.call("sendMessage", text))

    async def send_text(self, chat_id: int, html: str, *, silent: bool = False) -> int:
        """A plain HTML message (a digest part), without link previews."""
        payload = {
            "chat_id": chat_id,
            "text": html,
            "parse_mode": "HTML",
            "disable_notification": silent,
            "link_preview_options": {"is_disabled": True},
        }
        return await self.call("sendMessage", payload)

    async def edit(self, chat_id: int, message_id: int, post: Post, *, as_photo: bool) -> None:
        """Edit a sent post to `post`: its text, or its caption when it went as a photo."""
        payload: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "parse_mode": "HTML",
        }
        if keyboard := post.keyboard():
            payload["reply_markup"] = {"inline_keyboard": keyboard}
        if as_photo:
            if not post.caption:  # the post no longer fits a caption: left as it was
                raise DeliveryError("the post no longer fits a caption", SendOutcome.REJECTED)
            payload["caption"] = post.caption
            await self._call("editMessageCaption", payload)
        else:
            payload["text"] = post.text
            payload["link_preview_options"] = link_preview(post)
            await self._call("editMessageText", payload)

    async def call(self, method: str, payload: dict[str, Any]) -> int:
        """Call a sending method; return the message id or raise DeliveryError."""
        if self.paid_broadcast:
            payload["allow_paid_broadcast"] = True
        answer = await self._call(method, payload)
        return int(answer["result"]["message_id"])

    async def _call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Call a Bot API method; return Telegram's answer or raise DeliveryError."""
        started = time.perf_counter()
        try:
            async with self._client().post(self._endpoint + method, json=payload) as response:
                answer = await response.json(content_type=None)
                status = response.status
        except TimeoutError:
            raise DeliveryError("Telegram did not answer in time", SendOutcome.RETRY) from None
        except aiohttp.ClientError as exc:
            raise DeliveryError(f"network error: {type(exc).__name__}", SendOutcome.RETRY) from None
        except ValueError:
            raise DeliveryError("Telegram answered with no JSON", SendOutcome.RETRY) from None
        finally:
            if self.metrics is not None:
                self.metrics.send_seconds.observe(time.perf_counter() - started)
        if self.metrics is not None and status == 429:
            self.metrics.rate_limited()
        if not isinstance(answer, dict):
            raise DeliveryError("Telegram answered with no JSON", SendOutcome.RETRY)
        if answer.get("ok"):
            return answer
        raise outcome_of(status, answer)

"""A fake Telegram Bot API server for tests.

python-telegram-bot talks to it over real HTTP::

    async with FakeTelegram() as fake:
        fake.add_chat(-1001, "channel", title="أخبار")
        async with telegram.Bot(fake.token, base_url=f"{fake.base_url}/bot") as bot:
            await bot.send_message(-1001, "<b>عاجل</b>", parse_mode="HTML")
        assert fake.sent(-1001)[0].text == "عاجل"

Chats, messages and pending updates live in memory. The fake validates what Telegram
validates (HTML entities, inline keyboards, lengths, query ids), enforces Telegram-like
rate limits, records every call and lets a test inject faults or act as a user.

Updates reach the bot by getUpdates, or, while a webhook is set, as Telegram pushes them:
POSTed to the webhook's URL one at a time, in order, with the secret token header, until
the bot answers 2xx (`webhook_posts` records each attempt).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

JSON = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

MAX_TEXT_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a multipart request the Bot API reads at all
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # sendPhoto's, for an upload
MAX_PHOTO_SIDES = 10000  # width + height
MAX_PHOTO_RATIO = 20  # the longer side over the shorter
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height from its IHDR chunk; anything else is refused, as Telegram
    refuses what it cannot read as a picture."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 24:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not width or not height:
        raise bad_request("IMAGE_PROCESS_FAILED")
    return width, height


def _suffix(file_name: str) -> str:
    """The extension Telegram keeps in a file's path ("documents/file_3.opml")."""
    name = file_name.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[1][:10] if "." in name else ""


CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
# setWebhook's secret_token, as Telegram takes it.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# A push the bot did not take (not 2xx, or no connection) is tried again after this, doubling.
WEBHOOK_RETRY = 0.05  # seconds
WEBHOOK_LONGEST_RETRY = 1.0
WEBHOOK_TIMEOUT = 10.0  # seconds a push may take

# Parameters that PTB sends as plain strings and that must never be JSON-decoded
# (a news headline such as "[عاجل] 123" is still text).
STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "query", "next_offset", "callback_query_id",
        "inline_query_id", "inline_message_id", "language_code", "url", "description",
        "short_description", "name", "title", "business_connection_id", "message_effect_id",
        "custom_title", "secret_token", "ip_address", "action", "emoji",
    }
)  # fmt: skip


class ApiError(Exception):
    """A Telegram error answer; method handlers raise it, the server sends its envelope."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def envelope(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}", parameters)


@dataclass
class Call:
    """One HTTP call the bot made: canonical method name, decoded params, answer."""

    method: str
    params: JSON
    status: int
    time: float
    response: JSON

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class FakeUser:
    id: int
    first_name: str
    language_code: str | None = "ar"
    username: str | None = None
    blocked: bool = False

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class StoredMessage:
    """A message in a fake chat; ``sender`` is None for messages the bot sent."""

    chat_id: int
    message_id: int
    date: int
    text: str
    entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None
    sender: JSON | None = None
    params: JSON = field(default_factory=dict)
    extra: JSON = field(default_factory=dict)
    edit_date: int | None = None
    deleted: bool = False

    @property
    def from_bot(self) -> bool:
        return self.sender is None

    @property
    def disable_notification(self) -> bool:
        return bool(self.params.get("disable_notification"))

    @property
    def link_preview_disabled(self) -> bool:
        options = self.params.get("link_preview_options") or {}
        return bool(self.params.get("disable_web_page_preview") or options.get("is_disabled"))

    @property
    def caption(self) -> str:
        """A media message's caption as Telegram shows it (entities parsed), "" for none."""
        return str(self.extra.get("caption", ""))

    @property
    def has_media(self) -> bool:
        """A photo or a document: its caption can be edited, its text cannot."""
        return "photo" in self.extra or "document" in self.extra


@dataclass
class FakeChat:
    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    bot_status: MemberStatus = "administrator"
    can_post_messages: bool = True
    migrated_to: int | None = None
    members: dict[int, MemberStatus] = field(default_factory=dict)
    messages: dict[int, StoredMessage] = field(default_factory=dict, repr=False)
    next_message_id: int = 1
    # A supergroup with topics: its topics by message_thread_id (the id of the service
    # message that created each), and whether the bot, as an admin, may manage them.
    is_forum: bool = False
    can_manage_topics: bool = False
    topics: dict[int, FakeTopic] = field(default_factory=dict)

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class FakeTopic:
    name: str
    closed: bool = False


class ManualClock:
    """A monotonic clock that moves only when told to (for rate-limit tests)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    parameters: JSON | None
    chat_id: int | str | None
    remaining: int
    skip: int = 0  # matching calls answered normally before the fault starts


@dataclass
class _Query:
    kind: Literal["callback", "inline"]
    deadline: float
    answered: bool = False


@dataclass
class _Poll:
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    terminated: bool = False
    request: web.Request | None = None

    @property
    def client_gone(self) -> bool:
        """The bot that asked closed its connection (it stopped, or was killed)."""
        transport = self.request.transport if self.request is not None else None
        return transport is None or transport.is_closing()


class _ClientGone(Exception):
    """No one is left to answer: Telegram answers a closed connection nothing."""


# The HTTP request a method handler is serving (each runs in its own task).
_REQUEST: contextvars.ContextVar[web.Request | None] = contextvars.ContextVar(
    "request", default=None
)
# The status a call is recorded with when its client went away before the answer.
CLIENT_GONE = 499


# --------------------------------------------------------------------------- HTML parsing

_SPACES = " \t\r\n\f\v"
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{0,31}));")
_PLAIN_RE = re.compile(r"[^&<]+")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler", "code": "code",
    "pre": "pre",
}  # fmt: skip
_TAGS = frozenset(_SIMPLE_TAGS) | {"a", "tg-emoji", "blockquote"}


class EntityParseError(ValueError):
    """The reason Telegram gives after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        return _NAMED_ENTITIES.get(name)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return None


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the output text


class _HtmlParser:
    """Telegram's HTML dialect, after tdlib's parse_html (stricter about a bare "&")."""

    def __init__(self, source: str, *, strict_ampersand: bool) -> None:
        self.src = source
        self.strict_ampersand = strict_ampersand
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSON] = []

    def parse(self) -> tuple[str, list[JSON]]:
        while self.pos < len(self.src):
            if run := _PLAIN_RE.match(self.src, self.pos):
                self._emit(run.group())
                self.pos = run.end()
            elif self.src[self.pos] == "&":
                self._emit(self._entity(self.pos, literal_ok=not self.strict_ampersand))
            elif self.src.startswith("</", self.pos):
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # only <pre><code class=...> keeps one
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _at(self, index: int) -> str:
        return f" at byte offset {len(self.src[:index].encode('utf-8', 'surrogatepass'))}"

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_len(text)

    def _entity(self, index: int, *, literal_ok: bool) -> str:
        """Decode the character entity at ``index``; advances ``pos`` past it."""
        match = _ENTITY_RE.match(self.src, index)
        char = _decode_entity(match) if match else None
        if match is not None and char is not None:
            self.pos = match.end()
            return char
        if literal_ok:
            self.pos = index + 1
            return "&"
        found = match.group() if match else "&"
        raise EntityParseError(
            f'Unsupported entity "{found}", escape "&" as "&amp;"{self._at(index)}'
        )

    def _skip_spaces(self, index: int) -> int:
        while index < len(self.src) and self.src[index] in _SPACES:
            index += 1
        return index

    def _start_tag(self) -> None:
        src, begin = self.src, self.pos
        end = begin + 1
        while end < len(src) and src[end] not in _SPACES and src[end] != ">":
            end += 1
        if end >= len(src):
            raise EntityParseError(f"Unclosed start tag{self._at(begin)}")
        name = src[begin + 1 : end].lower()
        if name not in _TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}"{self._at(begin)}')
        argument = ""
        while True:
            end = self._skip_spaces(end)
            if end >= len(src):
                raise EntityParseError(f"Unclosed start tag{self._at(begin)}")
            if src[end] == ">":
                break
            attr_begin = end
            while end < len(src) and src[end] not in _SPACES and src[end] not in "=>":
                end += 1
            attribute = src[attr_begin:end].lower()
            if not attribute:
                raise EntityParseError(f'Empty attribute name in the tag "{name}"{self._at(begin)}')
            end = self._skip_spaces(end)
            valueless = end < len(src) and src[end] != "="
            if valueless and name == "blockquote" and attribute == "expandable":
                argument = "expandable"
                continue
            if end >= len(src) or src[end] != "=":
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}"{self._at(begin)}'
                )
            value, end = self._attribute_value(self._skip_spaces(end + 1), begin)
            argument = _tag_argument(name, attribute, value, argument)
        if name == "span" and argument != "spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler"{self._at(begin)}')
        self.stack.append(_OpenTag(name, argument, self.utf16))
        self.pos = end + 1

    def _attribute_value(self, index: int, tag_begin: int) -> tuple[str, int]:
        src = self.src
        if index >= len(src):
            raise EntityParseError(f"Unclosed start tag{self._at(tag_begin)}")
        if src[index] not in "\"'":
            start = index
            while index < len(src) and (src[index].isascii() and src[index].isalnum()
                                        or src[index] in ".-"):  # fmt: skip
                index += 1
            if index >= len(src) or (src[index] not in _SPACES and src[index] != ">"):
                raise EntityParseError(f"Unexpected end of name token{self._at(start)}")
            return src[start:index].lower(), index
        quote, index, chars = src[index], index + 1, []
        while index < len(src) and src[index] != quote:
            if src[index] == "&":
                chars.append(self._entity(index, literal_ok=not self.strict_ampersand))
                index = self.pos
            else:
                chars.append(src[index])
                index += 1
        if index >= len(src):
            raise EntityParseError(f"Unclosed start tag{self._at(tag_begin)}")
        return "".join(chars), index + 1

    def _end_tag(self) -> None:
        src, begin = self.src, self.pos
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag{self._at(begin)}")
        end = begin + 2
        while end < len(src) and src[end] not in _SPACES and src[end] != ">":
            end += 1
        name = src[begin + 2 : end].lower()
        end = self._skip_spaces(end)
        if end >= len(src) or src[end] != ">":
            raise EntityParseError(f"Unclosed end tag{self._at(begin)}")
        tag = self.stack.pop()
        if name and name != tag.name:
            raise EntityParseError(
                f'Unmatched end tag{self._at(begin)}, expected "</{tag.name}>", found "</{name}>"'
            )
        self._close(tag)
        self.pos = end + 1

    def _close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.offset
        entity: JSON
        if tag.name in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[tag.name]}
            if tag.name == "code" and tag.argument:
                entity["language"] = tag.argument
            if tag.name == "pre":
                self._merge_code_language(entity, tag.offset, length)
        elif tag.name == "a":
            if not tag.argument:
                return
            entity = {"type": "text_link", "url": tag.argument}
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit():
                raise EntityParseError("Custom emoji entity must contain a valid emoji-id")
            entity = {"type": "custom_emoji", "custom_emoji_id": tag.argument}
        else:  # blockquote
            entity = {"type": "expandable_blockquote" if tag.argument else "blockquote"}
        if length > 0:
            self.entities.append({**entity, "offset": tag.offset, "length": length})

    def _merge_code_language(self, pre: JSON, offset: int, length: int) -> None:
        """``<pre><code class="language-x">`` becomes one pre entity with a language."""
        for entity in self.entities:
            same_span = (entity["offset"], entity["length"]) == (offset, length)
            if entity["type"] == "code" and "language" in entity and same_span:
                pre["language"] = entity["language"]
                self.entities.remove(entity)
                return


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if (tag, attribute) in {("a", "href"), ("tg-emoji", "emoji-id")}:
        return value
    if (tag, attribute) == ("code", "class") and value.startswith("language-"):
        return value.removeprefix("language-")
    if (tag, attribute) == ("span", "class") and value.startswith("tg-"):
        return value.removeprefix("tg-")
    return current  # other attributes are ignored, as Telegram does


def parse_html(source: str, *, strict_ampersand: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML into (text, entities); raise EntityParseError like Telegram.

    Telegram itself keeps a bare "&" literally; ``strict_ampersand`` rejects it, because
    the Bot API documentation requires escaping it.
    """
    return _HtmlParser(source, strict_ampersand=strict_ampersand).parse()


def strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip surrounding whitespace as Telegram does, shifting and clipping entities."""
    left = text.lstrip()
    shift = utf16_len(text[: len(text) - len(left)])
    result = left.rstrip()
    total = utf16_len(result)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return result, kept


# --------------------------------------------------------------------------- keyboards

_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


def _url_problem(url: object) -> str | None:
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return "Wrong HTTP URL"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "Wrong HTTP URL"
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        return None if host else "Wrong HTTP URL"
    if scheme == "tg":
        return None if parts.netloc or parts.path else "Wrong URL"
    return "Unsupported URL protocol" if scheme else "Wrong HTTP URL"


def _check_button(button: object) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request(prefix + 'Field "text" must be a non-empty String')
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(prefix + f"exactly one action field expected, got {actions}")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and (problem := _url_problem(button["url"])):
        raise bad_request(f"inline keyboard button URL '{button['url']}' is invalid: {problem}")


def check_reply_markup(markup: object) -> JSON | None:
    """Validate a reply_markup parameter (inline keyboards in depth)."""
    if markup is None:
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('Field "inline_keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                _check_button(button)
    return markup


# --------------------------------------------------------------------------- requests


def _decode_param(name: str, value: str) -> Any:
    """PTB sends strings raw and everything else JSON-encoded."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _read_params(request: web.Request) -> JSON:
    params: JSON = {key: _decode_param(key, value) for key, value in request.query.items()}
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        for key, value in body.items():
            is_text = key in STRING_PARAMS and value is not None
            params[key] = str(value) if is_text and not isinstance(value, str) else value
        return params
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[key] = {"filename": value.filename, "data": value.file.read()}
        else:
            params[key] = _decode_param(key, value)
    return params


def _int(params: JSON, name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    if value is None or value == "":
        raise bad_request(f"{name} is empty")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f'field "{name}" must be of type Integer') from None


def _window_wait(times: deque[float], limit: int, period: float, now: float) -> float:
    """Seconds until a sliding window allows one more event (0 if it does now)."""
    while times and times[0] <= now - period:
        times.popleft()
    if len(times) < limit:
        return 0.0
    return times[len(times) - limit] + period - now


_PATH_RE = re.compile(r"/bot([^/]*)/([^/]*)")


class FakeTelegram:
    """In-memory Telegram Bot API server bound to 127.0.0.1 on a free port."""

    def __init__(
        self,
        *,
        bot_id: int = 7000000001,
        bot_username: str = "nashra_test_bot",
        bot_first_name: str = "Nashra Test",
        rate_limits: bool = True,
        global_rate: int = 30,
        paid_rate: int = 1000,
        private_interval: float = 1.0,
        group_per_minute: int = 20,
        query_ttl: float = 15.0,
        strict_ampersand: bool = True,
        inline_mode: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.token = f"{bot_id}:AAFakeTokenForNashraTests"
        self.rate_limits = rate_limits
        self.global_rate = global_rate
        self.paid_rate = paid_rate
        self.private_interval = private_interval
        self.group_per_minute = group_per_minute
        self.query_ttl = query_ttl
        self.strict_ampersand = strict_ampersand
        # Inline mode as @BotFather's /setinline left it: getMe's supports_inline_queries.
        self.inline_mode = inline_mode
        self.clock = clock

        self.calls: list[Call] = []
        self.chats: dict[int, FakeChat] = {}
        self.users: dict[int, FakeUser] = {}
        self.callback_answers: dict[str, JSON] = {}
        self.inline_answers: dict[str, JSON] = {}
        # Set by a test's running bot: True while it still has updates queued or in hand
        # (the edit or message that follows a button's answer may not have come yet).
        self.bot_busy: Callable[[], bool] | None = None
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        # Every push of an update to the webhook: (update_id, HTTP status; 0: no connection).
        self.webhook_posts: list[tuple[int, int]] = []
        self._webhook_error: str | None = None
        self._push_wake = asyncio.Event()
        self._pusher: asyncio.Task[None] | None = None
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        # Files users sent and documents the bot sent: file_id → (file_path, bytes).
        self.files: dict[str, tuple[str, bytes]] = {}
        # Photos sent by address, which the fake does not download: file_id → the address.
        self.photo_urls: dict[str, str] = {}
        # Addresses Telegram would not take a photo from, with the reason it gives.
        self._refused_photos: dict[str, str] = {}
        self._file_ids = itertools.count(1)

        self._updates: list[JSON] = []
        self._allowed_updates: list[str] = []
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_001)
        self._queries: dict[str, _Query] = {}
        self._faults: list[_Fault] = []
        self._delays: dict[str, float] = {}
        self._send_times: dict[int | str, deque[float]] = {}
        self._active_poll: _Poll | None = None
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        handlers: dict[str, Callable[[JSON], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._true,
            "close": self._true,
            "sendMessage": self._send_message,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "createForumTopic": self._create_forum_topic,
            # Files (issue 8: OPML import and /export).
            "getFile": self._get_file,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,  # /stats's chart (an upload), posts (an address)
        }
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:PORT`` (PTB base_url is this + "/bot")."""
        if self._base_url is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._base_url

    async def start(self, port: int = 0) -> None:
        """Listen on `port` (0: a free one); a stopped server starts again where it was, as
        Telegram comes back after an outage."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already started")
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        host, port = runner.addresses[0][:2]
        self._runner, self._base_url = runner, f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing.set()  # wakes long polls and delayed calls
        if self._active_poll is not None:
            self._active_poll.wake.set()
        if self._pusher is not None:
            self._pusher.cancel()
            await asyncio.gather(self._pusher, return_exceptions=True)
            self._pusher = None
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ world setup

    @property
    def bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def add_chat(
        self,
        chat_id: int,
        type: ChatType = "channel",
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        bot_status: MemberStatus = "administrator",
        can_post_messages: bool = True,
        is_forum: bool = False,
        can_manage_topics: bool = False,
    ) -> FakeChat:
        if type != "private" and title is None:
            title = f"Chat {chat_id}"
        if is_forum and type != "supergroup":
            raise ValueError("only a supergroup has topics")
        chat = FakeChat(
            chat_id, type, title, username and username.lstrip("@"), first_name,
            bot_status, can_post_messages, is_forum=is_forum,
            can_manage_topics=can_manage_topics,
        )  # fmt: skip
        self.chats[chat_id] = chat
        return chat

    def add_topic(self, chat_id: int, name: str) -> int:
        """A member creates a topic in a forum supergroup; return its message_thread_id."""
        chat = self.chats[chat_id]
        if not chat.is_forum:
            raise ValueError("topics are in forum supergroups only")
        return self._new_topic(chat, name, {"id": 1, "is_bot": False, "first_name": "Chat Admin"})

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        self.chats[chat_id].topics[thread_id].closed = True

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        del self.chats[chat_id].topics[thread_id]

    def in_topic(self, chat_id: int, thread_id: int | None) -> list[StoredMessage]:
        """The bot's messages in a topic of the chat (None: outside every topic)."""
        return [m for m in self.sent(chat_id) if m.extra.get("message_thread_id") == thread_id]

    def add_user(
        self,
        user_id: int,
        first_name: str = "Test User",
        language_code: str | None = "ar",
        username: str | None = None,
    ) -> FakeUser:
        """Add a user and their private chat with the bot."""
        user = FakeUser(user_id, first_name, language_code, username)
        self.users[user_id] = user
        self.add_chat(
            user_id, "private", first_name=first_name, username=username, bot_status="member"
        )
        return user

    def set_member(self, chat_id: int, user_id: int, status: MemberStatus) -> None:
        self.chats[chat_id].members[user_id] = status

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends fail with 403, a my_chat_member update is queued."""
        user = self.users[user_id]
        if not user.blocked:
            user.blocked = True
            self._queue_my_chat_member(self.chats[user_id], user.to_api(), "member", "kicked")

    def unblock(self, user_id: int) -> None:
        user = self.users[user_id]
        if user.blocked:
            user.blocked = False
            self._queue_my_chat_member(self.chats[user_id], user.to_api(), "kicked", "member")

    def set_bot_status(
        self,
        chat_id: int,
        status: MemberStatus,
        *,
        can_post_messages: bool | None = None,
        can_manage_topics: bool | None = None,
    ) -> None:
        """Promote/demote/kick the bot in a group or channel; queues my_chat_member."""
        chat = self.chats[chat_id]
        old, chat.bot_status = chat.bot_status, status
        if can_post_messages is not None:
            chat.can_post_messages = can_post_messages
        if can_manage_topics is not None:
            chat.can_manage_topics = can_manage_topics
        admin = {"id": 1, "is_bot": False, "first_name": "Chat Admin"}
        self._queue_my_chat_member(chat, admin, old, status)

    def migrate(self, group_id: int, new_supergroup_id: int, *, notify: bool = True) -> FakeChat:
        """Upgrade a group; the old id then answers 400 with migrate_to_chat_id."""
        old = self.chats[group_id]
        new = self.add_chat(
            new_supergroup_id, "supergroup", title=old.title, bot_status=old.bot_status
        )
        new.members = dict(old.members)
        old.migrated_to = new_supergroup_id
        if notify:
            admin = {"id": 1, "is_bot": False, "first_name": "Chat Admin"}
            for chat, extra in (
                (old, {"migrate_to_chat_id": new_supergroup_id}),
                (new, {"migrate_from_chat_id": group_id}),
            ):
                message = self._store(chat, "", sender=admin, extra=extra)
                self._queue_update("message", self.message_api(message))
        return new

    # ------------------------------------------------------------------ acting as users

    def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        extra: JSON | None = None,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        """The user writes to the bot in private; "/cmd" texts get a bot_command entity.
        `extra` adds Message fields (via_bot, forward_origin, …); `reply_to` makes it a reply
        (the update carries the message replied to, as Telegram's do)."""
        return self.user_sends_in(user_id, user_id, text, extra=extra, reply_to=reply_to)

    def user_sends_in(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        extra: JSON | None = None,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        chat, user = self.chats[chat_id], self.users[user_id]
        if chat.type == "channel":
            raise ValueError("users do not write in channels")
        if chat.type != "private":
            chat.members.setdefault(user_id, "member")
        entities = []
        if text.startswith("/"):
            command = re.split(r"\s", text, maxsplit=1)[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        fields = dict(extra or {})
        if reply_to is not None:
            if reply_to.chat_id != chat_id:
                raise ValueError("a reply is to a message of the same chat")
            fields["reply_to_message"] = self.message_api(reply_to)
        message = self._store(chat, text, entities, sender=user.to_api(), extra=fields)
        self._queue_update("message", self.message_api(message))
        return message

    def user_forwards(self, user_id: int, text: str, origin: JSON) -> StoredMessage:
        """The user forwards a message to the bot: `origin` is its forward_origin (from
        forwarded_from, hidden_forward or channel_forward)."""
        return self.user_sends(user_id, text, extra={"forward_origin": origin})

    @staticmethod
    def forwarded_from(user: FakeUser | JSON) -> JSON:
        """MessageOriginUser: a message the user wrote (any user, known to the bot or not)."""
        sender = user.to_api() if isinstance(user, FakeUser) else user
        return {"type": "user", "date": int(time.time()) - 60, "sender_user": sender}

    @staticmethod
    def hidden_forward(name: str) -> JSON:
        """MessageOriginHiddenUser: its author hides their account in forwards."""
        return {"type": "hidden_user", "date": int(time.time()) - 60, "sender_user_name": name}

    def channel_forward(self, chat_id: int, message_id: int = 1) -> JSON:
        """MessageOriginChannel: a post of a channel."""
        chat = self.chats[chat_id]
        return {
            "type": "channel", "date": int(time.time()) - 60, "chat": chat.to_api(),
            "message_id": message_id,
        }  # fmt: skip

    def user_edits(self, message: StoredMessage, text: str) -> StoredMessage:
        """The user edits a message they sent; Telegram sends an edited_message update."""
        if message.from_bot:
            raise ValueError("users edit only their own messages")
        entities = []
        if text.startswith("/"):
            command = re.split(r"\s", text, maxsplit=1)[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        message.text, message.entities = text, entities
        message.edit_date = int(time.time())
        self._queue_update("edited_message", self.message_api(message))
        return message

    def user_sends_document(
        self,
        user_id: int,
        file_name: str,
        data: bytes,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> StoredMessage:
        """The user sends a file to the bot in private: a message with a Document, whose
        bytes the bot gets with getFile and a download, as from Telegram."""
        file_id = self._new_file(data, f"documents/file_{len(self.files)}{_suffix(file_name)}")
        document: JSON = {
            "file_id": file_id, "file_unique_id": f"U{file_id}", "file_name": file_name,
            "mime_type": mime_type, "file_size": len(data),
        }  # fmt: skip
        extra: JSON = {"document": document}
        if caption:
            extra["caption"] = caption
        chat, user = self.chats[user_id], self.users[user_id]
        message = self._store(chat, "", sender=user.to_api(), extra=extra)
        self._queue_update("message", self.message_api(message))
        return message

    def _new_file(self, data: bytes, path: str) -> str:
        # Telegram's file ids are long opaque strings, never only digits.
        file_id = f"BQACAgIAAx{next(self._file_ids):08d}fake"
        self.files[file_id] = (path, data)
        return file_id

    def photo(self, message: StoredMessage) -> bytes:
        """The bytes of a photo the bot sent."""
        return self.files[message.extra["photo"][-1]["file_id"]][1]

    def photo_address(self, message: StoredMessage) -> str:
        """The address of a photo the bot sent by address ("" for an upload or no photo)."""
        sizes = message.extra.get("photo") or [{}]
        return self.photo_urls.get(sizes[-1].get("file_id", ""), "")

    def document(self, message: StoredMessage) -> tuple[str, bytes]:
        """The file name and the bytes of a document the bot sent."""
        document = message.extra["document"]
        return document["file_name"], self.files[document["file_id"]][1]

    def press_button(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """The user presses an inline button; returns the callback query id."""
        message = self.chats[chat_id].messages[message_id]
        query_id = self._new_query("callback")
        self._queue_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.users[user_id].to_api(),
                "message": self.message_api(message),
                "chat_instance": str(abs(hash(chat_id)) % 10**18),
                "data": data,
            },
        )
        return query_id

    def inline_query(
        self, user_id: int, query: str, offset: str = "", chat_type: str | None = "sender"
    ) -> str:
        """The user types "@bot query"; returns the inline query id."""
        query_id = self._new_query("inline")
        payload: JSON = {
            "id": query_id,
            "from": self.users[user_id].to_api(),
            "query": query,
            "offset": offset,
        }
        if chat_type:
            payload["chat_type"] = chat_type
        self._queue_update("inline_query", payload)
        return query_id

    @property
    def pending_updates(self) -> list[JSON]:
        """Queued updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    @property
    def polling(self) -> bool:
        """True while a getUpdates request is waiting on the server."""
        return self._active_poll is not None

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str = "sendMessage",
        status: int = 500,
        description: str | None = None,
        parameters: JSON | None = None,
        chat_id: int | str | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (optionally for one chat) with an error,
        once ``after`` of them have been answered normally."""
        if status == 429 and parameters is None:
            parameters = {"retry_after": 1}
        if description is None:
            description = {
                400: "Bad Request",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: "Conflict",
                429: f"Too Many Requests: retry after {(parameters or {}).get('retry_after')}",
                502: "Bad Gateway",
            }.get(status, "Internal Server Error")
        self._faults.append(
            _Fault(method.lower(), status, description, parameters, chat_id, times, after)
        )

    def refuse_photo(
        self, url: str, reason: str = "wrong file identifier/HTTP URL specified"
    ) -> None:
        """Answer sendPhoto with this address 400 "Bad Request: <reason>", as Telegram does
        when it cannot fetch the picture or cannot take what it fetched."""
        self._refused_photos[url] = reason

    def delay(self, method: str, seconds: float) -> None:
        """Make every call of ``method`` wait ``seconds`` before being handled (0 resets)."""
        self._delays[method.lower()] = seconds

    # ------------------------------------------------------------------ inspection

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    @property
    def count_429(self) -> int:
        """How many calls were answered 429 Too Many Requests (limits and injected)."""
        return sum(1 for call in self.calls if call.status == 429)

    def sent(self, chat_id: int | str, *, include_deleted: bool = False) -> list[StoredMessage]:
        """Messages the bot delivered to a chat, oldest first."""
        chat = self._resolve_chat(chat_id)
        return [
            message
            for message in chat.messages.values()
            if message.from_bot and (include_deleted or not message.deleted)
        ]

    def get_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        return self.commands.get(self._commands_key(scope, language_code), [])

    def menu(self, user_id: int, language_code: str | None = None) -> list[str]:
        """The commands a user sees in their private chat with the bot: the first list set,
        in Telegram's order (this chat, all private chats, the default; each with the
        user's language first)."""
        language = language_code if language_code is not None else self.users[user_id].language_code
        scopes: list[JSON] = [
            {"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"},
            {"type": "default"},
        ]  # fmt: skip
        for scope in scopes:
            for code in (language or "", ""):
                key = (json.dumps(scope, sort_keys=True), code)
                if key in self.commands:
                    return [command["command"] for command in self.commands[key]]
        return []

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``predicate()`` holds; re-checked after every call and update."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._changed.wait()

    async def wait_for_call(
        self,
        method: str,
        *,
        where: Callable[[Call], bool] | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Call:
        """Wait for the ``count``-th call of ``method`` (matching ``where``) and return it."""

        def matching() -> list[Call]:
            return [c for c in self.calls_of(method) if where is None or where(c)]

        try:
            await self.wait_for(lambda: len(matching()) >= count, timeout)
        except TimeoutError:
            seen = [call.method for call in self.calls]
            raise TimeoutError(
                f"no {method} call #{count} within {timeout}s; calls so far: {seen}"
            ) from None
        return matching()[count - 1]

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        if request.path.startswith("/file/bot"):
            return self._download(request)
        match = _PATH_RE.fullmatch(request.path)
        token, raw_method = match.groups() if match else ("", request.path)
        name, handler = self._methods.get(raw_method.lower(), (raw_method, None))
        params: JSON = {}
        try:
            params = await _read_params(request)
            bot_id, _, secret = token.partition(":")
            if not match or not bot_id.isdigit() or not secret:
                raise ApiError(404, "Not Found")
            if int(bot_id) != self.bot_id:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found")
            await self._apply_delay(name)
            self._raise_fault(name, params)
            _REQUEST.set(request)
            status, body = 200, {"ok": True, "result": await handler(params)}
        except ApiError as error:
            status, body = error.status, error.envelope()
        except _ClientGone:
            status, body = CLIENT_GONE, {"ok": False, "description": "client closed the request"}
        self.calls.append(Call(name, params, status, self.clock(), body))
        self._notify()
        return web.json_response(body, status=status)

    async def _apply_delay(self, method: str) -> None:
        if seconds := self._delays.get(method.lower()):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)

    def _raise_fault(self, method: str, params: JSON) -> None:
        for fault in self._faults:
            if fault.method != method.lower():
                continue
            if fault.chat_id is not None and not self._same_chat(fault.chat_id, params):
                continue
            if fault.skip > 0:
                fault.skip -= 1
                return
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            raise ApiError(fault.status, fault.description, fault.parameters)

    def _same_chat(self, wanted: int | str, params: JSON) -> bool:
        def key(value: object) -> object:
            try:
                return self._resolve_chat(value).id
            except ApiError:
                return value

        return key(wanted) == key(params.get("chat_id"))

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ state helpers

    def _resolve_chat(self, chat_id: object) -> FakeChat:
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == wanted:
                    return chat
            raise bad_request("chat not found")
        try:
            return self.chats[int(str(chat_id))]
        except (KeyError, ValueError):
            raise bad_request("chat not found") from None

    def _writable_chat(self, params: JSON) -> FakeChat:
        """The target chat of a send, with Telegram's membership errors."""
        chat = self._resolve_chat(params.get("chat_id"))
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.type == "private":
            user = self.users.get(chat.id)
            if user is not None and user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif chat.type == "channel":
            if chat.bot_status not in {"creator", "administrator"}:
                raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
            if chat.bot_status == "administrator" and not chat.can_post_messages:
                raise bad_request("need administrator rights in the channel chat")
        elif chat.bot_status in {"left", "kicked"}:
            verb = "was kicked from" if chat.bot_status == "kicked" else "is not a member of"
            raise ApiError(403, f"Forbidden: bot {verb} the {chat.type} chat")
        elif chat.bot_status == "restricted":
            raise bad_request("not enough rights to send text messages to the chat")
        return chat

    def _topic_of(self, chat: FakeChat, params: JSON) -> int | None:
        """The topic a send goes to, with Telegram's errors for a wrong or closed one."""
        if params.get("message_thread_id") in (None, ""):
            return None
        thread_id = _int(params, "message_thread_id")
        topic = chat.topics.get(thread_id)
        if topic is None:
            raise bad_request("message thread not found")
        bot_manages = chat.bot_status == "creator" or (
            chat.bot_status == "administrator" and chat.can_manage_topics
        )
        if topic.closed and not bot_manages:
            raise bad_request("TOPIC_CLOSED")
        return thread_id

    def _new_topic(self, chat: FakeChat, name: str, creator: JSON) -> int:
        created = {"forum_topic_created": {"name": name, "icon_color": 7322096}}
        message = self._store(chat, "", sender=creator, extra=created)
        message.extra |= {"message_thread_id": message.message_id, "is_topic_message": True}
        chat.topics[message.message_id] = FakeTopic(name)
        return message.message_id

    def _formatted_text(
        self, text: object, parse_mode: object, entities: object
    ) -> tuple[str, list[JSON]]:
        if not isinstance(text, str) or not text:
            raise bad_request("message text is empty")
        mode = str(parse_mode or "").lower()
        if mode == "html":
            try:
                text, found = parse_html(text, strict_ampersand=self.strict_ampersand)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif mode:
            raise bad_request(f"FakeTelegram supports only parse_mode HTML, got {parse_mode!r}")
        else:
            found = list(entities) if isinstance(entities, list) else []
        text, found = strip_text(text, found)
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT_UTF16:
            raise bad_request("message is too long")
        return text, found

    def _check_rate(self, chat: FakeChat, *, paid: bool) -> None:
        if not self.rate_limits:
            return
        now = self.clock()
        chat_times = self._send_times.setdefault(chat.id, deque())
        global_limit = self.paid_rate if paid else self.global_rate
        if chat.type == "private":
            chat_wait = _window_wait(chat_times, 1, self.private_interval, now)
        else:
            chat_wait = _window_wait(chat_times, self.group_per_minute, 60.0, now)
        global_times = self._send_times.setdefault("global", deque())
        wait = max(_window_wait(global_times, global_limit, 1.0, now), chat_wait)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    def _note_send(self, chat: FakeChat) -> None:
        now = self.clock()
        self._send_times.setdefault(chat.id, deque()).append(now)
        self._send_times.setdefault("global", deque()).append(now)

    def _store(
        self,
        chat: FakeChat,
        text: str,
        entities: list[JSON] | None = None,
        reply_markup: JSON | None = None,
        *,
        sender: JSON | None = None,
        params: JSON | None = None,
        extra: JSON | None = None,
    ) -> StoredMessage:
        message = StoredMessage(
            chat.id, chat.next_message_id, int(time.time()), text, entities or [],
            reply_markup, sender, params or {}, extra or {},
        )  # fmt: skip
        chat.messages[message.message_id] = message
        chat.next_message_id += 1
        return message

    def message_api(self, message: StoredMessage) -> JSON:
        """The Bot API ``Message`` object for a stored message."""
        chat = self.chats[message.chat_id]
        data: JSON = {"message_id": message.message_id, "date": message.date}
        if message.sender is not None:
            data["from"] = message.sender
        elif chat.type == "channel":
            data["sender_chat"] = chat.to_api()
        else:
            data["from"] = self.bot_user
        data["chat"] = chat.to_api()
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.text:
            data["text"] = message.text
        if message.entities:
            data["entities"] = message.entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data | message.extra

    def _bot_message(self, params: JSON, action: str) -> StoredMessage:
        if "inline_message_id" in params:
            raise bad_request("FakeTelegram does not support inline_message_id")
        chat = self._resolve_chat(params.get("chat_id"))
        message = chat.messages.get(_int(params, "message_id"))
        if message is None or message.deleted:
            raise bad_request(f"message to {action} not found")
        if not message.from_bot:
            raise bad_request(f"message can't be {action}ed")
        return message

    def _edit(
        self, message: StoredMessage, text: str, entities: list[JSON], markup: JSON | None
    ) -> JSON:
        if (message.text, message.entities, message.reply_markup) == (text, entities, markup):
            raise bad_request(NOT_MODIFIED)
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.edit_date = int(time.time())
        return self.message_api(message)

    def _queue_update(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        if self._active_poll is not None:
            self._active_poll.wake.set()
        self._push_wake.set()
        self._notify()
        return update

    def _queue_my_chat_member(self, chat: FakeChat, actor: JSON, old: str, new: str) -> None:
        self._queue_update(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": self._member_api(chat, self.bot_user, old),
                "new_chat_member": self._member_api(chat, self.bot_user, new),
            },
        )

    def _member_api(self, chat: FakeChat, user: JSON, status: str) -> JSON:
        data: JSON = {"status": status, "user": user}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "kicked":
            data["until_date"] = 0
        elif status == "administrator":
            rights = (
                "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
                "can_change_info can_invite_users can_post_stories can_edit_stories "
                "can_delete_stories can_pin_messages"
            ).split()
            data |= dict.fromkeys(rights, True)
            data |= {"can_be_edited": False, "is_anonymous": False, "can_promote_members": False}
            if chat.type == "channel":
                data |= {"can_post_messages": chat.can_post_messages, "can_edit_messages": True}
            elif chat.type == "supergroup":
                data["can_manage_topics"] = chat.can_manage_topics
        elif status == "restricted":
            # A member the group's admins muted: may not write at all.
            rights = (
                "can_send_messages can_send_audios can_send_documents can_send_photos "
                "can_send_videos can_send_video_notes can_send_voice_notes can_send_polls "
                "can_send_other_messages can_add_web_page_previews can_change_info "
                "can_invite_users can_pin_messages can_manage_topics can_edit_tag "
                "can_react_to_messages"
            ).split()
            data |= dict.fromkeys(rights, False) | {"is_member": True, "until_date": 0}
        return data

    def _new_query(self, kind: Literal["callback", "inline"]) -> str:
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _Query(kind, self.clock() + self.query_ttl)
        return query_id

    def _take_query(self, params: JSON, name: str, kind: str) -> str:
        query_id = str(params.get(name) or "")
        query = self._queries.get(query_id)
        if query is None or query.kind != kind or query.answered:
            raise bad_request(QUERY_INVALID)
        if self.clock() > query.deadline:
            raise bad_request(QUERY_INVALID)
        query.answered = True
        return query_id

    # ------------------------------------------------------------------ methods

    async def _true(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.inline_mode,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params, "offset", 0)
        limit = min(max(_int(params, "limit", 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if self._active_poll is not None:  # like Telegram: the newer request wins
            self._active_poll.terminated = True
            self._active_poll.wake.set()
        poll = self._active_poll = _Poll(request=_REQUEST.get())
        self._notify()
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            while True:
                if poll.terminated:
                    if poll.client_gone:  # a newer request came after this bot went away
                        raise _ClientGone
                    raise ApiError(409, CONFLICT)
                if self._allowed_updates:
                    allowed = set(self._allowed_updates) | {"update_id"}
                    self._updates = [u for u in self._updates if set(u) <= allowed]
                remaining = deadline - asyncio.get_running_loop().time()
                if self._updates or remaining <= 0 or self._closing.is_set():
                    return self._updates[:limit]
                poll.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(poll.wake.wait(), remaining)
        finally:
            if self._active_poll is poll:
                self._active_poll = None

    async def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if url:
            parts = urlsplit(url)
            # Telegram takes https only (ports 443, 80, 88, 8443); the fake takes plain http
            # to this machine too, where the tests' bots listen.
            local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
            if not (parts.scheme == "https" or local) or not parts.hostname:
                raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self._updates.clear()
        # An empty url removes the webhook, as deleteWebhook does.
        self.webhook_url = url
        self.webhook_secret = str(secret) if url and secret is not None else None
        self._webhook_error = None
        if url and (self._pusher is None or self._pusher.done()):
            self._pusher = asyncio.create_task(self._push_updates(), name="fake-webhook")
        self._push_wake.set()
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        self.webhook_secret = None
        self._push_wake.set()
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url and self._webhook_error:
            info |= {"last_error_date": int(time.time()), "last_error_message": self._webhook_error}
        return info

    async def _push_updates(self) -> None:
        """While a webhook is set, POST the queued updates to it, in order, one at a time:
        a 2xx answer confirms an update; anything else is tried again after a backoff."""
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT)
        delay = WEBHOOK_RETRY
        async with aiohttp.ClientSession(timeout=timeout) as client:
            while self.webhook_url and not self._closing.is_set():
                if self._allowed_updates:
                    allowed = set(self._allowed_updates) | {"update_id"}
                    self._updates = [u for u in self._updates if set(u) <= allowed]
                if not self._updates:
                    self._push_wake.clear()
                    await self._push_wake.wait()
                    continue
                update = self._updates[0]
                status = await self._push(client, update)
                self.webhook_posts.append((update["update_id"], status))
                if 200 <= status < 300:
                    self._updates = [u for u in self._updates if u is not update]
                    self._webhook_error = None
                    delay = WEBHOOK_RETRY
                    self._notify()
                    continue
                self._webhook_error = (
                    f"Wrong response from the webhook: {status}" if status else "Connection refused"
                )
                self._notify()
                # Telegram waits before trying again; a new setWebhook or a deleteWebhook
                # ends the wait.
                self._push_wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._push_wake.wait(), delay)
                delay = min(delay * 2, WEBHOOK_LONGEST_RETRY)

    async def _push(self, client: aiohttp.ClientSession, update: JSON) -> int:
        """POST one update to the webhook; its HTTP status, 0 when there was no answer."""
        headers = {SECRET_HEADER: self.webhook_secret} if self.webhook_secret else {}
        try:
            async with client.post(self.webhook_url, json=update, headers=headers) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._writable_chat(params)
        thread_id = self._topic_of(chat, params)
        text, entities = self._formatted_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = self._reply_markup(params)
        self._check_rate(chat, paid=bool(params.get("allow_paid_broadcast")))
        self._note_send(chat)
        extra = {} if thread_id is None else {"message_thread_id": thread_id,
                                              "is_topic_message": True}  # fmt: skip
        message = self._store(chat, text, entities, markup, params=params, extra=extra)
        return self.message_api(message)

    def _reply_markup(self, params: JSON) -> JSON | None:
        markup = check_reply_markup(params.get("reply_markup"))
        if markup and not self.inline_mode:
            # A button that opens inline mode needs it on; the fake refuses it, as Telegram
            # may (the strictest reading).
            for row in markup.get("inline_keyboard", []):
                if any(key.startswith("switch_inline_query") for b in row for key in b):
                    raise bad_request("BUTTON_TYPE_INVALID")
        return markup

    async def _send_chat_action(self, params: JSON) -> bool:
        self._writable_chat(params)
        return True

    async def _edit_message_text(self, params: JSON) -> JSON:
        message = self._bot_message(params, "edit")
        if message.has_media:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = self._reply_markup(params)
        return self._edit(message, text, entities, markup)

    async def _edit_message_caption(self, params: JSON) -> JSON:
        """A photo's or a document's new caption (none removes it) and keyboard."""
        message = self._bot_message(params, "edit")
        if not message.has_media:
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        markup = self._reply_markup(params)
        old = {key: message.extra[key] for key in ("caption", "caption_entities")
               if key in message.extra}  # fmt: skip
        if (old, message.reply_markup) == (caption, markup):
            raise bad_request(NOT_MODIFIED)
        for key in ("caption", "caption_entities"):
            message.extra.pop(key, None)
        message.extra |= caption
        message.reply_markup = markup
        message.edit_date = int(time.time())
        return self.message_api(message)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        message = self._bot_message(params, "edit")
        markup = self._reply_markup(params)
        return self._edit(message, message.text, message.entities, markup)

    async def _delete_message(self, params: JSON) -> bool:
        self._bot_message(params, "delete").deleted = True
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[self._take_query(params, "callback_query_id", "callback")] = params
        return True

    async def _answer_inline_query(self, params: JSON) -> bool:
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request('Field "results" must be of type Array')
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        if len(str(params.get("next_offset") or "").encode()) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        seen: set[str] = set()
        for result in results:
            result_id = str(result.get("id", "")) if isinstance(result, dict) else ""
            if not 1 <= len(result_id.encode()) <= 64 or not result.get("type"):
                raise bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                self._formatted_text(
                    content["message_text"], content.get("parse_mode"), content.get("entities")
                )
            check_reply_markup(result.get("reply_markup"))
        self.inline_answers[self._take_query(params, "inline_query_id", "inline")] = params
        return True

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH" if commands else "commands is empty")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return self.commands.get(key, [])

    async def _delete_my_commands(self, params: JSON) -> bool:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self.commands.pop(key, None)
        return True

    def _commands_key(self, scope: object, language_code: object) -> tuple[str, str]:
        """A command list's key: its scope as Telegram checks it, and its language."""
        return json.dumps(self._scope(scope), sort_keys=True), str(language_code or "")

    def _scope(self, raw: object) -> JSON:
        """A BotCommandScope, checked as the Bot API does (its errors, word for word): a
        known type; for the chat scopes a chat the bot has, by id or @username (a person
        the bot never talked to has none: "chat not found"); for chat_member a user id."""
        if raw is None or raw == "":
            return {"type": "default"}
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise bad_request("can't parse BotCommandScope JSON object") from None
        prefix = "can't parse BotCommandScope: "
        if not isinstance(raw, dict):
            raise bad_request(prefix + "BotCommandScope must be an Object")
        kind = raw.get("type")
        if not isinstance(kind, str):
            raise bad_request(prefix + 'Can\'t find field "type"')
        if kind in {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}:
            return {"type": kind}
        if kind not in {"chat", "chat_administrators", "chat_member"}:
            raise bad_request(prefix + "Unsupported type specified")
        if "chat_id" not in raw:
            raise bad_request(prefix + 'Can\'t find field "chat_id"')
        if str(raw["chat_id"]) == "":
            raise bad_request(prefix + "Empty chat_id specified")
        scope: JSON = {"type": kind, "chat_id": self._resolve_chat(raw["chat_id"]).id}
        if kind == "chat_member":
            try:
                user_id = int(raw.get("user_id"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise bad_request(prefix + 'Can\'t find field "user_id"') from None
            if user_id <= 0:
                raise bad_request(prefix + "Invalid user_id specified")
            scope["user_id"] = user_id
        return scope

    async def _get_chat(self, params: JSON) -> JSON:
        chat = self._resolve_chat(params.get("chat_id"))
        if chat.bot_status == "kicked" and chat.type != "private":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        return chat.to_api() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys((*gifts, "gifts_from_channels"), False),
        }

    async def _get_chat_member(self, params: JSON) -> JSON:
        chat = self._resolve_chat(params.get("chat_id"))
        user_id = _int(params, "user_id")
        if user_id == self.bot_id:
            return self._member_api(chat, self.bot_user, chat.bot_status)
        if user_id not in self.users:
            raise bad_request("user not found")
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = chat.members.get(user_id, "left")
        return self._member_api(chat, self.users[user_id].to_api(), status)

    async def _create_forum_topic(self, params: JSON) -> JSON:
        chat = self._resolve_chat(params.get("chat_id"))
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        if chat.bot_status != "creator" and not (
            chat.bot_status == "administrator" and chat.can_manage_topics
        ):
            raise bad_request("not enough rights to create a topic")
        thread_id = self._new_topic(chat, name, self.bot_user)
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}

    async def _get_file(self, params: JSON) -> JSON:
        file_id = str(params.get("file_id") or "")
        if not file_id:
            raise bad_request("file_id is empty")
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        path, data = self.files[file_id]
        if len(data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": file_id, "file_unique_id": f"U{file_id}", "file_size": len(data),
            "file_path": path,
        }  # fmt: skip

    def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: the bytes of a file getFile named."""
        token, _, path = request.path.removeprefix("/file/bot").partition("/")
        found = [data for known, data in self.files.values() if known == path]
        if token != self.token or not found:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return web.json_response(body, status=404)
        return web.Response(body=found[0], content_type="application/octet-stream")

    def _upload(self, params: JSON, field: str) -> tuple[str, bytes]:
        """The file a send method carries: a multipart upload, or a file_id known here."""
        upload = params.get(field)
        if isinstance(upload, dict) and "data" in upload:
            name, data = str(upload.get("filename") or field), bytes(upload["data"])
        elif isinstance(upload, str) and upload in self.files:
            name, data = field, self.files[upload][1]
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not data:
            raise bad_request("file must be non-empty")
        return name, data

    def _caption(self, params: JSON) -> JSON:
        """A media message's caption (at most 1024 characters once its entities are parsed)."""
        if not params.get("caption"):
            return {}
        caption, entities = self._formatted_text(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        if utf16_len(caption) > MAX_CAPTION_UTF16:
            raise bad_request("message caption is too long")
        return {"caption": caption} | ({"caption_entities": entities} if entities else {})

    async def _send_document(self, params: JSON) -> JSON:
        chat = self._writable_chat(params)
        name, data = self._upload(params, "document")
        extra = self._caption(params)
        file_id = self._new_file(data, f"documents/file_{len(self.files)}{_suffix(name)}")
        extra["document"] = {
            "file_id": file_id, "file_unique_id": f"U{file_id}", "file_name": name,
            "mime_type": "application/octet-stream", "file_size": len(data),
        }  # fmt: skip
        markup = self._reply_markup(params)
        self._check_rate(chat, paid=False)
        self._note_send(chat)
        return self.message_api(self._store(chat, "", [], markup, params=params, extra=extra))

    async def _send_photo(self, params: JSON) -> JSON:
        """sendPhoto with an uploaded PNG, checked as Telegram checks a photo: at most 10 MB,
        width + height at most 10000, the longer side at most 20 times the shorter; or with
        the http(s) address of a picture, which Telegram would download (the fake takes any
        address but those refused with refuse_photo)."""
        chat = self._writable_chat(params)
        thread_id = self._topic_of(chat, params)
        topic = {} if thread_id is None else {"message_thread_id": thread_id,
                                              "is_topic_message": True}  # fmt: skip
        photo = params.get("photo")
        if isinstance(photo, str) and photo.startswith(("http://", "https://")):
            return self._send_photo_by_address(chat, photo, params, topic)
        _, data = self._upload(params, "photo")
        if len(data) > MAX_PHOTO_BYTES:
            raise bad_request("PHOTO_SAVE_FILE_INVALID")
        width, height = _png_size(data)
        if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(
            width, height
        ):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        extra = self._caption(params)
        file_id = self._new_file(data, f"photos/file_{len(self.files)}.png")
        extra["photo"] = [{
            "file_id": file_id, "file_unique_id": f"U{file_id}", "width": width,
            "height": height, "file_size": len(data),
        }]  # fmt: skip
        markup = self._reply_markup(params)
        self._check_rate(chat, paid=bool(params.get("allow_paid_broadcast")))
        self._note_send(chat)
        extra |= topic
        return self.message_api(self._store(chat, "", [], markup, params=params, extra=extra))

    def _send_photo_by_address(self, chat: FakeChat, url: str, params: JSON, topic: JSON) -> JSON:
        if _url_problem(url) is not None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if url in self._refused_photos:
            raise bad_request(self._refused_photos[url])
        extra = self._caption(params)
        file_id = f"AgACAgIAAx{next(self._file_ids):08d}url"
        self.photo_urls[file_id] = url
        # One size, as for a small picture; the fake never learns its real dimensions.
        extra["photo"] = [{"file_id": file_id, "file_unique_id": f"U{file_id}",
                           "width": 800, "height": 450}]  # fmt: skip
        markup = self._reply_markup(params)
        self._check_rate(chat, paid=bool(params.get("allow_paid_broadcast")))
        self._note_send(chat)
        extra |= topic
        return self.message_api(self._store(chat, "", [], markup, params=params, extra=extra))

    async def _get_chat_administrators(self, params: JSON) -> list[JSON]:
        chat = self._resolve_chat(params.get("chat_id"))
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        admins = [
            self._member_api(chat, self.users[uid].to_api(), status)
            for uid, status in chat.members.items()
            if status in {"creator", "administrator"} and uid in self.users
        ]
        if chat.bot_status == "administrator":
            admins.append(self._member_api(chat, self.bot_user, "administrator"))
        return admins

"""Nashra's error hierarchy.

Errors from libraries (aiohttp, feedparser, telegram, SQLAlchemy) are translated into these
where they enter our code, so the layers above never import those libraries' exceptions.

    NashraError
    ├── ConfigError          a setting is missing or has a bad value (start-up)
    ├── FeedError            one feed could not be used; recorded on the feed, never fatal
    │   ├── FetchError       network, timeout, HTTP status, too large, too many redirects
    │   │   └── AddressNotAllowed   a hop leads to a loopback, private, metadata… address
    │   └── ParseError       not a feed, or nothing usable in it
    ├── DeliveryError        Telegram refused or failed a send; `outcome` says what to do
    └── SearchTimeout        a search took longer than its time limit and was cut off
"""

from __future__ import annotations

import enum


class NashraError(Exception):
    """Base of every error Nashra raises on purpose."""


class ConfigError(NashraError):
    """A setting is missing or invalid; the message names it."""


class FeedError(NashraError):
    """A feed could not be fetched or parsed. The message is shown to operators."""


class FetchError(FeedError):
    """The feed's server could not be reached or answered with something unusable."""


class AddressNotAllowed(FetchError):
    """The feed, or one of its redirects, leads to an address feeds are never fetched from
    (loopback, private, link-local, metadata, …) unless ALLOW_PRIVATE_FEEDS=true.

    The message names hosts as URLs spell them, never the addresses a name resolved to, nor
    ports: it is stored on the feed and shown to operators.
    """

    def __init__(
        self, host: str, kind: str, *, resolved: bool = False, via: str | None = None
    ) -> None:
        self.host = host
        self.kind = kind
        self.resolved = resolved
        article = "an" if kind[0] in "aeiou" else "a"
        if via is None:
            where = f"{host} resolves to" if resolved else f"{host} is"
        elif resolved:
            where = f"{via} redirects to {host}, which resolves to"
        else:  # an IP literal in a redirect: the address itself is not repeated
            where = f"{via} redirects to"
        super().__init__(f"address not allowed: {where} {article} {kind} address")

    def via(self, origin: str) -> AddressNotAllowed:
        """The same refusal, met on a redirect from `origin`."""
        return AddressNotAllowed(self.host, self.kind, resolved=self.resolved, via=origin)


class ParseError(FeedError):
    """The body is not a usable RSS or Atom feed."""


class SendOutcome(enum.Enum):
    """What the sender does after a failed send."""

    RETRY = "retry"  # network error or 5xx: try again later with backoff
    RATE_LIMITED = "rate_limited"  # 429: wait retry_after (one chat or the bot), then retry
    REFUSED = "refused"  # 401/404: the token or the API URL is wrong; hold everything
    CHAT_GONE = "chat_gone"  # 403 or chat not found: deactivate the chat
    MIGRATED = "migrated"  # the group became a supergroup: move the chat and retry
    MALFORMED = "malformed"  # the message itself is wrong (entities, length): no one gets it
    REJECTED = "rejected"  # another 400 for this chat: recorded, never retried


class DeliveryError(NashraError):
    """A send failed; `outcome` tells the sender what to do next."""

    def __init__(
        self,
        message: str,
        outcome: SendOutcome,
        *,
        retry_after: float | None = None,
        new_chat_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.retry_after = retry_after
        self.new_chat_id = new_chat_id


class SearchTimeout(NashraError):
    """A search was cut off at its time limit (an inline answer must come within a second)."""


# Telegram's answers to a photo whose picture it cannot take (an address it cannot fetch, not
# an image, the wrong size): the post can still go as text.
PICTURE_REFUSED = (
    "wrong file identifier/http url specified", "failed to get http url content",
    "wrong type of the web page content", "image_process_failed", "photo_invalid_dimensions",
    "wrong remote file identifier specified", "photo_save_file_invalid",
)  # fmt: skip


def refuses_picture(description: str) -> bool:
    """Whether Telegram's answer to a photo is about its picture (not the chat or caption)."""
    return any(marker in description.lower() for marker in PICTURE_REFUSED)

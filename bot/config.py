"""Typed settings, read once from the environment and `.env`, then passed down."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

TELEGRAM_API = "https://api.telegram.org"
# Seconds for a sent message's outcome to be written; bot/delivery/outlets.py's
# RECORD_ALLOWANCE is the same number (a test checks it).
RECORD_SECONDS = 5.0
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_PLACEHOLDER_TOKENS = {"", "changeme", "your-token-here", "123456:abc-def"}


class Settings(BaseSettings):
    """Every setting Nashra reads; `.env.example` lists exactly these."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///nashra.db"
    telegram_api_base_url: str = TELEGRAM_API
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    poll_interval_seconds: int = Field(default=300, ge=30, le=86_400)
    timezone: str = "Asia/Damascus"
    locale: str = "ar_SY"
    digits: Literal["arab", "latn"] = "arab"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    summary_max_chars: int = Field(default=400, ge=80, le=3000)
    fetch_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    fetch_max_bytes: int = Field(default=5_000_000, ge=10_000)
    fetch_concurrency: int = Field(default=32, ge=1, le=1000)
    fetch_per_host: int = Field(default=4, ge=1, le=100)
    allow_private_feeds: bool = False
    fulltext_min_chars: int = Field(default=400, ge=0, le=100_000)
    pages_per_poll: int = Field(default=10, ge=0, le=1000)
    page_timeout_seconds: float = Field(default=8.0, gt=0, le=300)
    page_concurrency: int = Field(default=8, ge=1, le=1000)
    page_max_bytes: int = Field(default=2_000_000, ge=10_000)
    parse_workers: int = Field(default=2, ge=0, le=64)
    fast_parse: bool = True
    max_feed_failures: int = Field(default=20, ge=1)
    max_internal_failures: int = Field(default=10, ge=1)
    max_posts_per_poll: int = Field(default=10, ge=1, le=1000)
    max_entry_age_hours: float = Field(default=48, gt=0)
    global_rate_per_second: float = Field(default=30.0, gt=0, le=1000)
    paid_broadcast: bool = False
    sender_lease_seconds: int = Field(default=60, ge=2, le=3600)
    send_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    pacing_margin: float = Field(default=0.05, ge=0, le=1)
    outbox_retention_days: int = Field(default=30, ge=1, le=3650)
    search_timeout_seconds: float = Field(default=0.8, gt=0, le=30)
    search_command_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    search_recent_matches: int = Field(default=300, ge=10, le=100_000)
    search_stopword_share: float = Field(default=0.1, gt=0, le=1)
    search_prefix_completions: int = Field(default=64, ge=1, le=500)
    # Several processes on one PostgreSQL (DESIGN §7): the HTTP server (health, metrics and
    # the webhook), the webhook itself, and what the elected sender leaves to the others.
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, ge=0, le=65_535)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    reply_headroom_per_second: float = Field(default=2.0, gt=0, le=100)
    heartbeat_seconds: float = Field(default=5.0, ge=0.5, le=60)
    # WebSub (issue 12): feeds that name a hub are pushed to <callback URL>/<token>. The
    # callback URL defaults to WEBHOOK_URL's origin + /websub; neither: no push at all.
    websub_callback_url: str | None = None
    websub_poll_seconds: int = Field(default=3600, ge=60, le=86_400 * 7)
    websub_lease_seconds: int = Field(default=864_000, ge=300, le=86_400 * 365)
    websub_max_bytes: int = Field(default=2_000_000, ge=10_000)

    @model_validator(mode="after")
    def _paid_rate(self) -> Settings:
        if self.global_rate_per_second > 30 and not self.paid_broadcast:
            raise ValueError(
                "GLOBAL_RATE_PER_SECOND above 30 needs PAID_BROADCAST=true (Telegram's paid "
                "broadcasts allow up to 1000 messages per second)"
            )
        return self

    @model_validator(mode="after")
    def _lease_covers_a_send(self) -> Settings:
        # A send started at the end of a lease's sending window may take the whole request
        # timeout, and its outcome up to RECORD_SECONDS to be written, all inside the lease
        # (bot/delivery/outlets.py, SenderSettings.lease_margin).
        least = self.send_timeout_seconds + RECORD_SECONDS
        if self.sender_lease_seconds <= least:
            raise ValueError(
                f"SENDER_LEASE_SECONDS must be longer than SEND_TIMEOUT_SECONDS + "
                f"{RECORD_SECONDS:g} ({least:g} s): the end of a lease starts no sends"
            )
        return self

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if self.webhook_url is None:
            return self
        if self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_URL needs WEBHOOK_SECRET: Telegram sends it with every update, and "
                "a request without it is refused"
            )
        if self.http_port is None:
            raise ValueError("WEBHOOK_URL needs HTTP_PORT: the port the webhook listens on")
        return self

    @model_validator(mode="after")
    def _headroom_below_rate(self) -> Settings:
        if self.reply_headroom_per_second >= self.global_rate_per_second:
            raise ValueError(
                "REPLY_HEADROOM_PER_SECOND must be below GLOBAL_RATE_PER_SECOND: it is the "
                "share of the rate the sender leaves to the other processes' replies"
            )
        return self

    @model_validator(mode="after")
    def _websub_served(self) -> Settings:
        if self.websub_callback_url is not None and self.http_port is None:
            raise ValueError(
                "WEBSUB_CALLBACK_URL needs HTTP_PORT: the port the hub's notifications reach"
            )
        return self

    @property
    def websub_callback(self) -> str | None:
        """The public URL the hubs call back (a token is appended), or None: no WebSub."""
        if self.websub_callback_url is not None:
            return self.websub_callback_url.rstrip("/")
        if self.webhook_url is None:
            return None
        parts = urlsplit(self.webhook_url)
        return f"{parts.scheme}://{parts.netloc}/websub"

    @property
    def websub_path(self) -> str:
        """The path the callbacks are served on: the callback URL's (a proxy passes it)."""
        path = urlsplit(self.websub_callback or "").path.rstrip("/")
        return path or "/websub"

    @field_validator("webhook_url", "http_port", "websub_callback_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # .env.example leaves them blank: no webhook, no HTTP server.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url", "websub_callback_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    "must be the bot's public https URL, e.g. https://bot.example.org/telegram"
                )
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _blank_secret(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -.
        if value is not None and not _SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @property
    def webhook_path(self) -> str:
        """The path the webhook is served on: the public URL's (a proxy passes it through)."""
        path = urlsplit(self.webhook_url or "").path
        return path if path not in ("", "/") else "/telegram"

    @field_validator("bot_token", mode="before")
    @classmethod
    def _reject_placeholder(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in _PLACEHOLDER_TOKENS:
            return None
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            bot_id, _, secret = value.get_secret_value().partition(":")
            if not bot_id.isdigit() or not secret:
                raise ValueError("must look like 123456789:AA... as BotFather gives it")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in value.replace(";", ",").replace(" ", ",").split(",") if part]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Damascus)") from None
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError):
            raise ValueError(f"unknown locale {value!r} (e.g. ar_SY, ar_EG, en)") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        """The Bot API root: python-telegram-bot's own form, ending in /bot (its base_url,
        to which it appends the token), means the same server."""
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        root = value.rstrip("/")
        root = root.removesuffix("/bot").rstrip("/")
        if not urlsplit(root).hostname:
            raise ValueError("must name a server, such as https://api.telegram.org")
        return root

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def load_settings(**overrides: object) -> Settings:
    """Build the settings once; a bad value becomes a ConfigError naming the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]).upper() or "settings"
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("invalid setting " + "; ".join(problems)) from None

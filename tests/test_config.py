"""Settings: defaults, parsing, and bad values that name themselves."""

from __future__ import annotations

import re

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.feeds.pages import PageSettings
from bot.services import page_settings
from tests.support import REPO, make_settings

ENV_EXAMPLE = REPO / ".env.example"


def test_defaults() -> None:
    settings = make_settings()
    assert settings.database_url == "sqlite+aiosqlite:///nashra.db"
    assert settings.telegram_api_base_url == "https://api.telegram.org"
    assert settings.poll_interval_seconds == 300
    assert (settings.timezone, settings.locale, settings.digits) == (
        "Asia/Damascus",
        "ar_SY",
        "arab",
    )
    assert settings.bot_token is None
    assert settings.fast_parse is True
    # An inline answer must come within a second; /search may wait longer.
    assert (settings.search_timeout_seconds, settings.search_command_timeout_seconds) == (0.8, 5)


def test_env_example_lists_exactly_the_settings() -> None:
    listed = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE)
    assert sorted(listed) == sorted(name.upper() for name in Settings.model_fields)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"timezone": "Mars/Olympus"}, "TIMEZONE"),
        ({"locale": "xx_QQ"}, "LOCALE"),
        ({"digits": "roman"}, "DIGITS"),
        ({"poll_interval_seconds": 5}, "POLL_INTERVAL_SECONDS"),
        ({"bot_token": "not-a-token"}, "BOT_TOKEN"),
        ({"telegram_api_base_url": "api.telegram.org"}, "TELEGRAM_API_BASE_URL"),
        ({"global_rate_per_second": 100}, "PAID_BROADCAST"),
        ({"log_level": "LOUD"}, "LOG_LEVEL"),
        ({"search_command_timeout_seconds": 0}, "SEARCH_COMMAND_TIMEOUT_SECONDS"),
        ({"page_timeout_seconds": 0}, "PAGE_TIMEOUT_SECONDS"),
        ({"pages_per_poll": -1}, "PAGES_PER_POLL"),
    ],
)
def test_bad_values_name_the_setting(values: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        make_settings(**values)


def test_article_page_defaults_reach_the_page_reader() -> None:
    """Thin entries (under 400 characters) get their pages, ten a poll, eight at once, within
    eight seconds; the tests' own settings fetch none (make_settings)."""
    settings = load_settings(_env_file=None)
    assert page_settings(settings) == PageSettings(
        min_chars=400, per_poll=10, timeout_seconds=8.0, concurrency=8, max_bytes=2_000_000
    )
    assert make_settings().pages_per_poll == 0


def test_parsing() -> None:
    settings = make_settings(
        admin_ids="12, 34;56",
        bot_token="123456:ABCdef",
        log_level="debug",
        global_rate_per_second=1000,
        paid_broadcast=True,
        telegram_api_base_url="http://127.0.0.1:8081/",
    )
    assert settings.admin_ids == [12, 34, 56]
    assert settings.log_level == "DEBUG"
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081"
    assert "ABCdef" not in repr(settings)  # the token is a secret
    assert make_settings(fast_parse="false").fast_parse is False


@pytest.mark.parametrize("placeholder", ["", "changeme", "123456:ABC-DEF"])
def test_placeholder_token_counts_as_none(placeholder: str) -> None:
    assert make_settings(bot_token=placeholder).bot_token is None


def test_search_command_timeout_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEARCH_COMMAND_TIMEOUT_SECONDS", "2.5")
    assert make_settings().search_command_timeout_seconds == 2.5


@pytest.mark.parametrize(
    "given",
    [
        "http://127.0.0.1:8081",
        "http://127.0.0.1:8081/",
        "http://127.0.0.1:8081/bot",
        "http://127.0.0.1:8081/bot/",
    ],
)
def test_the_api_root_or_ptb_s_bot_url_mean_the_same_server(given: str) -> None:
    assert make_settings(telegram_api_base_url=given).telegram_api_base_url == (
        "http://127.0.0.1:8081"
    )


@pytest.mark.parametrize(
    ("given", "root"),
    [
        # A self-hosted server under a path keeps its path; only a final /bot goes.
        ("https://example.org/telegram/bot", "https://example.org/telegram"),
        ("https://example.org/botapi", "https://example.org/botapi"),
        ("https://api.telegram.org", "https://api.telegram.org"),
    ],
)
def test_only_a_final_bot_is_python_telegram_bot_s(given: str, root: str) -> None:
    assert make_settings(telegram_api_base_url=given).telegram_api_base_url == root


@pytest.mark.parametrize("given", ["http://", "https:///bot", "http:///"])
def test_an_api_url_without_a_server_is_named(given: str) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_API_BASE_URL"):
        make_settings(telegram_api_base_url=given)


def test_several_processes_settings() -> None:
    """No HTTP server and long polling unless asked; a webhook needs its secret and a port."""
    settings = make_settings(http_port="", webhook_url="", webhook_secret="")
    assert (settings.http_port, settings.webhook_url, settings.webhook_secret) == (None,) * 3
    hook = make_settings(
        webhook_url="https://bot.example.org/hooks/nashra", webhook_secret="s3cret_-X", http_port=0
    )
    assert hook.webhook_path == "/hooks/nashra"
    assert make_settings(webhook_url="https://bot.example.org", webhook_secret="a", http_port=8080)
    assert (
        make_settings(
            webhook_url="https://bot.example.org", webhook_secret="a", http_port=8080
        ).webhook_path
        == "/telegram"
    )


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"webhook_url": "https://bot.example.org/t", "http_port": 8080}, "WEBHOOK_SECRET"),
        ({"webhook_url": "https://bot.example.org/t", "webhook_secret": "abc"}, "HTTP_PORT"),
        (
            {"webhook_url": "https://b.example/t", "webhook_secret": "no spaces", "http_port": 1},
            "WEBHOOK_SECRET",
        ),
        ({"webhook_url": "ftp://bot.example.org"}, "WEBHOOK_URL"),
        ({"reply_headroom_per_second": 30}, "REPLY_HEADROOM_PER_SECOND"),
        ({"reply_headroom_per_second": 0}, "REPLY_HEADROOM_PER_SECOND"),
        ({"http_port": 70_000}, "HTTP_PORT"),
    ],
)
def test_bad_several_processes_settings(values: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        make_settings(**values)


def test_websub_settings() -> None:
    """No public URL, no WebSub; the callback is WEBHOOK_URL's origin + /websub unless set."""
    plain = make_settings(websub_callback_url="")
    assert (plain.websub_callback, plain.websub_poll_seconds) == (None, 3600)
    assert (plain.websub_lease_seconds, plain.websub_max_bytes) == (864_000, 2_000_000)
    hook = make_settings(
        webhook_url="https://bot.example.org/hooks/nashra", webhook_secret="s", http_port=8080
    )
    assert (hook.websub_callback, hook.websub_path) == ("https://bot.example.org/websub", "/websub")
    own = make_settings(websub_callback_url="https://push.example.org/in/", http_port=8080)
    assert (own.websub_callback, own.websub_path) == ("https://push.example.org/in", "/in")


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"websub_callback_url": "https://push.example.org/in"}, "HTTP_PORT"),
        ({"websub_callback_url": "ftp://push.example.org", "http_port": 1}, "WEBSUB_CALLBACK_URL"),
        ({"websub_poll_seconds": 10}, "WEBSUB_POLL_SECONDS"),
        ({"websub_lease_seconds": 10}, "WEBSUB_LEASE_SECONDS"),
        ({"websub_max_bytes": 10}, "WEBSUB_MAX_BYTES"),
    ],
)
def test_bad_websub_settings(values: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        make_settings(**values)

"""The `nashra` command: no token, bad settings, preview of every corpus feed, bootstrap."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.cli import SHELL_ID
from storage import admins, catalog, channels
from storage.db import make_engine, make_sessions
from storage.feeds import feed_by_url
from storage.models import CATEGORY_NAME_CHARS, FEED_NAME_CHARS, LINK_CHARS
from tests.fakes.feeds import rss
from tests.support import REPO, STANDARD_CATEGORIES, corpus_dir

CORPUS = sorted((REPO.parent / "shared" / "feeds").glob("*/*.xml"))


def nashra(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd, env={**clean, **env, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_run_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    result = nashra("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert "BOT_TOKEN" in result.stderr
    assert "لا يوجد رمز للبوت" in result.stderr
    assert ".env" in result.stderr


def test_a_bad_setting_is_named(tmp_path: Path) -> None:
    result = nashra("run", cwd=tmp_path, POLL_INTERVAL_SECONDS="often", BOT_TOKEN="1:x")
    assert result.returncode == 2
    assert "POLL_INTERVAL_SECONDS" in result.stderr


def test_token_is_read_from_dotenv_and_never_printed(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=12345:SECRETSECRET\nLOCALE=xx_YY\n")
    result = nashra("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "LOCALE" in result.stderr
    assert "SECRETSECRET" not in result.stderr + result.stdout


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    # The corpus feeds link to real sites: their article pages are not fetched in tests.
    monkeypatch.setenv("PAGES_PER_POLL", "0")
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_preview_every_corpus_feed(
    path: Path, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["preview", str(path), "--limit", "2"])
    out, err = capsys.readouterr()
    if code == 0:
        assert "المصدر / feed:" in out
        if "── 1/" in out:
            assert "نشر أولاً على موقع" in out
            assert "[شارك] → inline: " in out  # the share button, as it would be sent
    else:
        assert code == 1
        assert "cannot use this feed" in err


def test_preview_shows_categories_and_channels(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = corpus_dir() / "ar" / "doyouknow-app-ar-2026-08-18.xml"
    assert main(["category", "add", "تقنية", "--alias", "التقنية"]) == 0
    assert main(["channel", "add", "-1001", "--category", "تقنية"]) == 0
    capsys.readouterr()
    assert main(["preview", str(feed), "--limit", "20"]) == 0
    out = capsys.readouterr().out
    assert "التصنيفات / categories: تقنية" in out
    assert "القنوات / channels: -1001" in out


def test_a_fresh_install_lists_the_standard_categories(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["category", "list"]) == 0
    out = capsys.readouterr().out
    names = [line for line in out.splitlines() if not line.startswith(" ")]
    assert sorted(names) == sorted(STANDARD_CATEGORIES)
    assert "politics" in out
    assert "اقتصاد وأعمال" in out


def test_a_feed_s_own_labels_find_the_standard_categories_on_a_fresh_install(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "labels.xml"
    items = [
        {"title": "انسحاب من حي الشيخ مقصود", "link": "https://news.example.sy/1",
         "category": "سوريا محلي", "description": "<p>خبر محلي.</p>"},
        {"title": "الليرة أمام الدولار", "link": "https://news.example.sy/2",
         "category": "Business|الأعمال والاقتصاد", "description": "<p>خبر اقتصادي.</p>"},
    ]  # fmt: skip
    feed.write_text(rss(items), encoding="utf-8")
    assert main(["preview", str(feed), "--limit", "2"]) == 0
    out = capsys.readouterr().out
    local, economy = out.split("── ")[1:]
    assert "#سوريا_محلي" in local
    assert "التصنيفات / categories: سوريا محلي" in local
    assert "#اقتصاد" in economy
    assert "التصنيفات / categories: اقتصاد\n" in economy + "\n"


def test_a_fresh_install_labels_a_feed_s_sections_on_both_databases(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same on a fresh SQLite and a fresh PostgreSQL: the seeded sections are listed, and
    an entry's own «سوريا محلي» label gets its hashtag in the preview."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PAGES_PER_POLL", "0")  # the entry's link is made up
    feed = tmp_path / "local.xml"
    item = {"title": "انسحاب من حي الشيخ مقصود", "link": "https://news.example.sy/1",
            "category": "سوريا محلي", "description": "<p>خبر محلي.</p>"}  # fmt: skip
    feed.write_text(rss([item]), encoding="utf-8")
    assert main(["category", "list"]) == 0
    names = [line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")]
    assert sorted(names) == sorted(STANDARD_CATEGORIES)
    assert main(["preview", str(feed), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "#سوريا_محلي" in out
    assert "التصنيفات / categories: سوريا محلي" in out


def test_bootstrap_commands(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["feed", "add", "https://www.enabbaladi.net/feed/", "--category", "سياسة",
                 "--category", "سوريا محلي", "--name", "عنب بلدي"]) == 0  # fmt: skip
    assert main(["feed", "add", "https://www.enabbaladi.net/feed/"]) == 1  # already there
    assert main(["feed", "add", "ftp://example.com/feed"]) == 2
    assert main(["channel", "add", "-1001234", "--category", "سياسة"]) == 0
    assert main(["channel", "add", "@some_channel", "--category", "سياسة"]) == 1  # no token
    capsys.readouterr()
    assert main(["feed", "list"]) == 0
    listing = capsys.readouterr().out
    assert "enabbaladi.net" in listing
    assert "سوريا محلي" in listing
    assert main(["channel", "list"]) == 0
    assert "-1001234" in capsys.readouterr().out


def test_preview_of_a_missing_file(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "/nonexistent/feed.xml"]) == 1
    assert "cannot use this feed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "allow", "reason"),
    [
        ("http://127.0.0.1:9/feed.xml", "false", "address not allowed: 127.0.0.1 is a loopback"),
        ("http://169.254.169.254/latest/meta-data/", "false", "is a cloud metadata address"),
        ("http://127.0.0.1:9/feed.xml", "true", "network error: cannot connect to 127.0.0.1"),
    ],
)
def test_preview_of_a_url_goes_through_the_address_guard(
    database: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    allow: str,
    reason: str,
) -> None:
    monkeypatch.setenv("ALLOW_PRIVATE_FEEDS", allow)
    assert main(["preview", url]) == 1
    assert reason in capsys.readouterr().err


def test_outbox_report_shows_dead_letters(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["outbox"]) == 0
    out = capsys.readouterr().out
    assert "pending: 0" in out
    assert "dead: 0" in out


def test_a_lost_channel_comes_back_with_its_categories(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["channel", "add", "-1005"]) == 2  # a new channel needs a category
    assert "--category" in capsys.readouterr().out
    assert main(["channel", "add", "-1005", "--category", "سياسة", "--category", "اقتصاد"]) == 0
    asyncio.run(_deactivate(database, -1005))
    assert main(["channel", "add", "-1005"]) == 0  # as the channel-lost notice says
    out = capsys.readouterr().out
    assert "سياسة" in out
    assert "اقتصاد" in out
    assert main(["channel", "list"]) == 0
    assert "inactive" not in capsys.readouterr().out


def test_values_past_their_columns_are_refused_before_the_database(
    database: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL refuses a value past its column with a traceback; the command says which
    value is too long, stores nothing, and a value at the limit goes in."""
    monkeypatch.setenv("DATABASE_URL", database_url)  # on both backends
    feed = "https://example.com/" + "a" * (LINK_CHARS - len("https://example.com/"))
    assert main(["feed", "add", feed + "b"]) == 2
    assert "url: 2001 > 2000" in capsys.readouterr().out
    assert main(["feed", "add", feed, "--name", "ن" * (FEED_NAME_CHARS + 1)]) == 2
    assert main(["feed", "add", feed, "--category", "س" * (CATEGORY_NAME_CHARS + 1)]) == 2
    assert main(["category", "add", "ت" * (CATEGORY_NAME_CHARS + 1)]) == 2
    assert main(["channel", "add", "-1007", "--category", "ق" * (CATEGORY_NAME_CHARS + 1)]) == 2
    assert "value too long" in capsys.readouterr().out
    assert main(["feed", "list"]) == 0
    assert "example.com" not in capsys.readouterr().out
    # At the limits (spaces collapsed as stored): accepted.
    assert main(["feed", "add", feed, "--name", "ن" * FEED_NAME_CHARS, "--category",
                 "س" * 50 + "  " + "ص" * 49]) == 0  # fmt: skip
    assert main(["category", "add", "ت" * CATEGORY_NAME_CHARS]) == 0
    assert main(["channel", "add", "-1007", "--category", "ق" * CATEGORY_NAME_CHARS]) == 0
    assert main(["feed", "list"]) == 0
    assert feed in capsys.readouterr().out


async def _deactivate(database: Path, chat_id: int) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    async with make_sessions(engine).begin() as session:
        await catalog.deactivate_chat(session, chat_id, "Forbidden: bot is not a member")
    await engine.dispose()


async def _bindings(database: Path, chat_id: int) -> list[tuple[str, int | None]]:
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    async with make_sessions(engine)() as session:
        found = [(b.name, b.thread_id) for b in await channels.bindings(session, chat_id)]
    await engine.dispose()
    return found


def test_a_topic_link_binds_a_category_to_its_topic(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = "https://t.me/c/1600000002/45"
    assert main(["channel", "add", link, "--category", "سياسة"]) == 0
    assert main(["channel", "add", "-1001600000002", "--category", "رياضة"]) == 0
    assert main(["channel", "add", "-1001600000002", "--category", "سياسة"]) == 0  # kept in 45
    assert asyncio.run(_bindings(database, -1001600000002)) == [("رياضة", None), ("سياسة", 45)]
    assert main(["channel", "add", "https://t.me/+invite", "--category", "سياسة"]) == 1
    assert "t.me link" in capsys.readouterr().out


async def _feed_state(url: str, **values: object) -> tuple[bool, bool, int] | None:
    """(paused, disabled, error_count) of the feed, after setting `values` on it."""
    engine = make_engine(os.environ["DATABASE_URL"])
    try:
        async with make_sessions(engine).begin() as session:
            feed = await feed_by_url(session, url)
            if feed is None:
                return None
            for name, value in values.items():
                setattr(feed, name, value)
            return feed.paused, feed.disabled, feed.error_count
    finally:
        await engine.dispose()


def test_feeds_are_enabled_disabled_and_removed_from_the_shell(
    database: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)  # on both backends
    url = "https://www.enabbaladi.net/feed/"
    assert main(["feed", "add", url, "--category", "سياسة"]) == 0
    assert main(["feed", "disable", url]) == 0
    assert "feed disabled (paused)" in capsys.readouterr().out
    assert asyncio.run(_feed_state(url)) == (True, False, 0)
    assert main(["feed", "list"]) == 0
    assert "[متوقف مؤقتاً/paused]" in capsys.readouterr().out
    assert main(["feed", "enable", url]) == 0
    assert f"feed enabled: {url} (was paused)" in capsys.readouterr().out
    assert asyncio.run(_feed_state(url)) == (False, False, 0)
    # Disabled by the poller after failing too long: enabled again, its failures forgotten.
    asyncio.run(_feed_state(url, disabled=True, error_count=20))
    assert main(["feed", "enable", url]) == 0
    assert "(was disabled)" in capsys.readouterr().out
    assert asyncio.run(_feed_state(url)) == (False, False, 0)
    assert main(["feed", "remove", url]) == 0
    assert f"feed removed: {url} (0 articles)" in capsys.readouterr().out
    assert asyncio.run(_feed_state(url)) is None
    # An unknown URL: said, and exit code 1, for each.
    for action in ("enable", "disable", "remove"):
        assert main(["feed", action, url]) == 1
        assert f"no feed with this URL: {url}" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["feed", "remove"])
    assert usage.value.code == 2
    # Each change is in the audit log (/audit), done by the command line.
    assert asyncio.run(_audit()) == [
        ("feed.add", SHELL_ID), ("feed.pause", SHELL_ID), ("feed.enable", SHELL_ID),
        ("feed.enable", SHELL_ID), ("feed.remove", SHELL_ID),
    ]  # fmt: skip


async def _audit() -> list[tuple[str, int]]:
    engine = make_engine(os.environ["DATABASE_URL"])
    try:
        async with make_sessions(engine)() as session:
            entries = await admins.audit_entries(session, 0, 50)
            return [(entry.action, entry.actor_id) for entry in reversed(entries)]
    finally:
        await engine.dispose()

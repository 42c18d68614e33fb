"""The operator's commands: preview a feed, bootstrap feeds, channels and categories."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError

from bot.channels import ChatFacts, ChatProblem, ChatRef, bind_chat, kind_of, parse_chat_ref
from bot.config import Settings
from bot.errors import FeedError
from bot.feeds.fetch import Fetcher
from bot.feeds.pages import PageReader
from bot.feeds.parse import parse_feed
from bot.preview import preview_feed, read_pages
from bot.services import fetch_limits, page_settings, post_style
from bot.sources import FEED_ADD, FEED_ENABLE, FEED_PAUSE, FEED_REMOVE, feed_state
from bot.text.arabic import normalise
from storage import admins, catalog, channels, outbox
from storage import websub as websub_store
from storage.db import make_engine, make_sessions, upgrade
from storage.feeds import add_feed, all_feeds, article_count, feed_by_url, remove_feed
from storage.models import (
    CATEGORY_NAME_CHARS,
    FEED_NAME_CHARS,
    LINK_CHARS,
    ChatKind,
    DeliveryStatus,
    utcnow,
)


async def dispatch(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        sessions = make_sessions(engine)
        async with sessions.begin() as session:
            match (args.command, getattr(args, "action", None)):
                case ("db", "upgrade"):
                    print("قاعدة البيانات محدّثة / database is up to date")
                    return 0
                case ("preview", _):
                    return await preview(settings, session, args.feed, args.limit)
                case ("feed", "add"):
                    return await feed_add(session, args)
                case ("feed", "list"):
                    return await feed_list(session)
                case ("feed", "enable" | "disable" | "remove"):
                    return await feed_change(session, args.action, args.url)
                case ("channel", "add"):
                    return await channel_add(settings, session, args.chat, args.category)
                case ("channel", "list"):
                    return await channel_list(session)
                case ("category", "add"):
                    return await category_add(session, args.name, args.alias, args.keyword)
                case ("category", "list"):
                    return await category_list(session)
                case ("outbox", _):
                    return await outbox_report(session)
        return 2
    finally:
        await engine.dispose()


async def _read_feed(fetcher: Fetcher, source: str) -> tuple[bytes, str]:
    """The feed's bytes and the URL its links are relative to."""
    if source.startswith(("http://", "https://")):
        result = await fetcher.fetch(source)
        return result.body, result.url
    path = Path(source)
    try:
        body = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise FeedError(f"cannot read the file: {exc.strerror or exc}") from None
    return body, source


async def preview(settings: Settings, session: AsyncSession, source: str, limit: int) -> int:
    """Print exactly the posts Nashra would send for the newest entries of a feed."""
    fetched_at = datetime.now(UTC)
    async with Fetcher(fetch_limits(settings)) as fetcher:
        try:
            body, url = await _read_feed(fetcher, source)
            parsed = await asyncio.to_thread(
                parse_feed, body, fetched_at, settings.summary_max_chars
            )
        except FeedError as exc:
            print(f"تعذّرت قراءة المصدر / cannot use this feed: {source}\n  {exc}", file=sys.stderr)
            return 1
        # Thin entries with their article pages, as the poller would post them.
        parsed = await read_pages(parsed, limit, PageReader(fetcher, page_settings(settings)))
    # As a bot with inline mode on sends them (`nashra run` asks getMe), «شارك» included.
    style = post_style(settings, inline_mode=True)
    shown = await preview_feed(session, parsed, url, fetched_at, style, limit, source=source)
    print(f"المصدر / feed: {parsed.title or source} — {shown.entries} entries")
    if shown.warning:
        print(f"تنبيه / warning: {shown.warning}")
    if not shown.entries:
        print("لا توجد أخبار في هذا المصدر / the feed has no entries")
    for number, item in enumerate(shown.items, 1):
        post = item.post
        print(f"\n── {number}/{len(shown.items)} " + "─" * 40)
        print(post.text)
        if post.button_url:
            print(f"[{post.button_text}] → {post.button_url}")
        if post.share_text:
            print(
                f"[{post.share_text}] → inline: {post.share_query}"
                " (inline mode only / مع الوضع المضمّن فقط)"
            )
        print(f"التصنيفات / categories: {'، '.join(item.categories) or '—'}")
        targets = ", ".join(str(chat.id) for chat in item.channels)
        print(f"القنوات / channels: {targets or '—'}")
        if not item.posted:
            language = item.entry.language or "?"
            print(f"لن يُنشر: ليس خبراً عربياً / not posted: language is {language}")
    return 0


def too_long(values: Mapping[str, tuple[str | None, int]]) -> bool:
    """Say which value is longer than its column allows (PostgreSQL would refuse it)."""
    problems = [
        f"{label}: {len(value)} > {limit}"
        for label, (value, limit) in values.items()
        if value is not None and len(value) > limit
    ]
    for problem in problems:
        print(f"قيمة أطول من المسموح (عدد المحارف) / value too long (characters): {problem}")
    return bool(problems)


def _categories_too_long(names: list[str]) -> bool:
    # As stored: ensure_categories collapses the spaces.
    collapsed = (" ".join(name.split()) for name in names)
    limits = {f"category #{i}": (n, CATEGORY_NAME_CHARS) for i, n in enumerate(collapsed, 1)}
    return too_long(limits)


async def feed_add(session: AsyncSession, args: argparse.Namespace) -> int:
    if not args.url.startswith(("http://", "https://")):
        print("عنوان المصدر يجب أن يبدأ بـ http:// أو https:// / the URL must be http(s)")
        return 2
    if too_long({"url": (args.url, LINK_CHARS), "--name": (args.name, FEED_NAME_CHARS)}):
        return 2
    if _categories_too_long(args.category):
        return 2
    if await feed_by_url(session, args.url) is not None:
        print(f"المصدر موجود مسبقاً / feed already added: {args.url}")
        return 1
    categories = await catalog.ensure_categories(session, args.category)
    feed = await add_feed(
        session,
        args.url,
        name=args.name,
        categories=categories,
        poll_interval_seconds=args.interval,
    )
    await _audited(session, FEED_ADD, None, feed_state(feed))
    names = "، ".join(c.name for c in categories) or "—"
    print(f"أُضيف المصدر #{feed.id} / feed added: {args.url} (التصنيفات / categories: {names})")
    return 0


async def feed_list(session: AsyncSession) -> int:
    feeds = await all_feeds(session)
    if not feeds:
        print("لا توجد مصادر بعد / no feeds yet: nashra feed add URL --category NAME")
    for feed in feeds:
        state = "موقوف/disabled" if feed.disabled else ("جاهز/ok" if feed.primed else "جديد/new")
        if feed.paused:
            state = "متوقف مؤقتاً/paused"
        names = "، ".join(c.name for c in feed.categories) or "—"
        print(f"#{feed.id} [{state}] {feed.name or ''} {feed.url}")
        print(f"    التصنيفات / categories: {names}; errors: {feed.error_count}")
        if feed.last_error:
            print(f"    آخر خطأ / last error: {feed.last_error}")
    return 0


# Who the audit log names for what was done on the command line (no Telegram account).
SHELL_ID, SHELL_NAME = 0, "nashra (سطر الأوامر / command line)"


async def _audited(session: AsyncSession, action: str, before: object, after: object) -> None:
    await admins.record(
        session, actor_id=SHELL_ID, actor_name=SHELL_NAME, action=action,
        before=before, after=after, at=datetime.now(UTC),
    )  # fmt: skip


async def feed_change(session: AsyncSession, action: str, url: str) -> int:
    """`feed enable|disable|remove URL`: 1 when no feed has the URL."""
    feed = await feed_by_url(session, url.strip())
    if feed is None:
        print(
            f"لا يوجد مصدر بهذا الرابط / no feed with this URL: {url}\n"
            "    nashra feed list يعرض المصادر / lists the feeds",
            file=sys.stderr,
        )
        return 1
    before = feed_state(feed)
    if action == "remove":
        articles = await article_count(session, feed.id)
        # A running bot's next WebSub round tells the feed's hub to stop pushing.
        await websub_store.leave_feed(session, feed.id, utcnow())
        await remove_feed(session, feed.id)
        await _audited(session, FEED_REMOVE, before, None)
        print(f"حُذف المصدر #{feed.id} / feed removed: {feed.url} ({articles} articles)")
        return 0
    if action == "disable":
        feed.paused = True
        print(f"أُوقف المصدر #{feed.id} / feed disabled (paused): {feed.url}")
    else:
        was = "disabled" if feed.disabled else ("paused" if feed.paused else "enabled")
        feed.paused = feed.disabled = False
        feed.error_count = feed.internal_error_count = 0
        feed.next_poll_at = datetime.now(UTC)
        print(f"فُعّل المصدر #{feed.id} / feed enabled: {feed.url} (was {was})")
    await session.flush()
    await _audited(session, FEED_PAUSE if action == "disable" else FEED_ENABLE, before,
                   feed_state(feed))  # fmt: skip
    return 0


async def _resolve_chat(settings: Settings, ref: ChatRef) -> ChatFacts:
    """A numeric id is taken as it is; an @username is asked of Telegram."""
    if isinstance(ref.chat, int):
        kind = ChatKind.CHANNEL if ref.chat < 0 else ChatKind.PRIVATE
        return ChatFacts(ref.chat, kind, None, None)
    if settings.bot_token is None:
        raise ValueError("resolving an @username needs BOT_TOKEN; or give the numeric chat id")
    root = settings.telegram_api_base_url
    async with Bot(settings.bot_token.get_secret_value(), base_url=f"{root}/bot") as bot:
        found = await bot.get_chat(ref.chat)
    return ChatFacts(found.id, kind_of(found.type), found.title, found.username)


async def channel_add(
    settings: Settings, session: AsyncSession, chat: str, category_names: list[str]
) -> int:
    ref = parse_chat_ref(chat)
    try:
        if isinstance(ref, ChatProblem):
            raise ValueError("give @username, the numeric chat id or a t.me link")
        facts = await _resolve_chat(settings, ref)
    except (ValueError, TelegramError) as exc:
        print(f"تعذّر التعرف على القناة / cannot resolve the chat {chat}: {exc}")
        return 1
    chat_id = facts.id
    if _categories_too_long(category_names):
        return 2
    if not category_names and not await catalog.chat_categories(session, chat_id):
        print(
            f"حدّد تصنيفاً واحداً على الأقل / give at least one category for {chat_id}: "
            "--category NAME"
        )
        return 2
    categories = await catalog.ensure_categories(session, category_names)
    kept = {b.category_id: b.thread_id for b in await channels.bindings(session, chat_id)}
    threads = {c.id: ref.thread_id or kept.get(c.id) for c in categories}
    await bind_chat(session, facts, categories, threads)
    names = "، ".join(await catalog.chat_categories(session, chat_id))
    print(f"القناة {chat_id} مرتبطة بـ / channel bound to: {names}")
    return 0


async def channel_list(session: AsyncSession) -> int:
    chats = await catalog.channels(session)
    if not chats:
        print("لا توجد قنوات بعد / no channels yet: nashra channel add CHAT --category NAME")
    for chat in chats:
        names = "، ".join(await catalog.chat_categories(session, chat.id)) or "—"
        state = "" if chat.active else f" [غير نشطة/inactive: {chat.deactivated_reason}]"
        print(f"{chat.id} {chat.title or ''}{state}\n    التصنيفات / categories: {names}")
    return 0


async def category_add(
    session: AsyncSession, name: str, aliases: list[str], keywords: list[str]
) -> int:
    if _categories_too_long([name]):
        return 2
    [category] = await catalog.ensure_categories(session, [name])
    category.aliases = sorted({*category.aliases, *(a for a in aliases if normalise(a))})
    category.keywords = sorted({*category.keywords, *(k for k in keywords if normalise(k))})
    print(f"التصنيف / category: {category.name}")
    return 0


async def category_list(session: AsyncSession) -> int:
    for category in await catalog.all_categories(session):
        print(category.name)
        if category.aliases:
            print(f"    أسماء بديلة / aliases: {'، '.join(category.aliases)}")
        if category.keywords:
            print(f"    كلمات / keywords: {'، '.join(category.keywords)}")
    return 0


async def outbox_report(session: AsyncSession) -> int:
    """Deliveries by status, and the latest that gave up or were rejected, with the reason."""
    counts = await outbox.counts_by_status(session)
    print("الرسائل حسب الحالة / deliveries by status:")
    for status in DeliveryStatus:
        print(f"    {status.value}: {counts.get(status.value, 0)}")
    for row in await outbox.problems(session):
        reason = (row.last_error or "").split("\n", 1)[0]
        print(f"#{row.id} [{row.status.value}] chat {row.chat_id}, article {row.article_id}, "
              f"attempts {row.attempts}: {reason}")  # fmt: skip
    return 0

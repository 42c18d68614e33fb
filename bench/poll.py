"""How long a cold poll of 1000 Arabic feeds takes, next to feedparser alone on the same bodies.

    python -m bench.poll [--feeds 1000] [--entries 30] [--repeat 3] [--postgres URL]
                         [--readers N] [--no-keywords] [--no-nashra-parse] [--parse-only]
                         [--profile FILE]

What one run does:

1. Generates 1000 distinct RSS 2.0 feeds of 30 entries (about 100 KB each) in memory from a
   fixed seed: Arabic titles, HTML descriptions of a few paragraphs, guid, link, pubDate, one or
   two categories. The same seed always gives the same bytes.
2. Baseline: `feedparser.parse(body)` over the 1000 bodies, one after the other, in this
   process, `--repeat` times; then Nashra's own `parse_feed` once each way, for comparison:
   forced to feedparser (fast=False) and as deployed (the fast path of bot/feeds/fastparse.py
   where it applies), per feed and as ratios to feedparser alone. `--parse-only` stops here.
3. Serves the feeds from one local aiohttp server (tests.fakes.feeds.FeedServer: ETag, 304) in
   a process of its own, so that serving does not run on the poller's event loop.
4. Cold poll: a fresh database (an SQLite file in WAL mode, or a new schema in PostgreSQL),
   migrated, with the feeds, 8 categories (with keyword rules, unless --no-keywords) and a
   channel following every category. The feeds are marked primed beforehand, so that the poll
   plans deliveries too (a feed's first real poll records its entries without posting them).
   One Poller.tick() with ParserPool(workers=2) and the real Fetcher polls them all. Every
   feed is on one host here, so the Fetcher's per-host bound is raised to its overall one.
5. All-304 poll: right after, every feed is made due again and one more tick runs; every
   answer is 304.

Steps 4 and 5 run `--repeat` times on fresh databases. The report gives medians and spreads,
the CPU time of this process (by thread), of the parser processes and of the rest of the
machine during each tick, peak memory, checks of what was stored, and a markdown table. It
asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import hashlib
import io
import logging
import multiprocessing
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from functools import partial
from multiprocessing.connection import Connection
from typing import Any
from xml.sax.saxutils import escape

import aiohttp
import feedparser
import sqlalchemy
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.schemas import scratch_schema
from bot.delivery.planner import keyword_term
from bot.feeds.fastparse import parse_path
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.parse import parse_feed
from bot.feeds.poller import Poller, PollSettings, TickReport
from bot.feeds.workers import ParserPool
from storage import catalog
from storage import readers as readers_store
from storage.db import make_engine, make_sessions, upgrade
from storage.feeds import add_feed
from storage.models import Article, ChatKind, Delivery, Feed
from tests.fakes.feeds import FeedServer

SEED = 20260111
CHANNEL = -1001000000001
PARSER_WORKERS = 2
CONCURRENCY = FetchLimits().concurrency  # the Fetcher's default overall bound
TARGET_RATIO = 1.3
TARGET_304_SECONDS = 3.0

# --- the generated corpus --------------------------------------------------------------------

WORDS = """
الحكومة البرلمان الرئيس الوزير وزير الخارجية الداخلية الاقتصاد الليرة الدولار الأسعار الأسواق
المصرف المركزي الموازنة العامة النفط الغاز الكهرباء المياه الزراعة القمح التجارة الصادرات
الواردات الاستثمار الشركات البورصة التضخم الرواتب الموظفين العمال النقابة الجامعة المدارس
الطلاب الامتحانات التعليم الصحة المستشفى الأطباء اللقاح الدواء المرضى الجيش القوات الأمن
الشرطة الحدود المعبر الاتفاق المفاوضات الهدنة وقف إطلاق النار الاشتباكات الانسحاب التفاهمات
السياسية المعارضة الانتخابات المجلس المحلي البلدية المحافظ المحافظة المدينة الريف القرية
الأحياء السكان الأهالي النازحين اللاجئين العودة المساعدات الإنسانية المنظمات الدولية الأمم
المتحدة مجلس الأمن الجامعة العربية الاتحاد الأوروبي الولايات المتحدة روسيا تركيا إيران مصر
الأردن لبنان العراق السعودية الإمارات قطر الكويت عمان المغرب الجزائر تونس ليبيا السودان اليمن
فلسطين غزة القدس دمشق حلب حمص حماة اللاذقية طرطوس إدلب دير الزور الرقة الحسكة درعا السويداء
القنيطرة بيروت عمّان القاهرة بغداد الرياض أنقرة موسكو واشنطن باريس لندن جنيف أعلن أكد قال
أوضح أشار كشف نفى دعا طالب حذر رحب أدان استقبل التقى بحث ناقش وقع افتتح أطلق زار اختتم بدأ
انطلقت شهدت سجلت ارتفعت انخفضت تراجعت بلغت وصلت تجاوزت خلال بعد قبل منذ حتى عند نحو حوالي
أكثر أقل من إلى على في عن مع بين حول ضد دون لدى عبر وفق بحسب التي الذي الذين هذا هذه ذلك تلك
هناك كما أن إن لم لن قد لا كان كانت يكون تكون اليوم أمس غدا الأسبوع الشهر العام الماضي المقبل
الجاري الأول الثاني الثالث الأخير الجديد الجديدة الكبير الكبيرة الرسمي الرسمية الوطني الوطنية
المشترك الشامل الكامل الفوري المباشر الميداني الإقليمي مصدر مصادر مسؤول مسؤولون متحدث باسم
بيان تصريح مؤتمر صحفي اجتماع قمة زيارة جولة لقاء مشروع قانون مرسوم قرار خطة برنامج مبادرة
حملة تقرير دراسة إحصائية نسبة عدد مليون مليار ألف بالمئة المنتخب الدوري المباراة الفريق
النادي اللاعب المدرب الهدف البطولة الكأس الملعب الجمهور الفوز الخسارة التعادل المهرجان
المعرض الفيلم المسرح الكتاب الرواية الفنان الموسيقى التراث الثقافة الإنترنت الهاتف التطبيق
التكنولوجيا الذكاء الاصطناعي الشبكة الاتصالات المنصة البيانات الطقس الأمطار الثلوج الحرارة
العاصفة المنخفض الجوي الطرق الحركة المرورية النقل المطار الميناء السفن الشحن القطار الحافلات
""".split()

# (slug of the outlet, its Arabic name)
OUTLETS = [
    ("alwatan", "الوطن"),
    ("tishreen", "تشرين"),
    ("albaath", "البعث"),
    ("sana", "سانا"),
    ("enabbaladi", "عنب بلدي"),
    ("syriatv", "تلفزيون سوريا"),
    ("aljumhuriya", "الجمهورية"),
    ("snack", "سناك سوري"),
    ("athr", "أثر برس"),
    ("halab", "حلب اليوم"),
    ("zamanalwsl", "زمان الوصل"),
    ("baladi", "بلدي نيوز"),
    ("hawar", "هاوار"),
    ("northpress", "نورث برس"),
    ("qasioun", "قاسيون"),
    ("alquds", "القدس العربي"),
    ("annahar", "النهار"),
    ("alakhbar", "الأخبار"),
    ("ahram", "الأهرام"),
    ("almasryalyoum", "المصري اليوم"),
    ("alghad", "الغد"),
    ("alrai", "الرأي"),
    ("asharq", "الشرق"),
    ("alkhaleej", "الخليج"),
    ("hespress", "هسبريس"),
]
# (path of the section, the Arabic category its items carry first)
SECTIONS = [
    ("politics", "سياسة"),
    ("economy", "اقتصاد"),
    ("sport", "رياضة"),
    ("world", "عربي ودولي"),
    ("local", "سوريا محلي"),
    ("culture", "ثقافة وفن"),
    ("health", "صحة"),
    ("tech", "علوم وتكنولوجيا"),
]
CATEGORY_NAMES = [name for _, name in SECTIONS]
# Keyword rules as an operator would write them (their words occur in the generated text).
KEYWORDS = {
    "سياسة": ["البرلمان", "الانتخابات", "المعارضة"],
    "اقتصاد": ["الليرة", "التضخم", "البورصة"],
    "رياضة": ["المباراة", "المنتخب"],
    "عربي ودولي": ["مجلس الأمن", "الأمم المتحدة"],
    "سوريا محلي": ["المحافظة", "البلدية"],
    "ثقافة وفن": ["المهرجان", "الرواية"],
    "صحة": ["المستشفى", "اللقاح"],
    "علوم وتكنولوجيا": ["الذكاء الاصطناعي", "التطبيق"],
}
# Readers' keyword alerts and mutes: a place in some articles, a word in few.
READER_ALERTS = ["حلب", "الليرة", "المنتخب", "اللقاح", "دير الزور", "الذكاء الاصطناعي"]
READER_MUTES = ["الطقس", "المهرجان", "البورصة"]
FIRST_READER = 100_000
AUTHORS = ["محمد الأحمد", "سارة الخطيب", "أحمد العلي", "ريم حداد", "خالد يوسف", "لينا منصور"]
NEWEST = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # fixed: the corpus does not depend on today
DAMASCUS = timezone(timedelta(hours=3))
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _number(rng: random.Random) -> str:
    value = str(rng.choice((rng.randint(2, 99), rng.randint(100, 5000), rng.randint(2020, 2025))))
    return value.translate(ARABIC_INDIC) if rng.random() < 0.3 else value


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    if rng.random() < 0.4:
        words.insert(rng.randrange(1, len(words)), _number(rng))
    if len(words) > 9:
        words[rng.randrange(3, len(words) - 3)] += "،"
    return " ".join(words) + rng.choice(".....؟!")


def _title(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 13))
    shape = rng.random()
    if shape < 0.15:
        return f"{' '.join(words[:2])}: {' '.join(words[2:])}"
    if shape < 0.25:
        return f"{' '.join(words[:3])} «{' '.join(words[3:6])}» {' '.join(words[6:])}".strip()
    if shape < 0.3:
        return f"{' '.join(words[:4])}.. {' '.join(words[4:])}"
    return " ".join(words)


def _description(rng: random.Random, host: str, link: str, title: str, outlet: str) -> str:
    paragraphs: list[str] = []
    if rng.random() < 0.6:
        image = f"https://cdn.{host}/uploads/{rng.randint(2024, 2025)}/{rng.getrandbits(40):x}.jpg"
        paragraphs.append(
            f'<p><img src="{image}" alt="{escape(title, {chr(34): "&quot;"})}" '
            'width="640" height="360" /></p>'
        )
    for index in range(rng.randint(3, 5)):
        body = " ".join(_sentence(rng, 9, 20) for _ in range(rng.randint(2, 5)))
        if index == 0 and rng.random() < 0.5:
            body = f"<strong>{escape(rng.choice(WORDS))} - {escape(outlet)}:</strong> {body}"
        elif rng.random() < 0.2:
            cut = body.find(" ", len(body) // 2)
            body = f"{body[:cut]}<br />{body[cut:]}" if cut > 0 else body
        paragraphs.append(f"<p>{body}</p>")
    paragraphs.append(
        f'<p>المصدر: <a href="{escape(link)}" target="_blank">{escape(outlet)}</a></p>'
    )
    return "\n".join(paragraphs)


def generate_feed(index: int, entries: int, seed: int = SEED) -> bytes:
    """Feed number `index`: the same bytes for the same (index, entries, seed)."""
    rng = random.Random(f"{seed}:{index}")
    slug, outlet = OUTLETS[index % len(OUTLETS)]
    section, section_category = SECTIONS[(index // len(OUTLETS)) % len(SECTIONS)]
    edition = index // (len(OUTLETS) * len(SECTIONS))
    host = f"www.{slug}.example"
    base = f"https://{host}/{section}" + (f"/edition-{edition}" if edition else "")
    cdata = rng.random() < 0.7  # the others escape their HTML, as many CMSs do
    permalink_guid = rng.random() < 0.3
    tracking = rng.random() < 0.25
    offset = "+0300" if rng.random() < 0.5 else "GMT"
    moment = NEWEST - timedelta(minutes=rng.randint(0, 600))
    items: list[str] = []
    for number in range(entries):
        article_id = index * 100_000 + (entries - number) * 7 + rng.randint(0, 6)
        link = f"{base}/{moment:%Y/%m/%d}/{article_id}"
        if tracking:
            link += "?utm_source=rss&utm_medium=feed"
        title = _title(rng)
        html = _description(rng, host, link, title, outlet)
        description = f"<![CDATA[{html}]]>" if cdata else escape(html)
        if offset == "GMT":
            date = format_datetime(moment, usegmt=True)
        else:
            date = format_datetime(moment.astimezone(DAMASCUS))
        categories = [section_category]
        if rng.random() < 0.4:
            categories.append(rng.choice(CATEGORY_NAMES))
        guid = (
            f"<guid>{escape(link)}</guid>"
            if permalink_guid
            else f'<guid isPermaLink="false">{slug}-{article_id}</guid>'
        )
        items.append(
            "<item>\n"
            f"<title>{escape(title)}</title>\n"
            f"<link>{escape(link)}</link>\n"
            f"{guid}\n"
            f"<pubDate>{date}</pubDate>\n"
            f"<dc:creator><![CDATA[{rng.choice(AUTHORS)}]]></dc:creator>\n"
            + "".join(f"<category><![CDATA[{name}]]></category>\n" for name in categories)
            + f"<description>{description}</description>\n"
            "</item>"
        )
        moment -= timedelta(minutes=rng.randint(5, 90))
    build_date = format_datetime(NEWEST, usegmt=True)
    channel = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{escape(outlet)} - {escape(section_category)}</title>\n"
        f"<link>{base}/</link>\n"
        f'<atom:link href="{base}/feed/" rel="self" type="application/rss+xml" />\n'
        f"<description>آخر أخبار {escape(section_category)} من {escape(outlet)}</description>\n"
        f"<language>ar</language>\n<lastBuildDate>{build_date}</lastBuildDate>\n"
        "<ttl>15</ttl>\n"
    )
    return (channel + "\n".join(items) + "\n</channel>\n</rss>\n").encode("utf-8")


@dataclass(frozen=True)
class Corpus:
    paths: list[str]
    bodies: list[bytes]

    @classmethod
    def generate(cls, feeds: int, entries: int) -> Corpus:
        paths = [f"feeds/{index:04d}.xml" for index in range(feeds)]
        return cls(paths, [generate_feed(index, entries) for index in range(feeds)])

    def digest(self) -> str:
        digest = hashlib.sha256()
        for body in self.bodies:
            digest.update(hashlib.sha256(body).digest())
        return digest.hexdigest()[:16]

    @property
    def total_bytes(self) -> int:
        return sum(len(body) for body in self.bodies)


# --- the feed server, in a process of its own ------------------------------------------------


@dataclass(frozen=True)
class ServerUsage:
    cpu_seconds: float
    max_rss_kib: int
    hits: int
    conditional_hits: int


def _server_usage(server: FeedServer) -> ServerUsage:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return ServerUsage(
        own.ru_utime + own.ru_stime,
        own.ru_maxrss,
        sum(route.hits for route in server.routes.values()),
        sum(route.conditional_hits for route in server.routes.values()),
    )


async def _serve(connection: Connection, feeds: int, entries: int) -> None:
    corpus = Corpus.generate(feeds, entries)
    server = await FeedServer().start()
    for path, body in zip(corpus.paths, corpus.bodies, strict=True):
        server.set(path, body)
        server.route(path).user_agents = _Discard()
    del corpus
    loop = asyncio.get_running_loop()
    stopped: asyncio.Future[None] = loop.create_future()

    def on_message() -> None:
        message = connection.recv()
        if message == "usage":
            connection.send(_server_usage(server))
        elif not stopped.done():
            stopped.set_result(None)

    loop.add_reader(connection.fileno(), on_message)
    connection.send(server.base_url)
    await stopped
    loop.remove_reader(connection.fileno())
    await server.stop()
    connection.send(_server_usage(server))


class _Discard(list[str]):
    """FeedServer keeps every request's User-Agent; the benchmark needs none of them."""

    def append(self, _item: str) -> None:
        pass


def _server_main(connection: Connection, feeds: int, entries: int) -> None:
    asyncio.run(_serve(connection, feeds, entries))


class ServerProcess:
    """The local feed server, run in a spawned process (a direct child of this one)."""

    def __init__(self, feeds: int, entries: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_server_main, args=(child, feeds, entries), name="bench-feed-server"
        )
        self._process.start()
        child.close()
        self.base_url: str = self._connection.recv()

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path}"

    def usage(self) -> ServerUsage:
        self._connection.send("usage")
        usage: ServerUsage = self._connection.recv()
        return usage

    def stop(self) -> ServerUsage:
        self._connection.send("stop")
        usage: ServerUsage = self._connection.recv()
        self._process.join(10)
        return usage


# --- measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def __str__(self) -> str:
        low, high = min(self.values), max(self.values)
        return f"{self.median:.2f} s ({low:.2f}–{high:.2f}, n={len(self.values)})"


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def feedparser_only(bodies: Sequence[bytes]) -> None:
    for body in bodies:
        feedparser.parse(body)


def nashra_parse(bodies: Sequence[bytes], fetched_at: datetime, fast: bool = True) -> None:
    # fast=False: the feedparser path, which every body took before bot/feeds/fastparse.py.
    for body in bodies:
        parse_feed(body, fetched_at, fast=fast)


def _process_cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU time of a live process (or one of its threads), from /proc (0 when it
    is gone)."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    try:
        with open(path, encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_kib(pid: int, field: str = "VmHWM") -> int:
    """VmHWM (peak resident set) of a live process, or another of its /proc status fields
    in KiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak_rss() -> bool:
    """Reset this process's VmHWM (Linux: "5" to /proc/self/clear_refs); False if refused."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _worker_pids(pool: ParserPool) -> list[int]:
    executor = getattr(pool, "_executor", None)
    processes: dict[int, Any] = getattr(executor, "_processes", None) or {}
    return sorted(processes)


def _thread_role(thread: threading.Thread) -> str:
    if thread is threading.main_thread():
        return "event loop"
    if "_connection_worker_thread" in thread.name:
        return "aiosqlite threads"
    if type(thread).__name__ == "_ExecutorManagerThread":
        return "results unpickling"
    if thread.name == "QueueFeederThread":
        return "bodies pickling"
    return "other threads"


def _threads_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds of each live thread of this process, by native id, with its role."""
    found: dict[int, tuple[str, float]] = {}
    for thread in threading.enumerate():
        if thread.native_id is not None:
            found[thread.native_id] = (
                _thread_role(thread),
                _process_cpu_seconds(os.getpid(), thread.native_id),
            )
    return found


ROLES = (
    "event loop",
    "aiosqlite threads",
    "results unpickling",
    "bodies pickling",
    "other threads",
    "threads ended during the tick",
)


def _cpu_by_role(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], total: float
) -> dict[str, float]:
    roles: dict[str, float] = {}
    for tid, (role, seconds) in after.items():
        spent = seconds - before.get(tid, (role, 0.0))[1]
        roles[role] = roles.get(role, 0.0) + spent
    # Threads that ended during the tick (a pooled connection closed, say) took their time along.
    roles["threads ended during the tick"] = max(0.0, total - sum(roles.values()))
    return roles


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return 0.0
    # user nice system idle iowait irq softirq steal …: all but idle and iowait
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


def _self_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


@dataclass
class PollRun:
    seconds: float
    feeds_polled: int = 0
    errors: list[str] = field(default_factory=list)
    not_modified: int = 0
    new_articles: int = 0
    planned: int = 0
    main_cpu: float = 0.0
    main_cpu_by_role: dict[str, float] = field(default_factory=dict)
    parser_cpu: float = 0.0
    server_cpu: float = 0.0
    rest_cpu: float = 0.0  # the rest of the machine: a PostgreSQL server, other programs
    server_hits: int = 0
    server_304s: int = 0


@dataclass
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    cleanup: Callable[[], Any]
    label: str


async def fresh_database(postgres_url: str | None, stack: AsyncExitStack, run: int) -> Database:
    """A new, migrated, empty database: an SQLite file in a temp dir, or a new PostgreSQL schema."""
    if postgres_url is None:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="nashra-bench-"))
        engine = make_engine(f"sqlite+aiosqlite:///{folder}/bench.db")

        async def dispose_sqlite() -> None:
            await engine.dispose()

        await upgrade(engine)
        async with engine.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
        return Database(engine, make_sessions(engine), dispose_sqlite, f"SQLite ({mode})")
    schema = await scratch_schema(postgres_url, f"nashra_bench_{os.getpid()}_{run}")
    await upgrade(schema.engine)
    return Database(schema.engine, make_sessions(schema.engine), schema.cleanup, schema.label)


async def add_feeds(
    sessions: async_sessionmaker[AsyncSession],
    urls: Sequence[str],
    *,
    keywords: bool,
    readers: int = 0,
) -> None:
    """The feeds (primed), one category each, a channel following every category, and
    `readers` readers who follow one category, one keyword, and mute another word."""
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        categories = await catalog.ensure_categories(session, CATEGORY_NAMES)
        if keywords:
            for category in categories:
                category.keywords = KEYWORDS[category.name]
        await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL, title="نشرة")
        await catalog.subscribe(session, CHANNEL, categories)
        for number in range(readers):
            chat_id = FIRST_READER + number
            await catalog.upsert_chat(session, chat_id, ChatKind.PRIVATE, title=f"قارئ {number}")
            await catalog.subscribe(session, chat_id, [categories[number % len(categories)]])
            for word, mute in ((READER_ALERTS, False), (READER_MUTES, True)):
                chosen = word[number % len(word)]
                await readers_store.add_keyword(
                    session, chat_id, chosen, keyword_term(chosen), mute=mute
                )
        for index, url in enumerate(urls):
            category = categories[(index // len(OUTLETS)) % len(SECTIONS)]
            await add_feed(session, url, categories=[category], now=now)
        # Already primed: the cold poll stores every entry *and* plans its deliveries.
        await session.execute(update(Feed).values(primed=True))


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def timed_tick(
    poller: Poller,
    pids: Sequence[int],
    server: ServerProcess,
    profiler: cProfile.Profile | None = None,
) -> PollRun:
    before_server = server.usage()
    before_machine = _machine_busy_seconds()
    before_main = _self_cpu_seconds()
    before_threads = _threads_cpu()
    before_parsers = sum(_process_cpu_seconds(pid) for pid in pids)
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    report: TickReport = await poller.tick()
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - start
    after_threads = _threads_cpu()
    main_cpu = _self_cpu_seconds() - before_main
    after_server = server.usage()
    machine = _machine_busy_seconds() - before_machine
    run = PollRun(
        seconds,
        feeds_polled=len(report.outcomes),
        errors=[f"{o.url}: {o.error}" for o in report.outcomes if o.error],
        not_modified=sum(1 for o in report.outcomes if o.not_modified),
        new_articles=report.new_articles,
        planned=report.planned,
        main_cpu=main_cpu,
        main_cpu_by_role=_cpu_by_role(before_threads, after_threads, main_cpu),
        parser_cpu=sum(_process_cpu_seconds(pid) for pid in pids) - before_parsers,
        server_cpu=after_server.cpu_seconds - before_server.cpu_seconds,
        server_hits=after_server.hits - before_server.hits,
        server_304s=after_server.conditional_hits - before_server.conditional_hits,
    )
    run.rest_cpu = max(0.0, machine - run.main_cpu - run.parser_cpu - run.server_cpu)
    return run


@dataclass
class Round:
    cold: PollRun
    not_modified: PollRun
    articles: int
    deliveries: int
    polled_ok: int
    setup_seconds: float
    database: str


async def poll_round(
    args: argparse.Namespace,
    server: ServerProcess,
    urls: Sequence[str],
    parsers: ParserPool,
    run: int,
    profilers: tuple[cProfile.Profile, cProfile.Profile] | None = None,
) -> Round:
    async with AsyncExitStack() as stack:
        start = time.perf_counter()
        database = await fresh_database(args.postgres, stack, run)
        stack.push_async_callback(database.cleanup)
        await add_feeds(database.sessions, urls, keywords=args.keywords, readers=args.readers)
        setup_seconds = time.perf_counter() - start
        # All feeds are on one local host: the per-host bound is raised to the overall one,
        # or 4 connections at a time would serialise the whole poll.
        fetcher = Fetcher(  # the feed server is on loopback
            FetchLimits(concurrency=CONCURRENCY, per_host=CONCURRENCY, allow_private=True)
        )
        stack.push_async_callback(fetcher.close)
        # Every generated entry is posted, as before the per-poll and age limits: the cold
        # poll measures storing and planning all of them.
        settings = PollSettings(
            batch=max(1000, len(urls)),
            max_posts=args.entries,
            max_entry_age=timedelta(days=36_500),
        )
        poller = Poller(database.sessions, fetcher, parsers, settings)
        pids = _worker_pids(parsers)
        cold = await timed_tick(poller, pids, server, profilers and profilers[0])
        articles = await count(database.sessions, Article)
        deliveries = await count(database.sessions, Delivery)
        async with database.sessions() as session:
            polled_ok = int(
                await session.scalar(
                    select(func.count()).select_from(Feed).where(Feed.last_success_at.is_not(None))
                )
                or 0
            )
            await session.execute(update(Feed).values(next_poll_at=datetime.now(UTC)))
            await session.commit()
        not_modified = await timed_tick(poller, pids, server, profilers and profilers[1])
        return Round(
            cold, not_modified, articles, deliveries, polled_ok, setup_seconds, database.label
        )


async def warm_up(parsers: ParserPool, body: bytes) -> float:
    """Start the parser processes (forkserver, imports) before anything is timed."""
    start = time.perf_counter()
    now = datetime.now(UTC)
    await asyncio.gather(*(parsers.parse(body, now, 400) for _ in range(PARSER_WORKERS * 2)))
    return time.perf_counter() - start


def _stop_forkserver() -> int | None:
    """End the forkserver so that RUSAGE_CHILDREN includes the parser processes it waited for;
    return the forkserver's own peak RSS (KiB), or None if it could not be stopped.

    The parser processes are the forkserver's children, not ours; the kernel adds their peak
    to ours only once the forkserver itself has exited and been waited for.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    pid = getattr(server, "_forkserver_pid", None)
    if stop is None or pid is None:
        return None
    peak = _peak_rss_kib(pid)
    stop()
    return peak


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Results:
    args: argparse.Namespace
    corpus_bytes: int
    corpus_digest: str
    generate_seconds: float
    parse_only: Spread
    nashra_parse: float | None  # parse_feed as deployed: the fast path where it applies
    nashra_parse_feedparser: float | None = None  # parse_feed forced to feedparser
    fast_bodies: int = 0  # bodies the fast path takes
    warm_up_seconds: float = 0.0
    rounds: list[Round] = field(default_factory=list)
    worker_peak_kib: list[int] = field(default_factory=list)
    children_peak_kib: int = 0
    forkserver_peak_kib: int | None = None
    rss_at_forkserver_start_kib: int = 0
    polls_peak_kib: int = 0  # VmHWM of this process, reset after the baseline
    peak_reset: bool = False
    before_polls_peak_kib: int = 0  # RUSAGE_SELF before the reset (the reset lowers it too)
    server_peak_kib: int = 0
    profile: str = ""


async def run_polls(
    args: argparse.Namespace, paths: Sequence[str], first_body: bytes, results: Results
) -> None:
    server = ServerProcess(args.feeds, args.entries)
    parsers = ParserPool(workers=PARSER_WORKERS)
    try:
        urls = [server.url(path) for path in paths]
        async with aiohttp.ClientSession() as client, client.get(urls[0]) as response:
            served = await response.read()
        if served != first_body:
            print("warning: the server's feed 0 differs from this process's", file=sys.stderr)
        results.rss_at_forkserver_start_kib = _peak_rss_kib(os.getpid(), "VmRSS")
        results.warm_up_seconds = await warm_up(parsers, first_body)
        for run in range(args.repeat):
            results.rounds.append(await poll_round(args, server, urls, parsers, run))
            _progress(
                f"poll round {run + 1}/{args.repeat}: {results.rounds[-1].cold.seconds:.2f} s"
            )
        if args.profile:
            _progress("profiling one more round (not counted)")
            cold, hot = cProfile.Profile(), cProfile.Profile()
            await poll_round(args, server, urls, parsers, args.repeat, (cold, hot))
            cold.dump_stats(f"{args.profile}.cold")
            hot.dump_stats(f"{args.profile}.304")
            results.profile += _profile_text(cold, "this process during a cold tick")
            results.profile += _profile_text(hot, "this process during an all-304 tick")
            sample = [generate_feed(index, args.entries) for index in range(len(paths) // 10 or 1)]
            in_worker = cProfile.Profile()
            in_worker.runcall(nashra_parse, sample, datetime.now(UTC))
            in_worker.dump_stats(f"{args.profile}.parse")
            results.profile += _profile_text(
                in_worker, f"parse_feed over {len(sample)} feeds (a parser process's work)"
            )
        results.worker_peak_kib = [_peak_rss_kib(pid) for pid in _worker_pids(parsers)]
        results.polls_peak_kib = _peak_rss_kib(os.getpid())
    finally:
        parsers.close()
        results.forkserver_peak_kib = _stop_forkserver()
        results.children_peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        results.server_peak_kib = server.stop().max_rss_kib


def _parse_lines(results: Results) -> list[str]:
    """parse_feed's two paths beside feedparser alone, per feed and as ratios."""
    feeds, alone = results.args.feeds, results.parse_only.median
    lines = [f"  feedparser alone:                        {alone / feeds * 1000:.2f} ms per feed"]
    if results.nashra_parse_feedparser is not None:
        slow = results.nashra_parse_feedparser
        lines.append(
            f"Nashra parse_feed, feedparser path, once: {slow:.2f} s, "
            f"{slow / feeds * 1000:.2f} ms per feed ({slow / alone:.2f}× feedparser alone)"
        )
    if results.nashra_parse is not None:
        fast = results.nashra_parse
        lines.append(
            f"Nashra parse_feed, fast path, once:       {fast:.2f} s, "
            f"{fast / feeds * 1000:.2f} ms per feed ({fast / alone:.2f}× feedparser alone"
            + (
                f", {fast / results.nashra_parse_feedparser:.2f}× the feedparser path"
                if results.nashra_parse_feedparser
                else ""
            )
            + f"; {results.fast_bodies}/{feeds} bodies on the fast path)"
        )
    return lines


def _parse_rows(results: Results) -> list[str]:
    """The markdown table's rows for parse_feed's two paths (timed once each)."""
    alone = results.parse_only.median
    rows = []
    for name, seconds in (
        ("feedparser path (fast=False)", results.nashra_parse_feedparser),
        ("fast path (as deployed)", results.nashra_parse),
    ):
        if seconds is not None:
            rows.append(
                f"| parse_feed, {name}, 1 process | {seconds:.2f} s "
                f"({seconds / alone:.2f}× feedparser alone) | | |"
            )
    return rows


def _profile_text(profiler: cProfile.Profile, title: str, limit: int = 30) -> str:
    out = io.StringIO()
    out.write(f"--- profile: {title}, by own time ---\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(pstats.SortKey.TIME).print_stats(limit)
    out.write(f"--- profile: {title}, by cumulative time ---\n")
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(limit)
    return out.getvalue()


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(results: Results) -> str:
    args = results.args
    rounds = results.rounds
    cold = Spread(tuple(r.cold.seconds for r in rounds))
    hot = Spread(tuple(r.not_modified.seconds for r in rounds))
    ratio = cold.median / results.parse_only.median
    last = rounds[-1]
    expected = args.feeds * args.entries
    main_peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, results.before_polls_peak_kib
    )
    lines = [
        "Nashra poll benchmark",
        f"  machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"feedparser {feedparser.__version__}, SQLAlchemy {sqlalchemy.__version__}, "
        f"aiohttp {aiohttp.__version__}, code {args.revision}, "
        f"load average before: {args.load_before}",
        f"  corpus: {args.feeds} feeds × {args.entries} entries, "
        f"{results.corpus_bytes / args.feeds / 1024:.0f} KiB per feed on average "
        f"({results.corpus_bytes / 1e6:.1f} MB in all, seed {SEED}, digest "
        f"{results.corpus_digest}), generated in {results.generate_seconds:.1f} s",
        f"  database: {last.database}; feeds primed before the cold poll, so it plans "
        "deliveries too; 1 channel follows all "
        f"{len(CATEGORY_NAMES)} categories"
        + (", with keyword rules" if args.keywords else ", no keyword rules")
        + (
            f"; {args.readers} readers, each following a category, a keyword and muting a word"
            if args.readers
            else "; no readers"
        ),
        f"  poller: ParserPool(workers={PARSER_WORKERS}), one tick with batch "
        f"{max(1000, args.feeds)}, Fetcher(FetchLimits(concurrency={CONCURRENCY}, "
        f"per_host={CONCURRENCY})): per_host raised from 4 because every feed is on one local "
        "host (real deployments poll many hosts)",
        f"  feed server: aiohttp on 127.0.0.1 in its own process; parser start-up "
        f"{results.warm_up_seconds:.2f} s before timing",
        "",
        f"parse-only (feedparser.parse, 1 process): {results.parse_only}",
    ]
    lines += _parse_lines(results)
    lines += [
        f"cold poll (one tick):                      {cold}",
        f"ratio cold poll / parse-only:              {ratio:.2f} (target ≤ {TARGET_RATIO})"
        + ("" if ratio <= TARGET_RATIO else "  ABOVE TARGET"),
        f"all-304 poll (one tick):                   {hot} (target ≤ {TARGET_304_SECONDS:g} s)"
        + ("" if hot.median <= TARGET_304_SECONDS else "  ABOVE TARGET"),
        "cpu during the cold tick (median): main process "
        f"{_median([r.cold.main_cpu for r in rounds]):.1f} s, parser processes "
        f"{_median([r.cold.parser_cpu for r in rounds]):.1f} s, feed server "
        f"{_median([r.cold.server_cpu for r in rounds]):.1f} s, rest of the machine "
        f"{_median([r.cold.rest_cpu for r in rounds]):.1f} s",
        "  this process by thread (median): "
        + ", ".join(
            f"{role} {_median([r.cold.main_cpu_by_role.get(role, 0.0) for r in rounds]):.1f} s"
            for role in ROLES
            if any(role in r.cold.main_cpu_by_role for r in rounds)
        ),
        "cpu during the all-304 tick (median): main process "
        f"{_median([r.not_modified.main_cpu for r in rounds]):.1f} s, feed server "
        f"{_median([r.not_modified.server_cpu for r in rounds]):.1f} s, rest of the machine "
        f"{_median([r.not_modified.rest_cpu for r in rounds]):.1f} s",
        "database set-up per round (not timed): "
        f"{_median([r.setup_seconds for r in rounds]):.1f} s",
        "",
        "checks (every round):",
    ]
    for number, round_ in enumerate(rounds, 1):
        c, h = round_.cold, round_.not_modified
        problems = []
        if c.feeds_polled != args.feeds or round_.polled_ok != args.feeds:
            problems.append(f"cold polled {c.feeds_polled}, succeeded {round_.polled_ok}")
        if c.errors or h.errors:
            problems.append(
                f"{len(c.errors)} + {len(h.errors)} errors, first: {(c.errors or h.errors)[0]}"
            )
        if round_.articles != expected:
            problems.append(f"{round_.articles} articles stored, {expected} expected")
        wanted = round_.articles if not args.readers else c.planned
        if round_.deliveries != wanted or c.planned != round_.deliveries:
            problems.append(f"{c.planned} planned, {round_.deliveries} rows")
        if h.not_modified != args.feeds or h.server_304s != args.feeds:
            problems.append(f"304 tick: {h.not_modified} not modified, {h.server_304s} 304s")
        lines.append(
            f"  round {number}: cold {c.seconds:.2f} s, {c.feeds_polled} feeds polled "
            f"({c.server_hits} GETs), {round_.articles} articles stored, {c.planned} deliveries "
            f"planned ({round_.deliveries} rows); 304 tick {h.seconds:.2f} s, "
            f"{h.not_modified} not modified ({h.server_304s} answered 304) — "
            + ("ok" if not problems else "PROBLEM: " + "; ".join(problems))
        )
    worker_peaks = ", ".join(_mib(kib) for kib in results.worker_peak_kib) or "n/a"
    children = _mib(results.children_peak_kib)
    if results.forkserver_peak_kib is None:
        children += " (forkserver still running: parser processes may be missing)"
    else:
        children += (
            " (Linux counts in a child's peak what it held before its exec: this process had "
            f"{_mib(results.rss_at_forkserver_start_kib)} when it started the forkserver, "
            f"whose own peak after exec is {_mib(results.forkserver_peak_kib)})"
        )
    lines += [
        "",
        f"peak RSS: this process {_mib(main_peak)} over the whole run (RUSAGE_SELF; it held the "
        f"{results.corpus_bytes / 1e6:.0f} MB corpus for the baseline), "
        + (
            f"{_mib(results.polls_peak_kib)} during the polls (VmHWM reset after the baseline, "
            "corpus released)"
            if results.peak_reset
            else "(could not reset VmHWM to measure the polls alone)"
        )
        + f"; each parser process (VmHWM) {worker_peaks}; children (RUSAGE_CHILDREN) "
        f"{children}; feed server process {_mib(results.server_peak_kib)} (not a child then)",
        "",
        "| measure | median | spread (min–max) | target |",
        "| --- | --- | --- | --- |",
        f"| feedparser.parse alone, {args.feeds} feeds, 1 process | "
        f"{results.parse_only.median:.2f} s | {min(results.parse_only.values):.2f}–"
        f"{max(results.parse_only.values):.2f} s | |",
        *_parse_rows(results),
        f"| cold poll, one tick, {PARSER_WORKERS} parser processes ({last.database.split()[0]}) "
        f"| {cold.median:.2f} s | {min(cold.values):.2f}–{max(cold.values):.2f} s | |",
        f"| ratio cold poll / parse-only | {ratio:.2f} | | ≤ {TARGET_RATIO} |",
        f"| all-304 poll, one tick | {hot.median:.2f} s | {min(hot.values):.2f}–"
        f"{max(hot.values):.2f} s | ≤ {TARGET_304_SECONDS:g} s |",
        f"| articles stored / deliveries planned | {last.articles:,} / {last.deliveries:,} | | |",
        f"| peak RSS: poller during the polls / each parser process | "
        f"{_mib(results.polls_peak_kib if results.peak_reset else main_peak)} / "
        f"{_mib(max(results.worker_peak_kib, default=0))} | | |",
        "",
        f"({args.feeds} feeds × {args.entries} entries, "
        f"{results.corpus_bytes / args.feeds / 1024:.0f} KiB each; {os.cpu_count()} cores; "
        f"Python {platform.python_version()}; feedparser {feedparser.__version__}; "
        f"{args.repeat} run{'s' if args.repeat > 1 else ''} each)",
    ]
    return "\n".join(lines)


def _revision() -> str:
    """The commit measured, with "+changes" when the work tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.poll", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--feeds", type=int, default=1000, help="number of feeds (1000)")
    parser.add_argument("--entries", type=int, default=30, help="entries per feed (30)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (3)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="poll into PostgreSQL (postgresql+asyncpg://…) instead of SQLite; each run uses a "
        "new schema in that database and drops it afterwards",
    )
    parser.add_argument(
        "--no-keywords",
        dest="keywords",
        action="store_false",
        help="categories without keyword rules (then categorising does not stem the texts)",
    )
    parser.add_argument(
        "--readers",
        type=int,
        default=0,
        help="readers following a category, a keyword alert and a mute (0): with any, planning "
        "stems every article's text for the keyword alerts",
    )
    parser.add_argument(
        "--no-nashra-parse",
        dest="nashra_parse",
        action="store_false",
        help="skip timing Nashra's parse_feed in one process",
    )
    parser.add_argument(
        "--parse-only",
        action="store_true",
        help="stop after the parse timings (feedparser alone and parse_feed's two paths)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="after the timed runs, profile one more round with cProfile (this process during "
        "the cold and the all-304 tick, and parse_feed over a tenth of the feeds), save the "
        "stats to FILE.cold, FILE.304 and FILE.parse, and print the top functions",
    )
    args = parser.parse_args(argv)
    if args.feeds < 1 or args.entries < 1 or args.repeat < 1 or args.readers < 0:
        parser.error("--feeds, --entries and --repeat must be at least 1, --readers at least 0")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args.load_before = " ".join(f"{load:.2f}" for load in os.getloadavg())
    args.revision = _revision()

    start = time.perf_counter()
    corpus = Corpus.generate(args.feeds, args.entries)
    generate_seconds = time.perf_counter() - start
    _progress(f"generated {args.feeds} feeds ({corpus.total_bytes / 1e6:.1f} MB)")

    bodies = corpus.bodies
    parse_times = []
    for run in range(args.repeat):
        parse_times.append(_timed(partial(feedparser_only, bodies)))
        _progress(f"feedparser alone {run + 1}/{args.repeat}: {parse_times[-1]:.2f} s")
    nashra_seconds = feedparser_path_seconds = None
    if args.nashra_parse:
        fetched_at = datetime.now(UTC)
        feedparser_path_seconds = _timed(partial(nashra_parse, bodies, fetched_at, fast=False))
        _progress(f"Nashra parse_feed, feedparser path: {feedparser_path_seconds:.2f} s")
        nashra_seconds = _timed(partial(nashra_parse, bodies, fetched_at))
        _progress(f"Nashra parse_feed, fast path: {nashra_seconds:.2f} s")
    results = Results(
        args,
        corpus.total_bytes,
        corpus.digest(),
        generate_seconds,
        Spread(tuple(parse_times)),
        nashra_seconds,
        feedparser_path_seconds,
        sum(parse_path(body) == "fast" for body in bodies),
    )
    if args.parse_only:
        print("\n".join(_parse_lines(results)))
        return
    # The polls need none of the bodies (the server generates its own): let them go, and
    # measure this process's peak during the polls alone.
    paths, first_body = corpus.paths, corpus.bodies[0]
    del corpus, bodies
    gc.collect()
    results.before_polls_peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results.peak_reset = _reset_peak_rss()
    asyncio.run(run_polls(args, paths, first_body, results))
    print(report(results))
    if results.profile:
        print()
        print(results.profile)


if __name__ == "__main__":
    main()

"""Fetching from local feed servers: conditional GET, limits, errors, slots per host,
public addresses only, compression bombs."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import AsyncIterator
from dataclasses import replace
from ipaddress import ip_address, ip_network

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import AddressNotAllowed, FetchError
from bot.feeds.addresses import refusal
from bot.feeds.fetch import USER_AGENT, Fetcher, FetchLimits
from bot.feeds.poller import Poller
from bot.feeds.workers import ParserPool
from storage.feeds import add_feed
from storage.models import Feed
from tests.fakes.feeds import FeedServer, StaticNames, gzip_bomb, rss

BODY = rss([{"title": "خبر", "guid": "1"}])
# The local feed servers listen on loopback, which only ALLOW_PRIVATE_FEEDS lets through.
LOCAL = FetchLimits(allow_private=True)


async def test_conditional_get_gives_304(feed_server: FeedServer) -> None:
    url = feed_server.set("a.xml", BODY)
    async with Fetcher(LOCAL) as fetcher:
        first = await fetcher.fetch(url)
        second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert first.status == 200
    assert first.body == BODY.encode()
    assert second.not_modified
    assert second.body == b""
    assert feed_server.route("a.xml").conditional_hits == 1
    assert feed_server.route("a.xml").user_agents[0] == USER_AGENT


async def test_gzip_is_decoded(feed_server: FeedServer) -> None:
    url = feed_server.set("z.xml", BODY, gzip=True)
    async with Fetcher(LOCAL) as fetcher:
        assert (await fetcher.fetch(url)).body == BODY.encode()


@pytest.mark.parametrize(
    ("options", "limits", "message"),
    [
        ({"status": 500}, LOCAL, "HTTP 500"),
        ({"status": 404}, LOCAL, "HTTP 404"),
        ({"delay": 2.0}, replace(LOCAL, timeout_seconds=0.3), "timed out"),
        ({"endless": True}, replace(LOCAL, max_bytes=200_000), "larger than"),
    ],
)
async def test_failures_are_clear(
    feed_server: FeedServer, options: dict[str, object], limits: FetchLimits, message: str
) -> None:
    url = feed_server.set("bad.xml", BODY, **options)
    async with Fetcher(limits) as fetcher:
        with pytest.raises(FetchError, match=message):
            await fetcher.fetch(url)


async def test_body_over_the_cap_is_refused(feed_server: FeedServer) -> None:
    url = feed_server.set("big.xml", b"x" * 300_000)
    async with Fetcher(replace(LOCAL, max_bytes=100_000)) as fetcher:
        with pytest.raises(FetchError, match="larger than"):
            await fetcher.fetch(url)


async def test_a_gzip_bomb_stops_at_the_body_cap(feed_server: FeedServer) -> None:
    bomb = gzip_bomb(256 * 1_048_576)  # about 250 KB on the wire, 256 MiB inflated
    url = feed_server.set("bomb.xml", bomb, content_encoding="gzip")
    tracemalloc.start()
    try:
        async with Fetcher(replace(LOCAL, max_bytes=1_000_000)) as fetcher:
            with pytest.raises(FetchError, match="larger than 1,000,000 bytes"):
                await fetcher.fetch(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Inflating without bound takes the bomb's 256 MiB (280 MB measured with aiohttp 3.13.2);
    # 3.13.3 inflates one network read up to 32 MiB before it refuses (68 MB measured),
    # 3.14 hands the body over in 64 KiB chunks (2 MB measured).
    assert peak < 128 * 1_048_576


async def test_redirect_loop_stops(feed_server: FeedServer) -> None:
    feed_server.set("loop1", "", redirect_to=feed_server.url("loop2"))
    feed_server.set("loop2", "", redirect_to=feed_server.url("loop1"))
    async with Fetcher(replace(LOCAL, max_redirects=3)) as fetcher:
        with pytest.raises(FetchError, match="more than 3 redirects"):
            await fetcher.fetch(feed_server.url("loop1"))
    assert feed_server.route("loop1").hits + feed_server.route("loop2").hits == 4


async def test_the_timeout_covers_the_whole_redirect_chain(feed_server: FeedServer) -> None:
    feed_server.set("hop1", "", redirect_to="/hop2", delay=0.6)
    feed_server.set("hop2", "", redirect_to="/hop3", delay=0.6)
    feed_server.set("hop3", BODY, delay=0.6)
    async with Fetcher(replace(LOCAL, timeout_seconds=1.0)) as fetcher:
        with pytest.raises(FetchError, match="timed out after 1 s"):
            await fetcher.fetch(feed_server.url("hop1"))


async def test_redirects_are_followed_to_the_final_url(feed_server: FeedServer) -> None:
    feed_server.set("old.xml", "", redirect_to="/new.xml")
    new = feed_server.set("new.xml", BODY)
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.fetch(feed_server.url("old.xml"))
    assert (result.url, result.body) == (new, BODY.encode())


async def test_unreachable_and_non_http() -> None:
    async with Fetcher(replace(LOCAL, timeout_seconds=2)) as fetcher:
        with pytest.raises(FetchError, match="network error"):
            await fetcher.fetch("http://127.0.0.1:9/feed.xml")
        with pytest.raises(FetchError, match="not an http"):
            await fetcher.fetch("file:///etc/passwd")
        with pytest.raises(FetchError, match="not a valid URL"):
            await fetcher.fetch("http://[oops/feed.xml")


async def test_a_connection_error_names_the_host_not_its_address() -> None:
    names = StaticNames({"feeds.test": "127.0.0.1"})
    async with Fetcher(replace(LOCAL, timeout_seconds=2), names=names) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch("http://feeds.test:9/feed.xml")
    assert str(caught.value) == "network error: cannot connect to feeds.test (Connection refused)"


async def test_a_busy_host_leaves_the_global_slots_to_other_hosts(
    feed_server: FeedServer,
) -> None:
    release = asyncio.Event()
    feed_server.set("slow.xml", BODY, hold=release)
    feed_server.set("quick.xml", BODY)
    names = StaticNames({"slow.test": "127.0.0.1", "quick.test": "127.0.0.1"})
    limits = replace(LOCAL, concurrency=4, per_host=2, timeout_seconds=120)
    async with Fetcher(limits, names=names) as fetcher:
        slow_url = feed_server.url("slow.xml", host="slow.test")
        slow = [asyncio.create_task(fetcher.fetch(slow_url)) for _ in range(8)]
        await feed_server.wait_for_hits("slow.xml", limits.per_host)
        try:
            # Only a guard against hanging: with the global slots held by feeds that wait
            # for slow.test, this fetch would not start until they are released.
            async with asyncio.timeout(30):
                quick = await fetcher.fetch(feed_server.url("quick.xml", host="quick.test"))
            assert not any(task.done() for task in slow)
        finally:
            release.set()
        assert all(result.status == 200 for result in await asyncio.gather(*slow))
    assert quick.body == BODY.encode()


# ── public addresses only ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("168.63.129.16", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("::ffff:192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("fec0::1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::7f00:1", "reserved"),  # IPv4-compatible, deprecated
        ("100.64.0.1", "non-public"),
        ("192.0.0.8", "non-public"),
        ("198.18.0.1", "private"),
        ("192.0.2.1", "private"),  # documentation
        ("2001:db8::1", "private"),
        ("1.1.1.1", None),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
        ("::ffff:1.1.1.1", None),
        ("64:ff9b::101:101", None),  # DNS64 answer for 1.1.1.1
        ("2002:101:101::", None),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    assert refusal(ip_address(address)) == kind


@pytest.fixture
async def public_server() -> AsyncIterator[FeedServer]:
    """A feed server standing in for a public site: on 127.0.0.2, which the guard is told
    to trust, so that every other loopback address stays refused."""
    server = await FeedServer().start("127.0.0.2")
    yield server
    await server.stop()


def guarded_fetcher(**names: str) -> Fetcher:
    """A Fetcher with private addresses refused; news.test is the public site."""
    limits = FetchLimits(timeout_seconds=5, trusted_networks=(ip_network("127.0.0.2/32"),))
    return Fetcher(limits, names=StaticNames({"news.test": "127.0.0.2", **names}))


async def test_a_name_with_a_public_address_is_fetched(public_server: FeedServer) -> None:
    public_server.set("old.xml", "", redirect_to="/feed.xml")
    public_server.set("feed.xml", BODY)
    async with guarded_fetcher() as fetcher:
        result = await fetcher.fetch(public_server.url("old.xml", host="news.test"))
    assert result.body == BODY.encode()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("http://169.254.169.254/latest/meta-data/", "redirects to a cloud metadata address"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "redirects to a cloud metadata address"),
        ("http://[::ffff:a9fe:a9fe]/latest/", "redirects to a cloud metadata address"),
        ("http://[::1]:{port}/secret", "redirects to a loopback address"),
        ("http://127.0.0.1:{port}/secret", "redirects to a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/", "redirects to a loopback address"),
        ("http://10.0.0.5:8080/admin", "redirects to a private address"),
        ("http://0.0.0.0:{port}/", "redirects to an unspecified address"),
        ("http://224.0.0.1/", "redirects to a multicast address"),
        ("http://2130706433:{port}/", "redirects to a non-standard address"),
        ("http://127.1:{port}/", "redirects to a non-standard address"),
        (
            "http://intranet.test:8080/",
            "redirects to intranet.test, which resolves to a private address",
        ),
        (
            "http://rebind.test:{port}/secret",
            "redirects to rebind.test, which resolves to a loopback address",
        ),
    ],
)
async def test_a_redirect_to_a_non_public_address_is_refused(
    public_server: FeedServer, feed_server: FeedServer, target: str, message: str
) -> None:
    feed_server.set("secret", "root:x:0:0")
    target = target.format(port=feed_server.port)
    public_server.set("feed.xml", "", redirect_to=target)
    names = {"intranet.test": "10.0.0.5", "rebind.test": "127.0.0.1"}
    async with guarded_fetcher(**names) as fetcher:
        with pytest.raises(AddressNotAllowed) as caught:
            await fetcher.fetch(public_server.url("feed.xml", host="news.test"))
    assert str(caught.value) == f"address not allowed: news.test {message}"
    for internal in ("10.0.0.5", "8080", str(feed_server.port), "127.0.0.1", "169.254"):
        assert internal not in str(caught.value)
    assert feed_server.route("secret").hits == 0


async def test_the_same_redirect_is_followed_when_private_feeds_are_allowed(
    public_server: FeedServer, feed_server: FeedServer
) -> None:
    secret = feed_server.set("latest/meta-data/", "iam/security-credentials/")
    public_server.set("feed.xml", "", redirect_to=secret)
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.fetch(public_server.url("feed.xml"))
    assert result.body == b"iam/security-credentials/"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:{port}/feed.xml", "127.0.0.1 is a loopback address"),
        ("http://localhost.test:{port}/feed.xml", "localhost.test resolves to a loopback address"),
        ("http://intranet.test:8080/feed.xml", "intranet.test resolves to a private address"),
        ("http://[fd00:ec2::254]/feed.xml", "fd00:ec2::254 is a cloud metadata address"),
    ],
)
async def test_a_feed_on_a_non_public_address_is_refused(
    feed_server: FeedServer, url: str, message: str
) -> None:
    feed_server.set("feed.xml", BODY)
    names = {"intranet.test": "10.0.0.5", "localhost.test": "127.0.0.1"}
    async with guarded_fetcher(**names) as fetcher:
        with pytest.raises(AddressNotAllowed, match=f"^address not allowed: {message}$"):
            await fetcher.fetch(url.format(port=feed_server.port))
    assert feed_server.route("feed.xml").hits == 0


async def test_the_error_stored_for_a_feed_names_hosts_not_addresses(
    sessions: async_sessionmaker[AsyncSession], public_server: FeedServer
) -> None:
    public_server.set("moved.xml", "", redirect_to="http://intranet.test:8080/feed.xml")
    urls = [public_server.url("moved.xml", host="news.test"), "http://down.test:9/feed.xml"]
    async with sessions.begin() as session:
        for url in urls:
            await add_feed(session, url)
    names = {"intranet.test": "10.0.0.5", "down.test": "127.0.0.2"}  # port 9: nobody listens
    async with guarded_fetcher(**names) as fetcher:
        await Poller(sessions, fetcher, ParserPool(workers=0)).tick()
    async with sessions() as session:
        errors = {feed.url: feed.last_error for feed in await session.scalars(select(Feed))}
    assert errors == {
        urls[0]: "address not allowed: news.test redirects to intranet.test, "
        "which resolves to a private address",
        urls[1]: "network error: cannot connect to down.test (Connection refused)",
    }

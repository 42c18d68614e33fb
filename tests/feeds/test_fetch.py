"""Fetching from a local feed server: conditional GET, limits, errors."""

from __future__ import annotations

import pytest

from bot.errors import FetchError
from bot.feeds.fetch import USER_AGENT, Fetcher, FetchLimits
from tests.fakes.feeds import FeedServer, rss

BODY = rss([{"title": "خبر", "guid": "1"}])


async def test_conditional_get_gives_304(feed_server: FeedServer) -> None:
    url = feed_server.set("a.xml", BODY)
    async with Fetcher() as fetcher:
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
    async with Fetcher() as fetcher:
        assert (await fetcher.fetch(url)).body == BODY.encode()


@pytest.mark.parametrize(
    ("options", "limits", "message"),
    [
        ({"status": 500}, FetchLimits(), "HTTP 500"),
        ({"status": 404}, FetchLimits(), "HTTP 404"),
        ({"delay": 2.0}, FetchLimits(timeout_seconds=0.3), "timed out"),
        ({"endless": True}, FetchLimits(max_bytes=200_000), "larger than"),
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
    async with Fetcher(FetchLimits(max_bytes=100_000)) as fetcher:
        with pytest.raises(FetchError, match="larger than"):
            await fetcher.fetch(url)


async def test_redirect_loop_stops(feed_server: FeedServer) -> None:
    feed_server.set("loop1", "", redirect_to=feed_server.url("loop2"))
    feed_server.set("loop2", "", redirect_to=feed_server.url("loop1"))
    async with Fetcher(FetchLimits(max_redirects=3)) as fetcher:
        with pytest.raises(FetchError, match="redirects"):
            await fetcher.fetch(feed_server.url("loop1"))


async def test_unreachable_and_non_http() -> None:
    async with Fetcher(FetchLimits(timeout_seconds=2)) as fetcher:
        with pytest.raises(FetchError, match="network error"):
            await fetcher.fetch("http://127.0.0.1:9/feed.xml")
        with pytest.raises(FetchError, match="not an http"):
            await fetcher.fetch("file:///etc/passwd")

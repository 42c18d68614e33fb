"""WebSub discovery: the hub and topic from a feed's links and from its Link: header."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.parse import parse_feed
from bot.feeds.poller import Poller, link_header_hub
from bot.feeds.workers import ParserPool
from storage.feeds import add_feed
from tests.fakes.feeds import FeedServer, rss

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<link rel="alternate" href="https://site.example/"/>
<link rel="self" href="https://site.example/feed.atom"/>
<link rel="hub" href="https://pubsubhubbub.appspot.example/"/>
<link rel="hub" href="https://second.example/hub"/>
<entry><title>x</title><id>1</id><link href="https://site.example/1"/>
<updated>2026-12-06T10:00:00Z</updated></entry></feed>"""


def test_an_atom_feed_names_its_first_hub_and_itself() -> None:
    parsed = parse_feed(ATOM, NOW)
    assert parsed.hub == "https://pubsubhubbub.appspot.example/"
    assert parsed.topic == "https://site.example/feed.atom"


def test_an_rss_feed_names_them_with_atom_link() -> None:
    links = (
        '<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="hub" href="https://h.example/"/>'
    )
    body = rss([{"title": "خبر", "link": "https://a.example/1"}])
    parsed = parse_feed(body.replace("<channel>", "<channel>" + links).encode(), NOW)
    assert (parsed.hub, parsed.topic) == ("https://h.example/", None)


def test_a_feed_without_a_hub_names_none_and_a_bad_scheme_is_not_a_hub() -> None:
    assert parse_feed(rss([{"title": "خبر"}]).encode(), NOW).hub is None
    body = ATOM.replace(b"https://pubsubhubbub.appspot.example/", b"javascript:alert(1)")
    assert parse_feed(body, NOW).hub == "https://second.example/hub"


def test_link_headers() -> None:
    assert link_header_hub(
        ['<https://h.example/>; rel="hub", <https://a.example/f>; rel="self"']
    ) == (
        "https://h.example/",
        "https://a.example/f",
    )
    assert link_header_hub(
        ["<https://h.example/>; rel=hub", "<https://a.example/f>; rel=self"]
    ) == (
        "https://h.example/",
        "https://a.example/f",
    )
    assert link_header_hub(['<https://a.example/f>; rel="self alternate"']) == (
        None,
        "https://a.example/f",
    )
    assert link_header_hub(['<ftp://h.example/>; rel="hub"', "garbage", ""]) == (None, None)


async def test_a_poll_reports_the_hub_of_the_link_header(
    sessions: async_sessionmaker,
    feed_server: FeedServer,  # type: ignore[type-arg]
) -> None:
    url = feed_server.set("f.xml", rss([{"title": "خبر", "link": "https://a.example/1"}]))
    feed_server.route("f.xml").headers = {
        "Link": '<https://hub.example/>; rel="hub", <https://a.example/topic>; rel="self"'
    }
    async with sessions.begin() as session:
        await add_feed(session, url)
    async with Fetcher(FetchLimits(allow_private=True)) as fetcher:
        result = await fetcher.fetch(url)
        assert result.links == (
            '<https://hub.example/>; rel="hub", <https://a.example/topic>; rel="self"',
        )
        report = await Poller(sessions, fetcher, ParserPool(0)).tick()
    [outcome] = report.outcomes
    assert (outcome.hub, outcome.topic) == ("https://hub.example/", "https://a.example/topic")

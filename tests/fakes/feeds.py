"""A local HTTP server that serves feed fixtures the way real sites do.

ETag and Last-Modified with 304 answers, bodies that change between polls, slow answers,
answers held until the test releases them, errors, redirect loops, endless bodies and
compression bombs. `StaticNames` stands in for DNS, so tests can give the local server any
host name without asking a real name server.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import socket
import zlib
from dataclasses import dataclass, field
from email.utils import formatdate

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    gzip: bool = False
    content_encoding: str | None = None  # the body is already encoded so; sent as it is
    hold: asyncio.Event | None = None  # the answer waits until the test sets it
    redirect_to: str | None = None
    endless: bool = False
    modified: float = 0.0
    hits: int = 0
    conditional_hits: int = 0
    user_agents: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # sent with the body (e.g. Link)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.port = 0

    async def start(self, host: str = "127.0.0.1") -> FeedServer:
        """Listen on a free port of `host` (a loopback address: 127.0.0.2 works on Linux)."""
        app = web.Application()
        app.router.add_route("GET", "/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://{host}:{self.port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str, *, host: str | None = None) -> str:
        """The URL of `path`, under another host name for this server if `host` is given."""
        base = self.base_url if host is None else f"http://{host}:{self.port}"
        return f"{base}/{path.lstrip('/')}"

    def set(self, path: str, body: bytes | str, **options: object) -> str:
        """Serve `body` at `path` (replacing what was there) and return its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = self.routes.get(path.lstrip("/")) or Route()
        route.body = data
        route.modified += 1
        for name, value in options.items():
            setattr(route, name, value)
        self.routes[path.lstrip("/")] = route
        return self.url(path)

    def route(self, path: str) -> Route:
        return self.routes[path.lstrip("/")]

    async def wait_for_hits(self, path: str, count: int) -> None:
        """Return once `path` has been requested `count` times."""
        route = self.route(path)
        async with route.arrived:
            await route.arrived.wait_for(lambda: route.hits >= count)

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        route = self.routes.get(request.match_info["path"])
        if route is None:
            return web.Response(status=404, text="not found")
        route.hits += 1
        route.user_agents.append(request.headers.get("User-Agent", ""))
        async with route.arrived:
            route.arrived.notify_all()
        if route.hold is not None:
            await route.hold.wait()
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.redirect_to is not None:
            raise web.HTTPFound(route.redirect_to)
        if route.status != 200:
            return web.Response(status=route.status, text="error")
        etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
        last_modified = formatdate(1_700_000_000 + route.modified, usegmt=True)
        if request.headers.get("If-None-Match") == etag:
            route.conditional_hits += 1
            return web.Response(status=304, headers={"ETag": etag})
        if route.endless:
            response = web.StreamResponse(headers={"Content-Type": route.content_type})
            await response.prepare(request)
            chunk = b"<rss>" + b" " * 65_536
            for _ in range(10_000):  # bounded: about 650 MB at most
                await response.write(chunk)
            return response
        headers = {"ETag": etag, "Last-Modified": last_modified, **route.headers}
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        elif route.content_encoding is not None:
            headers["Content-Encoding"] = route.content_encoding
        return web.Response(
            body=body,
            content_type=None,
            headers={
                **headers,
                "Content-Type": route.content_type,
            },
        )


def gzip_bomb(inflated: int) -> bytes:
    """A gzip body of about inflated/1000 bytes that inflates to `inflated` bytes of spaces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * 1_048_576
    parts = [packer.compress(block) for _ in range(inflated // len(block))]
    return b"".join([*parts, packer.flush()])


class StaticNames(AbstractResolver):
    """A name server that knows only the names a test gives it (name → address)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.names:
            raise OSError(socket.EAI_NONAME, f"{host} is not a known name")
        address = self.names[host]
        kind = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [
            {"hostname": host, "host": address, "port": port, "family": kind, "proto": 0,
             "flags": socket.AI_NUMERICHOST}
        ]  # fmt: skip

    async def close(self) -> None:
        pass


def rss(
    items: list[dict[str, str]],
    *,
    title: str = "أخبار تجريبية",
    link: str = "https://news.example.sy/",
) -> str:
    """An RSS 2.0 document with these items (keys: title, link, guid, description,
    pubDate, category), newest first as feeds list them."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{title}</title><link>{link}</link><description>اختبار</description>",
    ]
    for item in items:
        parts.append("<item>")
        for name in ("title", "link", "guid", "description", "pubDate"):
            if name in item:
                parts.append(f"<{name}><![CDATA[{item[name]}]]></{name}>")
        for category in item.get("category", "").split("|"):
            if category:
                parts.append(f"<category>{category}</category>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)

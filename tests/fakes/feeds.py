"""A local HTTP server that serves feed fixtures the way real sites do.

ETag and Last-Modified with 304 answers, bodies that change between polls, slow answers,
errors, redirect loops and endless bodies.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from dataclasses import dataclass, field
from email.utils import formatdate

from aiohttp import web


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    gzip: bool = False
    redirect_to: str | None = None
    endless: bool = False
    modified: float = 0.0
    hits: int = 0
    conditional_hits: int = 0
    user_agents: list[str] = field(default_factory=list)


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("GET", "/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

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

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        route = self.routes.get(request.match_info["path"])
        if route is None:
            return web.Response(status=404, text="not found")
        route.hits += 1
        route.user_agents.append(request.headers.get("User-Agent", ""))
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
        headers = {"ETag": etag, "Last-Modified": last_modified}
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        return web.Response(
            body=body,
            content_type=None,
            headers={
                **headers,
                "Content-Type": route.content_type,
            },
        )


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

"""Polite HTTP fetching of feeds with aiohttp.

One ClientSession for the whole process; a global and a per-host bound on concurrent
requests; connect and read timeouts; a body-size cap; a redirect limit; conditional GET.
aiohttp's errors are translated into FetchError here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from bot.errors import FetchError

USER_AGENT = "Nashra/0.1 (+https://github.com/nashra-news/nashra; Arabic news bot)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchLimits:
    timeout_seconds: float = 20.0
    connect_timeout_seconds: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    concurrency: int = 32
    per_host: int = 4


@dataclass(frozen=True)
class FetchResult:
    """What a poll got: a body (status 200) or nothing new (status 304)."""

    status: int
    body: bytes
    url: str
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """Fetches feed bodies; create one per process, close it at shutdown."""

    def __init__(self, limits: FetchLimits | None = None) -> None:
        self.limits = limits or FetchLimits()
        self._session: aiohttp.ClientSession | None = None
        self._overall = asyncio.Semaphore(self.limits.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.limits.concurrency,
                limit_per_host=self.limits.per_host,
                ttl_dns_cache=300,
            )
            timeout = aiohttp.ClientTimeout(
                total=self.limits.timeout_seconds,
                sock_connect=self.limits.connect_timeout_seconds,
                sock_read=self.limits.timeout_seconds,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=timeout,
                headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
                auto_decompress=True,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def _host_bound(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.limits.per_host)
        return self._hosts[host]

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET the feed, conditionally; raise FetchError with a reason an operator can read."""
        if urlsplit(url).scheme not in {"http", "https"}:
            raise FetchError(f"not an http(s) URL: {url}")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._overall, self._host_bound(url):
            try:
                return await self._get(url, headers)
            except TimeoutError:
                raise FetchError(f"timed out after {self.limits.timeout_seconds:g} s") from None
            except aiohttp.TooManyRedirects:
                raise FetchError(f"more than {self.limits.max_redirects} redirects") from None
            except aiohttp.ClientResponseError as exc:
                raise FetchError(f"HTTP {exc.status} {exc.message}".strip()) from None
            except aiohttp.ClientError as exc:
                raise FetchError(f"network error: {exc or type(exc).__name__}") from None

    async def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        async with self._client().get(
            url, headers=headers, max_redirects=self.limits.max_redirects
        ) as response:
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
            final_url = str(response.url)
            if response.status == 304:
                return FetchResult(304, b"", final_url, etag, last_modified)
            if response.status >= 400:
                raise FetchError(f"HTTP {response.status} {response.reason or ''}".strip())
            declared = response.content_length
            if declared is not None and declared > self.limits.max_bytes:
                raise FetchError(self._too_large())
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body.extend(chunk)
                if len(body) > self.limits.max_bytes:
                    raise FetchError(self._too_large())
            return FetchResult(response.status, bytes(body), final_url, etag, last_modified)

    def _too_large(self) -> str:
        return f"body larger than {self.limits.max_bytes:,} bytes"

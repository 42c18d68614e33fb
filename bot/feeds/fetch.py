"""Polite HTTP fetching of feeds with aiohttp.

One ClientSession for the whole process; a per-host and a global bound on concurrent
requests; connect and read timeouts; a body-size cap (after decompression); a redirect limit;
conditional GET; public addresses only, on every hop (bot/feeds/addresses.py). Redirects are
followed here, not by aiohttp, so that each hop's host is checked before it is contacted.
aiohttp's errors are translated into FetchError here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.http_exceptions import DecompressSizeError
from yarl import URL

from bot.errors import AddressNotAllowed, FetchError
from bot.feeds.addresses import AddressPolicy, IPNetwork, PublicResolver

USER_AGENT = "Nashra/0.1 (+https://github.com/nashra-news/nashra; Arabic news bot)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
# What an article page is asked for with (bot/feeds/pages.py).
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class FetchLimits:
    timeout_seconds: float = 20.0
    connect_timeout_seconds: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    concurrency: int = 32
    per_host: int = 4
    allow_private: bool = False  # ALLOW_PRIVATE_FEEDS
    trusted_networks: tuple[IPNetwork, ...] = ()  # allowed even when private ones are not

    @property
    def addresses(self) -> AddressPolicy:
        return AddressPolicy(self.allow_private, self.trusted_networks)


REDIRECTS = frozenset({301, 302, 303, 307, 308})
_UNBOUNDED = contextlib.nullcontext()


@dataclass(frozen=True)
class FetchResult:
    """What a poll got: a body (status 200) or nothing new (status 304)."""

    status: int
    body: bytes
    url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None = None  # the Content-Type header, as sent
    # The Link headers, as sent (WebSub discovery: rel="hub" and rel="self").
    links: tuple[str, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """Fetches feed bodies; create one per process, close it at shutdown.

    `names` resolves host names (aiohttp's default resolver unless a test gives its own);
    whatever it answers goes through the address policy before a connection is made.
    """

    def __init__(
        self, limits: FetchLimits | None = None, *, names: AbstractResolver | None = None
    ) -> None:
        self.limits = limits or FetchLimits()
        self._policy = self.limits.addresses
        self._names = names
        self._session: aiohttp.ClientSession | None = None
        self._resolver: PublicResolver | None = None
        self._overall = asyncio.Semaphore(self.limits.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._resolver = PublicResolver(self._policy, self._names)
            connector = aiohttp.TCPConnector(
                limit=self.limits.concurrency,
                limit_per_host=self.limits.per_host,
                ttl_dns_cache=300,
                resolver=self._resolver,
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
        if self._resolver is not None:
            await self._resolver.close()
            self._resolver = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def _host_bound(self, url: URL) -> asyncio.Semaphore:
        host = (url.host or "").lower()
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.limits.per_host)
        return self._hosts[host]

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        max_bytes: int | None = None,
        slots: asyncio.Semaphore | None = None,
    ) -> FetchResult:
        """GET the feed, conditionally; raise FetchError with a reason an operator can read.

        An article page asks for HTML (`accept`), may have a smaller size cap than a feed
        (`max_bytes`, never above the fetcher's own) and a bound of its own kind (`slots`,
        taken after the host's slot, like the global one); the guard, redirects and the
        per-host and global bounds are the same."""
        start = _http_url(url)
        limit = min(max_bytes or self.limits.max_bytes, self.limits.max_bytes)
        headers = {}
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        # The host's slot first: feeds waiting for a busy host must not hold global slots
        # that feeds of other hosts could use.
        async with self._host_bound(start), slots or _UNBOUNDED, self._overall:
            try:
                # One deadline for the whole chain: each hop is a request of its own to aiohttp.
                async with asyncio.timeout(self.limits.timeout_seconds):
                    return await self._follow(start, headers, limit)
            except TimeoutError:
                raise FetchError(f"timed out after {self.limits.timeout_seconds:g} s") from None
            except aiohttp.ClientResponseError as exc:
                raise FetchError(f"HTTP {exc.status} {exc.message}".strip()) from None

    async def post_form(self, url: str, form: dict[str, str]) -> tuple[int, str]:
        """POST a form (a WebSub subscribe to a hub) through the same address guard and
        deadline as a fetch, no redirects; the status and the start of the answer's text."""
        target = _http_url(url)
        try:
            async with asyncio.timeout(self.limits.timeout_seconds):
                self._policy.check_host(target.raw_host or "")
                async with self._client().post(target, data=form, allow_redirects=False) as answer:
                    text = (await answer.content.read(2048)).decode("utf-8", "replace")
                    return answer.status, text
        except TimeoutError:
            raise FetchError(f"timed out after {self.limits.timeout_seconds:g} s") from None
        except aiohttp.ClientError as exc:
            raise FetchError(f"network error: {_network_reason(exc, target)}") from None

    async def _follow(self, start: URL, headers: dict[str, str], limit: int) -> FetchResult:
        """Request `start` and its redirects, checking every hop's host before contacting it."""
        url = start
        for hop in range(self.limits.max_redirects + 1):
            try:
                self._policy.check_host(url.raw_host or "")
                async with self._client().get(
                    url, headers=headers, allow_redirects=False
                ) as response:
                    location = response.headers.get("Location")
                    if response.status not in REDIRECTS or location is None:
                        return await self._read(response, str(url), limit)
                    target = _redirect(url, location)
            except AddressNotAllowed as refused:
                raise refused if hop == 0 else refused.via(start.raw_host or "") from None
            except (TimeoutError, aiohttp.ClientResponseError):
                raise
            except aiohttp.ClientError as exc:
                raise FetchError(f"network error: {_network_reason(exc, url)}") from None
            url = target
        raise FetchError(f"more than {self.limits.max_redirects} redirects")

    async def _read(self, response: aiohttp.ClientResponse, url: str, limit: int) -> FetchResult:
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        links = tuple(response.headers.getall("Link", ()))
        if response.status == 304:
            return FetchResult(304, b"", url, etag, last_modified, links=links)
        if response.status >= 300:
            raise FetchError(f"HTTP {response.status} {response.reason or ''}".strip())
        declared = response.content_length
        if declared is not None and declared > limit:
            raise FetchError(_too_large(limit))
        body = bytearray()
        try:
            async for chunk in response.content.iter_chunked(64 * 1024):
                if len(body) + len(chunk) > limit:
                    raise FetchError(_too_large(limit))
                body.extend(chunk)
        except aiohttp.ClientPayloadError as exc:
            # Since aiohttp 3.13.3 one network read never inflates without bound: 3.13 refuses
            # one that would pass 32 MiB, 3.14 hands it over in bounded chunks.
            if isinstance(exc.__cause__, DecompressSizeError):
                raise FetchError(_too_large(limit)) from None
            raise
        content_type = response.headers.get("Content-Type")
        return FetchResult(
            response.status, bytes(body), url, etag, last_modified, content_type, links
        )


def _too_large(limit: int) -> str:
    return f"body larger than {limit:,} bytes"


def _http_url(url: str) -> URL:
    try:
        parsed = URL(url)
    except ValueError:
        raise FetchError(f"not a valid URL: {url}") from None
    if parsed.scheme not in {"http", "https"} or not parsed.raw_host:
        raise FetchError(f"not an http(s) URL: {url}")
    return parsed


def _redirect(url: URL, location: str) -> URL:
    try:
        target = url.join(URL(location))
    except ValueError:
        raise FetchError("redirect to a URL that cannot be read") from None
    if target.scheme not in {"http", "https"} or not target.raw_host:
        raise FetchError("redirect to a URL that is not http(s)")
    return target.with_fragment(None)


def _network_reason(exc: aiohttp.ClientError, url: URL) -> str:
    """What went wrong, naming the host as the URL spells it: aiohttp's own messages carry the
    address and port a name resolved to, which must not reach the feed's stored error."""
    host = url.raw_host or ""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"cannot resolve {host}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"the TLS certificate of {host} is not valid"
    if isinstance(exc, aiohttp.ClientConnectorSSLError):
        return f"TLS with {host} failed"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {host}{_os_reason(exc.os_error)}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return f"{host} closed the connection"
    if isinstance(exc, aiohttp.ClientOSError):
        return f"connection to {host} failed{_os_reason(exc)}"
    return str(exc) or type(exc).__name__


def _os_reason(error: OSError) -> str:
    # strerror of a failed connect is "Connect call failed ('10.0.0.5', 8080)": use errno.
    return f" ({os.strerror(error.errno)})" if error.errno else ""

"""Which network addresses feeds may be fetched from.

A feed URL comes from an operator, but its redirects and its DNS answers come from anyone, so
a feed must never become a way to reach the bot's own machine, its private network or a cloud
metadata service. Every hop is checked after resolution: IP-literal hosts here (aiohttp does not
resolve them), names by `PublicResolver`, which the Fetcher's connector uses for every lookup.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from bot.errors import AddressNotAllowed

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

# Instance metadata services answer with credentials; some of them sit on public-looking
# addresses (Azure's wire server), so they are named rather than left to the ranges below.
METADATA = frozenset(
    ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "fd00:ec2::254",  # AWS over IPv6
        "169.254.170.2",  # AWS ECS task credentials
        "168.63.129.16",  # Azure wire server
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)

# Ranges that are not reachable on the public internet but that Python 3.11's `is_global`
# still calls global (later Pythons fixed some of them).
_NOT_PUBLIC = tuple(
    ip_network(network)
    for network in (
        "100.64.0.0/10",  # shared address space (carrier-grade NAT, cloud internals)
        "192.0.0.0/24",  # IETF protocol assignments
        "64:ff9b:1::/48",  # local-use NAT64
        "2001::/23",  # IETF protocol assignments
        "2001:db8::/32",  # documentation
    )
)
_NAT64 = ip_network("64:ff9b::/96")


def refusal(address: IPAddress) -> str | None:
    """The kind of address a feed may not be fetched from, or None for a public address."""
    if address in METADATA:
        return "cloud metadata"
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refusal(embedded)
    kinds = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private or _site_local(address)),
        ("non-public", not address.is_global or any(address in n for n in _NOT_PUBLIC)),
    )
    return next((kind for kind, matches in kinds if matches), None)


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries, where the network would deliver to it."""
    if not isinstance(address, IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:  # DNS64 answers for public names look like this
        return IPv4Address(int(address) & 0xFFFF_FFFF)
    return address.sixtofour


def _site_local(address: IPAddress) -> bool:
    return isinstance(address, IPv6Address) and address.is_site_local


def literal_address(host: str) -> IPAddress | None:
    """The address an IP-literal host names, or None for a DNS name.

    A host of digits and dots is an address to the socket layer even in legacy forms
    (`2130706433`, `127.1` are 127.0.0.1) that no resolver sees: those are refused outright.
    """
    try:
        return ip_address(host)
    except ValueError:
        if ":" in host or host.replace(".", "").isdigit():
            raise AddressNotAllowed(host, "non-standard") from None
        return None


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses this process fetches from.

    `allow_private` lets everything through (ALLOW_PRIVATE_FEEDS: a feed server on the
    intranet, the tests' local servers). `trusted` lets a few networks through while the rest
    stay refused: the guard's own tests serve their "public" feed from one of them.
    """

    allow_private: bool = False
    trusted: tuple[IPNetwork, ...] = ()

    def refusal(self, address: IPAddress) -> str | None:
        if self.allow_private or any(address in network for network in self.trusted):
            return None
        return refusal(address)

    def check_host(self, host: str) -> None:
        """Refuse an IP-literal host that is not allowed; names are checked when resolved."""
        address = literal_address(host)
        kind = None if address is None else self.refusal(address)
        if kind is not None:
            raise AddressNotAllowed(host, kind)


class PublicResolver(AbstractResolver):
    """Resolves names, then keeps only the addresses the policy allows."""

    def __init__(self, policy: AddressPolicy, names: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._names = names or DefaultResolver()
        self._owns_names = names is None

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._names.resolve(host, port, family)
        kinds = [self._policy.refusal(ip_address(answer["host"])) for answer in answers]
        allowed = [answer for answer, kind in zip(answers, kinds, strict=True) if kind is None]
        if answers and not allowed:
            raise AddressNotAllowed(host, kinds[0] or "non-public", resolved=True)
        return allowed

    async def close(self) -> None:
        if self._owns_names:
            await self._names.close()

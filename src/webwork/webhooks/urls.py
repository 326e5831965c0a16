"""Where a webhook may point (SSRF): http(s) URLs only, https unless the operator allows
http, and never an address inside the server's own networks unless the operator allows
private addresses.

The address rule is checked twice: when a webhook is saved (its host resolved), and at
every delivery against the very address the worker then connects to (``worker.py``
resolves once, checks, and connects to that address), so a DNS answer changed after
saving cannot send a delivery to a private address."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from webwork.kit.errors import ValidationFailed, invalid

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# The lookup a save may wait for: it runs after the caller's key was read, before any write.
RESOLVE_TIMEOUT = 3.0


class RefusedDestination(Exception):
    """The URL's host resolves to an address webhooks may not reach, or to none."""


def parse(url: str, *, allow_http: bool) -> SplitResult:
    """The URL's parts, or a 422 on ``url`` saying what is wrong with its form."""
    if any(ch.isspace() for ch in url):
        raise invalid("url", "The url must be a valid URL.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is no number or out of range
    except ValueError:
        raise invalid("url", "The url must be a valid URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid("url", "The url must be an http or https URL.")
    if parts.scheme == "http" and not allow_http:
        raise invalid("url", "The url must use https.")
    if parts.username is not None or parts.password is not None:
        raise invalid("url", "The url must not contain credentials.")
    return parts


def default_port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def refusal(address: IpAddress) -> str | None:
    """Why ``address`` is no place for a webhook (loopback, private, link-local, cloud
    metadata, ...), or None for a public address. IPv4 written as IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (such as a cloud metadata service)"
    if address.is_private or not address.is_global or address.is_multicast:
        return "a private or reserved address"
    return None


async def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address ``host`` resolves to (a literal address is itself)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError) as exc:
        raise RefusedDestination(f"the host {host} does not resolve") from exc
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


def ensure_public(host: str, addresses: list[IpAddress]) -> None:
    """RefusedDestination unless every address is public: one private answer among
    public ones would let a later connection land on it."""
    if not addresses:
        raise RefusedDestination(f"the host {host} does not resolve")
    for address in addresses:
        reason = refusal(address)
        if reason is not None:
            raise RefusedDestination(f"the host {host} resolves to {reason}")


async def check(url: str, *, allow_http: bool, allow_private: bool) -> None:
    """A 422 on ``url`` unless a webhook may be saved with it. With private addresses
    allowed nothing is resolved, so saving never needs DNS."""
    parts = parse(url, allow_http=allow_http)
    if allow_private:
        return
    host = parts.hostname or ""
    try:
        ensure_public(host, await resolve(host, default_port(parts)))
    except RefusedDestination as exc:
        raise ValidationFailed({"url": [f"The url is refused: {exc}."]}) from None

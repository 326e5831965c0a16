"""The client's address: the socket's peer, unless that peer is a proxy the operator
trusts (``WEBWORK_TRUSTED_PROXIES``, IPs and CIDR networks; none by default).

Any client can send ``X-Forwarded-For``, ``Forwarded`` or ``X-Real-IP``, so those headers
say nothing unless a trusted proxy wrote them: believing them from anyone would give every
request a rate-limit bucket of its own choosing. From a trusted peer the address is read
from ``X-Forwarded-For``, else ``Forwarded`` (its ``for=`` parameters), else
``X-Real-IP``: walking a list from the right (each proxy appends the address it saw), the
first address that is not a trusted proxy is the client; when every one is trusted, the
left-most. An entry that is not an IP address (``unknown``, an obfuscated name) ends the
walk and the peer's own address stays, so such clients share their proxy's bucket.

This is the only place that reads those headers: ``webwork serve`` runs uvicorn with its
own proxy-header handling off (``proxy_headers=False``), which otherwise trusts
``X-Forwarded-For`` from 127.0.0.1 by default."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network
EXPECTED = "comma-separated IP addresses or networks like 10.0.0.1,192.168.0.0/16"


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"10.0.0.1, 192.168.0.0/16"``: an address is a network of one; blank entries are
    ignored.
    Raises ``ValueError`` naming the first entry that is neither, or a network written
    with host bits set (``10.0.0.1/8``: probably meant ``10.0.0.0/8``)."""
    networks = []
    for entry in (item.strip() for item in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError:
            if "/" in entry and _is_network(entry):
                base = ipaddress.ip_network(entry, strict=False)
                raise ValueError(f"{entry!r} has host bits set: did you mean {base}?") from None
            raise ValueError(f"{entry!r} is not an IP address or network ({EXPECTED})") from None
    return tuple(networks)


def _is_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return True


def _address(value: str) -> IPv4Address | IPv6Address | None:
    """An address as headers write it: bare, quoted, ``1.2.3.4:80`` or ``[::1]:80``."""
    text = value.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class TrustedProxies:
    def __init__(self, networks: Sequence[Network]) -> None:
        self.networks = tuple(networks)

    def trusts(self, address: IPv4Address | IPv6Address) -> bool:
        mapped = address.ipv4_mapped if isinstance(address, IPv6Address) else None
        return any(
            address in network or (mapped is not None and mapped in network) for network in self.networks
        )

    def client(self, peer: str | None, headers: Iterable[tuple[bytes, bytes]]) -> str | None:
        """The client's address when ``peer`` is a trusted proxy that names one; None
        to keep the peer."""
        peer_address = _address(peer) if peer else None
        if peer_address is None or not self.trusts(peer_address):
            return None
        chain = _forwarded_chain(headers)
        for entry in reversed(chain):
            address = _address(entry)
            if address is None:
                return None
            if not self.trusts(address):
                return str(address)
        first = _address(chain[0]) if chain else None
        return None if first is None else str(first)


def _forwarded_chain(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    """The hops the headers list, client first: ``X-Forwarded-For``, else the ``for=``
    of ``Forwarded``, else ``X-Real-IP`` (the last one sent)."""
    found: dict[bytes, list[str]] = {b"x-forwarded-for": [], b"forwarded": [], b"x-real-ip": []}
    for name, value in headers:
        if name in found:
            found[name].append(value.decode("latin-1"))
    if found[b"x-forwarded-for"]:
        return [item for line in found[b"x-forwarded-for"] for item in line.split(",")]
    if found[b"forwarded"]:
        return [_for_parameter(element) for line in found[b"forwarded"] for element in line.split(",")]
    return found[b"x-real-ip"][-1:]


def _for_parameter(element: str) -> str:
    """The ``for=`` of one ``Forwarded`` element (RFC 7239), or "" when it has none."""
    for pair in element.split(";"):
        key, _, value = pair.partition("=")
        if key.strip().lower() == "for":
            return value
    return ""


class ForwardedClientMiddleware:
    """Replaces ``scope["client"]`` (in place, so that uvicorn's access log shows it too)
    with the address a trusted proxy forwarded. Installed only when some proxy is trusted."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            address = self.proxies.client(peer[0] if peer else None, scope["headers"])
            if address is not None:
                scope["client"] = (address, 0)
        await self.app(scope, receive, send)

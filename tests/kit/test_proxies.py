"""Which address a request comes from: the peer's own, unless a trusted proxy names the
client (``kit/proxies.py``)."""

from __future__ import annotations

import pytest

from webwork.kit.proxies import TrustedProxies, parse_networks

PROXIES = TrustedProxies(parse_networks("10.0.0.0/8, 192.168.1.1, fd00::/8"))


def headers(**values: str) -> list[tuple[bytes, bytes]]:
    return [(name.replace("_", "-").lower().encode(), value.encode()) for name, value in values.items()]


@pytest.mark.parametrize(
    ("peer", "sent", "client"),
    [
        # An untrusted peer: its own address, whatever it sends.
        ("203.0.113.5", headers(x_forwarded_for="198.51.100.1"), None),
        ("203.0.113.5", headers(forwarded="for=198.51.100.1"), None),
        ("203.0.113.5", headers(x_real_ip="198.51.100.1"), None),
        (None, headers(x_forwarded_for="198.51.100.1"), None),
        # A trusted peer: the right-most address that is not a trusted proxy.
        ("10.0.0.1", headers(x_forwarded_for="198.51.100.1"), "198.51.100.1"),
        ("10.0.0.1", headers(x_forwarded_for="6.6.6.6, 198.51.100.1, 10.2.2.2, 192.168.1.1"), "198.51.100.1"),
        (
            "10.0.0.1",
            [(b"x-forwarded-for", b"6.6.6.6"), (b"x-forwarded-for", b"198.51.100.1:4000")],
            "198.51.100.1",
        ),
        ("10.0.0.1", headers(x_forwarded_for="10.3.3.3, 10.2.2.2"), "10.3.3.3"),
        ("::ffff:10.0.0.1", headers(x_forwarded_for="2001:db8::1"), "2001:db8::1"),
        ("fd00::1", headers(x_forwarded_for="[2001:db8::1]:443"), "2001:db8::1"),
        (
            "10.0.0.1",
            headers(forwarded='for=6.6.6.6, for="[2001:db8::2]:80";proto=https, for=10.1.1.1'),
            "2001:db8::2",
        ),
        ("10.0.0.1", headers(x_real_ip="198.51.100.3"), "198.51.100.3"),
        # X-Forwarded-For first, then Forwarded, then X-Real-IP.
        ("10.0.0.1", headers(x_real_ip="198.51.100.3", forwarded="for=198.51.100.2"), "198.51.100.2"),
        ("10.0.0.1", headers(forwarded="for=198.51.100.2", x_forwarded_for="198.51.100.1"), "198.51.100.1"),
        # Nothing usable: the peer stays.
        ("10.0.0.1", [], None),
        ("10.0.0.1", headers(x_forwarded_for=""), None),
        ("10.0.0.1", headers(x_forwarded_for="198.51.100.1, unknown"), None),
        ("10.0.0.1", headers(forwarded="by=10.0.0.1;proto=https"), None),
        ("10.0.0.1", headers(forwarded="for=_hidden"), None),
    ],
)
def test_client_address(peer: str | None, sent: list[tuple[bytes, bytes]], client: str | None) -> None:
    assert PROXIES.client(peer, sent) == client


def test_no_trusted_proxy_trusts_no_one() -> None:
    assert TrustedProxies(parse_networks("")).client("127.0.0.1", headers(x_forwarded_for="1.2.3.4")) is None

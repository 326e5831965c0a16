"""The HTTP protocol ``webwork serve`` runs: uvicorn's httptools protocol, with a bound
on the size of each request's head (request line and headers).

uvicorn bounds a head only in its pure-Python h11 protocol
(``h11_max_incomplete_event_size``). It runs httptools instead when installed (as
``uvicorn[standard]`` installs it), because it parses several times faster; httptools
reads a head of any size, and a 5 MB header was read whole and answered. Here every
chunk a connection receives goes first to a second httptools parser, which only notes
where each head begins and ends; once the head being read has grown past
:data:`MAX_HEAD_BYTES`, the connection is answered 431 and closed, and uvicorn's own
parser never sees that chunk nor any after it. uvicorn's protocol is wrapped, not subclassed: it gets the
same calls it would get from the transport, and is what the server counts and shuts down."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import httptools
import orjson
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from webwork.kit.envelope import error_body

MAX_HEAD_BYTES = 64 * 1024
# The head is measured in steps of this many bytes: a head may end, or the next begin,
# anywhere in a step, so a head is refused once it has grown past MAX_HEAD_BYTES give or
# take one step.
STEP = 4 * 1024
REFUSAL = "The request headers must not be greater than 64 kilobytes."
# How long a refused connection is still read (and what arrives dropped) after the 431:
# closing a socket with unread data resets it, and the client could lose the answer.
LINGER = 2.0


def refusal() -> bytes:
    """The whole answer to a head that is too large: the error envelope, then close."""
    body = orjson.dumps(error_body(REFUSAL, "request_header_fields_too_large"))
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body


class BoundedHeadProtocol(asyncio.Protocol):
    """uvicorn's httptools protocol behind a bound on request heads (uvicorn's ``http``
    setting takes a protocol class; it constructs it with these keywords)."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.inner = HttpToolsProtocol(
            config=config, server_state=server_state, app_state=app_state, _loop=_loop
        )
        self.heads = httptools.HttpRequestParser(self)
        # uvicorn's parser reads on after a request with "Connection: close"; so must this one.
        self.heads.set_dangerous_leniencies(lenient_data_after_close=True)
        self.in_head = False
        self.head_bytes = 0  # of the head being read, or of the last one
        self.measuring = True
        self.refused = False
        self.transport: asyncio.Transport | None = None
        self.closing: asyncio.TimerHandle | None = None

    # httptools' callbacks: the only two it calls here.
    def on_message_begin(self) -> None:
        self.in_head, self.head_bytes = True, 0

    def on_headers_complete(self) -> None:
        self.in_head = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's is one without deriving from asyncio.Transport).
        self.transport = cast(asyncio.Transport, transport)
        self.inner.connection_made(self.transport)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.measuring and self._head_too_large(data):
            self._refuse()
            return
        self.inner.data_received(data)

    def _refuse(self) -> None:
        """431, then the end of what is sent; the connection closes when the client
        closes it or after LINGER seconds."""
        assert self.transport is not None
        self.refused = True
        self.transport.write(refusal())
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.closing = asyncio.get_running_loop().call_later(LINGER, self.transport.close)

    def _head_too_large(self, data: bytes) -> bool:
        for start in range(0, len(data), STEP):
            step = data[start : start + STEP]
            was_in_head = self.in_head
            try:
                self.heads.feed_data(step)
            except (httptools.HttpParserError, httptools.HttpParserUpgrade):
                # Not HTTP (uvicorn's parser answers it 400) or an upgrade (the
                # connection is another protocol's from here): nothing more to measure.
                self.measuring = False
                return False
            if was_in_head or self.in_head:
                self.head_bytes += len(step)
                if self.head_bytes > MAX_HEAD_BYTES:
                    return True
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self.closing is not None:
            self.closing.cancel()
        self.inner.connection_lost(exc)

    def eof_received(self) -> None:
        self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

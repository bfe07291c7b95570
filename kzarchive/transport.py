"""The Wayback Machine client's httpx transport: connections to the addresses the DNS cache found.

Each host is resolved once, in bounded time, by :mod:`kzarchive.net`; this transport then
connects to that address instead of resolving again, over plain asyncio streams (httpcore's own
backend goes through anyio, whose cancel scopes cost more CPU per request than needed).
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from kzarchive.net import DnsCache, tls_context


def _readable(sock: socket.socket) -> bool:
    """Whether a kept-alive socket has data (or EOF) waiting: if so it is no use for reuse."""
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


class _Stream(httpcore.AsyncNetworkStream):
    """An httpcore network stream on plain asyncio streams.

    httpcore's own backend goes through anyio, whose cancel scopes cost more CPU per request
    than the rest of a link check; asyncio's streams and ``asyncio.timeout`` do the same job.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self.reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout("read timed out") from None
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self.writer.write(buffer)
                await self.writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout("write timed out") from None
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            async with asyncio.timeout(1.0):
                await self.writer.wait_closed()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self.writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            await self.aclose()
            raise httpcore.ConnectTimeout("TLS handshake timed out") from None
        except (OSError, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc)) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            sock = self.writer.get_extra_info("socket")
            return self.reader.at_eof() or (sock is not None and _readable(sock))
        if info == "client_addr":
            return self.writer.get_extra_info("sockname")
        if info == "server_addr":
            return self.writer.get_extra_info("peername")
        return self.writer.get_extra_info(info)


class _ResolvedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the address the DNS cache found rather than resolving again."""

    def __init__(self, cache: DnsCache) -> None:
        self.cache = cache

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        answer = await self.cache.resolve(host)
        if answer.status != "ok" or answer.address is None:
            raise httpcore.ConnectError(f"cannot resolve {host}: {answer.status}")
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(answer.address, port, limit=1 << 20)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"connecting to {host} timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _Stream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def resolved_transport(cache: DnsCache, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go to the addresses in ``cache``."""
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False, verify=tls_context())
    # httpx has no public hook for the network backend; rebuild its pool with ours.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=tls_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_ResolvedBackend(cache),
    )
    return transport

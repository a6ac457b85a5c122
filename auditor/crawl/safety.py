"""Refuses targets that resolve to private, loopback, link-local or cloud-metadata addresses (SSRF guard).

The check runs twice: once up front with a clear message (`check_target_allowed`), and again inside the
connection layer (`GuardedBackend`) on the very address we connect to, so a DNS answer that changes between
the check and the connection (DNS rebinding) and every redirect hop are covered too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from auditor.errors import UnsafeTargetError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services: refused even though some of them sit in ranges a library may call "global".
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    }
)


def unsafe_reason(address: IPAddress) -> str | None:
    """Why an address must not be fetched, in words for the error message; None when it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return unsafe_reason(address.ipv4_mapped)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private network address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _refusal(url_or_host: str, address: IPAddress, reason: str) -> UnsafeTargetError:
    return UnsafeTargetError(
        f"{url_or_host}: refused, it resolves to {address} ({reason}); "
        "set crawl.allow_private: true to audit private or local sites"
    )


def check_addresses(label: str, addresses: Iterable[IPAddress]) -> None:
    """Raise when any resolved address is unsafe: one bad answer among several is enough to refuse."""
    for address in addresses:
        reason = unsafe_reason(address)
        if reason is not None:
            raise _refusal(label, address, reason)


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeTargetError(f"{url}: only http and https URLs can be audited")
    host = parts.hostname
    if not host:
        raise UnsafeTargetError(f"{url}: the URL has no host name")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTargetError(f"{url}: the URL has an invalid port") from None
    return host, port


def _addresses(infos: Iterable[tuple[Any, ...]]) -> list[IPAddress]:
    found: list[IPAddress] = []
    for info in infos:
        sockaddr = info[4]
        found.append(ipaddress.ip_address(str(sockaddr[0]).split("%")[0]))
    return found


def check_target_allowed(url: str, allow_private: bool) -> None:
    """Resolve the URL's host now and refuse it when any address is not public (unless allowed)."""
    host, port = _host_and_port(url)
    if allow_private:
        return
    literal = _literal_address(host)
    if literal is not None:
        check_addresses(url, [literal])
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTargetError(f"{url}: the host name {host!r} does not resolve ({exc})") from None
    check_addresses(url, _addresses(infos))


async def resolve_checked(host: str, port: int) -> list[IPAddress]:
    """Resolve without blocking the loop and refuse unsafe answers; the caller connects to these addresses."""
    literal = _literal_address(host)
    if literal is not None:
        check_addresses(host, [literal])
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host!r}: {exc}") from None
    addresses = _addresses(infos)
    check_addresses(host, addresses)
    return addresses


class GuardedBackend(AsyncNetworkBackend):
    """Connects only to addresses it has just checked, so the checked address is the one we talk to.

    TLS still verifies the certificate against the host name, because httpcore passes the original host as the
    server name after `connect_tcp` returns.
    """

    def __init__(self, inner: AsyncNetworkBackend, allow_private: bool) -> None:
        self._inner = inner
        self._allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncNetworkStream:
        if self._allow_private:
            return await self._inner.connect_tcp(
                host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
            )
        addresses = await resolve_checked(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> AsyncNetworkStream:
        raise UnsafeTargetError("unix sockets are never audited")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

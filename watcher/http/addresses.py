"""Which hosts are inside the private network: loopback, private, link-local, unspecified and
every other address that is not globally routable. A platform's redirect may not lead there
unless the configured URL does (watcher/http/client.py)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

LOCAL_NAMES = ("localhost", "localhost.localdomain")


def internal_address(address: str) -> bool:
    """Whether an IP address (v4, v6, or v4 mapped into v6) is not globally routable."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: a zone
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def internal_name(host: str) -> bool | None:
    """Whether `host` is inside by itself (an address or `localhost`); None for a name that
    only resolving can tell."""
    host = host.strip("[]").rstrip(".").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    return internal_address(host)


async def resolves_inside(host: str, port: int) -> bool:
    """Whether `host` is inside, resolving it if it is a name: any internal address counts.
    A name that does not resolve is not inside (it cannot be reached either)."""
    known = internal_name(host)
    if known is not None:
        return known
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port,
                                                            type=socket.SOCK_STREAM)
    except OSError:
        return False
    return any(internal_address(str(info[4][0])) for info in found)

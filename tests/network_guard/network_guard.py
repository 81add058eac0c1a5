"""Refuse every connection that would leave the machine.

Installed by tests/conftest.py for the test process, and through sitecustomize.py (put this
folder on PYTHONPATH) for the subprocesses the end-to-end tests start. Binding a server,
connecting to loopback and Unix sockets stay allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NetworkBlockedError(OSError):
    """A test tried to reach a non-loopback address."""


def _address(host: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if isinstance(host, bytes):
        host = host.decode()
    try:
        return ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return None


def _is_loopback(host: object) -> bool:
    name = host.decode() if isinstance(host, bytes) else host
    if isinstance(name, str) and name.lower() in LOCAL_NAMES:
        return True
    address = _address(host)
    return address is not None and address.is_loopback


def install() -> None:
    if getattr(socket.socket.connect, "network_guard", False):
        return
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NetworkBlockedError(f"network guard: connection to {address!r} refused in tests")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # Looking a name up would ask a DNS server: refuse it before it happens. Addresses
        # need no lookup; connect() decides on them.
        if host is not None and _address(host) is None and not _is_loopback(host):
            raise NetworkBlockedError(f"network guard: name lookup of {host!r} refused in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    connect.network_guard = True  # type: ignore[attr-defined]
    socket.socket.connect = connect  # type: ignore[method-assign, assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign, assignment]
    socket.getaddrinfo = getaddrinfo

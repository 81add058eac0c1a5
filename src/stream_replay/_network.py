"""Keeping a test on this machine: connections, datagrams and name lookups that would leave it
are refused, for as long as a `pytest.MonkeyPatch` holds the patches."""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

__all__ = ["NetworkBlockedError", "block_network", "is_loopback"]

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
_INTERNET = (socket.AF_INET, socket.AF_INET6)


class NetworkBlockedError(OSError):
    """The code under test tried to leave the machine while the network was blocked."""


def _text(host: object) -> str:
    return host.decode() if isinstance(host, bytes) else str(host)


def is_loopback(host: object) -> bool:
    """`localhost`, or an address of this machine's loopback (127.0.0.0/8, ::1)."""
    name = _text(host)
    if name.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _is_address(host: object) -> bool:
    try:
        ipaddress.ip_address(_text(host).split("%")[0])
    except ValueError:
        return False
    return True


def _refuse(what: str) -> NetworkBlockedError:
    return NetworkBlockedError(
        f"replay_block_network: {what} refused; this test may reach only 127.0.0.1"
    )


def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until `monkeypatch` is undone, refuse whatever would leave the machine: a connection or
    a datagram to an address that is not loopback, and a name lookup of anything but
    `localhost` (forward or reverse), which would ask a DNS server."""
    real = socket.socket
    real_connect, real_connect_ex = real.connect, real.connect_ex
    real_sendto, real_sendmsg = real.sendto, real.sendmsg
    lookups = {
        name: getattr(socket, name)
        for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr")
    }

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in _INTERNET and not is_loopback(address[0]):
            raise _refuse(f"connection to {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        # sendto(data, address) or sendto(data, flags, address)
        if args and self.family in _INTERNET and not is_loopback(args[-1][0]):
            raise _refuse(f"datagram to {args[-1]!r}")
        return real_sendto(self, data, *args)

    def sendmsg(self: socket.socket, buffers: Any, *args: Any) -> int:
        # sendmsg(buffers[, ancdata[, flags[, address]]])
        address = args[2] if len(args) > 2 else None
        if address is not None and self.family in _INTERNET and not is_loopback(address[0]):
            raise _refuse(f"message to {address!r}")
        return real_sendmsg(self, buffers, *args)

    def lookup(name: str) -> Any:
        real_lookup = lookups[name]

        def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
            allowed = host is None or is_loopback(host)
            if name != "gethostbyaddr":  # an address is no lookup, but its reverse is
                allowed = allowed or _is_address(host)
            if not allowed:
                raise _refuse(f"name lookup of {host!r}")
            return real_lookup(host, *args, **kwargs)

        guarded.__qualname__ = f"block_network.<locals>.{name}"
        return guarded

    monkeypatch.setattr(real, "connect", connect)
    monkeypatch.setattr(real, "connect_ex", connect_ex)
    monkeypatch.setattr(real, "sendto", sendto)
    monkeypatch.setattr(real, "sendmsg", sendmsg)
    for name in lookups:
        monkeypatch.setattr(socket, name, lookup(name))

"""What the replay server and the recording proxy share (stream_replay._http)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from stream_replay import ReplayServer
from stream_replay._http import ThreadedServer
from stream_replay._recorder import RecordingProxy


def accepted_sockets(server: ThreadedServer, timeout: float = 5.0) -> list[socket.socket]:
    """The server's side of each connection it has accepted, once there is one."""
    state = server._server.server_state
    deadline = time.monotonic() + timeout
    while not state.connections and time.monotonic() < deadline:
        time.sleep(0.005)
    return [c.transport.get_extra_info("socket") for c in list(state.connections)]


@pytest.mark.parametrize(
    "make",
    [lambda: ReplayServer([], speed=0), lambda: RecordingProxy("http://127.0.0.1:9")],
    ids=["replay server", "recording proxy"],
)
def test_accepted_connections_send_small_writes_at_once(
    make: Callable[[], ThreadedServer],
) -> None:
    # Without TCP_NODELAY, Nagle's algorithm holds an event written while the previous one is
    # unacknowledged: with delayed ACKs, about 40 ms on Linux for every stream after the
    # first on a kept-alive connection. asyncio sets it only on sockets whose proto is TCP.
    with make() as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5):
            [accepted] = accepted_sockets(server)
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0

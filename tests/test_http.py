"""What the replay server and the recording proxy share (stream_replay._http)."""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Callable
from pathlib import Path

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


def test_a_closed_connection_leaves_nothing_behind() -> None:
    # The timer that closes a connection whose request headers do not come held the
    # connection (its protocol, buffers and all) for header_timeout seconds after it closed:
    # 10 s of every connection, under many short ones.
    with ReplayServer([], speed=0, header_timeout=30) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as client:
            client.sendall(b"GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n")
            assert client.recv(65536).startswith(b"HTTP/1.1 401")  # no key: answered
            [connection] = list(server._server.server_state.connections)
            gone = weakref.ref(connection)
            del connection
        state = server._server.server_state
        deadline = time.monotonic() + 5
        while state.connections and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not state.connections
        time.sleep(0.05)  # the server's loop runs its callbacks for the close
        gc.collect()
        assert gone() is None, "the closed connection is still held"


SERVER_OUT_OF_FILES = """
import os, resource, sys, time
from stream_replay import ReplayServer

with ReplayServer([], speed=0) as server:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 2, hard))
    print(server.url, flush=True)
    time.sleep(2.5)
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_running_out_of_file_descriptors_is_said_in_one_line() -> None:
    # asyncio reports every accept() that fails, a hundred a second, each with a traceback:
    # some 19,000 lines in 3.5 s. The server is in a process of its own, with few files.
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_OUT_OF_FILES],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    host, port = server.stdout.readline().strip().removeprefix("http://").split(":")
    clients = [socket.create_connection((host, int(port)), timeout=5) for _ in range(20)]
    try:
        _, err = server.communicate(timeout=60)
    finally:
        for client in clients:
            client.close()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[:2000]
    assert "no new connection can be accepted: [Errno 24] Too many open files" in lines[0]

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
from typing import Any

import pytest

from stream_replay import ReplayServer, load_recording
from stream_replay._http import ThreadedServer
from stream_replay._recorder import RecordingProxy

from .project import PLACEHOLDER_KEY, RECORDINGS_DIR


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


def test_one_sdk_client_gets_each_first_event_on_time_on_its_kept_alive_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What the test above guards against, as a reader's client sees it: one
    # anthropic.Anthropic() streams a recording eight times over one connection. Were Nagle
    # and delayed ACKs back, every stream after the first would be at least 40 ms late (44 ms
    # and more when this test was run without the fix); a busy machine delays some streams
    # too, but not every one: only the fastest must be on time, within a bound that leaves it
    # room (`python3 dev.py bench --only fidelity` prints the exact figures).
    import anthropic

    recording = load_recording(RECORDINGS_DIR / "wire_format" / "wire_lines.toml")
    first = next(e for e in recording.response.events if e.name != "ping")
    body = dict(recording.request.body)
    known = {name: body.pop(name) for name in ("model", "max_tokens", "messages")}
    del body["stream"]
    connects: list[Any] = []
    connect = socket.socket.connect

    def counted(sock: socket.socket, address: Any) -> None:
        connects.append(address)
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", counted)
    late = []
    speed = 4  # the recorded pace, four times as fast: the same writes, closer together
    with ReplayServer([recording] * 8, speed=speed) as server:
        client = anthropic.Anthropic(base_url=server.url, api_key=PLACEHOLDER_KEY, max_retries=0)
        for _ in range(8):
            started, arrived = time.perf_counter(), None
            with client.messages.create(**known, stream=True, extra_body=body) as stream:
                for _event in stream:
                    arrived = arrived or time.perf_counter() - started
            assert arrived is not None
            late.append(arrived - first.at / speed)
        client.close()
    assert len(server.served) == 8
    assert len(connects) == 1, connects  # one connection, kept alive for every stream
    assert min(late[1:]) < 0.035, late


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

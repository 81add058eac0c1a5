"""What the replay server and the recording proxy share (stream_replay._http)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
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
    # anthropic.Anthropic() streams a recording four times over one connection. Were the
    # ~40 ms of Nagle and delayed ACKs back, every stream after the first would be at least
    # that late; the bound is far from it on a busy machine, and only the fastest stream
    # must meet it (`python3 dev.py bench --only fidelity` prints the exact figures).
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
    with ReplayServer([recording] * 4, speed=1) as server:
        client = anthropic.Anthropic(base_url=server.url, api_key=PLACEHOLDER_KEY, max_retries=0)
        for _ in range(4):
            started, arrived = time.perf_counter(), None
            with client.messages.create(**known, stream=True, extra_body=body) as stream:
                for _event in stream:
                    arrived = arrived or time.perf_counter() - started
            assert arrived is not None
            late.append(arrived - first.at)
        client.close()
    assert len(server.served) == 4
    assert len(connects) == 1, connects  # one connection, kept alive for every stream
    assert min(late[1:]) < 0.025, late

"""The tests cannot reach beyond this machine, even by accident."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx
import pytest
from network_guard import NetworkBlockedError

from .project import subprocess_env


def test_a_connection_to_a_public_address_is_refused() -> None:
    with (
        pytest.raises(NetworkBlockedError),
        socket.create_connection(("192.0.2.1", 443), timeout=1),
    ):
        pass


def test_the_sdk_default_url_is_refused() -> None:
    # What a snippet would do if the replay server were not set: call the real API.
    with pytest.raises(httpx.ConnectError, match="network guard"):
        httpx.get("https://api.anthropic.com/v1/models")


def test_loopback_stays_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=1):
            pass


def test_subprocesses_are_guarded_too() -> None:
    code = "import socket; socket.create_connection(('192.0.2.1', 443), timeout=1)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "network guard: connection to ('192.0.2.1', 443) refused" in result.stderr

"""The command line's arguments and long-running commands, in-process (tests/test_cli.py runs
the commands as a reader types them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from stream_replay import ReplayServer, _cli

from .project import ROOT

HEADERS = {"x-api-key": "k", "anthropic-version": "2026-10-21"}


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_one_line(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        _cli.main(["serve", "--port", port])
    assert exited.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.endswith(f"argument --port: not a port (0 to 65535): {port!r}")
    assert "Traceback" not in capsys.readouterr().err


def test_serve_keeps_no_unmatched_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # serve runs for as long as the reader likes: each mismatch is printed, none is kept (a
    # large body each, 32 MB at most, would add up: 747 MB after 22 of them in the probe).
    served: list[ReplayServer] = []

    def send_mismatches(server: ReplayServer) -> None:
        served.append(server)
        big = {"model": "m", "messages": [{"role": "user", "content": "x" * 1_000_000}]}
        for _ in range(5):
            response = httpx.post(f"{server.url}/v1/messages", json=big, headers=HEADERS)
            assert response.status_code == 400

    monkeypatch.setattr(ReplayServer, "wait", send_mismatches)
    monkeypatch.chdir(ROOT)
    snippet = Path("snippets/first_stream/text_stream.py")
    assert _cli.main(["serve", str(snippet), "--port", "0", "--speed", "0"]) == 0
    [server] = served
    assert server.mismatch_count == 5
    assert server.mismatches == []
    assert capsys.readouterr().err.count("No recording matches this request") == 5


def test_the_server_keeps_the_first_mismatches_and_counts_them_all(
    capsys: pytest.CaptureFixture[Any],
) -> None:
    with ReplayServer([], speed=0, kept_mismatches=2) as server:
        for tokens in range(4):
            body = {"model": "m", "max_tokens": tokens}
            httpx.post(f"{server.url}/v1/messages", json=body, headers=HEADERS)
    assert server.mismatch_count == 4
    assert [m.request.body["max_tokens"] for m in server.mismatches] == [0, 1]

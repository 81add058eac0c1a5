"""Stopping what a client made before the replay fixture would send somewhere else.

The fixture points `ANTHROPIC_BASE_URL` and `ANTHROPIC_API_KEY` at the replay server, but a
client reads both when it is made: one made earlier (at import of the code under test, or by
a fixture that ran first) still holds the real key and the address the environment gave, which
may be the API, or a gateway or a proxy on 127.0.0.1, where blocking the network does not
reach. So for the test's duration every request an `httpx2` (the SDK's) or `httpx` client sends
passes here first, and one that looks like an API request and is not addressed to the replay
server is refused before it leaves, with the explanation.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._network import NetworkBlockedError
from ._secrets import without_credentials

if TYPE_CHECKING:
    import pytest

__all__ = ["ClientGuard", "RequestRefusedError", "explain_no_request", "explain_refused"]

# The HTTP libraries whose clients are guarded: the SDK's, and the one older SDKs used.
GUARDED_MODULES = ("httpx2", "httpx")
# A request carrying one of these headers is an API request, whoever sends it.
API_HEADERS = ("anthropic-version", "x-api-key")
# What the environment may hold before the fixture: a credential, and where it is sent.
CREDENTIAL_VARIABLES = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
LIVE_API_HOST = "api.anthropic.com"
PARAGRAPH_WIDTH = 88

WHERE_TO_MAKE_CLIENTS = (
    "Create the client after the fixture: inside the function that uses it, when your app "
    "starts (a lifespan or startup hook), or pass it in (an argument or a dependency) so that "
    "the test can give one made inside it."
)


class RequestRefusedError(NetworkBlockedError):
    """An API request from a client made before the replay fixture, stopped before it left."""


@dataclass
class ClientGuard:
    """Refuses API requests not addressed to `server_url`; `refused` lists them (safe to show)."""

    server_url: str
    received: Callable[[], int]  # how many requests have reached the server so far
    credentials: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset({LIVE_API_HOST})
    refused: list[str] = field(default_factory=list)  # "METHOD URL", without query

    @classmethod
    def from_environment(cls, server_url: str, received: Callable[[], int]) -> ClientGuard:
        """A guard that knows the credentials and base URL the environment holds now, before
        the fixture replaces them."""
        credentials = {os.environ.get(name, "") for name in CREDENTIAL_VARIABLES}
        hosts = {LIVE_API_HOST}
        base_url = os.environ.get("ANTHROPIC_BASE_URL", "")
        if base_url:
            hosts.add(_origin(base_url))
        return cls(
            server_url, received, frozenset(c for c in credentials if len(c) >= 8), frozenset(hosts)
        )

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Guard every sync and async client of the modules already imported (a client made
        later, in the test, reads the fixture's environment)."""
        for name in GUARDED_MODULES:
            module = sys.modules.get(name)
            if module is not None:
                monkeypatch.setattr(module.Client, "send", self._sync(module.Client.send))
                monkeypatch.setattr(
                    module.AsyncClient, "send", self._async(module.AsyncClient.send)
                )

    def _sync(self, send: Any) -> Any:
        def guarded_send(client: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            self.check(request)
            return send(client, request, *args, **kwargs)

        return guarded_send

    def _async(self, send: Any) -> Any:
        async def guarded_send(client: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            self.check(request)
            return await send(client, request, *args, **kwargs)

        return guarded_send

    def check(self, request: Any) -> None:
        """Raise `RequestRefusedError` for an API request that would not reach the server."""
        url = str(request.url)
        if _origin(url) == _origin(self.server_url) or not self._is_api_request(request, url):
            return
        shown = f"{request.method} {without_credentials(url)}"
        self.refused.append(shown)
        raise RequestRefusedError(explain_refused(self.refused, self.server_url, self.received()))

    def _is_api_request(self, request: Any, url: str) -> bool:
        headers = request.headers
        if any(name in headers for name in API_HEADERS) or _origin(url) in self.hosts:
            return True
        values = " ".join(value for _, value in headers.items())
        return any(credential in values for credential in self.credentials)


def _origin(url: str) -> str:
    """`host:port` of a URL, the port made explicit."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0)
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    return f"{'127.0.0.1' if host == 'localhost' else host}:{port}"


def explain_refused(refused: Sequence[str], server_url: str, received: int) -> str:
    """One paragraph: which requests were stopped, why they were sent there, how to fix it."""
    url = refused[0].split(" ", 1)[-1]
    if len(refused) == 1:
        what = f"a request to {url} was"
    else:
        what = f"{len(refused)} requests, the first to {url}, were"
    reached = "none reached it" if not received else f"{received} other(s) reached it"
    return _paragraph(
        f"@pytest.mark.replay: {what} stopped before leaving: only the replay server "
        f"({server_url}) may be sent API requests in this test, and {reached}. The client "
        "that sent it was made before the replay fixture ran (most likely at import of the "
        "code under test, as `anthropic.Anthropic()` called at the top of a module, or in a "
        "fixture that ran first), so it had already read ANTHROPIC_BASE_URL and "
        "ANTHROPIC_API_KEY from the environment: your real key, and wherever that address "
        f"points. {WHERE_TO_MAKE_CLIENTS}"
    )


def explain_no_request(recordings: int, server_url: str) -> str:
    """One paragraph: recordings were loaded, nothing asked for them."""
    return _paragraph(
        f"@pytest.mark.replay: {recordings} recording(s) were loaded, but no request reached "
        f"the replay server ({server_url}). The code under test most likely uses a client "
        "made before the replay fixture ran (at import of the code under test, or in a "
        "fixture that ran first), which read ANTHROPIC_BASE_URL when it was made and sent "
        "elsewhere, through a library this fixture does not see; or it sent nothing. "
        f"{WHERE_TO_MAKE_CLIENTS} If the test is not meant to call the API, give it no "
        "recordings."
    )


def _paragraph(text: str) -> str:
    """Wrapped to be read in a terminal (a URL is never broken)."""
    return textwrap.fill(text, PARAGRAPH_WIDTH, break_long_words=False, break_on_hyphens=False)

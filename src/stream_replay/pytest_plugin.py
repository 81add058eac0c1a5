"""The replay server in your own tests: a pytest plugin, loaded when the package is installed.

The `replay` fixture starts a `ReplayServer` on 127.0.0.1 for one test and points
`ANTHROPIC_BASE_URL` (and a placeholder `ANTHROPIC_API_KEY`) at it, so an unchanged
`anthropic.Anthropic()` or `AsyncAnthropic()` in the code under test streams from recordings
over real HTTP. The `replay` marker chooses them:

    @pytest.mark.replay("recordings/summary.toml", faults=["cut-mid:5"], speed=0)
    def test_summary(replay): ...

- Paths (files, or folders of `.toml` files served in name order) are relative to pytest's
  rootdir. With none, the test's own recording is used if it exists:
  `<rootdir>/<replay_recordings>/<test module>/<test name>.toml` (or a folder of that name);
  the ini option `replay_recordings` defaults to `recordings`.
- `speed`: the recorded delays are divided by it; 0 (the default) sends all at once.
- `faults`: specs as `stream-replay run --fault` takes them (`cut-mid:5`, `error:5`,
  `stall:5:2`, `http:529@1`, ...).
- `block_network=True`, or the ini option `replay_block_network = true` for every test:
  connections to anything but loopback, and name lookups, fail in this process.

A request that matches no recording fails the test with the difference from the closest one,
before any error it caused in the code under test. The fixture's value (`Replay`) adds
recordings built in the test and tells what was served and what the client abandoned.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from ._matching import Mismatch
    from ._recording import Recording
    from ._server import ReplayServer

__all__ = ["PLACEHOLDER_KEY", "NetworkBlockedError", "Replay"]

PLACEHOLDER_KEY = "replay-placeholder-key"
_REPLAY = pytest.StashKey["Replay"]()
_MARKER_HELP = (
    "replay(*paths, speed=0, faults=(), block_network=False): the recordings (files or "
    "folders, relative to the rootdir), playback speed and --fault specs of the `replay` "
    "fixture (stream_replay)"
)
_FAULT_NAMES = "cut:N, cut-mid:N, stall:N:T, drip:B:T, error:N[:TYPE], malformed:N, "
_FAULT_NAMES += "unknown:N, rechunk:SEED[:MAX], http:STATUS[:RETRY_AFTER], each with an optional @K"


class Replay:
    """What the `replay` fixture gives a test: the running server and what it did."""

    def __init__(self, server: ReplayServer, rootdir: Path) -> None:
        self.server = server
        self._rootdir = rootdir

    @property
    def url(self) -> str:
        """The server's address, as `ANTHROPIC_BASE_URL` is set to it."""
        return self.server.url

    def add(
        self,
        source: Recording | Sequence[Mapping[str, Any]] | bytes | str | Path,
        *,
        request: Mapping[str, Any] | None = None,
    ) -> Recording:
        """Serve one more recording from now on, and return it.

        `source`: a `Recording`; a `.toml` file or a `.sse` file (paths relative to the
        rootdir); a bare SSE body (`bytes`); or a list of event dicts, such as
        `stream_replay.text_events("Hello", " world")` gives. For the last three, `request`
        works as in `stream_replay.build_recording`: the request it answers (without it, any).
        """
        from ._build import build_recording
        from ._recording import Recording, load_recording

        if isinstance(source, Recording):
            recording = source
        elif isinstance(source, str | Path) and Path(source).suffix == ".toml":
            path = self._rootdir / source
            recording = load_recording(path, name=_shown(path, self._rootdir))
        elif isinstance(source, str | Path):
            path = self._rootdir / source
            recording = build_recording(
                path, request=request, name=str(_shown(path, self._rootdir))
            )
        else:
            recording = build_recording(source, request=request)
        self.server.add(recording)
        return recording

    @property
    def served(self) -> list[Recording]:
        """The recordings answered so far, one per request, in order (faults included)."""
        return list(self.server.served)

    @property
    def unused(self) -> list[Recording]:
        """The recordings no request has matched yet."""
        served = {id(recording) for recording in self.server.served}
        return [r for r in self.server.recordings if id(r) not in served]

    @property
    def mismatches(self) -> list[Mismatch]:
        """The requests no recording matched (the test fails with them when it ends)."""
        return list(self.server.mismatches)

    @property
    def abandoned(self) -> int:
        """How many streams the client closed before their last event, so far."""
        return self.server.abandoned

    def wait_for_abandoned(self, count: int = 1, timeout: float = 2.0) -> int:
        """`abandoned` once it reaches `count`, or after `timeout` seconds.

        The server learns that a client left when its next write fails, a moment after the
        client closed: a test that checks right away may see one too few.
        """
        deadline = time.monotonic() + timeout
        while self.server.abandoned < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.server.abandoned


class NetworkBlockedError(OSError):
    """The code under test tried to leave the machine while the network was blocked."""


# --------------------------------------------------------------------------- hooks


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "replay_recordings",
        "folder (relative to the rootdir) of the recordings the replay fixture finds by "
        "test name: <folder>/<test module>/<test name>.toml",
        default="recordings",
    )
    parser.addini(
        "replay_block_network",
        "block connections to anything but loopback in every test (stream_replay)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER_HELP)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    # A request that matched no recording explains the test's failure better than the error
    # the SDK raised for it, and fails a test that passed anyway (it expected an error).
    try:
        result = yield
    except BaseException:
        if (message := _mismatches(item)) is None:
            raise
        raise pytest.fail.Exception(message, pytrace=False) from None
    if (message := _mismatches(item)) is not None:
        pytest.fail(message, pytrace=False)
    return result


def _mismatches(item: pytest.Item) -> str | None:
    replay = item.stash.get(_REPLAY, None)
    if replay is None or not replay.server.mismatches:
        return None
    return "\n\n".join(m.message() for m in replay.server.mismatches)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def replay(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Replay]:
    """A replay server on 127.0.0.1 for this test, with `ANTHROPIC_BASE_URL` pointing at it.

    Configure it with `@pytest.mark.replay(*paths, speed=0, faults=[...])`; see
    `stream_replay.pytest_plugin` for where recordings are looked for.
    """
    from ._errors import RecordingError
    from ._faults import parse_fault
    from ._server import ReplayServer

    marker = request.node.get_closest_marker("replay")
    args: tuple[Any, ...] = marker.args if marker else ()
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker else {}
    unknown = set(kwargs) - {"speed", "faults", "block_network"}
    if unknown:
        _misuse(f"unknown argument(s) {sorted(unknown)}; it takes speed, faults, block_network")
    specs = kwargs.get("faults", ())
    specs = [specs] if isinstance(specs, str) else specs
    if not isinstance(specs, list | tuple) or not all(isinstance(s, str) for s in specs):
        _misuse("faults must be a list of fault specs, such as ['cut-mid:5']")
    speed = kwargs.get("speed", 0.0)
    if isinstance(speed, bool) or not isinstance(speed, int | float):
        _misuse("speed must be a number: 1 is the recorded pace, 0 sends everything at once")
    faults = []
    for spec in specs:
        try:
            faults.append(parse_fault(spec))
        except ValueError as error:
            reason = str(error).split(". Faults:", 1)[0]
            _misuse(f"{reason}. A fault is one of: {_FAULT_NAMES}")
    rootdir = request.config.rootpath
    try:
        recordings = _recordings(request, args, rootdir)
        server = ReplayServer(recordings, speed=speed, faults=faults)
    except (RecordingError, OSError, ValueError) as error:
        _misuse(str(error))
    with server:
        replay = Replay(server, rootdir)
        request.node.stash[_REPLAY] = replay
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        for name in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE"):  # no real credential
            monkeypatch.delenv(name, raising=False)
        try:
            yield replay
        finally:
            del request.node.stash[_REPLAY]


@pytest.fixture(autouse=True)
def _replay_block_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = request.node.get_closest_marker("replay")
    wanted = marker.kwargs.get("block_network") if marker else None
    if wanted is None:
        wanted = request.config.getini("replay_block_network")
    if wanted:
        _block_network(monkeypatch)


def _misuse(message: str) -> NoReturn:
    pytest.fail(f"@pytest.mark.replay: {message}", pytrace=False)


def _shown(path: Path, rootdir: Path) -> Path:
    """How messages name a recording: relative to the rootdir when it is inside it."""
    return path.relative_to(rootdir) if path.is_relative_to(rootdir) else path


def _recordings(
    request: pytest.FixtureRequest, paths: Sequence[Any], rootdir: Path
) -> list[Recording]:
    from ._recording import load_recording

    if paths:
        files: list[Path] = []
        for given in paths:
            path = rootdir / Path(given)
            if path.is_dir():
                found = sorted(path.glob("*.toml"))
                if not found:
                    _misuse(f"{_shown(path, rootdir)} holds no .toml recording")
                files += found
            elif path.is_file():
                files.append(path)
            else:
                _misuse(f"no recording at {_shown(path, rootdir)}")
    else:
        folder = rootdir / request.config.getini("replay_recordings")
        module = Path(str(request.node.path)).stem
        name = getattr(request.node, "originalname", request.node.name)
        single = folder / module / f"{name}.toml"
        files = [single] if single.is_file() else sorted((folder / module / name).glob("*.toml"))
    return [load_recording(path, name=_shown(path, rootdir)) for path in files]


# --------------------------------------------------------------------------- the network


_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _is_address(host: object) -> bool:
    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host))
    except ValueError:
        return False
    return True


def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until the test ends, refuse connections that leave the machine, and name lookups."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NetworkBlockedError(
                f"replay_block_network: connection to {address!r} refused; "
                "this test may reach only 127.0.0.1"
            )

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_address(host) and not _is_loopback(host):
            raise NetworkBlockedError(
                f"replay_block_network: name lookup of {host!r} refused; "
                "this test may reach only 127.0.0.1"
            )
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

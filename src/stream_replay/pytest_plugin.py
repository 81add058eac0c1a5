"""The replay server in your own tests: a pytest plugin, loaded when the package is installed.

The `replay` fixture starts a `ReplayServer` on 127.0.0.1 for one test and points
`ANTHROPIC_BASE_URL` (and a placeholder `ANTHROPIC_API_KEY`) at it, so an unchanged
`anthropic.Anthropic()` or `AsyncAnthropic()` in the code under test streams from recordings
over real HTTP. The `replay` marker chooses them, and applies the fixture by itself:

    @pytest.mark.replay("recordings/summary.toml", faults=["cut-mid:5"], speed=0)
    def test_summary(replay): ...

- Paths (files, or folders of `.toml` files served in name order) are relative to pytest's
  rootdir. With none, the test's own recording is used if it exists:
  `<rootdir>/<replay_recordings>/<test module's path>/[<class>/]<test name>.toml` (or a folder
  of that name); the ini option `replay_recordings` defaults to `recordings`.
- `speed`: the recorded delays are divided by it; 0 (the default) sends all at once.
- `faults`: specs as `stream-replay run --fault` takes them (`cut-mid:5`, `error:5`,
  `stall:5:2`, `http:529@1`, ...).
- `sweep`: "cut", "error" or "stall:T" runs the test once per position of the stream that
  answers its first request, with that fault there (see `_sweep`), and fails it once, with a
  table of the positions it failed at; `sweep_limit` (default 100, None for no limit) bounds
  how many positions run.
- `block_network` (default True): connections and datagrams to anything but loopback, and
  name lookups, fail for the test's duration; `block_network=False` allows them. The ini
  option `replay_block_network = true` blocks them in every test, with the fixture or not.

What fails a test that uses the fixture, with one paragraph in place of the error the code
under test saw (or caught):
- an API request from a client made before the fixture (at import, say), which still holds
  the real key and address: it is stopped before it leaves (see `_client_guard`);
- recordings loaded but no request received: most likely the same cause, through a library
  the guard does not see;
- a request no recording matches: the difference from the closest one (also when a fixture
  sends it while being torn down).

The fixture's value (`Replay`) adds recordings built in the test and tells what was served and
what the client abandoned.
"""

from __future__ import annotations

import gc
import time
import warnings
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from ._client_guard import ClientGuard, RequestRefusedError, explain_no_request, explain_refused
from ._network import NetworkBlockedError, block_network

if TYPE_CHECKING:
    from ._exchanges import Exchange
    from ._faults import Fault
    from ._matching import Mismatch
    from ._recording import Recording
    from ._server import ReplayServer
    from ._sweep import Sweep

__all__ = [
    "PLACEHOLDER_KEY",
    "NetworkBlockedError",
    "Replay",
    "ReplayRecordingPlaceWarning",
    "RequestRefusedError",
]

PLACEHOLDER_KEY = "replay-placeholder-key"
_REPLAY = pytest.StashKey["Replay"]()
_SWEEPING = pytest.StashKey[bool]()  # set while a sweep calls the test again
_MARKER_HELP = (
    "replay(*paths, speed=0, faults=(), sweep=None, sweep_limit=100, block_network=True): the "
    "recordings (files or folders, relative to the rootdir), playback speed, --fault specs "
    "and sweep (cut, error or stall:T at every position) of the `replay` fixture, which the "
    "marker applies (stream_replay)"
)
_FAULT_NAMES = (
    "cut:N, cut-mid:N, stall:N:T (T: forever), drip:B:T, error:N[:TYPE], malformed:N, "
    "unknown:N, rechunk:SEED[:MAX], buffer[:N], idle:T, http:STATUS[:RETRY_AFTER], each with an "
    "optional @K"
)


class Replay:
    """What the `replay` fixture gives a test: the running server and what it did."""

    def __init__(
        self,
        server: ReplayServer,
        rootdir: Path,
        guard: ClientGuard,
        options: _Options | None = None,
    ) -> None:
        self.server = server
        self._rootdir = rootdir
        self._guard = guard
        self._options = options or _Options()
        self._shown_mismatches = 0  # how many the test's failure has already shown
        self._shown_refused = 0

    def __repr__(self) -> str:  # shown in a failure's traceback: no address that changes
        recordings, requests = len(self.server.recordings), len(self.server.exchanges)
        return f"<Replay: {recordings} recording(s), {requests} request(s)>"

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

        The server counts a stream when its event loop sees the connection close, a moment
        after the client closed it: a test that checks right away may see one too few.
        """
        deadline = time.monotonic() + timeout
        while self.server.abandoned < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.server.abandoned

    # -- verdicts: what the client did, seen from the server (see `_verdicts`)

    @property
    def exchanges(self) -> list[Exchange]:
        """Every request so far and how its response ended ("complete", "cut", "abandoned",
        "error event", "refused", "unmatched"; "streaming" while it goes on)."""
        return list(self.server.exchanges)

    def assert_no_repeat_after_streaming(self) -> None:
        """No request was sent again after a response to it had begun and broken off."""
        __tracebackhide__ = True
        from ._verdicts import no_repeat_after_streaming

        no_repeat_after_streaming(self.server.exchanges)

    def assert_connections_closed(self, *, grace: float = 2.0) -> None:
        """Every connection the client opened is closed by now (`grace`: seconds allowed for
        the server to see a close the client has made)."""
        __tracebackhide__ = True
        from ._verdicts import connections_closed

        connections_closed(self.server.connections.still_open, grace=grace)

    def assert_stall_given_up(self, *, within: float) -> None:
        """The client gave up on each stalled stream within `within` seconds of silence."""
        __tracebackhide__ = True
        from ._verdicts import stall_given_up

        stall_given_up(self.server.exchanges, within=within)

    def assert_outcome_reported(self, *, succeeded: bool) -> None:
        """What the code reported matches how the last response ended: `succeeded` only if
        it reached its end."""
        __tracebackhide__ = True
        from ._verdicts import outcome_reported

        outcome_reported(self.server.exchanges, succeeded=succeeded)

    @property
    def refused(self) -> list[str]:
        """API requests stopped before they left ("METHOD URL"): sent by a client made before
        the fixture, to somewhere else than the replay server (the test fails with them)."""
        return list(self._guard.refused)

    # -- what fails the test (for the plugin's hooks)

    def _problems(self, *, passed: bool = False, unreported: bool = False) -> str | None:
        """The paragraphs that fail the test, or None. `passed`: the test itself passed, so
        recordings that nothing asked for fail it too. `unreported`: only what the test's
        failure has not shown yet (requests made by fixtures being torn down)."""
        shown = self._shown_mismatches if unreported else 0
        refused = self._guard.refused[self._shown_refused if unreported else 0 :]
        mismatches = self.server.mismatches[shown:]
        parts = []
        if refused:
            parts.append(explain_refused(refused, self.url, self.server.received))
        parts += [mismatch.message() for mismatch in mismatches]
        if (more := self.server.mismatch_count - shown - len(mismatches)) > 0:
            parts.append(f"... and {more} more request(s) that no recording matched.")
        if passed and not parts and self.server.recordings and not self.server.received:
            parts.append(explain_no_request(len(self.server.recordings), self.url))
        return "\n\n".join(parts) if parts else None

    def _reported(self) -> None:
        self._shown_refused = len(self._guard.refused)
        self._shown_mismatches = self.server.mismatch_count


class ReplayRecordingPlaceWarning(UserWarning):
    """A recording found by the test's name where earlier versions looked, a place that tests
    of the same name in other folders or classes share: move it where the warning says."""


# --------------------------------------------------------------------------- hooks


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "replay_recordings",
        "folder (relative to the rootdir) of the recordings the replay fixture finds by "
        "test name: <folder>/<test module's path>/[<class>/]<test name>.toml",
        default="recordings",
    )
    parser.addini(
        "replay_block_network",
        "block connections to anything but loopback in every test, not only in those that "
        "use the replay fixture (stream_replay)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER_HELP)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    # A request stopped or unmatched explains the test's failure better than the error the
    # SDK raised for it, and fails a test that passed anyway (it caught the error). Ctrl-C,
    # pytest.exit(), skips and xfails pass through untouched.
    replay = item.stash.get(_REPLAY, None)
    try:
        result = yield
    except BaseException as error:
        if replay is None or not _replaceable(error) or (message := replay._problems()) is None:
            raise
        raise pytest.fail.Exception(message, pytrace=False) from None
    finally:
        if replay is not None:
            replay._reported()
    if replay is not None and (message := replay._problems(passed=True)) is not None:
        pytest.fail(message, pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    # A sweep: the test runs first as it is (its failure is reported as usual), then once per
    # position, each run through the whole hook again, so that the async plugins run it too.
    replay = pyfuncitem.stash.get(_REPLAY, None)
    if replay is None or replay._options.sweep is None or pyfuncitem.stash.get(_SWEEPING, False):
        return (yield)
    result = yield
    if replay._problems() is None:
        _sweep(pyfuncitem, replay, replay._options.sweep)
    return result


def _sweep(item: pytest.Function, replay: Replay, sweep: Sweep) -> None:
    from ._sweep import Outcome, choose_positions, failure_line, sweep_positions, sweep_report

    if not replay.served:
        return  # no request was answered: the plugin's other checks say why
    first = replay.served[0]
    if not first.response.events:
        _misuse(f"sweep: {first.name} answers the first request with no event stream to sweep")
    positions = sweep_positions(sweep, first.response.events)
    chosen, how = choose_positions(positions, replay._options.sweep_limit)
    baseline = len(replay.served)
    outcomes = []
    item.stash[_SWEEPING] = True
    try:
        for position in chosen:
            replay.server.reset([*replay._options.faults, position.fault])
            failure = None
            try:
                item.ihook.pytest_pyfunc_call(pyfuncitem=item)
            except BaseException as error:
                if not _replaceable(error):
                    raise
                failure = failure_line(error)
            if (problems := replay._problems()) is not None:
                failure = problems.splitlines()[0]
            outcomes.append(Outcome(position, len(replay.served), failure))
            # What the run left (an async client bound to its event loop, now closed) is
            # finalised now, not in the middle of the next run.
            gc.collect()
    finally:
        del item.stash[_SWEEPING]
        replay.server.reset(replay._options.faults)  # the table reports what the runs did
    report = sweep_report(sweep, first.name, outcomes, how, baseline)
    if any(outcome.failure is not None for outcome in outcomes):
        pytest.fail(report, pytrace=False)
    item.add_report_section("call", "sweep", report)  # shown by -rP


def _replaceable(error: BaseException) -> bool:
    if isinstance(error, pytest.exit.Exception | pytest.xfail.Exception):
        return False
    return isinstance(error, Exception | SystemExit | pytest.fail.Exception)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def replay(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Replay]:
    """A replay server on 127.0.0.1 for this test, with `ANTHROPIC_BASE_URL` pointing at it.

    Configure it with `@pytest.mark.replay(*paths, speed=0, faults=[...])`; see
    `stream_replay.pytest_plugin` for where recordings are looked for. For the test's
    duration the network is blocked (but loopback), and an API request from a client made
    before the fixture is stopped and fails the test.
    """
    from ._errors import RecordingError
    from ._server import ReplayServer

    options = _options(request.node.get_closest_marker("replay"))
    rootdir = request.config.rootpath
    try:
        recordings = _recordings(request, options.paths, rootdir)
        server = ReplayServer(recordings, speed=options.speed, faults=options.faults)
    except (RecordingError, OSError, ValueError) as error:
        _misuse(str(error))
    with server:
        # Read before the environment is replaced: what a client made earlier holds.
        guard = ClientGuard.from_environment(server.url, lambda: server.received)
        replay = Replay(server, rootdir, guard, options)
        request.node.stash[_REPLAY] = replay
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        for name in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE"):  # no real credential
            monkeypatch.delenv(name, raising=False)
        if options.block_network:
            block_network(monkeypatch)
        guard.install(monkeypatch)
        try:
            yield replay
        finally:
            del request.node.stash[_REPLAY]
        # A request made after the test's call, by a fixture's teardown, is reported here.
        if (message := replay._problems(unreported=True)) is not None:
            pytest.fail(message, pytrace=False)


@pytest.fixture(autouse=True)
def _replay_autouse(request: pytest.FixtureRequest) -> None:
    # The marker alone applies the fixture, as vcrpy's does; and the fixture is set up before
    # the test's other fixtures (autouse ones come first), so that a client they make reads
    # its environment.
    if request.node.get_closest_marker("replay") or "replay" in request.fixturenames:
        request.getfixturevalue("replay")
    elif request.config.getini("replay_block_network"):
        block_network(request.getfixturevalue("monkeypatch"))


@dataclass(frozen=True)
class _Options:
    paths: tuple[str | PathLike[str], ...] = ()
    speed: float = 0.0
    faults: tuple[Fault, ...] = ()
    block_network: bool = True
    sweep: Sweep | None = None
    sweep_limit: int | None = 100


def _options(marker: pytest.Mark | None) -> _Options:
    """The marker's arguments, each checked: a mistake fails the test in one line."""
    from ._faults import parse_fault
    from ._sweep import DEFAULT_LIMIT, parse_sweep

    if marker is None:
        return _Options()
    kwargs = dict(marker.kwargs)
    unknown = set(kwargs) - {"speed", "faults", "block_network", "sweep", "sweep_limit"}
    if unknown:
        _misuse(
            f"unknown argument(s) {sorted(unknown)}; it takes speed, faults, sweep, "
            "sweep_limit, block_network"
        )
    for path in marker.args:
        if not isinstance(path, str | PathLike):
            _misuse(f"a recording's path must be a string or a Path, not {path!r}")
    specs = kwargs.get("faults", ())
    specs = [specs] if isinstance(specs, str) else specs
    if not isinstance(specs, list | tuple) or not all(isinstance(s, str) for s in specs):
        _misuse("faults must be a list of fault specs, such as ['cut-mid:5']")
    speed = kwargs.get("speed", 0.0)
    if isinstance(speed, bool) or not isinstance(speed, int | float):
        _misuse("speed must be a number: 1 is the recorded pace, 0 sends everything at once")
    block = kwargs.get("block_network", True)
    if not isinstance(block, bool):
        _misuse(f"block_network must be True or False, not {block!r}")
    sweep, wrong = None, ""
    if "sweep" in kwargs:
        try:
            sweep = parse_sweep(kwargs["sweep"])
        except ValueError as error:
            wrong = str(error)
    if wrong:
        _misuse(wrong)
    limit = kwargs.get("sweep_limit", DEFAULT_LIMIT)
    if "sweep_limit" in kwargs and sweep is None:
        _misuse("sweep_limit bounds a sweep: give sweep= too")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        _misuse(f"sweep_limit must be a whole number, 1 or more, or None (all), not {limit!r}")
    faults = []
    for spec in specs:
        try:
            faults.append(parse_fault(spec))
        except ValueError as error:
            reason = str(error).split(". Faults:", 1)[0]
            _misuse(f"{reason}. A fault is one of: {_FAULT_NAMES}")
    return _Options(tuple(marker.args), float(speed), tuple(faults), block, sweep, limit)


def _misuse(message: str) -> NoReturn:
    pytest.fail(f"@pytest.mark.replay: {message}", pytrace=False)


def _shown(path: Path, rootdir: Path) -> Path:
    """How messages name a recording: relative to the rootdir when it is inside it."""
    return path.relative_to(rootdir) if path.is_relative_to(rootdir) else path


def _recordings(
    request: pytest.FixtureRequest, paths: Sequence[str | PathLike[str]], rootdir: Path
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
        files = _by_name(request.node, rootdir / request.config.getini("replay_recordings"))
    return [load_recording(path, name=_shown(path, rootdir)) for path in files]


def _by_name(node: pytest.Item, folder: Path) -> list[Path]:
    """The test's own recording: `<folder>/<module's path>/[<class>/...]<test name>.toml`, or
    a folder of that name. The module's path (from the rootdir, without `.py`) and its
    classes keep apart tests of one name in two modules of one name, or in two classes.

    Earlier versions looked in `<folder>/<module's name>/<test name>.toml`: a recording found
    only there is used, with a warning saying where to move it.
    """
    rootdir = node.config.rootpath
    module = Path(str(node.path)).with_suffix("")
    where = (
        module.relative_to(rootdir).parts if module.is_relative_to(rootdir) else module.parts[-1:]
    )
    classes = [parent.name for parent in node.listchain() if isinstance(parent, pytest.Class)]
    name = getattr(node, "originalname", node.name)
    place = folder.joinpath(*where, *classes)
    if found := _named(place, name):
        return found
    old_place = folder / module.name
    if old_place != place and (found := _named(old_place, name)):
        old = _shown(old_place / name, rootdir)
        new = _shown(place / name, rootdir)
        suffix = ".toml" if found[0].parent == old_place else ""
        warnings.warn(
            ReplayRecordingPlaceWarning(
                f"{old}{suffix} is where earlier versions looked, a place every "
                f"{module.name}.py and every class shares: move it to {new}{suffix}"
            ),
            stacklevel=1,
        )
    return found


def _named(place: Path, name: str) -> list[Path]:
    single = place / f"{name}.toml"
    return [single] if single.is_file() else sorted((place / name).glob("*.toml"))

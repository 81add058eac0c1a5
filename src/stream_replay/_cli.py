"""`stream-replay`: run a snippet against its recordings, serve recordings, record new ones."""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ._drift import drift
from ._errors import RecordingError
from ._faults import FAULT_SPECS, Fault, parse_fault
from ._recording import Recording, load_recording, load_sse_body
from ._server import ReplayServer
from ._snippets import (
    find_project_root,
    load_recordings_for,
    recording_paths_for,
    snippet_command,
    snippet_key,
)
from ._timeline import timeline
from ._timeline_svg import timeline_svg

# The replay server needs *a* key, as the API does, but never sees a real one.
PLACEHOLDER_KEY = "replay-no-key-needed"
FAULTS_EPILOG = f"Faults (--fault, repeatable):\n{FAULT_SPECS}"
# Exit codes beyond 0 (done) and 1 (an error, said in one line).
DRIFT_FOUND = 3
INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="stream-replay",
        description=__doc__,
        epilog=FAULTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    run = commands.add_parser(
        "run",
        help="run a snippet against its recordings (or --live)",
        epilog=FAULTS_EPILOG,
        formatter_class=raw,
    )
    run.add_argument("snippet", type=Path)
    run.add_argument("--speed", type=_speed, default=1.0, help=SPEED_HELP)
    run.add_argument("--live", action="store_true", help="call the real API with your key")
    run.add_argument("--fault", type=_fault, action="append", default=[], help=FAULT_HELP)

    serve = commands.add_parser(
        "serve", help="start the replay server alone", epilog=FAULTS_EPILOG, formatter_class=raw
    )
    serve.add_argument("snippets", type=Path, nargs="*", help="whose recordings (default: all)")
    serve.add_argument("--speed", type=_speed, default=1.0, help=SPEED_HELP)
    serve.add_argument("--port", type=_port, default=8765, help="0: any free port")
    serve.add_argument("--fault", type=_fault, action="append", default=[], help=FAULT_HELP)

    record = commands.add_parser("record", help="record a snippet's requests from the live API")
    record.add_argument("snippet", type=Path)
    record.add_argument(
        "--upstream",
        default=None,
        help="where to forward (default: $ANTHROPIC_BASE_URL, else https://api.anthropic.com)",
    )
    record.add_argument(
        "--overwrite", action="store_true", help="replace the snippet's existing recordings"
    )
    record.add_argument(
        "--max-events", type=_count, default=20_000, help="per response (default 20000)"
    )
    record.add_argument(
        "--max-seconds", type=_seconds, default=900.0, help="for the whole run (default 900)"
    )

    show = commands.add_parser(
        "timeline",
        help="print what arrived when in a recording (--svg: as a picture)",
        epilog=FAULTS_EPILOG,
        formatter_class=raw,
    )
    show.add_argument("recording", type=Path)
    show.add_argument(
        "--svg", action="store_true", help="print an SVG of its events on a time axis instead"
    )
    show.add_argument(
        "--fault",
        type=_fault_spec,
        action="append",
        default=[],
        help="with --svg: draw the stream as the replay server sends it with this fault",
    )

    check = commands.add_parser("check", help="check recordings (.toml) and SSE bodies (.sse)")
    check.add_argument("paths", type=Path, nargs="+")

    compare = commands.add_parser(
        "drift",
        help="compare recordings by structure (or --live: re-record snippets and compare)",
        description=DRIFT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument("paths", type=Path, nargs="*", help="STORED NEW: two files or folders")
    compare.add_argument(
        "--live", action="store_true", help="re-record snippets (default: all) with your key"
    )

    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run_snippet(args.snippet, speed=args.speed, live=args.live, faults=args.fault)
        if args.command == "serve":
            return serve_recordings(
                args.snippets, speed=args.speed, port=args.port, faults=args.fault
            )
        if args.command == "record":
            from ._recorder import record_snippet

            return record_snippet(
                args.snippet,
                upstream=args.upstream,
                overwrite=args.overwrite,
                max_events=args.max_events,
                max_seconds=args.max_seconds,
            )
        if args.command == "timeline":
            if args.fault and not args.svg:
                show.error("--fault draws a replayed stream: give --svg too")
            recording = load_recording(args.recording)
            if args.svg:
                print(timeline_svg(recording, faults=args.fault), end="")
            else:
                print(timeline(recording), end="")
            return 0
        if args.command == "drift":
            if args.live:
                return drift_live(args.paths)
            if len(args.paths) != 2:
                compare.error("give two recordings (or two folders) to compare, or --live")
            return drift_paths(args.paths[0], args.paths[1])
        return check_files(args.paths)
    except (RecordingError, OSError) as error:
        print(f"stream-replay: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stream-replay: interrupted; no recording was changed", file=sys.stderr)
        return INTERRUPTED


SPEED_HELP = "playback speed: 1 = as recorded, 2 = twice as fast, 0 = no waiting"
FAULT_HELP = "inject a fault into every response (or the Kth, with @K); see the list below"
DRIFT_DESCRIPTION = """\
Compare recordings by structure: event and content block types in order, field names per
event type, header names, stop reason. Text, ids and timing are ignored. Exit 0: the same
structure; 3: drift, printed as a structural diff; 1: an error.

  drift STORED NEW     two recordings, or two folders (files paired by relative path)
  drift --live [SNIPPET ...]   re-record snippets (all by default) into a temporary folder
                       with ANTHROPIC_API_KEY, and compare each with its stored recording"""


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        filename = getattr(error, "filename", None)
        return f"{filename}: {error.strerror}" if filename else error.strerror
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _fault_spec(spec: str) -> str:
    _fault(spec)  # checked, kept as written
    return spec


def _fault(spec: str) -> Fault:
    try:
        return parse_fault(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{what} must be a finite number, 0 or more")
    return value


def _speed(text: str) -> float:
    return _number(text, "speed")


def _seconds(text: str) -> float:
    value = _number(text, "seconds")
    if value == 0:
        raise argparse.ArgumentTypeError("seconds must be more than 0")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port (0 to 65535): {text!r}")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number, 1 or more: {text!r}")
    return int(text)


def run_snippet(snippet: Path, *, speed: float, live: bool, faults: Sequence[Fault] = ()) -> int:
    if not snippet.is_file():
        raise FileNotFoundError(f"no snippet at {snippet}")
    if live:
        if not os.environ.get("ANTHROPIC_API_KEY"):
            print("stream-replay: --live needs ANTHROPIC_API_KEY set", file=sys.stderr)
            return 1
        return subprocess.run(snippet_command(snippet)).returncode
    recordings = load_recordings_for(snippet)
    for recording in recordings:
        print(f"replaying {recording.name}: {recording.provenance.describe()}", file=sys.stderr)
    for fault in faults:
        print(f"injecting {fault}", file=sys.stderr)
    with ReplayServer(recordings, speed=speed, faults=faults) as server:
        env = {**os.environ, "ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": PLACEHOLDER_KEY}
        env.pop("ANTHROPIC_AUTH_TOKEN", None)
        code = subprocess.run(snippet_command(snippet), env=env).returncode
    if server.mismatch_count:
        print(
            f"stream-replay: {server.mismatch_count} request(s) matched no recording",
            file=sys.stderr,
        )
        return code or 1
    return code


def serve_recordings(
    snippets: Sequence[Path], *, speed: float, port: int, faults: Sequence[Fault] = ()
) -> int:
    root = find_project_root(Path.cwd())
    recordings: list[Recording] = []
    if snippets:
        for snippet in snippets:
            recordings += load_recordings_for(snippet, root)
    else:
        for path in sorted((root / "recordings").rglob("*.toml")):
            recordings.append(load_recording(path, name=path.relative_to(root)))
    # It may run for days: each mismatch is printed, none is kept.
    with ReplayServer(
        recordings, speed=speed, port=port, faults=faults, kept_mismatches=0
    ) as server:
        print(f"Serving {len(recordings)} recording(s) on {server.url} at speed {speed:g}.")
        for fault in faults:
            print(f"Injecting {fault}.")
        print("In another shell:")
        print(f"  export ANTHROPIC_BASE_URL={server.url}")
        print(f"  export ANTHROPIC_API_KEY={PLACEHOLDER_KEY}")
        print("Press Ctrl-C to stop.", flush=True)
        server.wait()
    return 0


CHECKED_SUFFIXES = (".toml", ".sse")


def check_files(paths: Sequence[Path]) -> int:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [p for p in sorted(path.rglob("*")) if p.suffix in CHECKED_SUFFIXES]
            if not found:
                raise FileNotFoundError(f"{path}: no recordings (.toml) or SSE bodies (.sse)")
            files += found
        elif path.is_file():
            if path.suffix not in CHECKED_SUFFIXES:
                raise FileNotFoundError(f"{path}: not a recording (.toml) or an SSE body (.sse)")
            files.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    for path in files:
        if path.suffix == ".toml":
            load_recording(path)
        else:
            load_sse_body(path)
    print(f"{len(files)} file(s) checked, all well-formed.")
    return 0


# --------------------------------------------------------------------------- drift


def drift_paths(stored: Path, new: Path) -> int:
    """Compare two recordings, or two folders of them paired by relative path."""
    pairs: list[tuple[str, Path | None, Path | None]] = []
    if stored.is_dir() and new.is_dir():
        names = {p.relative_to(stored) for p in stored.rglob("*.toml")}
        names |= {p.relative_to(new) for p in new.rglob("*.toml")}
        if not names:
            raise FileNotFoundError(f"{stored}, {new}: no recordings (.toml) to compare")
        for name in sorted(names):
            pairs.append(
                (
                    name.as_posix(),
                    stored / name if (stored / name).is_file() else None,
                    new / name if (new / name).is_file() else None,
                )
            )
    else:
        for path in (stored, new):
            if not path.is_file():
                raise FileNotFoundError(f"{path}: no such recording (or give two folders)")
        pairs.append((stored.as_posix(), stored, new))
    return _report(pairs)


def _report(pairs: Sequence[tuple[str, Path | None, Path | None]]) -> int:
    drifted = 0
    for name, stored, new in pairs:
        if stored is None or new is None:
            print(f"{name}: only in the {'new' if stored is None else 'stored'} recordings")
            drifted += 1
            continue
        lines = drift(load_recording(stored), load_recording(new))
        if lines:
            drifted += 1
            print(f"{name}: drift (- {stored}, + {new})")
            print("\n".join(f"  {line}" for line in lines))
    print(f"{len(pairs)} recording(s) compared: {drifted} with structural drift.")
    return DRIFT_FOUND if drifted else 0


def drift_live(snippets: Sequence[Path]) -> int:
    """Re-record snippets from the live API into a temporary folder; compare with the stored."""
    from ._recorder import record_snippet

    if not os.environ.get("ANTHROPIC_API_KEY"):
        print("stream-replay: drift --live needs ANTHROPIC_API_KEY set", file=sys.stderr)
        return 1
    root = find_project_root(Path.cwd())
    chosen = list(snippets) or sorted(
        p
        for p in (root / "snippets").rglob("*")
        if p.suffix in {".py", ".sh"} and _has_recordings(p, root)
    )
    pairs: list[tuple[str, Path | None, Path | None]] = []
    failed = 0
    with tempfile.TemporaryDirectory(prefix="drift-") as folder:
        fresh = Path(folder)
        for snippet in chosen:
            stored = recording_paths_for(snippet, root)
            print(f"re-recording {snippet.resolve().relative_to(root)} ...", flush=True)
            if record_snippet(snippet, recordings_dir=fresh, overwrite=True, max_seconds=300):
                failed += 1
                continue
            key = snippet_key(snippet, root)
            new = sorted((fresh / key).glob("*.toml")) or [fresh / f"{key}.toml"]
            for index in range(max(len(stored), len(new))):
                old = stored[index] if index < len(stored) else None
                now = new[index] if index < len(new) and new[index].is_file() else None
                name = (old or now or fresh).relative_to(root if old else fresh).as_posix()
                pairs.append((name, old, now))
        code = _report(pairs)
    if failed:
        print(f"stream-replay: {failed} snippet(s) could not be re-recorded", file=sys.stderr)
        return 1
    return code


def _has_recordings(snippet: Path, root: Path) -> bool:
    try:
        recording_paths_for(snippet, root)
    except FileNotFoundError:
        return False
    return True

"""`stream-replay`: run a snippet against its recordings, serve recordings, record new ones."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ._errors import RecordingError
from ._faults import FAULT_SPECS, Fault, parse_fault
from ._recording import Recording, load_recording, load_sse_body
from ._server import ReplayServer
from ._snippets import find_project_root, load_recordings_for, snippet_command
from ._timeline import timeline

# The replay server needs *a* key, as the API does, but never sees a real one.
PLACEHOLDER_KEY = "replay-no-key-needed"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="stream-replay",
        description=__doc__,
        epilog=f"Faults (--fault, repeatable):\n{FAULT_SPECS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a snippet against its recordings (or --live)")
    run.add_argument("snippet", type=Path)
    run.add_argument("--speed", type=_speed, default=1.0, help=SPEED_HELP)
    run.add_argument("--live", action="store_true", help="call the real API with your key")
    run.add_argument("--fault", type=_fault, action="append", default=[], help=FAULT_HELP)

    serve = commands.add_parser("serve", help="start the replay server alone")
    serve.add_argument("snippets", type=Path, nargs="*", help="whose recordings (default: all)")
    serve.add_argument("--speed", type=_speed, default=1.0, help=SPEED_HELP)
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--fault", type=_fault, action="append", default=[], help=FAULT_HELP)

    record = commands.add_parser("record", help="record a snippet's requests from the live API")
    record.add_argument("snippet", type=Path)
    record.add_argument("--upstream", default=None, help="default: https://api.anthropic.com")

    show = commands.add_parser("timeline", help="print what arrived when in a recording")
    show.add_argument("recording", type=Path)

    check = commands.add_parser("check", help="check recordings (.toml) and SSE bodies (.sse)")
    check.add_argument("paths", type=Path, nargs="+")

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

            return record_snippet(args.snippet, upstream=args.upstream)
        if args.command == "timeline":
            print(timeline(load_recording(args.recording)), end="")
            return 0
        return check_files(args.paths)
    except (RecordingError, FileNotFoundError) as error:
        print(f"stream-replay: {error}", file=sys.stderr)
        return 1


SPEED_HELP = "playback speed: 1 = as recorded, 2 = twice as fast, 0 = no waiting"


FAULT_HELP = "inject a fault into every response (or the Kth, with @K); see the list below"


def _fault(spec: str) -> Fault:
    try:
        return parse_fault(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _speed(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("speed must be 0 or more")
    return value


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
    if server.mismatches:
        print(
            f"stream-replay: {len(server.mismatches)} request(s) matched no recording",
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
    with ReplayServer(recordings, speed=speed, port=port, faults=faults) as server:
        print(f"Serving {len(recordings)} recording(s) on {server.url} at speed {speed:g}.")
        for fault in faults:
            print(f"Injecting {fault}.")
        print("In another shell:")
        print(f"  export ANTHROPIC_BASE_URL={server.url}")
        print(f"  export ANTHROPIC_API_KEY={PLACEHOLDER_KEY}")
        print("Press Ctrl-C to stop.", flush=True)
        server.wait()
    return 0


def check_files(paths: Sequence[Path]) -> int:
    files = [p for path in paths for p in (sorted(path.rglob("*")) if path.is_dir() else [path])]
    checked = 0
    for path in files:
        if path.suffix == ".toml":
            load_recording(path)
        elif path.suffix == ".sse":
            load_sse_body(path)
        else:
            continue
        checked += 1
    print(f"{checked} file(s) checked, all well-formed.")
    return 0

"""Record Claude API streams, and replay them over real HTTP with their original timing.

- Recordings: `load_recording`, `parse_recording`, `dump_recording` and the `Recording`
  dataclasses (the format: docs/recordings.md); `load_sse_body`, `recording_from_sse` and
  `build_recording` (with `text_events`) make one from a bare event stream or from Python.
- Replaying: `ReplayServer`, and the faults it injects (`parse_fault` reads a `--fault` spec).
- In your tests: the pytest plugin `stream_replay.pytest_plugin` (its `replay` fixture and
  marker, whose `sweep=` runs a test once per fault position), loaded by pytest when the
  package is installed (docs/testing.md); its verdicts (`replay.assert_...`) judge what the
  client did, from the `Exchange`s the server saw, and fail with a `VerdictError`.
- Reading: `timeline`, `timeline_svg`, `split_events`.
"""

from ._build import build_recording, text_events
from ._errors import RecordingError
from ._exchanges import Connection, Exchange
from ._faults import (
    Buffer,
    CutAfter,
    Drip,
    ErrorEvent,
    Fault,
    HttpError,
    IdleCut,
    MalformedData,
    Rechunk,
    StallBefore,
    UnknownEvent,
    parse_fault,
)
from ._matching import IncomingRequest, Mismatch
from ._recording import (
    Provenance,
    RecordedEvent,
    RecordedRequest,
    RecordedResponse,
    Recording,
    dump_recording,
    load_recording,
    load_sse_body,
    parse_recording,
    recording_from_sse,
)
from ._server import ReplayServer
from ._snippets import find_project_root, load_recordings_for, recording_paths_for
from ._sse import split_events
from ._timeline import timeline
from ._timeline_svg import timeline_svg
from ._verdicts import VerdictError

__version__ = "0.2.0"  # packages/stream-replay: its pyproject.toml and CHANGELOG.md

__all__ = [
    "Buffer",
    "Connection",
    "CutAfter",
    "Drip",
    "ErrorEvent",
    "Exchange",
    "Fault",
    "HttpError",
    "IdleCut",
    "IncomingRequest",
    "MalformedData",
    "Mismatch",
    "Provenance",
    "Rechunk",
    "RecordedEvent",
    "RecordedRequest",
    "RecordedResponse",
    "Recording",
    "RecordingError",
    "ReplayServer",
    "StallBefore",
    "UnknownEvent",
    "VerdictError",
    "build_recording",
    "dump_recording",
    "find_project_root",
    "load_recording",
    "load_recordings_for",
    "load_sse_body",
    "parse_fault",
    "parse_recording",
    "recording_from_sse",
    "recording_paths_for",
    "split_events",
    "text_events",
    "timeline",
    "timeline_svg",
]

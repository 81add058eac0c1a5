"""The data the site's stream player plays: a recording's response as a client receives it.

The player (docs/assets/player.js) plays in the browser what the replay server would send for
a recording under the given faults: the status and headers, then the body's byte chunks at
their offsets, then a proper end or a dropped connection. The chunks come from the server's own
`plan_response`, so the player shows exactly what a client gets; the player parses them into
events itself, as a client does (an event counts only once its blank line has arrived).

    {"format": 1, "recording": "recordings/...toml", "faults": ["cut-mid:6"],
     "provenance": {...}, "status": 200, "at": 0.384, "headers": {...},
     "chunks": [{"at": 0.384, "text": "event: message_start\\ndata: ...\\n\\n"}, ...],
     "cut": false}

A chunk's `at` is its offset in seconds from the request at the recorded pace (a stall's delay
added). A chunk that is not UTF-8 on its own (a fault may cut a character in two) is given as
`base64` instead of `text`. An HTTP error has a `body` and no chunks.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from ._faults import parse_fault, plan_response
from ._recording import Recording
from ._server import _http_error

__all__ = ["FORMAT", "player_data", "player_file", "player_json"]

FORMAT = 1  # the version of the layout above, which player.js checks
# What the server calls the first request it answers; the player plays that one.
_REQUEST_ID = "req_replay_0001"


def player_data(recording: Recording, fault_specs: Sequence[str] = ()) -> dict[str, Any]:
    """What the player plays for `recording` under `fault_specs` (`--fault` specs)."""
    faults = [parse_fault(spec) for spec in fault_specs]
    response = recording.response
    provenance = recording.provenance
    data: dict[str, Any] = {
        "format": FORMAT,
        "recording": recording.name,
        "faults": list(fault_specs),
        "provenance": {"source": provenance.source, "description": provenance.describe()},
        "status": response.status,
        "at": response.at,
        "headers": dict(response.headers),
    }
    plan = plan_response(response.events, faults, 1, cut=response.cut)
    if plan.http_error is not None:
        error = _http_error(plan.http_error, _REQUEST_ID)
        data["status"] = error.status_code
        data["headers"] = {"content-type": error.headers["content-type"]}
        data["body"] = bytes(error.body).decode()
        return data
    if response.body is not None:
        data["body"] = response.body.decode("utf-8", "replace")
        return data
    data["chunks"] = [_chunk(step.at + step.delay, step.data) for step in plan.steps]
    data["cut"] = plan.cut
    return data


def _chunk(at: float, piece: bytes) -> dict[str, Any]:
    try:
        return {"at": round(at, 6), "text": piece.decode("utf-8")}
    except UnicodeDecodeError:
        return {"at": round(at, 6), "base64": base64.b64encode(piece).decode("ascii")}


def player_json(data: dict[str, Any]) -> str:
    """The file's text: one key a line, and one chunk a line, so that a diff reads well."""
    lines = [
        f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in data.items()
        if key != "chunks"
    ]
    if "chunks" in data:
        chunks = ",\n".join(f"  {json.dumps(c, ensure_ascii=False)}" for c in data["chunks"])
        lines.append(f' "chunks": [\n{chunks}\n ]' if chunks else ' "chunks": []')
    return "{\n" + ",\n".join(lines) + "\n}\n"


def player_file(key: str, fault_specs: Sequence[str] = ()) -> str:
    """Where the data of `recordings/<key>.toml` under `fault_specs` goes, below docs/players/.

    `first_stream/text_stream` -> `first_stream/text_stream.json`; with `cut-mid:6`,
    `truncated/cut_connection--cut-mid-6.json` (no `:` or `@` in a file name or a URL).
    """
    names = [key, *(spec.replace(":", "-").replace("@", "-at-") for spec in fault_specs)]
    return "--".join(names) + ".json"

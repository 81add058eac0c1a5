"""The first-party recording of the first example, moved onto Bedrock's and Vertex's routes:
the same events, the request as `AnthropicBedrock` and `AnthropicVertex` 2.17.0 send it."""

from __future__ import annotations

import dataclasses
import json

import httpx

from stream_replay import RecordedRequest, Recording, ReplayServer, load_recording
from stream_replay._platforms import AWS_EVENT_STREAM

from .project import RECORDINGS_DIR

FIRST_PARTY = load_recording(RECORDINGS_DIR / "first_stream" / "text_stream.toml")
BEDROCK_MODEL = "anthropic.claude-sonnet-4-6"
BEDROCK_PATH = f"/model/{BEDROCK_MODEL}/invoke-with-response-stream"
VERTEX_PATH = (
    "/v1/projects/replay-project/locations/us-east5/publishers/anthropic/models/"
    "claude-sonnet-5-5:streamRawPredict"
)


def on_bedrock(recording: Recording = FIRST_PARTY) -> Recording:
    body = {k: v for k, v in recording.request.body.items() if k not in {"model", "stream"}}
    body["anthropic_version"] = "bedrock-2023-05-31"
    request = RecordedRequest("POST", BEDROCK_PATH, {}, body)
    response = dataclasses.replace(recording.response, headers={"content-type": AWS_EVENT_STREAM})
    return dataclasses.replace(recording, request=request, response=response)


def on_vertex(recording: Recording = FIRST_PARTY) -> Recording:
    body = {k: v for k, v in recording.request.body.items() if k != "model"}
    body["anthropic_version"] = "2026-10-21"
    request = RecordedRequest("POST", VERTEX_PATH, {}, body)
    return dataclasses.replace(recording, request=request)


def on_first_party(recording: Recording, request: RecordedRequest) -> Recording:
    """A recording's events as the first-party API streams them, answering `request`: those of
    a Bedrock recording go out as server-sent events, not in frames."""
    headers = dict(recording.response.headers)
    if headers.get("content-type", "").startswith(AWS_EVENT_STREAM):
        headers["content-type"] = "text/event-stream; charset=utf-8"
    response = dataclasses.replace(recording.response, headers=headers)
    return dataclasses.replace(recording, request=request, response=response)


def first_party_request() -> dict[str, object]:
    """The first example's request as keyword arguments of `messages.stream(...)`."""
    body: dict[str, object] = json.loads(json.dumps(FIRST_PARTY.request.body))
    body.pop("stream")
    return body


def replayed(recording: Recording, authorization: str) -> httpx.Response:
    """The response a replay of `recording` gives its own request, sent with `authorization`."""
    with ReplayServer([recording], speed=0) as server:
        return httpx.post(
            server.url + recording.request.path,
            json=recording.request.body,
            headers={"authorization": authorization},
        )

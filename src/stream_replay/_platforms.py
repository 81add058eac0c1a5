"""The other ways to reach Claude that the replay server answers, told apart by their URL.

- Amazon Bedrock (`AnthropicBedrock`): `POST /model/{modelId}/invoke-with-response-stream`,
  signed with AWS SigV4; the API version goes in the body as `anthropic_version`, the model in
  the path, and the response is AWS event-stream frames (`_bedrock.py`).
- Google Vertex AI (`AnthropicVertex`): `POST /v1/projects/{project}/locations/{region}/
  publishers/anthropic/models/{model}:streamRawPredict`, with a Google access token; the API
  version in the body, the model in the path; the response is the API's server-sent events.
- The OpenAI-compatible endpoint (the `openai` SDK): `POST /v1/chat/completions`; the response
  is OpenAI's `chat.completion.chunk` events, ending in `data: [DONE]` (`_openai.py`).

None of them sends an `anthropic-version` header the server can require: the replay server
checks it only on the first-party API's paths.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = [
    "AWS_EVENT_STREAM",
    "PLATFORM_NAMES",
    "Platform",
    "has_credentials",
    "platform_of",
    "recordable",
    "replay_environment",
    "streams_api_events",
]

Platform = Literal["anthropic", "bedrock", "vertex", "openai"]
PLATFORM_NAMES: dict[Platform, str] = {
    "anthropic": "the Claude API",
    "bedrock": "Amazon Bedrock",
    "vertex": "Google Vertex AI",
    "openai": "the OpenAI-compatible endpoint",
}

# The content type of Bedrock's streaming response (a recording of one says it).
AWS_EVENT_STREAM = "application/vnd.amazon.eventstream"

_BEDROCK = re.compile(r"/model/[^/]+/invoke-with-response-stream")
_VERTEX = re.compile(
    r"/v1/projects/[^/]+/locations/[^/]+/publishers/anthropic/models/[^/]+:streamRawPredict"
)
_OPENAI = "/v1/chat/completions"

# The placeholder credentials a replayed snippet gets: none of them is a real secret, and none
# leaves the machine (the clients send them to the replay server on 127.0.0.1).
PLACEHOLDER_AWS_KEY_ID = "AKIAREPLAYPLACEHOLDER"
PLACEHOLDER_AWS_SECRET = "replay-placeholder-aws-secret"
PLACEHOLDER_GOOGLE_TOKEN = "replay-placeholder-google-token"


def platform_of(path: str) -> Platform:
    """Which API a request path belongs to (the query string is ignored)."""
    path = path.partition("?")[0]
    if _BEDROCK.fullmatch(path):
        return "bedrock"
    if _VERTEX.fullmatch(path):
        return "vertex"
    if path == _OPENAI:
        return "openai"
    return "anthropic"


def streams_api_events(path: str) -> bool:
    """Whether the stream that answers a request to `path` carries the Messages API's own
    events (`message_start` ... `message_stop`, each JSON with its `type`): on the first-party
    API, Vertex and Bedrock (inside its frames), yes; on the OpenAI-compatible endpoint, no:
    its events are OpenAI's chunks (`_openai.py`). Code that reads a recording's events as the
    API's asks this first."""
    return platform_of(path) != "openai"


def recordable(path: str) -> bool:
    """Whether the recorder, a proxy in front of the Claude API, can record a request to
    `path`: the API's own routes and its OpenAI-compatible endpoint, yes; Bedrock's and
    Vertex's, which their clouds serve and sign, no (their recordings are constructed)."""
    return platform_of(path) in {"anthropic", "openai"}


def has_credentials(headers: dict[str, str]) -> bool:
    """An API key, a bearer token (the SDKs, Vertex, the openai SDK) or an AWS signature."""
    authorization = headers.get("authorization", "")
    return bool(headers.get("x-api-key")) or authorization.startswith(
        ("Bearer ", "AWS4-HMAC-SHA256 ")
    )


def replay_environment(url: str, key: str) -> dict[str, str]:
    """The variables that point every client at a replay server at `url`, with `key` as the
    API key and placeholder credentials elsewhere: `Anthropic()`, the TypeScript SDK,
    `AnthropicBedrock()`, `AnthropicVertex()` (its token is passed by the snippet, from
    CLOUDSDK_AUTH_ACCESS_TOKEN) and `openai.OpenAI()`."""
    return {
        "ANTHROPIC_BASE_URL": url,
        "ANTHROPIC_API_KEY": key,
        "ANTHROPIC_BEDROCK_BASE_URL": url,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": PLACEHOLDER_AWS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": PLACEHOLDER_AWS_SECRET,
        "ANTHROPIC_VERTEX_BASE_URL": f"{url}/v1",
        "CLOUD_ML_REGION": "us-east5",
        "ANTHROPIC_VERTEX_PROJECT_ID": "replay-project",
        "CLOUDSDK_AUTH_ACCESS_TOKEN": PLACEHOLDER_GOOGLE_TOKEN,
        "OPENAI_BASE_URL": f"{url}/v1/",
        "OPENAI_API_KEY": key,
    }

"""Bedrock, Vertex and the OpenAI-compatible endpoint on the replay server, with their clients."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx
import pytest

from stream_replay import ErrorEvent, ReplayServer
from stream_replay._platforms import has_credentials, platform_of, replay_environment

from .platform_recordings import (
    FIRST_PARTY,
    VERTEX_PATH,
    first_party_request,
    on_bedrock,
    on_vertex,
    replayed,
)


@pytest.mark.parametrize(
    ("path", "platform"),
    [
        ("/v1/messages", "anthropic"),
        ("/v1/messages?beta=true", "anthropic"),
        ("/model/anthropic.claude-sonnet-4-6/invoke-with-response-stream", "bedrock"),
        ("/model/anthropic.claude-sonnet-4-6/invoke", "anthropic"),  # not a stream
        (VERTEX_PATH, "vertex"),
        (VERTEX_PATH.replace(":streamRawPredict", ":rawPredict"), "anthropic"),
        ("/v1/chat/completions", "openai"),
    ],
)
def test_a_path_names_its_platform(path: str, platform: str) -> None:
    assert platform_of(path) == platform


def test_credentials_are_a_key_a_bearer_token_or_an_aws_signature() -> None:
    assert has_credentials({"x-api-key": "k"})
    assert has_credentials({"authorization": "Bearer t"})
    assert has_credentials({"authorization": "AWS4-HMAC-SHA256 Credential=a/b"})
    assert not has_credentials({"authorization": "Basic dTpw"})
    assert not has_credentials({})


def final_messages(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The message each client assembles from the same events, each on its own route."""
    recordings = [FIRST_PARTY, on_bedrock(), on_vertex()]
    with ReplayServer(recordings, speed=0) as server:
        for name, value in replay_environment(server.url, "placeholder").items():
            monkeypatch.setenv(name, value)
        clients: dict[str, Any] = {
            "anthropic": anthropic.Anthropic(),
            "bedrock": anthropic.AnthropicBedrock(),
            "vertex": anthropic.AnthropicVertex(access_token="placeholder-token"),
        }
        messages = {}
        for name, client in clients.items():
            request = first_party_request()
            if name == "bedrock":
                request["model"] = "anthropic.claude-sonnet-4-6"
                request["extra_body"] = {"anthropic_version": "bedrock-2023-05-31"}
            with client.messages.stream(**request) as stream:
                messages[name] = stream.get_final_message()
        assert server.mismatches == []
        assert len(server.served) == 3
    return messages


def test_bedrock_and_vertex_clients_assemble_the_same_message_as_the_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages = final_messages(monkeypatch)
    first_party = messages["anthropic"].model_dump()
    assert first_party["content"][0]["text"].startswith("Streaming lets a chat app")
    assert messages["bedrock"].model_dump() == first_party
    assert messages["vertex"].model_dump() == first_party


def test_vertex_gets_the_recorded_events_byte_for_byte() -> None:
    response = replayed(on_vertex(), "Bearer placeholder")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.content == FIRST_PARTY.sse_body


def test_only_the_first_party_api_requires_the_version_header() -> None:
    with ReplayServer([on_vertex(), FIRST_PARTY], speed=0) as server:
        vertex = httpx.post(
            server.url + VERTEX_PATH,
            json=on_vertex().request.body,
            headers={"authorization": "Bearer t"},
        )
        api = httpx.post(
            server.url + "/v1/messages",
            json=FIRST_PARTY.request.body,
            headers={"authorization": "Bearer t"},
        )
    assert vertex.status_code == 200
    assert api.status_code == 400
    assert api.json()["error"]["message"] == "anthropic-version: header is required"


def test_bedrocks_exception_frame_is_raised_as_an_error_event_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # bedrock.md and the bank: a failure after 200 OK is an exception frame, which the SDK
    # raises as the APIStatusError an `error` event gives, with AWS's name as its type.
    raised = []
    for recording in (FIRST_PARTY, on_bedrock()):
        with ReplayServer([recording], speed=0, faults=[ErrorEvent(5)]) as server:
            for name, value in replay_environment(server.url, "placeholder").items():
                monkeypatch.setenv(name, value)
            request = first_party_request()
            client: Any = anthropic.Anthropic(max_retries=0)
            if recording is not FIRST_PARTY:
                client = anthropic.AnthropicBedrock(max_retries=0)
                request["model"] = "anthropic.claude-sonnet-4-6"
                request["extra_body"] = {"anthropic_version": "bedrock-2023-05-31"}
            with (
                pytest.raises(anthropic.APIStatusError) as error,
                client.messages.stream(**request) as stream,
            ):
                stream.until_done()
            raised.append((type(error.value), error.value.status_code, error.value.type))
    assert raised == [
        (anthropic.APIStatusError, 200, "overloaded_error"),
        (anthropic.APIStatusError, 200, "serviceUnavailableException"),
    ]

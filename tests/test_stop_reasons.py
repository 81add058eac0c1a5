"""What stop-reasons.md says about stop reasons in a stream and in the SDK, checked."""

from __future__ import annotations

import dataclasses
import json
import re
import typing

import anthropic
import pytest

from stream_replay import Recording, ReplayServer, load_recording

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR

LOOP = RECORDINGS_DIR / "stop_reasons" / "act_on_stop_reason"
REFUSAL = load_recording(LOOP / "8-refusal.toml")
PAGE = " ".join((DOCS_DIR / "stop-reasons.md").read_text().split())  # one line, one space
NUMBER_WORDS = {9: "nine", 10: "ten"}
PAGE_RECORDINGS = sorted(
    [
        *(RECORDINGS_DIR / "stop_reasons").rglob("*.toml"),
        *(RECORDINGS_DIR / "why_stream").glob("*.toml"),
    ]
)


def edited(recording: Recording, old: bytes, new: bytes) -> Recording:
    """The recording with `old` replaced by `new` in its events (which must contain it)."""
    assert old in recording.sse_body
    events = tuple(
        dataclasses.replace(e, raw=e.raw.replace(old, new)) for e in recording.response.events
    )
    return dataclasses.replace(
        recording, response=dataclasses.replace(recording.response, events=events)
    )


def final_message(recording: Recording) -> anthropic.types.Message:
    body = recording.request.body
    with ReplayServer([recording], speed=0) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        with client.messages.stream(
            model=body["model"],
            max_tokens=body["max_tokens"],
            messages=body["messages"],
            tools=body["tools"],
        ) as stream:
            message = stream.get_final_message()
    assert server.mismatches == []
    return message


@pytest.mark.parametrize("path", PAGE_RECORDINGS, ids=lambda p: p.stem)
def test_only_message_delta_carries_a_stop_reason(path) -> None:
    # stop-reasons.md: null in message_start, set on message_delta, in no other event; and
    # the HTTP status is 200 whatever the reason.
    recording = load_recording(path)
    assert recording.response.status == 200
    for event in recording.response.events:
        kind = event.data["type"]
        if kind == "message_start":
            assert event.data["message"]["stop_reason"] is None
        elif kind == "message_delta":
            assert event.data["delta"]["stop_reason"] is not None
        else:
            assert "stop_reason" not in json.dumps(event.data)


def test_a_refused_message_keeps_the_partial_text_and_the_details() -> None:
    # stop-reasons.md: with the SDK, the final message holds what arrived before the refusal.
    message = final_message(REFUSAL)
    assert message.stop_reason == "refusal"
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].type == "text"
    assert message.content[0].text == "Here is an outline of a program that"
    assert message.stop_details is not None
    assert message.stop_details.category == "cyber"


def test_null_category_and_explanation_reach_the_caller_as_none() -> None:
    # stop-reasons.md: on a refusal, category and explanation may be null.
    nulls = edited(
        REFUSAL,
        b'"category":"cyber","explanation":"This request was declined because it could '
        b'enable cyber harm."',
        b'"category":null,"explanation":null',
    )
    message = final_message(nulls)
    assert message.stop_reason == "refusal"
    assert message.stop_details is not None
    assert message.stop_details.type == "refusal"
    assert (message.stop_details.category, message.stop_details.explanation) == (None, None)


def test_a_stop_reason_the_sdk_does_not_know_reaches_the_caller_unchanged() -> None:
    # stop-reasons.md: a value newer than the SDK arrives as a plain string, so keep a `case _`.
    newer = edited(REFUSAL, b'"stop_reason":"refusal"', b'"stop_reason":"some_newer_reason"')
    stop_reason: object = final_message(newer).stop_reason  # typed as the known values
    assert stop_reason == "some_newer_reason"


def test_a_stream_cut_before_message_delta_has_no_stop_reason() -> None:
    # stop-reasons.md: a stream that ends early gives stop_reason None, and nothing raises.
    complete = load_recording(LOOP / "2-max-tokens-continued.toml")
    events = complete.response.events
    kept = tuple(e for e in events if e.data["type"] not in {"message_delta", "message_stop"})
    assert len(kept) == len(events) - 2
    cut = dataclasses.replace(
        complete, response=dataclasses.replace(complete.response, events=kept)
    )
    message = final_message(cut)
    assert message.stop_reason is None
    assert message.content[0].type == "text"


def test_the_paused_turn_has_ten_searches_and_nine_results() -> None:
    # stop-reasons.md: ten searches, the last without a result yet; usage counts nine.
    recording = load_recording(LOOP / "6-pause-turn.toml")
    starts = [
        e.data["content_block"]["type"]
        for e in recording.response.events
        if e.data["type"] == "content_block_start"
    ]
    searches = starts.count("server_tool_use")
    assert starts.count("web_search_tool_result") == searches - 1
    [delta] = [e.data for e in recording.response.events if e.data["type"] == "message_delta"]
    counted = delta["usage"]["server_tool_use"]["web_search_requests"]
    assert counted == searches - 1
    assert (
        f"the model issued {NUMBER_WORDS[searches]} searches, and the last one has no result "
        f"yet: usage counts {NUMBER_WORDS[counted]} `web_search_requests`"
    ) in PAGE


def test_the_max_tokens_reply_stopped_at_its_max_tokens() -> None:
    # stop-reasons.md: "sent with max_tokens=N, and the reply stopped at exactly N output tokens"
    recording = load_recording(LOOP / "1-max-tokens.toml")
    [delta] = [e.data for e in recording.response.events if e.data["type"] == "message_delta"]
    limit = recording.request.body["max_tokens"]
    assert delta["usage"]["output_tokens"] == limit
    assert delta["delta"]["stop_reason"] == "max_tokens"
    assert f"sent with `max_tokens={limit}`, and the reply stopped at exactly {limit}" in PAGE


def test_the_page_lists_the_refusal_categories_of_the_sdk() -> None:
    # stop-reasons.md: the categories "in SDK 2.17.0's types", in their order.
    annotation = anthropic.types.RefusalStopDetails.model_fields["category"].annotation
    [literal] = [a for a in typing.get_args(annotation) if a is not type(None)]
    *first, last = typing.get_args(literal)
    listed = ", ".join(f"`{c}`" for c in first) + f" or `{last}`"
    assert f"a `category` ({listed} in SDK {anthropic.__version__}'s types)" in PAGE
    # Every SDK version the page names is the one the tests run.
    assert set(re.findall(r"SDK (\d+\.\d+\.\d+)", PAGE)) == {anthropic.__version__}

"""What why-stream.md says about the SDK's refusal of long non-streaming requests, checked."""

from __future__ import annotations

import asyncio
import inspect
import re
import runpy
import time
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic._constants import DEFAULT_TIMEOUT, MODEL_NONSTREAMING_TOKENS

from stream_replay import ReplayServer, load_recording

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, SNIPPETS_DIR

PAGE = DOCS_DIR / "why-stream.md"


def prose() -> str:
    """The page's text with its lines joined, as a reader reads a sentence."""
    return " ".join(PAGE.read_text().split())


def sent(max_tokens: int, *, model: str = "claude-sonnet-5-5", **options: Any) -> bool:
    """Whether a non-streaming create() reaches the server, or the SDK refuses it first.

    The server has no recordings: a request that reaches it is answered with a 404, which
    proves it was sent. A refusal is the SDK's ValueError, with nothing sent.
    """
    client_options = options.pop("client_options", {})
    refusal: ValueError | None = None
    with ReplayServer([], speed=0) as server:
        client = anthropic.Anthropic(
            api_key=PLACEHOLDER_KEY, base_url=server.url, max_retries=0, **client_options
        )
        try:
            client.messages.create(
                model=model,
                max_tokens=max_tokens,
                messages=[{"role": "user", "content": "Write a long report."}],
                **options,
            )
        except anthropic.NotFoundError:
            pass
        except ValueError as error:
            refusal = error
    if refusal is not None:
        assert str(refusal).startswith("Streaming is required")
        assert server.mismatches == []  # refused before anything was sent
        return False
    assert len(server.mismatches) == 1
    return True


@pytest.mark.parametrize(("max_tokens", "expected"), [(21_333, True), (21_334, False)])
def test_the_sdk_refuses_non_streaming_requests_above_21333_tokens(
    max_tokens: int, expected: bool
) -> None:
    # why-stream.md: 3,600 s x max_tokens / 128,000 above 600 s, that is above 21,333 tokens.
    assert sent(max_tokens) is expected


@pytest.mark.parametrize(("max_tokens", "expected"), [(8_192, True), (8_193, False)])
def test_some_older_model_ids_have_a_lower_limit(max_tokens: int, expected: bool) -> None:
    # why-stream.md: 8,192 tokens for Claude Opus 4.1 on Vertex AI (and a few other ids).
    assert sent(max_tokens, model="claude-opus-4-1@20250805") is expected


def test_a_timeout_you_set_turns_the_check_off() -> None:
    # why-stream.md: the check runs only with the SDK's default timeout.
    assert sent(64_000, timeout=1200.0)
    assert sent(64_000, client_options={"timeout": 1200.0})


def test_the_page_quotes_the_sdk_error_word_for_word() -> None:
    client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="Streaming is required") as error:
        client.messages.create(
            model="claude-sonnet-5-5",
            max_tokens=64_000,
            messages=[{"role": "user", "content": "Write a long report."}],
        )
    assert f"ValueError: {error.value}" in PAGE.read_text()


def test_the_times_the_page_reads_off_the_timeline_are_the_recordings() -> None:
    # why-stream.md reads the first and last text times off the timeline it shows.
    recording = load_recording(RECORDINGS_DIR / "why_stream" / "time_to_first_token.toml")
    text_at = [
        event.at
        for event in recording.response.events
        if event.data.get("delta", {}).get("type") == "text_delta"
    ]
    said = f"The first text comes at {text_at[0]:.3f} s and the last at {text_at[-1]:.3f} s"
    assert said in prose()
    # "... words on the screen about two seconds before a non-streaming one has anything"
    assert round(text_at[-1] - text_at[0]) == 2
    assert "about two seconds before" in prose()


def test_the_pages_estimate_predicts_the_thresholds_the_sdk_keeps() -> None:
    # why-stream.md: "3,600 s x max_tokens / 128,000 ... over 600 s, that is for max_tokens
    # above 21,333"; 600 s is the SDK's default timeout, "ten minutes" on the page.
    found = re.search(
        r"estimate is ([\d,]+) s \u00d7 `max_tokens` / ([\d,]+), and a request is refused when "
        r"that is over (\d+) s, that is for `max_tokens` above ([\d,]+)",
        prose(),
    )
    assert found, "the page no longer states the estimate"
    hour, tokens, limit, threshold = (int(g.replace(",", "")) for g in found.groups())
    assert limit == DEFAULT_TIMEOUT.read == 10 * 60
    assert hour * threshold / tokens <= limit < hour * (threshold + 1) / tokens
    assert sent(threshold)
    assert not sent(threshold + 1)
    assert "ten minutes" in prose()
    assert "above 21,333 tokens in SDK 2.17.0" in prose()


def test_the_lower_limit_is_8192_for_the_ids_the_page_names() -> None:
    # why-stream.md: 8,192 tokens for the ids of Claude Opus 4, and of Claude Opus 4.1 on
    # Amazon Bedrock ("anthropic." ids) and Vertex AI ("@" ids).
    assert set(MODEL_NONSTREAMING_TOKENS.values()) == {8_192}
    for model in MODEL_NONSTREAMING_TOKENS:
        assert "opus-4" in model or "4-opus" in model
        if "opus-4-1" in model:
            assert model.startswith("anthropic.") or "@" in model
    assert "limit of 8,192 tokens" in prose()


def test_the_max_tokens_the_page_names_is_the_examples() -> None:
    recording = load_recording(RECORDINGS_DIR / "why_stream" / "long_request.toml")
    assert recording.request.body["max_tokens"] == 64_000
    assert "a small part of the 64,000 tokens allowed" in prose()


# -- text in bursts, smoothed on screen (why-stream.md, "Text comes in pieces, and in bursts")

SMOOTH = runpy.run_path(str(SNIPPETS_DIR / "why_stream" / "smooth_text.py"), run_name="smooth")


async def pieces(*texts: str, fail: bool = False) -> AsyncIterator[str]:
    for text in texts:
        yield text
    if fail:
        raise anthropic.APIConnectionError(request=httpx2.Request("POST", "http://x"))


def test_a_burst_is_shown_a_few_characters_a_frame(capsys: pytest.CaptureFixture[str]) -> None:
    # All of it at once, as a burst: printed unchanged, over many frames, none larger than the
    # pace for what is waiting allows.
    text = "word " * 80
    capsys.readouterr()
    started = time.monotonic()
    asyncio.run(SMOOTH["show_smoothly"](pieces(text)))
    elapsed = time.monotonic() - started
    assert capsys.readouterr().out == text
    frame, slowest, catch_up = SMOOTH["FRAME"], SMOOTH["SLOWEST"], SMOOTH["CATCH_UP"]
    largest = round(max(slowest, len(text) / catch_up) * frame)
    assert largest < len(text) / 10  # at least ten frames
    assert elapsed >= (len(text) / largest - 1) * frame


def test_a_failed_stream_stops_the_smoothing_with_its_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(anthropic.APIConnectionError):
        asyncio.run(SMOOTH["show_smoothly"](pieces("Some text, then", fail=True)))
    assert capsys.readouterr().out == "Some text, then"


def test_the_batches_facts_are_the_installed_sdks() -> None:
    # why-stream.md, "Work nobody waits for": the SDK's docstring and changelog entry quoted.
    source = inspect.getsource(anthropic.resources.messages.batches)
    assert "Batches can take up to 24 hours to complete." in " ".join(source.split())
    assert '"Batches can take up to 24 hours to complete"' in prose()
    assert '"raise APIConnectionError when a JSONL stream drops"' in prose()

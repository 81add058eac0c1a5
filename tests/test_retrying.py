"""What retrying.md says about retrying and resuming a stream, checked under injected faults."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import runpy
import sys
import time

import anthropic
import pytest

from stream_replay import Fault, Recording, ReplayServer, load_recordings_for, parse_fault

from .project import DOCS_DIR, PLACEHOLDER_KEY, ROOT, SNIPPETS_DIR, output_file

SNIPPET = SNIPPETS_DIR / "retrying" / "retry_then_resume.py"
PAGE = DOCS_DIR / "retrying.md"
FIRST, SECOND = load_recordings_for(SNIPPET, ROOT)
# The docs' sample prompt for Claude 4.6 and later ("Error recovery", Streaming messages).
SAMPLE = (
    "Your previous response was interrupted and ended with {}. Continue from where you left off."
)


def texts(recording: Recording, events: int | None = None) -> str:
    """The text of the text deltas among a recording's first `events` events."""
    return "".join(
        event.data["delta"]["text"]
        for event in recording.response.events[:events]
        if event.data["type"] == "content_block_delta"
        and event.data["delta"]["type"] == "text_delta"
    )


@dataclasses.dataclass
class Run:
    stdout: str
    served: list[str]
    seconds: float

    @property
    def answer(self) -> str:
        return self.stdout.split("\n")[0]

    @property
    def log(self) -> list[str]:
        return self.stdout.rstrip("\n").split("\n")[1:]


def run(
    faults: list[Fault],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    recordings: list[Recording] | None = None,
) -> Run:
    capsys.readouterr()
    with ReplayServer(recordings or [FIRST, SECOND], speed=0, faults=faults) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        started = time.monotonic()
        runpy.run_path(str(SNIPPET), run_name="__main__")
        seconds = time.monotonic() - started
    assert server.mismatches == [], server.mismatches[0].message()
    return Run(capsys.readouterr().out, [r.path.name for r in server.served], seconds)


@pytest.mark.parametrize(
    ("spec", "failure"),
    [("error:5@1", "overloaded_error event"), ("cut-mid:6@1", "APIConnectionError")],
)
def test_a_stream_broken_after_some_text_resumes_without_repeating_it(
    spec: str, failure: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # retrying.md: the text shown before the failure is kept and printed once; the
    # continuation request prints only the new text. Both faults break the first attempt
    # after the same three pieces of text (the sixth event is a ping).
    result = run([parse_fault(spec)], monkeypatch, capsys)

    shown = texts(FIRST, 5)
    assert shown == texts(FIRST, 6)
    assert len(shown) == 92
    assert result.answer == shown + texts(SECOND)
    assert result.answer.count(shown) == 1
    assert result.served == ["1.toml", "2.toml"]
    assert result.log == [f"attempt 1: {failure}, 92 characters shown", "attempt 2: end_turn"]
    if spec == "error:5@1":  # the fault the page's output shows
        assert result.stdout == output_file(SNIPPET).read_text()


def test_the_continuation_carries_the_partial_text_in_a_user_message() -> None:
    # retrying.md: for a Claude 4.6-or-later model (claude-sonnet-5-5), no prefill: the
    # partial text goes in a user message, in the docs' sample prompt. The snippet's second
    # request matched this recording exactly (the test above), so this is what it sent.
    body = SECOND.request.body
    assert body["model"] == "claude-sonnet-5-5"
    question, resume = body["messages"]
    assert question == FIRST.request.body["messages"][0]
    assert resume["role"] == "user"
    tagged = f"<previous_response>{texts(FIRST, 5)}</previous_response>"
    assert resume["content"] == SAMPLE.format(tagged)
    assert all(message["role"] == "user" for message in body["messages"])


def test_the_page_shows_the_continuation_request_that_was_sent() -> None:
    # The JSON block on the page is the recorded body's `messages`.
    blocks = re.findall(r"```json\n(.*?)\n```", PAGE.read_text(), flags=re.DOTALL)
    shown = [json.loads(block) for block in blocks]
    assert {"messages": SECOND.request.body["messages"]} in shown


def test_a_failure_before_any_text_sends_the_same_request_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # retrying.md: nothing reached the user, so the same request is sent again; the answer
    # is the whole first recording, printed once.
    result = run([parse_fault("error:2@1")], monkeypatch, capsys)

    assert result.served == ["1.toml", "1.toml"]
    assert result.answer == texts(FIRST)
    assert result.log == [
        "attempt 1: overloaded_error event, 0 characters shown",
        "attempt 2: end_turn",
    ]


def test_a_clean_end_before_message_stop_is_a_failure_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # retrying.md: the SDK raises nothing when the body ends early without an error; the
    # loop sees no message_stop and resumes all the same.
    ended_early = dataclasses.replace(
        FIRST, response=dataclasses.replace(FIRST.response, events=FIRST.response.events[:5])
    )
    result = run([], monkeypatch, capsys, recordings=[ended_early, SECOND])

    assert result.answer == texts(FIRST, 5) + texts(SECOND)
    assert result.log[0] == "attempt 1: the stream ended before message_stop, 92 characters shown"


def test_it_gives_up_after_three_attempts_with_a_short_capped_backoff(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # retrying.md: "The loop waits 0.2 s, then 0.4 s, before its second and third attempts,
    # and then gives up."
    waits: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        if sys._getframe(1).f_code.co_filename == str(SNIPPET):  # the snippet's own waits
            waits.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    result = run([parse_fault("error:2")], monkeypatch, capsys)

    assert result.served == ["1.toml"] * 3
    assert result.log[-1] == "gave up after 3 attempts"
    assert result.answer == ""
    assert waits == [0.2, 0.4]
    assert result.seconds >= 0.2 + 0.4  # the two waits between the three attempts
    page = " ".join(PAGE.read_text().split())
    assert "tries up to three times" in page
    assert "waits 0.2 s, then 0.4 s, before its second and third attempts" in page


def test_the_page_counts_what_the_first_attempt_showed() -> None:
    # retrying.md: under error:5@1 the error follows the fifth event, the third piece of
    # text, after 92 characters; under cut-mid:6@1 the seventh event is cut, and the sixth is
    # a ping, so the same text has been shown.
    page = " ".join(PAGE.read_text().split())
    events = FIRST.response.events
    pieces = [e for e in events[:5] if e.data["type"] == "content_block_delta"]
    assert len(pieces) == 3
    assert "injected into the first attempt after its fifth event" in page
    assert "The first attempt receives its third piece of text, then the error" in page
    assert f"By then the {len(texts(FIRST, 5))} characters up to" in page
    assert events[5].name == "ping"
    assert "in the middle of the first attempt's seventh event. The sixth is a `ping`" in page


def test_http_errors_before_the_stream_are_left_to_the_sdk(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # retrying.md: a 529 before any event is retried by the SDK itself (max_retries=2), so
    # the loop sees one attempt that worked.
    result = run([parse_fault("http:529@1")], monkeypatch, capsys)
    assert result.served == ["1.toml", "1.toml"]
    assert result.log == ["attempt 1: end_turn"]

    # ... and one it does not retry (400) reaches the caller unchanged.
    with pytest.raises(anthropic.BadRequestError):
        run([parse_fault("http:400@1")], monkeypatch, capsys)


def test_the_sdk_retry_constants_the_page_quotes() -> None:
    from anthropic import _constants

    assert anthropic.DEFAULT_MAX_RETRIES == 2
    assert (_constants.INITIAL_RETRY_DELAY, _constants.MAX_RETRY_DELAY) == (0.5, 8.0)


def test_the_page_names_the_sdk_version_the_tests_run() -> None:
    assert f"SDK {anthropic.__version__}" in PAGE.read_text()


def test_the_prefill_and_pause_turn_wordings_are_the_installed_sdks() -> None:
    # retrying.md: the messages parameter's documentation (a partial assistant response "returns
    # a 400 error" on models without prefill) and pause_turn's ("You may provide the response
    # back as-is"), as SDK 2.17.0's types give them.
    params = " ".join(inspect.getsource(anthropic.types.message_create_params).split())
    message = " ".join(inspect.getsource(anthropic.types.message).split())
    page = " ".join((DOCS_DIR / "retrying.md").read_text().split())
    assert "a partial `assistant` response returns a 400 error" in params
    assert (
        '"a partial `assistant` response", which on models without prefill "returns a 400 error"'
        in page
    )
    quote = (
        "You may provide the response back as-is in a subsequent request to let the model continue"
    )
    assert quote in message
    assert f'("{quote}", the same types on `pause_turn`)' in page

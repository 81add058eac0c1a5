"""What docs/errors.md says about errors before and during a stream, checked under the faults."""

from __future__ import annotations

import logging
import re
import runpy
import time
from types import ModuleType
from typing import Any

import anthropic
import anthropic._base_client
import httpx2
import pytest

from stream_replay import ErrorEvent, Fault, HttpError, ReplayServer, load_recording

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, SNIPPETS_DIR

PAGE = DOCS_DIR / "errors.md"

RECORDING = load_recording(RECORDINGS_DIR / "errors" / "error_in_stream.toml")
BODY = RECORDING.request.body
FULL_TEXT = "".join(
    event.data["delta"]["text"]
    for event in RECORDING.response.events
    if event.name == "content_block_delta"
)


def stream_text(client: anthropic.Anthropic, received: list[str] | None = None) -> str:
    """Stream the recorded request with `messages.stream()`; each piece also goes to `received`."""
    pieces = received if received is not None else []
    with client.messages.stream(
        model=BODY["model"], max_tokens=BODY["max_tokens"], messages=BODY["messages"]
    ) as stream:
        for text in stream.text_stream:
            pieces.append(text)
    return "".join(pieces)


def replay(faults: list[Fault]) -> ReplayServer:
    # The same exchange as many times as the SDK asks for it.
    return ReplayServer([RECORDING], speed=0, faults=faults)


class SleepRecorder(ModuleType):
    """Stands in for the `time` module of the SDK's client code: records each retry's wait."""

    def __init__(self) -> None:
        super().__init__("time")
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between retries, recorded instead of slept (the SDK computes them as usual)."""
    recorder = SleepRecorder()
    monkeypatch.setattr(anthropic._base_client, "time", recorder)
    return recorder.waits


# --------------------------------------------------------------------------- before the stream


@pytest.mark.parametrize(
    ("status", "error_class", "error_type"),
    [
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (500, anthropic.InternalServerError, "api_error"),
        (529, anthropic.OverloadedError, "overloaded_error"),
    ],
)
def test_an_http_error_raises_its_class_when_the_with_block_starts(
    status: int, error_class: type[anthropic.APIStatusError], error_type: str
) -> None:
    # errors.md: the table of statuses and classes; the error comes before any text.
    with replay([HttpError(status)]) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url, max_retries=0)
        manager = client.messages.stream(
            model=BODY["model"], max_tokens=BODY["max_tokens"], messages=BODY["messages"]
        )
        with pytest.raises(anthropic.APIStatusError) as raised:
            manager.__enter__()
    assert type(raised.value) is error_class
    assert raised.value.status_code == status
    assert raised.value.type == error_type
    assert len(server.served) == 1


def test_overloaded_is_an_internal_server_error() -> None:
    # errors.md: `except anthropic.InternalServerError` also catches a 529.
    assert issubclass(anthropic.OverloadedError, anthropic.InternalServerError)
    assert issubclass(anthropic.RateLimitError, anthropic.APIStatusError)


def test_by_default_the_sdk_makes_three_attempts_then_raises(waits: list[float]) -> None:
    # errors.md: max_retries=2 by default, so three attempts; waits of 0.5 s then 1 s, each cut
    # by up to a quarter at random.
    with replay([HttpError(529)]) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        with pytest.raises(anthropic.OverloadedError):
            stream_text(client)
    assert len(server.served) == 3
    first, second = waits
    assert 0.375 <= first <= 0.5
    assert 0.75 <= second <= 1.0


def test_the_backoff_doubles_up_to_eight_seconds(waits: list[float]) -> None:
    with replay([HttpError(500)]) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url, max_retries=6)
        with pytest.raises(anthropic.InternalServerError):
            stream_text(client)
    assert len(server.served) == 7
    for wait, full in zip(waits, [0.5, 1, 2, 4, 8, 8], strict=True):
        assert 0.75 * full <= wait <= full
    page = " ".join(PAGE.read_text().split())
    assert (
        "0.5 s before the first retry, 1 s before the second, doubling up to 8 s, each cut by "
        "up to a quarter at random"
    ) in page
    assert "2 by default, so at most three requests" in page


def test_a_529_on_the_first_attempt_is_invisible_to_the_caller(waits: list[float]) -> None:
    # errors.md: the overloaded_retry.py example; the stream is whole, and only once.
    with replay([HttpError(529, on_request=1)]) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        assert stream_text(client) == FULL_TEXT
    assert len(server.served) == 2
    assert len(waits) == 1


def test_retry_after_sets_the_wait(waits: list[float]) -> None:
    # errors.md: the SDK waits what retry-after says, in place of its own backoff.
    with replay([HttpError(429, retry_after=3)]) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        with pytest.raises(anthropic.RateLimitError) as raised:
            stream_text(client)
    assert waits == [3.0, 3.0]
    assert raised.value.response.headers["retry-after"] == "3"


def test_the_rate_limited_example_really_waits() -> None:
    # rate_limited.py under http:429:1 with max_retries=1: one real wait of a second.
    with replay([HttpError(429, retry_after=1)]) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url, max_retries=1)
        started = time.monotonic()
        with pytest.raises(anthropic.RateLimitError):
            stream_text(client)
        elapsed = time.monotonic() - started
    assert len(server.served) == 2
    assert elapsed >= 1.0


# The policy for statuses and headers the replay server's faults do not produce, on the SDK's
# own HTTP client with a transport that answers in memory.


def policy_client(
    status: int, headers: dict[str, str], attempts: list[httpx2.Request]
) -> anthropic.Anthropic:
    def answer(request: httpx2.Request) -> httpx2.Response:
        attempts.append(request)
        body = {"type": "error", "error": {"type": "some_error", "message": "Some error"}}
        return httpx2.Response(status, headers=headers, json=body)

    return anthropic.Anthropic(
        api_key=PLACEHOLDER_KEY,
        base_url="http://api.invalid",
        http_client=httpx2.Client(transport=httpx2.MockTransport(answer)),
    )


STATUSES: list[tuple[int, type[anthropic.APIStatusError], bool]] = [
    (400, anthropic.BadRequestError, False),
    (401, anthropic.AuthenticationError, False),
    (402, anthropic.PaymentRequiredError, False),
    (403, anthropic.PermissionDeniedError, False),
    (404, anthropic.NotFoundError, False),
    (413, anthropic.ContentTooLargeError, False),
    (429, anthropic.RateLimitError, True),
    (500, anthropic.InternalServerError, True),
    (504, anthropic.GatewayTimeoutError, True),
    (529, anthropic.OverloadedError, True),
    (408, anthropic.RequestTimeoutError, True),
    (409, anthropic.ConflictError, True),
    (503, anthropic.ServiceUnavailableError, True),
]
TABLE_ROW = re.compile(r"^\| (\d{3}) \| `(\w+)` \| `(\w+)`[^|]* \| (yes|no) \|$", re.MULTILINE)


def test_the_page_table_of_statuses_is_the_one_tested_below() -> None:
    # errors.md: each row of the status table (status, class, retried) is a case of the
    # test below, which runs the SDK; and the error types are the ones the body carries.
    rows = TABLE_ROW.findall(PAGE.read_text())
    assert len(rows) == 11
    tested = {status: (cls.__name__, retried) for status, cls, retried in STATUSES}
    for status, _, class_name, retried in rows:
        assert tested[int(status)] == (class_name, retried == "yes"), status


@pytest.mark.parametrize(("status", "error_class", "retried"), STATUSES)
def test_the_class_of_each_status_and_whether_it_is_retried(
    status: int, error_class: type[anthropic.APIStatusError], retried: bool, waits: list[float]
) -> None:
    # errors.md: the table of statuses, classes and retries (408, 409, 429 and 5xx are
    # retried, other statuses not).
    attempts: list[httpx2.Request] = []
    client = policy_client(status, {}, attempts)
    with pytest.raises(anthropic.APIStatusError) as raised:
        stream_text(client)
    assert type(raised.value) is error_class
    assert raised.value.status_code == status
    assert len(attempts) == (3 if retried else 1)
    # Each attempt says which retry it is.
    assert [a.headers["x-stainless-retry-count"] for a in attempts] == [
        str(n) for n in range(len(attempts))
    ]


@pytest.mark.parametrize(
    ("status", "should_retry", "retried"), [(529, "false", False), (400, "true", True)]
)
def test_x_should_retry_decides_over_the_status(
    status: int, should_retry: str, retried: bool, waits: list[float]
) -> None:
    attempts: list[httpx2.Request] = []
    client = policy_client(status, {"x-should-retry": should_retry}, attempts)
    with pytest.raises(anthropic.APIStatusError):
        stream_text(client)
    assert len(attempts) == (3 if retried else 1)


def test_each_retry_is_logged_at_info(caplog: pytest.LogCaptureFixture) -> None:
    # errors.md: ANTHROPIC_LOG=info shows "Retrying request to /v1/messages in ... seconds".
    with (
        caplog.at_level(logging.INFO, logger="anthropic"),
        replay([HttpError(529, retry_after=0.1, on_request=1)]) as server,
    ):
        stream_text(anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url))
    retries = [r for r in caplog.records if r.name == "anthropic._base_client"]
    assert [r.getMessage() for r in retries if r.levelno == logging.INFO] == [
        "Retrying request to /v1/messages in 0.100000 seconds"
    ]


def test_retry_after_ms_comes_first_and_a_long_retry_after_is_obeyed(waits: list[float]) -> None:
    client = policy_client(529, {"retry-after-ms": "250", "retry-after": "9"}, [])
    with pytest.raises(anthropic.OverloadedError):
        stream_text(client)
    assert waits == [0.25, 0.25]

    waits.clear()
    client = policy_client(429, {"retry-after": "120"}, [])
    with pytest.raises(anthropic.RateLimitError):
        stream_text(client)
    assert waits == [120.0, 120.0]  # SDK 2.17.0 sets no 60-second limit


def test_a_connection_error_before_the_response_is_retried(waits: list[float]) -> None:
    # errors.md: a request that gets no response at all (refused, reset) is retried too.
    attempts: list[httpx2.Request] = []

    def refuse(request: httpx2.Request) -> httpx2.Response:
        attempts.append(request)
        raise httpx2.ConnectError("connection refused", request=request)

    client = anthropic.Anthropic(
        api_key=PLACEHOLDER_KEY,
        base_url="http://api.invalid",
        http_client=httpx2.Client(transport=httpx2.MockTransport(refuse)),
    )
    with pytest.raises(anthropic.APIConnectionError) as raised:
        stream_text(client)
    assert len(attempts) == 3
    assert isinstance(raised.value.__cause__, httpx2.ConnectError)


# --------------------------------------------------------------------------- during the stream


@pytest.mark.parametrize("error_type", ["overloaded_error", "api_error", "rate_limit_error"])
def test_an_error_event_is_a_bare_api_status_error_with_status_200_never_retried(
    error_type: str,
) -> None:
    # errors.md: after 200 OK the class is APIStatusError whatever the type, status_code is
    # the 200 of the response, .type is the event's; the default retries do not apply.
    with replay([ErrorEvent(5, error_type)]) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        received: list[str] = []
        with pytest.raises(anthropic.APIStatusError) as raised:
            stream_text(client, received)
    error = raised.value
    assert type(error) is anthropic.APIStatusError
    assert not isinstance(error, anthropic.InternalServerError | anthropic.RateLimitError)
    assert error.status_code == 200
    assert error.type == error_type
    assert len(server.served) == 1
    # The text that came before the error event was handed over, and stays the caller's:
    # errors.md, "after the stream's first five events (two of them text)".
    assert received == ["A hash table", " stores key-value pairs"]
    page = " ".join(PAGE.read_text().split())
    assert "after the stream's first five events (two of them text)" in page


def test_the_error_event_is_the_body_of_the_error() -> None:
    with replay([ErrorEvent(5)]) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        with pytest.raises(anthropic.APIStatusError) as raised:
            stream_text(client)
    assert raised.value.api_message == "Overloaded"
    assert raised.value.body == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }


def test_the_error_in_stream_example_takes_the_other_branch_under_http_529(
    waits: list[float], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # errors.md: "Run the same file with --fault http:529 instead, and the other branch
    # answers, after the SDK's two retries".
    with replay([HttpError(529)]) as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        runpy.run_path(str(SNIPPETS_DIR / "errors" / "error_in_stream.py"), run_name="__main__")
    assert capsys.readouterr().out == (
        "[overloaded_error before the stream]\n[OverloadedError, HTTP 529]\n"
    )
    assert len(server.served) == 3
    assert len(waits) == 2

"""The SDK behaviours the pages describe, each a check that says in words what the SDK did.

A check gets the replay servers of its behaviour (`Part`: a URL and the request body the
recording there answers) and returns its outcome as a short Markdown phrase, the cell of the
SDK versions table. It imports nothing but the standard library and `anthropic`, so the same
file runs in this project's environment (the suite imports it) and in the environment of any
other release: `python -m tests.sdk_matrix.checks` reads `{behaviour: [part, ...]}` as JSON on
stdin and writes `{"version": ..., "httpx2": ..., "outcomes": {behaviour: outcome}}` on stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Any

import anthropic

__all__ = ["CHECKS", "STALL_READ_TIMEOUT", "Part", "run_checks"]

Part = dict[str, Any]  # {"url": the server's base URL, "request": the recorded request body}
KEY = "test-key-not-a-secret"
# The read timeout of the stall check: shorter than the stall its behaviour injects (2.5 s),
# and long enough that the response headers, on a busy machine, come within it.
STALL_READ_TIMEOUT = 1.0


def client(part: Part, **options: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=KEY, base_url=part["url"], **options)


def params(part: Part) -> dict[str, Any]:
    """The recorded request body as keyword arguments of `messages.stream()`/`create()`."""
    return {name: value for name, value in part["request"].items() if name != "stream"}


def name(cls: type) -> str:
    """`APIConnectionError` (anthropic's), `httpx2.ReadTimeout`, `json.JSONDecodeError`: the
    class under the name its package exports it by, else its module's."""
    top = cls.__module__.split(".")[0]
    if cls.__module__ == "builtins" or top == "anthropic":
        return cls.__name__
    package = sys.modules.get(top)
    if package is not None and getattr(package, cls.__name__, None) is cls:
        return f"{top}.{cls.__name__}"
    return f"{cls.__module__}.{cls.__name__}"


def raised(error: BaseException) -> str:
    """The class raised, and for an error of anthropic's the one it was raised from."""
    text = f"`{name(type(error))}`"
    if isinstance(error, anthropic.AnthropicError) and error.__cause__ is not None:
        text += f" from `{name(type(error.__cause__))}`"
    return text


def attribute(obj: object, field: str) -> str:
    return f"`{getattr(obj, field)!r}`" if hasattr(obj, field) else "absent"


def read_text(part: Part, **options: Any) -> tuple[str, str]:
    """Read a `messages.stream()` to its end: (where it failed, or "", and the outcome)."""
    with client(part, **options).messages.stream(**params(part)) as stream:
        try:
            for _ in stream.text_stream:
                pass
        except Exception as error:
            return "in the loop", raised(error)
        return "", f"no error, `stop_reason` `{stream.get_final_message().stop_reason}`"


def failure(part: Part, **options: Any) -> str:
    try:
        where, outcome = read_text(part, **options)
    except Exception as error:  # at `with`, before any event
        return f"{raised(error)} at `with`"
    return f"{outcome} {where}".strip()


# -- the checks, in the order of the table


def cut(parts: list[Part]) -> str:
    return failure(parts[0])


def stall(parts: list[Part]) -> str:
    return failure(parts[0], timeout=STALL_READ_TIMEOUT)


def error_event(parts: list[Part]) -> str:
    with client(parts[0]).messages.stream(**params(parts[0])) as stream:
        try:
            stream.until_done()
        except anthropic.APIStatusError as error:
            return (
                f"{raised(error)} in the loop, `status_code` {error.status_code}, "
                f"`type` {attribute(error, 'type')}"
            )
    return "no error"


def http_529(parts: list[Part]) -> str:
    try:
        with client(parts[0], max_retries=0).messages.stream(**params(parts[0])):
            return "no error"
    except anthropic.APIStatusError as error:
        subclass = isinstance(error, anthropic.InternalServerError)
        return f"{raised(error)}, {'an' if subclass else 'not an'} `InternalServerError`"


def http_529_retried(parts: list[Part]) -> str:
    return failure(parts[0])


def error_message(parts: list[Part]) -> str:
    # parts[0]: HTTP 529 before the stream; parts[1]: an `error` event in it.
    texts = []
    for part in parts:
        try:
            with client(part, max_retries=0).messages.stream(**params(part)) as stream:
                stream.until_done()
        except anthropic.APIStatusError as error:
            texts.append(f"`{error}`")
    return "; ".join(texts)


def create_types(part: Part) -> list[str]:
    with client(part).messages.create(**params(part), stream=True) as stream:
        return [event.type for event in stream]


def stream_types(part: Part) -> list[str]:
    with client(part).messages.stream(**params(part)) as stream:
        return [event.type for event in stream]


def ping(parts: list[Part]) -> str:
    seen = {
        "`create(stream=True)`": "ping" in create_types(parts[0]),
        "`stream()`": "ping" in stream_types(parts[0]),
    }
    return "; ".join(f"{way}: {'passed on' if kept else 'dropped'}" for way, kept in seen.items())


def unknown_event(parts: list[Part]) -> str:
    [part] = parts
    with client(part).messages.stream(**params(part)) as stream:
        types = [event.type for event in stream]
        blocks = [block.type for block in stream.get_final_message().content]
    seen = {
        "`create(stream=True)`": "future_event" in create_types(part),
        "`stream()`": "future_event" in types,
    }
    ways = "; ".join(f"{way}: {'passed on' if kept else 'dropped'}" for way, kept in seen.items())
    kept = "kept" if "future_block" in blocks else "dropped"
    return f"{ways}; the unknown block {kept} in `get_final_message()`"


def non_json_event(parts: list[Part]) -> str:
    try:
        types = create_types(parts[0])
    except Exception as error:
        return f"{raised(error)} in the loop"
    return f"no error; the loop gets {', '.join(types)}"


def byte_order_mark(parts: list[Part]) -> str:
    [part] = parts
    first = create_types(part)[0]
    with client(part).messages.stream(**params(part)) as stream:
        try:
            final = f"returns, `stop_reason` `{stream.get_final_message().stop_reason}`"
        except Exception as error:
            final = f"raises {raised(error)}"
    return f"the loop's first event: `{first}`; `get_final_message()` {final}"


def no_final_blank_line(parts: list[Part]) -> str:
    return f"the loop's last event: `{create_types(parts[0])[-1]}`"


def ended_early(parts: list[Part]) -> str:
    [part] = parts
    with client(part).messages.stream(**params(part)) as stream:
        stream.until_done()
        message = stream.get_final_message()
    return f"no error; `stop_reason` `{message.stop_reason}`"


def invalid_tool_json(parts: list[Part]) -> str:
    # parts[0]: a trailing comma; parts[1]: an unescaped quote.
    outcomes = []
    for label, part in zip(("trailing comma", "unescaped quote"), parts, strict=True):
        with client(part).messages.stream(**params(part)) as stream:
            try:
                stream.until_done()
            except Exception as error:
                outcomes.append(f"{label}: {raised(error)} in the loop")
                continue
            [tool] = [b for b in stream.get_final_message().content if b.type == "tool_use"]
            outcomes.append(f"{label}: no error, `input` `{json.dumps(tool.input)}`")
    return "; ".join(outcomes)


def request_id(parts: list[Part]) -> str:
    # parts[0]: a whole stream; parts[1]: one that ends with an `error` event.
    part = parts[0]
    with client(part).messages.stream(**params(part)) as stream:
        header = stream.response.headers["request-id"]
        helper = getattr(stream, "request_id", None) == header
        stream.until_done()
    with client(part).messages.create(**params(part), stream=True) as raw:
        plain = "yes" if getattr(raw, "request_id", None) else "no"
    try:
        with client(parts[1]).messages.stream(**params(parts[1])) as stream:
            stream.until_done()
        on_error = "no error"
    except anthropic.APIStatusError as error:
        on_error = "yes" if getattr(error, "request_id", None) else "no"
    return (
        f"`stream().request_id`: {'yes' if helper else 'no'}; "
        f"`create(stream=True)` `.request_id`: {plain}; "
        f"an `error` event's `error.request_id`: {on_error}"
    )


def final_after_close(parts: list[Part]) -> str:
    # parts[0]: closed before any event is read; parts[1]: after three, the rest held back.
    outcomes = []
    for label, part, read in (("no event read", parts[0], 0), ("3 read", parts[1], 3)):
        with client(part).messages.stream(**params(part)) as stream:
            events = iter(stream)
            for _ in range(read):
                next(events)
            stream.close()
            try:
                message = stream.get_final_message()
                outcomes.append(f"{label}: returns, `stop_reason` `{message.stop_reason}`")
            except Exception as error:
                outcomes.append(f"{label}: {raised(error)}")
    return "; ".join(outcomes)


def final_text_without_text(parts: list[Part]) -> str:
    with client(parts[0]).messages.stream(**params(parts[0])) as stream:
        stream.until_done()
        try:
            text = stream.get_final_text()
        except Exception as error:
            return f"{raised(error)}"
    return f"returns `{text!r}`"


def usage_after_cut(parts: list[Part]) -> str:
    with client(parts[0]).messages.stream(**params(parts[0])) as stream:
        try:
            stream.until_done()
            return "no error"
        except Exception:
            usage = stream.current_message_snapshot.usage
    return f"`input_tokens` {usage.input_tokens}, `output_tokens` {usage.output_tokens}"


def citation_snapshot(parts: list[Part]) -> str:
    with client(parts[0]).messages.stream(**params(parts[0])) as stream:
        kept = [(len(e.snapshot), e.snapshot) for e in stream if e.type == "citation"]
    at_event = [n for n, _ in kept]
    after = [len(snapshot) for _, snapshot in kept]
    how = "unchanged" if at_event == after else "grown"
    return f"lengths at each event {at_event}; read after the stream: {after} ({how})"


def raw_events(parts: list[Part]) -> str:
    if not hasattr(anthropic.Stream, "raw_events"):
        return "absent"
    with client(parts[0]).messages.create(**params(parts[0]), stream=True) as stream:
        names = [sse.event for sse in anthropic.Stream.raw_events(stream.response)]
    pings = "pings included" if "ping" in names else "no pings"
    return f"present: {len(names)} events, {pings}"


def api_version(parts: list[Part]) -> str:
    with client(parts[0]).messages.stream(**params(parts[0])) as stream:
        sent = stream.response.request.headers.get("anthropic-version")
        stream.until_done()
    return f"`{sent}`"


CHECKS: dict[str, Callable[[list[Part]], str]] = {
    "cut": cut,
    "stall": stall,
    "error-event": error_event,
    "http-529": http_529,
    "http-529-retried": http_529_retried,
    "error-message": error_message,
    "ping": ping,
    "unknown-event": unknown_event,
    "non-json-event": non_json_event,
    "byte-order-mark": byte_order_mark,
    "no-final-blank-line": no_final_blank_line,
    "ended-early": ended_early,
    "invalid-tool-json": invalid_tool_json,
    "request-id": request_id,
    "final-after-close": final_after_close,
    "final-text-without-text": final_text_without_text,
    "usage-after-cut": usage_after_cut,
    "citation-snapshot": citation_snapshot,
    "raw-events": raw_events,
    "api-version": api_version,
}


def run_checks(targets: dict[str, list[Part]]) -> Iterator[tuple[str, str]]:
    """Each behaviour's outcome; a check that fails unexpectedly says so in its cell."""
    for key, parts in targets.items():
        try:
            yield key, CHECKS[key](parts)
        except Exception as error:
            yield key, f"the check failed: {raised(error)}: {error}"


def main() -> None:
    targets = json.load(sys.stdin)
    outcomes = dict(run_checks(targets))
    report = {
        "version": anthropic.__version__,
        "httpx2": metadata.version("httpx2"),
        "outcomes": outcomes,
    }
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()

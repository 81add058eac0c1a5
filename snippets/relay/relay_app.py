"""Relay a Claude stream to browsers as server-sent events (Starlette)."""

import json
import logging
from collections.abc import AsyncIterator

import anthropic
import uvicorn
from anthropic.types import Message
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

client = anthropic.AsyncAnthropic()  # the API key stays on the server
log = logging.getLogger(__name__)

HEADERS = {
    "Cache-Control": "no-cache",  # a cache must ask again before reusing it
    "X-Accel-Buffering": "no",  # nginx: pass each event on as it comes
}


def sse(event: str, data: dict[str, str | None]) -> str:
    # JSON keeps a newline in the text from ending the data: line
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


async def relay(question: str) -> AsyncIterator[str]:
    # If the browser goes away, Starlette cancels this generator where it
    # waits: the CancelledError passes through `async with`, which closes
    # the stream from the API. (CancelledError is not an Exception.)
    try:
        async with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=1024,
            messages=[{"role": "user", "content": question}],
        ) as stream:
            final: Message | None = None
            async for event in stream:
                if event.type == "text":
                    yield sse("text", {"text": event.text})
                elif event.type == "message_stop":  # the last event
                    final = event.message
        if final is None:  # the body ended early, cleanly: no message_stop
            yield sse("error", {"type": "incomplete_stream"})
        else:
            yield sse("done", {"stop_reason": final.stop_reason})
    except anthropic.APIStatusError as error:  # an HTTP or `error` event
        yield sse("error", {"type": error.type})
    except Exception:  # a dropped connection, a timeout, a bug
        log.exception("stream from the API failed")
        yield sse("error", {"type": "relay_error"})


async def chat(request: Request) -> StreamingResponse:
    question = request.query_params.get("q", "")
    return StreamingResponse(
        relay(question), media_type="text/event-stream", headers=HEADERS
    )


app = Starlette(routes=[Route("/chat", chat)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=8000)

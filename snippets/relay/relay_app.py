"""Relay a Claude stream to browsers as server-sent events (FastAPI)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import anthropic
import uvicorn
from anthropic.types import Message
from fastapi import Depends, FastAPI, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # One client for the app, made when it starts, not at import: it reads
    # ANTHROPIC_BASE_URL and the key then, after a test has set them.
    async with anthropic.AsyncAnthropic() as client:  # the key stays here
        app.state.client = client
        yield


def get_client(request: Request) -> anthropic.AsyncAnthropic:
    client: anthropic.AsyncAnthropic = request.app.state.client
    return client  # a test may override this dependency with its own


Client = Annotated[anthropic.AsyncAnthropic, Depends(get_client)]
app = FastAPI(lifespan=lifespan)


def failed(kind: str | None, request_id: str | None) -> ServerSentEvent:
    return ServerSentEvent(
        event="error", data={"type": kind, "request_id": request_id}
    )


# FastAPI frames each event (its data as one line of JSON), sends
# Cache-Control: no-cache and X-Accel-Buffering: no, and writes a
# ": ping" comment whenever this generator is silent for 15 s.
@app.get("/chat", response_class=EventSourceResponse)
async def chat(q: str, client: Client) -> AsyncIterator[ServerSentEvent]:
    # If the browser goes away, FastAPI cancels this generator where it
    # waits: the CancelledError passes through `async with`, which closes
    # the stream from the API. (CancelledError is not an Exception.)
    request_id = None
    try:
        async with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=1024,
            messages=[{"role": "user", "content": q}],
        ) as stream:
            request_id = stream.request_id  # for support: log it, pass it on
            final: Message | None = None
            async for event in stream:
                if event.type == "text":
                    yield ServerSentEvent(
                        event="text", data={"text": event.text}
                    )
                elif event.type == "message_stop":  # the last event
                    final = event.message
        if final is None:  # the body ended early, cleanly: no message_stop
            yield failed("incomplete_stream", request_id)
        else:
            done = {"stop_reason": final.stop_reason, "request_id": request_id}
            yield ServerSentEvent(event="done", data=done)
    except anthropic.APIStatusError as error:  # an HTTP or `error` event
        yield failed(error.type, error.request_id)
    except Exception:  # a dropped connection, a timeout, a bug
        log.exception("stream from the API failed, request-id %s", request_id)
        yield failed("relay_error", request_id)


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=8000)

"""The same relay on plain Starlette, with sse-starlette."""

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anthropic
import uvicorn
from anthropic.types import Message
from sse_starlette import EventSourceResponse, JSONServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

log = logging.getLogger(__name__)
# A ": ping" comment every 15 s, below the idle limits of common proxies.
KEEPALIVE = float(os.environ.get("RELAY_KEEPALIVE", "15"))


def failed(kind: str | None, request_id: str | None) -> JSONServerSentEvent:
    data = {"type": kind, "request_id": request_id}
    return JSONServerSentEvent(data, event="error")


async def relay(
    client: anthropic.AsyncAnthropic, question: str
) -> AsyncIterator[JSONServerSentEvent]:
    request_id = None
    try:
        async with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=1024,
            messages=[{"role": "user", "content": question}],
        ) as stream:
            request_id = stream.request_id
            final: Message | None = None
            async for event in stream:
                if event.type == "text":
                    yield JSONServerSentEvent(
                        {"text": event.text}, event="text"
                    )
                elif event.type == "message_stop":
                    final = event.message
        if final is None:
            yield failed("incomplete_stream", request_id)
        else:
            done = {"stop_reason": final.stop_reason, "request_id": request_id}
            yield JSONServerSentEvent(done, event="done")
    except anthropic.APIStatusError as error:
        yield failed(error.type, error.request_id)
    except Exception:
        log.exception("stream from the API failed, request-id %s", request_id)
        yield failed("relay_error", request_id)


async def chat(request: Request) -> EventSourceResponse:
    question = request.query_params.get("q", "")
    # It sends Cache-Control: no-store and X-Accel-Buffering: no itself.
    client = request.app.state.client
    return EventSourceResponse(relay(client, question), ping=KEEPALIVE)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Made when the app starts, not at import: it reads the environment then.
    async with anthropic.AsyncAnthropic() as client:  # the key stays here
        app.state.client = client
        yield


app = Starlette(routes=[Route("/chat", chat)], lifespan=lifespan)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=8000)

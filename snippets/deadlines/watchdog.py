"""Deadlines that let the model think, and still catch a stalled stream."""

import asyncio

import anthropic
import httpx2

# Short enough for a replay; multiply them for real requests.
HEADERS = 0.8  # s from the request to the response headers
SILENCE = 1.0  # s with no byte on the connection, pings included
FIRST_ANSWER = 5.0  # s from the request to the first text or tool input
TOTAL = 8.0  # s from the request to message_stop

# --8<-- [start:client]
# The read timeout sees every byte, the pings the SDK drops included:
# it tells a model that thinks (pings, thinking deltas) from a stall.
client = anthropic.AsyncAnthropic(timeout=httpx2.Timeout(SILENCE, connect=5))
# --8<-- [end:client]

QUESTIONS = [
    "Is 1,000,003 a prime number? Answer in one sentence.",
    "Is 1,000,033 a prime number? Answer in one sentence.",
]


async def ask(question: str) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()

    def note(what: str) -> None:
        print(f"{loop.time() - start:6.2f} s  {what}")

    # --8<-- [start:deadlines]
    waiting_for, limit = "the headers", HEADERS
    text = ""
    try:
        async with asyncio.timeout_at(start + HEADERS) as deadline:
            async with client.messages.stream(
                model="claude-sonnet-5-5",
                max_tokens=16000,
                thinking={"type": "adaptive", "display": "summarized"},
                messages=[{"role": "user", "content": question}],
            ) as stream:
                note(f"headers, request-id {stream.request_id}")
                waiting_for, limit = "the first text", FIRST_ANSWER
                deadline.reschedule(start + FIRST_ANSWER)  # thinking fits
                async for event in stream:
                    if event.type == "content_block_start":
                        note(f"{event.content_block.type} block starts")
                    elif (
                        event.type in ("text", "input_json") and limit != TOTAL
                    ):
                        note("first text")
                        waiting_for, limit = "message_stop", TOTAL
                        deadline.reschedule(start + TOTAL)
                    if event.type == "text":
                        text += event.text
                    elif event.type == "message_stop":
                        note(f"message_stop: {text}")
    except TimeoutError:  # one of our deadlines
        note(f"gave up: {limit} s without {waiting_for}")
    except anthropic.APITimeoutError:  # the stream stalled after its headers
        note(f"stalled: {SILENCE} s without a byte, before {waiting_for}")
    # --8<-- [end:deadlines]


async def main() -> None:
    for question in QUESTIONS:
        print(question)
        await ask(question)


if __name__ == "__main__":
    asyncio.run(main())
